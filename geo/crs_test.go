package geo_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/geo"
)

// sweref99TMControl pairs WGS 84 positions with their SWEREF 99 TM
// coordinates as PostGIS 3.3 (PROJ 9.1, whose extended transverse Mercator
// is exact to the nanometre) computes them:
//
//	select ST_AsText(ST_Transform(ST_SetSRID(ST_Point(lon, lat), 4326), 3006))
//
// They span the country: Smygehuk's latitude, the far west coast, the
// central meridian, Haparanda nine degrees east of it, Treriksröset.
var sweref99TMControl = []struct {
	name     string
	lonLat   orb.Point
	eastNort orb.Point
}{
	{"Borås", orb.Point{12.94, 57.72}, orb.Point{377297.36330900755, 6399402.799624906}},
	{"Kiruna", orb.Point{20.22, 67.85}, orb.Point{719415.3979383692, 7535406.437239121}},
	{"Malmö", orb.Point{13.0, 55.6}, orb.Point{373988.3716429016, 6163377.116250091}},
	{"Stockholm", orb.Point{18.07, 59.33}, orb.Point{674647.8821353094, 6580824.575593027}},
	{"Haparanda", orb.Point{24.15, 65.83}, orb.Point{916865.0518843238, 7331416.181229875}},
	{"Strömstad", orb.Point{11.0, 58.9}, orb.Point{269612.1250658002, 6535807.494232951}},
	{"central meridian", orb.Point{15.0, 62.0}, orb.Point{500000.0000000008, 6874180.147715218}},
	{"Treriksröset", orb.Point{20.55, 69.06}, orb.Point{721104.9281470423, 7671063.759478356}},
}

// sweref99TMGrid are grid positions and their WGS 84 positions from the
// inverse, by PostGIS as above with the SRIDs swapped.
var sweref99TMGrid = []struct {
	eastNort orb.Point
	lonLat   orb.Point
}{
	{orb.Point{500000, 6500000}, orb.Point{14.999999999999982, 58.6402969413606}},
	{orb.Point{319180, 6399862}, orb.Point{11.965261850066433, 57.7045056371117}},
	{orb.Point{900000, 7600000}, orb.Point{24.697778580843522, 68.22963326008882}},
	{orb.Point{200000, 6200000}, orb.Point{10.206057036998367, 55.8519606377114}},
}

// degreeMetres converts a difference in degrees to metres on the ground,
// near enough to judge millimetres.
func degreeMetres(a, b orb.Point) float64 {
	dy := (a[1] - b[1]) * 111_320
	dx := (a[0] - b[0]) * 111_320 * math.Cos(a[1]*math.Pi/180)
	return math.Hypot(dx, dy)
}

func TestSWEREF99TMControlPoints(t *testing.T) {
	const tolerance = 0.0001 // metres: Lantmäteriet's claim for the formulas
	for _, c := range sweref99TMControl {
		grid := geo.ToSWEREF99TMFromWGS84(c.lonLat).(orb.Point)
		if d := math.Hypot(grid[0]-c.eastNort[0], grid[1]-c.eastNort[1]); d > tolerance {
			t.Errorf("%s: forward %v, want %v (off by %.6f m)", c.name, grid, c.eastNort, d)
		}
		back := geo.ToWGS84FromSWEREF99TM(c.eastNort).(orb.Point)
		if d := degreeMetres(back, c.lonLat); d > tolerance {
			t.Errorf("%s: inverse %v, want %v (off by %.6f m)", c.name, back, c.lonLat, d)
		}
	}
	for _, c := range sweref99TMGrid {
		got := geo.ToWGS84FromSWEREF99TM(c.eastNort).(orb.Point)
		if d := degreeMetres(got, c.lonLat); d > tolerance {
			t.Errorf("inverse of %v: %v, want %v (off by %.6f m)", c.eastNort, got, c.lonLat, d)
		}
	}
}

// TestSWEREF99TMRoundTrip sweeps Sweden's extent and a margin: a position
// projected and brought back must land within a hundredth of a millimetre
// of itself (the truncated series leave a few micrometres at the far east).
func TestSWEREF99TMRoundTrip(t *testing.T) {
	worst := 0.0
	for lat := 55.0; lat <= 69.5; lat += 0.25 {
		for lon := 10.0; lon <= 24.5; lon += 0.25 {
			p := orb.Point{lon, lat}
			back := geo.ToWGS84FromSWEREF99TM(geo.ToSWEREF99TMFromWGS84(p)).(orb.Point)
			worst = max(worst, degreeMetres(back, p))
		}
	}
	if worst > 1e-5 {
		t.Errorf("round trip drifts up to %.9f m", worst)
	}
}

func TestSWEREF99TMGeometries(t *testing.T) {
	poly := orb.Polygon{{{12.9, 57.7}, {13, 57.7}, {13, 57.8}, {12.9, 57.8}, {12.9, 57.7}}}
	before := orb.Clone(poly)
	grid := geo.ToSWEREF99TMFromWGS84(poly)
	if !reflect.DeepEqual(poly, before) {
		t.Fatal("the input geometry was changed")
	}
	gp, ok := grid.(orb.Polygon)
	if !ok || len(gp) != 1 || len(gp[0]) != 5 {
		t.Fatalf("a polygon came back as %T %v", grid, grid)
	}
	if gp[0][0] != gp[0][4] {
		t.Error("the ring is no longer closed")
	}
	// A conformal projection with east and north as axes keeps the winding.
	if gp[0].Orientation() != poly[0].Orientation() {
		t.Error("the winding changed")
	}
	cases := []orb.Geometry{
		orb.Point{13, 57.7},
		orb.MultiPoint{{13, 57.7}, {14, 58}},
		orb.LineString{{13, 57.7}, {14, 58}},
		orb.MultiLineString{{{13, 57.7}, {14, 58}}},
		orb.Ring(poly[0]),
		poly,
		orb.MultiPolygon{poly, poly},
		orb.Collection{orb.Point{13, 57.7}, poly},
		orb.Bound{Min: orb.Point{13, 57}, Max: orb.Point{14, 58}},
	}
	for _, g := range cases {
		got := geo.ToWGS84FromSWEREF99TM(geo.ToSWEREF99TMFromWGS84(g))
		if got.GeoJSONType() != g.GeoJSONType() || reflect.TypeOf(got) != reflect.TypeOf(g) {
			t.Errorf("%T came back as %T", g, got)
		}
	}
	if geo.ToWGS84FromSWEREF99TM(nil) != nil {
		t.Error("nil did not stay nil")
	}
}

func TestDetectCRS(t *testing.T) {
	b := func(x0, y0, x1, y1 float64) orb.Bound {
		return orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
	}
	cases := []struct {
		name  string
		bound orb.Bound
		want  string
	}{
		{"Borås in degrees", b(12.633, 57.557, 13.309, 57.934), geo.CRSWGS84},
		{"the whole globe", b(-180, -90, 180, 90), geo.CRSWGS84},
		{"Borås in metres", b(346000, 6381000, 387000, 6423000), geo.CRSSWEREF99TM},
		{"Sweden's extent in metres", b(182000, 6133000, 920000, 7669000), geo.CRSSWEREF99TM},
		{"SWEREF 99 TM's area of use in metres", b(181897, 6090346, 1086312, 7689478), geo.CRSSWEREF99TM},
		{"Strömstad in metres", b(269000, 6535000, 271000, 6537000), geo.CRSSWEREF99TM},
		{"Kiruna in metres", b(719000, 7535000, 721000, 7537000), geo.CRSSWEREF99TM},
		// Jönköping in SWEREF 99 13 30 (EPSG:3008) lies within SWEREF 99
		// TM's box too, 270 km west in the Kattegat: not a guess to make.
		{"Jönköping in a local zone", b(188000, 6405000, 191000, 6408000), ""},
		{"Luleå in a local zone", b(155000, 7280000, 160000, 7285000), ""},
		{"Jönköping in RT90", b(1401000, 6406000, 1404000, 6409000), ""},
		{"a latitude past the pole", b(10, 50, 20, 91), ""},
		{"metres west of Sweden", b(100000, 6400000, 300000, 6500000), ""},
		{"metres of another zone", b(1500000, 6500000, 1600000, 6600000), ""},
		{"a mix of degrees and metres", b(12, 57, 377000, 6399000), ""},
		{"not a number", b(math.NaN(), 57, 13, 58), ""},
	}
	for _, c := range cases {
		got, err := geo.DetectCRS(c.bound)
		if c.want == "" {
			if err == nil || !strings.Contains(err.Error(), "--crs") {
				t.Errorf("%s: got %q, %v; want an error asking for --crs", c.name, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %s", c.name, got, err, c.want)
		}
	}
}

func TestParseCRS(t *testing.T) {
	cases := map[string]string{
		"EPSG:4326":                     geo.CRSWGS84,
		"epsg:4326":                     geo.CRSWGS84,
		"4326":                          geo.CRSWGS84,
		"urn:ogc:def:crs:OGC:1.3:CRS84": geo.CRSWGS84,
		"urn:ogc:def:crs:EPSG::4326":    geo.CRSWGS84,
		"EPSG:3006":                     geo.CRSSWEREF99TM,
		" EPSG:3006 ":                   geo.CRSSWEREF99TM,
		"urn:ogc:def:crs:EPSG::3006":    geo.CRSSWEREF99TM,
		"SWEREF 99 TM":                  geo.CRSSWEREF99TM,
		"EPSG:3008":                     "EPSG:3008",
		"3018":                          "EPSG:3018",
		"urn:ogc:def:crs:EPSG::3007":    "EPSG:3007",
		"EPSG:3021":                     geo.CRSRT90,
		"epsg:3021":                     geo.CRSRT90,
		"EPSG:3019":                     "",
		"EPSG:":                         "",
		"EPSG:30x8":                     "",
		"EPSG:3857":                     "",
		"RT90":                          "",
		"":                              "",
	}
	for name, want := range cases {
		got, err := geo.ParseCRS(name)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("ParseCRS(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestToWGS84(t *testing.T) {
	p := orb.Point{12.94, 57.72}
	if g, err := geo.ToWGS84(p, geo.CRSWGS84); err != nil || g != p {
		t.Errorf("from WGS 84: %v, %v", g, err)
	}
	g, err := geo.ToWGS84(sweref99TMControl[0].eastNort, geo.CRSSWEREF99TM)
	if err != nil || degreeMetres(g.(orb.Point), p) > 0.0001 {
		t.Errorf("from SWEREF 99 TM: %v, %v", g, err)
	}
	if _, err := geo.ToWGS84(p, "EPSG:3857"); err == nil {
		t.Error("an unknown system converted without an error")
	}
}

// TestDetectCRSNamesTheCandidates: a refusal names the systems the
// coordinates fit, for --crs.
func TestDetectCRSNamesTheCandidates(t *testing.T) {
	jonkoping, err := geo.FromWGS84(orb.Bound{Min: orb.Point{14.14, 57.77}, Max: orb.Point{14.18, 57.79}}, "EPSG:3008")
	if err != nil {
		t.Fatal(err)
	}
	rt90, err := geo.FromWGS84(orb.Bound{Min: orb.Point{14.14, 57.77}, Max: orb.Point{14.18, 57.79}}, geo.CRSRT90)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		bound orb.Bound
		want  []string
	}{
		{"Jönköping in EPSG:3008", jonkoping.(orb.Bound), []string{"EPSG:3006", "EPSG:3008", "EPSG:3009", "--crs", "does not guess"}},
		{"Jönköping in RT90", rt90.(orb.Bound), []string{"RT90 2.5 gon V (EPSG:3021)", "six zones", "--crs"}},
		{"Borås in SWEREF 99 TM, northing first", orb.Bound{Min: orb.Point{6381000, 346000}, Max: orb.Point{6423000, 387000}},
			[]string{"axes exchanged", "axis order", "--crs"}},
		{"Jönköping in EPSG:3008, northing first", orb.Bound{Min: orb.Point{6405000, 188000}, Max: orb.Point{6408000, 191000}},
			[]string{"axes exchanged", "axis order", "--crs"}},
	} {
		got, err := geo.DetectCRS(c.bound)
		if err == nil {
			t.Errorf("%s: taken as %s", c.name, got)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not mention %q", c.name, err, w)
			}
		}
	}
}

func TestFromWGS84(t *testing.T) {
	p := orb.Point{12.94, 57.72}
	if g, err := geo.FromWGS84(p, geo.CRSWGS84); err != nil || g != p {
		t.Errorf("to WGS 84: %v, %v", g, err)
	}
	if _, err := geo.FromWGS84(p, "EPSG:3857"); err == nil {
		t.Error("EPSG:3857 was accepted")
	}
}
