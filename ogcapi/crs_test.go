package ogcapi_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

const (
	crs84    = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	epsg4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
	epsg3006 = "http://www.opengis.net/def/crs/EPSG/0/3006"
)

// fullGeometries are GraphQL's geometries of a collection at full
// precision, by id, as orb geometries in longitude and latitude.
func fullGeometries(t *testing.T, c *client, kind string) map[string]orb.Geometry {
	t.Helper()
	var data struct {
		Areas struct {
			Edges []struct {
				Node struct {
					ID       string
					Geometry json.RawMessage
				}
			}
		}
	}
	c.graphQL(`{ areas(filter: {kinds: [`+kind+`]}, first: 100) { edges { node { id geometry } } } }`, &data)
	out := map[string]orb.Geometry{}
	for _, e := range data.Areas.Edges {
		g, err := geo.ParseGeoJSON(e.Node.Geometry)
		if err != nil {
			t.Fatal(err)
		}
		out[e.Node.ID] = g
	}
	return out
}

// toAxes converts a longitude/latitude geometry into a system, in its
// axis order, as the server must.
func toAxes(g orb.Geometry, crs string) orb.Geometry {
	swap := func(g orb.Geometry) orb.Geometry {
		return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })
	}
	switch crs {
	case epsg4326:
		return swap(g)
	case epsg3006:
		return swap(geo.ToSWEREF99TMFromWGS84(g))
	}
	return g
}

// sameGeometry compares coordinates within tol, whatever the winding:
// rings may be written from another start or the other way round only
// if the same points are there in order, so this compares point sets of
// each ring's vertices sorted.
func sameGeometry(a, b orb.Geometry, tol float64) bool {
	var pa, pb []orb.Point
	geo.EachChain(a, func(pts []orb.Point) { pa = append(pa, pts...) })
	geo.EachChain(b, func(pts []orb.Point) { pb = append(pb, pts...) })
	if len(pa) != len(pb) || a.GeoJSONType() != b.GeoJSONType() {
		return false
	}
	less := func(p, q orb.Point) int {
		if p[0] != q[0] {
			if p[0] < q[0] {
				return -1
			}
			return 1
		}
		if p[1] < q[1] {
			return -1
		}
		if p[1] > q[1] {
			return 1
		}
		return 0
	}
	slices.SortFunc(pa, less)
	slices.SortFunc(pb, less)
	for i := range pa {
		if abs(pa[i][0]-pb[i][0]) > tol || abs(pa[i][1]-pb[i][1]) > tol {
			return false
		}
	}
	return true
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestCoordinateSystems(t *testing.T) {
	eachBackend(t, func(t *testing.T, c *client) {
		want := fullGeometries(t, c, "DISTRICT")
		for _, tc := range []struct {
			crs string
			tol float64
		}{{crs84, 1e-6}, {epsg4326, 1e-6}, {epsg3006, 0.001}} {
			path := "/collections/districts/items?limit=100&crs=" + url.QueryEscape(tc.crs)
			var fc featureCollection
			r := c.getJSON(path, &fc)
			if got := r.header.Get("Content-Crs"); got != "<"+tc.crs+">" {
				t.Errorf("%s: Content-Crs %q", tc.crs, got)
			}
			if len(fc.Features) != len(want) {
				t.Fatalf("%s: %d features, GraphQL has %d", tc.crs, len(fc.Features), len(want))
			}
			for _, f := range fc.Features {
				g, err := geo.ParseGeoJSON(f.Geometry)
				if tc.crs == epsg3006 {
					// Metres are no degrees: decode them without the range check.
					g, err = decodeAny(f.Geometry)
				}
				if err != nil {
					t.Fatalf("%s %s: %v", tc.crs, f.ID, err)
				}
				if !sameGeometry(g, toAxes(want[f.ID], tc.crs), tc.tol) {
					t.Errorf("%s %s: coordinates differ from GraphQL's converted", tc.crs, f.ID)
				}
			}
			// The next link keeps the system.
			var page featureCollection
			c.getJSON("/collections/districts/items?limit=2&crs="+url.QueryEscape(tc.crs), &page)
			next, _ := linkOf(page.Links, "next")
			if r := c.get(next); r.header.Get("Content-Crs") != "<"+tc.crs+">" {
				t.Errorf("%s: the next page is in %q", tc.crs, r.header.Get("Content-Crs"))
			}
		}
		// One feature too.
		r := c.get("/collections/districts/items/Area:2?crs=" + url.QueryEscape(epsg3006))
		if r.status != 200 || r.header.Get("Content-Crs") != "<"+epsg3006+">" {
			t.Errorf("a feature in EPSG:3006: %d, Content-Crs %q", r.status, r.header.Get("Content-Crs"))
		}

		// bbox in each system's axis order: a small box inside Norrby.
		lonlat := orb.Bound{Min: orb.Point{12.9350, 57.7280}, Max: orb.Point{12.9360, 57.7290}}
		boxes := map[string]orb.Bound{
			crs84:    lonlat,
			epsg4326: toAxes(lonlat, epsg4326).Bound(),
			// The box's corners in SWEREF 99 TM, shrunk to lie inside it.
			epsg3006: toAxes(orb.Bound{Min: orb.Point{12.9352, 57.7282}, Max: orb.Point{12.9358, 57.7288}}, epsg3006).Bound(),
		}
		for crs, b := range boxes {
			path := fmt.Sprintf("/collections/priority-areas/items?bbox=%f,%f,%f,%f&bbox-crs=%s", b.Min[0], b.Min[1], b.Max[0], b.Max[1], url.QueryEscape(crs))
			var fc featureCollection
			c.getJSON(path, &fc)
			if got := ids(fc.Features); !slices.Equal(got, []string{"Area:13"}) {
				t.Errorf("bbox in %s: %v, want Norrby (Area:13)", crs, got)
			}
		}
		// A SWEREF 99 TM box holding a CRS84 box finds what that box finds.
		var all featureCollection
		c.getJSON("/collections/districts/items?bbox=12.90,57.70,13.00,57.75", &all)
		crs84IDs := ids(all.Features)
		sw := toAxes(orb.Bound{Min: orb.Point{12.90, 57.70}, Max: orb.Point{13.00, 57.75}}, epsg3006).Bound()
		var fc featureCollection
		c.getJSON(fmt.Sprintf("/collections/districts/items?bbox=%f,%f,%f,%f&bbox-crs=%s", sw.Min[0], sw.Min[1], sw.Max[0], sw.Max[1], url.QueryEscape(epsg3006)), &fc)
		for _, id := range crs84IDs {
			if !slices.Contains(ids(fc.Features), id) {
				t.Errorf("the SWEREF 99 TM box round the CRS84 box misses %s", id)
			}
		}
	})
}

// decodeAny reads a GeoJSON Polygon or MultiPolygon with any numbers.
func decodeAny(raw json.RawMessage) (orb.Geometry, error) {
	var g struct {
		Type        string
		Coordinates json.RawMessage
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, err
	}
	switch g.Type {
	case "Polygon":
		var p [][][2]float64
		err := json.Unmarshal(g.Coordinates, &p)
		return toPolygon(p), err
	case "MultiPolygon":
		var mp [][][][2]float64
		err := json.Unmarshal(g.Coordinates, &mp)
		out := orb.MultiPolygon{}
		for _, p := range mp {
			out = append(out, toPolygon(p))
		}
		return out, err
	}
	return nil, fmt.Errorf("unexpected %s", g.Type)
}

func toPolygon(p [][][2]float64) orb.Polygon {
	out := orb.Polygon{}
	for _, r := range p {
		ring := orb.Ring{}
		for _, pt := range r {
			ring = append(ring, orb.Point(pt))
		}
		out = append(out, ring)
	}
	return out
}

func TestCoordinateSystemsOfCollectionsAndErrors(t *testing.T) {
	c := newClient(t, storetest.Demo(t))
	var col struct {
		CRS        []string
		StorageCRS string `json:"storageCrs"`
	}
	c.getJSON("/collections/districts", &col)
	if !slices.Equal(col.CRS, []string{crs84, epsg4326, epsg3006}) || col.StorageCRS != crs84 {
		t.Errorf("crs %v, storageCrs %q", col.CRS, col.StorageCRS)
	}
	var conf struct{ ConformsTo []string }
	c.getJSON("/conformance", &conf)
	if !slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs") {
		t.Errorf("conformance %v lacks Part 2", conf.ConformsTo)
	}
	for _, tc := range []struct{ path, want string }{
		{"/collections/districts/items?crs=EPSG:3006", "unsupported coordinate reference system"},
		{"/collections/districts/items?crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/3857"), "want one of"},
		{"/collections/districts/items?bbox-crs=" + url.QueryEscape(epsg3006), "only meaningful with bbox"},
		{"/collections/districts/items?bbox=12.9,57.7,13,57.8&bbox-crs=" + url.QueryEscape(epsg3006), "outside the area SWEREF 99 TM"},
		{"/collections/districts/items?bbox=57.7,12.9,57.8,200&bbox-crs=" + url.QueryEscape(epsg4326), "bbox"},
		{"/collections/districts/items/Area:2?crs=" + url.QueryEscape(crs84+"x"), "unsupported"},
	} {
		c.wantError(tc.path, 400, db.EINVALID, tc.want)
	}
}
