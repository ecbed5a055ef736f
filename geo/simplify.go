package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// metresPerDegree is the length of a degree of latitude, and of longitude
// on the equator, as web maps count it (WGS 84's a·π/180 ≈ 111319.5 m). A
// tolerance only has to be right to a fraction of a percent, and this is
// the figure the zoom levels of ToleranceForZoom are built on.
const metresPerDegree = 111320.0

// mercatorMetresPerPixel is the ground size of one pixel of a 256-pixel
// web-mercator tile at zoom 0 on the equator: 2π·6378137 m / 256.
const mercatorMetresPerPixel = 156543.03392

// maxHalvings is how often Simplify halves the tolerance for a ring whose
// simplified form is invalid before it falls back to the ring as given.
// After ten halvings the tolerance is a thousandth of the one asked for,
// and what remains to be saved is not worth a deeper search.
const maxHalvings = 10

// ToleranceForZoom is the ground size in metres of one pixel of a 256-pixel
// web-mercator tile at the given zoom and latitude, 156543.03392·cos φ / 2^z:
// detail smaller than this is invisible on a map at that zoom, so it is the
// tolerance to pass to Simplify. At zoom 11 over Borås (57.7° N) it is
// about 41 m.
func ToleranceForZoom(zoom, lat float64) float64 {
	return mercatorMetresPerPixel * math.Cos(rad(lat)) / math.Exp2(zoom)
}

// Simplify returns a copy of g with detail smaller than toleranceMeters
// removed, for drawing an area at a zoom where that detail cannot be seen
// (see ToleranceForZoom). It is Douglas–Peucker run per ring, with
// distances in metres measured at each vertex's own latitude (a metre is
// 1/111320 of a degree of latitude and 1/(111320·cos φ) of longitude), so
// the tolerance means the same east–west as north–south; kept positions
// are positions of the input, never moved.
//
// For valid Polygons and MultiPolygons the result is valid by Validate,
// with RFC 7946 winding (exterior rings counter-clockwise, holes
// clockwise):
//
//   - A ring whose simplified form is invalid, alone or against the other
//     rings, is simplified again with half the tolerance, up to ten
//     times, and then kept as given.
//   - A hole that shrinks below tolerance² square metres is dropped, as is
//     a MultiPolygon part whose exterior ring does, and an island part
//     that then lies in a dropped hole of another part.
//   - The result is never empty: when every part would go, the largest
//     (by GeodesicArea) stays, without holes, reduced to as few as three
//     of its corners, so that a small area still shows where it is.
//
// LineStrings and MultiLineStrings are simplified the same way, keeping
// their end points; a closed line keeps at least one more position.
// Points, MultiPoints and Bounds come back unchanged; the members of a
// Collection are simplified one by one. A toleranceMeters that is not
// positive returns an unchanged copy, and so does an invalid polygonal
// input for which no valid simplification exists.
func Simplify(g orb.Geometry, toleranceMeters float64) orb.Geometry {
	if !(toleranceMeters > 0) || g == nil {
		return cloneGeometry(g)
	}
	t := toleranceMeters
	switch g := g.(type) {
	case orb.LineString:
		return simplifyLine(g, t)
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = simplifyLine(l, t)
		}
		return out
	case orb.Ring, orb.Polygon, orb.MultiPolygon:
		if out, ok := reshapePolygonal(g, func(ps []orb.Polygon, multi bool) ([]orb.Polygon, bool) {
			return simplifyPolygons(ps, t, multi)
		}); ok {
			return out
		}
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, m := range g {
			out[i] = Simplify(m, t)
		}
		return out
	}
	return cloneGeometry(g)
}

// reshapePolygonal applies f, which reshapes polygons together (as the
// parts of one multipolygon when multi), to a Ring, Polygon or
// MultiPolygon and gives back the same type; ok is f's: false when no
// valid reshaping exists, or g is of another type.
func reshapePolygonal(g orb.Geometry, f func(polys []orb.Polygon, multi bool) ([]orb.Polygon, bool)) (orb.Geometry, bool) {
	switch g := g.(type) {
	case orb.Ring:
		if out, ok := f([]orb.Polygon{{g}}, false); ok {
			return out[0][0], true
		}
	case orb.Polygon:
		if out, ok := f([]orb.Polygon{g}, false); ok {
			return out[0], true
		}
	case orb.MultiPolygon:
		if out, ok := f(g, true); ok {
			return orb.MultiPolygon(out), true
		}
	}
	return nil, false
}

// cloneGeometry is orb.Clone keeping the type of a nil Polygon or other
// nil slice, which orb.Clone turns into a nil Geometry.
func cloneGeometry(g orb.Geometry) orb.Geometry {
	if c := orb.Clone(g); c != nil {
		return c
	}
	return g
}

// finitePolygons reports whether every coordinate of polys is a finite
// number; Simplify and Round leave alone what is not, as nothing sensible
// can be measured on it.
func finitePolygons(polys []orb.Polygon) bool {
	for _, poly := range polys {
		if !polygonFinite(poly) {
			return false
		}
	}
	return true
}

func distinctPositions(pts []orb.Point) int {
	n := 0
	for i, p := range pts {
		if i == 0 || p != pts[i-1] {
			n++
		}
	}
	return n
}

// mpos is a position in metres along the meridian and the equator
// (degrees times metresPerDegree) with the cosine of its latitude, which
// scales east–west distances near it.
type mpos struct{ x, y, c float64 }

func toMpos(p orb.Point) mpos {
	return mpos{p[0] * metresPerDegree, p[1] * metresPerDegree, math.Cos(rad(p[1]))}
}

func toMposAll(pts []orb.Point) []mpos {
	out := make([]mpos, len(pts))
	for i, p := range pts {
		out[i] = toMpos(p)
	}
	return out
}

// segDist2 is the squared distance in metres from p to the segment a–b,
// measured in the plane tangent to the globe at p: the segment is
// straight in degrees, as it is drawn and validated, and a degree of
// longitude is as long as it is at p's latitude. So the tolerance holds at
// every vertex, east–west as north–south, even in a ring that spans
// several degrees of latitude, where one scale for the whole ring would be
// off by several percent at its ends.
func (p mpos) segDist2(a, b mpos) float64 {
	dx, dy := (b.x-a.x)*p.c, b.y-a.y
	px, py := (p.x-a.x)*p.c, p.y-a.y
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t := (px*dx + py*dy) / l2
		if t > 1 {
			t = 1
		} else if t < 0 {
			t = 0
		}
		px, py = px-t*dx, py-t*dy
	}
	return px*px + py*py
}

// dist2 is the squared distance in metres from p to q, in the plane
// tangent at p.
func (p mpos) dist2(q mpos) float64 { return p.segDist2(q, q) }

// dpSpan is a stretch of a chain still to be split: its ends and the
// importance its split may have at most, that of the split that made it.
type dpSpan struct {
	lo, hi int
	cap    float64
}

// dpRun is Douglas–Peucker over a chain that records for each position
// its importance: the smallest split distance on its path of splits. So
// simplifying with tolerance t keeps exactly the positions whose
// importance exceeds t, and one run serves every tolerance. It splits
// only as deep as the finest tolerance asked for so far and keeps the
// rest for later, as most rings are needed at one tolerance only.
// Distances are to the segment, not its line, so a chain that doubles
// back past an end is not cut short.
type dpRun struct {
	pts     []mpos
	imp     []float64 // by position in pts; 0 where not yet split
	pending []dpSpan
	floor   float64 // splits of importance above it are done
}

func newDPRun(pts []mpos) *dpRun {
	return &dpRun{pts: pts, imp: make([]float64, len(pts)), floor: math.Inf(1)}
}

// add queues the stretch lo..hi. With force its first split is kept
// whatever the tolerance, and what lies on either side is simplified
// against it.
func (d *dpRun) add(lo, hi int, force bool) {
	if k, e := d.split(lo, hi, math.Inf(1)); k >= 0 && force {
		d.imp[k] = math.Inf(1)
		d.pending = append(d.pending, dpSpan{lo, k, math.Inf(1)}, dpSpan{k, hi, math.Inf(1)})
	} else if k >= 0 {
		d.pending = append(d.pending, dpSpan{lo, k, e}, dpSpan{k, hi, e})
	}
	d.floor = math.Inf(1)
}

// split finds the position of lo..hi farthest from the segment joining
// them and records its importance; -1 if there is none.
func (d *dpRun) split(lo, hi int, limit float64) (int, float64) {
	if hi-lo < 2 {
		return -1, 0
	}
	a, b := d.pts[lo], d.pts[hi]
	k, best := -1, -1.0
	for i := lo + 1; i < hi; i++ {
		if dd := d.pts[i].segDist2(a, b); dd > best {
			k, best = i, dd
		}
	}
	e := math.Min(math.Sqrt(best), limit)
	d.imp[k] = e
	return k, e
}

// deepen splits until every position of importance above t has it.
func (d *dpRun) deepen(t float64) {
	if t >= d.floor {
		return
	}
	var later []dpSpan
	for len(d.pending) > 0 {
		s := d.pending[len(d.pending)-1]
		d.pending = d.pending[:len(d.pending)-1]
		if s.cap <= t {
			later = append(later, s)
			continue
		}
		if k, e := d.split(s.lo, s.hi, s.cap); k >= 0 {
			d.pending = append(d.pending, dpSpan{s.lo, k, e}, dpSpan{k, s.hi, e})
		}
	}
	d.pending, d.floor = later, t
}

// corners returns the positions of r without repeats and without the
// closing position: each corner once.
func corners(r orb.Ring) []orb.Point {
	out := make([]orb.Point, 0, len(r))
	for _, p := range r {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

// ringVersions holds what Simplify needs to produce a ring at any of its
// tolerances: the corners and a Douglas–Peucker run over them, which
// starts at corner a and goes once round.
type ringVersions struct {
	orig    orb.Ring
	corners []orb.Point
	dp      *dpRun
	a       int
	tol     float64
}

// kept reports whether a position of importance imp survives tolerance t.
// Anchors, of infinite importance, survive even an infinite tolerance.
func kept(imp, t float64) bool { return imp > t || math.IsInf(imp, 1) }

func newRingVersions(r orb.Ring, tol float64) *ringVersions {
	rv := &ringVersions{orig: r, corners: corners(r), tol: tol}
	m := len(rv.corners)
	if m < 3 {
		return rv
	}
	// Anchor on the lowest-leftmost corner, a true corner of any ring,
	// and the corner farthest from it; the two chains between them are
	// simplified as lines. The farther of their first splits becomes a
	// third anchor, so every version is at least a triangle.
	for i, p := range rv.corners {
		q := rv.corners[rv.a]
		if p[0] < q[0] || (p[0] == q[0] && p[1] < q[1]) {
			rv.a = i
		}
	}
	rot := make([]mpos, m+1)
	for i := range m {
		rot[i] = toMpos(rv.corners[(rv.a+i)%m])
	}
	rot[m] = rot[0]
	b, far := 0, -1.0
	for i := 1; i < m; i++ {
		if d := rot[0].dist2(rot[i]); d > far {
			b, far = i, d
		}
	}
	rv.dp = newDPRun(rot)
	first := farthestFrom(rot, 0, b) >= farthestFrom(rot, b, m)
	rv.dp.add(0, b, first)
	rv.dp.add(b, m, !first)
	rv.dp.imp[0], rv.dp.imp[b] = math.Inf(1), math.Inf(1)
	return rv
}

// farthestFrom is the largest squared distance of a position strictly
// between lo and hi from the segment joining them; -1 if there is none.
func farthestFrom(pts []mpos, lo, hi int) float64 {
	best := -1.0
	for i := lo + 1; i < hi; i++ {
		best = math.Max(best, pts[i].segDist2(pts[lo], pts[hi]))
	}
	return best
}

// keep lists the corners, by index, that tolerance t keeps, in the order
// of the ring as given.
func (rv *ringVersions) keep(t float64) []int {
	rv.dp.deepen(t)
	m := len(rv.corners)
	var out []int
	for j := range m {
		if kept(rv.dp.imp[(j-rv.a+m)%m], t) {
			out = append(out, j)
		}
	}
	return out
}

// at returns the ring simplified with the tolerance halved level times;
// past maxHalvings, or for a ring too degenerate to simplify, the ring as
// given.
func (rv *ringVersions) at(level int) orb.Ring {
	if level > maxHalvings || rv.dp == nil {
		return rv.orig
	}
	idx := rv.keep(rv.tol / math.Exp2(float64(level)))
	out := make(orb.Ring, 0, len(idx)+1)
	for _, j := range idx {
		out = append(out, rv.corners[j])
	}
	return append(out, out[0])
}

// collapses reports whether the ring at full tolerance encloses less than
// tolerance² square metres, too little to be seen. The area is taken in
// the sinusoidal projection, which keeps areas, centred on the first
// corner kept.
func (rv *ringVersions) collapses() bool {
	if rv.dp == nil {
		return true
	}
	idx := rv.keep(rv.tol)
	o := toMpos(rv.corners[idx[0]])
	var sum float64
	for i, j := range idx {
		p, q := toMpos(rv.corners[j]), toMpos(rv.corners[idx[(i+1)%len(idx)]])
		sum += (p.x-o.x)*p.c*(q.y-o.y) - (q.x-o.x)*q.c*(p.y-o.y)
	}
	return math.Abs(sum)/2 < rv.tol*rv.tol
}

func (rv *ringVersions) fitRing() *fitRing {
	return &fitRing{at: rv.at, last: maxHalvings + 1}
}

func simplifyLine(l orb.LineString, t float64) orb.LineString {
	pts := make([]orb.Point, 0, len(l))
	for _, p := range l {
		if len(pts) == 0 || pts[len(pts)-1] != p {
			pts = append(pts, p)
		}
	}
	switch {
	case len(pts) < 2 || !allFinite(pts):
		return l.Clone()
	case len(pts) == 2:
		return orb.LineString(pts)
	}
	n := len(pts) - 1
	dp := newDPRun(toMposAll(pts))
	// A closed line would otherwise shrink to its start twice over, with
	// no length at all.
	dp.add(0, n, pts[0] == pts[n])
	dp.imp[0], dp.imp[n] = math.Inf(1), math.Inf(1)
	dp.deepen(t)
	out := make(orb.LineString, 0, 16)
	for i, p := range pts {
		if kept(dp.imp[i], t) {
			out = append(out, p)
		}
	}
	return out
}

func simplifyPolygons(polys []orb.Polygon, t float64, multi bool) ([]orb.Polygon, bool) {
	if len(polys) == 0 || !finitePolygons(polys) {
		return nil, false
	}
	parts := make([]*fitPart, len(polys))
	kept := 0
	for i, poly := range polys {
		if len(poly) == 0 {
			return nil, false
		}
		p := &fitPart{}
		shell := newRingVersions(poly[0], t)
		p.rings = append(p.rings, shell.fitRing())
		for _, h := range poly[1:] {
			hv := newRingVersions(h, t)
			if hv.collapses() {
				p.dropped = append(p.dropped, h)
				continue
			}
			p.rings = append(p.rings, hv.fitRing())
		}
		if shell.collapses() {
			p.gone = true
		} else {
			kept++
		}
		parts[i] = p
	}
	if kept == 0 {
		largest, largestArea := 0, -1.0
		for i, poly := range polys {
			if a := ringArea(poly[0]); a > largestArea {
				largest, largestArea = i, a
			}
		}
		p := parts[largest]
		p.gone = false
		p.dropped = append(p.dropped, polys[largest][1:]...)
		p.rings = p.rings[:1]
	}
	return fit(parts, multi)
}
