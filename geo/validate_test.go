package geo

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/geo/geotest"
	"github.com/paulmach/orb"
)

func TestValidateEdgeCases(t *testing.T) {
	for _, tc := range geotest.EdgeCases() {
		t.Run(tc.Name, func(t *testing.T) {
			err := Validate(tc.Geometry, Options{})
			if tc.Valid {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want an error containing %q", tc.Reason)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate error %T is not a *ValidationError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "geo: ") {
				t.Errorf("message %q lacks the geo: prefix", msg)
			}
			if !strings.Contains(msg, tc.Reason) {
				t.Errorf("message %q does not contain %q", msg, tc.Reason)
			}
		})
	}
}

// grid maps small integer coordinates onto Borås so tests read like
// drawings while exercising real-world magnitudes.
func grid(pts ...[2]float64) orb.Ring {
	r := make(orb.Ring, len(pts))
	for i, p := range pts {
		r[i] = orb.Point{12.9 + p[0]/100, 57.7 + p[1]/100}
	}
	return r
}

func TestValidateMessages(t *testing.T) {
	ok := orb.Polygon{grid([2]float64{0, 0}, [2]float64{1, 0}, [2]float64{1, 1}, [2]float64{0, 0})}
	tests := []struct {
		name string
		g    orb.Geometry
		want string
	}{
		{
			name: "unclosed ring in second polygon",
			g:    orb.MultiPolygon{ok, {{{12.9, 57.7}, {12.95, 57.7}, {12.95, 57.75}, {13, 57.8}}}},
			want: "geo: polygon 1, ring 0 is not closed: first position [12.9, 57.7] differs from last [13, 57.8]",
		},
		{
			name: "latitude out of range",
			g:    orb.Polygon{{{12.9, 57.7}, {12.91, 57.7}, {12.92, 57.71}, {12.93, 57.72}, {12.92, 57.73}, {12.91, 95}, {12.9, 57.7}}},
			want: "geo: position 5 of ring 0 has latitude 95, which is out of range [-90, 90]",
		},
		{
			name: "self-intersection",
			// Edge 3 runs east along y=2 and edge 7 south along x=5;
			// no other edges meet.
			g: orb.Polygon{grid(
				[2]float64{10, 0}, [2]float64{10, 8}, [2]float64{0, 8}, [2]float64{4, 2}, [2]float64{6, 2},
				[2]float64{8, 4}, [2]float64{4, 5}, [2]float64{5, 3}, [2]float64{5, 1}, [2]float64{7, 0}, [2]float64{10, 0})},
			want: "geo: ring 0 intersects itself near [12.95, 57.72] (segments 3 and 7)",
		},
		{
			name: "vertex cap",
			g:    make(orb.LineString, 120_001),
			want: "geo: geometry has 120001 vertices; the limit is 100000",
		},
		{
			name: "hole crossing its shell",
			g:    orb.Polygon{grid([2]float64{0, 0}, [2]float64{4, 0}, [2]float64{4, 4}, [2]float64{0, 4}, [2]float64{0, 0}), grid([2]float64{1, 1}, [2]float64{1, 5}, [2]float64{2, 5}, [2]float64{2, 1}, [2]float64{1, 1})},
			want: "geo: ring 0 crosses ring 1 near [12.91, 57.74] (segments 2 and 0)",
		},
		{
			name: "nil",
			g:    nil,
			want: "geo: geometry is missing",
		},
		{
			name: "point out of range",
			g:    orb.Point{500, 500},
			want: "geo: geometry has longitude 500, which is out of range [-180, 180]",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.g, Options{})
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Validate = %v\nwant        %s", err, tc.want)
			}
		})
	}
}

func TestValidateOptions(t *testing.T) {
	poly := orb.Polygon{grid([2]float64{0, 0}, [2]float64{1, 0}, [2]float64{1, 1}, [2]float64{0, 0})}
	line := orb.LineString{{12.9, 57.7}, {12.91, 57.71}}
	areas := []string{"Polygon", "MultiPolygon"}
	tests := []struct {
		name string
		g    orb.Geometry
		opt  Options
		want string // "" for valid
	}{
		{"polygon allowed", poly, Options{Allowed: areas}, ""},
		{"line not allowed", line, Options{Allowed: areas}, "geo: geometry is a LineString; allowed here: Polygon, MultiPolygon"},
		{"bound counts as polygon", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, Options{Allowed: areas}, ""},
		{"collection member checked", orb.Collection{poly, line}, Options{Allowed: []string{"GeometryCollection", "Polygon"}}, "geo: geometry 1 is a LineString; allowed here: GeometryCollection, Polygon"},
		{"empty allow-list allows nothing", poly, Options{Allowed: []string{}}, "geo: geometry is a Polygon; allowed here: "},
		{"custom cap", poly, Options{MaxVertices: 3}, "geo: geometry has 4 vertices; the limit is 3"},
		{"cap met exactly", poly, Options{MaxVertices: 4}, ""},
		{"negative cap means none", make(orb.MultiPoint, 200_000), Options{MaxVertices: -1}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.g, tc.opt)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("Validate = %v\nwant        %s", err, tc.want)
			}
		})
	}
}

// wobblyCircle is a simple ring of n vertices: a circle whose radius
// varies from vertex to vertex by up to half the vertex spacing, so that
// edges wiggle like a surveyed boundary.
func wobblyCircle(n int, seed uint64) orb.Ring {
	rng := rand.New(rand.NewPCG(seed, 1))
	r := make(orb.Ring, 0, n+1)
	spacing := 2 * math.Pi / float64(n)
	for i := range n {
		a := spacing * float64(i)
		rad := 0.1 * (1 + spacing/2*rng.Float64())
		r = append(r, orb.Point{12.9 + rad*math.Cos(a)*2, 57.7 + rad*math.Sin(a)})
	}
	return append(r, r[0])
}

// comb is a simple ring with teeth long along x and stacked along y: the
// shape that makes a sweep along x compare every tooth with every other.
func comb(teeth int) orb.Ring {
	r := orb.Ring{{0, 0}}
	for i := range teeth {
		y := float64(i) * 0.001
		r = append(r, orb.Point{1, y}, orb.Point{1, y + 0.0005}, orb.Point{0.1, y + 0.0005}, orb.Point{0.1, y + 0.001})
	}
	top := float64(teeth) * 0.001
	return append(r, orb.Point{0, top}, orb.Point{0, 0})
}

func TestValidateLargeRings(t *testing.T) {
	if testing.Short() {
		t.Skip("large rings")
	}
	circle := wobblyCircle(99_999, 7)
	crossed := wobblyCircle(99_999, 7)
	// Swap two vertices a hundred apart: the chords to and from them
	// interleave along the circle, so they cross.
	crossed[70_001], crossed[70_100] = crossed[70_100], crossed[70_001]
	tests := []struct {
		name string
		g    orb.Geometry
		want string
	}{
		{"circle of 100000 vertices", orb.Polygon{circle}, ""},
		{"comb of 100000 vertices", orb.Polygon{comb(24_999)}, ""},
		{"circle with one crossing", orb.Polygon{crossed}, "geo: ring 0 intersects itself near"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.g, Options{})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("Validate = %v, want %s…", err, tc.want)
			}
		})
	}
}

// slantedTeeth is a simple ring whose edges are all long and nearly
// parallel, so their boxes overlap along both axes: the input that makes
// a sweep quadratic. Validate must refuse it quickly rather than grind.
func slantedTeeth(teeth int) orb.Ring {
	k := float64(teeth)
	r := orb.Ring{}
	for i := range teeth {
		r = append(r, orb.Point{0, float64(i)}, orb.Point{100, k + float64(i)})
	}
	last := r[len(r)-1]
	r = append(r, orb.Point{150, last[1]}, orb.Point{150, -10}, orb.Point{0, -10}, orb.Point{0, 0})
	for i := range r {
		r[i] = orb.Point{r[i][0] / 1000, r[i][1] / 1e6}
	}
	return r
}

func TestValidateRefusesSweepKillers(t *testing.T) {
	if testing.Short() {
		t.Skip("large rings")
	}
	small := orb.Polygon{slantedTeeth(500)}
	if err := Validate(small, Options{}); err != nil {
		t.Fatalf("500 teeth: Validate = %v, want nil", err)
	}
	// The refusal comes from a cap on the sweep's work, so it does not
	// depend on the machine's speed.
	err := Validate(orb.Polygon{slantedTeeth(49_000)}, Options{})
	if err == nil || !strings.Contains(err.Error(), "too intricate") {
		t.Fatalf("49000 teeth: Validate = %v, want a refusal", err)
	}
}

// TestValidateSwedishMunicipalities runs the validator over the real
// boundaries of all 290 municipalities, which PostGIS finds valid.
func TestValidateSwedishMunicipalities(t *testing.T) {
	data, err := os.ReadFile("../testdata/swedish_municipalities.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct{ Features []json.RawMessage }
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 290 {
		t.Fatalf("%d features, want 290", len(fc.Features))
	}
	for i, f := range fc.Features {
		g, err := ParseGeoJSON(f)
		if err != nil {
			t.Fatalf("feature %d: %v", i, err)
		}
		if err := Validate(g, Options{Allowed: []string{"Polygon", "MultiPolygon"}}); err != nil {
			t.Errorf("feature %d: %v", i, err)
		}
		if !windingOK(g) {
			t.Errorf("feature %d: exterior rings not counter-clockwise", i)
		}
	}
}
