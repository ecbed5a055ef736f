package model

import (
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// DefaultPrecision is the decimals a geometry field keeps when the query
// gives no `precision`: six, about 0.1 m on the ground, finer than any
// boundary is drawn and as the map layers serve them; the digits beyond
// are bytes on the wire and, for computed points, rounding noise.
const DefaultPrecision = 6

// MaxPrecision is beyond what a float64 degree carries anyway: 15 keeps
// every digit.
const MaxPrecision = 15

// Rounded is g with coordinates rounded to precision decimals, or to
// DefaultPrecision when it is nil; a polygon stays valid (geo.Round). A
// precision outside 0–15 is refused, naming field.
func Rounded(field string, g orb.Geometry, precision *int) (orb.Geometry, error) {
	d := DefaultPrecision
	if precision != nil {
		if *precision < 0 || *precision > MaxPrecision {
			return nil, db.Errorf(db.EINVALID, "%s: precision must be between 0 and %d, got %d", field, MaxPrecision, *precision)
		}
		d = *precision
	}
	if g == nil {
		return nil, nil
	}
	return geo.Round(g, d), nil
}
