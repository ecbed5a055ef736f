package geo_test

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

	"github.com/areagraph/areagraph/geo"
)

// The conversions are checked against PROJ, the reference GDAL, QGIS and
// PostGIS share: to a millimetre on the grid side and 1e-8° (about a
// millimetre) on the longitude/latitude side.
const (
	projGridTolerance   = 0.001 // metres
	projLonLatTolerance = 1e-8  // degrees
)

// readReference reads a table testdata/crs/generate.sh wrote: per line a
// system's code, an input position and PROJ's output.
func readReference(t *testing.T, name string) map[string][][2]orb.Point {
	t.Helper()
	f, err := os.Open("testdata/crs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][][2]orb.Point{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 5 {
			t.Fatalf("%s: line %q", name, sc.Text())
		}
		var v [4]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(fs[i+1], 64); err != nil {
				t.Fatalf("%s: line %q: %v", name, sc.Text(), err)
			}
		}
		out[fs[0]] = append(out[fs[0]], [2]orb.Point{{v[0], v[1]}, {v[2], v[3]}})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// projectedSystems are the systems other than WGS 84.
func projectedSystems() []geo.CRS {
	return geo.SupportedCRS()[1:]
}

// compare checks every projected system's points in refs.
func compare(t *testing.T, what string, refs map[string][][2]orb.Point, toGrid bool) {
	t.Helper()
	for _, c := range projectedSystems() {
		if len(refs[c.Code]) == 0 {
			t.Errorf("%s: no reference points for %s", what, c.Code)
			continue
		}
		compareSystem(t, what, c, refs[c.Code], toGrid)
	}
}

// compareSystem converts each input of pairs to or from WGS 84 and checks
// it against PROJ's output, logging the largest deviation.
func compareSystem(t *testing.T, what string, c geo.CRS, pairs [][2]orb.Point, toGrid bool) {
	t.Helper()
	worstM, worstDeg := 0.0, 0.0
	for _, p := range pairs {
		var g orb.Geometry
		var err error
		if toGrid {
			g, err = geo.FromWGS84(p[0], c.Code)
		} else {
			g, err = geo.ToWGS84(p[0], c.Code)
		}
		if err != nil {
			t.Fatal(err)
		}
		got := g.(orb.Point)
		if toGrid {
			d := math.Hypot(got[0]-p[1][0], got[1]-p[1][1])
			worstM = max(worstM, d)
			if d > projGridTolerance {
				t.Errorf("%s %s: %v gives %.4f, PROJ %.4f: %.4f m apart", what, c.Code, p[0], got, p[1], d)
			}
		} else {
			d := max(math.Abs(got[0]-p[1][0]), math.Abs(got[1]-p[1][1]))
			worstDeg = max(worstDeg, d)
			if d > projLonLatTolerance {
				t.Errorf("%s %s: %v gives %.10f, PROJ %.10f: %.2g° apart", what, c.Code, p[0], got, p[1], d)
			}
		}
	}
	if toGrid {
		t.Logf("%s %s (%s): %d points, largest deviation from PROJ %.6f m", what, c.Code, c.Name, len(pairs), worstM)
	} else {
		t.Logf("%s %s (%s): %d points, largest deviation from PROJ %.2g° (about %.6f m)", what, c.Code, c.Name,
			len(pairs), worstDeg, worstDeg*111_320)
	}
}

func TestCRSReferenceTable(t *testing.T) {
	compare(t, "from WGS 84", readReference(t, "fromwgs84.txt"), true)
	compare(t, "to WGS 84", readReference(t, "towgs84.txt"), false)
}

// TestCRSAgainstCS2CS compares random positions across each system's area
// of use with what cs2cs, run here, makes of them, in both directions.
// scripts/test installs cs2cs (Debian proj-bin); without it the test fails.
func TestCRSAgainstCS2CS(t *testing.T) {
	cs2cs, err := exec.LookPath("cs2cs")
	if err != nil {
		t.Fatal("cs2cs not found: this test compares with PROJ's cs2cs; install it (Debian: apt-get install proj-bin) " +
			"or run scripts/test, which does")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	const n = 200
	for _, c := range projectedSystems() {
		use := areaOfUse(t, c.Code)
		var fwd, inv [][2]orb.Point
		lonLat := make([]orb.Point, n)
		var in bytes.Buffer
		for i := range lonLat {
			lonLat[i] = orb.Point{
				use.Min[0] + rng.Float64()*(use.Max[0]-use.Min[0]),
				use.Min[1] + rng.Float64()*(use.Max[1]-use.Min[1]),
			}
			// EPSG:4326 and the Swedish grids take latitude/northing first.
			fmt.Fprintf(&in, "%.12f %.12f\n", lonLat[i][1], lonLat[i][0])
		}
		grid := runCS2CS(t, cs2cs, in.Bytes(), "EPSG:4326", c.Code, n)
		in.Reset()
		for i, g := range grid {
			fwd = append(fwd, [2]orb.Point{lonLat[i], g})
			fmt.Fprintf(&in, "%.6f %.6f\n", g[1], g[0])
		}
		back := runCS2CS(t, cs2cs, in.Bytes(), c.Code, "EPSG:4326", n)
		for i, b := range back {
			// cs2cs read the grid position as printed, to the micrometre.
			g, _ := strconv.ParseFloat(fmt.Sprintf("%.6f", grid[i][0]), 64)
			h, _ := strconv.ParseFloat(fmt.Sprintf("%.6f", grid[i][1]), 64)
			inv = append(inv, [2]orb.Point{{g, h}, b})
		}
		t.Run(c.Code, func(t *testing.T) {
			compareSystem(t, "from WGS 84", c, fwd, true)
			compareSystem(t, "to WGS 84", c, inv, false)
		})
	}
}

// runCS2CS converts the lines in (first axis, second axis) from one
// system to another with cs2cs and returns the results with their axes
// exchanged: longitude/easting first.
func runCS2CS(t *testing.T, cs2cs string, in []byte, from, to string, n int) []orb.Point {
	t.Helper()
	cmd := exec.Command(cs2cs, "-d", "12", from, to)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cs2cs %s %s: %v", from, to, err)
	}
	var pts []orb.Point
	for line := range strings.Lines(string(out)) {
		fs := strings.Fields(line)
		if len(fs) < 2 {
			t.Fatalf("cs2cs %s %s: line %q", from, to, line)
		}
		a, err1 := strconv.ParseFloat(fs[0], 64)
		b, err2 := strconv.ParseFloat(fs[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("cs2cs %s %s: line %q", from, to, line)
		}
		pts = append(pts, orb.Point{b, a})
	}
	if len(pts) != n {
		t.Fatalf("cs2cs %s %s: %d results for %d positions", from, to, len(pts), n)
	}
	return pts
}

// areaOfUse reads a system's area of use from the table generate.sh
// writes its reference mesh over, so that the live points fall where the
// table's do.
func areaOfUse(t *testing.T, code string) orb.Bound {
	t.Helper()
	var b orb.Bound
	first := true
	for _, p := range readReference(t, "fromwgs84.txt")[code] {
		if first {
			b, first = p[0].Bound(), false
		}
		b = b.Extend(p[0])
	}
	if first {
		t.Fatalf("no area of use for %s", code)
	}
	return b
}
