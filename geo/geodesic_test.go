package geo

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// Tolerances against GeographicLib, whose own round-off is some 15 nm:
// distances within 15 nm, or 1e-9 relative for short lines whose length
// rests on the last bits of the coordinates' sines; azimuths within
// 1e-9°, or for short lines within an angle that moves the far end by a
// nanometre. The areas between geodesic and equator, up to a quarter of
// the Earth, within 0.1 m² or 1e-12 relative; on nearly antipodal lines
// 1e-10: there the strip rests on the azimuths, which near the line's
// vertex rest on the difference of the cosines of nearly equal reduced
// latitudes, and a last-bit difference between Go's sine and C's moves
// them by 1e-11°, some 20 m² of a 10¹² m² strip (the length does not
// move). Polygon areas within 1e-9 relative; but a polygon's area
// is the sum of such strips, each up to 10¹³ m², which cancel down to it,
// and double precision leaves the sum some 1e-4 m² uncertain however
// small the polygon (GeographicLib's series and exact solutions differ by
// up to 0.03 m² on hectare-sized rings), so 1e-3 m² is the floor.
const (
	geodDistTol          = 15e-9
	geodRelTol           = 1e-9
	geodAziTol           = 1e-9
	geodStripTol         = 0.1
	geodStripRelTol      = 1e-12
	geodStripAntipodeTol = 1e-10
	geodAreaAbsTol       = 1e-3
)

type inverseCase struct {
	kind                   string
	lat1, lon1, lat2, lon2 float64
	azi1, azi2, s12, area  float64
}

func parseFloats(t testing.TB, s string) []float64 {
	t.Helper()
	var out []float64
	for _, f := range strings.Fields(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}

// parseInverse reads "question | GeodSolve -f answer" lines.
func parseInverse(t testing.TB, kind, q, a string) inverseCase {
	in, out := parseFloats(t, q), parseFloats(t, a)
	if len(in) != 4 || len(out) != 12 {
		t.Fatalf("malformed case %q | %q", q, a)
	}
	return inverseCase{kind, in[0], in[1], in[2], in[3], out[2], out[5], out[6], out[11]}
}

func checkInverse(t *testing.T, c inverseCase) (distErr, aziErr, areaErr float64) {
	t.Helper()
	r := geodInverse(c.lat1, c.lon1, c.lat2, c.lon2, true)
	distErr = math.Abs(r.s12 - c.s12)
	if distErr > geodDistTol && distErr > geodRelTol*c.s12 {
		t.Errorf("%s %g %g %g %g: distance %.10f m, GeodSolve %.10f m", c.kind, c.lat1, c.lon1, c.lat2, c.lon2, r.s12, c.s12)
	}
	// Azimuths of lines under a metre rest on the last bits of the
	// coordinates; at the poles they depend on the longitude convention.
	if c.s12 > 1 && math.Abs(c.lat1) != 90 && math.Abs(c.lat2) != 90 {
		aziErr = math.Max(math.Abs(math.Remainder(r.azi1-c.azi1, 360)), math.Abs(math.Remainder(r.azi2-c.azi2, 360)))
		if aziErr > geodAziTol && aziErr*math.Pi/180*c.s12 > 1e-9 && !strings.Contains(c.kind, "antipodal") {
			t.Errorf("%s %g %g %g %g: azimuths %.12f %.12f, GeodSolve %.12f %.12f", c.kind, c.lat1, c.lon1, c.lat2, c.lon2, r.azi1, r.azi2, c.azi1, c.azi2)
		}
	}
	areaErr = math.Abs(r.area12 - c.area)
	relTol := geodStripRelTol
	if strings.Contains(c.kind, "antipodal") {
		relTol = geodStripAntipodeTol
	}
	if areaErr > geodStripTol && areaErr > relTol*math.Abs(c.area) {
		t.Errorf("%s %g %g %g %g: area to the equator %.3f m², GeodSolve %.3f m²", c.kind, c.lat1, c.lon1, c.lat2, c.lon2, r.area12, c.area)
	}
	return
}

func TestGeodesicInverseGeodSolveTable(t *testing.T) {
	f, err := os.Open("testdata/geodesic/inverse.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var worstDist, worstAzi, worstArea float64
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, " | ")
		if len(p) != 3 {
			t.Fatalf("malformed line %q", line)
		}
		d, a, s := checkInverse(t, parseInverse(t, p[0], p[1], p[2]))
		worstDist, worstAzi, worstArea = math.Max(worstDist, d), math.Max(worstAzi, a), math.Max(worstArea, s)
		n++
	}
	if n < 600 {
		t.Fatalf("only %d cases in the table", n)
	}
	t.Logf("%d geodesics: worst distance error %.3g m, azimuth %.3g°, area to the equator %.3g m²", n, worstDist, worstAzi, worstArea)
}

type planimeterCase struct {
	name string
	ring orb.Ring
	area float64
}

func parsePlanimeter(t testing.TB, name, verts, answer string) planimeterCase {
	var ring orb.Ring
	for _, v := range strings.Split(verts, ", ") {
		xy := parseFloats(t, v)
		ring = append(ring, orb.Point{xy[0], xy[1]})
	}
	a := parseFloats(t, answer)
	if len(a) != 3 {
		t.Fatalf("malformed Planimeter answer %q", answer)
	}
	return planimeterCase{name, ring, a[2]}
}

func checkPlanimeter(t *testing.T, c planimeterCase) float64 {
	t.Helper()
	got := ringGeodesicArea(c.ring)
	diff := math.Abs(got - c.area)
	rel := diff / math.Abs(c.area)
	if rel > geodRelTol && diff > geodAreaAbsTol {
		t.Errorf("%s: area %.5f m², Planimeter %.5f m² (relative %.2g)", c.name, got, c.area, rel)
	}
	closed := append(c.ring[:len(c.ring):len(c.ring)], c.ring[0])
	if GeodesicArea(closed) != math.Abs(got) {
		t.Errorf("%s: GeodesicArea of the closed ring %v, want %v", c.name, GeodesicArea(closed), math.Abs(got))
	}
	return rel
}

func TestGeodesicAreaPlanimeterTable(t *testing.T) {
	f, err := os.Open("testdata/geodesic/planimeter.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var worst float64
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, " | ")
		if len(p) != 3 {
			t.Fatalf("malformed line %q", line)
		}
		worst = math.Max(worst, checkPlanimeter(t, parsePlanimeter(t, p[0], p[1], p[2])))
		n++
	}
	t.Logf("%d polygons: worst relative area error %.3g", n, worst)
}

// geographicLibTool finds one of GeographicLib's command-line tools or
// fails the test saying how to install it.
func geographicLibTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (%v): install geographiclib-tools (Debian: apt-get install geographiclib-tools; scripts/test does this)", name, err)
	}
	return path
}

func runTool(t *testing.T, path string, args []string, in string) []string {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", path, err, stderr.String())
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

func decimal(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// TestGeodesicLiveGeographicLib asks GeodSolve and Planimeter about fresh
// random cases on every run; the seed is logged to replay a failure.
func TestGeodesicLiveGeographicLib(t *testing.T) {
	geodsolve := geographicLibTool(t, "GeodSolve")
	planimeter := geographicLibTool(t, "Planimeter")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

	var qs []string
	var kinds []string
	for i := range 400 {
		lat1, lon1 := u(-90, 90), u(-180, 180)
		lat2, lon2 := u(-90, 90), u(-180, 180)
		kind := "random"
		switch i % 4 {
		case 1:
			kind, lat2, lon2 = "short", lat1+u(-0.05, 0.05), lon1+u(-0.05, 0.05)
		case 2:
			kind, lat2, lon2 = "nearly-antipodal", -lat1+u(-0.3, 0.3), lon1+180+u(-0.3, 0.3)
		case 3:
			kind, lat1, lon1, lat2, lon2 = "sweden", u(55, 69), u(11, 24), u(55, 69), u(11, 24)
		}
		lat2 = math.Max(-90, math.Min(90, lat2))
		lon2 = math.Remainder(lon2, 360)
		kinds = append(kinds, kind)
		qs = append(qs, strings.Join([]string{decimal(lat1), decimal(lon1), decimal(lat2), decimal(lon2)}, " "))
	}
	answers := runTool(t, geodsolve, []string{"-i", "-f", "-p", "12"}, strings.Join(qs, "\n")+"\n")
	if len(answers) != len(qs) {
		t.Fatalf("GeodSolve answered %d lines for %d questions", len(answers), len(qs))
	}
	var worstDist float64
	for i := range qs {
		d, _, _ := checkInverse(t, parseInverse(t, kinds[i], qs[i], answers[i]))
		worstDist = math.Max(worstDist, d)
	}

	var in strings.Builder
	var rings []orb.Ring
	for range 40 {
		clat, clon := u(-75, 75), u(-180, 180)
		size := math.Pow(10, u(-3, 1))
		n := 3 + r.IntN(40)
		var ring orb.Ring
		for k := range n {
			a := 2 * math.Pi * (float64(k) + u(0, 0.8)) / float64(n)
			d := size * u(0.3, 1)
			p := orb.Point{math.Remainder(clon+d*math.Cos(a)/math.Cos(clat*math.Pi/180), 360), clat + d*math.Sin(a)}
			ring = append(ring, p)
			fmt.Fprintf(&in, "%s %s\n", decimal(p[1]), decimal(p[0]))
		}
		in.WriteString("\n")
		rings = append(rings, ring)
	}
	answers = runTool(t, planimeter, []string{"-p", "12"}, in.String())
	if len(answers) != len(rings) {
		t.Fatalf("Planimeter answered %d lines for %d polygons", len(answers), len(rings))
	}
	var worstArea float64
	for i, ring := range rings {
		a := parseFloats(t, answers[i])
		worstArea = math.Max(worstArea, checkPlanimeter(t, planimeterCase{fmt.Sprintf("random ring %d", i), ring, a[2]}))
	}
	t.Logf("worst distance error %.3g m, worst relative area error %.3g", worstDist, worstArea)
}

func BenchmarkGeodesicInverse(b *testing.B) {
	pairs := []struct {
		name string
		a, b orb.Point
	}{
		{"short", orb.Point{12.94, 57.72}, orb.Point{12.95, 57.73}},
		{"continental", orb.Point{12.94, 57.72}, orb.Point{-74, 40.7}},
		{"nearly antipodal", orb.Point{0, 30}, orb.Point{179.99, -30}},
	}
	for _, p := range pairs {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				GeodesicDistance(p.a, p.b)
			}
		})
	}
}

func BenchmarkGeodesicArea(b *testing.B) {
	m := loadMunicipalities(b)
	g := m["1490"]
	n := 0
	EachChain(g, func(pts []orb.Point) { n += len(pts) })
	b.Run(fmt.Sprintf("Borås %d vertices", n), func(b *testing.B) {
		for b.Loop() {
			GeodesicArea(g)
		}
	})
}

// Coordinates that are not numbers give NaN, not a hang in the iteration,
// and out-of-range latitudes are taken as the pole.
func TestGeodesicInverseOddInput(t *testing.T) {
	for _, p := range []orb.Point{{math.NaN(), 10}, {10, math.NaN()}, {math.Inf(1), 10}, {10, math.Inf(-1)}} {
		if d := GeodesicDistance(orb.Point{0, 0}, p); !math.IsNaN(d) {
			t.Errorf("distance to %v = %v, want NaN", p, d)
		}
	}
	if d, want := GeodesicDistance(orb.Point{0, 0}, orb.Point{0, 95}), GeodesicDistance(orb.Point{0, 0}, orb.Point{0, 90}); d != want {
		t.Errorf("latitude 95 gives %v m, the pole %v m", d, want)
	}
	if d := GeodesicDistance(orb.Point{370, 10}, orb.Point{10, 10}); d != 0 {
		t.Errorf("longitudes 360° apart are %v m apart", d)
	}
	if a := GeodesicArea(orb.Polygon{{{0, 0}, {math.NaN(), 1}, {1, 1}, {0, 0}}}); !math.IsNaN(a) {
		t.Errorf("area with a NaN vertex = %v, want NaN", a)
	}
}
