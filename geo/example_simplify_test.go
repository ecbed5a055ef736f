package geo_test

import (
	"fmt"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

func ExampleToleranceForZoom() {
	// The ground size of a pixel over Borås at the zoom a city map opens at.
	fmt.Printf("%.1f m\n", geo.ToleranceForZoom(11, 57.72))
	// Output:
	// 40.8 m
}

func ExampleSimplify() {
	// A block of 1.2 × 1.1 km with a 5 m kink in its southern edge and a
	// point on its northern edge that changes nothing.
	block := orb.Polygon{{
		{12.90, 57.70}, {12.91, 57.70004}, {12.92, 57.70}, {12.92, 57.71},
		{12.91, 57.71}, {12.90, 57.71}, {12.90, 57.70},
	}}
	fmt.Println(geo.Simplify(block, 1))
	fmt.Println(geo.Simplify(block, geo.ToleranceForZoom(11, 57.7)))
	// Output:
	// [[[12.9 57.7] [12.91 57.70004] [12.92 57.7] [12.92 57.71] [12.9 57.71] [12.9 57.7]]]
	// [[[12.9 57.7] [12.92 57.7] [12.92 57.71] [12.9 57.71] [12.9 57.7]]]
}

func ExampleRound() {
	// Six decimals are about 0.1 m, seven about 1 cm.
	fmt.Println(geo.Round(orb.Point{12.940812345678, 57.721398765432}, 6))

	// At two decimals this small square would be a single point, so it
	// keeps three.
	square := orb.Polygon{{{12.9401, 57.7201}, {12.9432, 57.7201}, {12.9432, 57.7232}, {12.9401, 57.7232}, {12.9401, 57.7201}}}
	fmt.Println(geo.Round(square, 2))
	// Output:
	// [12.940812 57.721399]
	// [[[12.94 57.72] [12.943 57.72] [12.943 57.723] [12.94 57.723] [12.94 57.72]]]
}

func ExampleGeodesicArea() {
	// 0.1° × 0.1° at Borås with a 0.02° × 0.02° hole.
	poly := orb.Polygon{
		{{12.90, 57.70}, {13.00, 57.70}, {13.00, 57.80}, {12.90, 57.80}, {12.90, 57.70}},
		{{12.92, 57.72}, {12.92, 57.74}, {12.94, 57.74}, {12.94, 57.72}, {12.92, 57.72}},
	}
	fmt.Printf("%.3f km²\n", geo.GeodesicArea(poly)/1e6)
	// Output:
	// 63.662 km²
}

func ExampleCentroid() {
	// The centroid of a C-shaped area lies in its opening, outside it.
	c := orb.Polygon{{
		{12.90, 57.70}, {12.96, 57.70}, {12.96, 57.71}, {12.91, 57.71}, {12.91, 57.74},
		{12.96, 57.74}, {12.96, 57.75}, {12.90, 57.75}, {12.90, 57.70},
	}}
	centroid := geo.Centroid(c)
	fmt.Printf("[%.4f %.4f] inside: %v\n", centroid[0], centroid[1], geo.Covers(c, centroid))
	// Output:
	// [12.9250 57.7250] inside: false
}

func ExampleLabelPoint() {
	// A ring around a park: the label goes in the ring, not in the park.
	ring := orb.Polygon{
		{{12.90, 57.70}, {12.96, 57.70}, {12.96, 57.74}, {12.90, 57.74}, {12.90, 57.70}},
		{{12.91, 57.71}, {12.91, 57.73}, {12.95, 57.73}, {12.95, 57.71}, {12.91, 57.71}},
	}
	p := geo.LabelPoint(ring)
	fmt.Println("inside:", geo.Covers(ring, p))
	fmt.Printf("%.0f m from the edge\n", geo.DistanceToGeometry(p, orb.MultiLineString{orb.LineString(ring[0]), orb.LineString(ring[1])}))
	// Output:
	// inside: true
	// 557 m from the edge
}
