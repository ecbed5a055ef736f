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
	d, err := Decimals(field, precision)
	if err != nil || g == nil {
		return nil, err
	}
	return geo.Round(g, d), nil
}

// Decimals is the decimals Rounded rounds to for precision: DefaultPrecision
// when it is nil, an error naming field when it is outside 0–15.
func Decimals(field string, precision *int) (int, error) {
	if precision == nil {
		return DefaultPrecision, nil
	}
	if *precision < 0 || *precision > MaxPrecision {
		return 0, db.Errorf(db.EINVALID, "%s: precision must be between 0 and %d, got %d", field, MaxPrecision, *precision)
	}
	return *precision, nil
}
