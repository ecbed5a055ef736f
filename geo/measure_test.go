package geo

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/areagraph/areagraph/geo/geotest"
	"github.com/paulmach/orb"
)

// loadMunicipalities reads the real outlines of the 290 Swedish
// municipalities, keyed by municipality code.
func loadMunicipalities(t testing.TB) map[string]orb.Geometry {
	t.Helper()
	data, err := os.ReadFile("../testdata/swedish_municipalities.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				ID string `json:"id"`
			} `json:"properties"`
			Geometry json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	out := make(map[string]orb.Geometry, len(fc.Features))
	for _, f := range fc.Features {
		g, err := ParseGeoJSON(f.Geometry)
		if err != nil {
			t.Fatalf("municipality %s: %v", f.Properties.ID, err)
		}
		out[f.Properties.ID] = g
	}
	if len(out) != 290 {
		t.Fatalf("%d municipalities, want 290", len(out))
	}
	return out
}

func rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func reverseRing(r orb.Ring) orb.Ring {
	out := r.Clone()
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// Shapes shared by the measure tests. The PostGIS figures for them are in
// TestGeodesicAreaPostGIS and TestCentroidPostGIS.
var (
	holedSquare    = orb.Polygon{rect(12.9, 57.7, 13.0, 57.8), reverseRing(rect(12.92, 57.72, 12.94, 57.74))}
	smallTriangle  = orb.Polygon{{{12.93, 57.71}, {12.9312, 57.71}, {12.9306, 57.7112}, {12.93, 57.71}}}
	acrossDateline = orb.Polygon{{{-179.5, 65}, {179.5, 65}, {179.5, 66}, {-179.5, 66}, {-179.5, 65}}}
	islandInLake   = orb.MultiPolygon{
		{rect(0, 0, 1, 1), reverseRing(rect(0.2, 0.2, 0.8, 0.8))},
		{rect(0.4, 0.4, 0.6, 0.6)},
	}
	largeBox = orb.Polygon{rect(10, 50, 30, 70)}
	// cShape opens to the east; its centroid lies in the opening.
	cShape = orb.Polygon{{
		{12.9, 57.7}, {12.96, 57.7}, {12.96, 57.71}, {12.91, 57.71}, {12.91, 57.74},
		{12.96, 57.74}, {12.96, 57.75}, {12.9, 57.75}, {12.9, 57.7},
	}}
	// donut has a hole around its centroid.
	donut = orb.Polygon{rect(12.9, 57.7, 12.96, 57.74), reverseRing(rect(12.91, 57.71, 12.95, 57.73))}
	// twoSquares weighs a small square against one six times its size.
	twoSquares = orb.MultiPolygon{{rect(12.9, 57.7, 12.91, 57.71)}, {rect(13, 57.7, 13.03, 57.72)}}
)

// TestGeodesicAreaPostGIS compares with PostGIS 3.3.2 (with PROJ 9.1.1,
// whose geod_polygonarea is GeographicLib's), which answered
//
//	SELECT ST_Area(ST_GeomFromText('…', 4326)::geography)
//
// for each shape: within 1e-9 relative, or 1e-4 m² for the smallest,
// where the strips between the edges and the equator that cancel down to
// the area leave that much rounding in either.
func TestGeodesicAreaPostGIS(t *testing.T) {
	m := loadMunicipalities(t)
	tests := []struct {
		name    string
		g       orb.Geometry
		postgis float64
	}{
		// About 973 km² including water in reality; the simplified
		// outline gives 971 km² (966 km² on the sphere).
		{"Borås (1490)", m["1490"], 970965757.5515735},
		{"Kiruna (2584)", m["2584"], 20694119786.08406},
		{"square with hole", holedSquare, 63662401.63298035},
		{"square", orb.Polygon{holedSquare[0]}, 66316519.632484436},
		{"small triangle", smallTriangle, 4780.02770280838},
		{"across the antimeridian", acrossDateline, 5161288900.792236},
		{"island in a lake", islandInLake, 8370000469.809745},
		{"20° box", largeBox, 2443447147053.785},
		{"C-shape", cShape, 9954305.69152832},
		{"donut", donut, 10619382.208179474},
		{"two squares", twoSquares, 4647345.065005302},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := GeodesicArea(tc.g)
			diff := math.Abs(got - tc.postgis)
			if rel := diff / tc.postgis; rel > 1e-9 && diff > 1e-4 {
				t.Errorf("GeodesicArea = %.6f, PostGIS %.6f (relative difference %.2g)", got, tc.postgis, rel)
			}
		})
	}
}

func TestGeodesicAreaKinds(t *testing.T) {
	sq := holedSquare[0]
	sqArea := GeodesicArea(orb.Polygon{sq})
	holeArea := GeodesicArea(orb.Polygon{holedSquare[1]})
	tests := []struct {
		name string
		g    orb.Geometry
		want float64
	}{
		{"nil", nil, 0},
		{"point", orb.Point{12.9, 57.7}, 0},
		{"line", orb.LineString{{12.9, 57.7}, {13, 57.8}}, 0},
		{"empty polygon", orb.Polygon{}, 0},
		{"empty multipolygon", orb.MultiPolygon{}, 0},
		{"ring", sq, sqArea},
		{"clockwise ring", reverseRing(sq), sqArea},
		{"hole wound like its shell", orb.Polygon{sq, reverseRing(holedSquare[1])}, 0},
		{"unclosed ring", sq[:4], sqArea},
		{"bound", orb.Bound{Min: orb.Point{12.9, 57.7}, Max: orb.Point{13, 57.8}}, sqArea},
		{"flat bound", orb.Bound{Min: orb.Point{12.9, 57.7}, Max: orb.Point{12.9, 57.8}}, 0},
		{"multipolygon", orb.MultiPolygon{{sq}, {holedSquare[1]}}, sqArea + holeArea},
		{"collection", orb.Collection{orb.Point{1, 2}, orb.Polygon{sq}, holedSquare}, 2*sqArea - holeArea},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if tc.name == "hole wound like its shell" {
				want = sqArea - holeArea
			}
			if got := GeodesicArea(tc.g); math.Abs(got-want) > 1e-6*math.Max(1, want) {
				t.Errorf("GeodesicArea = %v, want %v", got, want)
			}
		})
	}
}

// TestGeodesicAreaMunicipalities checks every municipality against an
// independent estimate, the shoelace area in a local plane in metres
// scaled to the ellipsoid's radii of curvature at the middle latitude,
// which for areas this size comes within a fraction of a percent; and the
// sum against Sweden's size.
func TestGeodesicAreaMunicipalities(t *testing.T) {
	var total float64
	for code, g := range loadMunicipalities(t) {
		a := GeodesicArea(g)
		var planar float64
		polys := polygonsOf(g)
		for _, p := range polys {
			for i, r := range p {
				pl := planeFor(p[0].Bound())
				xy := pl.projectAll(r)
				var s float64
				for j := 0; j+1 < len(xy); j++ {
					s += xy[j][0]*xy[j+1][1] - xy[j][1]*xy[j+1][0]
				}
				// The plane counts a degree as 111320 m both ways; the
				// ellipsoid's degree of latitude is M·π/180 and of
				// longitude N·cos φ·π/180.
				s = math.Abs(s) / 2 * curvatureScale(p[0].Bound().Center()[1])
				if i > 0 {
					s = -s
				}
				planar += s
			}
		}
		if rel := math.Abs(a-planar) / a; !(rel < 0.005) {
			t.Errorf("%s: area %.0f m², planar estimate %.0f m²", code, a, planar)
		}
		total += a
	}
	// Sweden's land and lakes cover about 447,000 km²; some outlines
	// also take in coastal water.
	if total < 440e9 || total > 475e9 {
		t.Errorf("total area %.0f km², want 440,000–475,000", total/1e6)
	}
}

// TestCentroidPostGIS compares with PostGIS 3.3.2's
// ST_AsText(ST_Centroid(ST_GeomFromText('…', 4326)), 17).
func TestCentroidPostGIS(t *testing.T) {
	m := loadMunicipalities(t)
	tests := []struct {
		name string
		g    orb.Geometry
		want orb.Point
	}{
		{"Borås (1490)", m["1490"], orb.Point{12.94138373119877, 57.732380850677316}},
		{"Kiruna (2584)", m["2584"], orb.Point{20.711144165685262, 68.16268006713746}},
		{"square with hole", holedSquare, orb.Point{12.950833333333337, 57.75083333333335}},
		{"square", orb.Polygon{holedSquare[0]}, orb.Point{12.95, 57.75}},
		{"small triangle", smallTriangle, orb.Point{12.930600000000002, 57.7104}},
		{"island in a lake", islandInLake, orb.Point{0.49999999999999994, 0.49999999999999994}},
		{"20° box", largeBox, orb.Point{20, 60}},
		{"C-shape", cShape, orb.Point{12.924999999999997, 57.725}},
		{"donut", donut, orb.Point{12.930000000000001, 57.72}},
		{"two squares", twoSquares, orb.Point{12.999285714285714, 57.7092857142857}},
		{"line", orb.LineString{{12.9, 57.7}, {12.95, 57.7}, {12.95, 57.8}}, orb.Point{12.941666666666665, 57.73333333333333}},
		{"multipoint", orb.MultiPoint{{12.9, 57.7}, {12.95, 57.7}, {12.95, 57.8}}, orb.Point{12.933333333333332, 57.73333333333333}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Centroid(tc.g)
			if math.Abs(got[0]-tc.want[0]) > 1e-11 || math.Abs(got[1]-tc.want[1]) > 1e-11 {
				t.Errorf("Centroid = %v, PostGIS %v", got, tc.want)
			}
		})
	}
}

func TestCentroidKinds(t *testing.T) {
	tests := []struct {
		name string
		g    orb.Geometry
		want orb.Point // NaN for none
	}{
		{"nil", nil, orb.Point{math.NaN(), math.NaN()}},
		{"empty polygon", orb.Polygon{}, orb.Point{math.NaN(), math.NaN()}},
		{"empty collection", orb.Collection{}, orb.Point{math.NaN(), math.NaN()}},
		{"point", orb.Point{12.9, 57.7}, orb.Point{12.9, 57.7}},
		{"clockwise square", orb.Polygon{reverseRing(rect(0, 0, 2, 2))}, orb.Point{1, 1}},
		{"ring", rect(0, 0, 2, 4), orb.Point{1, 2}},
		{"bound", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{2, 4}}, orb.Point{1, 2}},
		{"zero-length line", orb.LineString{{1, 2}, {1, 2}}, orb.Point{1, 2}},
		// A polygon with no area falls back to its boundary as lines.
		{"flat polygon", orb.Polygon{{{0, 0}, {2, 0}, {4, 0}, {0, 0}}}, orb.Point{2, 0}},
		// Areas outweigh lines and points in a collection.
		{"collection", orb.Collection{orb.Point{100, 0}, orb.LineString{{50, 0}, {60, 0}}, orb.Polygon{rect(0, 0, 2, 2)}}, orb.Point{1, 1}},
		{"lines outweigh points", orb.Collection{orb.Point{100, 0}, orb.LineString{{50, 0}, {60, 0}}}, orb.Point{55, 0}},
		{"multilinestring", orb.MultiLineString{{{0, 0}, {2, 0}}, {{0, 2}, {0, 4}}}, orb.Point{0.5, 1.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantPoint(t, "Centroid", Centroid(tc.g), tc.want, 1e-12)
		})
	}
}

// TestMeasureEdgeCases runs the measures over every shared edge case,
// valid or not, without a panic; valid areas get a positive area and a
// label strictly inside.
func TestMeasureEdgeCases(t *testing.T) {
	for _, tc := range geotest.EdgeCases() {
		t.Run(tc.Name, func(t *testing.T) {
			a := GeodesicArea(tc.Geometry)
			Centroid(tc.Geometry)
			p := LabelPoint(tc.Geometry)
			if !tc.Valid || !areal(tc.Geometry) {
				return
			}
			if !(a > 0) {
				t.Errorf("area %v", a)
			}
			var ps parts
			ps.add(tc.Geometry)
			in := false
			for _, poly := range ps.polys {
				in = in || interior(poly, p)
			}
			if !in {
				t.Errorf("label %v not strictly inside", p)
			}
		})
	}
}

// wantPoint checks a point that what returned against want, to within
// tol in each coordinate; a want of NaN asks for NaN in both.
func wantPoint(t *testing.T, what string, got, want orb.Point, tol float64) {
	t.Helper()
	if math.IsNaN(want[0]) {
		if !math.IsNaN(got[0]) || !math.IsNaN(got[1]) {
			t.Errorf("%s = %v, want NaN", what, got)
		}
		return
	}
	if math.Abs(got[0]-want[0]) > tol || math.Abs(got[1]-want[1]) > tol {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// curvatureScale is the ratio of the ellipsoid's area element M·N at
// latitude lat to the plane's, where a degree is metresPerDegree.
func curvatureScale(lat float64) float64 {
	e2 := wgs84F * (2 - wgs84F)
	sin := math.Sin(lat * math.Pi / 180)
	w := math.Sqrt(1 - e2*sin*sin)
	m := wgs84A * (1 - e2) / (w * w * w)
	n := wgs84A / w
	d := metresPerDegree * 180 / math.Pi
	return m * n / (d * d)
}

// polygonsOf is the polygons of a Polygon or MultiPolygon; nil for any
// other geometry.
func polygonsOf(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}
