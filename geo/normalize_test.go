package geo

import (
	"testing"

	"github.com/areagraph/areagraph/geo/geotest"
	"github.com/paulmach/orb"
)

func TestNormalize(t *testing.T) {
	ccw := grid([2]float64{0, 0}, [2]float64{4, 0}, [2]float64{4, 4}, [2]float64{0, 4}, [2]float64{0, 0})
	cwHole := grid([2]float64{1, 1}, [2]float64{1, 2}, [2]float64{2, 2}, [2]float64{2, 1}, [2]float64{1, 1})
	cw, ccwHole := ccw.Clone(), cwHole.Clone()
	orb.Ring(cw).Reverse()
	orb.Ring(ccwHole).Reverse()
	tests := []struct {
		name    string
		in, out orb.Geometry
	}{
		{"right already", orb.Polygon{ccw, cwHole}, orb.Polygon{ccw, cwHole}},
		{"both wrong", orb.Polygon{cw, ccwHole}, orb.Polygon{ccw, cwHole}},
		{"ring is an exterior", cw, ccw},
		{"multipolygon", orb.MultiPolygon{{cw}, {ccw, ccwHole}}, orb.MultiPolygon{{ccw}, {ccw, cwHole}}},
		{"collection", orb.Collection{orb.Polygon{cw}, orb.Point{1, 2}}, orb.Collection{orb.Polygon{ccw}, orb.Point{1, 2}}},
		{"line unchanged", orb.LineString{{1, 1}, {0, 0}}, orb.LineString{{1, 1}, {0, 0}}},
		{"zero-area ring unchanged", orb.Polygon{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}, orb.Polygon{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}},
		{"sliver", orb.Polygon{{{0, 0}, {1, 1e-300}, {2, 0}, {0, 0}}}, orb.Polygon{{{0, 0}, {2, 0}, {1, 1e-300}, {0, 0}}}},
		{"nil", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := orb.Clone(tc.in)
			got := Normalize(tc.in)
			if !geomEqual(got, tc.out) {
				t.Fatalf("Normalize = %v, want %v", got, tc.out)
			}
			if !geomEqual(tc.in, before) {
				t.Fatalf("Normalize changed its input to %v", tc.in)
			}
		})
	}
}

func geomEqual(a, b orb.Geometry) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return orb.Equal(a, b)
}

func TestNormalizeEdgeCases(t *testing.T) {
	for _, tc := range geotest.EdgeCases() {
		t.Run(tc.Name, func(t *testing.T) {
			got := Normalize(tc.Geometry)
			if tc.Geometry == nil {
				if got != nil {
					t.Fatalf("Normalize(nil) = %v", got)
				}
				return
			}
			if got.GeoJSONType() != tc.Geometry.GeoJSONType() {
				t.Fatalf("type changed from %s to %s", tc.Geometry.GeoJSONType(), got.GeoJSONType())
			}
			if tc.Valid {
				if err := Validate(got, Options{}); err != nil {
					t.Fatalf("normalized geometry no longer valid: %v", err)
				}
				if !windingOK(got) {
					t.Fatalf("wrong winding after Normalize: %v", got)
				}
			}
		})
	}
}

// windingOK checks RFC 7946 winding everywhere in g.
func windingOK(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.Polygon:
		for i, r := range g {
			if w := ringWinding(r); w != 0 && (w > 0) != (i == 0) {
				return false
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if !windingOK(p) {
				return false
			}
		}
	case orb.Collection:
		for _, m := range g {
			if !windingOK(m) {
				return false
			}
		}
	}
	return true
}
