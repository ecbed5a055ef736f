package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// DistanceToGeometry is the distance in metres from p to g on the WGS 84
// ellipsoid, as PostGIS 3 computes ST_Distance(g::geography, p::geography)
// (use_spheroid true, the default): zero when an area of g contains p;
// else the point of g nearest to p is found on the sphere of radius
// EarthRadius, with edges taken as great-circle arcs, and the geodesic
// distance to that point is measured on the ellipsoid (GeodesicDistance).
// For a point g that is the geodesic distance itself. It is +Inf for nil
// or empty g and NaN when p is not finite.
//
// Finding the nearest point on the sphere is PostGIS's own way
// (circ_tree_distance_tree, then spheroid_distance on the closest pair,
// which with PROJ is GeographicLib's geod_inverse): the sphere's nearest
// point and the ellipsoid's differ by a hair that changes the distance by
// far less than a millimetre at the distances filtered by, and following
// PostGIS keeps both backends to the same point. Where two parts of g lie
// almost equally near on the sphere, a different choice could move the
// answer by up to the sphere's error, about 0.5 %; both pick the nearest
// on the sphere, so only exact ties are at stake.
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
	return PointsDistance([]orb.Point{p}, g)
}

// PointsDistance is the distance in metres from the nearest of pts to g,
// as PostGIS computes ST_Distance(pts::geography, g::geography) for a
// MultiPoint: zero when an area of g contains any of the points; else the
// pair of a point and a point of g nearest on the sphere is found over
// all the points, and the geodesic distance between that pair measured on
// the ellipsoid, as DistanceToGeometry does for one point. Taking the
// pair nearest on the sphere over all the points, not the least of the
// points' own distances, is what PostGIS does and so what keeps the
// backends together when two points lie almost equally far. It is +Inf
// when pts or g is empty and NaN when a point is not finite.
func PointsDistance(pts []orb.Point, g orb.Geometry) float64 {
	var ps parts
	ps.add(g)
	best := arcFoot{dist: math.Inf(1)}
	var from orb.Point
	for _, p := range pts {
		if !Finite(p) {
			return math.NaN()
		}
		if ps.empty() {
			continue
		}
		f, in := nearestOnSphere(p, &ps)
		if in {
			return 0
		}
		if f.dist < best.dist {
			best, from = f, p
		}
	}
	if math.IsInf(best.dist, 1) {
		return best.dist
	}
	return GeodesicDistance(from, best.at)
}

// nearestOnSphere finds the point of ps nearest to p on the sphere, edges
// taken as great-circle arcs, and whether an area of ps contains p.
func nearestOnSphere(p orb.Point, ps *parts) (arcFoot, bool) {
	pv := unitVector(p)
	best := arcFoot{dist: math.Inf(1)}
	for _, q := range ps.points {
		if d := Distance(p, q); d < best.dist {
			best = arcFoot{dist: d, at: q}
		}
	}
	for _, l := range ps.lines {
		best, _ = nearestArc(p, pv, l, best)
	}
	for _, poly := range ps.polys {
		f, in := polygonDistance(p, pv, poly)
		if in {
			return f, true
		}
		if f.dist < best.dist {
			best = f
		}
	}
	return best, false
}
