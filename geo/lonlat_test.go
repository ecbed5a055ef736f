package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestCheckLonLat(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		lon, lat float64
		want     string
	}{
		{12.94, 57.72, ""},
		{180, 90, ""},
		{-180, -90, ""},
		{math.Copysign(0, -1), 0, ""},
		{200, 95, "longitude 200 is out of range [-180, 180]"},
		{-180.000001, 0, "longitude -180.000001 is out of range [-180, 180]"},
		{12.9, 95, "latitude 95 is out of range [-90, 90]"},
		{12.9, -90.5, "latitude -90.5 is out of range [-90, 90]"},
		{nan, 0, "longitude NaN is out of range [-180, 180]"},
		{0, nan, "latitude NaN is out of range [-90, 90]"},
		{inf, 0, "longitude +Inf is out of range [-180, 180]"},
		{0, -inf, "latitude -Inf is out of range [-90, 90]"},
	}
	for _, tc := range tests {
		err := CheckLonLat(tc.lon, tc.lat)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("CheckLonLat(%v, %v) = %q, want %q", tc.lon, tc.lat, got, tc.want)
		}
		if inRange(orb.Point{tc.lon, tc.lat}) != (tc.want == "") {
			t.Errorf("inRange(%v, %v) disagrees with CheckLonLat", tc.lon, tc.lat)
		}
	}
}

func TestFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		p    orb.Point
		want bool
	}{
		{orb.Point{1, 2}, true},
		{orb.Point{1e300, -1e300}, true},
		{orb.Point{nan, 0}, false},
		{orb.Point{0, nan}, false},
		{orb.Point{inf, 0}, false},
		{orb.Point{0, -inf}, false},
	} {
		if got := Finite(tc.p); got != tc.want {
			t.Errorf("Finite(%v) = %v, want %v", tc.p, got, tc.want)
		}
		if got := allFinite([]orb.Point{{0, 0}, tc.p}); got != tc.want {
			t.Errorf("allFinite with %v = %v, want %v", tc.p, got, tc.want)
		}
	}
}
