package geo_test

import (
	"fmt"
	"testing"

	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// boundary returns the rings of g's polygons as lines, to test whether a
// point is on the boundary with Covers.
func boundary(g orb.Geometry) orb.MultiLineString {
	var out orb.MultiLineString
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			out = append(out, orb.LineString(r))
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, boundary(p)...)
		}
	}
	return out
}

// TestDemoAreas runs the measures and simplification over every area of
// the bundled demo: its label lies strictly inside it and inside its
// parent, its area is positive and within its parent's, and its
// simplified and rounded forms are valid at every zoom a map shows it at.
func TestDemoAreas(t *testing.T) {
	ds := demo.Dataset()
	byID := map[int64]orb.Geometry{}
	for _, a := range ds.Areas {
		byID[a.ID] = a.Geometry
	}
	for _, a := range ds.Areas {
		t.Run(fmt.Sprintf("%d %s", a.ID, a.Name), func(t *testing.T) {
			g := a.Geometry
			p := geo.LabelPoint(g)
			if !geo.Covers(g, p) {
				t.Errorf("label %v outside", p)
			}
			if geo.Covers(boundary(g), p) {
				t.Errorf("label %v on the boundary", p)
			}
			if parent, ok := byID[a.ParentID]; ok && !geo.Covers(parent, p) {
				t.Errorf("label %v outside the parent area %d", p, a.ParentID)
			}
			area := geo.GeodesicArea(g)
			if area <= 0 {
				t.Errorf("area %v", area)
			}
			if parent, ok := byID[a.ParentID]; ok && area >= geo.GeodesicArea(parent) {
				t.Errorf("area %.0f m² not below the parent's", area)
			}
			for zoom := 6.0; zoom <= 16; zoom += 2 {
				s := geo.Simplify(g, geo.ToleranceForZoom(zoom, 57.72))
				if err := geo.Validate(s, geo.Options{}); err != nil {
					t.Errorf("simplified for zoom %v: %v", zoom, err)
				}
			}
			for d := 2; d <= 7; d++ {
				if err := geo.Validate(geo.Round(g, d), geo.Options{}); err != nil {
					t.Errorf("rounded to %d decimals: %v", d, err)
				}
			}
		})
	}
}
