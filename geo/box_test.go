package geo

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// gridPolygon draws a polygon on a small integer grid, where vertices on
// a box's corners and edges along its sides, the cases that need exact
// arithmetic, are common: a random star-shaped shell with now and then a
// hole, counter-clockwise or not.
func gridPolygon(rng *rand.Rand) orb.Polygon {
	cx, cy := float64(rng.IntN(9)), float64(rng.IntN(9))
	n := 3 + rng.IntN(6)
	shell := make(orb.Ring, 0, n+1)
	for i := range n {
		// Star-shaped around (cx, cy): one vertex per octant-ish sector,
		// at a grid point, so the ring does not cross itself.
		dirs := [8][2]float64{{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}}
		d := dirs[(i*8/n)%8]
		k := float64(1 + rng.IntN(3))
		shell = append(shell, orb.Point{cx + d[0]*k, cy + d[1]*k})
	}
	shell = append(shell, shell[0])
	if rng.IntN(2) == 0 {
		shell = reverseRing(shell)
	}
	p := orb.Polygon{shell}
	if rng.IntN(4) == 0 {
		// A small hole around the centre, inside every star above.
		h := 0.25 + 0.25*float64(rng.IntN(2))
		p = append(p, rect(cx-h, cy-h, cx+h, cy+h))
	}
	return p
}

func gridBox(rng *rand.Rand) orb.Bound {
	pick := func() float64 { return float64(rng.IntN(25)) / 2 }
	x0, x1, y0, y1 := pick(), pick(), pick(), pick()
	return orb.Bound{Min: orb.Point{min(x0, x1), min(y0, y1)}, Max: orb.Point{max(x0, x1), max(y0, y1)}}
}

// TestIntersectsBoxIsIntersects: on polygons and boxes drawn on a grid,
// where touching is the rule, the box test answers as the sweep does.
func TestIntersectsBoxIsIntersects(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	counts := map[bool]int{}
	for range 50_000 {
		var g orb.Geometry = gridPolygon(rng)
		if rng.IntN(3) == 0 {
			g = orb.MultiPolygon{g.(orb.Polygon), gridPolygon(rng)}
		}
		b := gridBox(rng)
		switch rng.IntN(6) {
		case 0: // a point of the grid, often on the box's edges
			g = orb.Point{float64(rng.IntN(25)) / 2, float64(rng.IntN(25)) / 2}
		case 1:
			g = orb.MultiPoint{{float64(rng.IntN(25)) / 2, float64(rng.IntN(25)) / 2}, {float64(rng.IntN(25)) / 2, float64(rng.IntN(25)) / 2}}
		}
		want := Intersects(g, BoundGeometry(b))
		if got := IntersectsBox(g, b); got != want {
			t.Fatalf("IntersectsBox(%v, %v) = %v, Intersects = %v", g, b, got, want)
		}
		counts[want]++
	}
	// Both answers must be common, or the test proves little.
	if counts[true] < 10_000 || counts[false] < 10_000 {
		t.Fatalf("answers %v: too lopsided", counts)
	}
}

// TestIntersectsBoxMunicipalities: the real outlines against boxes of
// every size around their vertices, on them and between them.
func TestIntersectsBoxMunicipalities(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2))
	munis := loadMunicipalities(t)
	for _, code := range slices.Sorted(maps.Keys(munis)) {
		g := munis[code]
		var mp orb.MultiPolygon
		switch g := g.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		}
		for range 40 {
			shell := mp[rng.IntN(len(mp))][0]
			v := shell[rng.IntN(len(shell))]
			w := shell[rng.IntN(len(shell))]
			var b orb.Bound
			switch rng.IntN(4) {
			case 0: // a vertex as a corner
				s := 0.001 * float64(1+rng.IntN(100))
				b = orb.Bound{Min: v, Max: orb.Point{v[0] + s, v[1] + s}}
			case 1: // the box of two vertices
				b = orb.Bound{Min: v, Max: v}.Extend(w)
			case 2: // around a vertex, of any size
				s := 0.0001 * float64(1+rng.IntN(10_000))
				b = orb.Bound{Min: v, Max: v}.Pad(s)
			default: // a box beside the area's own
				ab := g.Bound()
				b = orb.Bound{Min: orb.Point{ab.Max[0], ab.Min[1]}, Max: orb.Point{ab.Max[0] + 0.1, ab.Max[1]}}
			}
			if got, want := IntersectsBox(g, b), Intersects(g, BoundGeometry(b)); got != want {
				t.Fatalf("municipality %s, box %v: IntersectsBox = %v, Intersects = %v", code, b, got, want)
			}
		}
	}
}

// TestIntersectsBoxFallsBack: what the box test does not handle itself
// goes to Intersects, with its answer.
func TestIntersectsBoxFallsBack(t *testing.T) {
	sq := orb.Polygon{rect(0, 0, 2, 2)}
	for _, c := range []struct {
		g    orb.Geometry
		b    orb.Bound
		want bool
	}{
		{sq, orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{1, 1}}, true},              // a point box
		{sq, orb.Bound{Min: orb.Point{2, 3}, Max: orb.Point{2, 5}}, false},             // a line box
		{sq, orb.Bound{Min: orb.Point{2, 0}, Max: orb.Point{2, 5}}, true},              // a line box on the edge
		{orb.Point{1, 1}, orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, true}, // not polygonal
		{orb.LineString{{-1, -1}, {3, 3}}, orb.Bound{Min: orb.Point{0, 1.5}, Max: orb.Point{1, 2}}, false},
		{orb.MultiPolygon{}, orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, false},
		{orb.Polygon{}, orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, false},
		{sq, orb.Bound{Min: orb.Point{0.5, 0.5}, Max: orb.Point{1, 1}}, true},  // inside
		{sq, orb.Bound{Min: orb.Point{-1, -1}, Max: orb.Point{3, 3}}, true},    // around
		{sq, orb.Bound{Min: orb.Point{2, 2}, Max: orb.Point{3, 3}}, true},      // corner on corner
		{sq, orb.Bound{Min: orb.Point{-1, 0.5}, Max: orb.Point{3, 1}}, true},   // across, no vertex in either
		{sq, orb.Bound{Min: orb.Point{2.5, 0.5}, Max: orb.Point{3, 1}}, false}, // beside
	} {
		if got := IntersectsBox(c.g, c.b); got != c.want {
			t.Errorf("IntersectsBox(%v, %v) = %v, want %v", c.g, c.b, got, c.want)
		}
		if got := Intersects(c.g, BoundGeometry(c.b)); got != c.want {
			t.Errorf("Intersects(%v, %v) = %v, want %v", c.g, c.b, got, c.want)
		}
	}
}

// FuzzIntersectsBox: on any valid polygon and box the two tests agree,
// and nothing panics on anything else.
func FuzzIntersectsBox(f *testing.F) {
	f.Add(0.0, 0.0, 2.0, 2.0, 1.0, 1.0, 3.0, 3.0, 0.5)
	f.Add(0.0, 0.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0, 0.0)
	f.Add(0.0, 0.0, 2.0, 2.0, -1.0, 0.5, 3.0, 1.0, 0.0)
	f.Fuzz(func(t *testing.T, x0, y0, x1, y1, bx0, by0, bx1, by1, tip float64) {
		// A quadrilateral with a tip that can make it concave.
		g := orb.Polygon{{{x0, y0}, {x1, y0}, {x1 + tip, (y0 + y1) / 2}, {x1, y1}, {x0, y1}, {x0, y0}}}
		b := orb.Bound{Min: orb.Point{min(bx0, bx1), min(by0, by1)}, Max: orb.Point{max(bx0, bx1), max(by0, by1)}}
		got := IntersectsBox(g, b)
		if Validate(g, Options{}) != nil || !Finite(b.Min) || !Finite(b.Max) {
			return
		}
		if want := Intersects(g, BoundGeometry(b)); got != want {
			t.Fatalf("IntersectsBox(%v, %v) = %v, Intersects = %v", g, b, got, want)
		}
	})
}

// BenchmarkBoxAgainst100k compares the box test with the sweep on an
// outline of 100,000 vertices, for a box across its edge, one inside it
// and one in its bounding box but outside it.
func BenchmarkBoxAgainst100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	for _, c := range []struct {
		name string
		box  orb.Bound
	}{
		{"across", orb.Bound{Min: orb.Point{13.05, 57.65}, Max: orb.Point{13.2, 57.75}}},
		{"inside", orb.Bound{Min: orb.Point{12.85, 57.68}, Max: orb.Point{12.95, 57.72}}},
		{"outside", orb.Bound{Min: orb.Point{13.05, 57.78}, Max: orb.Point{13.1, 57.8}}},
	} {
		b.Run("box/"+c.name, func(b *testing.B) {
			for b.Loop() {
				IntersectsBox(poly, c.box)
			}
		})
		b.Run("sweep/"+c.name, func(b *testing.B) {
			for b.Loop() {
				Intersects(poly, BoundGeometry(c.box))
			}
		})
	}
}

func BenchmarkIntersectsBox100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	box := orb.Bound{Min: orb.Point{13.05, 57.65}, Max: orb.Point{13.2, 57.75}}
	for b.Loop() {
		IntersectsBox(poly, box)
	}
}
