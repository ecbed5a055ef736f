package ogcapi_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/ogcapi"
	"github.com/paulmach/orb"
)

// filterPath is the items of a collection with a CQL2 filter and more
// parameters.
func filterPath(collection, filter string, more ...string) string {
	q := url.Values{"filter": {filter}, "limit": {"1000"}}
	for i := 0; i+1 < len(more); i += 2 {
		q.Set(more[i], more[i+1])
	}
	return "/collections/" + collection + "/items?" + q.Encode()
}

func TestFilters(t *testing.T) {
	eachBackend(t, func(t *testing.T, c *client) {
		for _, tc := range []struct {
			collection, filter string
			more               []string
			want               []string
		}{
			{"priority-areas", "areaType = 1", nil, []string{"Area:13", "Area:15"}},
			{"priority-areas", "areaType = 1 AND name LIKE 'N%'", nil, []string{"Area:13"}},
			// Area types: Norrby (13) 1, Sjöbo (14) 2, Hässleholmen (15) 1, Hulta (16) 2, Göta (17) 3.
			{"priority-areas", "areaType IN (3) OR code = '1490-P01'", nil, []string{"Area:13", "Area:17"}},
			{"priority-areas", "NOT areaType < 3", nil, []string{"Area:17"}},
			{"priority-areas", "areaType BETWEEN 1 AND 2 AND name NOT LIKE 'S%'", nil, []string{"Area:13", "Area:15", "Area:16"}},
			{"districts", "areaType IS NULL AND code = '1490-D01'", nil, []string{"Area:2"}},
			{"priority-areas", "parent IS NULL", nil, nil},
			{"priority-areas", "(areaType = 1) AND (name LIKE 'N%')", []string{"filter-lang", "cql-text"}, []string{"Area:13"}},
			// Norrby, around 12.93–12.94 E, 57.726–57.732 N.
			{"priority-areas", "S_INTERSECTS(geometry, POINT(12.935 57.7285))", nil, []string{"Area:13"}},
			{"priority-areas", "S_INTERSECTS(geometry, POINT(57.7285 12.935))", []string{"filter-crs", epsg4326}, []string{"Area:13"}},
			{"priority-areas", "S_INTERSECTS(geometry, BBOX(12.934, 57.728, 12.936, 57.729))", nil, []string{"Area:13"}},
			{"priority-areas", "S_INTERSECTS(geometry, POLYGON((12.934 57.728, 12.936 57.728, 12.936 57.729, 12.934 57.728))) AND areaType = 2", nil, nil},
			{"priority-areas", "NOT S_INTERSECTS(geometry, POINT(12.935 57.7285))", nil, []string{"Area:14", "Area:15", "Area:16", "Area:17"}},
			{"priority-areas", "unemployment IS NOT NULL AND suppressed = FALSE AND areaType = 1", []string{"indicator", "unemployment", "year", "2024"}, []string{"Area:13", "Area:15"}},
			// 2024 is measured for the priority areas, 2025 rolled up, whole.
			{"priority-areas", "derived = TRUE", []string{"indicator", "unemployment", "year", "2024"}, nil},
			{"priority-areas", "derived = TRUE AND partial = FALSE AND unemployment IS NOT NULL AND areaType = 1", []string{"indicator", "unemployment", "year", "2025"}, []string{"Area:13", "Area:15"}},
			{"priority-areas", "areaType = 1", []string{"datetime", "2020-01-01", "bbox", "12.90,57.70,12.94,57.73"}, []string{"Area:13"}},
		} {
			var fc featureCollection
			c.getJSON(filterPath(tc.collection, tc.filter, tc.more...), &fc)
			if got := ids(fc.Features); !slices.Equal(got, tc.want) || fc.NumberMatched != len(tc.want) {
				t.Errorf("%s %s %v: %v (numberMatched %d), want %v", tc.collection, tc.filter, tc.more, got, fc.NumberMatched, tc.want)
			}
		}

		// SWEREF 99 TM literals, northing first.
		p := toAxes(orb.Point{12.935, 57.7285}, epsg3006).(orb.Point)
		var fc featureCollection
		c.getJSON(filterPath("priority-areas", fmt.Sprintf("S_INTERSECTS(geometry, POINT(%f %f))", p[0], p[1]), "filter-crs", epsg3006), &fc)
		if got := ids(fc.Features); !slices.Equal(got, []string{"Area:13"}) {
			t.Errorf("a SWEREF 99 TM point: %v", got)
		}
		b := toAxes(orb.Bound{Min: orb.Point{12.934, 57.728}, Max: orb.Point{12.936, 57.729}}, epsg3006).Bound()
		c.getJSON(filterPath("priority-areas", fmt.Sprintf("S_INTERSECTS(geometry, BBOX(%f, %f, %f, %f))", b.Min[0], b.Min[1], b.Max[0], b.Max[1]), "filter-crs", epsg3006), &fc)
		if got := ids(fc.Features); !slices.Equal(got, []string{"Area:13"}) {
			t.Errorf("a SWEREF 99 TM box: %v", got)
		}

		// What GraphQL's filters select, a CQL2 filter selects.
		var gq struct {
			Initiatives struct{ TotalCount int }
			Districts   struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		poly := `{type: "Polygon", coordinates: [[[12.90, 57.70], [12.96, 57.70], [12.96, 57.74], [12.90, 57.70]]]}`
		c.graphQL(`{ initiatives(filter: {statuses: [COMPLETED]}) { totalCount } districts: areas(filter: {kinds: [DISTRICT], intersects: `+poly+`}, first: 100) { edges { node { id } } } }`, &gq)
		all, matched := c.readAll(filterPath("initiatives", "status = 'COMPLETED'", "limit", "3"))
		if matched != gq.Initiatives.TotalCount || len(all) != matched || matched == 0 {
			t.Errorf("completed initiatives: %d matched, %d read, GraphQL counts %d", matched, len(all), gq.Initiatives.TotalCount)
		}
		var want []string
		for _, e := range gq.Districts.Edges {
			want = append(want, e.Node.ID)
		}
		c.getJSON(filterPath("districts", "S_INTERSECTS(geometry, POLYGON((12.90 57.70, 12.96 57.70, 12.96 57.74, 12.90 57.70)))"), &fc)
		if got := ids(fc.Features); len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("districts meeting the triangle: %v, GraphQL %v", got, want)
		}
	})
}

func TestFilterErrors(t *testing.T) {
	c := newClient(t, storetest.Demo(t))
	for _, tc := range []struct {
		path, want string
	}{
		{filterPath("priority-areas", "colour = 'red'"), `filter: unknown property "colour" at position 1; the queryables are code, name, kind, areaType, parent, geometry`},
		{filterPath("initiatives", "focusGroups = 'X'"), `unknown property "focusGroups"`},
		{filterPath("priority-areas", "unemployment > 5"), `unknown property "unemployment"`},
		{filterPath("priority-areas", "areaType = 'one'"), "areaType is a number"},
		{filterPath("priority-areas", "areaType = 1", "filter-lang", "cql2-json"), `filter-lang: "cql2-json" is not served`},
		{filterPath("priority-areas", "S_INTERSECTS(geometry, POINT(1 2))", "filter-crs", "EPSG:4326"), "filter-crs: unsupported"},
		{filterPath("priority-areas", "S_INTERSECTS(geometry, POINT(12 57))", "filter-crs", epsg3006), "the geometry at position 24: it lies outside the area SWEREF 99 TM"},
		{"/collections/priority-areas/items?filter-lang=cql2-text", "filter-lang is only meaningful with filter"},
		{"/collections/priority-areas/items?filter-crs=" + url.QueryEscape(crs84), "filter-crs is only meaningful with filter"},
		{filterPath("priority-areas", strings.Repeat("(", 40)+"TRUE"+strings.Repeat(")", 40)), "nests deeper"},
	} {
		c.wantError(tc.path, 400, db.EINVALID, tc.want)
	}
}

// TestFilterScanIsBounded: a filter the store cannot apply is refused,
// not run, when it would be checked against more features than a request
// may check.
func TestFilterScanIsBounded(t *testing.T) {
	defer ogcapi.SetMaxScan(10)()
	c := newClient(t, storetest.Demo(t))
	c.wantError(filterPath("initiatives", "status = 'ACTIVE'"), 400, db.EINVALID, "would be checked against 76 features, more than the 10")
	c.wantError("/collections/initiatives/items?datetime=2020-01-01", 400, db.EINVALID, "more than the 10")
	// Narrowed to the store's side, it runs.
	var fc featureCollection
	c.getJSON(filterPath("priority-areas", "areaType = 1"), &fc)
	if fc.NumberMatched != 2 {
		t.Errorf("numberMatched %d", fc.NumberMatched)
	}
}

func TestQueryables(t *testing.T) {
	c := newClient(t, storetest.Demo(t))
	var q struct {
		Schema     string `json:"$schema"`
		ID         string `json:"$id"`
		Type       string
		Properties map[string]map[string]any
	}
	r := c.getJSON("/collections/priority-areas/queryables", &q)
	if ct := r.header.Get("Content-Type"); ct != "application/schema+json" {
		t.Errorf("Content-Type %q", ct)
	}
	if q.Type != "object" || !strings.HasSuffix(q.ID, "/collections/priority-areas/queryables") || !strings.Contains(q.Schema, "json-schema.org") {
		t.Errorf("queryables: %+v", q)
	}
	var names []string
	for k := range q.Properties {
		names = append(names, k)
	}
	slices.Sort(names)
	if want := []string{"areaType", "code", "geometry", "kind", "name", "parent"}; !slices.Equal(names, want) {
		t.Errorf("queryables %v, want %v", names, want)
	}
	if typ, _ := json.Marshal(q.Properties["areaType"]["type"]); string(typ) != `["integer","null"]` {
		t.Errorf("areaType's type %s", typ)
	}
	r = c.get("/collections/initiatives/queryables", "Accept", "application/geo+json, application/json")
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("queryables for GDAL: %d %q", r.status, r.header.Get("Content-Type"))
	}
	var col struct{ Links []link }
	c.getJSON("/collections/priority-areas", &col)
	if href, ok := linkOf(col.Links, "http://www.opengis.net/def/rel/ogc/1.0/queryables"); !ok || !strings.HasSuffix(href, "/queryables") {
		t.Errorf("no queryables link: %v", col.Links)
	}
	var conf struct{ ConformsTo []string }
	c.getJSON("/conformance", &conf)
	for _, want := range []string{"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter", "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text"} {
		if !slices.Contains(conf.ConformsTo, want) {
			t.Errorf("conformance lacks %s", want)
		}
	}
}
