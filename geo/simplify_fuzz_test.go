package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/areagraph/areagraph/geo/geotest"
	"github.com/paulmach/orb"
)

// randomAreas builds a valid polygonal geometry near Borås from a seed:
// by kind, a star-shaped polygon, one with a star-shaped hole, a
// MultiPolygon of such parts (sometimes with an island in a hole), one of
// the shared valid edge cases, parts crowded a few metres apart with
// holes close to their shells, or a comb. n sets the number of corners of
// the largest ring. Sizes range from about 10 m to 10 km, so that
// tolerances of a few metres to kilometres all find something to do.
func randomAreas(seed uint64, n int, kind uint8) orb.Geometry {
	rng := rand.New(rand.NewPCG(seed, 2))
	n = max(n, 4)
	size := math.Pow(10, 1+3*rng.Float64())
	switch kind % 6 {
	case 4:
		var mp orb.MultiPolygon
		x := 0.0
		for i := range 2 + rng.IntN(3) {
			r := size * (0.3 + 0.7*rng.Float64())
			if i > 0 {
				x += r + 0.5 + 5*rng.Float64()
			}
			shell, inner := randomStar(rng, x, 0, r, max(4, n/(i+1)))
			poly := orb.Polygon{shell}
			if rng.IntN(2) == 0 {
				hole, _ := randomStar(rng, x, 0, 0.99*inner, 4+rng.IntN(max(1, n/2)))
				poly = append(poly, reverseRing(hole))
			}
			mp = append(mp, poly)
			x += r
		}
		return mp
	case 5:
		return orb.Polygon{comb(1 + n/4)}
	}
	switch kind % 6 {
	case 0:
		shell, _ := randomStar(rng, 0, 0, size, n)
		return orb.Polygon{shell}
	case 1:
		return randomHoled(rng, 0, 0, size, n)
	case 2:
		parts := 2 + rng.IntN(4)
		var mp orb.MultiPolygon
		for i := range parts {
			// Parts sit on a line, each in its own stretch of it.
			cx := float64(i) * 2.5 * size
			m := max(4, n/(i+1))
			if rng.IntN(2) == 0 {
				shell, _ := randomStar(rng, cx, 0, size*(0.3+0.7*rng.Float64()), m)
				mp = append(mp, orb.Polygon{shell})
				continue
			}
			poly := randomHoled(rng, cx, 0, size*(0.3+0.7*rng.Float64()), m)
			mp = append(mp, poly)
			if rng.IntN(2) == 0 {
				// An island in the hole, inside its inner radius.
				_, inner := randomStarRadius(poly[1], cx, 0)
				island, _ := randomStar(rng, cx, 0, 0.8*inner, 4+rng.IntN(8))
				mp = append(mp, orb.Polygon{island})
			}
		}
		return mp
	}
	var cases []orb.Geometry
	for _, tc := range geotest.EdgeCases() {
		switch tc.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
			if tc.Valid {
				cases = append(cases, tc.Geometry)
			}
		}
	}
	return cases[seed%uint64(len(cases))]
}

// randomStar returns a counter-clockwise ring of n corners sorted by angle
// around the point x, y metres from Borås' reference point, at distances
// between a fifth of r and r; any two corners are less than half a turn
// apart, so the ring is simple. It also returns the distance from the
// centre to the nearest edge.
func randomStar(rng *rand.Rand, x, y, r float64, n int) (orb.Ring, float64) {
	step := 2 * math.Pi / float64(n)
	pts := make([][2]float64, n)
	for i := range pts {
		a := (float64(i) + 0.8*rng.Float64()) * step
		d := r * (0.2 + 0.8*rng.Float64())
		pts[i] = [2]float64{x + d*math.Cos(a), y + d*math.Sin(a)}
	}
	ring := localRing(pts...)
	_, inner := randomStarRadius(ring, x, y)
	return ring, inner
}

// randomStarRadius is the distance in metres from the centre x, y to the
// nearest edge of the ring, measured in the same plane local draws in.
func randomStarRadius(r orb.Ring, x, y float64) (orb.Ring, float64) {
	pl := plane{lon0: 12.9, lat0: 57.7, kx: metresPerDegree * math.Cos(rad(57.7)), ky: metresPerDegree}
	c := vec2{x, y}
	best := math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		best = math.Min(best, segDist2(c, pl.project(r[i]), pl.project(r[i+1])))
	}
	return r, math.Sqrt(best)
}

func randomHoled(rng *rand.Rand, x, y, r float64, n int) orb.Polygon {
	shell, inner := randomStar(rng, x, y, r, n)
	hole, _ := randomStar(rng, x, y, 0.9*inner, 4+rng.IntN(max(1, n/2)))
	return orb.Polygon{shell, reverseRing(hole)}
}

// FuzzSimplifyRound: whatever the shape, tolerance and decimals, Simplify,
// Round and the two in turn give valid geometry, wound as RFC 7946 asks.
func FuzzSimplifyRound(f *testing.F) {
	f.Add(uint64(1), uint16(12), uint8(0), 50.0, int8(5))
	f.Add(uint64(2), uint16(40), uint8(1), 300.0, int8(3))
	f.Add(uint64(3), uint16(80), uint8(2), 2000.0, int8(2))
	f.Add(uint64(4), uint16(5), uint8(3), 1e5, int8(0))
	f.Add(uint64(5), uint16(200), uint8(2), 1.0, int8(4))
	f.Add(uint64(6), uint16(7), uint8(1), math.Inf(1), int8(-2))
	f.Add(uint64(7), uint16(9), uint8(3), math.NaN(), int8(20))
	f.Add(uint64(8), uint16(60), uint8(4), 20.0, int8(4))
	f.Add(uint64(9), uint16(100), uint8(5), 200.0, int8(3))
	f.Fuzz(func(t *testing.T, seed uint64, n uint16, kind uint8, tol float64, dec int8) {
		g := randomAreas(seed, 4+int(n%300), kind)
		if err := Validate(g, Options{}); err != nil {
			t.Fatalf("generator made an invalid shape: %v", err)
		}
		s := Simplify(g, tol)
		check := func(what string, out orb.Geometry) {
			if err := Validate(out, Options{}); err != nil {
				t.Fatalf("%s: %v\ninput %s", what, err, marshal(g))
			}
			if !windingOK(out) && !orb.Equal(out, g) {
				t.Fatalf("%s: wrong winding\n%s", what, marshal(out))
			}
		}
		check("Simplify", s)
		check("Round", Round(g, int(dec)))
		check("Round after Simplify", Round(s, int(dec)))
	})
}
