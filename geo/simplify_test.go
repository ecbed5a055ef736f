package geo

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/geo/geotest"
	"github.com/paulmach/orb"
)

// local maps metres east and north of 12.9° E, 57.7° N (Borås) to a
// position, so that shapes can be drawn to size.
func local(x, y float64) orb.Point {
	return orb.Point{12.9 + x/(metresPerDegree*math.Cos(rad(57.7))), 57.7 + y/metresPerDegree}
}

func localRing(pts ...[2]float64) orb.Ring {
	r := make(orb.Ring, 0, len(pts)+1)
	for _, p := range pts {
		r = append(r, local(p[0], p[1]))
	}
	return append(r, r[0])
}

func localRect(x0, y0, x1, y1 float64) orb.Ring {
	return localRing([2]float64{x0, y0}, [2]float64{x1, y0}, [2]float64{x1, y1}, [2]float64{x0, y1})
}

func localCircle(cx, cy, r float64, n int) orb.Ring {
	pts := make([][2]float64, n)
	for i := range pts {
		a := 2 * math.Pi * float64(i) / float64(n)
		pts[i] = [2]float64{cx + r*math.Cos(a), cy + r*math.Sin(a)}
	}
	return localRing(pts...)
}

// mustBeValid fails unless g is valid with RFC 7946 winding.
func mustBeValid(t *testing.T, g orb.Geometry) {
	t.Helper()
	if err := Validate(g, Options{MaxVertices: -1}); err != nil {
		t.Fatalf("invalid result: %v\n%s", err, marshal(g))
	}
	if !windingOK(g) {
		t.Fatalf("result not wound as RFC 7946 asks: %s", marshal(g))
	}
}

func ringCounts(g orb.Geometry) []int {
	var out []int
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			out = append(out, len(r))
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, ringCounts(p)...)
		}
	}
	return out
}

func TestToleranceForZoom(t *testing.T) {
	tests := []struct {
		zoom, lat, want float64
	}{
		{0, 0, 156543.03392},
		{1, 0, 78271.51696},
		{11, 0, 76.437028281},
		{11, 57.7, 40.84431},
		{14, 57.7, 5.105539},
		{0, 60, 78271.51696},
		{0, -60, 78271.51696},
	}
	for _, tc := range tests {
		if got := ToleranceForZoom(tc.zoom, tc.lat); math.Abs(got-tc.want) > 1e-4*tc.want {
			t.Errorf("ToleranceForZoom(%v, %v) = %v, want %v", tc.zoom, tc.lat, got, tc.want)
		}
	}
	if got := ToleranceForZoom(10, 90); got > 1e-9 {
		t.Errorf("at the pole: %v, want 0", got)
	}
}

// TestSimplifyBothAxes: a 60 m bump on an east–west edge and one on a
// north–south edge go at the same tolerance, at 60° N where a degree of
// longitude is half a degree of latitude.
func TestSimplifyBothAxes(t *testing.T) {
	dy := 60 / metresPerDegree
	dx := 60 / (metresPerDegree * math.Cos(rad(60)))
	poly := orb.Polygon{{
		{12.9, 60}, {12.91, 60 - dy}, {12.92, 60}, {12.92 + dx, 60.005},
		{12.92, 60.01}, {12.9, 60.01}, {12.9, 60},
	}}
	for _, tc := range []struct {
		tol  float64
		want int
	}{{50, 7}, {70, 5}} {
		got := Simplify(poly, tc.tol).(orb.Polygon)
		mustBeValid(t, got)
		if len(got[0]) != tc.want {
			t.Errorf("tolerance %v m: %d positions, want %d: %v", tc.tol, len(got[0]), tc.want, got)
		}
	}
}

func TestSimplifyCases(t *testing.T) {
	square := orb.Polygon{localRect(0, 0, 2000, 2000)}
	// Midpoints on the edges and a 3 m wobble are detail.
	detailed := orb.Polygon{localRing(
		[2]float64{0, 0}, [2]float64{1000, 3}, [2]float64{2000, 0}, [2]float64{2000, 1000},
		[2]float64{2000, 2000}, [2]float64{1000, 2000}, [2]float64{0, 2000}, [2]float64{0, 1000},
	)}
	withSmallHole := orb.Polygon{square[0], reverseRing(localRect(500, 500, 550, 550))}
	withLargeHole := orb.Polygon{square[0], reverseRing(localRect(500, 500, 1500, 1500))}
	twoSmall := orb.MultiPolygon{{localRect(0, 0, 100, 100)}, {localRect(1000, 0, 1200, 200)}}
	bigAndSmall := orb.MultiPolygon{{localRect(0, 0, 100, 100)}, {localRect(1000, 0, 3000, 2000)}}
	tests := []struct {
		name string
		in   orb.Geometry
		tol  float64
		want []int // positions per ring, in order
	}{
		{"square stays", square, 100, []int{5}},
		{"detail goes", detailed, 10, []int{5}},
		// Midpoints on straight edges go at any tolerance.
		{"wobble stays below tolerance", detailed, 2, []int{6}},
		{"clockwise shell", orb.Polygon{reverseRing(detailed[0])}, 10, []int{5}},
		{"small hole dropped", withSmallHole, 100, []int{5}},
		{"small hole kept at fine tolerance", withSmallHole, 10, []int{5, 5}},
		{"large hole kept", withLargeHole, 100, []int{5, 5}},
		// Both parts too small: the larger stays, as a triangle.
		{"all parts collapse", twoSmall, 1000, []int{4}},
		{"small part dropped", bigAndSmall, 150, []int{5}},
		{"small polygon kept as triangle", orb.Polygon{localRect(0, 0, 100, 100)}, 1000, []int{4}},
		{"ring", localRect(0, 0, 2000, 2000), 100, []int{5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := orb.Clone(tc.in)
			got := Simplify(tc.in, tc.tol)
			if !orb.Equal(tc.in, before) {
				t.Fatal("input changed")
			}
			if got.GeoJSONType() != tc.in.GeoJSONType() {
				t.Fatalf("type %s, want %s", got.GeoJSONType(), tc.in.GeoJSONType())
			}
			if r, ok := got.(orb.Ring); ok {
				got = orb.Polygon{r}
			}
			mustBeValid(t, got)
			if c := ringCounts(got); !slices.Equal(c, tc.want) {
				t.Errorf("ring sizes %v, want %v: %v", c, tc.want, got)
			}
		})
	}
}

func TestSimplifyOtherTypes(t *testing.T) {
	zigzag := orb.LineString{local(0, 0), local(100, 3), local(200, -3), local(300, 0), local(300, 0), local(400, 500)}
	closed := orb.LineString{local(0, 0), local(5, 1), local(10, 0), local(5, -1), local(0, 0)}
	tests := []struct {
		name string
		in   orb.Geometry
		want orb.Geometry
	}{
		{"nil", nil, nil},
		{"point", orb.Point{12.9, 57.7}, orb.Point{12.9, 57.7}},
		{"multipoint", orb.MultiPoint{{12.9, 57.7}, {12.9, 57.7}}, orb.MultiPoint{{12.9, 57.7}, {12.9, 57.7}}},
		{"bound", orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{3, 4}}, orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{3, 4}}},
		{"zigzag", zigzag, orb.LineString{zigzag[0], zigzag[3], zigzag[5]}},
		// A closed line keeps a third position, so it keeps its length.
		{"closed line", closed, orb.LineString{closed[0], closed[2], closed[4]}},
		{"two-point line", orb.LineString{{1, 2}, {3, 4}}, orb.LineString{{1, 2}, {3, 4}}},
		{"line with no length", orb.LineString{{1, 2}, {1, 2}}, orb.LineString{{1, 2}, {1, 2}}},
		{"multilinestring", orb.MultiLineString{zigzag, closed}, orb.MultiLineString{{zigzag[0], zigzag[3], zigzag[5]}, {closed[0], closed[2], closed[4]}}},
		{"collection", orb.Collection{orb.Point{1, 2}, zigzag}, orb.Collection{orb.Point{1, 2}, orb.LineString{zigzag[0], zigzag[3], zigzag[5]}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Simplify(tc.in, 20)
			if !geomEqual(got, tc.want) {
				t.Errorf("Simplify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSimplifyNoTolerance(t *testing.T) {
	in := orb.Polygon{reverseRing(localRect(0, 0, 100, 100))}
	for _, tol := range []float64{0, -1, math.NaN()} {
		got := Simplify(in, tol)
		if !orb.Equal(got, in) {
			t.Errorf("tolerance %v: %v, want the input", tol, got)
		}
		got.(orb.Polygon)[0][0] = orb.Point{}
		if in[0][0] == (orb.Point{}) {
			t.Fatalf("tolerance %v: result shares memory with the input", tol)
		}
	}
}

// TestSimplifyInvalidInput: an invalid polygon comes back unchanged
// unless simplifying happens to make it valid.
func TestSimplifyInvalidInput(t *testing.T) {
	bowTie := orb.Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}
	if got := Simplify(bowTie, 1); !orb.Equal(got, bowTie) {
		t.Errorf("Simplify(bow-tie) = %v, want it unchanged", got)
	}
	// At 1000 km it is smaller than the tolerance and kept as a triangle.
	mustBeValid(t, Simplify(bowTie, 1e6))
	if got := Round(bowTie, 0); !orb.Equal(got, bowTie) {
		t.Errorf("Round(bow-tie) = %v, want it unchanged", got)
	}
}

// TestSimplifyHoleInPeninsula: at 100 m the 80 m-deep peninsula would go,
// leaving the hole in it outside the shell; the shell is simplified again
// at 50 m and keeps the peninsula.
func TestSimplifyHoleInPeninsula(t *testing.T) {
	poly := orb.Polygon{
		localRing(
			[2]float64{0, 0}, [2]float64{300, 0}, [2]float64{300, -80}, [2]float64{800, -80},
			[2]float64{800, 0}, [2]float64{2000, 0}, [2]float64{2000, 2000}, [2]float64{0, 2000},
		),
		reverseRing(localRect(350, -70, 750, -10)),
	}
	got := Simplify(poly, 100).(orb.Polygon)
	mustBeValid(t, got)
	if len(got) != 2 {
		t.Fatalf("%d rings, want the hole kept", len(got))
	}
	if !slices.Contains(got[0], local(300, -80)) {
		t.Errorf("peninsula lost: %v", got[0])
	}
	// The check is not vacuous: the shell alone loses its peninsula.
	if alone := Simplify(orb.Polygon{poly[0]}, 100).(orb.Polygon); slices.Contains(alone[0], local(300, -80)) {
		t.Errorf("shell alone kept its peninsula: %v", alone[0])
	}
}

// TestSimplifyIslandInLake: the lake is too small to show at 1040 m and
// goes; the island in it, a triangle of larger area than what is left of
// the lake, would then lie on land and goes with it.
func TestSimplifyIslandInLake(t *testing.T) {
	island := localRing(
		[2]float64{5000 + 950*math.Cos(rad(90)), 5000 + 950*math.Sin(rad(90))},
		[2]float64{5000 + 950*math.Cos(rad(210)), 5000 + 950*math.Sin(rad(210))},
		[2]float64{5000 + 950*math.Cos(rad(330)), 5000 + 950*math.Sin(rad(330))},
	)
	mp := orb.MultiPolygon{
		{localRect(0, 0, 10000, 10000), reverseRing(localCircle(5000, 5000, 1000, 64))},
		{island},
	}
	mustBeValid(t, mp)
	got := Simplify(mp, 1040).(orb.MultiPolygon)
	mustBeValid(t, got)
	if c := ringCounts(got); !slices.Equal(c, []int{5}) {
		t.Errorf("ring sizes %v, want the land alone: %v", c, got)
	}
	// At 900 m the lake stays, and so does the island.
	got = Simplify(mp, 900).(orb.MultiPolygon)
	mustBeValid(t, got)
	if len(got) != 2 || len(got[0]) != 2 {
		t.Errorf("at 900 m: %v, want lake and island", got)
	}
}

// TestSimplifyComb: teeth 55 m apart at a tolerance of 200 m fold onto
// each other unless rings are simplified again with less tolerance.
func TestSimplifyComb(t *testing.T) {
	poly := orb.Polygon{comb(300)}
	for _, tol := range []float64{20, 60, 200, 1000, 5000, 50000} {
		got := Simplify(poly, tol)
		mustBeValid(t, got)
		if n, m := CountVertices(got), CountVertices(poly); n > m {
			t.Errorf("tolerance %v: %d vertices from %d", tol, n, m)
		}
	}
}

// TestSimplifyMunicipalities runs every municipality through the zooms a
// map shows them at. Every result is valid, no larger than the input, and
// no vertex of the input lies farther from the result's boundary than the
// tolerance (with 1% for the difference between the metre Simplify counts,
// 1/111320 of a degree, and the metre of the sphere DistanceToGeometry
// measures on).
func TestSimplifyMunicipalities(t *testing.T) {
	m := loadMunicipalities(t)
	codes := make([]string, 0, len(m))
	for code := range m {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, zoom := range []float64{4, 6, 8, 10, 12} {
		tol := ToleranceForZoom(zoom, 62)
		for _, code := range codes {
			g := m[code]
			got := Simplify(g, tol)
			if err := Validate(got, Options{}); err != nil {
				t.Fatalf("%s at zoom %v: %v", code, zoom, err)
			}
			if !windingOK(got) {
				t.Fatalf("%s at zoom %v: wrong winding", code, zoom)
			}
			if CountVertices(got) > CountVertices(g) {
				t.Errorf("%s at zoom %v: more vertices than before", code, zoom)
			}
			if zoom >= 8 {
				checkWithinTolerance(t, g, got, tol*1.01)
			}
		}
	}
}

// checkWithinTolerance fails if a vertex of a kept ring of in lies
// farther than tol metres from the boundary of out. Rings of in whose
// area falls below tol² may be dropped, so only vertices of larger rings
// are checked. Edges are straight in degrees, as they are drawn and
// validated, not great-circle arcs, which bow away from them by hundreds
// of metres over a 100 km edge at 60° N; so out's edges are cut into
// pieces of at most 500 m, along which arc and straight line part by less
// than a centimetre, before DistanceToGeometry measures to them.
func checkWithinTolerance(t *testing.T, in, out orb.Geometry, tol float64) {
	t.Helper()
	var pieces []orb.LineString
	var ps parts
	ps.add(out)
	for _, p := range ps.polys {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				a, b := r[i], r[i+1]
				n := int(math.Ceil(Distance(a, b) / 500))
				prev := a
				for k := 1; k <= n; k++ {
					f := float64(k) / float64(n)
					next := orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
					pieces = append(pieces, orb.LineString{prev, next})
					prev = next
				}
			}
		}
	}
	bounds := make([]orb.Bound, len(pieces))
	for i, l := range pieces {
		bounds[i] = l.Bound()
	}
	var src parts
	src.add(in)
	for _, p := range src.polys {
		for _, r := range p {
			if GeodesicArea(orb.Polygon{r}) < 10*tol*tol {
				continue
			}
			for _, v := range r {
				near := RadiusBound(v, tol)
				var nearby orb.MultiLineString
				for i, b := range bounds {
					if b.Intersects(near) {
						nearby = append(nearby, pieces[i])
					}
				}
				if d := DistanceToGeometry(v, nearby); d > tol {
					t.Fatalf("vertex %v is %.1f m from the simplified boundary; tolerance %.1f m", v, d, tol)
				}
			}
		}
	}
}

// TestSimplifyRoundEdgeCases writes the shared valid edge cases, Borås
// and a wobbly circle, simplified and rounded, to a golden file, and
// checks that each result is valid.
func TestSimplifyRoundEdgeCases(t *testing.T) {
	var golden bytes.Buffer
	emit := func(name string, g orb.Geometry) {
		if _, ok := g.(orb.Ring); ok {
			g = orb.Polygon{g.(orb.Ring)}
		}
		if err := Validate(g, Options{MaxVertices: -1}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		data, err := AppendGeoJSON(nil, g)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		fmt.Fprintf(&golden, "%s: %d vertices\n%s\n\n", name, CountVertices(g), data)
	}
	for _, tc := range geotest.EdgeCases() {
		if !tc.Valid {
			continue
		}
		for _, tol := range []float64{100, 20000, 1e6} {
			emit(fmt.Sprintf("%s, simplified at %g m", tc.Name, tol), Simplify(tc.Geometry, tol))
		}
		emit(tc.Name+", rounded to 1 decimal", Round(tc.Geometry, 1))
	}
	boras := loadMunicipalities(t)["1490"]
	for _, zoom := range []float64{6, 8, 10} {
		emit(fmt.Sprintf("Borås at zoom %g", zoom), Simplify(boras, ToleranceForZoom(zoom, 57.7)))
	}
	emit("Borås rounded to 2 decimals", Round(boras, 2))
	circle := orb.Polygon{wobblyCircle(500, 11)}
	for _, tol := range []float64{50, 500, 5000} {
		emit(fmt.Sprintf("wobbly circle at %g m", tol), Simplify(circle, tol))
	}
	const path = "testdata/simplify/edgecases.golden"
	if *update {
		if err := os.MkdirAll("testdata/simplify", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, golden.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./geo -run TestSimplifyRoundEdgeCases -update)", err)
	}
	if !bytes.Equal(golden.Bytes(), want) {
		t.Errorf("output differs from %s; if the change is intended, rerun with -update", path)
	}
}

// TestSimplifyRoundStars runs random stars, with holes and several parts,
// through Simplify and Round at many tolerances; every result is valid.
func TestSimplifyRoundStars(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 30
	}
	for seed := range uint64(n) {
		g := randomAreas(seed, int(seed%97)+3, uint8(seed))
		if err := Validate(g, Options{}); err != nil {
			t.Fatalf("seed %d: generator made an invalid shape: %v", seed, err)
		}
		for _, tol := range []float64{1, 30, 300, 3000} {
			if err := Validate(Simplify(g, tol), Options{}); err != nil {
				t.Fatalf("seed %d, Simplify at %v m: %v", seed, tol, err)
			}
		}
		for _, d := range []int{1, 2, 3, 4} {
			if err := Validate(Round(g, d), Options{}); err != nil {
				t.Fatalf("seed %d, Round to %d: %v", seed, d, err)
			}
		}
	}
}

// TestSimplifyRetries makes sure the shapes above exercise the retries:
// simplifying each ring on its own, with nothing redone, leaves many of
// the crowded parts and combs invalid, which Simplify must repair.
func TestSimplifyRetries(t *testing.T) {
	naiveInvalid := 0
	for seed := range uint64(120) {
		g := randomAreas(seed, int(seed%60)+8, uint8(4+seed%2))
		polys := polygonsOf(g)
		for _, tol := range []float64{3, 30, 300} {
			var naive orb.MultiPolygon
			for _, p := range polys {
				var np orb.Polygon
				for _, r := range p {
					np = append(np, newRingVersions(r, tol).at(0))
				}
				naive = append(naive, np)
			}
			if Validate(naive, Options{}) != nil {
				naiveInvalid++
			}
			mustBeValid(t, Simplify(g, tol))
		}
	}
	if naiveInvalid < 20 {
		t.Errorf("only %d of 360 naive simplifications invalid; the shapes no longer test the retries", naiveInvalid)
	}
	t.Logf("%d of 360 naive simplifications invalid", naiveInvalid)
}

// TestSimplifyRoundAllEdgeCases: every shared edge case, valid or not,
// goes through Simplify and Round without a panic and keeps its type;
// what was valid stays valid, and an invalid area comes back unchanged
// or valid.
func TestSimplifyRoundAllEdgeCases(t *testing.T) {
	for _, tc := range geotest.EdgeCases() {
		t.Run(tc.Name, func(t *testing.T) {
			var outs []orb.Geometry
			for _, tol := range []float64{-1, 1, 100, 1e4, 1e7, math.Inf(1)} {
				outs = append(outs, Simplify(tc.Geometry, tol))
			}
			for _, d := range []int{-1, 0, 2, 5, 15, 16} {
				outs = append(outs, Round(tc.Geometry, d))
			}
			for i, out := range outs {
				if fmt.Sprintf("%T", out) != fmt.Sprintf("%T", tc.Geometry) {
					t.Errorf("result %d is a %T", i, out)
				}
				err := Validate(out, Options{})
				switch {
				case tc.Valid && err != nil:
					t.Errorf("result %d invalid: %v", i, err)
				case !tc.Valid && err != nil && areal(tc.Geometry) && fmt.Sprint(out) != fmt.Sprint(tc.Geometry):
					t.Errorf("result %d of invalid input changed and still invalid: %v", i, out)
				}
			}
		})
	}
}
