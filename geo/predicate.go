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
	if !finite(p) {
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

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
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

// DistanceToGeometry is the distance in metres from p to g on the sphere
// of radius EarthRadius, as PostGIS computes
// ST_Distance(g::geography, p::geography, false): the shortest distance to
// any point, line or ring edge of g, with edges taken as great-circle
// arcs, or zero when an area of g contains p. It is +Inf for nil or empty g
// and NaN when p is not finite.
//
// Containment is judged on the sphere, as PostGIS judges it for
// geography: an edge's great circle bows poleward of the straight line
// between its ends in degrees, by up to a few metres for an edge several
// kilometres long, and a point in that sliver is inside for one and
// outside for the other. So near an edge the side of its great circle
// decides, and elsewhere the planar test, which agrees there. Hence a
// point that Covers places on the boundary can lie a few centimetres
// away, exactly as ST_Covers and ST_Distance disagree in PostGIS.
//
// The result agrees with PostGIS to well under a millimetre for distances
// below 50 km.
func DistanceToGeometry(p orb.Point, g orb.Geometry) float64 {
	if !finite(p) {
		return math.NaN()
	}
	var ps parts
	ps.add(g)
	if ps.empty() {
		return math.Inf(1)
	}
	pv := unitVector(p)
	best := math.Inf(1)
	for _, q := range ps.points {
		best = math.Min(best, Distance(p, q))
	}
	for _, l := range ps.lines {
		f, _ := nearestArc(p, pv, l, arcFoot{dist: best})
		best = f.dist
	}
	for _, poly := range ps.polys {
		d, in := polygonDistance(p, pv, poly)
		if in {
			return 0
		}
		best = math.Min(best, d)
	}
	return best
}

// polygonDistance is the distance from p to the boundary of poly and
// whether poly contains p on the sphere.
func polygonDistance(p orb.Point, pv vec3, poly orb.Polygon) (float64, bool) {
	near := arcFoot{dist: math.Inf(1)}
	nearRing := -1
	for ri, r := range poly {
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r[:len(r):len(r)], r[0])
		}
		if f, ok := nearestArc(p, pv, r, near); ok {
			near, nearRing = f, ri
		}
	}
	if near.dist == 0 {
		return 0, true
	}
	if near.onArc && near.side != 0 {
		// With RFC 7946 winding the area lies left of every ring; a ring
		// wound the other way has it on the right.
		w := ringWinding(poly[nearRing])
		if w != 0 {
			left := (w > 0) == (nearRing == 0)
			return near.dist, (near.side > 0) == left
		}
	}
	return near.dist, pipLocatePolygon(poly, p) != outside
}

type vec3 [3]float64

func (a vec3) dot(b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func (a vec3) cross(b vec3) vec3 {
	return vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func (a vec3) norm() float64 { return math.Sqrt(a.dot(a)) }

func unitVector(p orb.Point) vec3 {
	lon, lat := rad(p[0]), rad(p[1])
	return vec3{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

// nearestArc returns the arc of the line through pts nearest to p if it
// is nearer than best. A cheap lower bound skips most arcs: no point of an
// arc of length L from a to b is nearer to p than (|pa| + |pb| - L) / 2.
func nearestArc(p orb.Point, pv vec3, pts []orb.Point, best arcFoot) (arcFoot, bool) {
	if len(pts) == 1 {
		if d := Distance(p, pts[0]); d < best.dist {
			return arcFoot{dist: d}, true
		}
		return best, false
	}
	found := false
	var prev vec3
	var prevAngle float64
	for i, q := range pts {
		v := unitVector(q)
		angle := angleBetween(pv, v)
		if i > 0 {
			bound := EarthRadius * (prevAngle + angle - angleBetween(prev, v)) / 2
			// The margin keeps rounding in the bound from skipping an arc
			// that is in fact nearer.
			if bound < best.dist*(1+1e-9)+1e-6 {
				if f := arcDistance(p, pv, pts[i-1], q); f.dist < best.dist {
					best, found = f, true
				}
			}
		}
		prev, prevAngle = v, angle
	}
	return best, found
}

// angleBetween is the angle between unit vectors, accurate for small and
// large angles alike.
func angleBetween(a, b vec3) float64 {
	return math.Atan2(a.cross(b).norm(), a.dot(b))
}

// arcFoot describes where a point lies relative to a great-circle arc.
type arcFoot struct {
	dist  float64 // metres to the nearest point of the arc
	onArc bool    // the nearest point lies inside the arc, not at an end
	side  float64 // > 0 left of the arc's great circle, < 0 right
}

// arcDistance measures from p (pv its unit vector) to the great-circle arc
// from a to b: the cross-track distance when the foot of the perpendicular
// falls on the arc, else the distance to the nearer end. This is
// PostGIS's edge_distance_to_point.
func arcDistance(p orb.Point, pv vec3, a, b orb.Point) arcFoot {
	ends := arcFoot{dist: math.Min(Distance(p, a), Distance(p, b))}
	if a == b {
		return ends
	}
	n := edgeNormal(a, b)
	l := n.norm()
	if l == 0 || math.IsNaN(l) {
		// Antipodal or coincident ends span no single great circle.
		return ends
	}
	n = vec3{n[0] / l, n[1] / l, n[2] / l}
	// The foot lies on the arc when it is on b's side of a and on a's
	// side of b, measured along the great circle.
	av, bv := unitVector(a), unitVector(b)
	if n.cross(av).dot(pv) < 0 || bv.cross(n).dot(pv) < 0 {
		return ends
	}
	s := pv.dot(n)
	d := EarthRadius * math.Asin(math.Min(1, math.Abs(s)))
	if d >= ends.dist {
		return ends
	}
	return arcFoot{dist: d, onArc: true, side: s}
}

// edgeNormal is a×b for the unit vectors of a and b, computed from
// half-sums and half-differences of the angles rather than by subtracting
// nearly equal vector components. For a 10 m edge the plain cross product
// loses ten of its sixteen digits, which would tilt the great circle by
// about half a millimetre at the far end; this form keeps full relative
// precision. It is the robust cross product PostGIS uses.
func edgeNormal(a, b orb.Point) vec3 {
	// Differences are taken in degrees, where nearby values subtract
	// exactly, and only then scaled.
	dlon := rad(b[0] - a[0])
	sinLatDiff := math.Sin(rad(a[1] - b[1]))
	sinLatSum := math.Sin(rad(a[1] + b[1]))
	sinLonSum, cosLonSum := math.Sincos(rad(a[0]+b[0]) / -2)
	sinLonDiff, cosLonDiff := math.Sincos(dlon / 2)
	return vec3{
		sinLatDiff*sinLonSum*cosLonDiff - sinLatSum*cosLonSum*sinLonDiff,
		sinLatDiff*cosLonSum*cosLonDiff + sinLatSum*sinLonSum*sinLonDiff,
		math.Cos(rad(a[1])) * math.Cos(rad(b[1])) * math.Sin(dlon),
	}
}
