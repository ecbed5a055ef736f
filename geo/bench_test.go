package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func BenchmarkValidate100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	for b.Loop() {
		if err := Validate(poly, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCovers100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	for b.Loop() {
		Covers(poly, orb.Point{12.95, 57.71})
	}
}

func BenchmarkIntersects100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	box := orb.Bound{Min: orb.Point{13.05, 57.65}, Max: orb.Point{13.2, 57.75}}
	for b.Loop() {
		Intersects(poly, box)
	}
}

func BenchmarkDistanceToGeometry100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	for b.Loop() {
		DistanceToGeometry(orb.Point{13.2, 57.7}, poly)
	}
}

func BenchmarkParseGeoJSON100k(b *testing.B) {
	data, err := AppendGeoJSON(nil, orb.Polygon{wobblyCircle(99_999, 7)})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseGeoJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalGeoJSON100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	for b.Loop() {
		if _, err := AppendGeoJSON(nil, poly); err != nil {
			b.Fatal(err)
		}
	}
}
