package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func BenchmarkSimplify100kZoom11(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	tol := ToleranceForZoom(11, 57.7)
	for b.Loop() {
		Simplify(poly, tol)
	}
}

func BenchmarkSimplify100kZoom16(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	tol := ToleranceForZoom(16, 57.7)
	for b.Loop() {
		Simplify(poly, tol)
	}
}

func BenchmarkSimplifyMunicipalitiesZoom8(b *testing.B) {
	var all []orb.Geometry
	for _, g := range loadMunicipalities(b) {
		all = append(all, g)
	}
	tol := ToleranceForZoom(8, 62)
	for b.Loop() {
		for _, g := range all {
			Simplify(g, tol)
		}
	}
}

func BenchmarkSimplifyComb(b *testing.B) {
	poly := orb.Polygon{comb(300)}
	for b.Loop() {
		Simplify(poly, 200)
	}
}

func BenchmarkRound100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	for b.Loop() {
		Round(poly, 6)
	}
}

func BenchmarkGeodesicArea100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	for b.Loop() {
		GeodesicArea(poly)
	}
}

func BenchmarkCentroid100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	for b.Loop() {
		Centroid(poly)
	}
}

func BenchmarkLabelPointBoras(b *testing.B) {
	boras := loadMunicipalities(b)["1490"]
	for b.Loop() {
		LabelPoint(boras)
	}
}

func BenchmarkLabelPointMunicipalities(b *testing.B) {
	var all []orb.Geometry
	for _, g := range loadMunicipalities(b) {
		all = append(all, g)
	}
	for b.Loop() {
		for _, g := range all {
			LabelPoint(g)
		}
	}
}

func BenchmarkLabelPoint100k(b *testing.B) {
	poly := orb.Polygon{wobblyCircle(99_999, 7)}
	for b.Loop() {
		LabelPoint(poly)
	}
}
