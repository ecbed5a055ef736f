// Package geo holds the geometry work of areagraph on top of orb: the
// GeoJSON scalar, validation of geometry from outside, geodesic measures,
// and the predicates both storage backends share so that they agree.
package geo

import (
	"math"

	"github.com/paulmach/orb"
)

func rad(deg float64) float64 { return deg * math.Pi / 180 }

// BoundGeometry is the geometry a bounding box stands for when it is used
// as a filter. A box collapsed to a line or a point is that line or point:
// as a polygon it would have no interior and, to PostGIS as to the
// point-in-polygon test, no points at all, where a filter's edges count.
func BoundGeometry(b orb.Bound) orb.Geometry {
	switch {
	case b.Min == b.Max:
		return b.Min
	case b.Min[0] == b.Max[0] || b.Min[1] == b.Max[1]:
		return orb.LineString{b.Min, b.Max}
	}
	return b.ToPolygon()
}
