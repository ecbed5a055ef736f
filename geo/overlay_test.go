package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func square(x0, y0, side float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}, {x0, y0}}}
}

func TestIntersectionAreaByHand(t *testing.T) {
	// SWEREF 99 TM–sized coordinates, so the cases also show that large
	// northings keep their precision.
	const x, y = 400_000.0, 6_400_000.0
	big := square(x, y, 100)
	withHole := orb.Polygon{big[0], {{x + 10, y + 10}, {x + 10, y + 30}, {x + 30, y + 30}, {x + 30, y + 10}, {x + 10, y + 10}}}
	cases := []struct {
		name string
		a, b orb.Geometry
		want float64
	}{
		{"half overlap", big, square(x+50, y, 100), 5000},
		{"corner overlap", big, square(x+90, y+90, 100), 100},
		{"no overlap", big, square(x+300, y, 10), 0},
		{"touching edge", big, square(x+100, y, 100), 0},
		{"touching corner", big, square(x+100, y+100, 100), 0},
		{"inside", big, square(x+20, y+20, 10), 100},
		{"contains", square(x+20, y+20, 10), big, 100},
		{"equal", big, big, 10000},
		{"hole", withHole, big, 10000 - 400},
		{"square in the hole", withHole, square(x+15, y+15, 10), 0},
		{"square over the hole's edge", withHole, square(x+25, y+25, 10), 100 - 25},
		{"multipolygon", orb.MultiPolygon{square(x, y, 10), square(x+20, y, 10)}, square(x+5, y, 20), 50 + 50},
		{"unclosed ring", orb.Polygon{{{x, y}, {x + 10, y}, {x + 10, y + 10}, {x, y + 10}}}, big, 100},
		{"bound", orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + 10, y + 20}}, big, 200},
		{"line", orb.LineString{{x, y}, {x + 100, y + 100}}, big, 0},
		{"point", orb.Point{x + 1, y + 1}, big, 0},
		{"nil", nil, big, 0},
		{"triangle", orb.Polygon{{{x, y}, {x + 100, y}, {x, y + 100}, {x, y}}}, square(x+50, y, 50), 1250},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := IntersectionArea(c.a, c.b)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-c.want) > 1e-6 {
				t.Errorf("IntersectionArea = %.9f, want %.9f", got, c.want)
			}
			back, err := IntersectionArea(c.b, c.a)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(back-got) > 1e-6 {
				t.Errorf("not symmetric: %.9f one way, %.9f the other", got, back)
			}
		})
	}
}

func TestPlanarArea(t *testing.T) {
	const x, y = 400_000.0, 6_400_000.0
	withHole := orb.Polygon{square(x, y, 100)[0], square(x+10, y+10, 20)[0]}
	for _, c := range []struct {
		g    orb.Geometry
		want float64
	}{
		{square(x, y, 100), 10000},
		{withHole, 9600},
		{orb.MultiPolygon{square(x, y, 10), withHole}, 9700},
		{orb.Collection{square(x, y, 10), orb.Point{x, y}}, 100},
		{orb.LineString{{x, y}, {x + 1, y}}, 0},
	} {
		if got := PlanarArea(c.g); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("PlanarArea(%v) = %v, want %v", c.g, got, c.want)
		}
	}
}

// The overlay of real outlines agrees with the sum of its parts: a
// priority-area–sized polygon cut by a grid of cells gives back its own
// area when the pieces are added up.
func TestIntersectionAreaPartsAddUp(t *testing.T) {
	const x, y = 400_000.0, 6_400_000.0
	var poly orb.Ring
	for i := range 64 {
		a := 2 * math.Pi * float64(i) / 64
		r := 700 + 150*math.Sin(5*a)
		poly = append(poly, orb.Point{x + 1000 + r*math.Cos(a), y + 1000 + r*math.Sin(a)})
	}
	poly = append(poly, poly[0])
	target := orb.Polygon{poly}
	var sum float64
	for i := range 8 {
		for j := range 8 {
			got, err := IntersectionArea(target, square(x+float64(i)*250, y+float64(j)*250, 250))
			if err != nil {
				t.Fatal(err)
			}
			sum += got
		}
	}
	if want := PlanarArea(target); math.Abs(sum-want)/want > 1e-9 {
		t.Errorf("pieces add up to %.6f m², the polygon is %.6f m²", sum, want)
	}
}

func BenchmarkIntersectionArea(b *testing.B) {
	const x, y = 400_000.0, 6_400_000.0
	var poly orb.Ring
	for i := range 256 {
		a := 2 * math.Pi * float64(i) / 256
		r := 700 + 150*math.Sin(5*a)
		poly = append(poly, orb.Point{x + 1000 + r*math.Cos(a), y + 1000 + r*math.Sin(a)})
	}
	poly = append(poly, poly[0])
	target := orb.Polygon{poly}
	cell := square(x+700, y+700, 500)
	for b.Loop() {
		if _, err := IntersectionArea(target, cell); err != nil {
			b.Fatal(err)
		}
	}
}

// The shortcut for boxes wholly inside or outside gives what the overlay
// gives: a star cut by a grid of cells, many of them far inside or
// outside it, some across its edge, a few inside its hole.
func TestIntersectionAreaShortcut(t *testing.T) {
	const x, y = 400_000.0, 6_400_000.0
	var outer, hole orb.Ring
	for i := range 96 {
		a := 2 * math.Pi * float64(i) / 96
		r := 900 + 250*math.Sin(4*a)
		outer = append(outer, orb.Point{x + 1200 + r*math.Cos(a), y + 1200 + r*math.Sin(a)})
		hole = append(hole, orb.Point{x + 1200 + 150*math.Cos(-a), y + 1200 + 150*math.Sin(-a)})
	}
	outer, hole = append(outer, outer[0]), append(hole, hole[0])
	star := orb.Polygon{outer, hole}
	var fast, slow int
	for i := range 24 {
		for j := range 24 {
			cell := square(x+float64(i)*100, y+float64(j)*100, 100)
			got, err := IntersectionArea(star, cell)
			if err != nil {
				t.Fatal(err)
			}
			want, err := overlayArea(star, cell)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-6 {
				t.Errorf("cell %d,%d: %.9f, the overlay %.9f", i, j, got, want)
			}
			if edgeNear(star, cell.Bound()) {
				slow++
			} else {
				fast++
			}
		}
	}
	if fast == 0 || slow == 0 {
		t.Errorf("%d cells took the shortcut and %d the overlay; the test wants both", fast, slow)
	}
}
