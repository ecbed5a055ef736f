package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// CheckLonLat checks that lon and lat are a WGS 84 position: longitude in
// [-180, 180] and latitude in [-90, 90], boundaries included. NaN and the
// infinities are out of range. The error names the first coordinate that
// is not, e.g. "longitude 200 is out of range [-180, 180]", for callers to
// prefix with what the position is ("areasAt: …", "bbox min: …").
//
// It is the one range check of the service: GraphQL arguments, map layer
// parameters, record locations, the point of AreasAt and Validate's
// positions all come here, so they accept and refuse the same numbers.
func CheckLonLat(lon, lat float64) error {
	// Written so that NaN, which fails every comparison, is refused.
	if !(lon >= -180 && lon <= 180) {
		return fmt.Errorf("longitude %g is out of range [-180, 180]", lon)
	}
	if !(lat >= -90 && lat <= 90) {
		return fmt.Errorf("latitude %g is out of range [-90, 90]", lat)
	}
	return nil
}

// inRange reports whether CheckLonLat accepts p, for loops over many
// positions that want a yes or no before any message.
func inRange(p orb.Point) bool { return CheckLonLat(p[0], p[1]) == nil }

// Finite reports whether both coordinates of p are finite numbers, neither
// NaN nor an infinity.
func Finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}

func polygonFinite(p orb.Polygon) bool {
	for _, r := range p {
		if !allFinite(r) {
			return false
		}
	}
	return true
}

// allFinite reports whether every coordinate is a finite number: x*0 is 0
// for those and NaN for infinities and NaN, and NaN stays in the sum.
func allFinite[S ~[]orb.Point](ps S) bool {
	z := 0.0
	for _, p := range ps {
		z += p[0]*0 + p[1]*0
	}
	return z == 0
}
