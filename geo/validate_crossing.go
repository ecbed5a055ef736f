package geo

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
)

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
