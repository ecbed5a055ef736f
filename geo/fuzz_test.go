package geo

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/geo/geotest"
	"github.com/paulmach/orb"
)

// geoJSONSeeds are inputs for the GeoJSON fuzz targets: every shared edge
// case as written, and the awkward inputs the table tests use.
func geoJSONSeeds() [][]byte {
	var seeds [][]byte
	for _, tc := range geotest.EdgeCases() {
		if data, err := AppendGeoJSON(nil, tc.Geometry); err == nil {
			seeds = append(seeds, data)
		}
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"type":"Polgon"}`,
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2,3]}}`,
		`{"type":"GeometryCollection","geometries":[{"type":"GeometryCollection","geometries":[]}]}`,
		`{"type":"Point","coordinates":[1e400,-0]}`,
		`{"type":"Point","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"coordinates":[1,2]}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,"0"],[1,1],[0,0]]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[0.5,0.5],[0.5,1],[1,1],[0.5,0.5]]]}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// FuzzParseGeoJSON: no input may panic; errors say they are GeoJSON
// errors; whatever parses can be written and read back unchanged, and the
// validator and predicates cope with it.
func FuzzParseGeoJSON(f *testing.F) {
	for _, s := range geoJSONSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseGeoJSON(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "GeoJSON: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			if g != nil {
				t.Fatalf("error %v with geometry %v", err, g)
			}
			return
		}
		out, err := AppendGeoJSON(nil, g)
		if err != nil {
			t.Fatalf("cannot write parsed %v: %v", g, err)
		}
		back, err := ParseGeoJSON(out)
		if err != nil {
			t.Fatalf("cannot read back %s: %v", out, err)
		}
		if want := asWritten(Normalize(g)); !orb.Equal(back, want) {
			t.Fatalf("round trip of %s gave %v, want %v", data, back, want)
		}
		if Validate(g, Options{}) != nil {
			return
		}
		if !Intersects(g, g) {
			t.Fatalf("valid %v does not intersect itself", g)
		}
		for _, v := range vertices(g) {
			if !Covers(g, v) {
				t.Fatalf("valid %v does not cover its vertex %v", g, v)
			}
			if d := DistanceToGeometry(v, g); d != 0 {
				t.Fatalf("valid %v is %v m from its vertex %v", g, d, v)
			}
		}
	})
}

// FuzzDecodeGeoJSON: a decoded object with json.Number values gives the
// same answer as ParseGeoJSON on its text.
func FuzzDecodeGeoJSON(f *testing.F) {
	for _, s := range geoJSONSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := ParseGeoJSON(data)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil || len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
			// Not one JSON value; trailing data is ParseGeoJSON's to
			// refuse, and a decoded value has none.
			return
		}
		got, err := DecodeGeoJSON(v)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("error %v, ParseGeoJSON error %v", err, wantErr)
		}
		if err == nil && !orb.Equal(got, want) {
			t.Fatalf("%v, ParseGeoJSON %v", got, want)
		}
	})
}

// FuzzValidateRing draws small rings on a grid, where touching, collinear
// and repeated corners abound, and holds Validate to a brute-force
// all-pairs check in integer arithmetic, and Covers to an integer
// point-in-polygon test.
func FuzzValidateRing(f *testing.F) {
	f.Add([]byte{0, 0, 4, 0, 4, 4, 0, 4})
	f.Add([]byte{0, 0, 4, 4, 4, 0, 0, 4})
	f.Add([]byte{0, 0, 2, 0, 2, 2, 2, 3, 2, 2, 0, 2})
	f.Add([]byte{0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 1, 1})
	f.Add([]byte{0, 0, 1, 0, 1, 0, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := gridRing(data, 7)
		checkRingAgainstBruteForce(t, r)
		if len(r) < 4 || Validate(orb.Polygon{r}, Options{}) != nil {
			return
		}
		poly := orb.Polygon{r}
		for x := -1.0; x <= 7; x += 0.5 {
			for y := -1.0; y <= 7; y += 0.5 {
				p := orb.Point{x, y}
				if got, want := Covers(poly, p), gridCovers(r, p); got != want {
					t.Fatalf("ring %v, point %v: Covers = %v, want %v", r, p, got, want)
				}
				if Intersects(poly, p) != Covers(poly, p) {
					t.Fatalf("ring %v, point %v: Intersects and Covers disagree", r, p)
				}
			}
		}
		n := Normalize(poly).(orb.Polygon)
		if ringWinding(n[0]) <= 0 {
			t.Fatalf("Normalize left %v clockwise", n)
		}
	})
}

// gridCovers is point-in-ring with boundary in exact arithmetic on
// half-integer coordinates, by even–odd ray crossing.
func gridCovers(r orb.Ring, p orb.Point) bool {
	type pt struct{ x, y int64 }
	q := pt{int64(2 * p[0]), int64(2 * p[1])}
	in := false
	for i := 0; i+1 < len(r); i++ {
		a := pt{int64(2 * r[i][0]), int64(2 * r[i][1])}
		b := pt{int64(2 * r[i+1][0]), int64(2 * r[i+1][1])}
		cr := (b.x-a.x)*(q.y-a.y) - (q.x-a.x)*(b.y-a.y)
		if cr == 0 && min(a.x, b.x) <= q.x && q.x <= max(a.x, b.x) && min(a.y, b.y) <= q.y && q.y <= max(a.y, b.y) {
			return true
		}
		if (a.y > q.y) != (b.y > q.y) {
			// x of the crossing, compared without division.
			lhs := (q.x - a.x) * (b.y - a.y)
			rhs := (q.y - a.y) * (b.x - a.x)
			if (b.y > a.y && lhs < rhs) || (b.y < a.y && lhs > rhs) {
				in = !in
			}
		}
	}
	return in
}
