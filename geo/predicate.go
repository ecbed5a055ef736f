package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Covers reports whether g covers p as PostGIS ST_Covers does on
// geometry(…, 4326): planar, in degrees, boundary included. A point on an
// edge or vertex of a polygon, or on the edge of one of its holes, is
// covered; a point strictly inside a hole is not. Lines cover the points on
// them, points cover equal points, a Collection covers what any member
// covers.
//
// Polygons are tested with the arithmetic of PostGIS's own point-in-polygon
// code, reproduced step for step, so points exactly on axis-aligned edges,
// on vertices and on sloped edges where the float64 side determinant is
// zero are covered, as they are there. Lines and collections, which
// PostGIS hands to GEOS, are tested with exact orientation.
//
// orb/planar.PolygonContains is no substitute: it treats a point on a
// hole's edge as outside.
func Covers(g orb.Geometry, p orb.Point) bool {
	if !Finite(p) {
		return false
	}
	return covers(g, p, true)
}

// covers is Covers; pip selects PostGIS's point-in-polygon arithmetic over
// exact orientation for areas.
func covers(g orb.Geometry, p orb.Point, pip bool) bool {
	switch g := g.(type) {
	case orb.Point:
		return g == p
	case orb.MultiPoint:
		for _, q := range g {
			if q == p {
				return true
			}
		}
	case orb.LineString:
		return lineCovers(g, p)
	case orb.MultiLineString:
		for _, l := range g {
			if lineCovers(l, p) {
				return true
			}
		}
	case orb.Ring:
		return polygonCovers(orb.Polygon{g}, p, pip)
	case orb.Polygon:
		return polygonCovers(g, p, pip)
	case orb.MultiPolygon:
		for _, poly := range g {
			if polygonCovers(poly, p, pip) {
				return true
			}
		}
	case orb.Bound:
		return !g.IsEmpty() && g.Contains(p)
	case orb.Collection:
		for _, m := range g {
			if covers(m, p, false) {
				return true
			}
		}
	}
	return false
}

// polygonCovers is the point-in-polygon test behind a test of the shell's
// box, as PostGIS has it. The box is not a mere shortcut: for points
// beyond it the test itself can answer otherwise (a rounded side
// determinant of 0, a skipped tiny edge, an unclosed ring), and PostGIS
// answers by the box. A pass of its own over the shell for the box,
// though, took longer than the test, so the walk over the shell notes on
// its way whether it saw the point within the vertices' extent, and only
// a point found covered that the walk could not place in the box, which a
// well-formed ring never gives, pays for the box.
func polygonCovers(poly orb.Polygon, p orb.Point, pip bool) bool {
	if len(poly) == 0 || len(poly[0]) == 0 {
		return false
	}
	var loc location
	var spanned bool
	if pip {
		if loc, spanned = pipLocateRingSpan(poly[0], p); loc == inside {
			loc = pipLocateHoles(poly[1:], p)
		}
	} else {
		if loc, spanned = locateInRingSpan(poly[0], p); loc == inside {
			loc = locateInHoles(poly[1:], p)
		}
	}
	if loc == outside {
		return false
	}
	return spanned || poly[0].Bound().Contains(p)
}

func lineCovers(l orb.LineString, p orb.Point) bool {
	if len(l) == 1 {
		return l[0] == p
	}
	for i := 0; i+1 < len(l); i++ {
		if onSegment(p, l[i], l[i+1]) {
			return true
		}
	}
	return false
}

// parts is a geometry taken apart into what Intersects reasons about:
// isolated points, open lines and areas.
type parts struct {
	points []orb.Point
	lines  []orb.LineString
	polys  []orb.Polygon
}

func (ps *parts) add(g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		ps.points = append(ps.points, g)
	case orb.MultiPoint:
		ps.points = append(ps.points, g...)
	case orb.LineString:
		ps.addLine(g)
	case orb.MultiLineString:
		for _, l := range g {
			ps.addLine(l)
		}
	case orb.Ring:
		ps.addPolygon(orb.Polygon{g})
	case orb.Polygon:
		ps.addPolygon(g)
	case orb.MultiPolygon:
		for _, p := range g {
			ps.addPolygon(p)
		}
	case orb.Bound:
		if !g.IsEmpty() {
			ps.addPolygon(g.ToPolygon())
		}
	case orb.Collection:
		for _, m := range g {
			ps.add(m)
		}
	}
}

func (ps *parts) addLine(l orb.LineString) {
	switch len(l) {
	case 0:
	case 1:
		ps.points = append(ps.points, l[0])
	default:
		ps.lines = append(ps.lines, l)
	}
}

func (ps *parts) addPolygon(p orb.Polygon) {
	if len(p) > 0 && len(p[0]) > 0 {
		ps.polys = append(ps.polys, p)
	}
}

func (ps *parts) empty() bool {
	return len(ps.points) == 0 && len(ps.lines) == 0 && len(ps.polys) == 0
}

func (ps *parts) bound() orb.Bound {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, p := range ps.points {
		b = b.Extend(p)
	}
	for _, l := range ps.lines {
		b = b.Union(pointsBound(l))
	}
	for _, p := range ps.polys {
		b = b.Union(pointsBound(p[0]))
	}
	return b
}

// pointsBound is orb's MultiPoint Bound in one pass of plain comparisons,
// several times faster; with a coordinate that is not finite, where
// orb's way of extending a box gives its own answers, it is orb's.
func pointsBound[S ~[]orb.Point](ps S) orb.Bound {
	if len(ps) == 0 {
		return orb.MultiPoint(ps).Bound()
	}
	lo, hi := ps[0], ps[0]
	z := 0.0
	for _, p := range ps {
		// x*0 is 0 for finite x, NaN otherwise, and NaN stays in the sum.
		z += p[0]*0 + p[1]*0
		if p[0] < lo[0] {
			lo[0] = p[0]
		} else if p[0] > hi[0] {
			hi[0] = p[0]
		}
		if p[1] < lo[1] {
			lo[1] = p[1]
		} else if p[1] > hi[1] {
			hi[1] = p[1]
		}
	}
	if z != 0 {
		return orb.MultiPoint(ps).Bound()
	}
	return orb.Bound{Min: lo, Max: hi}
}

// covers is Covers over the parts.
func (ps *parts) covers(p orb.Point, pip bool) bool {
	for _, q := range ps.points {
		if q == p {
			return true
		}
	}
	for _, l := range ps.lines {
		if lineCovers(l, p) {
			return true
		}
	}
	return ps.areaCovers(p, pip)
}

func (ps *parts) areaCovers(p orb.Point, pip bool) bool {
	for _, poly := range ps.polys {
		if polygonCovers(poly, p, pip) {
			return true
		}
	}
	return false
}

// segments appends the edges of every line and ring that reach into
// clip, tagged with set. Edges outside the other geometry's box cannot
// meet it, and dropping them spares sorting a large area's whole boundary
// to test it against a small box.
func (ps *parts) segments(segs []segment, set int, clip orb.Bound) []segment {
	add := func(a, b orb.Point) {
		if max(a[0], b[0]) < clip.Min[0] || min(a[0], b[0]) > clip.Max[0] ||
			max(a[1], b[1]) < clip.Min[1] || min(a[1], b[1]) > clip.Max[1] {
			return
		}
		segs = append(segs, segment{a: a, b: b, set: set, k: len(segs)})
	}
	for _, l := range ps.lines {
		for i := 0; i+1 < len(l); i++ {
			add(l[i], l[i+1])
		}
	}
	for _, poly := range ps.polys {
		for _, r := range poly {
			for i := range r {
				j := i + 1
				if j == len(r) {
					// An unclosed ring still has its closing edge.
					if r[0] == r[i] {
						break
					}
					j = 0
				}
				add(r[i], r[j])
			}
		}
	}
	return segs
}

// Intersects reports whether a and b share at least one point, touching
// included, as PostGIS ST_Intersects does on geometry(…, 4326). Any mix of
// Point, MultiPoint, LineString, MultiLineString, Ring, Polygon,
// MultiPolygon, Bound and Collection works; nil and empty geometries
// intersect nothing.
//
// Two shapes meet when a point of one is covered by the other, when two of
// their edges meet, or, failing both, when one lies wholly inside an area
// of the other, which one vertex of each part tells. Edges are compared
// with exact orientation, as GEOS does; a Point or MultiPoint against a
// Polygon, MultiPolygon, Ring or Bound uses PostGIS's own point-in-polygon
// arithmetic, as PostGIS does (see Covers).
func Intersects(a, b orb.Geometry) bool {
	var pa, pb parts
	pa.add(a)
	pb.add(b)
	if pa.empty() || pb.empty() {
		return false
	}
	ba, bb := pa.bound(), pb.bound()
	if !ba.Intersects(bb) {
		return false
	}
	// PostGIS answers a point against a polygon with its own
	// point-in-polygon code and everything else with GEOS.
	pip := puntal(a) && areal(b) || areal(a) && puntal(b)
	for _, p := range pa.points {
		if pb.covers(p, pip) {
			return true
		}
	}
	for _, p := range pb.points {
		if pa.covers(p, pip) {
			return true
		}
	}
	segs := pb.segments(pa.segments(nil, 0, bb), 1, ba)
	met := false
	sweep(segs, 0, func(s, t *segment) bool {
		if s.set == t.set {
			return false
		}
		c, _ := intersectSegments(s.a, s.b, t.a, t.b)
		met = c != apart
		return met
	})
	if met {
		return true
	}
	return firstVertexInside(&pa, &pb) || firstVertexInside(&pb, &pa)
}

func puntal(g orb.Geometry) bool {
	switch g.(type) {
	case orb.Point, orb.MultiPoint:
		return true
	}
	return false
}

func areal(g orb.Geometry) bool {
	switch g.(type) {
	case orb.Ring, orb.Polygon, orb.MultiPolygon, orb.Bound:
		return true
	}
	return false
}

// firstVertexInside reports whether a line or area of pa lies inside an
// area of pb; with no edges meeting, its first vertex decides.
func firstVertexInside(pa, pb *parts) bool {
	if len(pb.polys) == 0 {
		return false
	}
	for _, l := range pa.lines {
		if pb.areaCovers(l[0], false) {
			return true
		}
	}
	for _, p := range pa.polys {
		if pb.areaCovers(p[0][0], false) {
			return true
		}
	}
	return false
}
