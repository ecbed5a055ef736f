package graph_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// Map frontends ask for outlines fit for their zoom; whatever they ask,
// the answer must stay valid GeoJSON.
func TestAreaGeometryForTheMap(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			Areas struct {
				Nodes []struct {
					Name             string
					Full             json.RawMessage
					Zoom9            json.RawMessage
					Coarse           json.RawMessage
					LabelPoint       json.RawMessage
					Centroid         json.RawMessage
					Bbox             []float64
					AreaSquareMeters float64
				}
			}
		}
		c.ok(`{ areas(first: 100) { nodes { name full: geometry(precision: 15) zoom9: geometry(zoom: 9, precision: 5)
			coarse: geometry(simplifyMeters: 500) labelPoint centroid bbox areaSquareMeters } } }`, nil, &out)
		if len(out.Areas.Nodes) < 17 {
			t.Fatalf("%d areas", len(out.Areas.Nodes))
		}
		parse := func(name string, raw json.RawMessage) orb.Geometry {
			t.Helper()
			g, err := geo.ParseGeoJSON(raw)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return g
		}
		for _, a := range out.Areas.Nodes {
			full := parse(a.Name, a.Full)
			for label, raw := range map[string]json.RawMessage{"zoom 9": a.Zoom9, "500 m": a.Coarse} {
				g := parse(a.Name, raw)
				if err := geo.Validate(g, geo.Options{}); err != nil {
					t.Errorf("%s at %s: invalid: %v", a.Name, label, err)
				}
				if countPoints(g) > countPoints(full) {
					t.Errorf("%s at %s: %d vertices, more than the full %d", a.Name, label, countPoints(g), countPoints(full))
				}
			}
			lp := parse(a.Name, a.LabelPoint).(orb.Point)
			if !geo.Covers(full, lp) {
				t.Errorf("%s: label point %v outside the area", a.Name, lp)
			}
			b := full.Bound()
			if want := []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}; !equalFloats(a.Bbox, want) {
				t.Errorf("%s: bbox %v, want %v", a.Name, a.Bbox, want)
			}
			if want := geo.GeodesicArea(full); a.AreaSquareMeters <= 0 || math.Abs(a.AreaSquareMeters-want) > 1e-6*want {
				t.Errorf("%s: %v m², want %v", a.Name, a.AreaSquareMeters, want)
			}
		}
		r := c.query(`{ areas { nodes { geometry(zoom: 9, simplifyMeters: 10) } } }`, nil)
		if r.code() != db.EINVALID {
			t.Errorf("zoom and simplifyMeters together: %+v", r.Errors)
		}
	})
}

func countPoints(g orb.Geometry) int {
	n := 0
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			n += len(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			n += countPoints(p)
		}
	}
	return n
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Geometry comes with 6 decimals, about 0.1 m, as the map layers serve it;
// precision asks for fewer or more, up to every digit stored.
func TestGeometryDecimals(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			Area struct {
				Geometry, Fine, Full, Centroid, LabelPoint, Coarse json.RawMessage
			}
			Initiatives struct {
				Nodes []struct{ Locations, Fine json.RawMessage }
			}
			Organizations struct {
				Nodes []struct{ Location json.RawMessage }
			}
		}
		c.ok(`{ area(code: "1490") { geometry fine: geometry(precision: 9) full: geometry(precision: 15)
				centroid labelPoint coarse: centroid(precision: 2) }
			initiatives(first: 50) { nodes { locations fine: locations(precision: 9) } }
			organizations(first: 50) { nodes { location } } }`, nil, &out)
		most := func(what string, raw json.RawMessage) int {
			t.Helper()
			g, err := geo.ParseGeoJSON(raw)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if err := geo.Validate(g, geo.Options{}); err != nil {
				t.Errorf("%s: invalid: %v", what, err)
			}
			return maxDecimals(g)
		}
		if d := most("geometry", out.Area.Geometry); d > 6 {
			t.Errorf("geometry has %d decimals, want 6 at most", d)
		}
		if d := most("geometry(precision: 9)", out.Area.Fine); d > 9 || d <= 6 {
			t.Errorf("geometry(precision: 9) has up to %d decimals", d)
		}
		if a, b := most("full", out.Area.Full), most("fine", out.Area.Fine); a < b {
			t.Errorf("geometry(precision: 15) has up to %d decimals, fewer than at 9 (%d)", a, b)
		}
		for name, raw := range map[string]json.RawMessage{"centroid": out.Area.Centroid, "labelPoint": out.Area.LabelPoint} {
			if d := most(name, raw); d > 6 {
				t.Errorf("%s has %d decimals, want 6 at most", name, d)
			}
		}
		if d := most("centroid(precision: 2)", out.Area.Coarse); d > 2 {
			t.Errorf("centroid(precision: 2) has %d decimals", d)
		}
		for _, n := range out.Initiatives.Nodes {
			if string(n.Locations) == "null" {
				continue
			}
			if d := most("locations", n.Locations); d > 6 {
				t.Errorf("locations have %d decimals", d)
			}
		}
		for _, n := range out.Organizations.Nodes {
			if string(n.Location) == "null" {
				continue
			}
			if d := most("location", n.Location); d > 6 {
				t.Errorf("location has %d decimals", d)
			}
		}
	})
}

// maxDecimals is the most decimal places any coordinate of g needs.
func maxDecimals(g orb.Geometry) int {
	most := 0
	geo.EachChain(g, func(pts []orb.Point) {
		for _, p := range pts {
			for _, v := range p {
				for d := 0; d <= 17; d++ {
					s := math.Pow(10, float64(d))
					if math.Round(v*s)/s == v {
						most = max(most, d)
						break
					}
				}
			}
		}
	})
	return most
}
