package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// maxDecimals is the most decimals Round keeps: float64 holds about 15
// significant digits, so more would not change a coordinate.
const maxDecimals = 15

// Round returns a copy of g with every coordinate rounded to decimals
// decimal places, for smaller GeoJSON: 6 decimals is about 0.1 m on the
// ground, 7 about 1 cm, 5 about 1 m. decimals outside 0–15 is taken as
// the nearest end of that range.
//
// Rounding moves positions, so it can fold a ring onto itself or into
// another ring. Repeated consecutive positions that rounding makes are
// removed, and a ring that comes out invalid, alone or against the other
// rings of its geometry, is rounded again with one more decimal, up to 15,
// and then kept as given; so a valid Polygon or MultiPolygon stays valid
// by Validate, with RFC 7946 winding, and nothing is dropped. A line that
// would shrink to a single position gets more decimals the same way. An
// invalid polygonal input for which no valid rounding exists comes back
// as an unchanged copy.
func Round(g orb.Geometry, decimals int) orb.Geometry {
	d := min(max(decimals, 0), maxDecimals)
	switch g := g.(type) {
	case nil:
		return nil
	case orb.Point:
		return roundPoint(g, d)
	case orb.MultiPoint:
		out := make(orb.MultiPoint, len(g))
		for i, p := range g {
			out[i] = roundPoint(p, d)
		}
		return out
	case orb.LineString:
		return roundLine(g, d)
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = roundLine(l, d)
		}
		return out
	case orb.Bound:
		for dd := d; dd <= maxDecimals; dd++ {
			b := orb.Bound{Min: roundPoint(g.Min, dd), Max: roundPoint(g.Max, dd)}
			if b.Min[0] < b.Max[0] && b.Min[1] < b.Max[1] {
				return b
			}
		}
	case orb.Ring, orb.Polygon, orb.MultiPolygon:
		if out, ok := reshapePolygonal(g, func(ps []orb.Polygon, multi bool) ([]orb.Polygon, bool) {
			return roundPolygons(ps, d, multi)
		}); ok {
			return out
		}
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, m := range g {
			out[i] = Round(m, d)
		}
		return out
	}
	return cloneGeometry(g)
}

var pow10 = func() [maxDecimals + 1]float64 {
	var p [maxDecimals + 1]float64
	p[0] = 1
	for i := 1; i <= maxDecimals; i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

func roundCoord(v float64, decimals int) float64 {
	p := pow10[decimals]
	// From 2^52 on, float64 holds no fraction: v has no more decimals than
	// asked for, and scaling back and forth would only add rounding error.
	if !(math.Abs(v*p) < 1<<52) {
		return v
	}
	r := math.Round(v*p) / p
	// Adding zero turns -0 into 0, which would otherwise be written "-0".
	return r + 0
}

func roundPoint(p orb.Point, decimals int) orb.Point {
	return orb.Point{roundCoord(p[0], decimals), roundCoord(p[1], decimals)}
}

// roundPositions rounds pts and drops the repeats rounding makes.
func roundPositions(pts []orb.Point, decimals int) []orb.Point {
	out := make([]orb.Point, 0, len(pts))
	for _, p := range pts {
		q := roundPoint(p, decimals)
		if len(out) == 0 || out[len(out)-1] != q {
			out = append(out, q)
		}
	}
	return out
}

func roundLine(l orb.LineString, d int) orb.LineString {
	if distinctPositions(l) < 2 || !allFinite(l) {
		return l.Clone()
	}
	for dd := d; dd <= maxDecimals; dd++ {
		if out := roundPositions(l, dd); len(out) >= 2 {
			return orb.LineString(out)
		}
	}
	return l.Clone()
}

func roundPolygons(polys []orb.Polygon, d int, multi bool) ([]orb.Polygon, bool) {
	if len(polys) == 0 || !finitePolygons(polys) {
		return nil, false
	}
	parts := make([]*fitPart, len(polys))
	for i, poly := range polys {
		if len(poly) == 0 {
			return nil, false
		}
		p := &fitPart{}
		for _, r := range poly {
			p.rings = append(p.rings, &fitRing{
				last: maxDecimals - d + 1,
				at: func(level int) orb.Ring {
					if d+level > maxDecimals {
						return r
					}
					return orb.Ring(roundPositions(r, d+level))
				},
			})
		}
		parts[i] = p
	}
	return fit(parts, multi)
}
