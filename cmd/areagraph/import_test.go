package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
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
	if !strings.Contains(out, "imported 290 areas") || !strings.Contains(out, geo.CRSWGS84) {
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
	if again := idsByCode(t, s); !mapsEqual(again, first) {
		t.Errorf("ids changed on the second import (%d areas)", len(again))
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestExportImportRoundTrip holds export and import to each other: what one
// database exports imports into it again, or into an empty one, and exports
// the very same bytes.
func TestExportImportRoundTrip(t *testing.T) {
	c := newCLI(t)
	c.must("seed")
	areas := c.must("export", "areas")
	values := c.must("export", "indicators")
	ds := demo.Dataset()
	if n := strings.Count(areas, "\n{\"type\":\"Feature\""); n != len(ds.Areas) {
		t.Errorf("export has %d features, want %d", n, len(ds.Areas))
	}
	if n := strings.Count(values, "\n") - 1; n != len(ds.Values) {
		t.Errorf("export has %d values, want %d", n, len(ds.Values))
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal([]byte(areas), &fc); err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("the export is no FeatureCollection: %v", err)
	}
	areasFile := writeFile(t, "areas.geojson", areas)
	valuesFile := writeFile(t, "values.csv", values)

	s := c.store()
	before := idsByCode(t, s)
	c.must("import", "areas", areasFile)
	c.must("import", "indicators", valuesFile)
	if after := idsByCode(t, s); !mapsEqual(after, before) {
		t.Error("re-importing the export changed ids or the number of areas")
	}
	if got := c.must("export", "areas"); got != areas {
		t.Errorf("areas export after re-import differs:\n%s", firstDiff(got, areas))
	}
	if got := c.must("export", "indicators"); got != values {
		t.Errorf("values export after re-import differs:\n%s", firstDiff(got, values))
	}

	// Into an empty database that knows the indicators only.
	fresh := newCLI(t)
	if err := fresh.store().Load(t.Context(), &db.Dataset{Indicators: ds.Indicators}); err != nil {
		t.Fatal(err)
	}
	fresh.must("import", "areas", areasFile)
	fresh.must("import", "indicators", valuesFile)
	if got := fresh.must("export", "areas"); got != areas {
		t.Errorf("areas export of the fresh database differs:\n%s", firstDiff(got, areas))
	}
	if got := fresh.must("export", "indicators"); got != values {
		t.Errorf("values export of the fresh database differs:\n%s", firstDiff(got, values))
	}

	// A selection by kind names parents outside it by code.
	priority := c.must("export", "areas", "--kind", "priority_area")
	if n := strings.Count(priority, `"kind":"PRIORITY_AREA"`); n != 5 || strings.Count(priority, `"type":"Feature"`) != 5 {
		t.Errorf("priority areas export has %d priority areas of %d features", n, strings.Count(priority, `"type":"Feature"`))
	}
	if !strings.Contains(priority, `"parent":"`) {
		t.Error("priority areas export names no parent")
	}
	c.fails([]string{"export", "areas", "--kind", "COUNTY"}, "COUNTY")
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got  %.300s\n want %.300s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}

// desoFeature is a DeSO-like feature as Statistics Sweden publishes them:
// a code, the municipality it lies in, coordinates in SWEREF 99 TM.
func desoFeature(t *testing.T, code, kommun string, g orb.Geometry) string {
	t.Helper()
	geom, err := geo.AppendGeoJSON(nil, g)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`{"type":"Feature","properties":{"deso":%q,"kommun":%q,"kommunnamn":"Borås"},"geometry":%s}`,
		code, kommun, geom)
}

// desoShapes are squares and a holed square in Borås, in WGS 84.
func desoShapes() []orb.Polygon {
	sq := func(x, y, d float64) orb.Ring {
		return orb.Ring{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}
	}
	return []orb.Polygon{
		{sq(12.90, 57.70, 0.02)},
		{sq(12.92, 57.70, 0.02)},
		{sq(12.94, 57.72, 0.03), {{12.95, 57.73}, {12.95, 57.74}, {12.96, 57.74}, {12.96, 57.73}, {12.95, 57.73}}},
	}
}

func TestImportSWEREF99TM(t *testing.T) {
	c := newCLI(t)
	c.must("seed") // Borås, 1490, is the parent
	shapes := desoShapes()
	var feats []string
	for i, p := range shapes {
		feats = append(feats, desoFeature(t, fmt.Sprintf("1490C10%02d", i+1), "1490", geo.ToSWEREF99TMFromWGS84(p)))
	}
	collection := func(members string, feats ...string) string {
		return `{"type":"FeatureCollection",` + members + `"features":[` + strings.Join(feats, ",\n") + "]}"
	}
	detected := writeFile(t, "deso.geojson", collection("", feats...))
	args := []string{"import", "areas", detected, "--code-prop", "deso", "--name-prop", "deso", "--parent-prop", "kommun",
		"--kind", "STATISTICAL_AREA"}
	if out := c.must(args...); !strings.Contains(out, "imported 3 areas") || !strings.Contains(out, geo.CRSSWEREF99TM) {
		t.Errorf("import said %q", out)
	}
	s := c.store()
	boras, err := s.AreaByCode(t.Context(), "1490")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range shapes {
		a, err := s.AreaByCode(t.Context(), fmt.Sprintf("1490C10%02d", i+1))
		if err != nil {
			t.Fatal(err)
		}
		if a.ParentID != boras.ID || a.Kind != db.KindStatisticalArea {
			t.Errorf("%s: parent %d, kind %s", a.Code, a.ParentID, a.Kind)
		}
		got, ok := a.Geometry.(orb.Polygon)
		if !ok || len(got) != len(want) {
			t.Fatalf("%s came back as %T %v", a.Code, a.Geometry, a.Geometry)
		}
		for r := range want {
			for k := range want[r] {
				// 1e-9 degrees is a tenth of a millimetre.
				g, w := got[r][k], want[r][k]
				if math.Abs(g[0]-w[0]) > 1e-9 || math.Abs(g[1]-w[1]) > 1e-9 {
					t.Errorf("%s ring %d vertex %d: %v, want %v", a.Code, r, k, got[r][k], want[r][k])
				}
			}
		}
	}

	// A legacy "crs" member names the system, whatever the coordinates
	// look like; and --crs overrides it.
	named := writeFile(t, "named.geojson", collection(`"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},`, feats[0]))
	c.must(append(slices.Clone(args[:2]), named, "--code-prop", "deso", "--name-prop", "deso", "--kind", "STATISTICAL_AREA")...)
	c.fails(append(slices.Clone(args), "--crs", "EPSG:4326"), "deso.geojson: feature 1", "out of range")
	unknownCRS := writeFile(t, "rt90.geojson", collection(`"crs":{"type":"name","properties":{"name":"EPSG:3021"}},`, feats[0]))
	c.fails(append([]string{"import", "areas", unknownCRS}, args[3:]...), "rt90.geojson", "EPSG:3021", "unsupported")

	// One feature in degrees among metres is a mistake, named.
	mixed := writeFile(t, "mixed.geojson", collection("", feats[0], desoFeature(t, "1490C1099", "1490", shapes[1])))
	c.fails(append([]string{"import", "areas", mixed}, args[3:]...), "mixed.geojson: feature 2", "EPSG:4326", "EPSG:3006", "--crs")
	// Metres of another zone fit neither system.
	far := writeFile(t, "far.geojson", collection("", desoFeature(t, "X", "1490", orb.Polygon{{{1e6 + 5e5, 7e6}, {1.6e6, 7e6}, {1.6e6, 7.1e6}, {1e6 + 5e5, 7e6}}})))
	c.fails(append([]string{"import", "areas", far}, args[3:]...), "far.geojson: feature 1", "--crs")
	if n := len(idsByCode(t, s)); n != len(demo.Dataset().Areas)+3 {
		t.Errorf("%d areas after the failed imports, want %d", n, len(demo.Dataset().Areas)+3)
	}
}

func TestImportRejects(t *testing.T) {
	c := newCLI(t)
	c.must("seed")
	s := c.store()
	before := idsByCode(t, s)
	valuesBefore, err := s.IndicatorValues(t.Context(), db.ValueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	feature := func(props, geom string) string {
		return `{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}`
	}
	square := `{"type":"Polygon","coordinates":[[[12.9,57.7],[13,57.7],[13,57.8],[12.9,57.8],[12.9,57.7]]]}`
	good := func(code string) string {
		return feature(`{"code":"`+code+`","name":"New","kind":"DISTRICT","parent":"1490"}`, square)
	}
	fc := func(feats ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(feats, ",\n") + `]}`
	}
	areaCases := []struct {
		name, body string
		args       []string
		parts      []string
	}{
		{"not JSON", `{"type":"FeatureCollection","features":[{"type":`, nil, []string{"feature 1"}},
		{"not a collection", square, nil, []string{"FeatureCollection"}},
		{"no features", `{"type":"FeatureCollection"}`, nil, []string{`no "features"`}},
		{"no code", fc(good("N1"), feature(`{"name":"New","kind":"DISTRICT"}`, square)), nil,
			[]string{"feature 2", `property "code"`, "--code-prop"}},
		{"no kind", fc(feature(`{"code":"N1","name":"New"}`, square)), nil, []string{"feature 1", `"kind"`, "--kind"}},
		{"unknown kind", fc(feature(`{"code":"N1","name":"New","kind":"COUNTY"}`, square)), nil,
			[]string{"feature 1", `unknown kind "COUNTY"`}},
		{"bad area type", fc(good("N1"), feature(`{"code":"N2","name":"New","kind":"DISTRICT","areaType":"high"}`, square)),
			nil, []string{"feature 2", "areaType", "whole number"}},
		{"bad date", fc(feature(`{"code":"N1","name":"New","kind":"DISTRICT","validFrom":"1/1/2020"}`, square)), nil,
			[]string{"feature 1", "validFrom", "YYYY-MM-DD"}},
		{"no geometry", fc(good("N1"), feature(`{"code":"N2","name":"New","kind":"DISTRICT"}`, "null")), nil,
			[]string{"feature 2", "no geometry"}},
		{"a point", fc(feature(`{"code":"N1","name":"New","kind":"DISTRICT"}`, `{"type":"Point","coordinates":[13,57]}`)),
			nil, []string{"feature 1", "Point"}},
		{"self-intersecting", fc(good("N1"), good("N2"), feature(`{"code":"N3","name":"New","kind":"DISTRICT"}`,
			`{"type":"Polygon","coordinates":[[[12.9,57.7],[13,57.8],[13,57.7],[12.9,57.8],[12.9,57.7]]]}`)), nil,
			[]string{"feature 3", `area 3 (code "N3")`, "intersect"}},
		{"code twice", fc(good("N1"), good("N2"), good("N1")), nil, []string{"feature 3", "appears twice", "first as area 1"}},
		{"unknown parent", fc(good("N1"), feature(`{"code":"N2","name":"New","kind":"DISTRICT","parent":"9999"}`, square)),
			nil, []string{"feature 2", `parent "9999" does not exist`}},
		{"both kind flags", fc(good("N1")), []string{"--kind", "DISTRICT", "--kind-prop", "k"}, []string{"not both"}},
		{"bad --crs", fc(good("N1")), []string{"--crs", "EPSG:3857"}, []string{"--crs", "EPSG:3857"}},
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

	csvCases := []struct {
		name, body string
		parts      []string
	}{
		{"unknown column", "area_code,indicator_code,year,vaule\n", []string{":1:", `"vaule"`}},
		{"missing column", "area_code,indicator_code,value\n", []string{":1:", `"year"`}},
		{"bad sex on line 3", "area_code,indicator_code,year,value,sex\n1490,unemployment,2030,5,\n1490,unemployment,2031,5,X\n",
			[]string{":3:", `unknown sex "X"`}},
		{"decimal comma", "area_code,indicator_code,year,value\n1490,unemployment,2030,\"5,5\"\n", []string{":2:", "decimal point"}},
		{"bad year", "area_code,indicator_code,year,value\n1490,unemployment,MMXXX,5\n", []string{":2:", "year"}},
		{"short row", "area_code,indicator_code,year,value\n1490,unemployment,2030\n", []string{"line 2", "wrong number of fields"}},
		{"negative count", "area_code,indicator_code,year,value,count\n1490,unemployment,2030,5,-3\n", []string{":2:", "count"}},
		{"unknown area after a quoted line break", "area_code,indicator_code,year,value\n1490,unemployment,2030,5\n" +
			"\"1490\",\"unemployment\",2031,5\n\"NO\nWHERE\",unemployment,2030,5\n",
			[]string{":4:", `area code "NO\nWHERE" does not exist`}},
		{"unknown indicator", "area_code,indicator_code,year,value\n1490,unemployment,2030,5\n1490,happiness,2030,5\n",
			[]string{":3:", `indicator "happiness" does not exist`}},
		{"a key twice", "sex,area_code,indicator_code,year,value\nTOTAL,1490,unemployment,2030,5\n,1490,unemployment,2030,6\n",
			[]string{":3:", "appear twice", "first as value 1"}},
	}
	for _, tc := range csvCases {
		path := writeFile(t, "values.csv", tc.body)
		c.fails([]string{"import", "indicators", path}, append([]string{"values.csv"}, tc.parts...)...)
	}
	if after := idsByCode(t, s); !mapsEqual(after, before) {
		t.Error("failed imports changed the areas")
	}
	valuesAfter, err := s.IndicatorValues(t.Context(), db.ValueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(valuesAfter) != len(valuesBefore) {
		t.Errorf("failed imports changed the values: %d, were %d", len(valuesAfter), len(valuesBefore))
	}

	// The same files without their faults go in, sex defaulting to TOTAL.
	path := writeFile(t, "values.csv", "\uFEFFArea_Code,indicator_code,year,value,sex,count\n1490,unemployment,2030,5.5,,1200\n"+
		"1490,unemployment,2030,6,female,\n")
	if out := c.must("import", "indicators", path); !strings.Contains(out, "imported 2 indicator values") {
		t.Errorf("import said %q", out)
	}
	got, err := s.IndicatorValues(t.Context(), db.ValueFilter{AreaIDs: []int64{before["1490"]}, FromYear: 2030})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Sex != db.SexTotal || got[0].Count == nil || *got[0].Count != 1200 ||
		got[1].Sex != db.SexFemale || got[1].Value != 6 || got[1].Count != nil {
		t.Errorf("imported values: %+v", got)
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
	_, err := s.UpsertAreas(t.Context(), func(yield func(*db.AreaInput, error) bool) {
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

	if !strings.Contains(out, fmt.Sprintf("imported %d indicator values", n)) {
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
