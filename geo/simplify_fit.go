package geo

import "github.com/paulmach/orb"

// fitRing is one ring on its way to a valid result: its versions run from
// the most reduced (level 0) to the ring as given (level last).
type fitRing struct {
	at    func(level int) orb.Ring
	last  int
	level int
	cur   orb.Ring
	bad   bool
}

func (r *fitRing) original() bool { return r.level >= r.last }

// settle moves to the first version, from the current level on, that is a
// valid ring by itself.
func (r *fitRing) settle() {
	for {
		r.cur = r.at(r.level)
		if r.original() || checkPolygons([]orb.Polygon{{r.cur}}, "", false) == nil {
			return
		}
		r.level++
	}
}

// blame marks the ring for a finer version, unless it is already the ring
// as given, which cannot be improved on.
func (r *fitRing) blame() {
	if !r.original() {
		r.bad = true
	}
}

// fitPart is one polygon of the result: its rings, shell first, the holes
// left out of it, and whether the part itself is left out.
type fitPart struct {
	rings   []*fitRing
	dropped []orb.Ring
	gone    bool
}

func (p *fitPart) polygon() orb.Polygon {
	poly := make(orb.Polygon, len(p.rings))
	for i, r := range p.rings {
		poly[i] = r.cur
	}
	return poly
}

// fit picks for each ring the most reduced version that keeps the whole
// geometry valid. Each ring starts at its most reduced valid version;
// rings that meet other rings, or end up on the wrong side of them, move
// to finer versions until nothing is wrong. As each round moves at least
// one ring one level finer, it ends; at worst with every ring as given,
// which is valid when the input was. Validate then confirms the result,
// so that an oversight here costs detail, never validity. fit reports
// false when even the input's rings do not make a valid geometry.
func fit(parts []*fitPart, multi bool) ([]orb.Polygon, bool) {
	for _, p := range parts {
		for _, r := range p.rings {
			r.settle()
		}
	}
	if len(parts) == 1 && len(parts[0].rings) == 1 {
		// A lone ring has nothing to conflict with, and settle has
		// already validated any version short of the ring as given.
		r := parts[0].rings[0]
		if r.original() && checkPolygons([]orb.Polygon{{r.cur}}, "", false) != nil {
			return nil, false
		}
		return []orb.Polygon{orientedCopy(orb.Polygon{r.cur})}, true
	}
	for {
		if !findConflicts(parts) {
			out := make([]orb.Polygon, 0, len(parts))
			for _, p := range parts {
				if !p.gone {
					out = append(out, orientedCopy(p.polygon()))
				}
			}
			var g orb.Geometry = orb.MultiPolygon(out)
			if !multi {
				g = out[0]
			}
			if Validate(g, Options{MaxVertices: -1}) == nil {
				return out, true
			}
			refined := false
			for _, p := range parts {
				for _, r := range p.rings {
					r.blame()
					refined = refined || r.bad
				}
			}
			if !refined {
				return nil, false
			}
		}
		for _, p := range parts {
			for _, r := range p.rings {
				if r.bad {
					r.bad = false
					r.level++
					r.settle()
				}
			}
		}
	}
}

func orientedCopy(poly orb.Polygon) orb.Polygon {
	out := poly.Clone()
	orientPolygon(out)
	return out
}

// findConflicts marks the rings that must be made finer, or drops island
// parts, and reports whether it did either. Contacts between two rings
// as given were in the input and are left alone; any other contact
// between rings is a conflict, even a touch that Validate would allow,
// since a touch among reduced rings may close a loop or pass through.
// Containment is only judged once no edges meet.
func findConflicts(parts []*fitPart) bool {
	var rings []*fitRing
	var segs []segment
	for _, p := range parts {
		if p.gone {
			continue
		}
		for _, r := range p.rings {
			set := len(rings)
			rings = append(rings, r)
			for i := 0; i+1 < len(r.cur); i++ {
				if r.cur[i] != r.cur[i+1] {
					segs = append(segs, segment{a: r.cur[i], b: r.cur[i+1], set: set, k: i})
				}
			}
		}
	}
	settled := func(r *fitRing) bool { return r.bad || r.original() }
	found := false
	complete := sweep(segs, sweepBudget, func(s, t *segment) bool {
		rs, rt := rings[s.set], rings[t.set]
		if s.set == t.set || settled(rs) && settled(rt) {
			return false
		}
		if c, _ := intersectSegments(s.a, s.b, t.a, t.b); c != apart {
			rs.blame()
			rt.blame()
			found = true
		}
		return false
	})
	if !complete {
		for _, r := range rings {
			r.blame()
			found = found || r.bad
		}
	}
	if found {
		return true
	}
	return findMisplaced(parts)
}

// findMisplaced finds rings that no longer lie where they did: a hole
// outside its shell or inside another hole, a part inside another part.
// Edges do not meet (findConflicts ran), so one vertex of a ring off the
// other's boundary tells on which side the whole ring lies.
func findMisplaced(parts []*fitPart) bool {
	found := false
	blame := func(rs ...*fitRing) {
		for _, r := range rs {
			if !r.original() {
				r.bad, found = true, true
			}
		}
	}
	var live []int
	var shellBounds []orb.Bound
	for pi, p := range parts {
		shellBounds = append(shellBounds, p.rings[0].cur.Bound())
		if p.gone {
			continue
		}
		live = append(live, pi)
		shell := p.rings[0]
		bounds := make([]orb.Bound, len(p.rings))
		order := make([]int, 0, len(p.rings)-1)
		for i, h := range p.rings[1:] {
			bounds[i+1] = h.cur.Bound()
			order = append(order, i+1)
			if side(h.cur, shell.cur, shellBounds[pi], bounds[i+1]) != inside {
				blame(h, shell)
			}
		}
		sweepBounds(bounds, order, func(i, j int) bool {
			a, b := p.rings[i], p.rings[j]
			if side(a.cur, b.cur, bounds[j], bounds[i]) == inside || side(b.cur, a.cur, bounds[i], bounds[j]) == inside {
				blame(a, b)
			}
			return false
		})
	}
	sweepBounds(shellBounds, live, func(i, j int) bool {
		for _, pair := range [2][2]int{{i, j}, {j, i}} {
			a, b := parts[pair[0]], parts[pair[1]]
			if a.gone || b.gone {
				continue
			}
			poly := b.polygon()
			var at orb.Point
			loc, ok := vertexOffBoundary(a.rings[0].cur, func(v orb.Point) location {
				at = v
				return locateInPolygon(poly, v)
			})
			if !ok || loc != inside {
				continue
			}
			if inAny(b.dropped, at) {
				// An island in a lake too small to show goes with the
				// lake; the land around it covers it.
				a.gone, found = true, true
				continue
			}
			blame(a.rings[0])
			blame(b.rings...)
		}
		return false
	})
	return found
}

func inAny(rings []orb.Ring, p orb.Point) bool {
	for _, r := range rings {
		if locateInRing(r, p) == inside {
			return true
		}
	}
	return false
}
