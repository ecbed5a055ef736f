package geo

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/geo/geotest"
	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

func TestParseGeoJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want orb.Geometry
	}{
		{"point", `{"type":"Point","coordinates":[12.94,57.72]}`, orb.Point{12.94, 57.72}},
		{"point with altitude", `{"type":"Point","coordinates":[12.94,57.72,140.5]}`, orb.Point{12.94, 57.72}},
		{"multipoint", `{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}`, orb.MultiPoint{{1, 2}, {3, 4}}},
		{"linestring", `{"type":"LineString","coordinates":[[1,2],[3,4]]}`, orb.LineString{{1, 2}, {3, 4}}},
		{"multilinestring", `{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[]]}`, orb.MultiLineString{{{1, 2}, {3, 4}}, {}}},
		{"polygon", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}},
		{"multipolygon", `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}`, orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}},
		{"empty polygon", `{"type":"Polygon","coordinates":[]}`, orb.Polygon{}},
		{"collection", `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"GeometryCollection","geometries":[]}]}`, orb.Collection{orb.Point{1, 2}, orb.Collection{}}},
		{"feature", `{"type":"Feature","properties":{"name":"Norrby"},"geometry":{"type":"Point","coordinates":[12.93,57.73]}}`, orb.Point{12.93, 57.73}},
		{"foreign members and bbox ignored", `{"type":"Point","bbox":[1,2,1,2],"title":"x","coordinates":[1,2]}`, orb.Point{1, 2}},
		{"CRS84 crs accepted", `{"type":"Point","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"coordinates":[1,2]}`, orb.Point{1, 2}},
		{"null crs accepted", `{"type":"Point","crs":null,"coordinates":[1,2]}`, orb.Point{1, 2}},
		{"exponents and negative zero", `{"type":"Point","coordinates":[-0,1.5e1]}`, orb.Point{0, 15}},
		{"whitespace around", " \n{\"type\":\"Point\",\"coordinates\":[1,2]}\n ", orb.Point{1, 2}},
		{"out-of-range coordinates are Validate's business", `{"type":"Point","coordinates":[500,-500]}`, orb.Point{500, -500}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseGeoJSON([]byte(tc.in))
			if err != nil {
				t.Fatalf("ParseGeoJSON: %v", err)
			}
			if !orb.Equal(got, tc.want) {
				t.Fatalf("ParseGeoJSON = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestParseGeoJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", ``, `GeoJSON: input is empty`},
		{"not JSON", `{"type":`, `GeoJSON: not valid JSON: unexpected EOF`},
		{"trailing data", `{"type":"Point","coordinates":[1,2]} {}`, `GeoJSON: unexpected data after the geometry object`},
		{"array", `[1,2]`, `GeoJSON: want a geometry object, got an array`},
		{"null", `null`, `GeoJSON: want a geometry object, got null`},
		{"no type", `{"coordinates":[1,2]}`, `GeoJSON: object has no "type" member`},
		{"type not a string", `{"type":7}`, `GeoJSON: "type" must be a string, got a number`},
		{"misspelt type", `{"type":"Polgon","coordinates":[]}`, `GeoJSON: unknown type "Polgon"; did you mean "Polygon"?`},
		{"lower-case type", `{"type":"multipolygon","coordinates":[]}`, `GeoJSON: unknown type "multipolygon"; did you mean "MultiPolygon"?`},
		{"unrelated type", `{"type":"Circle","radius":3}`, `GeoJSON: unknown type "Circle"; want one of Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon, GeometryCollection`},
		{"feature collection", `{"type":"FeatureCollection","features":[]}`, `GeoJSON: a FeatureCollection is not a geometry; send one geometry or one Feature`},
		{"feature without geometry", `{"type":"Feature","geometry":null,"properties":{}}`, `GeoJSON: the Feature has no geometry`},
		{"feature in feature", `{"type":"Feature","geometry":{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}}`, `GeoJSON: in the Feature's geometry: a Feature is not a geometry; put its geometry here`},
		{"no coordinates", `{"type":"Polygon"}`, `GeoJSON: the Polygon has no coordinates`},
		{"coordinates not an array", `{"type":"Polygon","coordinates":"0 0, 1 1"}`, `GeoJSON: coordinates of a Polygon must be an array of linear rings, each an array of positions [longitude, latitude]; the value is the string "0 0, 1 1"`},
		{"polygon one level short", `{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}`, `GeoJSON: coordinates of a Polygon must be an array of linear rings, each an array of positions [longitude, latitude]; ring 0, position 0 is a number`},
		{"short position", `{"type":"LineString","coordinates":[[0,0],[1]]}`, `GeoJSON: coordinates of a LineString must be an array of positions [longitude, latitude]; position 1 has 1 element(s); a position has 2, or 3 with altitude`},
		{"long position", `{"type":"Point","coordinates":[1,2,3,4]}`, `GeoJSON: coordinates of a Point must be a position [longitude, latitude]; the value has 4 element(s); a position has 2, or 3 with altitude`},
		{"number as string", `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,"0"],[1,1],[0,0]]]]}`, `GeoJSON: coordinates of a MultiPolygon must be an array of polygons, each an array of linear rings of positions [longitude, latitude]; polygon 0, ring 0, position 1 has the string "0" at index 1, not a number`},
		{"null coordinate", `{"type":"Point","coordinates":[null,2]}`, `GeoJSON: coordinates of a Point must be a position [longitude, latitude]; the value has null at index 0, not a number`},
		{"huge number", `{"type":"Point","coordinates":[1e400,2]}`, `GeoJSON: coordinates of a Point must be a position [longitude, latitude]; the value has the number 1e400 at index 0, which is out of range`},
		{"no geometries", `{"type":"GeometryCollection"}`, `GeoJSON: the GeometryCollection has no "geometries" member`},
		{"bad member", `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"Pont","coordinates":[1,2]}]}`, `GeoJSON: geometry 1 of the GeometryCollection: unknown type "Pont"; did you mean "Point"?`},
		{"feature as member", `{"type":"GeometryCollection","geometries":[{"type":"Feature","geometry":null}]}`, `GeoJSON: geometry 0 of the GeometryCollection: a Feature is not a geometry; put its geometry here`},
		{"other crs", `{"type":"Point","crs":{"type":"name","properties":{"name":"EPSG:3006"}},"coordinates":[319000,6400000]}`, `GeoJSON: only WGS 84 longitude/latitude coordinates are accepted; remove the "crs" member and send RFC 7946 GeoJSON`},
		{"nested too deep", strings.Repeat(`{"type":"GeometryCollection","geometries":[`, 20) + strings.Repeat(`]}`, 20), `GeoJSON: geometry 0 of the GeometryCollection: `},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ParseGeoJSON([]byte(tc.in))
			if err == nil {
				t.Fatalf("ParseGeoJSON = %v, want error %q", g, tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error\n got  %s\n want %s", err, tc.want)
			}
		})
	}
}

func TestDecodeGeoJSON(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}
	tests := []struct {
		name    string
		in      any
		want    orb.Geometry
		wantErr string
	}{
		{
			name: "decoded with json.Number",
			in: map[string]any{"type": "Polygon", "coordinates": []any{[]any{
				[]any{json.Number("0"), json.Number("0")}, []any{json.Number("1"), json.Number("0")},
				[]any{json.Number("1"), json.Number("1")}, []any{json.Number("0"), json.Number("0")},
			}}},
			want: square,
		},
		{
			name: "int64 and float64 mixed",
			in: map[string]any{"type": "Polygon", "coordinates": []any{[]any{
				[]any{int64(0), int64(0)}, []any{1.0, int64(0)}, []any{int64(1), 1.0}, []any{int64(0), int64(0)},
			}}},
			want: square,
		},
		{"feature object", map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []any{1.0, 2.0}}}, orb.Point{1, 2}, ""},
		{"null", nil, nil, "GeoJSON: want a geometry object, got null"},
		{"number", 12.5, nil, "GeoJSON: want a geometry object, got a number"},
		{"list", []any{1.0, 2.0}, nil, "GeoJSON: want a geometry object, got an array"},
		{"string", `{"type":"Point","coordinates":[1,2]}`, nil, `GeoJSON: want a geometry object, got the string "{\"type\":\"Point\",\"coo…"`},
		{"NaN from Go code", map[string]any{"type": "Point", "coordinates": []any{math.NaN(), 1.0}}, nil, "GeoJSON: coordinates of a Point must be a position [longitude, latitude]; the value has NaN at index 0, which is not a finite number"},
		{"bad object", map[string]any{"type": "Polygon", "coordinates": []any{[]any{true}}}, nil, "GeoJSON: coordinates of a Polygon must be an array of linear rings, each an array of positions [longitude, latitude]; ring 0, position 0 is a boolean"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeGeoJSON(tc.in)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !orb.Equal(got, tc.want) {
				t.Fatalf("DecodeGeoJSON = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestGeoJSONEdgeCases writes every shared edge case, compares with the
// golden file, and reads each back: what is written parses to the same
// geometry, with RFC 7946 winding.
func TestGeoJSONEdgeCases(t *testing.T) {
	var golden bytes.Buffer
	for _, tc := range geotest.EdgeCases() {
		data, err := AppendGeoJSON(nil, tc.Geometry)
		golden.WriteString(tc.Name + "\n")
		if err != nil {
			golden.WriteString("error: " + err.Error() + "\n\n")
			continue
		}
		golden.Write(data)
		golden.WriteString("\n\n")
		if !json.Valid(data) {
			t.Errorf("%s: invalid JSON %s", tc.Name, data)
			continue
		}
		back, err := ParseGeoJSON(data)
		if err != nil {
			t.Errorf("%s: reading back %s: %v", tc.Name, data, err)
			continue
		}
		if want := asWritten(Normalize(tc.Geometry)); !orb.Equal(back, want) {
			t.Errorf("%s: round trip gave %v, want %v", tc.Name, back, want)
		}
		if tc.Valid && !windingOK(back) {
			t.Errorf("%s: written with wrong winding: %s", tc.Name, data)
		}
	}
	const path = "testdata/geojson/edgecases.golden"
	if *update {
		if err := os.WriteFile(path, golden.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./geo -run TestGeoJSONEdgeCases -update)", err)
	}
	if !bytes.Equal(golden.Bytes(), want) {
		t.Errorf("output differs from %s; if the change is intended, rerun with -update", path)
	}
}

// asWritten is g as GeoJSON represents it: Rings and Bounds become
// Polygons.
func asWritten(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Ring:
		return orb.Polygon{g}
	case orb.Bound:
		return g.ToPolygon()
	case orb.Collection:
		c := make(orb.Collection, len(g))
		for i, m := range g {
			c[i] = asWritten(m)
		}
		return c
	}
	return g
}
