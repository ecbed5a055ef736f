package geo_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/geo"
)

// TestShareInside holds the shortcut for areas far from the border to the
// overlay's answer: squares anywhere around a holed disc of many
// vertices, inside, outside, in the hole, across the border and round the
// hole.
func TestShareInside(t *testing.T) {
	disc := func(cx, cy, r float64, n int, ccw bool) orb.Ring {
		ring := make(orb.Ring, 0, n+1)
		for i := range n {
			a := 2 * math.Pi * float64(i) / float64(n)
			if !ccw {
				a = -a
			}
			ring = append(ring, orb.Point{cx + r*math.Cos(a), cy + r*math.Sin(a)})
		}
		return append(ring, ring[0])
	}
	b := orb.Polygon{disc(400_000, 6_400_000, 20_000, 2000, true), disc(405_000, 6_400_000, 3_000, 200, false)}
	square := func(x, y, d float64) orb.Polygon {
		return orb.Polygon{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}
	}
	cases := map[string]struct {
		a    orb.Polygon
		want float64 // -1: compare with the overlay only
	}{
		"inside":          {square(390_000, 6_400_000, 1000), 1},
		"outside":         {square(430_000, 6_400_000, 1000), 0},
		"in the hole":     {square(404_500, 6_399_500, 1000), 0},
		"round the hole":  {square(400_000, 6_395_000, 10_000), -1},
		"across the edge": {square(419_500, 6_399_500, 1000), -1},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		x, y := 375_000+rng.Float64()*50_000, 6_375_000+rng.Float64()*50_000
		cases[string(rune('a'+i%26))+string(rune('0'+i/26))] = struct {
			a    orb.Polygon
			want float64
		}{square(x, y, 200+rng.Float64()*3000), -1}
	}
	for name, c := range cases {
		got, err := geo.ShareInside(c.a, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		inside, err := geo.IntersectionArea(c.a, b)
		if err != nil {
			t.Fatal(err)
		}
		want := inside / geo.PlanarArea(c.a)
		if c.want >= 0 && got != c.want {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s: %v, the overlay says %v", name, got, want)
		}
	}
	if s, err := geo.ShareInside(orb.Polygon{}, b); s != 0 || err != nil {
		t.Errorf("no area: %v, %v", s, err)
	}
}
