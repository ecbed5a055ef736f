package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// The overlay of two areas: how much of one lies in the other. It is
// planar, so both geometries must be in one projected system (SWEREF 99 TM
// in metres for Swedish areas: ToSWEREF99TMFromWGS84), where an area in
// square metres means something; in degrees it would weigh a northern
// square metre less than a southern one.
//
// The intersection itself is simplefeatures' DCEL overlay, the pure-Go
// counterpart of the GEOS overlay PostGIS runs for ST_Intersection, so the
// PostGIS backend's ST_Area(ST_Intersection(…)) and this agree to rounding.

// PlanarArea is the planar area of the polygonal parts of g, holes taken
// out, in the square of g's units. Points and lines have none. The members
// of a Collection are added up, so they must not overlap.
func PlanarArea(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Ring:
		return math.Abs(planarRingArea(g))
	case orb.Polygon:
		return planarPolygonArea(g)
	case orb.MultiPolygon:
		var sum float64
		for _, p := range g {
			sum += planarPolygonArea(p)
		}
		return sum
	case orb.Bound:
		return (g.Max[0] - g.Min[0]) * (g.Max[1] - g.Min[1])
	case orb.Collection:
		var sum float64
		for _, m := range g {
			sum += PlanarArea(m)
		}
		return sum
	}
	return 0
}

func planarPolygonArea(p orb.Polygon) float64 {
	if len(p) == 0 {
		return 0
	}
	a := math.Abs(planarRingArea(p[0]))
	for _, h := range p[1:] {
		a -= math.Abs(planarRingArea(h))
	}
	return math.Max(a, 0)
}

// planarRingArea is the signed shoelace area of r, taken about its first vertex
// so that large projected coordinates (SWEREF 99 TM northings near 7e6)
// do not cost the products their precision.
func planarRingArea(r orb.Ring) float64 {
	if len(r) < 3 {
		return 0
	}
	o := r[0]
	var s float64
	for i := 1; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		s += (a[0]-o[0])*(b[1]-o[1]) - (b[0]-o[0])*(a[1]-o[1])
	}
	return s / 2
}

// IntersectionArea is the planar area of the part of a that lies in b,
// both polygonal (Polygon, MultiPolygon, Ring, Bound or a Collection of
// them) and in one projected system. Shared edges and vertices have no
// area, so areas that only touch give 0, as do points and lines. Geometry
// that is not valid (see Validate) gives an undefined answer or an error;
// the error also comes in the rare numerically degenerate case the overlay
// cannot resolve.
func IntersectionArea(a, b orb.Geometry) (float64, error) {
	if a == nil || b == nil {
		return 0, nil
	}
	ba, bb := a.Bound(), b.Bound()
	if !ba.Intersects(bb) || PlanarArea(ba) == 0 || PlanarArea(bb) == 0 {
		return 0, nil
	}
	// Most pairs in a roll-up are a small statistical area far inside a
	// large target, or a target inside one statistical area: when no edge
	// of one comes near the other's box, that box lies wholly inside or
	// wholly outside it, and one point tells which. The overlay is the
	// costly path (its noding is most of a roll-up's time); this one costs
	// a pass over the edges.
	if !edgeNear(a, bb) {
		if Covers(a, bb.Center()) {
			return PlanarArea(b), nil
		}
		return 0, nil
	}
	if !edgeNear(b, ba) {
		if Covers(b, ba.Center()) {
			return PlanarArea(a), nil
		}
		return 0, nil
	}
	return overlayArea(a, b)
}

// overlayArea is the area of a ∩ b by simplefeatures' overlay.
func overlayArea(a, b orb.Geometry) (float64, error) {
	ga, ok := toSimpleFeatures(a)
	if !ok {
		return 0, nil
	}
	gb, ok := toSimpleFeatures(b)
	if !ok {
		return 0, nil
	}
	g, err := sf.Intersection(ga, gb)
	if err != nil {
		return 0, fmt.Errorf("geo: intersection: %w", err)
	}
	return g.Area(), nil
}

// toSimpleFeatures is g's polygonal part as a simplefeatures geometry; ok
// is false when g has none.
func toSimpleFeatures(g orb.Geometry) (sf.Geometry, bool) {
	switch g := g.(type) {
	case orb.Ring:
		return sfPolygon(orb.Polygon{g}).AsGeometry(), true
	case orb.Polygon:
		return sfPolygon(g).AsGeometry(), len(g) > 0
	case orb.Bound:
		return sfPolygon(g.ToPolygon()).AsGeometry(), true
	case orb.MultiPolygon:
		ps := make([]sf.Polygon, 0, len(g))
		for _, p := range g {
			if len(p) > 0 {
				ps = append(ps, sfPolygon(p))
			}
		}
		return sf.NewMultiPolygon(ps).AsGeometry(), len(ps) > 0
	case orb.Collection:
		gs := make([]sf.Geometry, 0, len(g))
		for _, m := range g {
			if s, ok := toSimpleFeatures(m); ok {
				gs = append(gs, s)
			}
		}
		return sf.NewGeometryCollection(gs).AsGeometry(), len(gs) > 0
	}
	return sf.Geometry{}, false
}

func sfPolygon(p orb.Polygon) sf.Polygon {
	rings := make([]sf.LineString, 0, len(p))
	for _, r := range p {
		n := len(r)
		closed := n > 0 && r[0] == r[n-1]
		flat := make([]float64, 0, 2*(n+1))
		for _, pt := range r {
			flat = append(flat, pt[0], pt[1])
		}
		if !closed && n > 0 {
			flat = append(flat, r[0][0], r[0][1])
		}
		rings = append(rings, sf.NewLineString(sf.NewSequence(flat, sf.DimXY)))
	}
	return sf.NewPolygon(rings)
}
