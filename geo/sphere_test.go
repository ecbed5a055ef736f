package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestDistanceToGeometry(t *testing.T) {
	boras := orb.Point{12.94, 57.72}
	// The nearest point is found on the sphere and the distance to it
	// measured on the ellipsoid; figures from GeodSolve -i -p 9.
	const (
		borasDegreeNorth = 111381.507433525 // 57.72 12.94 58.72 12.94
		equatorToOne     = 110574.388557799 // 0 0 1 0
		equatorDegree    = 111319.490793274 // 0 1 0 2
	)
	onArc := func(p, a, b orb.Point) float64 { return GeodesicDistance(p, bruteArcNearest(p, a, b)) }
	tests := []struct {
		name string
		p    orb.Point
		g    orb.Geometry
		want float64
		tol  float64
	}{
		{"same point", boras, boras, 0, 0},
		{"one degree north", boras, orb.Point{12.94, 58.72}, borasDegreeNorth, 1e-6},
		{"nearest of several points", boras, orb.MultiPoint{{12.94, 59.72}, {12.94, 58.72}}, borasDegreeNorth, 1e-6},
		{"inside polygon", orb.Point{12.92, 57.72}, squareWithHole, 0, 0},
		{"on polygon vertex", orb.Point{12.91, 57.71}, squareWithHole, 0, 0},
		// In the hole's middle, 0.01° of longitude from its west and east
		// edges, which are meridians.
		{"middle of the hole", orb.Point{12.94, 57.74}, squareWithHole, onArc(orb.Point{12.94, 57.74}, orb.Point{12.93, 57.75}, orb.Point{12.93, 57.73}), 1e-6},
		{"west of the square", orb.Point{12.90, 57.74}, squareWithHole, onArc(orb.Point{12.90, 57.74}, orb.Point{12.91, 57.77}, orb.Point{12.91, 57.71}), 1e-6},
		{"line", orb.Point{0, 1}, orb.LineString{{-1, 0}, {1, 0}}, equatorToOne, 1e-6},
		{"line beyond its end", orb.Point{2, 0}, orb.LineString{{-1, 0}, {1, 0}}, equatorDegree, 1e-6},
		// The top edge's great circle bows north, towards the point.
		{"bound", orb.Point{0, 2}, orb.Bound{Min: orb.Point{-1, 0}, Max: orb.Point{1, 1}}, onArc(orb.Point{0, 2}, orb.Point{1, 1}, orb.Point{-1, 1}), 1e-6},
		{"collection takes the nearest", orb.Point{12.94, 57.70}, orb.Collection{orb.Point{12.94, 59.72}, squareWithHole}, onArc(orb.Point{12.94, 57.70}, orb.Point{12.91, 57.71}, orb.Point{12.97, 57.71}), 1e-6},
		{"nil", boras, nil, math.Inf(1), 0},
		{"empty", boras, orb.Polygon{}, math.Inf(1), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DistanceToGeometry(tc.p, tc.g)
			if got != tc.want && !(math.Abs(got-tc.want) <= tc.tol) {
				t.Fatalf("DistanceToGeometry = %.9f, want %.9f", got, tc.want)
			}
		})
	}
	if d := DistanceToGeometry(orb.Point{math.NaN(), 0}, squareWithHole); !math.IsNaN(d) {
		t.Errorf("NaN point: got %v", d)
	}
}

// bruteArcDistance finds the distance on the sphere from p to the
// great-circle arc a–b by golden-section search along the arc: slow, but
// independent of the cross-track formula.
func bruteArcDistance(p, a, b orb.Point) float64 {
	return Distance(p, bruteArcNearest(p, a, b))
}

// bruteArcNearest is the point of the arc a–b nearest to p on the sphere,
// by the same search.
func bruteArcNearest(p, a, b orb.Point) orb.Point {
	av, bv := unitVector(a), unitVector(b)
	omega := angleBetween(av, bv)
	at := func(t float64) orb.Point {
		s0, s1 := math.Sin((1-t)*omega)/math.Sin(omega), math.Sin(t*omega)/math.Sin(omega)
		v := vec3{s0*av[0] + s1*bv[0], s0*av[1] + s1*bv[1], s0*av[2] + s1*bv[2]}
		return orb.Point{math.Atan2(v[1], v[0]) * 180 / math.Pi, math.Atan2(v[2], math.Hypot(v[0], v[1])) * 180 / math.Pi}
	}
	f := func(t float64) float64 { return Distance(p, at(t)) }
	lo, hi := 0.0, 1.0
	g := (math.Sqrt(5) - 1) / 2
	for hi-lo > 1e-13 {
		m1, m2 := hi-g*(hi-lo), lo+g*(hi-lo)
		if f(m1) < f(m2) {
			hi = m2
		} else {
			lo = m1
		}
	}
	best := at((lo + hi) / 2)
	for _, q := range []orb.Point{a, b} {
		if Distance(p, q) < Distance(p, best) {
			best = q
		}
	}
	return best
}

// TestArcDistanceAccuracy holds the cross-track computation to 0.1 mm
// against a brute-force search, for edges from 1 m to 20 km anywhere in
// Sweden and points up to 50 km away.
func TestArcDistanceAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(55, 69))
	worst := 0.0
	for i := range 2000 {
		a := orb.Point{11 + 13*rng.Float64(), 55 + 14*rng.Float64()}
		length := math.Pow(10, 4.3*rng.Float64()) // metres
		bearing := 2 * math.Pi * rng.Float64()
		b := offset(a, length, bearing)
		foot := offset(a, length*rng.Float64(), bearing)
		p := offset(foot, math.Pow(10, 4.7*rng.Float64()), 2*math.Pi*rng.Float64())
		f := arcDistance(p, unitVector(p), a, b)
		got := f.dist
		want := bruteArcDistance(p, a, b)
		diff := math.Abs(got - want)
		// The foot found is the nearest point: measured to on the
		// ellipsoid, it gives what the search's point gives.
		if d := math.Abs(GeodesicDistance(p, f.at) - GeodesicDistance(p, bruteArcNearest(p, a, b))); d > 1e-4 {
			t.Errorf("case %d: edge %v–%v, point %v: foot %v is %.6f m off the search's", i, a, b, p, f.at, d)
		}
		worst = math.Max(worst, diff)
		if diff > 1e-4 {
			t.Errorf("case %d: edge %v–%v, point %v: %.6f m, search finds %.6f m", i, a, b, p, got, want)
		}
	}
	t.Logf("largest difference %.3g m", worst)
}

// geodesicOffset moves p along the great circle of the bearing until it
// is d metres away on the ellipsoid, by bisection on GeodesicDistance.
func geodesicOffset(p orb.Point, d, bearing float64) orb.Point {
	lo, hi := 0.0, 2*d
	for range 80 {
		m := (lo + hi) / 2
		if GeodesicDistance(p, offset(p, m, bearing)) < d {
			lo = m
		} else {
			hi = m
		}
	}
	return offset(p, hi, bearing)
}

// offset moves p by d metres on an initial bearing (radians from north).
func offset(p orb.Point, d, bearing float64) orb.Point {
	lat1, lon1 := rad(p[1]), rad(p[0])
	ad := d / EarthRadius
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(ad) + math.Cos(lat1)*math.Sin(ad)*math.Cos(bearing))
	lon2 := lon1 + math.Atan2(math.Sin(bearing)*math.Sin(ad)*math.Cos(lat1), math.Cos(ad)-math.Sin(lat1)*math.Sin(lat2))
	return orb.Point{lon2 * 180 / math.Pi, lat2 * 180 / math.Pi}
}

func TestEdgeNormalIsCrossProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		a := orb.Point{360*rng.Float64() - 180, 170*rng.Float64() - 85}
		b := orb.Point{360*rng.Float64() - 180, 170*rng.Float64() - 85}
		n, want := edgeNormal(a, b), unitVector(a).cross(unitVector(b))
		if d := n.cross(want).norm() / (n.norm() * want.norm()); d > 1e-12 || n.dot(want) <= 0 {
			t.Fatalf("edgeNormal(%v, %v) = %v, not along a×b = %v", a, b, n, want)
		}
	}
}

// arcPoint is the point a fraction t of the way along the great-circle
// arc from a to b.
func arcPoint(a, b orb.Point, t float64) orb.Point {
	av, bv := unitVector(a), unitVector(b)
	omega := angleBetween(av, bv)
	s0, s1 := math.Sin((1-t)*omega)/math.Sin(omega), math.Sin(t*omega)/math.Sin(omega)
	v := vec3{s0*av[0] + s1*bv[0], s0*av[1] + s1*bv[1], s0*av[2] + s1*bv[2]}
	return orb.Point{math.Atan2(v[1], v[0]) * 180 / math.Pi, math.Atan2(v[2], math.Hypot(v[0], v[1])) * 180 / math.Pi}
}

// TestArcLatitudes holds arcLatitudes to the latitudes of many points
// sampled along random arcs: none beyond the range, and the range no
// wider than the samples reach (to sampling resolution).
func TestArcLatitudes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		a := orb.Point{rng.Float64()*60 - 30, rng.Float64()*170 - 85}
		b := orb.Point{a[0] + rng.Float64()*40 - 20, rng.Float64()*170 - 85}
		lo, hi := arcLatitudes(a, b)
		slo, shi := math.Inf(1), math.Inf(-1)
		for i := 0; i <= 1000; i++ {
			p := arcPoint(a, b, float64(i)/1000)
			slo, shi = math.Min(slo, p[1]), math.Max(shi, p[1])
			if p[1] < lo-1e-9 || p[1] > hi+1e-9 {
				t.Fatalf("arc %v–%v reaches latitude %v outside [%v, %v]", a, b, p[1], lo, hi)
			}
		}
		if slo-lo > 1e-3 || hi-shi > 1e-3 {
			t.Fatalf("arc %v–%v: [%v, %v] is wider than the sampled [%v, %v]", a, b, lo, hi, slo, shi)
		}
	}
	// The example of WithinBound's doc: two degrees along 58° N bow out by
	// over 400 m (0.0036°).
	if _, hi := arcLatitudes(orb.Point{12, 58}, orb.Point{14, 58}); hi-58 < 400/metresPerDegree {
		t.Errorf("a two-degree edge at 58° N reaches %v, want over 400 m north", hi)
	}
	if lo, hi := arcLatitudes(orb.Point{0, 10}, orb.Point{0, 10}); lo != 10 || hi != 10 {
		t.Errorf("a point arc spans [%v, %v]", lo, hi)
	}
}

// TestWithinBound checks that the box holds every point within the
// distance of an arc's points, that an edge over the antimeridian takes
// in every longitude, and that an empty geometry gives the empty box.
func TestWithinBound(t *testing.T) {
	// In Sweden and at the equator, where the meridian's curvature is
	// sharper than the sphere's and a metre spans more latitude.
	for _, line := range []orb.LineString{{{12, 58}, {14, 58}, {14.5, 57.2}}, {{-1, 0}, {1, 0.5}, {1.5, -0.3}}} {
		const d = 250.0
		b := WithinBound(line, d)
		for i := 1; i < len(line); i++ {
			for j := 0; j <= 200; j++ {
				p := arcPoint(line[i-1], line[i], float64(j)/200)
				for k := range 16 {
					q := offset(p, d, float64(k)*math.Pi/8)
					if !b.Contains(q) {
						t.Fatalf("%v, %v m from the line, is outside %v", q, d, b)
					}
					// And d metres on the ellipsoid, which in places is
					// further in degrees than on the sphere.
					q = geodesicOffset(p, d, float64(k)*math.Pi/8)
					if !b.Contains(q) {
						t.Fatalf("%v, %v m on the ellipsoid from the line, is outside %v", q, d, b)
					}
				}
			}
		}
	}
	if b := WithinBound(orb.LineString{{179.5, 10}, {-179.5, 10}}, 10); b.Min[0] != -180 || b.Max[0] != 180 {
		t.Errorf("an edge over the antimeridian gives %v, want every longitude", b)
	}
	// At the edges of the range a distance under the pad must not turn
	// the box inside out.
	for _, g := range []orb.Geometry{
		orb.LineString{{179.5, 10}, {-179.5, 10}},
		orb.Point{180, 10}, orb.Point{-180, -10}, orb.Point{0, 90}, orb.Point{0, -90},
		orb.LineString{{180, 89}, {180, 90}},
	} {
		for _, d := range []float64{0, 0.001, 10} {
			b := WithinBound(g, d)
			if b.IsEmpty() || b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 {
				t.Errorf("WithinBound(%v, %v) = %v, want a box in range", g, d, b)
			}
			EachChain(g, func(pts []orb.Point) {
				for _, p := range pts {
					if !b.Contains(p) {
						t.Errorf("WithinBound(%v, %v) = %v leaves out %v", g, d, b, p)
					}
				}
			})
		}
	}
	if b := WithinBound(orb.MultiPoint{}, 100); b != (orb.Bound{}) {
		t.Errorf("empty geometry gives %v", b)
	}
}
