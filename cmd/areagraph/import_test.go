package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/geo"
)

const municipalitiesFile = "../../testdata/swedish_municipalities.geojson"

// cli runs areagraph against one database.
type cli struct {
	t   *testing.T
	env map[string]string
}

// newCLI gives a test a migrated PostGIS schema of its own.
func newCLI(t *testing.T) *cli {
	t.Helper()
	c := &cli{t: t, env: map[string]string{"DATABASE_URL": pgtest.SchemaURL(t)}}
	c.must("migrate")
	return c
}

// run runs one command and returns what it wrote and its error.
func (c *cli) run(args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = Main(context.Background(), args, func(k string) string { return c.env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func (c *cli) must(args ...string) string {
	c.t.Helper()
	out, stderr, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("areagraph %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if stderr != "" {
		// Progress goes to a terminal only; a buffer is not one.
		c.t.Errorf("areagraph %s wrote to stderr: %q", strings.Join(args, " "), stderr)
	}
	return out
}

// fails runs a command that must fail with an error holding every part.
func (c *cli) fails(args []string, parts ...string) {
	c.t.Helper()
	_, _, err := c.run(args...)
	if err == nil {
		c.t.Errorf("areagraph %s succeeded", strings.Join(args, " "))
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			c.t.Errorf("areagraph %s: error %q does not say %q", strings.Join(args, " "), err, p)
		}
	}
}

func (c *cli) store() db.Store {
	c.t.Helper()
	s, err := postgis.Open(context.Background(), c.env["DATABASE_URL"])
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(s.Close)
	return s
}

// idsByCode lists every area as code → id.
func idsByCode(t *testing.T, s db.Store) map[string]int64 {
	t.Helper()
	all, err := s.Areas(context.Background(), db.AreaFilter{}, db.Page{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, a := range all.Items {
		out[a.Code] = a.ID
	}
	return out
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportExportNeedDatabase(t *testing.T) {
	for _, args := range [][]string{
		{"import", "areas", municipalitiesFile},
		{"import", "indicators", "values.csv"},
		{"export", "areas"},
		{"export", "indicators"},
		{"import", "definitions", "definitions.json"},
		{"export", "definitions"},
	} {
		err := Main(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
			t.Errorf("%s without a database: %v", strings.Join(args, " "), err)
		}
	}
	for _, args := range [][]string{{"import"}, {"import", "people", "x"}, {"export", "people"}} {
		if err := Main(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
			t.Errorf("%s was accepted", strings.Join(args, " "))
		}
	}
}

func TestImportMunicipalities(t *testing.T) {
	c := newCLI(t)
	args := []string{"import", "areas", municipalitiesFile, "--code-prop", "id", "--name-prop", "kom_namn", "--kind", "MUNICIPALITY"}
	out := c.must(args...)
	if !strings.Contains(out, ": 290 added, 0 changed, 0 unchanged") || !strings.Contains(out, geo.CRSWGS84) {
		t.Errorf("import said %q", out)
	}
	s := c.store()
	first := idsByCode(t, s)
	if len(first) != 290 {
		t.Fatalf("%d areas after the import, want 290", len(first))
	}
	boras, err := s.AreaByCode(t.Context(), "1490")
	if err != nil {
		t.Fatal(err)
	}
	b := boras.Geometry.Bound()
	if boras.Name != "Borås" || boras.Kind != db.KindMunicipality || boras.ParentID != 0 ||
		math.Abs(b.Min[0]-12.633) > 0.001 || math.Abs(b.Max[1]-57.934) > 0.001 {
		t.Errorf("Borås came in as %q %s, parent %d, bound %v", boras.Name, boras.Kind, boras.ParentID, b)
	}
	// Again: every code keeps its id, and nothing is added.
	c.must(args...)
	if again := idsByCode(t, s); !maps.Equal(again, first) {
		t.Errorf("ids changed on the second import (%d areas)", len(again))
	}
}

// TestExportImportRoundTrip holds the export and import commands to each
// other: what one database exports imports into it again, or into an empty
// one, and exports the very same bytes. What the files hold is tested in
// transfer.
func TestExportImportRoundTrip(t *testing.T) {
	c := newCLI(t)
	c.must("seed")
	areas := c.must("export", "areas")
	values := c.must("export", "indicators")
	defs := c.must("export", "definitions")
	areasFile := writeFile(t, "areas.geojson", areas)
	defsFile := writeFile(t, "definitions.json", defs)
	valuesFile := writeFile(t, "values.csv", values)

	s := c.store()
	before := idsByCode(t, s)
	c.must("import", "areas", areasFile)
	c.must("import", "indicators", valuesFile)
	if after := idsByCode(t, s); !maps.Equal(after, before) {
		t.Error("re-importing the export changed ids or the number of areas")
	}
	if got := c.must("export", "areas"); got != areas {
		t.Errorf("areas export after re-import differs (%d bytes, were %d)", len(got), len(areas))
	}
	if got := c.must("export", "indicators"); got != values {
		t.Errorf("values export after re-import differs (%d bytes, were %d)", len(got), len(values))
	}

	if out := c.must("import", "definitions", defsFile); !strings.Contains(out, fmt.Sprintf("0 created, 0 updated, %d unchanged", len(demo.Dataset().Indicators))) {
		t.Errorf("re-importing the definitions said %q", out)
	}

	// Into an empty database: areas, then definitions, then values.
	fresh := newCLI(t)
	fresh.must("import", "areas", areasFile)
	fresh.fails([]string{"import", "indicators", valuesFile}, "does not exist")
	fresh.fails([]string{"import", "definitions", writeFile(t, "bad.json", "[\n{\"name\":\"N\",\"unit\":\"%\"}\n]")},
		"bad.json:2", "definition 1", `"code" is missing`)
	if out := fresh.must("import", "definitions", defsFile); !strings.Contains(out, fmt.Sprintf("%d created, 0 updated, 0 unchanged", len(demo.Dataset().Indicators))) {
		t.Errorf("importing the definitions said %q", out)
	}
	fresh.must("import", "indicators", valuesFile)
	if got := fresh.must("export", "definitions"); got != defs {
		t.Errorf("definitions export of the fresh database differs (%d bytes, were %d)", len(got), len(defs))
	}
	if got := fresh.must("export", "areas"); got != areas {
		t.Errorf("areas export of the fresh database differs (%d bytes, were %d)", len(got), len(areas))
	}
	if got := fresh.must("export", "indicators"); got != values {
		t.Errorf("values export of the fresh database differs (%d bytes, were %d)", len(got), len(values))
	}

	// --kind selects, in any case.
	priority := c.must("export", "areas", "--kind", "priority_area")
	if n := strings.Count(priority, `"kind":"PRIORITY_AREA"`); n != 5 || strings.Count(priority, `"type":"Feature"`) != 5 {
		t.Errorf("priority areas export has %d priority areas of %d features", n, strings.Count(priority, `"type":"Feature"`))
	}
	if both := c.must("export", "areas", "--kind", "priority_area, DISTRICT"); strings.Count(both, `"type":"Feature"`) <= 5 {
		t.Errorf("priority areas and districts export has %d features", strings.Count(both, `"type":"Feature"`))
	}
	c.fails([]string{"export", "indicators", "--kind", "DISTRICT"}, "areas only")
	c.fails([]string{"export", "areas", "--kind", "COUNTY"}, "COUNTY")
}

// TestImportAreasFlags holds the flags of "import areas" to what they
// say: the properties to read, one kind for all, and the coordinate
// system, told from the file unless --crs names it. What the importer
// makes of a file is tested in transfer.
func TestImportAreasFlags(t *testing.T) {
	c := newCLI(t)
	c.must("seed") // Borås, 1490, is the parent
	sq := orb.Polygon{{{12.90, 57.70}, {12.92, 57.70}, {12.92, 57.72}, {12.90, 57.72}, {12.90, 57.70}}}
	geom, err := geo.AppendGeoJSON(nil, geo.ToSWEREF99TMFromWGS84(sq))
	if err != nil {
		t.Fatal(err)
	}
	deso := writeFile(t, "deso.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature",`+
		`"properties":{"deso":"1490C1001","kommun":"1490"},"geometry":`+string(geom)+`}]}`)
	args := []string{"import", "areas", deso, "--code-prop", "deso", "--name-prop", "deso", "--parent-prop", "kommun",
		"--kind", "statistical_area"}
	if out := c.must(args...); out != "imported areas from "+deso+" (coordinates in "+geo.CRSSWEREF99TM+"): 1 added, 0 changed, 0 unchanged\n" {
		t.Errorf("import said %q", out)
	}
	s := c.store()
	a, err := s.AreaByCode(t.Context(), "1490C1001")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.AreaByCode(t.Context(), "1490"); err != nil || a.ParentID != p.ID || a.Kind != db.KindStatisticalArea ||
		a.Name != "1490C1001" || a.Geometry.Bound().Min.Lat() < 57.69 {
		t.Errorf("imported %s %q (%s), parent %d, bound %v", a.Code, a.Name, a.Kind, a.ParentID, a.Geometry.Bound())
	}
	c.fails(append(slices.Clone(args), "--crs", "EPSG:4326"), "deso.geojson: feature 1", "out of range")

	// A square at Jönköping in SWEREF 99 13 30 without a "crs" member is
	// refused rather than taken as SWEREF 99 TM; named, it is converted,
	// and then lies outside its parent Borås, which --force lets through.
	jkp, err := geo.FromWGS84(orb.Polygon{{{14.15, 57.77}, {14.19, 57.77}, {14.19, 57.79}, {14.15, 57.79}, {14.15, 57.77}}}, "EPSG:3008")
	if err != nil {
		t.Fatal(err)
	}
	if geom, err = geo.AppendGeoJSON(nil, jkp); err != nil {
		t.Fatal(err)
	}
	zone := writeFile(t, "zone.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature",`+
		`"properties":{"deso":"1490C1002","kommun":"1490"},"geometry":`+string(geom)+`}]}`)
	args[2] = zone
	c.fails(args, "zone.geojson: feature 1", "EPSG:3008", "--crs")
	c.fails(append(slices.Clone(args), "--crs", "3008"), "zone.geojson: feature 1", "lies 100 % outside its parent Borås", "--force")
	if _, err := s.AreaByCode(t.Context(), "1490C1002"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("after the refused imports: %v", err)
	}
	if out := c.must(append(slices.Clone(args), "--crs", "EPSG:3008", "--force")...); out != "imported areas from "+zone+" (coordinates in EPSG:3008): 1 added, 0 changed, 0 unchanged\n" {
		t.Errorf("import said %q", out)
	}
	if a, err := s.AreaByCode(t.Context(), "1490C1002"); err != nil || a.Geometry.Bound().Min.Lon() < 14.14 {
		t.Errorf("the square at Jönköping: %v, %v", a, err)
	}
	args[2] = deso
	c.fails(append(slices.Clone(args[:3]), "--code-prop", "deso", "--kind", "STATISTICAL_AREA"), "feature 1", `property "name"`)
}

// TestImportRejects holds the import commands to their flags and to
// naming the file in what they refuse, having written nothing. The
// importers' errors are tested one by one in transfer.
func TestImportRejects(t *testing.T) {
	c := newCLI(t)
	c.must("seed")
	s := c.store()
	before := idsByCode(t, s)
	valuesBefore, err := s.IndicatorValues(t.Context(), db.ValueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	square := `{"type":"Polygon","coordinates":[[[12.9,57.7],[13,57.7],[13,57.8],[12.9,57.8],[12.9,57.7]]]}`
	feature := func(props string) string {
		return `{"type":"Feature","properties":` + props + `,"geometry":` + square + `}`
	}
	good := feature(`{"code":"N1","name":"New","kind":"DISTRICT","parent":"1490"}`)
	fc := func(feats ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(feats, ",\n") + `]}`
	}
	areaCases := []struct {
		name, body string
		args       []string
		parts      []string
	}{
		{"no code", fc(good, feature(`{"name":"New","kind":"DISTRICT"}`)), nil,
			[]string{"feature 2", `property "code"`, "--code-prop"}},
		{"unknown parent", fc(good, feature(`{"code":"N2","name":"New","kind":"DISTRICT","parent":"9999"}`)),
			nil, []string{"feature 2", `parent "9999" does not exist`}},
		{"both kind flags", fc(good), []string{"--kind", "DISTRICT", "--kind-prop", "k"}, []string{"not both"}},
		{"bad --kind", fc(good), []string{"--kind", "COUNTY"}, []string{"--kind COUNTY", "MUNICIPALITY"}},
		{"bad --crs", fc(good), []string{"--crs", "EPSG:3857"}, []string{"--crs", "EPSG:3857"}},
	}
	for _, tc := range areaCases {
		path := writeFile(t, "areas.geojson", tc.body)
		parts := tc.parts
		if tc.args == nil {
			parts = append(parts, path) // errors about the content name the file
		}
		c.fails(append([]string{"import", "areas", path}, tc.args...), parts...)
	}
	c.fails([]string{"import", "areas", filepath.Join(t.TempDir(), "missing.geojson")}, "missing.geojson")
	c.fails([]string{"import", "areas"}, "want one file")
	c.fails([]string{"import", "indicators", "a.csv", "b.csv"}, "want one file, got 2")

	csvCases := []struct {
		name, body string
		parts      []string
	}{
		{"bad sex on line 3", "area_code,indicator_code,year,value,sex\n1490,unemployment,2030,5,\n1490,unemployment,2031,5,X\n",
			[]string{":3:", `unknown sex "X"`}},
		{"unknown area after a quoted line break", "area_code,indicator_code,year,value\n1490,unemployment,2030,5\n" +
			"\"1490\",\"unemployment\",2031,5\n\"NO\nWHERE\",unemployment,2030,5\n",
			[]string{":4:", `area code "NO\nWHERE" does not exist`}},
	}
	for _, tc := range csvCases {
		path := writeFile(t, "values.csv", tc.body)
		c.fails([]string{"import", "indicators", path}, append([]string{path}, tc.parts...)...)
	}
	if after := idsByCode(t, s); !maps.Equal(after, before) {
		t.Error("failed imports changed the areas")
	}
	valuesAfter, err := s.IndicatorValues(t.Context(), db.ValueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(valuesAfter) != len(valuesBefore) {
		t.Errorf("failed imports changed the values: %d, were %d", len(valuesAfter), len(valuesBefore))
	}

	// The same files without their faults go in.
	if out := c.must("import", "areas", writeFile(t, "areas.geojson", fc(good))); !strings.Contains(out, ": 1 added, 0 changed, 0 unchanged") {
		t.Errorf("import said %q", out)
	}
	path := writeFile(t, "values.csv", "area_code,indicator_code,year,value,sex,count\n1490,unemployment,2030,5.5,,1200\n"+
		"1490,unemployment,2030,6,female,\n")
	if out := c.must("import", "indicators", path); out != "imported indicator values from "+path+": 2 added, 0 changed, 0 unchanged\n" {
		t.Errorf("import said %q", out)
	}
}

// valueGenerator writes a long-format CSV of n values as it is read, so
// that the test never holds the file: areas × indicators × sexes, year
// after year.
type valueGenerator struct {
	areas      []string
	indicators []string
	n, i       int
	pending    []byte
}

func (g *valueGenerator) Read(b []byte) (int, error) {
	for len(g.pending) < len(b) && g.i <= g.n {
		if g.i == 0 {
			g.pending = append(g.pending, "area_code,indicator_code,year,value,sex,count\n"...)
			g.i++
			continue
		}
		k := g.i - 1
		sexes := []db.Sex{db.SexTotal, db.SexFemale, db.SexMale}
		sex := sexes[k%3]
		k /= 3
		ind := g.indicators[k%len(g.indicators)]
		k /= len(g.indicators)
		area := g.areas[k%len(g.areas)]
		year := 1900 + k/len(g.areas)
		g.pending = fmt.Appendf(g.pending, "%s,%s,%d,%g,%s,%d\n", area, ind, year, float64(g.i%1000)/8, sex, g.i%5000)
		g.i++
	}
	if len(g.pending) == 0 {
		return 0, io.EOF
	}
	n := copy(b, g.pending)
	g.pending = g.pending[n:]
	return n, nil
}

// TestImportOneMillionValues imports a million values into PostGIS in one
// transaction. The file is generated straight to disk; the import's heap is
// sampled while it runs and must stay far below the size of the file.
func TestImportOneMillionValues(t *testing.T) {
	const n = 1_000_000
	c := newCLI(t)
	c.must("seed")
	s := c.store()
	// A thousand statistical areas in a grid over Borås.
	areas := make([]string, 1000)
	_, err := s.UpsertAreas(t.Context(), db.Actor{ID: "cli:test", Role: db.RoleAdmin}, func(yield func(*db.AreaInput, error) bool) {
		for i := range areas {
			areas[i] = fmt.Sprintf("1490S%04d", i)
			x, y := 12.7+float64(i%40)*0.01, 57.6+float64(i/40)*0.01
			sq := orb.Polygon{{{x, y}, {x + 0.01, y}, {x + 0.01, y + 0.01}, {x, y + 0.01}, {x, y}}}
			if !yield(&db.AreaInput{Code: areas[i], Name: areas[i], Kind: db.KindStatisticalArea, ParentCode: "1490", Geometry: sq}, nil) {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	var indicators []string
	for _, d := range demo.Dataset().Indicators {
		indicators = append(indicators, d.Code)
	}
	path := filepath.Join(t.TempDir(), "values.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	size, err := io.Copy(f, &valueGenerator{areas: areas, indicators: indicators, n: n})
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}

	// The peak of HeapAlloc counts garbage not yet collected as well as
	// what the import holds; on a busy machine the collector falls behind
	// and garbage alone can pass the bound. A low GC percentage for the
	// import keeps garbage to a fraction of the live heap, so what the
	// bound measures is what the import keeps.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	})
	start := time.Now()
	out := c.must("import", "indicators", path)
	took := time.Since(start)
	close(stop)
	wg.Wait()

	if !strings.Contains(out, fmt.Sprintf(": %d added, 0 changed, 0 unchanged", n)) {
		t.Errorf("import said %q", out)
	}
	growth := int64(peak.Load()) - int64(base)
	t.Logf("imported %d values (%.1f MB of CSV) in %v; heap grew by at most %.1f MB", n, float64(size)/1e6,
		took.Round(time.Millisecond), float64(growth)/1e6)
	if growth > size/2 {
		t.Errorf("the heap grew by %d bytes importing a %d-byte file: the import holds the file", growth, size)
	}
	got, err := s.IndicatorValues(t.Context(), db.ValueFilter{AreaIDs: []int64{idsByCode(t, s)["1490S0999"]}})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for i := 1; i <= n; i++ {
		if (i-1)/15%len(areas) == len(areas)-1 {
			want++
		}
	}
	if len(got) != want {
		t.Errorf("the last area has %d values, want %d", len(got), want)
	}
}
