package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadius is the mean radius of the WGS 84 ellipsoid, (2a+b)/3, in
// metres: the sphere on which DistanceToGeometry finds the nearest point
// of a geometry before measuring to it on the ellipsoid, as PostGIS does
// for geography. The distances areagraph reports are on the ellipsoid.
const EarthRadius = 6371008.7714150598

// minCurvatureRadius is the smallest radius of curvature of the WGS 84
// ellipsoid, the meridian's at the equator, a(1-e²): no path of length r
// on the ellipsoid changes latitude by more than r over it, nor longitude
// by more than r over it times cos φ (the parallel's radius N cos φ is at
// least a cos φ).
var minCurvatureRadius = wgs84A * (1 - wgs84F*(2-wgs84F))

// Distance is the great-circle distance in metres between two WGS 84 points
// (haversine formula, stable for short distances).
func Distance(a, b orb.Point) float64 {
	lat1, lat2 := rad(a[1]), rad(b[1])
	dlat := lat2 - lat1
	dlon := rad(b[0] - a[0])
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * EarthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// MinDistance is the smallest Distance from p to any of pts; +Inf when pts
// is empty.
func MinDistance(p orb.Point, pts []orb.Point) float64 {
	d := math.Inf(1)
	for _, q := range pts {
		d = math.Min(d, Distance(p, q))
	}
	return d
}

// RadiusBound returns a box that holds every point within r metres of p on
// the WGS 84 ellipsoid (and so on the sphere of EarthRadius too, which is
// larger than minCurvatureRadius). It is a prefilter for spatial indexes;
// the exact test is GeodesicDistance or DistanceToGeometry.
func RadiusBound(p orb.Point, r float64) orb.Bound {
	dlat := r / minCurvatureRadius * 180 / math.Pi
	// Widen by a hair so points exactly on the radius are never cut off
	// by rounding in the box test.
	dlat = dlat*1.000001 + 1e-9
	minLat, maxLat := p[1]-dlat, p[1]+dlat
	var dlon float64
	if maxLat >= 90 || minLat <= -90 {
		dlon = 180
	} else {
		c := math.Cos(rad(math.Max(math.Abs(minLat), math.Abs(maxLat))))
		dlon = math.Min(180, dlat/c)
	}
	return orb.Bound{
		Min: orb.Point{math.Max(-180, p[0]-dlon), math.Max(-90, minLat)},
		Max: orb.Point{math.Min(180, p[0]+dlon), math.Min(90, maxLat)},
	}
}

// polygonDistance is the nearest point of the boundary of poly to p on
// the sphere and whether poly contains p there.
func polygonDistance(p orb.Point, pv vec3, poly orb.Polygon) (arcFoot, bool) {
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
		return near, true
	}
	if near.onArc && near.side != 0 {
		// With RFC 7946 winding the area lies left of every ring; a ring
		// wound the other way has it on the right.
		w := ringWinding(poly[nearRing])
		if w != 0 {
			left := (w > 0) == (nearRing == 0)
			return near, (near.side > 0) == left
		}
	}
	return near, pipLocatePolygon(poly, p) != outside
}

// vec3 is a point of the unit sphere, or a direction, in Earth-centred
// coordinates: the one vector type of the spherical maths here.
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
			return arcFoot{dist: d, at: pts[0]}, true
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
	dist  float64   // metres to the nearest point of the arc
	onArc bool      // the nearest point lies inside the arc, not at an end
	side  float64   // > 0 left of the arc's great circle, < 0 right
	at    orb.Point // the nearest point of the arc
}

// arcDistance measures from p (pv its unit vector) to the great-circle arc
// from a to b: the cross-track distance when the foot of the perpendicular
// falls on the arc, else the distance to the nearer end (the first on a
// tie). This is PostGIS's edge_distance_to_point, nearest point included.
func arcDistance(p orb.Point, pv vec3, a, b orb.Point) arcFoot {
	ends := arcFoot{dist: Distance(p, a), at: a}
	if d := Distance(p, b); d < ends.dist {
		ends = arcFoot{dist: d, at: b}
	}
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
	// The foot: p less its component along the normal, back on the
	// sphere, as longitude and latitude.
	k := vec3{pv[0] - s*n[0], pv[1] - s*n[1], pv[2] - s*n[2]}
	foot := orb.Point{math.Atan2(k[1], k[0]) * 180 / math.Pi, math.Atan2(k[2], math.Hypot(k[0], k[1])) * 180 / math.Pi}
	return arcFoot{dist: d, onArc: true, side: s, at: foot}
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

// withinPad absorbs the rounding of the arc maths in WithinBound: about a
// centimetre, far above that rounding and far below a distance anyone
// filters by.
const withinPad = 1e-7

// WithinBound returns a box that holds every point within meters of g, so
// that a spatial index can pick the candidates the exact distance test then
// judges. Both stores use it, so they look at the same candidates.
//
// Edges are great-circle arcs, which bow poleward out of the box of their
// vertices (by over 400 m for an edge two degrees long at 58° N), so the
// box first takes in the latitude each arc reaches; then every corner is
// widened by the distance with RadiusBound. An edge that crosses the
// antimeridian widens the box to every longitude. g must be valid.
func WithinBound(g orb.Geometry, meters float64) orb.Bound {
	var b orb.Bound
	empty := true
	EachChain(g, func(pts []orb.Point) {
		for i, p := range pts {
			if empty {
				b, empty = p.Bound(), false
			}
			b = b.Extend(p)
			if i == 0 {
				continue
			}
			lo, hi := arcLatitudes(pts[i-1], p)
			b.Min[1], b.Max[1] = math.Min(b.Min[1], lo), math.Max(b.Max[1], hi)
			if math.Abs(p[0]-pts[i-1][0]) > 180 {
				b.Min[0], b.Max[0] = -180, 180
			}
		}
	})
	if empty {
		return b
	}
	// The pad stays inside WGS 84 range: a corner beyond ±180 or ±90 would
	// give RadiusBound, which clamps to that range, an inverted box for a
	// distance under the pad, and the union would drop it as empty.
	b = b.Pad(withinPad)
	b.Min = orb.Point{math.Max(b.Min[0], -180), math.Max(b.Min[1], -90)}
	b.Max = orb.Point{math.Min(b.Max[0], 180), math.Min(b.Max[1], 90)}
	out := RadiusBound(b.Min, meters)
	for _, c := range []orb.Point{b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		out = out.Union(RadiusBound(c, meters))
	}
	return out
}

// arcLatitudes returns the least and greatest latitude on the great-circle
// arc from a to b: its ends', unless the arc passes the northernmost or
// southernmost point of its great circle on the way.
func arcLatitudes(a, b orb.Point) (lo, hi float64) {
	lo, hi = math.Min(a[1], b[1]), math.Max(a[1], b[1])
	av, bv := unitVector(a), unitVector(b)
	n := av.cross(bv)
	l := n.norm()
	if l == 0 || math.IsNaN(l) {
		return lo, hi // coincident or antipodal ends: no single great circle
	}
	n = vec3{n[0] / l, n[1] / l, n[2] / l}
	// The great circle's northernmost point is top/h, at latitude asin(h).
	h := math.Hypot(n[0], n[1])
	if h == 0 {
		return lo, hi // the equator
	}
	top := vec3{-n[2] * n[0], -n[2] * n[1], h * h}
	onArc := func(v vec3) bool { return av.cross(v).dot(n) > 0 && v.cross(bv).dot(n) > 0 }
	peak := math.Asin(math.Min(1, h)) * 180 / math.Pi
	if onArc(top) {
		hi = math.Max(hi, peak)
	}
	if onArc(vec3{-top[0], -top[1], -top[2]}) {
		lo = math.Min(lo, -peak)
	}
	return lo, hi
}

// EachChain calls fn with every run of connected positions in g: a point
// on its own, a line, or a ring, closed if it was not.
func EachChain(g orb.Geometry, fn func(pts []orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		fn([]orb.Point{g})
	case orb.MultiPoint:
		for _, p := range g {
			fn([]orb.Point{p})
		}
	case orb.LineString:
		fn(g)
	case orb.MultiLineString:
		for _, l := range g {
			fn(l)
		}
	case orb.Ring:
		if len(g) > 0 && g[0] != g[len(g)-1] {
			g = append(g[:len(g):len(g)], g[0])
		}
		fn(g)
	case orb.Polygon:
		for _, r := range g {
			EachChain(r, fn)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			EachChain(p, fn)
		}
	case orb.Bound:
		EachChain(g.ToRing(), fn)
	case orb.Collection:
		for _, m := range g {
			EachChain(m, fn)
		}
	}
}
