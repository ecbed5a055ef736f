package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// assertLabelInside fails unless p lies strictly inside poly by exact
// arithmetic and by PostGIS's.
func assertLabelInside(t *testing.T, poly orb.Polygon, p orb.Point) {
	t.Helper()
	if !Covers(poly, p) {
		t.Errorf("label %v not covered by its polygon", p)
	}
	if !interior(poly, p) {
		t.Errorf("label %v not strictly inside its polygon", p)
	}
}

func TestLabelPointShapes(t *testing.T) {
	sliver := orb.Polygon{{{12.9, 57.7}, {13.1, 57.7}, {13.1, 57.7000001}, {12.9, 57.7}}}
	tests := []struct {
		name string
		poly orb.Polygon
		// near is where the label should be, within tol degrees; zero
		// skips the check.
		near orb.Point
		tol  float64
	}{
		{"square", orb.Polygon{rect(12.9, 57.7, 13.0, 57.8)}, orb.Point{12.95, 57.75}, 1e-4},
		{"clockwise square", orb.Polygon{reverseRing(rect(12.9, 57.7, 13.0, 57.8))}, orb.Point{12.95, 57.75}, 1e-4},
		// The spine of the C is 0.01° of longitude wide and the arms
		// 0.01° of latitude, nearly twice as far on the ground: the
		// widest place is in an arm, well away from the spine.
		{"C-shape", cShape, orb.Point{}, 0},
		{"donut", donut, orb.Point{}, 0},
		{"square with hole", holedSquare, orb.Point{}, 0},
		{"small triangle", smallTriangle, orb.Point{}, 0},
		{"sliver", sliver, orb.Point{}, 0},
		{"across the antimeridian", acrossDateline, orb.Point{}, 0},
		{"comb", orb.Polygon{comb(200)}, orb.Point{}, 0},
		{"wobbly circle", orb.Polygon{wobblyCircle(5000, 3)}, orb.Point{12.9, 57.7}, 0.01},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := LabelPoint(tc.poly)
			assertLabelInside(t, tc.poly, p)
			if tc.tol > 0 && (math.Abs(p[0]-tc.near[0]) > tc.tol || math.Abs(p[1]-tc.near[1]) > tc.tol) {
				t.Errorf("label %v, want near %v", p, tc.near)
			}
			if c := Centroid(tc.poly); tc.name == "C-shape" || tc.name == "donut" {
				if Covers(tc.poly, c) {
					t.Errorf("centroid %v inside; the shape no longer tests anything", c)
				}
			}
		})
	}
}

// TestLabelPointFarFromBoundary checks that the label is where a label
// belongs: the C-shape's arms are 0.01° of latitude (1114 m on the
// ellipsoid) wide and its spine 0.01° of longitude (596 m), so the best
// label sits in an arm or where an arm meets the spine, about 557 m from
// the boundary, not in the middle of the spine, 298 m from it.
func TestLabelPointFarFromBoundary(t *testing.T) {
	p := LabelPoint(cShape)
	var boundary orb.MultiLineString
	for _, r := range cShape {
		boundary = append(boundary, orb.LineString(r))
	}
	d := DistanceToGeometry(p, boundary)
	if d < 551 || d > 558 {
		t.Errorf("label %v is %.1f m from the boundary, want about 557", p, d)
	}
}

func TestLabelPointKinds(t *testing.T) {
	nan := orb.Point{math.NaN(), math.NaN()}
	tests := []struct {
		name string
		g    orb.Geometry
		want orb.Point
	}{
		{"nil", nil, nan},
		{"empty multipolygon", orb.MultiPolygon{}, nan},
		{"point", orb.Point{12.9, 57.7}, orb.Point{12.9, 57.7}},
		{"multipoint", orb.MultiPoint{{0, 0}, {1, 1}, {10, 10}}, orb.Point{1, 1}},
		{"line", orb.LineString{{0, 0}, {2, 0}}, orb.Point{1, 0}},
		{"longest line", orb.MultiLineString{{{0, 0}, {1, 0}}, {{5, 5}, {5, 9}}}, orb.Point{5, 7}},
		{"bound", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{2, 2}}, orb.Point{1, 1}},
		{"largest part", twoSquares, orb.Point{13.015, 57.71}},
		{"areas before lines", orb.Collection{orb.LineString{{50, 0}, {60, 0}}, orb.Polygon{rect(0, 0, 2, 2)}}, orb.Point{1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantPoint(t, "LabelPoint", LabelPoint(tc.g), tc.want, 1e-4)
		})
	}
}

// TestLabelPointDegenerate: a polygon with no interior still gets a point
// it covers.
func TestLabelPointDegenerate(t *testing.T) {
	for _, poly := range []orb.Polygon{
		{{{0, 0}, {2, 0}, {4, 0}, {0, 0}}},
		{{{1, 1}, {3, 3}, {1, 1}, {1, 1}}},
	} {
		p := LabelPoint(poly)
		if !Covers(poly, p) {
			t.Errorf("LabelPoint(%v) = %v, not covered", poly, p)
		}
	}
}

func TestLabelPointMunicipalities(t *testing.T) {
	for code, g := range loadMunicipalities(t) {
		p := LabelPoint(g)
		polys := polygonsOf(g)
		in := false
		for _, poly := range polys {
			in = in || interior(poly, p)
		}
		if !in {
			t.Errorf("%s: label %v not strictly inside", code, p)
		}
	}
}

// TestLabelPointScanline drives the fallback directly: a sliver 0.1 mm
// high, too thin for any search cell to land in. (Much thinner, and
// PostGIS's point-in-polygon test, which ignores edges shorter than
// 1e-12°, no longer sees an interior.)
func TestLabelPointScanline(t *testing.T) {
	sliver := orb.Polygon{{{12.9, 57.7}, {13.1, 57.7}, {13.1, 57.7 + 1e-9}, {12.9, 57.7}}}
	p, ok := scanlineLabel(sliver)
	if !ok {
		t.Fatal("no point found")
	}
	assertLabelInside(t, sliver, p)
	assertLabelInside(t, sliver, LabelPoint(sliver))
}
