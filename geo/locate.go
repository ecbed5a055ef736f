package geo

import "github.com/paulmach/orb"

// location is where a point lies relative to a ring or polygon.
type location int

const (
	outside location = iota
	boundary
	inside
)

// locateInRing finds p relative to ring r by ray crossing with exact
// orientation tests. An unclosed ring is treated as closed. Crossings are
// counted half-open in y so a ray through a vertex counts once.
func locateInRing(r orb.Ring, p orb.Point) location {
	loc, _ := locateInRingSpan(r, p)
	return loc
}

// locateInRingSpan is locateInRing that also reports whether the walk
// saw, on both axes, a vertex at or below p and one at or above it: then
// the ring's box holds p, and a caller that wants the box test as well
// needs no pass of its own. A point on the boundary is in the box, and
// the flag says so.
func locateInRingSpan(r orb.Ring, p orb.Point) (location, bool) {
	n := len(r)
	in := false
	var west, east, south, north bool
	for i := range n {
		j := i + 1
		if j == n {
			j = 0
		}
		a, b := r[i], r[j]
		if a[0] <= p[0] {
			west = true
		}
		if a[0] >= p[0] {
			east = true
		}
		if a[1] <= p[1] {
			south = true
		}
		if a[1] >= p[1] {
			north = true
		}
		if between(p[1], a[1], b[1]) && between(p[0], a[0], b[0]) && orient(a, b, p) == 0 {
			return boundary, true
		}
		if (a[1] > p[1]) != (b[1] > p[1]) {
			// Upward edge: the crossing is right of p when p is left of
			// a→b; downward edge: when p is right of it.
			if (b[1] > a[1]) == (orient(a, b, p) > 0) {
				in = !in
			}
		}
	}
	spanned := west && east && south && north
	if in {
		return inside, spanned
	}
	return outside, spanned
}

// locateInPolygon applies locateInRing to the shell and holes.
func locateInPolygon(poly orb.Polygon, p orb.Point) location {
	return locatePolygonBy(locateInRing, poly, p)
}

// locateInHoles places a point inside a polygon's shell relative to its
// holes, as locateInPolygon does.
func locateInHoles(holes []orb.Ring, p orb.Point) location {
	return locateHolesBy(locateInRing, holes, p)
}

// locatePolygonBy applies a ring's locator to the shell and holes: inside
// a hole is outside the polygon, on a hole's edge is on its boundary.
func locatePolygonBy(ring func(orb.Ring, orb.Point) location, poly orb.Polygon, p orb.Point) location {
	if len(poly) == 0 {
		return outside
	}
	loc := ring(poly[0], p)
	if loc != inside {
		return loc
	}
	return locateHolesBy(ring, poly[1:], p)
}

// locateHolesBy places a point inside a polygon's shell relative to its
// holes, as locatePolygonBy does.
func locateHolesBy(ring func(orb.Ring, orb.Point) location, holes []orb.Ring, p orb.Point) location {
	for _, h := range holes {
		switch ring(h, p) {
		case inside:
			return outside
		case boundary:
			return boundary
		}
	}
	return inside
}

// pipLocateRing is PostGIS's point-in-ring test (point_in_ring in
// lwgeom_functions_analytic.c, the fast path of ST_Covers and
// ST_Intersects between a point and a polygon), reproduced operation for
// operation: a winding number over the float64 side determinant, with a
// point counted on the boundary exactly when that determinant is 0 and
// the point lies in the edge's box. The determinant is rounded, so for a
// point a hair off a sloped edge it can be 0 where exact arithmetic says
// otherwise; PostGIS then answers "covered", and so must we. Edges shorter
// than 1e-12 degrees are skipped, as there.
func pipLocateRing(r orb.Ring, p orb.Point) location {
	loc, _ := pipLocateRingSpan(r, p)
	return loc
}

// pipLocateRingSpan is pipLocateRing that also reports whether the walk
// saw a vertex at or west of p and one at or east of it. With the answer
// inside, that means the ring's box holds p: the winding number only moves
// on an edge from a vertex at or below p to one above it, which spans p in
// y. Callers that must also apply the box test, as PostGIS does before
// point_in_ring, so get it without a pass of their own. The flag means
// nothing when p is outside, and p on the boundary is always in the box.
func pipLocateRingSpan(r orb.Ring, p orb.Point) (location, bool) {
	wn := 0
	var west, east bool
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if a[0] <= p[0] {
			west = true
		}
		if a[0] >= p[0] {
			east = true
		}
		if a[1] > p[1] && b[1] > p[1] || a[1] < p[1] && b[1] < p[1] {
			// Wholly above or below p, the edge can neither hold p nor
			// move the winding number: spare the arithmetic.
			continue
		}
		// The conversions forbid fused multiply-adds, which would round
		// differently from PostGIS on x86-64.
		side := float64((b[0]-a[0])*(p[1]-a[1])) - float64((p[0]-a[0])*(b[1]-a[1]))
		dx, dy := b[0]-a[0], b[1]-a[1]
		if float64(dx*dx)+float64(dy*dy) < 1e-12*1e-12 {
			continue
		}
		if side == 0 && between(p[0], a[0], b[0]) && between(p[1], a[1], b[1]) {
			return boundary, true
		}
		if a[1] <= p[1] && p[1] < b[1] && side > 0 {
			wn++
		} else if b[1] <= p[1] && p[1] < a[1] && side < 0 {
			wn--
		}
	}
	if wn == 0 {
		return outside, false
	}
	if last := r[len(r)-1]; last[0] <= p[0] {
		west = true
	}
	if last := r[len(r)-1]; last[0] >= p[0] {
		east = true
	}
	return inside, west && east
}

// pipLocatePolygon applies pipLocateRing to shell and holes as PostGIS's
// point_in_polygon does.
func pipLocatePolygon(poly orb.Polygon, p orb.Point) location {
	return locatePolygonBy(pipLocateRing, poly, p)
}

// pipLocateHoles places a point inside a polygon's shell relative to its
// holes, as pipLocatePolygon does.
func pipLocateHoles(holes []orb.Ring, p orb.Point) location {
	return locateHolesBy(pipLocateRing, holes, p)
}
