package geo

import "github.com/paulmach/orb"

// ShareInside is the share of a's planar area that lies in b, from 0 to 1,
// both polygonal and in one projected system (see IntersectionArea); 0
// when a has no area.
//
// Most areas checked against a larger one (a DeSO against its
// municipality) lie far from its border, and for them the overlay, whose
// cost grows with the vertices of both, is not needed: when no edge of b
// comes near a's bounding box, the box is wholly inside b or wholly
// outside it, and so is a, which one point tells. Only an area near b's
// border pays for IntersectionArea.
func ShareInside(a, b orb.Geometry) (float64, error) {
	total := PlanarArea(a)
	if total == 0 || a == nil || b == nil {
		return 0, nil
	}
	ab := a.Bound()
	if !ab.Intersects(b.Bound()) {
		return 0, nil
	}
	if !edgeNear(b, ab) {
		if Covers(b, ab.Center()) {
			return 1, nil
		}
		return 0, nil
	}
	inside, err := IntersectionArea(a, b)
	if err != nil {
		return 0, err
	}
	return min(inside/total, 1), nil
}

// edgeNear reports whether an edge of polygonal g has its bounding box
// meet box (boundary included), which any edge through box does.
func edgeNear(g orb.Geometry, box orb.Bound) bool {
	ring := func(r orb.Ring) bool {
		for i := 1; i < len(r); i++ {
			p, q := r[i-1], r[i]
			if max(p[0], q[0]) >= box.Min[0] && min(p[0], q[0]) <= box.Max[0] &&
				max(p[1], q[1]) >= box.Min[1] && min(p[1], q[1]) <= box.Max[1] {
				return true
			}
		}
		// An unclosed ring's closing edge.
		if n := len(r); n > 1 && r[0] != r[n-1] {
			return edgeNear(orb.Ring{r[n-1], r[0]}, box)
		}
		return false
	}
	switch g := g.(type) {
	case orb.Ring:
		return ring(g)
	case orb.Polygon:
		for _, r := range g {
			if ring(r) {
				return true
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if edgeNear(p, box) {
				return true
			}
		}
	case orb.Bound:
		return edgeNear(g.ToRing(), box)
	case orb.Collection:
		for _, m := range g {
			if edgeNear(m, box) {
				return true
			}
		}
	default:
		// Not polygonal: let the overlay decide.
		return true
	}
	return false
}
