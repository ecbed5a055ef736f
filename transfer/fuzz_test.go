package transfer

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// The import readers take files from anyone with an editor's key. Their
// fuzz targets hold them to what the README promises: no input panics;
// every refusal names the file; every accepted record passes the store's
// checks with text a store can keep; and what is accepted, written back
// as the exports write it, reads back the same.

// FuzzReadAreasGeoJSON reads a FeatureCollection with the default mapping.
func FuzzReadAreasGeoJSON(f *testing.F) {
	for _, s := range []string{
		collection(district("N1")),
		collection(district("N1"), district("N2")),
		collection(feature(`{"code":"N1","name":"New","kind":"PRIORITY_AREA","areaType":2,"validFrom":"2024-01-01","validTo":"2026-12-31","description":"d"}`, square)),
		collection(feature(`{"code":"N1","name":"New","kind":"DISTRICT"}`, `{"type":"MultiPolygon","coordinates":[[[[12.9,57.7],[13,57.7],[13,57.8],[12.9,57.7]]]]}`)),
		collection(feature(`{"code":"N1","name":"New","kind":"DISTRICT"}`, `{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`)),
		collection(feature(`{"code":"N1","name":"N\u0000","kind":"DISTRICT"}`, square)),
		collection(feature(`{"code":"N1","name":"New","kind":"DISTRICT","parent":"N1"}`, square)),
		collection(feature(`{"code":"N1","name":"New","kind":"DISTRICT"}`, `{"type":"Polygon","coordinates":[[[370000,6400000],[380000,6400000],[380000,6410000],[370000,6400000]]]}`)),
		`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3006"}},"features":[]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]}`,
		`{"type":"FeatureCollection"}`, `{"features":{}}`, `[]`, ``, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{\"code\":\"\xff\"}}]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := DefaultAreaMapping
		var got []*db.AreaInput
		for a, err := range ReadAreasGeoJSON(bytes.NewReader(data), "fuzz.geojson", &m) {
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz.geojson: ") || len(err.Error()) <= len("fuzz.geojson: ") {
					t.Fatalf("error without the file's name or a message: %q", err)
				}
				if a != nil {
					t.Fatalf("error %v with an area", err)
				}
				return
			}
			got = append(got, a)
		}
		for i, a := range got {
			if err := a.Check(i + 1); err != nil {
				t.Fatalf("accepted area %d fails its check: %v", i+1, err)
			}
			if err := geo.Validate(a.Geometry, geo.Options{}); err != nil {
				t.Fatalf("accepted area %d has invalid geometry: %v", i+1, err)
			}
			for _, s := range []string{a.Code, a.Name, a.ParentCode, a.Description} {
				if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
					t.Fatalf("accepted area %d holds text no store keeps: %q", i+1, s)
				}
			}
			// Written as the export writes it, the area reads back as the
			// same area: exports import again.
			once := exportArea(t, a)
			m := DefaultAreaMapping
			var back []*db.AreaInput
			for b, err := range ReadAreasGeoJSON(strings.NewReader(once), "again.geojson", &m) {
				if err != nil {
					t.Fatalf("the export of accepted area %d does not read back: %v\n%s", i+1, err, once)
				}
				back = append(back, b)
			}
			if len(back) != 1 {
				t.Fatalf("the export of accepted area %d reads back as %d areas", i+1, len(back))
			}
			if twice := exportArea(t, back[0]); twice != once {
				t.Fatalf("area %d changes on a round trip:\n%s\n%s", i+1, once, twice)
			}
		}
	})
}

// exportArea writes a as a FeatureCollection of one feature, with the
// properties and geometry ExportAreasGeoJSON writes.
func exportArea(t *testing.T, a *db.AreaInput) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(areaProperties{Code: a.Code, Name: a.Name, Kind: a.Kind, AreaType: unlessZero(a.AreaType),
		Parent: unlessZero(a.ParentCode), ValidFrom: dateText(a.ValidFrom), ValidTo: dateText(a.ValidTo),
		Description: a.Description}); err != nil {
		t.Fatal(err)
	}
	g, err := geo.AppendGeoJSON(nil, a.Geometry)
	if err != nil {
		t.Fatalf("cannot write accepted geometry: %v", err)
	}
	return collection(feature(strings.TrimSuffix(b.String(), "\n"), string(g)))
}

// FuzzReadValuesCSV reads indicator values in the long format.
func FuzzReadValuesCSV(f *testing.F) {
	for _, s := range []string{
		"area_code,indicator_code,year,value\nB1,unemployment,2024,4.5\n",
		"area_code,indicator_code,year,value,sex,count\nB1,unemployment,2024,4.5,female,12\nB2,edu,2023,-0,TOTAL,\n",
		"\uFEFFArea_Code , indicator_code,year,value\n\"B,1\",\"x\"\"y\",1999,1e-7\n",
		"area_code,indicator_code,year,value\nB1,u,2024,NaN\n",
		"area_code,indicator_code,year,value\nB1,u,2024,1e400\n",
		"area_code,indicator_code,year,value\nB1,u,99999999999999999999,1\n",
		"area_code,indicator_code,year,value,count\nB1,u,2024,1,-5\n",
		"area_code,indicator_code,year,value\n\"B\r\n1\",u,2024,1\n",
		"area_code,indicator_code,year,value\nB\x001,u,2024,1\n",
		"area_code,indicator_code,year,value\n\xff,u,2024,1\n",
		"area_code,area_code,year,value\n", "year,value\n", "area_code,indicator_code,year,value\nB1,u\n", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []*db.ValueInput
		for v, err := range ReadValuesCSV(bytes.NewReader(data), "fuzz.csv") {
			if err != nil {
				if !strings.HasPrefix(err.Error(), "fuzz.csv") || len(err.Error()) <= len("fuzz.csv: ") {
					t.Fatalf("error without the file's name or a message: %q", err)
				}
				if v != nil {
					t.Fatalf("error %v with a value", err)
				}
				return
			}
			c := *v
			if v.Count != nil {
				n := *v.Count
				c.Count = &n
			}
			got = append(got, &c) // the reader may reuse what it yields
		}
		for i, v := range got {
			if err := v.Check(i + 1); err != nil {
				t.Fatalf("accepted value %d fails its check: %v", i+1, err)
			}
			for _, s := range []string{v.AreaCode, v.IndicatorCode, string(v.Sex)} {
				if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
					t.Fatalf("accepted value %d holds text no store keeps: %q", i+1, s)
				}
			}
		}
		if len(got) == 0 {
			return
		}
		// Written as the export writes them, the values read back the same.
		out := strings.Join(valueColumns, ",") + "\n"
		for _, v := range got {
			out += string(appendTerms(appendValueFields(nil, v), "CC BY 4.0", "Källa: SCB, \"bearbetad\"")) + "\n"
		}
		i := 0
		for v, err := range ReadValuesCSV(strings.NewReader(out), "again.csv") {
			if err != nil {
				t.Fatalf("the export of accepted values does not read back: %v\n%s", err, out)
			}
			w := got[i]
			if v.AreaCode != w.AreaCode || v.IndicatorCode != w.IndicatorCode || v.Year != w.Year || v.Value != w.Value ||
				v.Sex != w.Sex || (v.Count == nil) != (w.Count == nil) || v.Count != nil && *v.Count != *w.Count {
				t.Fatalf("value %d changes on a round trip: %+v, then %+v\n%s", i+1, *w, *v, out)
			}
			i++
		}
		if i != len(got) {
			t.Fatalf("%d values read back as %d", len(got), i)
		}
	})
}
