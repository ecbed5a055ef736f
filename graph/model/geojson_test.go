package model

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// TestUnmarshalGeoJSON covers the forms a client's geometry reaches the
// scalar in and that what cannot be read is BAD_USER_INPUT; the GeoJSON
// reading itself, messages included, is geo's (TestDecodeGeoJSON and
// TestParseGeoJSONErrors there).
func TestUnmarshalGeoJSON(t *testing.T) {
	point := orb.Point{1, 2}
	forms := map[string]any{
		"variables, as gqlgen decodes them":      map[string]any{"type": "Point", "coordinates": []any{json.Number("1"), json.Number("2")}},
		"inline literal, as gqlparser builds it": map[string]any{"type": "Point", "coordinates": []any{int64(1), 2.0}},
		"JSON string":                            `{"type":"Point","coordinates":[1,2]}`,
		"raw bytes":                              []byte(`{"type":"Point","coordinates":[1,2]}`),
		"raw message":                            json.RawMessage(`{"type":"Point","coordinates":[1,2]}`),
	}
	for name, in := range forms {
		if got, err := UnmarshalGeoJSON(in); err != nil || !orb.Equal(got, point) {
			t.Errorf("%s: %v, %v; want %v", name, got, err, point)
		}
	}
	for in, says := range map[any]string{
		12.5:         "GeoJSON: want a geometry object, got a number",
		"POINT(1 2)": "GeoJSON: not valid JSON: invalid character 'P' looking for beginning of value",
	} {
		_, err := UnmarshalGeoJSON(in)
		if db.ErrorCode(err) != db.EINVALID || db.ErrorMessage(err) != says {
			t.Errorf("UnmarshalGeoJSON(%v) = %v, want %s: %s", in, err, db.EINVALID, says)
		}
	}
	if _, err := UnmarshalGeoJSON(nil); db.ErrorCode(err) != db.EINVALID {
		t.Errorf("UnmarshalGeoJSON(nil) = %v, want %s", err, db.EINVALID)
	}
}

// TestMarshalGeoJSON: what geo can write is written as geo writes it, and
// what it cannot is graphql.Null itself, which gqlgen compares with to
// report a null on a non-null field.
func TestMarshalGeoJSON(t *testing.T) {
	check(t, orb.Point{12.94, 57.72}, `{"type":"Point","coordinates":[12.94,57.72]}`)
	check(t, orb.Point{math.NaN(), 0}, "null")
	check(t, orb.Point{math.Inf(1), 0}, "null")
	check(t, nil, "null")
	check(t, orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {0, 0}}}, `{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,1],[0,0]]]}`)
	check(t, orb.Collection{orb.Point{1, 2}, nil}, "null")
}

func check(t *testing.T, g orb.Geometry, want string) {
	t.Helper()
	m := MarshalGeoJSON(g)
	if (m == graphql.Null) != (want == "null") {
		t.Errorf("MarshalGeoJSON(%v) == graphql.Null is %v", g, m == graphql.Null)
	}
	var b bytes.Buffer
	m.MarshalGQL(&b)
	if b.String() != want {
		t.Errorf("MarshalGeoJSON(%v) wrote %s, want %s", g, b.String(), want)
	}
}
