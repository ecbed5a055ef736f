package transfer

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// jonkopingSquare is a square at Jönköping, in WGS 84.
var jonkopingSquare = orb.Polygon{{{14.15, 57.77}, {14.19, 57.77}, {14.19, 57.79}, {14.15, 57.79}, {14.15, 57.77}}}

// inCRS is jonkopingSquare in the system crs, as a GeoJSON geometry.
func inCRS(t *testing.T, crs string) string {
	t.Helper()
	g, err := geo.FromWGS84(jonkopingSquare, crs)
	if err != nil {
		t.Fatal(err)
	}
	return geoJSON(t, g)
}

// TestImportLocalZoneUndeclared is the import that stored a square at
// Jönköping in the Kattegat: a file in SWEREF 99 13 30 (EPSG:3008) without
// a "crs" member, whose coordinates also fit SWEREF 99 TM's box 270 km
// west. It is refused, naming the systems to try, and nothing is stored;
// named by --crs or by the file, the same square lands at Jönköping.
func TestImportLocalZoneUndeclared(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		before := areaCount(t, s)
		body := collection(feature(`{"code":"0680-J","name":"Jönköping","kind":"DISTRICT"}`, inCRS(t, "EPSG:3008")))
		_, _, err := ImportAreasGeoJSON(t.Context(), s, operator, text("jonkoping.geojson", body), DefaultAreaMapping, nil)
		errorSays(t, "undeclared EPSG:3008", err, "jonkoping.geojson: feature 1", "EPSG:3006", "EPSG:3008",
			"does not guess", "--crs")
		if n := areaCount(t, s); n != before {
			t.Fatalf("%d areas after the refused import, want %d", n, before)
		}

		m := DefaultAreaMapping
		m.CRS = "EPSG:3008"
		if n, crs, err := ImportAreasGeoJSON(t.Context(), s, operator, text("jonkoping.geojson", body), m, nil); n.Written()+n.Unchanged != 1 ||
			crs != "EPSG:3008" || err != nil {
			t.Fatalf("with --crs EPSG:3008: %+v in %q, %v", n, crs, err)
		}
		a, err := s.AreaByCode(t.Context(), "0680-J")
		if err != nil {
			t.Fatal(err)
		}
		sameSquare(t, "with --crs", a.Geometry)

		declared := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3008"}},` +
			`"features":[` + feature(`{"code":"0680-K","name":"Jönköping","kind":"DISTRICT"}`, inCRS(t, "EPSG:3008")) + `]}`
		if n, crs, err := ImportAreasGeoJSON(t.Context(), s, operator, text("declared.geojson", declared), DefaultAreaMapping, nil); n.Written()+n.Unchanged != 1 ||
			crs != "EPSG:3008" || err != nil {
			t.Fatalf("with a crs member: %+v in %q, %v", n, crs, err)
		}
		a, err = s.AreaByCode(t.Context(), "0680-K")
		if err != nil {
			t.Fatal(err)
		}
		sameSquare(t, "with a crs member", a.Geometry)
	})
}

// sameSquare checks that g is jonkopingSquare, to a centimetre: RT90's
// datum shift there and back, done as PROJ does it, drifts by some
// millimetres (the reverse applies the transposed rotation).
func sameSquare(t *testing.T, what string, g orb.Geometry) {
	t.Helper()
	p, ok := g.(orb.Polygon)
	if !ok || len(p) != 1 || len(p[0]) != 5 {
		t.Fatalf("%s: came back as %T %v", what, g, g)
	}
	// Stored rings are wound counter-clockwise, as is the square; compare
	// the vertices as a set.
	for _, w := range jonkopingSquare[0] {
		found := false
		for _, v := range p[0] {
			if math.Abs(v[0]-w[0]) < 1e-7 && math.Abs(v[1]-w[1]) < 1e-7 {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %v has no vertex at %v", what, p, w)
		}
	}
}

// TestReadAreasGridSystems: each grid system is read when named and
// refused, with the systems to try, when it would be a guess; a grid file
// written northing first is told apart from one in the wrong system.
func TestReadAreasGridSystems(t *testing.T) {
	props := `{"code":"0680-J","name":"Jönköping","kind":"DISTRICT"}`
	for _, crs := range []string{geo.CRSSWEREF99TM, "EPSG:3008", "EPSG:3009", geo.CRSRT90} {
		body := collection(feature(props, inCRS(t, crs)))
		m := DefaultAreaMapping
		m.CRS = crs
		got, err := readAreas(body, m)
		if err != nil || len(got) != 1 {
			t.Fatalf("%s named: %d areas, %v", crs, len(got), err)
		}
		sameSquare(t, crs, got[0].Geometry)

		_, err = readAreas(body, DefaultAreaMapping)
		if crs == geo.CRSSWEREF99TM {
			if err != nil {
				t.Errorf("SWEREF 99 TM detected: %v", err)
			}
		} else {
			errorSays(t, crs+" undeclared", err, "areas.geojson: feature 1", crs, "--crs")
		}

		// Northing first.
		g, err := geo.FromWGS84(jonkopingSquare, crs)
		if err != nil {
			t.Fatal(err)
		}
		ring := g.(orb.Polygon)[0]
		for i := range ring {
			ring[i] = orb.Point{ring[i][1], ring[i][0]}
		}
		_, err = readAreas(collection(feature(props, geoJSON(t, g))), m)
		errorSays(t, crs+" northing first", err, "areas.geojson: feature 1", "easting and northing exchanged", "axis order")
	}
	// A lone RT90 file is refused for its zone, not taken as another's.
	_, err := readAreas(collection(feature(props, inCRS(t, geo.CRSRT90))), DefaultAreaMapping)
	if err == nil || !strings.Contains(err.Error(), "RT90") {
		t.Errorf("RT90 undeclared: %v", err)
	}
}
