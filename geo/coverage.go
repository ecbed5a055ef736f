package geo

import (
	"math"
	"slices"
	"sync"
	"unsafe"

	"github.com/paulmach/orb"
)

// Coverage is a set of polygonal geometries that tile a region, such as a
// country's statistical areas or its municipalities, prepared to be
// simplified together so that neighbours keep their common border.
//
// Simplified one by one, two neighbours each drop different vertices of
// the border they share, and the two lines part: slivers open between
// them and they overlap elsewhere (884 km² of overlap over Sweden's
// municipalities at a 1 km tolerance). A Coverage simplifies each border
// once, as mapshaper, TopoJSON and PostGIS's ST_CoverageSimplify do: the
// rings are split into arcs at their nodes, the vertices where the
// neighbour on the other side changes (three or more rings meet, or a
// shared stretch ends); each arc is simplified once with Douglas–Peucker,
// its end nodes fixed, with distances in metres as Simplify measures
// them; and every ring is put back together from its simplified arcs, so
// a border is the same line in both neighbours. A ring that shares no
// node (an island, or a hole filled by one neighbour) is one closed arc,
// simplified as Simplify simplifies a ring, to no less than a triangle.
//
// Neighbours are recognised by their shared vertices: a border must have
// the same vertices on both sides, as a coverage cut from one dataset
// has. A vertex of one ring lying on an edge of another without being a
// vertex of it is not a node, and the two sides of that border are
// simplified apart.
//
// The rings come back with RFC 7946 winding (exterior rings
// counter-clockwise, holes clockwise), as Simplify gives them.
//
// Simplification never makes a geometry invalid: where the simplified
// arcs of a geometry do not make a valid one (a ring collapsed, arcs
// crossing), its arcs are kept as given, in it and in every neighbour
// that shares them, until every geometry is valid. A geometry that is
// not valid as given comes back with its vertices as given.
//
// A Coverage is safe for concurrent use. It keeps the Douglas–Peucker
// runs of its arcs, so it is simplified at many tolerances for the cost
// of about one.
type Coverage struct {
	mu sync.Mutex
	// shape is per geometry what it was given as: shapeRing, shapePolygon
	// or shapeMulti, or 0 for one that is not polygonal, kept in others.
	// The polygonal ones are kept only as arcs, each shared border once,
	// in less memory than they were given in.
	shape  []byte
	others map[int]orb.Geometry
	// parts holds per geometry its polygons as rings of arc uses; nil
	// for a geometry that is not polygonal.
	parts [][][]covRing
	arcs  []*covArc
}

const (
	shapeRing byte = 1 + iota
	shapePolygon
	shapeMulti
)

// covRing is a ring as the arcs it runs along, in order.
type covRing []arcUse

// arcUse is an arc in a ring, backwards when rev.
type arcUse struct {
	arc int
	rev bool
}

// covArc is a stretch of border between two nodes, or a whole ring with
// none (closed).
type covArc struct {
	pts    []orb.Point // from node to node; closed: the ring's corners, first repeated at the end
	closed bool
	lat    float64 // the middle latitude of its box, for a tolerance per zoom
	dp     *dpRun
	ring   *ringVersions
}

// NewCoverage finds the arcs of gs. Members that are not a Polygon,
// MultiPolygon or Ring are left out of it and come back unchanged; one
// that is not valid comes back from Simplify with its vertices as given,
// since its check finds it invalid even with its arcs as given.
func NewCoverage(gs []orb.Geometry) *Coverage {
	c := &Coverage{shape: make([]byte, len(gs)), others: map[int]orb.Geometry{}, parts: make([][][]covRing, len(gs))}
	polys := make([][]orb.Polygon, len(gs))
	for i, g := range gs {
		var ps []orb.Polygon
		switch g := g.(type) {
		case orb.Ring:
			ps, c.shape[i] = []orb.Polygon{{g}}, shapeRing
		case orb.Polygon:
			ps, c.shape[i] = []orb.Polygon{g}, shapePolygon
		case orb.MultiPolygon:
			ps, c.shape[i] = g, shapeMulti
		default:
			c.others[i] = g
			continue
		}
		polys[i] = ps
	}
	// A node is a vertex where the neighbours along the rings through it
	// differ: every pass through a vertex has a pair of neighbouring
	// vertices, and two rings along one border pass through it with the
	// same pair, one each way.
	type pass struct {
		a, b orb.Point
		node bool
	}
	seen := map[orb.Point]*pass{}
	note := func(p, a, b orb.Point) {
		if b[0] < a[0] || (b[0] == a[0] && b[1] < a[1]) {
			a, b = b, a
		}
		if s, ok := seen[p]; !ok {
			seen[p] = &pass{a: a, b: b}
		} else if s.a != a || s.b != b {
			s.node = true
		} else {
			// The same pair a second time is the neighbour's pass; a
			// third would be a border of three rings, which a coverage
			// has not.
		}
	}
	rings := make([][][][]orb.Point, len(gs))
	for i, ps := range polys {
		rings[i] = make([][][]orb.Point, len(ps))
		for j, p := range ps {
			rings[i][j] = make([][]orb.Point, len(p))
			for k, r := range p {
				cs := corners(r)
				rings[i][j][k] = cs
				m := len(cs)
				for v := range m {
					note(cs[v], cs[(v+m-1)%m], cs[(v+1)%m])
				}
			}
		}
	}
	isNode := func(p orb.Point) bool { return seen[p].node }
	byKey := map[arcKey][]int{}
	for i, ps := range rings {
		if ps == nil {
			continue
		}
		c.parts[i] = make([][]covRing, len(ps))
		for j, p := range ps {
			c.parts[i][j] = make([]covRing, len(p))
			for k, cs := range p {
				c.parts[i][j][k] = c.ringArcs(cs, isNode, byKey)
			}
		}
	}
	return c
}

// arcKey narrows the search for an arc seen before: its canonical ends,
// second position and length.
type arcKey struct {
	a, b, z orb.Point
	n       int
}

func less(p, q orb.Point) bool { return p[0] < q[0] || (p[0] == q[0] && p[1] < q[1]) }

// ringArcs splits a ring's corners at its nodes and finds or adds each
// arc.
func (c *Coverage) ringArcs(cs []orb.Point, isNode func(orb.Point) bool, byKey map[arcKey][]int) covRing {
	m := len(cs)
	start := -1
	for v := range m {
		if isNode(cs[v]) {
			start = v
			break
		}
	}
	if start < 0 {
		// No node: the ring is one closed arc, turned to start at its
		// lowest corner and to run towards the lower of its neighbours.
		lo := 0
		for v := range m {
			if less(cs[v], cs[lo]) {
				lo = v
			}
		}
		rev := less(cs[(lo+m-1)%m], cs[(lo+1)%m])
		pts := make([]orb.Point, 0, m+1)
		for v := range m {
			if rev {
				pts = append(pts, cs[(lo-v+m)%m])
			} else {
				pts = append(pts, cs[(lo+v)%m])
			}
		}
		pts = append(pts, pts[0])
		return covRing{{arc: c.findArc(pts, true, byKey), rev: rev}}
	}
	var out covRing
	pts := []orb.Point{cs[start]}
	for v := 1; v <= m; v++ {
		p := cs[(start+v)%m]
		pts = append(pts, p)
		if v == m || isNode(p) {
			// Canonical direction: the lower end first, and between
			// equal ends (an arc from a node back to it) the lower second
			// position.
			n := len(pts)
			rev := less(pts[n-1], pts[0]) || (pts[n-1] == pts[0] && less(pts[n-2], pts[1]))
			if rev {
				r := make([]orb.Point, n)
				for i := range pts {
					r[n-1-i] = pts[i]
				}
				out = append(out, arcUse{arc: c.findArc(r, false, byKey), rev: true})
			} else {
				out = append(out, arcUse{arc: c.findArc(pts, false, byKey)})
			}
			pts = []orb.Point{p}
		}
	}
	return out
}

func (c *Coverage) findArc(pts []orb.Point, closed bool, byKey map[arcKey][]int) int {
	k := arcKey{a: pts[0], b: pts[1], z: pts[len(pts)-1], n: len(pts)}
	for _, id := range byKey[k] {
		if slices.Equal(c.arcs[id].pts, pts) {
			return id
		}
	}
	b := pointsBound(pts)
	a := &covArc{pts: pts, closed: closed, lat: (b.Min[1] + b.Max[1]) / 2}
	c.arcs = append(c.arcs, a)
	byKey[k] = append(byKey[k], len(c.arcs)-1)
	return len(c.arcs) - 1
}

// Arcs is the number of distinct arcs: a border shared by two rings is
// one.
func (c *Coverage) Arcs() int { return len(c.arcs) }

// Bytes is about the memory the coverage holds: its arcs' positions and
// the rings that list them, not counting the Douglas–Peucker runs, which
// grow as it is simplified (some three times the positions of the arcs
// simplified so far).
func (c *Coverage) Bytes() int {
	n := 64 * len(c.shape)
	for _, a := range c.arcs {
		n += 64 + int(unsafe.Sizeof(orb.Point{}))*len(a.pts)
	}
	for _, ps := range c.parts {
		for _, p := range ps {
			for _, r := range p {
				n += 32 + 16*len(r)
			}
		}
	}
	return n
}

// Simplify returns the coverage with detail smaller than toleranceMeters
// removed from every border, once per border; the geometries come in the
// order given, each of its own type.
func (c *Coverage) Simplify(toleranceMeters float64) []orb.Geometry {
	return c.simplify(func(float64) float64 { return toleranceMeters })
}

// SimplifyForZoom is Simplify with the tolerance of a pixel at a web map
// zoom (ToleranceForZoom), taken at each border's own latitude.
func (c *Coverage) SimplifyForZoom(zoom float64) []orb.Geometry {
	return c.simplify(func(lat float64) float64 { return ToleranceForZoom(zoom, lat) })
}

// SimplifyCoverage is NewCoverage(gs).Simplify(toleranceMeters).
func SimplifyCoverage(gs []orb.Geometry, toleranceMeters float64) []orb.Geometry {
	return NewCoverage(gs).Simplify(toleranceMeters)
}

func (c *Coverage) simplify(tolerance func(lat float64) float64) []orb.Geometry {
	c.mu.Lock()
	defer c.mu.Unlock()
	arcs := make([][]orb.Point, len(c.arcs))
	for i, a := range c.arcs {
		if t := tolerance(a.lat); t > 0 {
			arcs[i] = a.simplified(t)
		} else {
			arcs[i] = a.pts
		}
	}
	// Which geometries use each arc, to rebuild the neighbours of a
	// geometry whose arcs go back to their given form.
	users := make([][]int, len(c.arcs))
	for i, ps := range c.parts {
		for _, p := range ps {
			for _, r := range p {
				for _, u := range r {
					if n := len(users[u.arc]); n == 0 || users[u.arc][n-1] != i {
						users[u.arc] = append(users[u.arc], i)
					}
				}
			}
		}
	}
	out := make([]orb.Geometry, len(c.shape))
	check := make([]int, 0, len(c.shape))
	for i := range c.shape {
		check = append(check, i)
	}
	for len(check) > 0 {
		var again []int
		queued := map[int]bool{}
		for _, i := range check {
			if c.parts[i] == nil {
				out[i] = cloneGeometry(c.others[i])
				continue
			}
			g := c.assemble(i, arcs)
			if Validate(g, Options{MaxVertices: -1}) == nil {
				out[i] = g
				continue
			}
			// Put back this geometry's simplified arcs as given, and
			// look again at it and at everything that shares them.
			for _, p := range c.parts[i] {
				for _, r := range p {
					for _, u := range r {
						if &arcs[u.arc][0] == &c.arcs[u.arc].pts[0] {
							continue
						}
						arcs[u.arc] = c.arcs[u.arc].pts
						for _, j := range users[u.arc] {
							if !queued[j] {
								queued[j] = true
								again = append(again, j)
							}
						}
					}
				}
			}
			if !queued[i] {
				// Every arc was as given already: the geometry was not
				// valid as given, and comes back so.
				out[i] = g
			}
		}
		check = again
	}
	return out
}

// simplified is the arc at tolerance t: Douglas–Peucker with its ends
// kept, or for a closed arc, as Simplify does a ring.
func (a *covArc) simplified(t float64) []orb.Point {
	if a.closed {
		if a.ring == nil {
			a.ring = newRingVersions(orb.Ring(a.pts), t)
		}
		a.ring.tol = t
		return a.ring.at(0)
	}
	n := len(a.pts) - 1
	if n < 2 {
		return a.pts
	}
	if a.dp == nil {
		a.dp = newDPRun(toMposAll(a.pts))
		// An arc from a node back to it would shrink to a point.
		a.dp.add(0, n, a.pts[0] == a.pts[n])
		a.dp.imp[0], a.dp.imp[n] = math.Inf(1), math.Inf(1)
	}
	a.dp.deepen(t)
	out := make([]orb.Point, 0, 8)
	for i, p := range a.pts {
		if kept(a.dp.imp[i], t) {
			out = append(out, p)
		}
	}
	return out
}

// assemble builds geometry i from the arcs.
func (c *Coverage) assemble(i int, arcs [][]orb.Point) orb.Geometry {
	polys := make([]orb.Polygon, len(c.parts[i]))
	for j, p := range c.parts[i] {
		poly := make(orb.Polygon, len(p))
		for k, r := range p {
			poly[k] = ringOf(r, arcs)
		}
		// RFC 7946 winding, as Simplify gives: turning a ring round
		// leaves its borders where they are.
		orientPolygon(poly)
		polys[j] = poly
	}
	switch c.shape[i] {
	case shapeRing:
		return polys[0][0]
	case shapePolygon:
		return polys[0]
	}
	return orb.MultiPolygon(polys)
}

func ringOf(r covRing, arcs [][]orb.Point) orb.Ring {
	n := 1
	for _, u := range r {
		n += len(arcs[u.arc]) - 1
	}
	out := make(orb.Ring, 0, n)
	for _, u := range r {
		pts := arcs[u.arc]
		if u.rev {
			for i := len(pts) - 1; i > 0; i-- {
				out = append(out, pts[i])
			}
		} else {
			out = append(out, pts[:len(pts)-1]...)
		}
	}
	return append(out, out[0])
}
