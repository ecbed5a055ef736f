package transfer

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/geo"
)

func feature(props, geom string) string {
	return `{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}`
}

const square = `{"type":"Polygon","coordinates":[[[12.9,57.7],[13,57.7],[13,57.8],[12.9,57.8],[12.9,57.7]]]}`

// district is a good feature: a district of Borås.
func district(code string) string {
	return feature(`{"code":"`+code+`","name":"New","kind":"DISTRICT","parent":"1490"}`, square)
}

func collection(feats ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(feats, ",\n") + `]}`
}

// readAreas reads all of a GeoJSON text as ReadAreasGeoJSON does, and
// returns the areas up to the first error.
func readAreas(body string, m AreaMapping) ([]*db.AreaInput, error) {
	var out []*db.AreaInput
	for a, err := range ReadAreasGeoJSON(strings.NewReader(body), "areas.geojson", &m) {
		if err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, nil
}

func TestReadAreasGeoJSONRejects(t *testing.T) {
	cases := []struct {
		name, body string
		parts      []string
	}{
		{"not JSON", `{"type":"FeatureCollection","features":[{"type":`, []string{"feature 1"}},
		{"not a collection", square, []string{"FeatureCollection"}},
		{"no features", `{"type":"FeatureCollection"}`, []string{`no "features"`}},
		{"no code", collection(district("N1"), feature(`{"name":"New","kind":"DISTRICT"}`, square)),
			[]string{"feature 2", `property "code"`, "--code-prop"}},
		{"no kind", collection(feature(`{"code":"N1","name":"New"}`, square)), []string{"feature 1", `"kind"`, "--kind"}},
		{"unknown kind", collection(feature(`{"code":"N1","name":"New","kind":"COUNTY"}`, square)),
			[]string{"feature 1", `unknown kind "COUNTY"`}},
		{"bad area type", collection(district("N1"), feature(`{"code":"N2","name":"New","kind":"DISTRICT","areaType":"high"}`, square)),
			[]string{"feature 2", "areaType", "whole number"}},
		{"bad date", collection(feature(`{"code":"N1","name":"New","kind":"DISTRICT","validFrom":"1/1/2020"}`, square)),
			[]string{"feature 1", "validFrom", "YYYY-MM-DD"}},
		{"no geometry", collection(district("N1"), feature(`{"code":"N2","name":"New","kind":"DISTRICT"}`, "null")),
			[]string{"feature 2", "no geometry"}},
		{"a point", collection(feature(`{"code":"N1","name":"New","kind":"DISTRICT"}`, `{"type":"Point","coordinates":[13,57]}`)),
			[]string{"feature 1", "Point"}},
		{"self-intersecting", collection(district("N1"), district("N2"), feature(`{"code":"N3","name":"New","kind":"DISTRICT"}`,
			`{"type":"Polygon","coordinates":[[[12.9,57.7],[13,57.8],[13,57.7],[12.9,57.8],[12.9,57.7]]]}`)),
			[]string{"feature 3", `area 3 (code "N3")`, "intersect"}},
	}
	for _, tc := range cases {
		_, err := readAreas(tc.body, DefaultAreaMapping)
		// Errors about the content name the file.
		errorSays(t, tc.name, err, append(tc.parts, "areas.geojson")...)
	}
}

func TestReadAreasGeoJSONMapping(t *testing.T) {
	body := collection(
		feature(`{"id":1490,"namn":"Borås","typ":"municipality","over":null,"t":3,"from":"2020-01-01","to":"","about":"x"}`, square),
		feature(`{"id":"1490-D1","namn":"Norr","typ":"district","over":1490}`, square))
	m := AreaMapping{CodeProp: "id", NameProp: "namn", KindProp: "typ", ParentProp: "over", AreaTypeProp: "t",
		ValidFromProp: "from", ValidToProp: "to", DescriptionProp: "about"}
	got, err := readAreas(body, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d areas, want 2", len(got))
	}
	a, b := got[0], got[1]
	// Codes written as numbers are taken as written; kinds in any case.
	if a.Code != "1490" || a.Name != "Borås" || a.Kind != db.KindMunicipality || a.ParentCode != "" || a.AreaType != 3 ||
		a.ValidFrom == nil || a.ValidFrom.Format("2006-01-02") != "2020-01-01" || a.ValidTo != nil || a.Description != "x" {
		t.Errorf("first feature: %+v", a)
	}
	if b.Code != "1490-D1" || b.Kind != db.KindDistrict || b.ParentCode != "1490" || b.AreaType != 0 || b.ValidFrom != nil {
		t.Errorf("second feature: %+v", b)
	}
	// One kind for all, and no property for the parent.
	m.Kind, m.KindProp, m.ParentProp = db.KindStatisticalArea, "", ""
	got, err = readAreas(body, m)
	if err != nil || got[0].Kind != db.KindStatisticalArea || got[1].Kind != db.KindStatisticalArea || got[1].ParentCode != "" {
		t.Errorf("with one kind: %v, %+v", err, got)
	}
	// A consumer that stops early stops the reading.
	m = DefaultAreaMapping
	n := 0
	for range ReadAreasGeoJSON(strings.NewReader(collection(district("N1"), district("N2"), "not json")), "x", &m) {
		n++
		break
	}
	if n != 1 {
		t.Errorf("read %d areas after the consumer stopped", n)
	}
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
	eachBackend(t, func(t *testing.T, s db.Store) {
		shapes := desoShapes()
		var feats []string
		for i, p := range shapes {
			feats = append(feats, desoFeature(t, fmt.Sprintf("1490C10%02d", i+1), "1490", geo.ToSWEREF99TMFromWGS84(p)))
		}
		fc := func(members string, feats ...string) string {
			return `{"type":"FeatureCollection",` + members + `"features":[` + strings.Join(feats, ",\n") + "]}"
		}
		m := AreaMapping{CodeProp: "deso", NameProp: "deso", ParentProp: "kommun", Kind: db.KindStatisticalArea}
		detected := text("deso.geojson", fc("", feats...))
		n, crs, err := ImportAreasGeoJSON(t.Context(), s, operator, detected, m, nil)
		if err != nil || n != (db.ImportCounts{Added: 3}) || crs != geo.CRSSWEREF99TM {
			t.Errorf("import: %+v in %q, %v", n, crs, err)
		}
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
		// look like; and a system given overrides it.
		named := text("named.geojson", fc(`"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},`, feats[0]))
		if _, crs, err := ImportAreasGeoJSON(t.Context(), s, operator, named, AreaMapping{CodeProp: "deso", NameProp: "deso",
			Kind: db.KindStatisticalArea}, nil); err != nil || crs != geo.CRSSWEREF99TM {
			t.Errorf("the crs member: %q, %v", crs, err)
		}
		given := m
		given.CRS = geo.CRSWGS84
		_, _, err = ImportAreasGeoJSON(t.Context(), s, operator, detected, given, nil)
		errorSays(t, "WGS 84 given", err, "deso.geojson: feature 1", "out of range")
		unknownCRS := text("mercator.geojson", fc(`"crs":{"type":"name","properties":{"name":"EPSG:3857"}},`, feats[0]))
		_, _, err = ImportAreasGeoJSON(t.Context(), s, operator, unknownCRS, m, nil)
		errorSays(t, "web Mercator", err, "mercator.geojson", "EPSG:3857", "unsupported")
		// A declared system is followed: SWEREF 99 TM metres declared as
		// RT90 land in the North Sea, and are refused there.
		wrongCRS := text("rt90.geojson", fc(`"crs":{"type":"name","properties":{"name":"EPSG:3021"}},`, feats[0]))
		_, _, err = ImportAreasGeoJSON(t.Context(), s, operator, wrongCRS, m, nil)
		errorSays(t, "RT90 declared", err, "rt90.geojson: feature 1", "outside Sweden", "--crs")

		// One feature in degrees among metres is a mistake, named.
		mixed := text("mixed.geojson", fc("", feats[0], desoFeature(t, "1490C1099", "1490", shapes[1])))
		_, _, err = ImportAreasGeoJSON(t.Context(), s, operator, mixed, m, nil)
		errorSays(t, "mixed", err, "mixed.geojson: feature 2", "EPSG:4326", "EPSG:3006", "--crs")
		// Metres of another zone fit neither system.
		far := text("far.geojson", fc("", desoFeature(t, "X", "1490",
			orb.Polygon{{{1e6 + 5e5, 7e6}, {1.6e6, 7e6}, {1.6e6, 7.1e6}, {1e6 + 5e5, 7e6}}})))
		_, _, err = ImportAreasGeoJSON(t.Context(), s, operator, far, m, nil)
		errorSays(t, "far", err, "far.geojson: feature 1", "--crs")
		if n := areaCount(t, s); n != len(demo.Dataset().Areas)+3 {
			t.Errorf("%d areas after the failed imports, want %d", n, len(demo.Dataset().Areas)+3)
		}

		// An empty collection is read as WGS 84.
		empty := text("empty.geojson", fc(""))
		if n, crs, err := ImportAreasGeoJSON(t.Context(), s, operator, empty, m, nil); n != (db.ImportCounts{}) || crs != geo.CRSWGS84 || err != nil {
			t.Errorf("an empty collection: %d areas in %q, %v", n, crs, err)
		}
	})
}

// TestImportAreasRejects holds the store's refusals of an import to the
// feature they are about, and the import to all or nothing.
func TestImportAreasRejects(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		areasBefore, valuesBefore := exports(t, s)
		for _, tc := range []struct {
			name, body string
			parts      []string
		}{
			{"code twice", collection(district("N1"), district("N2"), district("N1")),
				[]string{"feature 3", "appears twice", "first as area 1"}},
			{"unknown parent", collection(district("N1"), feature(`{"code":"N2","name":"New","kind":"DISTRICT","parent":"9999"}`, square)),
				[]string{"feature 2", `parent "9999" does not exist`}},
			{"self-intersecting", collection(district("N1"), feature(`{"code":"N2","name":"New","kind":"DISTRICT"}`,
				`{"type":"Polygon","coordinates":[[[12.9,57.7],[13,57.8],[13,57.7],[12.9,57.8],[12.9,57.7]]]}`)),
				[]string{"feature 2", "intersect"}},
			{"latitude first", collection(district("N1"), feature(`{"code":"N2","name":"New","kind":"DISTRICT"}`,
				`{"type":"Polygon","coordinates":[[[57.7,12.9],[57.8,12.9],[57.8,13],[57.7,13],[57.7,12.9]]]}`)),
				[]string{"feature 2", `area "N2"`, "axis order"}},
			{"off the coast", collection(district("N1"), feature(`{"code":"N2","name":"New","kind":"DISTRICT"}`,
				`{"type":"Polygon","coordinates":[[[9.6,57.7],[9.7,57.7],[9.7,57.8],[9.6,57.8],[9.6,57.7]]]}`)),
				[]string{"feature 2", `area "N2"`, "outside Sweden"}},
		} {
			src := text("areas.geojson", tc.body)
			_, _, err := ImportAreasGeoJSON(t.Context(), s, operator, src, DefaultAreaMapping, nil)
			errorSays(t, tc.name, err, append(tc.parts, "areas.geojson")...)
		}
		missing := filepath.Join(t.TempDir(), "missing.geojson")
		_, _, err := ImportAreasGeoJSON(t.Context(), s, operator, File(missing), DefaultAreaMapping, nil)
		errorSays(t, "a missing file", err, "missing.geojson")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a missing file: %v", err)
		}
		if areas, values := exports(t, s); areas != areasBefore || values != valuesBefore {
			t.Error("failed imports changed the store")
		}
	})
}

// TestReadAreasGeoJSONOutsideSweden holds areas to Sweden's extent after
// conversion: a Borås polygon written latitude first is refused with the
// hint to check the axis order, and a square at Jönköping shifted 270 km
// west (as a file in another zone read as SWEREF 99 TM would be) is
// refused as lying outside Sweden; the file's first feature, in place,
// goes through.
func TestReadAreasGeoJSONOutsideSweden(t *testing.T) {
	boras := orb.Polygon{{{12.90, 57.70}, {12.98, 57.70}, {12.98, 57.74}, {12.90, 57.74}, {12.90, 57.70}}}
	swapped := orb.Polygon{make(orb.Ring, len(boras[0]))}
	for i, p := range boras[0] {
		swapped[0][i] = orb.Point{p[1], p[0]}
	}
	ok := feature(`{"code":"1490-D1","name":"Norrby","kind":"DISTRICT"}`, geoJSON(t, boras))
	_, err := readAreas(collection(ok, feature(`{"code":"1490-D2","name":"Swapped","kind":"DISTRICT"}`, geoJSON(t, swapped))),
		DefaultAreaMapping)
	errorSays(t, "swapped axes", err, "areas.geojson: feature 2", `area "1490-D2"`, "longitude and latitude exchanged",
		"axis order")

	// Jönköping in SWEREF 99 TM, 270 km west of where it is.
	jonkoping := orb.Polygon{{{14.15, 57.77}, {14.19, 57.77}, {14.19, 57.79}, {14.15, 57.79}, {14.15, 57.77}}}
	shifted := geo.ToSWEREF99TMFromWGS84(jonkoping.Clone()).(orb.Polygon)
	for i := range shifted[0] {
		shifted[0][i][0] -= 270_000
	}
	m := DefaultAreaMapping
	m.CRS = geo.CRSSWEREF99TM
	inPlace := feature(`{"code":"0680","name":"Jönköping","kind":"MUNICIPALITY"}`,
		geoJSON(t, geo.ToSWEREF99TMFromWGS84(jonkoping.Clone())))
	got, err := readAreas(collection(inPlace), m)
	if err != nil || len(got) != 1 {
		t.Fatalf("Jönköping in place: %d areas, %v", len(got), err)
	}
	_, err = readAreas(collection(inPlace, feature(`{"code":"0680-X","name":"At sea","kind":"DISTRICT"}`, geoJSON(t, shifted))), m)
	errorSays(t, "at sea", err, "areas.geojson: feature 2", `area "0680-X"`, "outside Sweden", "--crs")
	if err != nil && strings.Contains(err.Error(), "exchanged") {
		t.Errorf("at sea: %v", err)
	}

	// The extent's edges, with their margin, are inside.
	for _, b := range []orb.Bound{
		{Min: orb.Point{10.96, 55.34}, Max: orb.Point{24.17, 69.06}}, // Sweden itself
		{Min: orb.Point{10.0, 55.0}, Max: orb.Point{24.5, 69.5}},
	} {
		if err := checkInSweden("X", b); err != nil {
			t.Errorf("%v: %v", b, err)
		}
	}
	if err := checkInSweden("X", orb.Bound{Min: orb.Point{9.99, 57}, Max: orb.Point{11, 58}}); err == nil {
		t.Error("a box west of the extent is not refused")
	}
}

// geoJSON is g as a GeoJSON geometry.
func geoJSON(t *testing.T, g orb.Geometry) string {
	t.Helper()
	b, err := geo.AppendGeoJSON(nil, g)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
