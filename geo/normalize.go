package geo

import (
	"slices"

	"github.com/paulmach/orb"
)

// Normalize returns a copy of g with the winding RFC 7946 asks for:
// exterior rings counter-clockwise, holes clockwise. It applies to
// Polygon, MultiPolygon, Ring (as an exterior) and the members of a
// Collection; other types are copied unchanged. Rings with no area are
// left as they are.
func Normalize(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case nil:
		return nil
	case orb.Ring:
		r := g.Clone()
		orientRing(r, true)
		return r
	case orb.Polygon:
		p := g.Clone()
		orientPolygon(p)
		return p
	case orb.MultiPolygon:
		mp := g.Clone()
		for _, p := range mp {
			orientPolygon(p)
		}
		return mp
	case orb.Collection:
		if g == nil {
			return orb.Collection(nil)
		}
		c := make(orb.Collection, len(g))
		for i, m := range g {
			c[i] = Normalize(m)
		}
		return c
	}
	return orb.Clone(g)
}

func orientPolygon(p orb.Polygon) {
	for i, r := range p {
		orientRing(r, i == 0)
	}
}

// orientRing reverses r in place when its winding is not the wanted one.
func orientRing(r orb.Ring, ccw bool) {
	if s := ringWinding(r); s != 0 && (s > 0) != ccw {
		slices.Reverse(r)
	}
}

// ringWinding is +1 for a counter-clockwise ring, -1 for a clockwise one,
// 0 when it has no area. For a simple ring the turn at its lowest-leftmost
// vertex has the sign of the whole ring and is computed exactly, so even
// slivers get the right winding; the shoelace sum covers the rest.
func ringWinding(r orb.Ring) int {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	if n < 3 {
		return 0
	}
	m := 0
	for i := 1; i < n; i++ {
		if r[i][0] < r[m][0] || (r[i][0] == r[m][0] && r[i][1] < r[m][1]) {
			m = i
		}
	}
	prev, next := (m+n-1)%n, (m+1)%n
	for prev != m && r[prev] == r[m] {
		prev = (prev + n - 1) % n
	}
	for next != m && r[next] == r[m] {
		next = (next + 1) % n
	}
	if o := orient(r[prev], r[m], r[next]); o != 0 {
		return o
	}
	var area float64
	o := r[0]
	for i := range n {
		a, b := r[i], r[(i+1)%n]
		area += (a[0]-o[0])*(b[1]-o[1]) - (b[0]-o[0])*(a[1]-o[1])
	}
	return sign(area)
}
