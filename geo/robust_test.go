package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestOrient(t *testing.T) {
	tests := []struct {
		name    string
		a, b, c orb.Point
		want    int
	}{
		{"left", orb.Point{0, 0}, orb.Point{1, 0}, orb.Point{0, 1}, 1},
		{"right", orb.Point{0, 0}, orb.Point{1, 0}, orb.Point{0, -1}, -1},
		{"on horizontal line", orb.Point{0, 0}, orb.Point{1, 0}, orb.Point{5, 0}, 0},
		{"on vertical line", orb.Point{2, 0}, orb.Point{2, 1}, orb.Point{2, -7}, 0},
		{"equal points", orb.Point{1, 1}, orb.Point{1, 1}, orb.Point{3, 4}, 0},
		{"collinear, sloped", orb.Point{0, 0}, orb.Point{3, 1}, orb.Point{1.5, 0.5}, 0},
		{"a hair above a sloped line", orb.Point{0, 0}, orb.Point{3, 1}, orb.Point{1.5, math.Nextafter(0.5, 1)}, 1},
		// The rounded determinant is 0; the exact one is not.
		{"zero rounded determinant", roundedA, roundedB, roundedP, -1},
		{"tiny", orb.Point{0, 0}, orb.Point{1e-300, 0}, orb.Point{0, 1e-300}, 1},
		{"huge", orb.Point{-1e300, -1e300}, orb.Point{1e300, 1e300}, orb.Point{1e300, math.Nextafter(1e300, 0)}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := orient(tc.a, tc.b, tc.c); got != tc.want {
				t.Fatalf("orient = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestOrientConsistent checks on nearly collinear triples, where a plain
// float determinant contradicts itself, that orient agrees with exact
// rational arithmetic and with itself under permutation.
func TestOrientConsistent(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20_000 {
		a := orb.Point{12.9 + rng.Float64()/10, 57.7 + rng.Float64()/10}
		b := orb.Point{12.9 + rng.Float64()/10, 57.7 + rng.Float64()/10}
		s := rng.Float64()
		c := orb.Point{a[0] + s*(b[0]-a[0]), a[1] + s*(b[1]-a[1])}
		o := orient(a, b, c)
		if want := orientExact(a, b, c); o != want {
			t.Fatalf("orient(%v, %v, %v) = %d, exact %d", a, b, c, o, want)
		}
		if orient(b, c, a) != o || orient(c, a, b) != o || orient(b, a, c) != -o {
			t.Fatalf("orient inconsistent under permutation for %v %v %v", a, b, c)
		}
	}
}

func TestIntersectSegments(t *testing.T) {
	p := func(x, y float64) orb.Point { return orb.Point{x, y} }
	tests := []struct {
		name           string
		p1, p2, q1, q2 orb.Point
		want           contact
		at             orb.Point
	}{
		{"apart", p(0, 0), p(1, 0), p(0, 1), p(1, 1), apart, p(0, 0)},
		{"cross", p(0, 0), p(2, 2), p(0, 2), p(2, 0), cross, p(1, 1)},
		{"shared end", p(0, 0), p(1, 0), p(1, 0), p(1, 1), touch, p(1, 0)},
		{"end on middle", p(0, 0), p(2, 0), p(1, 0), p(1, 1), touch, p(1, 0)},
		{"middle under end", p(1, 0), p(1, 1), p(0, 0), p(2, 0), touch, p(1, 0)},
		{"collinear apart", p(0, 0), p(1, 0), p(2, 0), p(3, 0), apart, p(0, 0)},
		{"collinear end to end", p(0, 0), p(1, 0), p(1, 0), p(3, 0), touch, p(1, 0)},
		{"collinear overlap", p(0, 0), p(2, 0), p(1, 0), p(3, 0), overlap, p(1, 0)},
		{"vertical overlap", p(0, 0), p(0, 2), p(0, 3), p(0, 1), overlap, p(0, 1)},
		{"same segment reversed", p(0, 0), p(1, 1), p(1, 1), p(0, 0), overlap, p(0, 0)},
		{"lines cross beyond the segments", p(0, 0), p(1, 1), p(3, 0), p(2, 1), apart, p(0, 0)},
		{"degenerate on segment", p(1, 1), p(1, 1), p(0, 0), p(2, 2), touch, p(1, 1)},
		{"degenerate off segment", p(1, 2), p(1, 2), p(0, 0), p(2, 2), apart, p(0, 0)},
		{"both degenerate, equal", p(1, 2), p(1, 2), p(1, 2), p(1, 2), touch, p(1, 2)},
		{"zero rounded determinant, heading away", roundedA, roundedB, roundedP, orb.Point{roundedP[0], 57}, apart, p(0, 0)},
		{"zero rounded determinant, heading across", roundedA, roundedB, roundedP, orb.Point{roundedP[0], 58}, cross, roundedP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, at := intersectSegments(tc.p1, tc.p2, tc.q1, tc.q2)
			if got != tc.want || (got != apart && at != tc.at) {
				t.Fatalf("intersectSegments = %v at %v, want %v at %v", got, at, tc.want, tc.at)
			}
			if back, _ := intersectSegments(tc.q1, tc.q2, tc.p1, tc.p2); back != got {
				t.Fatalf("not symmetric: %v then %v", got, back)
			}
		})
	}
}

// gridRing builds a closed ring on an n×n integer grid from bytes, two per
// vertex, so every coordinate and determinant is exact.
func gridRing(data []byte, n int) orb.Ring {
	var r orb.Ring
	for i := 0; i+1 < len(data) && len(r) < 12; i += 2 {
		r = append(r, orb.Point{float64(int(data[i]) % n), float64(int(data[i+1]) % n)})
	}
	if len(r) > 0 {
		r = append(r, r[0])
	}
	return r
}

// bruteRingProblem decides ring simplicity by comparing every pair of
// edges in int64 arithmetic: the rule checkCrossings implements with a
// sweep and float predicates. Zero-length edges are dropped first.
func bruteRingProblem(r orb.Ring) bool {
	type pt struct{ x, y int64 }
	var v []pt
	for i, p := range r {
		q := pt{int64(p[0]), int64(p[1])}
		if i == 0 || q != v[len(v)-1] {
			v = append(v, q)
		}
	}
	m := len(v) - 1 // edges
	if m < 3 {
		return true
	}
	o := func(a, b, c pt) int64 {
		d := (a.x-c.x)*(b.y-c.y) - (a.y-c.y)*(b.x-c.x)
		switch {
		case d > 0:
			return 1
		case d < 0:
			return -1
		}
		return 0
	}
	on := func(p, a, b pt) bool {
		return o(a, b, p) == 0 && min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) && min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
	}
	for i := range m {
		for j := i + 1; j < m; j++ {
			a, b, c, d := v[i], v[i+1], v[j], v[j+1]
			adjacent := j == i+1 || (i == 0 && j == m-1)
			if adjacent {
				// Sharing one vertex, they overlap when the far ends
				// are collinear with it and on the same side.
				s, x, y := b, a, d
				if i == 0 && j == m-1 && j != i+1 {
					s, x, y = a, b, c
				}
				if o(x, s, y) == 0 && (x.x-s.x)*(y.x-s.x)+(x.y-s.y)*(y.y-s.y) > 0 {
					return true
				}
				continue
			}
			o1, o2, o3, o4 := o(a, b, c), o(a, b, d), o(c, d, a), o(c, d, b)
			if o1*o2 < 0 && o3*o4 < 0 {
				return true
			}
			if on(c, a, b) || on(d, a, b) || on(a, c, d) || on(b, c, d) {
				return true
			}
		}
	}
	return false
}

func TestValidateAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	data := make([]byte, 24)
	for range 20_000 {
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		r := gridRing(data[:2*(3+rng.IntN(9))], 5)
		checkRingAgainstBruteForce(t, r)
	}
}

func checkRingAgainstBruteForce(t *testing.T, r orb.Ring) {
	t.Helper()
	if len(r) < 4 {
		return
	}
	err := Validate(orb.Polygon{r}, Options{})
	if want := bruteRingProblem(r); (err != nil) != want {
		t.Fatalf("ring %v: Validate = %v, brute force finds a problem: %v", r, err, want)
	}
}
