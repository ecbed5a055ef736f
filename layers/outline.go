package layers

import (
	"sync"

	"github.com/paulmach/orb"
)

// The outlines of a tile of areas are drawn here without a copy of them
// or any allocation per feature: each ring is clipped to the tile's
// buffered box in scratch buffers, projected onto the tile's grid,
// cleaned, wound and written as drawing commands straight away. The
// result is the one tileGeometry and encodeGeometry give (pinned by
// TestOutlineCommandsAsTileGeometry), at a fraction of their cost: a
// tile of statistical areas at zoom 10 has a few outlines of a few
// hundred positions each, nearly all of them crossing its edges.

// tileScratch is what one tile is drawn and encoded in, pooled across
// requests.
type tileScratch struct {
	enc layerEncoder
	// in and out are the clipping passes' rings, one written from the
	// other.
	in, out []orb.Point
	// rings are the current polygon's rings on the grid, cleaned, one
	// after the other; ends marks where each ends.
	rings []orb.Point
	ends  []int
	// props are a feature's properties, its id first.
	props []prop
	// body is the encoded tile.
	body []byte
}

var tileScratches = sync.Pool{New: func() any { return new(tileScratch) }}

// outlineCommands appends to w the drawing commands of g, a Polygon or
// MultiPolygon in WGS 84, as the tile with the
// buffered box bound and projection proj shows it; ok is false for other
// geometries, which go through tileGeometry. Polygons left with nothing
// (outside the box, or smaller than the grid) are left out.
func (s *tileScratch) outlineCommands(w *geomWriter, g orb.Geometry, bound orb.Bound, proj tileProjection) (ok bool) {
	// A polygon wholly outside the box is found by its exterior's first
	// look (clipRing), so the outline's own box is not needed.
	switch g := g.(type) {
	case orb.Polygon:
		s.polygon(w, g, bound, proj)
	case orb.MultiPolygon:
		for _, p := range g {
			s.polygon(w, p, bound, proj)
		}
	default:
		return false
	}
	return true
}

// polygon writes one polygon, as clip.Polygon, cleanPolygon and
// windForTile leave it: its exterior clipped away or too small takes the
// holes with it; a hole clipped away or too small goes alone.
func (s *tileScratch) polygon(w *geomWriter, p orb.Polygon, bound orb.Bound, proj tileProjection) {
	s.rings, s.ends = s.rings[:0], s.ends[:0]
	for i, r := range p {
		if !s.ring(r, bound, proj) {
			if i == 0 {
				return
			}
			continue
		}
		// Exteriors have a positive area on the grid (y down), holes a
		// negative one.
		start := 0
		if len(s.ends) > 0 {
			start = s.ends[len(s.ends)-1]
		}
		if (i == 0) != (s.area2(start) > 0) {
			reverse(s.rings[start:])
		}
		s.ends = append(s.ends, len(s.rings))
	}
	start := 0
	for _, end := range s.ends {
		w.ring(s.rings[start:end])
		start = end
	}
}

// ring clips r to bound as clip.Ring does, projects what is left onto the
// grid and appends it to s.rings as cleanPolygon keeps a ring: without
// repeated positions, closed, of three corners or more and at least one
// cell of area. false means nothing of it is kept.
func (s *tileScratch) ring(r orb.Ring, bound orb.Bound, proj tileProjection) bool {
	in := clipRing(s, r, bound)
	if len(in) == 0 {
		return false
	}
	start := len(s.rings)
	for _, p := range in {
		q := proj.point(p)
		if len(s.rings) > start && s.rings[len(s.rings)-1] == q {
			continue
		}
		s.rings = append(s.rings, q)
	}
	if n := len(s.rings); s.rings[start] != s.rings[n-1] {
		s.rings = append(s.rings, s.rings[start])
	}
	// Under 1 is less than one cell of the grid; positions on the grid
	// are integers, so the area is exact.
	if len(s.rings)-start < 4 || abs(s.area2(start)) < 2 {
		s.rings = s.rings[:start]
		return false
	}
	return true
}

// area2 is twice the signed area of the closed ring at s.rings[start:],
// positive as planar.Area is.
func (s *tileScratch) area2(start int) float64 {
	r := s.rings[start:]
	a := 0.0
	for i := 1; i < len(r)-1; i++ {
		a += (r[i][0]-r[0][0])*(r[i+1][1]-r[0][1]) - (r[i+1][0]-r[0][0])*(r[i][1]-r[0][1])
	}
	return a
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func reverse(ps []orb.Point) {
	for i, j := 0, len(ps)-1; i < j; i, j = i+1, j-1 {
		ps[i], ps[j] = ps[j], ps[i]
	}
}

// clipRing is orb's clip.Ring (Sutherland–Hodgman, one pass for each
// edge of the box: west, east, south, north) in s's buffers, leaving r
// alone: the same positions, computed the same way. A pass with no
// position beyond its edge would copy the ring as it is, and is skipped;
// a ring wholly inside the box is returned as it is, and one wholly
// beyond an edge is nil at once, as orb's clip.Geometry has it. nil means
// nothing is left.
func clipRing(s *tileScratch, r orb.Ring, box orb.Bound) []orb.Point {
	if len(r) == 0 {
		return nil
	}
	// One look at every position first: a ring wholly beyond one edge
	// is gone, one wholly inside is kept as it is, and the passes that
	// matter are known.
	codes, all := 0, 15
	for _, p := range r {
		c := bitCode(box, p)
		codes, all = codes|c, all&c
	}
	if all != 0 {
		return nil
	}
	if codes == 0 {
		return r
	}
	initClosed := r[0] == r[len(r)-1]
	in := []orb.Point(r)
	owned := false // whether in is s.in rather than r
	for edge := 1; edge <= 8; edge <<= 1 {
		// The positions a pass adds lie on the segments it cut, so
		// within the box's other edges but for rounding: after a pass,
		// the next ones look again.
		if owned && !beyond(in, box, edge) || !owned && codes&edge == 0 {
			continue
		}
		// s.out is never in: in is r or s.in.
		out := s.out[:0]
		prev := in[len(in)-1]
		if !initClosed {
			prev = in[0]
		}
		prevInside := !outside(box, edge, prev)
		for _, p := range in {
			inside := !outside(box, edge, p)
			if inside != prevInside {
				out = append(out, intersect(box, edge, prev, p))
			}
			if inside {
				out = append(out, p)
			}
			prev, prevInside = p, inside
		}
		if len(out) == 0 {
			return nil
		}
		// What this pass wrote is the next one's input; the buffer it
		// read from, if it was one of s's, the next one's output.
		s.in, s.out = out, s.in
		in, owned = out, true
	}
	if owned && initClosed && in[0] != in[len(in)-1] {
		in = append(in, in[0])
		s.in = in
	}
	return in
}

// beyond tells whether a position of ps lies beyond the box's edge.
func beyond(ps []orb.Point, box orb.Bound, edge int) bool {
	for _, p := range ps {
		if outside(box, edge, p) {
			return true
		}
	}
	return false
}

// outside is bitCode(box, p)&edge != 0 for one edge, the one test a
// pass needs. A position beyond the east edge is never beyond the west
// one in a box, so the east test need not rule that out as bitCode's
// does.
func outside(box orb.Bound, edge int, p orb.Point) bool {
	switch edge {
	case 1:
		return p[0] < box.Min[0]
	case 2:
		return p[0] > box.Max[0]
	case 4:
		return p[1] < box.Min[1]
	}
	return p[1] > box.Max[1]
}

// bitCode and intersect are orb's clip: where p lies about the box, and
// where a segment crosses one of its edges.
func bitCode(b orb.Bound, p orb.Point) int {
	code := 0
	if p[0] < b.Min[0] {
		code |= 1
	} else if p[0] > b.Max[0] {
		code |= 2
	}
	if p[1] < b.Min[1] {
		code |= 4
	} else if p[1] > b.Max[1] {
		code |= 8
	}
	return code
}

func intersect(box orb.Bound, edge int, a, b orb.Point) orb.Point {
	switch {
	case edge&8 != 0:
		return orb.Point{a[0] + (b[0]-a[0])*(box.Max[1]-a[1])/(b[1]-a[1]), box.Max[1]}
	case edge&4 != 0:
		return orb.Point{a[0] + (b[0]-a[0])*(box.Min[1]-a[1])/(b[1]-a[1]), box.Min[1]}
	case edge&2 != 0:
		return orb.Point{box.Max[0], a[1] + (b[1]-a[1])*(box.Max[0]-a[0])/(b[0]-a[0])}
	}
	return orb.Point{box.Min[0], a[1] + (b[1]-a[1])*(box.Min[0]-a[0])/(b[0]-a[0])}
}
