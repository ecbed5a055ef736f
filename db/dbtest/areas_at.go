package dbtest

import (
	"math"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// testAreasAtOutOfRange pins one answer for a point out of WGS 84 range:
// the invalid-input error db.CheckAreasAt words, from every backend, where
// the embedded store once answered no areas and PostGIS an error. The
// boundaries are in range and answer as any point does.
func testAreasAtOutOfRange(t *testing.T, s db.Store) {
	loaded(t, s)
	nan, inf := math.NaN(), math.Inf(1)
	bad := []struct {
		pt   orb.Point
		says string
	}{
		{orb.Point{200, 95}, "areasAt: longitude 200 is out of range [-180, 180]"},
		{orb.Point{-180.5, 57.7}, "areasAt: longitude -180.5 is out of range [-180, 180]"},
		{orb.Point{12.9, 95}, "areasAt: latitude 95 is out of range [-90, 90]"},
		{orb.Point{12.9, -90.000001}, "areasAt: latitude -90.000001 is out of range [-90, 90]"},
		{orb.Point{nan, 57.7}, "areasAt: longitude NaN is out of range [-180, 180]"},
		{orb.Point{12.9, nan}, "areasAt: latitude NaN is out of range [-90, 90]"},
		{orb.Point{inf, 57.7}, "areasAt: longitude +Inf is out of range [-180, 180]"},
		{orb.Point{12.9, -inf}, "areasAt: latitude -Inf is out of range [-90, 90]"},
	}
	for _, c := range bad {
		got, err := s.AreasAt(ctx(t), c.pt, nil, anyDay)
		wantCode(t, "AreasAt out of range", err, db.EINVALID)
		if err != nil && db.ErrorMessage(err) != c.says {
			t.Errorf("AreasAt(%v): message %q, want %q", c.pt, db.ErrorMessage(err), c.says)
		}
		if got != nil {
			t.Errorf("AreasAt(%v): %d areas beside the error", c.pt, len(got))
		}
	}
	for _, pt := range []orb.Point{{180, 0}, {-180, 0}, {0, 90}, {0, -90}, {180, 90}, {-180, -90}} {
		got, err := s.AreasAt(ctx(t), pt, nil, anyDay)
		if err != nil {
			t.Errorf("AreasAt(%v) on the boundary of the range: %v", pt, err)
		}
		wantIDs(t, "AreasAt on the boundary of the range", got)
	}
}
