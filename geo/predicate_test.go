package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/areagraph/areagraph/geo/geotest"
	"github.com/paulmach/orb"
)

// squareWithHole is 12.91–12.97 E, 57.71–57.77 N with a hole at
// 12.93–12.95 E, 57.73–57.75 N: decimals that float64 cannot hold
// exactly, as in real data.
var squareWithHole = orb.Polygon{
	{{12.91, 57.71}, {12.97, 57.71}, {12.97, 57.77}, {12.91, 57.77}, {12.91, 57.71}},
	{{12.93, 57.73}, {12.93, 57.75}, {12.95, 57.75}, {12.95, 57.73}, {12.93, 57.73}},
}

// Found by search: a point whose float64 side determinant against the edge
// a–b is exactly 0 although in exact arithmetic it lies right of a→b.
// PostGIS 3.3 answers ST_Covers true for it and ST_Intersects with the
// bare line false.
var (
	roundedA = orb.Point{12.935586048833157, 57.748939632698743}
	roundedB = orb.Point{12.970204659404237, 57.736227327154587}
	roundedP = orb.Point{12.960999468637928, 57.739607566733333}
	// roundedTriangle lies left of a→b, so p is outside it exactly.
	roundedTriangle = orb.Polygon{{roundedA, roundedB, {12.94, 57.78}, roundedA}}
)

func TestCovers(t *testing.T) {
	sloped := orb.Polygon{{{0, 0}, {3, 1}, {0, 3}, {0, 0}}}
	tests := []struct {
		name string
		g    orb.Geometry
		p    orb.Point
		want bool
	}{
		{"inside", squareWithHole, orb.Point{12.92, 57.72}, true},
		{"outside", squareWithHole, orb.Point{12.90, 57.72}, false},
		{"on west edge", squareWithHole, orb.Point{12.91, 57.74}, true},
		{"on south edge", squareWithHole, orb.Point{12.94, 57.71}, true},
		{"a hair outside the south edge", squareWithHole, orb.Point{12.94, math.Nextafter(57.71, 0)}, false},
		{"on a shell vertex", squareWithHole, orb.Point{12.97, 57.77}, true},
		{"in the hole", squareWithHole, orb.Point{12.94, 57.74}, false},
		{"on the hole's edge", squareWithHole, orb.Point{12.93, 57.74}, true},
		{"on a hole vertex", squareWithHole, orb.Point{12.95, 57.75}, true},
		{"a hair inside the hole", squareWithHole, orb.Point{math.Nextafter(12.93, 13), 57.74}, false},
		{"on a sloped edge, exactly", sloped, orb.Point{1.5, 0.5}, true},
		{"a hair below a sloped edge", sloped, orb.Point{1.5, math.Nextafter(0.5, 0)}, false},
		{"zero rounded determinant", roundedTriangle, roundedP, true},
		{"multipolygon, second part", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, squareWithHole}, orb.Point{12.92, 57.72}, true},
		{"ring", orb.Ring(squareWithHole[0]), orb.Point{12.94, 57.74}, true},
		{"bound edge", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, orb.Point{1, 0.5}, true},
		{"bound outside", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, orb.Point{1.5, 0.5}, false},
		{"line, on it", orb.LineString{{0, 0}, {3, 1}}, orb.Point{1.5, 0.5}, true},
		{"line, zero rounded determinant", orb.LineString{roundedA, roundedB}, roundedP, false},
		{"line, off it", orb.LineString{{0, 0}, {3, 1}}, orb.Point{1.5, 0.6}, false},
		{"line end", orb.LineString{{0, 0}, {3, 1}}, orb.Point{3, 1}, true},
		{"point, equal", orb.Point{1, 2}, orb.Point{1, 2}, true},
		{"point, different", orb.Point{1, 2}, orb.Point{1, 2.0000001}, false},
		{"multipoint", orb.MultiPoint{{0, 0}, {1, 2}}, orb.Point{1, 2}, true},
		{"collection", orb.Collection{orb.Point{5, 5}, squareWithHole}, orb.Point{12.91, 57.74}, true},
		{"nil", nil, orb.Point{0, 0}, false},
		{"empty polygon", orb.Polygon{}, orb.Point{0, 0}, false},
		{"NaN point", squareWithHole, orb.Point{math.NaN(), 57.72}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Covers(tc.g, tc.p); got != tc.want {
				t.Fatalf("Covers = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestIntersects(t *testing.T) {
	sq := func(x, y, s float64) orb.Polygon {
		return orb.Polygon{{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}
	}
	tests := []struct {
		name string
		a, b orb.Geometry
		want bool
	}{
		{"point in polygon", orb.Point{12.92, 57.72}, squareWithHole, true},
		{"point in hole", orb.Point{12.94, 57.74}, squareWithHole, false},
		{"point on hole edge", orb.Point{12.93, 57.74}, squareWithHole, true},
		{"point, zero rounded determinant", roundedP, roundedTriangle, true},
		{"point on line", orb.Point{1.5, 0.5}, orb.LineString{{0, 0}, {3, 1}}, true},
		{"point, zero rounded determinant, line", roundedP, orb.LineString{roundedA, roundedB}, false},
		{"point equal point", orb.Point{1, 1}, orb.Point{1, 1}, true},
		{"point apart", orb.Point{1, 1}, orb.Point{1, 2}, false},
		{"multipoint one inside", orb.MultiPoint{{0, 0}, {12.92, 57.72}}, squareWithHole, true},
		{"multipoint all outside", orb.MultiPoint{{0, 0}, {12.94, 57.74}}, squareWithHole, false},
		{"lines crossing", orb.LineString{{0, 0}, {2, 2}}, orb.LineString{{0, 2}, {2, 0}}, true},
		{"lines touching end to middle", orb.LineString{{0, 0}, {2, 0}}, orb.LineString{{1, 0}, {1, 5}}, true},
		{"lines collinear, overlapping", orb.LineString{{0, 0}, {2, 0}}, orb.LineString{{1, 0}, {3, 0}}, true},
		{"lines collinear, apart", orb.LineString{{0, 0}, {1, 0}}, orb.LineString{{2, 0}, {3, 0}}, false},
		{"lines parallel", orb.LineString{{0, 0}, {2, 0}}, orb.LineString{{0, 1}, {2, 1}}, false},
		{"line crossing polygon", orb.LineString{{12.9, 57.72}, {13, 57.72}}, squareWithHole, true},
		{"line inside polygon", orb.LineString{{12.915, 57.715}, {12.92, 57.72}}, squareWithHole, true},
		{"line inside hole", orb.LineString{{12.935, 57.735}, {12.94, 57.74}}, squareWithHole, false},
		{"line touching vertex from outside", orb.LineString{{12.97, 57.77}, {13, 57.8}}, squareWithHole, true},
		{"polygons overlapping", sq(0, 0, 2), sq(1, 1, 2), true},
		{"polygons sharing an edge", sq(0, 0, 1), sq(1, 0, 1), true},
		{"polygons touching at a corner", sq(0, 0, 1), sq(1, 1, 1), true},
		{"polygon inside polygon", sq(0, 0, 4), sq(1, 1, 1), true},
		{"polygon around polygon", sq(1, 1, 1), sq(0, 0, 4), true},
		{"polygon in hole", squareWithHole, sq(12.935, 57.735, 0.005), false},
		{"polygon apart", sq(0, 0, 1), sq(2, 0, 1), false},
		{"bound and polygon", orb.Bound{Min: orb.Point{12.96, 57.76}, Max: orb.Point{13, 57.8}}, squareWithHole, true},
		{"bound and point on its edge", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, orb.Point{0, 0.5}, true},
		{"bound and line apart", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, orb.LineString{{2, 2}, {3, 3}}, false},
		{"collection", orb.Collection{orb.Point{50, 50}, orb.LineString{{12.9, 57.72}, {12.92, 57.72}}}, squareWithHole, true},
		{"collection apart", orb.Collection{orb.Point{50, 50}}, squareWithHole, false},
		{"nil", nil, squareWithHole, false},
		{"empty", orb.Polygon{}, squareWithHole, false},
		{"empty collection", orb.Collection{}, orb.Collection{}, false},
		{"one-point line as point", orb.LineString{{12.92, 57.72}}, squareWithHole, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Intersects(tc.a, tc.b); got != tc.want {
				t.Errorf("Intersects(a, b) = %v, want %v", got, tc.want)
			}
			if got := Intersects(tc.b, tc.a); got != tc.want {
				t.Errorf("Intersects(b, a) = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPredicatesOnEdgeCases runs every predicate over every pair of shared
// edge cases: no panics, Intersects symmetric, a point intersects what
// covers it, and the distance is zero exactly when something covers.
func TestPredicatesOnEdgeCases(t *testing.T) {
	cases := geotest.EdgeCases()
	for _, a := range cases {
		for _, b := range cases {
			ab, ba := Intersects(a.Geometry, b.Geometry), Intersects(b.Geometry, a.Geometry)
			if ab != ba {
				t.Errorf("%s / %s: Intersects not symmetric: %v, %v", a.Name, b.Name, ab, ba)
			}
		}
		for _, v := range vertices(a.Geometry) {
			covered := Covers(a.Geometry, v)
			if a.Valid && !covered {
				t.Errorf("%s: does not cover its own vertex %v", a.Name, v)
			}
			if covered != Intersects(a.Geometry, v) {
				t.Errorf("%s: Covers and Intersects disagree on %v", a.Name, v)
			}
			if d := DistanceToGeometry(v, a.Geometry); a.Valid && d != 0 {
				t.Errorf("%s: distance to own vertex %v is %v", a.Name, v, d)
			}
		}
	}
}

// vertices lists every position of g.
func vertices(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.Point:
		out = append(out, g)
	case orb.MultiPoint:
		out = append(out, g...)
	case orb.LineString:
		out = append(out, g...)
	case orb.MultiLineString:
		for _, l := range g {
			out = append(out, l...)
		}
	case orb.Ring:
		out = append(out, g...)
	case orb.Polygon:
		for _, r := range g {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, vertices(p)...)
		}
	case orb.Bound:
		out = append(out, g.Min, g.Max)
	case orb.Collection:
		for _, m := range g {
			out = append(out, vertices(m)...)
		}
	}
	return out
}

// TestPolygonCoversKeepsTheBoxTest pins polygonCovers to the box test in
// front of the point-in-polygon test, computed apart as it once was, on
// shapes where the two can differ: points beyond the box on the axis of a
// tiny skipped edge or a rounded determinant, unclosed rings, non-finite
// vertices, and points on every vertex, every edge and just off them.
func TestPolygonCoversKeepsTheBoxTest(t *testing.T) {
	reference := func(poly orb.Polygon, p orb.Point, pip bool) bool {
		if len(poly) == 0 || len(poly[0]) == 0 || !poly[0].Bound().Contains(p) {
			return false
		}
		if pip {
			return pipLocatePolygon(poly, p) != outside
		}
		return locateInPolygon(poly, p) != outside
	}
	nan, inf := math.NaN(), math.Inf(1)
	polys := []orb.Polygon{
		squareWithHole,
		roundedTriangle,
		{{{0, 0}, {3, 1}, {0, 3}, {0, 0}}},
		// Unclosed: the walk misses the closing edge, so a point west of
		// the box sees one crossing only.
		{{{0, 0}, {2, 0}, {2, 2}, {0, 2}}},
		{{{0, 0}, {2, 0}, {2, 2}}},
		// A crossing on an edge shorter than 1e-12, which PostGIS's test
		// skips: the winding number beyond the box is off by one.
		{{{0, 0}, {2, 0}, {2, 1}, {2, 1 + 1e-13}, {2, 2}, {0, 2}, {0, 0}}},
		{{{1, 1}, {1, 1 + 1e-13}, {3, 3}, {1, 1}}},
		// Clockwise, with a hole on the shell's edge and one outside it.
		{{{0, 0}, {0, 2}, {2, 2}, {2, 0}, {0, 0}}, {{0, 0.5}, {1, 1}, {0, 1.5}, {0, 0.5}}},
		{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{5, 5}, {6, 5}, {6, 6}, {5, 5}}},
		{{{nan, 0}, {2, 0}, {2, 2}, {0, 2}, {nan, 0}}},
		{{{0, 0}, {2, nan}, {2, 2}, {0, 2}, {0, 0}}},
		{{{0, 0}, {inf, 0}, {2, 2}, {0, 2}, {0, 0}}},
		{{{0, 0}, {2, 0}, {2, -inf}, {0, 2}, {0, 0}}},
		{{{1, 1}}},
		{{{1, 1}, {1, 1}}},
		{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}, nil},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		// Small random rings, simple or not, on a coarse grid so that
		// points fall on vertices and edges often.
		n := 3 + rng.IntN(6)
		r := make(orb.Ring, 0, n+1)
		for range n {
			r = append(r, orb.Point{float64(rng.IntN(5)), float64(rng.IntN(5))})
		}
		if rng.IntN(4) > 0 {
			r = append(r, r[0])
		}
		polys = append(polys, orb.Polygon{r})
	}
	for i, poly := range polys {
		var pts []orb.Point
		for _, r := range poly {
			for j, v := range r {
				pts = append(pts, v,
					orb.Point{math.Nextafter(v[0], -inf), v[1]}, orb.Point{math.Nextafter(v[0], inf), v[1]},
					orb.Point{v[0], math.Nextafter(v[1], -inf)}, orb.Point{v[0], math.Nextafter(v[1], inf)},
					orb.Point{v[0] - 10, v[1]}, orb.Point{v[0] + 10, v[1]}, orb.Point{v[0], v[1] - 10}, orb.Point{v[0], v[1] + 10})
				if j+1 < len(r) {
					w := r[j+1]
					mid := orb.Point{(v[0] + w[0]) / 2, (v[1] + w[1]) / 2}
					pts = append(pts, mid, orb.Point{mid[0] - 10, mid[1]}, orb.Point{mid[0] + 10, mid[1]})
				}
			}
		}
		for range 200 {
			pts = append(pts, orb.Point{rng.Float64()*8 - 2, rng.Float64()*8 - 2})
		}
		pts = append(pts, roundedP, orb.Point{-1, 1 + 5e-14}, orb.Point{5, 1 + 5e-14}, orb.Point{nan, 1}, orb.Point{1, inf})
		for _, p := range pts {
			for _, pip := range []bool{true, false} {
				if got, want := polygonCovers(poly, p, pip), reference(poly, p, pip); got != want {
					t.Errorf("polygon %d %v, point %v, pip %v: got %v, want %v", i, poly, p, pip, got, want)
				}
			}
		}
	}
}

// TestPointsBound holds pointsBound to orb's Bound, non-finite
// coordinates included.
func TestPointsBound(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	rng := rand.New(rand.NewPCG(7, 8))
	sets := [][]orb.Point{nil, {}, {{1, 2}}, {{nan, 1}, {2, 3}}, {{1, 1}, {nan, 5}, {3, nan}}, {{0, 0}, {-inf, 1}, {2, inf}}}
	for range 500 {
		ps := make([]orb.Point, 1+rng.IntN(20))
		for i := range ps {
			ps[i] = orb.Point{rng.NormFloat64(), rng.NormFloat64()}
			if rng.IntN(30) == 0 {
				ps[i][rng.IntN(2)] = []float64{nan, inf, -inf}[rng.IntN(3)]
			}
		}
		sets = append(sets, ps)
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	for _, ps := range sets {
		got, want := pointsBound(ps), orb.MultiPoint(ps).Bound()
		if !same(got.Min[0], want.Min[0]) || !same(got.Min[1], want.Min[1]) || !same(got.Max[0], want.Max[0]) || !same(got.Max[1], want.Max[1]) {
			t.Errorf("pointsBound(%v) = %v, want %v", ps, got, want)
		}
	}
}
