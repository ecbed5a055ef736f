package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"
)

// DefaultMaxVertices is the vertex cap Validate applies when
// Options.MaxVertices is zero: far above the outline of any district or
// priority area, and low enough that one request cannot make the server
// sweep millions of segments.
const DefaultMaxVertices = 100_000

// Options tunes Validate for one kind of input.
type Options struct {
	// MaxVertices caps the number of positions in the whole geometry.
	// Zero means DefaultMaxVertices; a negative value means no cap, for
	// trusted bulk imports.
	MaxVertices int
	// Allowed lists the GeoJSON type names accepted ("Polygon",
	// "MultiPolygon", …); nil accepts every type. Members of a
	// GeometryCollection must be allowed too. orb.Ring and orb.Bound count
	// as "Polygon", as they are written as one.
	Allowed []string
}

// ValidationError says which part of a geometry is wrong and why. Its
// message is meant for the person who sent the geometry, so it names the
// part the way they would find it in their GeoJSON.
type ValidationError struct {
	// Reason completes a sentence whose subject is Path, starting with a
	// verb: "is not closed: …", "intersects itself near …".
	Reason string
	// Path names the offending part, e.g. "polygon 1, ring 0" or
	// "position 5 of ring 0"; empty for the geometry as a whole. Polygons,
	// rings, lines, points and positions count from 0 as in the GeoJSON
	// arrays.
	Path string
}

// Error joins Path and Reason into one sentence.
func (e *ValidationError) Error() string {
	subject := e.Path
	if subject == "" {
		subject = "geometry"
	}
	return "geo: " + subject + " " + e.Reason
}

func invalid(path, format string, args ...any) *ValidationError {
	return &ValidationError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks a geometry that came from outside (a client or a file)
// before it is stored or used in a query: present and non-empty, of an
// allowed type, within the vertex cap, with finite coordinates in WGS 84
// range; for areas, closed and simple rings, holes inside their shell and
// not inside each other, MultiPolygon parts that do not overlap, and an
// interior in one piece. Rings may touch one another at single points, as
// OGC Simple Features allow, but not pass through each other there or
// touch in a loop that cuts the interior apart. Repeated consecutive
// positions are tolerated. It returns nil or a *ValidationError.
//
// Topology is decided in exact arithmetic, as GEOS decides it for
// PostGIS's ST_IsValid; testdata/postgis holds thousands of awkward shapes
// on which the two agree, so what one backend accepts the other can store.
// Self-intersection is found by a sweep that is O(n log n) for real
// boundaries; a shape built so that the boxes of most edges overlap is
// refused as too intricate instead of being checked for minutes.
func Validate(g orb.Geometry, opt Options) error {
	if g == nil {
		return invalid("", "is missing")
	}
	if err := checkAllowed(g, "", opt.Allowed); err != nil {
		return err
	}
	limit := opt.MaxVertices
	if limit == 0 {
		limit = DefaultMaxVertices
	}
	if n := CountVertices(g); limit > 0 && n > limit {
		return invalid("", "has %d vertices; the limit is %d", n, limit)
	}
	if isEmpty(g) {
		return invalid("", "is an empty %s", g.GeoJSONType())
	}
	return validate(g, "")
}

func checkAllowed(g orb.Geometry, path string, allowed []string) error {
	if allowed == nil || g == nil {
		return nil
	}
	t := g.GeoJSONType()
	if !slices.Contains(allowed, t) {
		return invalid(path, "is a %s; allowed here: %s", t, strings.Join(allowed, ", "))
	}
	if c, ok := g.(orb.Collection); ok {
		for i, m := range c {
			if err := checkAllowed(m, join(path, "geometry "+strconv.Itoa(i)), allowed); err != nil {
				return err
			}
		}
	}
	return nil
}

// CountVertices counts the positions of g, closing positions of rings
// included, as the vertex cap of Validate counts them.
func CountVertices(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.MultiLineString:
		n := 0
		for _, l := range g {
			n += len(l)
		}
		return n
	case orb.Ring:
		return len(g)
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += CountVertices(p)
		}
		return n
	case orb.Bound:
		return 5
	case orb.Collection:
		n := 0
		for _, m := range g {
			n += CountVertices(m)
		}
		return n
	}
	return 0
}

func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.MultiPoint:
		return len(g) == 0
	case orb.LineString:
		return len(g) == 0
	case orb.MultiLineString:
		return len(g) == 0
	case orb.Ring:
		return len(g) == 0
	case orb.Polygon:
		return len(g) == 0
	case orb.MultiPolygon:
		return len(g) == 0
	case orb.Collection:
		return len(g) == 0
	}
	return false
}

func validate(g orb.Geometry, path string) error {
	switch g := g.(type) {
	case nil:
		return invalid(path, "is missing")
	case orb.Point:
		return checkPosition(g, path)
	case orb.MultiPoint:
		if len(g) == 0 {
			return invalid(path, "is an empty MultiPoint")
		}
		for i, p := range g {
			if !inRange(p) {
				return checkPosition(p, join(path, "point "+strconv.Itoa(i)))
			}
		}
		return nil
	case orb.LineString:
		return checkLine(g, path)
	case orb.MultiLineString:
		if len(g) == 0 {
			return invalid(path, "is an empty MultiLineString")
		}
		for i, l := range g {
			if err := checkLine(l, join(path, "line "+strconv.Itoa(i))); err != nil {
				return err
			}
		}
		return nil
	case orb.Ring:
		return checkPolygons([]orb.Polygon{{g}}, path, false)
	case orb.Polygon:
		return checkPolygons([]orb.Polygon{g}, path, false)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return invalid(path, "is an empty MultiPolygon")
		}
		return checkPolygons(g, path, true)
	case orb.Bound:
		if err := checkPosition(g.Min, join(path, "lower corner")); err != nil {
			return err
		}
		if err := checkPosition(g.Max, join(path, "upper corner")); err != nil {
			return err
		}
		if g.Min[0] >= g.Max[0] || g.Min[1] >= g.Max[1] {
			return invalid(path, "is a box with no area: lower corner %s, upper corner %s",
				fmtPoint(g.Min), fmtPoint(g.Max))
		}
		return nil
	case orb.Collection:
		if len(g) == 0 {
			return invalid(path, "is an empty GeometryCollection")
		}
		for i, m := range g {
			if err := validate(m, join(path, "geometry "+strconv.Itoa(i))); err != nil {
				return err
			}
		}
		return nil
	}
	return invalid(path, "has unsupported type %T", g)
}

// inRange reports whether checkPosition accepts p, without a path to
// name it by: NaN fails every comparison and an infinity the range.
func inRange(p orb.Point) bool {
	return p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}

func checkPosition(p orb.Point, path string) error {
	if err := checkCoord("longitude", p[0], 180, path); err != nil {
		return err
	}
	return checkCoord("latitude", p[1], 90, path)
}

func checkCoord(name string, v, limit float64, path string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return invalid(path, "has a %s that is not a finite number (%v)", name, v)
	}
	if v < -limit || v > limit {
		return invalid(path, "has %s %s, which is out of range [%g, %g]", name, fmtNum(v), -limit, limit)
	}
	return nil
}

func checkLine(l orb.LineString, path string) error {
	for i, p := range l {
		if !inRange(p) {
			return checkPosition(p, positionPath(i, path))
		}
	}
	if len(l) < 2 {
		return invalid(path, "has %s; a line needs at least 2", plural(len(l), "position"))
	}
	for _, p := range l[1:] {
		if p != l[0] {
			return nil
		}
	}
	return invalid(path, "has no length: all its positions are %s", fmtPoint(l[0]))
}

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

// sweepBudget caps the box comparisons Validate spends on one geometry.
// Real boundaries need a few per edge; only shapes built to defeat the
// sweep (thousands of long parallel edges whose boxes all overlap) come
// near it, and they are refused rather than allowed to hold a request for
// minutes.
const sweepBudget = 20_000_000

// maxProblems stops the search for the most telling problem in a
// hopelessly tangled geometry.
const maxProblems = 1000

// maxTouches bounds the points where rings touch that Validate will
// examine; real areas have a handful.
const maxTouches = 100_000

// checkCrossings finds forbidden contacts between ring edges: in one
// ring, any contact of non-adjacent edges and any overlap of adjacent ones
// (a spike); between rings, a crossing, a shared stretch of edge, or a
// touch at a point where one ring passes through to the other side.
// Rings may otherwise touch at points, as long as the touches do not cut a
// polygon's interior apart. Of several problems it reports a spike first,
// as a spike also makes its neighbours touch, and otherwise the one
// earliest in the input, so the message does not depend on the order of
// the sweep.
func checkCrossings(segs []segment, refs []ringRef, polyPath func(int) string) error {
	type problem struct {
		rank [5]int // kind, then rings and edges in input order
		c    contact
		i, j segment
		at   orb.Point
	}
	var best *problem
	found := 0
	note := func(kind int, c contact, i, j *segment, at orb.Point) {
		p := &problem{rank: [5]int{kind, i.set, i.orig, j.set, j.orig}, c: c, i: *i, j: *j, at: at}
		if best == nil || slices.Compare(p.rank[:], best.rank[:]) < 0 {
			best = p
		}
		found++
	}
	type touching struct {
		i, j segment
		at   orb.Point
	}
	var touches []touching
	complete := sweep(segs, sweepBudget, func(s, t *segment) bool {
		c, at := intersectSegments(s.a, s.b, t.a, t.b)
		if c == apart {
			return false
		}
		i, j := s, t
		if i.set > j.set || (i.set == j.set && i.k > j.k) {
			i, j = j, i
		}
		switch {
		case i.set != j.set && c == touch:
			touches = append(touches, touching{*i, *j, at})
			return len(touches) >= maxTouches
		case i.set != j.set:
			note(1, c, i, j, at)
		case j.k-i.k == 1 || (i.k == 0 && j.k == refs[i.set].n-1):
			if c == overlap {
				note(0, c, i, j, at)
			}
		default:
			note(1, c, i, j, at)
		}
		return found >= maxProblems
	})
	switch {
	case best != nil:
	case !complete:
		return invalid("", "is too intricate to check for self-intersection: "+
			"too many of its edges lie side by side; simplify it or split it into parts")
	case len(touches) >= maxTouches:
		return invalid("", "has too many points where rings touch to check; simplify it")
	}
	for _, tc := range touches {
		if passesThrough(refs, &tc.i, &tc.j, tc.at) {
			note(1, cross, &tc.i, &tc.j, tc.at)
		}
	}
	if best == nil {
		rt := make([]ringTouch, len(touches))
		for i, tc := range touches {
			rt[i] = ringTouch{tc.i.set, tc.j.set, tc.at}
		}
		return checkTouchCycles(refs, rt, polyPath)
	}
	i, j, near := best.i, best.j, fmtNear(best.at)
	a, b := refs[i.set], refs[j.set]
	switch {
	case best.rank[0] == 0:
		return invalid(a.path(polyPath), "doubles back on itself near %s (segments %d and %d)", near, i.orig, j.orig)
	case i.set == j.set:
		return invalid(a.path(polyPath), "intersects itself near %s (segments %d and %d)", near, i.orig, j.orig)
	}
	verb := "crosses"
	if best.c == overlap {
		verb = "shares an edge with"
	}
	if a.poly == b.poly {
		return invalid(a.path(polyPath), "%s ring %d near %s (segments %d and %d)", verb, b.ring, near, i.orig, j.orig)
	}
	return invalid(polyPath(a.poly), "%s polygon %d near %s", verb, b.poly, near)
}

// ringTouch is a point where two rings of one polygon meet.
type ringTouch struct {
	a, b int // ring sets
	at   orb.Point
}

// around returns the ring's neighbours of point x on edge s: the corners
// before and after x, or the ends of s when x lies inside it.
func around(ref ringRef, s *segment, x orb.Point) (prev, next orb.Point) {
	n := ref.n
	switch x {
	case s.a:
		return ref.corners[(s.k+n-1)%n], s.b
	case s.b:
		return s.a, ref.corners[(s.k+2)%n]
	}
	return s.a, s.b
}

// passesThrough reports whether, at a point x where edges s and t of two
// rings touch, the ring of s goes from one side of the ring of t to the
// other: its corners before and after x lie in different angular sectors
// between t's ring's corners before and after x. Corners on those rays
// mean shared edges, which the sweep reports as overlaps.
func passesThrough(refs []ringRef, s, t *segment, x orb.Point) bool {
	sp, sn := around(refs[s.set], s, x)
	tp, tn := around(refs[t.set], t, x)
	a, okA := inSector(x, tp, tn, sp)
	b, okB := inSector(x, tp, tn, sn)
	return okA && okB && a != b
}

// inSector reports whether p lies strictly inside the angle swept
// counter-clockwise from ray o→a to ray o→b. ok is false when p lies on
// either ray, where the question has no answer.
func inSector(o, a, b, p orb.Point) (in, ok bool) {
	if onRay(o, a, p) || onRay(o, b, p) {
		return false, false
	}
	oap, opb := orient(o, a, p), orient(o, p, b)
	switch orient(o, a, b) {
	case 1:
		return oap > 0 && opb > 0, true
	case -1:
		return oap > 0 || opb > 0, true
	}
	if onRay(o, a, b) {
		// One ray twice: a spike, reported elsewhere.
		return false, false
	}
	return oap > 0, true
}

// onRay reports whether p lies on the ray from o through r, exactly: on
// the line, the signs of the coordinate differences, which float64 keeps
// exactly, tell the direction.
func onRay(o, r, p orb.Point) bool {
	return orient(o, r, p) == 0 &&
		sign(r[0]-o[0]) == sign(p[0]-o[0]) && sign(r[1]-o[1]) == sign(p[1]-o[1])
}

// checkTouchCycles rejects rings of one polygon that touch each other in a
// cycle, such as a hole meeting its shell at two points: they enclose a
// piece of the interior and cut it off from the rest, which OGC and
// PostGIS call a disconnected interior. Rings and touching points form a
// graph; a cycle in it is the fault.
func checkTouchCycles(refs []ringRef, touches []ringTouch, polyPath func(int) string) error {
	// Union-find over rings (ids 0…len(refs)-1) and touching points (ids
	// from len(refs) on).
	parent := make([]int, len(refs))
	for i := range parent {
		parent[i] = i
	}
	var find func(x int) int
	find = func(x int) int {
		if parent[x] != x {
			parent[x] = find(parent[x])
		}
		return parent[x]
	}
	type pointKey struct {
		poly int
		at   orb.Point
	}
	points := map[pointKey]int{}
	type link struct{ ring, point int }
	seen := map[link]bool{}
	// Sorting makes the reported ring the one earliest in the input.
	slices.SortFunc(touches, func(x, y ringTouch) int {
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		if c := cmp.Compare(x.b, y.b); c != 0 {
			return c
		}
		if c := cmp.Compare(x.at[0], y.at[0]); c != 0 {
			return c
		}
		return cmp.Compare(x.at[1], y.at[1])
	})
	for _, tc := range touches {
		a, b := refs[tc.a], refs[tc.b]
		if a.poly != b.poly {
			continue
		}
		key := pointKey{a.poly, tc.at}
		p, ok := points[key]
		if !ok {
			p = len(parent)
			parent = append(parent, p)
			points[key] = p
		}
		for _, r := range [2]int{tc.a, tc.b} {
			if seen[link{r, p}] {
				continue
			}
			seen[link{r, p}] = true
			rr, rp := find(r), find(p)
			if rr == rp {
				other := b.ring
				if r == tc.b {
					other = a.ring
				}
				return invalid(refs[r].path(polyPath), "touches ring %d near %s, closing a loop of touching rings "+
					"that cuts off part of the polygon's interior", other, fmtNear(tc.at))
			}
			parent[rr] = rp
		}
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
