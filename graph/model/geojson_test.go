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

func TestUnmarshalGeoJSON(t *testing.T) {
	square := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}
	tests := []struct {
		name    string
		in      any
		want    orb.Geometry
		wantErr string
	}{
		{
			name: "variables, as gqlgen decodes them",
			in: map[string]any{"type": "Polygon", "coordinates": []any{[]any{
				[]any{json.Number("0"), json.Number("0")}, []any{json.Number("1"), json.Number("0")},
				[]any{json.Number("1"), json.Number("1")}, []any{json.Number("0"), json.Number("0")},
			}}},
			want: square,
		},
		{
			name: "inline literal, as gqlparser builds it",
			in: map[string]any{"type": "Polygon", "coordinates": []any{[]any{
				[]any{int64(0), int64(0)}, []any{1.0, int64(0)}, []any{int64(1), 1.0}, []any{int64(0), int64(0)},
			}}},
			want: square,
		},
		{"JSON string", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, square, ""},
		{"feature object", map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []any{1.0, 2.0}}}, orb.Point{1, 2}, ""},
		{"raw bytes", []byte(`{"type":"Point","coordinates":[1,2]}`), orb.Point{1, 2}, ""},
		{"raw message", json.RawMessage(`{"type":"Point","coordinates":[1,2]}`), orb.Point{1, 2}, ""},
		{"null", nil, nil, "GeoJSON: want a geometry object, got null"},
		{"number", 12.5, nil, "GeoJSON: want a geometry object, got a number"},
		{"list", []any{1.0, 2.0}, nil, "GeoJSON: want a geometry object, got an array"},
		{"string that is not GeoJSON", "POINT(1 2)", nil, "GeoJSON: not valid JSON: invalid character 'P' looking for beginning of value"},
		{"NaN from Go code", map[string]any{"type": "Point", "coordinates": []any{math.NaN(), 1.0}}, nil, "GeoJSON: coordinates of a Point must be a position [longitude, latitude]; the value has NaN at index 0, which is not a finite number"},
		{"bad object", map[string]any{"type": "Polygon", "coordinates": []any{[]any{true}}}, nil, "GeoJSON: coordinates of a Polygon must be an array of linear rings, each an array of positions [longitude, latitude]; ring 0, position 0 is a boolean"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := UnmarshalGeoJSON(tc.in)
			if tc.wantErr != "" {
				if err == nil || db.ErrorMessage(err) != tc.wantErr || db.ErrorCode(err) != db.EINVALID {
					t.Fatalf("error = %v, want %s: %s", err, db.EINVALID, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !orb.Equal(got, tc.want) {
				t.Fatalf("UnmarshalGeoJSON = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMarshalGeoJSON(t *testing.T) {
	tests := []struct {
		name string
		g    orb.Geometry
		want string
	}{
		{"nil", nil, `null`},
		{"point", orb.Point{12.94, 57.72}, `{"type":"Point","coordinates":[12.94,57.72]}`},
		{"clockwise shell turned", orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {0, 0}}}, `{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,1],[0,0]]]}`},
		{"empty collection", orb.Collection{}, `{"type":"GeometryCollection","geometries":[]}`},
		{"NaN gives null", orb.Point{math.NaN(), 0}, `null`},
		{"nil member gives null", orb.Collection{orb.Point{1, 2}, nil}, `null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := MarshalGeoJSON(tc.g)
			// gqlgen reports a null on a non-null field by comparing with
			// graphql.Null, so a null must be that very value.
			if (m == graphql.Null) != (tc.want == "null") {
				t.Fatalf("MarshalGeoJSON(%v) == graphql.Null is %v", tc.g, m == graphql.Null)
			}
			var b bytes.Buffer
			m.MarshalGQL(&b)
			if got := b.String(); got != tc.want {
				t.Fatalf("MarshalGeoJSON =\n %s\nwant\n %s", got, tc.want)
			}
		})
	}
}
