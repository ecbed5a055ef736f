package db

import (
	"math"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// withinPad absorbs the rounding of the arc maths in Bound: about a
// centimetre, far above that rounding and far below a distance anyone
// filters by.
const withinPad = 1e-7

// Bound returns a box that holds every point within Meters of Geometry, so
// that a spatial index can pick the candidates the exact distance test then
// judges. Both stores use it, so they look at the same candidates.
//
// Edges are great-circle arcs, which bow poleward out of the box of their
// vertices (by over 400 m for an edge two degrees long at 58° N), so the
// box first takes in the latitude each arc reaches; then every corner is
// widened by the distance with geo.RadiusBound. An edge that crosses the
// antimeridian widens the box to every longitude. w must be valid.
func (w *Within) Bound() orb.Bound {
	var b orb.Bound
	empty := true
	eachChain(w.Geometry, func(pts []orb.Point) {
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
	b = b.Pad(withinPad)
	out := geo.RadiusBound(b.Min, w.Meters)
	for _, c := range []orb.Point{b.Max, {b.Min[0], b.Max[1]}, {b.Max[0], b.Min[1]}} {
		out = out.Union(geo.RadiusBound(c, w.Meters))
	}
	return out
}

// arcLatitudes returns the least and greatest latitude on the great-circle
// arc from a to b: its ends', unless the arc passes the northernmost or
// southernmost point of its great circle on the way.
func arcLatitudes(a, b orb.Point) (lo, hi float64) {
	lo, hi = math.Min(a[1], b[1]), math.Max(a[1], b[1])
	av, bv := unitVector(a), unitVector(b)
	n := cross(av, bv)
	l := math.Sqrt(dot(n, n))
	if l == 0 || math.IsNaN(l) {
		return lo, hi // coincident or antipodal ends: no single great circle
	}
	n = [3]float64{n[0] / l, n[1] / l, n[2] / l}
	// The great circle's northernmost point is top/h, at latitude asin(h).
	h := math.Hypot(n[0], n[1])
	if h == 0 {
		return lo, hi // the equator
	}
	top := [3]float64{-n[2] * n[0], -n[2] * n[1], h * h}
	onArc := func(v [3]float64) bool { return dot(cross(av, v), n) > 0 && dot(cross(v, bv), n) > 0 }
	peak := math.Asin(math.Min(1, h)) * 180 / math.Pi
	if onArc(top) {
		hi = math.Max(hi, peak)
	}
	if onArc([3]float64{-top[0], -top[1], -top[2]}) {
		lo = math.Min(lo, -peak)
	}
	return lo, hi
}

func unitVector(p orb.Point) [3]float64 {
	lon, lat := p[0]*math.Pi/180, p[1]*math.Pi/180
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// eachChain calls fn with every run of connected positions in g: a point
// on its own, a line, or a ring, closed if it was not.
func eachChain(g orb.Geometry, fn func(pts []orb.Point)) {
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
			eachChain(r, fn)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			eachChain(p, fn)
		}
	case orb.Bound:
		eachChain(g.ToRing(), fn)
	case orb.Collection:
		for _, m := range g {
			eachChain(m, fn)
		}
	}
}
