package geo_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

func ExampleValidate() {
	bowTie := orb.Polygon{{{12.90, 57.70}, {12.92, 57.72}, {12.92, 57.70}, {12.90, 57.72}, {12.90, 57.70}}}
	fmt.Println(geo.Validate(bowTie, geo.Options{}))

	line := orb.LineString{{12.90, 57.70}, {12.92, 57.72}}
	fmt.Println(geo.Validate(line, geo.Options{Allowed: []string{"Polygon", "MultiPolygon"}}))

	square := orb.Polygon{{{12.90, 57.70}, {12.92, 57.70}, {12.92, 57.72}, {12.90, 57.72}, {12.90, 57.70}}}
	fmt.Println(geo.Validate(square, geo.Options{}))
	// Output:
	// geo: ring 0 intersects itself near [12.91, 57.71] (segments 0 and 2)
	// geo: geometry is a LineString; allowed here: Polygon, MultiPolygon
	// <nil>
}

func ExampleValidationError() {
	err := geo.Validate(orb.Point{12.9, 95}, geo.Options{})
	if ve, ok := err.(*geo.ValidationError); ok {
		fmt.Printf("path %q, reason %q\n", ve.Path, ve.Reason)
	}
	// Output:
	// path "", reason "has latitude 95, which is out of range [-90, 90]"
}

func ExampleNormalize() {
	clockwise := orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}}
	fmt.Println(geo.Normalize(clockwise))
	// Output:
	// [[[0 0] [1 0] [1 1] [0 1] [0 0]]]
}

func ExampleCovers() {
	area := orb.Polygon{
		{{12.91, 57.71}, {12.97, 57.71}, {12.97, 57.77}, {12.91, 57.77}, {12.91, 57.71}},
		{{12.93, 57.73}, {12.93, 57.75}, {12.95, 57.75}, {12.95, 57.73}, {12.93, 57.73}},
	}
	fmt.Println(geo.Covers(area, orb.Point{12.92, 57.72})) // inside
	fmt.Println(geo.Covers(area, orb.Point{12.91, 57.74})) // on the outer edge
	fmt.Println(geo.Covers(area, orb.Point{12.94, 57.74})) // in the hole
	fmt.Println(geo.Covers(area, orb.Point{12.93, 57.74})) // on the hole's edge
	// Output:
	// true
	// true
	// false
	// true
}

func ExampleIntersects() {
	a := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}
	b := orb.Polygon{{{1, 1}, {2, 1}, {2, 2}, {1, 2}, {1, 1}}}
	fmt.Println(geo.Intersects(a, b)) // touching at a corner counts
	fmt.Println(geo.Intersects(a, orb.Bound{Min: orb.Point{1.5, 0}, Max: orb.Point{3, 3}}))
	// Output:
	// true
	// false
}

func ExampleDistanceToGeometry() {
	area := orb.Polygon{{{12.91, 57.71}, {12.97, 57.71}, {12.97, 57.77}, {12.91, 57.77}, {12.91, 57.71}}}
	fmt.Printf("%.1f m\n", geo.DistanceToGeometry(orb.Point{12.94, 57.74}, area))
	// 0.01° of latitude south of the south edge is 1113.8 m on the
	// ellipsoid; the edge's great circle bows north, away from the point.
	fmt.Printf("%.1f m\n", geo.DistanceToGeometry(orb.Point{12.94, 57.70}, area))
	// Output:
	// 0.0 m
	// 1114.1 m
}

func ExampleParseGeoJSON() {
	g, err := geo.ParseGeoJSON([]byte(`{"type":"Feature","geometry":{"type":"Point","coordinates":[12.94,57.72]}}`))
	fmt.Println(g, err)

	_, err = geo.ParseGeoJSON([]byte(`{"type":"Polgon","coordinates":[]}`))
	fmt.Println(err)
	// Output:
	// [12.94 57.72] <nil>
	// GeoJSON: unknown type "Polgon"; did you mean "Polygon"?
}

func ExampleWriteGeoJSON() {
	var buf bytes.Buffer
	err := geo.WriteGeoJSON(&buf, orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {0, 0}}})
	fmt.Println(buf.String(), err)
	// Output:
	// {"type":"Polygon","coordinates":[[[0,0],[1,1],[0,1],[0,0]]]} <nil>
}

func ExampleDecodeGeoJSON() {
	// A value decoded with json.Number values, as a request's variables.
	var v any
	dec := json.NewDecoder(bytes.NewReader([]byte(`{"type":"Point","coordinates":[12.94,57.72]}`)))
	dec.UseNumber()
	_ = dec.Decode(&v)
	g, err := geo.DecodeGeoJSON(v)
	fmt.Println(g, err)
	// Output:
	// [12.94 57.72] <nil>
}
