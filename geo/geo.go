// Package geo holds the geometry work of areagraph on top of orb, knowing
// no GraphQL and no domain: GeoJSON in and out, validation of geometry
// from outside, geodesic measures, and the predicates both storage
// backends share so that they agree.
//
// The files, one room each:
//   - geojson.go reads GeoJSON, geojson_write.go writes it;
//   - validate.go checks geometry from outside, validate_polygon.go and
//     validate_crossing.go the topology of its rings; normalize.go winds
//     rings as RFC 7946 asks; message.go formats what they report;
//   - predicate.go (Covers, Intersects) and locate.go (point in ring or
//     polygon) are the planar predicates, in degrees as PostGIS geometry;
//     robust.go (exact orientation, segment contact) and sweep.go (the
//     segment sweep) lie beneath them;
//   - geodesic.go solves the inverse geodesic problem on the WGS 84
//     ellipsoid and geodesic_area.go measures rings with it; sphere.go
//     holds great-circle arcs, measure.go areas and centroids, label.go
//     label points;
//   - overlay.go measures how much of one area lies in another (planar, in
//     projected metres: IntersectionArea, PlanarArea), share.go the share
//     of it, without the overlay when it is far from the other's border;
//   - simplify.go, simplify_fit.go and round.go make geometry smaller for
//     the wire;
//   - crs.go recognises coordinate reference systems (WGS 84, SWEREF 99
//     TM, the local SWEREF 99 zones, RT90 2.5 gon V), converts between
//     them as PROJ does, and tells which a file's ranges may be.
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
