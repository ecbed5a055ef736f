package transfer

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/areagraph/areagraph/internal/storetest"
)

// The GeoPackages these tests read are written by GDAL's ogr2ogr, as the
// files people import are, not by areagraph.

const municipalitiesGeoJSON = "../testdata/swedish_municipalities.geojson"

// municipalityMapping reads the municipalities file's properties.
var municipalityMapping = AreaMapping{CodeProp: "id", NameProp: "kom_namn", Kind: db.KindMunicipality}

// ogr2ogr runs GDAL's ogr2ogr with args, failing the test when it is
// missing (scripts/test installs it) or fails.
func ogr2ogr(t testing.TB, args ...string) {
	t.Helper()
	bin, err := exec.LookPath("ogr2ogr")
	if err != nil {
		t.Fatalf("ogr2ogr (GDAL) is missing: install Debian's gdal-bin, as scripts/test does: %v", err)
	}
	out, err := exec.CommandContext(t.Context(), bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ogr2ogr %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// municipalitiesGeoPackage writes the municipalities, those where
// selects when it is not empty, as layer of a GeoPackage in crs, and
// returns its path. More arguments go to ogr2ogr.
func municipalitiesGeoPackage(t testing.TB, crs, layer, where string, more ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "municipalities.gpkg")
	args := []string{"-f", "GPKG", path, municipalitiesGeoJSON, "-nln", layer, "-select", "id,kom_namn", "-t_srs", crs}
	if where != "" {
		args = append(args, "-where", where)
	}
	args = append(args, more...)
	ogr2ogr(t, args...)
	return path
}

// originalMunicipalities reads the municipalities from the GeoJSON, by
// code, converted and normalised as every import does.
func originalMunicipalities(t *testing.T) map[string]orb.Geometry {
	t.Helper()
	m := municipalityMapping
	out := map[string]orb.Geometry{}
	for a, err := range ReadAreasGeoJSON(openFile(t, municipalitiesGeoJSON), municipalitiesGeoJSON, &m) {
		if err != nil {
			t.Fatal(err)
		}
		out[a.Code] = a.Geometry
	}
	if len(out) != 290 {
		t.Fatalf("%d municipalities in %s", len(out), municipalitiesGeoJSON)
	}
	return out
}

func openFile(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// rings lists the rings of a Polygon or MultiPolygon in order.
func rings(g orb.Geometry) []orb.Ring {
	switch g := g.(type) {
	case orb.Polygon:
		return g
	case orb.MultiPolygon:
		var out []orb.Ring
		for _, p := range g {
			out = append(out, p...)
		}
		return out
	}
	return nil
}

// TestImportGeoPackageMunicipalities imports the 290 municipalities from
// GeoPackages GDAL wrote in each system areagraph reads, into each
// backend, and finds every vertex within 1e-6° (about 10 cm) of where the
// GeoJSON they were made from has it.
func TestImportGeoPackageMunicipalities(t *testing.T) {
	want := originalMunicipalities(t)
	// EPSG:3008, SWEREF 99 13 30, is a local zone: the whole country in it
	// reaches 10° from its central meridian, a harder test of the
	// conversion than any municipality's own file would be.
	for _, crs := range []string{geo.CRSWGS84, geo.CRSSWEREF99TM, "EPSG:3008"} {
		path := municipalitiesGeoPackage(t, crs, "kommuner", "")
		t.Run(crs, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, s db.Store) {
				n, m, err := ImportAreas(t.Context(), s, operator, File(path), municipalityMapping, nil)
				if err != nil || n.Written()+n.Unchanged != 290 || m.CRS != crs || m.Layer != "kommuner" {
					t.Fatalf("import: %+v of layer %q in %q, %v", n, m.Layer, m.CRS, err)
				}
				for code, w := range want {
					a, err := s.AreaByCode(t.Context(), code)
					if err != nil {
						t.Fatalf("%s: %v", code, err)
					}
					if a.Kind != db.KindMunicipality || a.Name == "" {
						t.Errorf("%s came in as %q, %s", code, a.Name, a.Kind)
					}
					got, wr := rings(a.Geometry), rings(w)
					if fmt.Sprintf("%T", a.Geometry) != fmt.Sprintf("%T", w) || len(got) != len(wr) {
						t.Fatalf("%s: a %T of %d rings, want a %T of %d", code, a.Geometry, len(got), w, len(wr))
					}
					for r := range wr {
						if len(got[r]) != len(wr[r]) {
							t.Fatalf("%s ring %d: %d vertices, want %d", code, r, len(got[r]), len(wr[r]))
						}
						for k := range wr[r] {
							g, w := got[r][k], wr[r][k]
							if math.Abs(g[0]-w[0]) > 1e-6 || math.Abs(g[1]-w[1]) > 1e-6 {
								t.Fatalf("%s ring %d vertex %d: %v, want %v", code, r, k, g, w)
							}
						}
					}
				}
			})
		})
	}
}

// TestImportGeoPackageLayers chooses the layer: the only one without
// asking, one of several by name, and none without a name, the error
// listing them.
func TestImportGeoPackageLayers(t *testing.T) {
	path := municipalitiesGeoPackage(t, geo.CRSWGS84, "boras", "id = '1490'")
	ogr2ogr(t, "-update", path, municipalitiesGeoJSON, "-nln", "sjuharad", "-select", "id,kom_namn",
		"-where", "id IN ('1490', '1441', '1443')")
	ogr2ogr(t, "-update", path, municipalitiesGeoJSON, "-nln", "none", "-select", "id,kom_namn",
		"-where", "id = 'none'")
	eachBackend(t, func(t *testing.T, s db.Store) {
		before := areaCount(t, s)
		_, _, err := ImportAreas(t.Context(), s, operator, File(path), municipalityMapping, nil)
		errorSays(t, "no layer named", err, path, "3 features layers", `"boras", "none", "sjuharad"`, "--layer")
		m := municipalityMapping
		m.Layer = "kommuner"
		_, _, err = ImportAreas(t.Context(), s, operator, File(path), m, nil)
		errorSays(t, "a layer it has not", err, path, `no features layer "kommuner"`, `"boras", "none", "sjuharad"`)

		m.Layer = "sjuharad"
		n, got, err := ImportAreas(t.Context(), s, operator, File(path), m, nil)
		if err != nil || n.Written()+n.Unchanged != 3 || got.Layer != "sjuharad" || got.CRS != geo.CRSWGS84 {
			t.Errorf("layer sjuharad: %+v of %q in %q, %v", n, got.Layer, got.CRS, err)
		}
		m.Layer = "none"
		if n, got, err := ImportAreas(t.Context(), s, operator, File(path), m, nil); err != nil || n != (db.ImportCounts{}) || got.CRS != geo.CRSWGS84 {
			t.Errorf("an empty layer: %+v in %q, %v", n, got.CRS, err)
		}
		if after := areaCount(t, s); after != before+2 { // Borås was there
			t.Errorf("%d areas after the imports, want %d", after, before+2)
		}
	})
}

// TestImportGeoPackageRejects breaks a GeoPackage GDAL wrote, a column or
// a geometry blob at a time, and holds each refusal to the file, the
// layer, the feature and the field, and the import to nothing written.
func TestImportGeoPackageRejects(t *testing.T) {
	// Without the spatial index, whose triggers call GDAL's SQL functions
	// on every update.
	good := municipalitiesGeoPackage(t, geo.CRSWGS84, "kommuner", "id IN ('1490', '1441', '1443')", "-lco", "SPATIAL_INDEX=NO")
	le := binary.LittleEndian
	boras := wkbOf(t, orb.Polygon{{{12.9, 57.7}, {13, 57.7}, {13, 57.8}, {12.9, 57.8}, {12.9, 57.7}}}, le)
	for _, tc := range []struct {
		name, set string // an assignment to the second feature's columns
		args      []any
		parts     []string
	}{
		{"a name not UTF-8", `kom_namn = CAST(X'426fe57273' AS TEXT)`, nil, []string{`property "kom_namn" is not valid UTF-8`}},
		{"a NUL in a name", `kom_namn = 'Bor' || char(0) || 's'`, nil, []string{`property "kom_namn" holds a NUL`}},
		{"a blob for a name", `kom_namn = X'00'`, nil, []string{`property "kom_namn" holds binary data`}},
		{"a name of a megabyte", `kom_namn = hex(zeroblob(600000))`, nil, []string{`property "kom_namn" takes 1200000 bytes`}},
		{"no code", `id = NULL`, nil, []string{`property "id" (the code) is missing`}},
		{"no geometry", `geom = NULL`, nil, []string{"no geometry"}},
		{"a text geometry", `geom = 'POLYGON'`, nil, []string{"stored as text"}},
		{"not a blob of GeoPackage", `geom = X'0001'`, nil, []string{`does not start with "GP"`}},
		{"an envelope that is not there", `geom = ?`, []any{gpkgBlob(0x09, 4326, 0, boras)}, []string{"64-byte envelope"}},
		{"another srs_id", `geom = ?`, []any{gpkgBlob(0x01, 3006, 0, boras)}, []string{"srs_id 3006", "layer's is 4326"}},
		{"a point", `geom = ?`, []any{gpkgBlob(0x01, 4326, 0, wkbOf(t, orb.Point{13, 57.7}, le))}, []string{"is a Point"}},
		{"a geometry too large", `geom = zeroblob(17 * 1024 * 1024)`, nil, []string{"takes 17825792 bytes, more than"}},
		{"a bowtie", `geom = ?`, []any{gpkgBlob(0x01, 4326, 0, wkbOf(t,
			orb.Polygon{{{12.9, 57.7}, {13, 57.8}, {13, 57.7}, {12.9, 57.8}, {12.9, 57.7}}}, le))}, []string{"intersect"}},
		{"a code twice", `id = (SELECT id FROM kommuner WHERE fid = 1)`, nil, []string{"feature 2", "appears twice"}},
	} {
		path := copyFile(t, good)
		exec := openSQLite(t, path)
		if _, err := exec.Exec("UPDATE kommuner SET "+tc.set+" WHERE fid = 2", tc.args...); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		exec.Close()
		eachBackend(t, func(t *testing.T, s db.Store) {
			before, _ := exports(t, s)
			_, _, err := ImportAreas(t.Context(), s, operator, File(path), municipalityMapping, nil)
			errorSays(t, tc.name, err, append(tc.parts, path+`: layer "kommuner", feature 2`)...)
			if tc.name != "a code twice" {
				errorSays(t, tc.name, err, "(fid 2)")
			}
			if after, _ := exports(t, s); after != before {
				t.Errorf("%s: the failed import changed the store", tc.name)
			}
		})
	}

	// Refusals before any store is written to, on one.
	s := storetest.Demo(t)
	m := municipalityMapping
	m.CodeProp = "kod"
	_, _, err := ImportAreas(t.Context(), s, operator, File(good), m, nil)
	errorSays(t, "a column it has not", err, good, `layer "kommuner" has no column "kod" (the code)`, "id, kom_namn", "--code-prop")
	m = municipalityMapping
	m.CRS = geo.CRSSWEREF99TM
	_, _, err = ImportAreas(t.Context(), s, operator, File(good), m, nil)
	errorSays(t, "another system named", err, good, "is in EPSG:4326, but EPSG:3006 was named")

	mercator := municipalitiesGeoPackage(t, "EPSG:3857", "kommuner", "id = '1490'")
	_, _, err = ImportAreas(t.Context(), s, operator, File(mercator), municipalityMapping, nil)
	errorSays(t, "web mercator", err, mercator, `layer "kommuner" is in EPSG:3857`, "unsupported", "ogr2ogr -t_srs")

	plain := filepath.Join(t.TempDir(), "plain.gpkg")
	exec := openSQLite(t, plain)
	if _, err := exec.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	exec.Close()
	_, _, err = ImportAreas(t.Context(), s, operator, File(plain), municipalityMapping, nil)
	errorSays(t, "an SQLite database", err, plain, "not a GeoPackage of version 1.2 or later")

	json := filepath.Join(t.TempDir(), "areas.gpkg")
	if err := os.WriteFile(json, []byte(collection(district("N1"))), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = ImportAreas(t.Context(), s, operator, File(json), DefaultAreaMapping, nil)
	errorSays(t, "JSON named .gpkg", err, json, "not a GeoPackage", "SQLite")

	m = DefaultAreaMapping
	m.Layer = "kommuner"
	_, _, err = ImportAreas(t.Context(), s, operator, text("areas.geojson", collection(district("N1"))), m, nil)
	errorSays(t, "a layer of GeoJSON", err, "areas.geojson", `layer ("kommuner")`, "not a GeoPackage")

	body, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ImportAreas(t.Context(), s, operator, text("stdin", string(body)), municipalityMapping, nil)
	errorSays(t, "a GeoPackage streamed", err, "stdin", "from a file on disk")
}

func copyFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// openSQLite opens the SQLite database at path for writing.
func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	d, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// BenchmarkReadAreasGeoPackage reads the 290 municipalities from a
// GeoPackage GDAL wrote in SWEREF 99 TM: the reader's share of an import
// (SQLite, blob decoding, conversion and checks), without the store.
func BenchmarkReadAreasGeoPackage(b *testing.B) {
	path := municipalitiesGeoPackage(b, geo.CRSSWEREF99TM, "kommuner", "")
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		m := municipalityMapping
		n := 0
		for _, err := range ReadAreasGeoPackage(b.Context(), path, path, &m) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 290 {
			b.Fatalf("%d areas", n)
		}
	}
}

// BenchmarkImportAreasGeoPackage imports the 290 municipalities from a
// GeoPackage in SWEREF 99 TM into each backend: both passes, the parent
// check and the store's transaction.
func BenchmarkImportAreasGeoPackage(b *testing.B) {
	path := municipalitiesGeoPackage(b, geo.CRSSWEREF99TM, "kommuner", "")
	for _, backend := range storetest.Backends {
		b.Run(backend.Name, func(b *testing.B) {
			s := backend.Open(b)
			b.ReportAllocs()
			for b.Loop() {
				if n, _, err := ImportAreas(b.Context(), s, operator, File(path), municipalityMapping, nil); err != nil || n.Written()+n.Unchanged != 290 {
					b.Fatalf("%+v: %v", n, err)
				}
			}
		})
	}
}
