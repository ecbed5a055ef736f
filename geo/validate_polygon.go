package geo

import (
	"slices"
	"strconv"
	"sync"

	"github.com/paulmach/orb"
)

// ringRef ties a ring in a MultiPolygon to the name people know it by.
type ringRef struct {
	poly, ring int
	n          int // edges left after dropping zero-length ones
	// corners are the starts of those edges: edge k runs from corners[k]
	// to corners[(k+1)%n].
	corners []orb.Point
}

// path names the ring, e.g. "polygon 1, ring 0".
func (r *ringRef) path(polyPath func(int) string) string {
	return ringPath(polyPath(r.poly), r.ring)
}

// checkPolygons validates one polygon, or the parts of a MultiPolygon
// together so that parts may not overlap. Cheap per-ring checks run first:
// the sweep needs finite coordinates and closed rings.
func checkPolygons(polys []orb.Polygon, path string, multi bool) error {
	var refs []ringRef
	n := 0
	for _, poly := range polys {
		n += CountVertices(poly)
	}
	scratch := scratchPool.Get().(*validateScratch)
	defer scratch.release()
	segs := scratch.segments(n)
	// Each ring's corners are a slice of one block: n is at least the
	// number of corners of all rings.
	block := scratch.points(n)
	polyPath := func(pi int) string {
		if multi {
			return join(path, "polygon "+strconv.Itoa(pi))
		}
		return path
	}
	for pi, poly := range polys {
		if len(poly) == 0 {
			pp := polyPath(pi)
			if pp == "" {
				return invalid("", "is an empty Polygon")
			}
			return invalid(pp, "is empty")
		}
		for ri, r := range poly {
			if err := checkRing(r, func() string { return ringPath(polyPath(pi), ri) }); err != nil {
				return err
			}
			set := len(refs)
			k := 0
			corners := block[: 0 : len(r)-1]
			block = block[len(r)-1:]
			for i := 0; i+1 < len(r); i++ {
				if r[i] == r[i+1] {
					continue
				}
				segs = append(segs, segment{a: r[i], b: r[i+1], set: set, k: k, orig: i})
				corners = append(corners, r[i])
				k++
			}
			if k < 3 {
				// k counts edges; a ring of one repeated point has none
				// but still one corner.
				return invalid(ringPath(polyPath(pi), ri), "has only %s; a ring needs at least 3", plural(max(k, 1), "distinct corner"))
			}
			refs = append(refs, ringRef{poly: pi, ring: ri, n: k, corners: corners})
		}
	}
	if err := checkCrossings(segs, refs, polyPath); err != nil {
		return err
	}
	for pi, poly := range polys {
		if err := checkHoles(poly, polyPath(pi)); err != nil {
			return err
		}
	}
	if multi {
		return checkParts(polys, polyPath)
	}
	return nil
}

// validateScratch is memory checkPolygons uses while it runs and then
// leaves for the next call: loading a dataset validates thousands of
// outlines, and their edges alone come to a hundred megabytes.
type validateScratch struct {
	segs []segment
	pts  []orb.Point
}

var scratchPool = sync.Pool{New: func() any { return new(validateScratch) }}

// maxScratch is the most edges or points a scratch keeps between calls;
// the rare larger outline gets memory of its own, so the pool holds a few
// megabytes at most.
const maxScratch = 1 << 16

func (s *validateScratch) segments(n int) []segment {
	if cap(s.segs) < n {
		s.segs = make([]segment, 0, n)
	}
	return s.segs[:0]
}

func (s *validateScratch) points(n int) []orb.Point {
	if cap(s.pts) < n {
		s.pts = make([]orb.Point, n)
	}
	return s.pts[:n]
}

func (s *validateScratch) release() {
	if cap(s.segs) > maxScratch {
		s.segs = nil
	}
	if cap(s.pts) > maxScratch {
		s.pts = nil
	}
	scratchPool.Put(s)
}

// checkRing checks one ring's positions and closure; path names the ring
// when there is something to report.
func checkRing(r orb.Ring, path func() string) error {
	for i, p := range r {
		if !inRange(p) {
			return checkPosition(p, positionPath(i, path()))
		}
	}
	if len(r) < 4 {
		return invalid(path(), "has %s; a closed ring needs at least 4", plural(len(r), "position"))
	}
	if first, last := r[0], r[len(r)-1]; first != last {
		return invalid(path(), "is not closed: first position %s differs from last %s",
			fmtPoint(first), fmtPoint(last))
	}
	return nil
}

// checkHoles rejects holes outside their shell or inside another hole.
// The rings do not cross (checkCrossings ran), so one vertex that is not on
// the other ring's boundary tells on which side the whole ring lies.
func checkHoles(poly orb.Polygon, path string) error {
	if len(poly) < 2 {
		return nil
	}
	shell := poly[0]
	sb := shell.Bound()
	bounds := make([]orb.Bound, len(poly))
	for i, h := range poly[1:] {
		bounds[i+1] = h.Bound()
		if side(h, shell, sb, bounds[i+1]) == outside {
			return invalid(join(path, "ring "+strconv.Itoa(i+1)), "lies outside its shell (ring 0)")
		}
	}
	order := make([]int, 0, len(poly)-1)
	for i := 1; i < len(poly); i++ {
		order = append(order, i)
	}
	var err error
	sweepBounds(bounds, order, func(i, j int) bool {
		for _, pair := range [2][2]int{{i, j}, {j, i}} {
			a, b := pair[0], pair[1]
			if side(poly[a], poly[b], bounds[b], bounds[a]) == inside {
				err = invalid(join(path, "ring "+strconv.Itoa(a)),
					"lies inside ring %d; holes may not nest", b)
				return true
			}
		}
		return false
	})
	return err
}

// checkParts rejects MultiPolygon parts whose interiors overlap without
// their edges crossing: one part wholly inside another.
func checkParts(polys []orb.Polygon, polyPath func(int) string) error {
	bounds := make([]orb.Bound, len(polys))
	order := make([]int, len(polys))
	for i, p := range polys {
		bounds[i] = p[0].Bound()
		order[i] = i
	}
	var err error
	sweepBounds(bounds, order, func(i, j int) bool {
		for _, pair := range [2][2]int{{i, j}, {j, i}} {
			a, b := pair[0], pair[1]
			if p, ok := vertexOffBoundary(polys[a][0], func(v orb.Point) location {
				return locateInPolygon(polys[b], v)
			}); ok && p == inside {
				err = invalid(polyPath(a), "lies inside polygon %d; parts of a MultiPolygon may not overlap", b)
				return true
			}
		}
		return false
	})
	return err
}

// side tells whether ring r lies inside or outside ring other, judging by
// its first vertex that is not on other's boundary; boundary if it has
// none.
func side(r, other orb.Ring, ob, rb orb.Bound) location {
	if !ob.Intersects(rb) {
		return outside
	}
	loc, ok := vertexOffBoundary(r, func(v orb.Point) location { return locateInRing(other, v) })
	if !ok {
		return boundary
	}
	return loc
}

func vertexOffBoundary(r orb.Ring, locate func(orb.Point) location) (location, bool) {
	for _, v := range r {
		if loc := locate(v); loc != boundary {
			return loc, true
		}
	}
	return boundary, false
}

// sweepBounds calls fn for each pair of the indexed boxes that overlap,
// sorted by their west edge so that many small holes or parts are not
// compared all against all.
func sweepBounds(bounds []orb.Bound, idx []int, fn func(i, j int) bool) {
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case bounds[a].Min[0] < bounds[b].Min[0]:
			return -1
		case bounds[a].Min[0] > bounds[b].Min[0]:
			return 1
		}
		return a - b
	})
	for x, i := range idx {
		for _, j := range idx[x+1:] {
			if bounds[j].Min[0] > bounds[i].Max[0] {
				break
			}
			if bounds[i].Intersects(bounds[j]) && fn(i, j) {
				return
			}
		}
	}
}
