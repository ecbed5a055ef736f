package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestRoundCases(t *testing.T) {
	square := orb.Polygon{rect(12.91, 57.71, 12.93, 57.73)}
	tests := []struct {
		name     string
		in       orb.Geometry
		decimals int
		want     orb.Geometry
	}{
		{"nil", nil, 3, nil},
		{"point", orb.Point{12.9123456789, 57.7123456789}, 6, orb.Point{12.912346, 57.712346}},
		{"negative zero", orb.Point{-0.0000001, 0.0000001}, 3, orb.Point{0, 0}},
		{"decimals below 0", orb.Point{12.6, 57.4}, -3, orb.Point{13, 57}},
		{"decimals above 15", orb.Point{12.9, 57.7}, 99, orb.Point{12.9, 57.7}},
		{"multipoint keeps repeats", orb.MultiPoint{{1.01, 2}, {1.02, 2}}, 1, orb.MultiPoint{{1, 2}, {1, 2}}},
		{"line drops repeats", orb.LineString{{1.01, 2}, {1.02, 2}, {1.5, 2}}, 1, orb.LineString{{1, 2}, {1.5, 2}}},
		// One decimal would leave one position: the line gets two.
		{"line falls back", orb.LineString{{1.01, 2}, {1.02, 2}}, 1, orb.LineString{{1.01, 2}, {1.02, 2}}},
		{"bound", orb.Bound{Min: orb.Point{1.04, 2.04}, Max: orb.Point{3.06, 4.06}}, 1, orb.Bound{Min: orb.Point{1, 2}, Max: orb.Point{3.1, 4.1}}},
		{"flat bound falls back", orb.Bound{Min: orb.Point{1.01, 2.01}, Max: orb.Point{1.02, 2.02}}, 1, orb.Bound{Min: orb.Point{1.01, 2.01}, Max: orb.Point{1.02, 2.02}}},
		{"square", square, 2, orb.Polygon{{{12.91, 57.71}, {12.93, 57.71}, {12.93, 57.73}, {12.91, 57.73}, {12.91, 57.71}}}},
		// At one decimal the square is one point; at two it is whole.
		{"collapsing square falls back", square, 1, orb.Polygon{{{12.91, 57.71}, {12.93, 57.71}, {12.93, 57.73}, {12.91, 57.73}, {12.91, 57.71}}}},
		{"clockwise square is turned", orb.Polygon{reverseRing(rect(12.912, 57.712, 12.934, 57.734))}, 2,
			orb.Polygon{{{12.91, 57.71}, {12.93, 57.71}, {12.93, 57.73}, {12.91, 57.73}, {12.91, 57.71}}}},
		// The hole would touch the shell along an edge at two decimals.
		{"hole falls back", orb.Polygon{rect(12.91, 57.71, 12.95, 57.75), reverseRing(rect(12.912, 57.712, 12.93, 57.73))}, 2,
			orb.Polygon{rect(12.91, 57.71, 12.95, 57.75), reverseRing(rect(12.912, 57.712, 12.93, 57.73))}},
		{"collection", orb.Collection{orb.Point{1.26, 2.24}}, 1, orb.Collection{orb.Point{1.3, 2.2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := orb.Clone(tc.in)
			got := Round(tc.in, tc.decimals)
			if tc.in != nil && !orb.Equal(tc.in, before) {
				t.Fatal("input changed")
			}
			if !geomEqual(got, tc.want) {
				t.Errorf("Round = %v, want %v", got, tc.want)
			}
			if _, ok := got.(orb.Polygon); ok {
				mustBeValid(t, got)
			}
		})
	}
}

// TestRoundSevenDecimals: seven decimals move no position more than
// half of 1e-7 degrees, about 6 mm.
func TestRoundSevenDecimals(t *testing.T) {
	in := orb.Polygon{wobblyCircle(1000, 5)}
	got := Round(in, 7).(orb.Polygon)
	mustBeValid(t, got)
	if len(got[0]) != len(in[0]) {
		t.Fatalf("%d positions from %d", len(got[0]), len(in[0]))
	}
	for i := range in[0] {
		if d := Distance(in[0][i], got[0][i]); d > 0.0075 {
			t.Fatalf("position %d moved %.4f m", i, d)
		}
	}
}

func TestRoundMunicipalities(t *testing.T) {
	for code, g := range loadMunicipalities(t) {
		for d := range 7 {
			got := Round(g, d)
			if err := Validate(got, Options{}); err != nil {
				t.Fatalf("%s at %d decimals: %v", code, d, err)
			}
			if !windingOK(got) {
				t.Fatalf("%s at %d decimals: wrong winding", code, d)
			}
		}
	}
}
