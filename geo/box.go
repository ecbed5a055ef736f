package geo

import "github.com/paulmach/orb"

// IntersectsBox reports whether g and the box b share at least one point,
// touching included: Intersects(g, BoundGeometry(b)), with the same answer
// for every polygon whose holes lie inside its shell, as Validate asks of
// every stored outline.
//
// Intersects sorts and sweeps the edges of both shapes, which for a map's
// box query against areas of thousands of vertices was half of what a
// request cost. A polygon against a box needs no sweep: the box is convex
// and its edges are axis-aligned, so the test goes from cheap to dear and
// stops at the first answer. For each polygon: a shell whose box misses b
// is skipped; a vertex of any ring inside b (edges included) is a shared
// point; a corner of b inside the polygon is one too; failing both, only
// an edge of the polygon crossing b can meet it, and each edge is tried
// against b's four sides with exact orientation, as Intersects tries them.
// Every step allocates nothing.
//
// Points and MultiPoints are compared with the box. A box collapsed to a
// line or a point, a geometry other than these, a Polygon, MultiPolygon
// or Ring, and coordinates that are not finite go to Intersects.
func IntersectsBox(g orb.Geometry, b orb.Bound) bool {
	if !(b.Min[0] < b.Max[0] && b.Min[1] < b.Max[1]) || !Finite(b.Min) || !Finite(b.Max) {
		return Intersects(g, BoundGeometry(b))
	}
	var met, sure bool
	switch g := g.(type) {
	case orb.Point:
		// A point against an axis-aligned box: PostGIS's point-in-polygon
		// arithmetic, which Intersects uses here, covers the box's edges
		// and corners exactly, so the box's own comparison is the answer.
		return b.Contains(g)
	case orb.MultiPoint:
		for _, p := range g {
			if b.Contains(p) {
				return true
			}
		}
		return false
	case orb.Polygon:
		met, sure = polygonMeetsBox(g, b)
	case orb.Ring:
		met, sure = polygonMeetsBox(orb.Polygon{g}, b)
	case orb.MultiPolygon:
		sure = true
		for _, p := range g {
			m, s := polygonMeetsBox(p, b)
			if !s {
				sure = false
				break
			}
			if m {
				met = true
				break
			}
		}
	}
	if !sure {
		return Intersects(g, BoundGeometry(b))
	}
	return met
}

// polygonMeetsBox is IntersectsBox for one polygon; sure is false when a
// coordinate is not finite and Intersects must decide.
func polygonMeetsBox(p orb.Polygon, b orb.Bound) (met, sure bool) {
	if len(p) == 0 || len(p[0]) == 0 {
		return false, true // Intersects sees no polygon here
	}
	in := func(q orb.Point) bool {
		return q[0] >= b.Min[0] && q[0] <= b.Max[0] && q[1] >= b.Min[1] && q[1] <= b.Max[1]
	}
	// One pass over the shell: a vertex in the box answers at once, and
	// on the way the shell's own box is found, which usually tells that
	// the polygon is far away.
	shell := p[0]
	lo, hi := shell[0], shell[0]
	z := 0.0
	for _, q := range shell {
		if in(q) {
			return true, true
		}
		// q*0 is 0 for finite q, NaN otherwise, and NaN stays in the sum.
		z += q[0]*0 + q[1]*0
		lo[0], lo[1] = min(lo[0], q[0]), min(lo[1], q[1])
		hi[0], hi[1] = max(hi[0], q[0]), max(hi[1], q[1])
	}
	if z != 0 {
		return false, false
	}
	if hi[0] < b.Min[0] || lo[0] > b.Max[0] || hi[1] < b.Min[1] || lo[1] > b.Max[1] {
		return false, true
	}
	for _, r := range p[1:] {
		for _, q := range r {
			if in(q) {
				return true, true
			}
			z += q[0]*0 + q[1]*0
		}
	}
	if z != 0 {
		return false, false
	}
	// No vertex in the box. If no edge crosses it either, the box lies
	// wholly inside the polygon or wholly outside, and any corner tells;
	// asking a corner first answers the common case of a box inside a
	// large area without looking at edges.
	if polygonCovers(p, b.Min, false) {
		return true, true
	}
	corners := [5]orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min}
	for _, r := range p {
		for i := range r {
			j := i + 1
			if j == len(r) {
				// An unclosed ring still has its closing edge.
				if r[0] == r[i] {
					break
				}
				j = 0
			}
			s, t := r[i], r[j]
			if max(s[0], t[0]) < b.Min[0] || min(s[0], t[0]) > b.Max[0] ||
				max(s[1], t[1]) < b.Min[1] || min(s[1], t[1]) > b.Max[1] {
				continue
			}
			for k := range 4 {
				if c, _ := intersectSegments(s, t, corners[k], corners[k+1]); c != apart {
					return true, true
				}
			}
		}
	}
	return false, true
}
