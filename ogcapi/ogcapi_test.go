package ogcapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/ogcapi"
	"github.com/areagraph/areagraph/server"
	"github.com/paulmach/orb"
)

// client talks to the whole server over HTTP, as a GIS tool would.
type client struct {
	t   *testing.T
	url string
}

func newClient(t *testing.T, store db.Store) *client {
	srv := httptest.NewServer(server.New(store, server.Config{Log: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	return &client{t: t, url: srv.URL}
}

// eachBackend runs fn against a server over every backend.
func eachBackend(t *testing.T, fn func(t *testing.T, c *client)) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, newClient(t, b.Open(t)))
		})
	}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// get requests path (or a full URL) with headers as name, value pairs.
func (c *client) get(path string, headers ...string) reply {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = c.url + path
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, res.Header, body}
}

// getJSON requests path, wants 200 and decodes the body into v.
func (c *client) getJSON(path string, v any, headers ...string) reply {
	c.t.Helper()
	r := c.get(path, headers...)
	if r.status != http.StatusOK {
		c.t.Fatalf("GET %s: status %d: %s", path, r.status, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		c.t.Fatalf("GET %s: %v\n%s", path, err, r.body)
	}
	return r
}

// wantError requests path and wants status with an OGC exception
// carrying code and a description containing want.
func (c *client) wantError(path string, status int, code, want string, headers ...string) {
	c.t.Helper()
	r := c.get(path, headers...)
	var exc struct{ Code, Description string }
	if err := json.Unmarshal(r.body, &exc); err != nil {
		c.t.Fatalf("GET %.200s: the error is not JSON: %v\n%.300s", path, err, r.body)
	}
	if r.status != status || exc.Code != code || !strings.Contains(exc.Description, want) {
		c.t.Errorf("GET %.200s: got %d %s %.300q, want %d %s with %q", path, r.status, exc.Code, exc.Description, status, code, want)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		c.t.Errorf("GET %s: error Content-Type %q", path, ct)
	}
}

// graphQL posts a query and decodes its data into v.
func (c *client) graphQL(query string, v any) {
	c.t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	res, err := http.Post(c.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 {
		c.t.Fatalf("GraphQL %s: %v %s", query, err, raw)
	}
	if err := json.Unmarshal(out.Data, v); err != nil {
		c.t.Fatal(err)
	}
}

type link struct {
	Href, Rel, Type string
}

func linkOf(links []link, rel string) (string, bool) {
	for _, l := range links {
		if l.Rel == rel {
			return l.Href, true
		}
	}
	return "", false
}

type feature struct {
	Type       string
	ID         string
	Geometry   json.RawMessage
	Properties map[string]any
	Links      []link
}

type featureCollection struct {
	Type           string
	NumberMatched  int
	NumberReturned int
	Links          []link
	Features       []feature
	Attribution    *string
	License        *string
}

// readAll follows next links from path and returns every feature, with
// numberMatched of the first page.
func (c *client) readAll(path string) ([]feature, int) {
	c.t.Helper()
	var all []feature
	matched := -1
	for pages := 0; path != ""; pages++ {
		if pages > 1000 {
			c.t.Fatal("more than 1000 pages")
		}
		var fc featureCollection
		r := c.getJSON(path, &fc)
		if ct := r.header.Get("Content-Type"); ct != "application/geo+json" {
			c.t.Fatalf("GET %s: Content-Type %q", path, ct)
		}
		if fc.Type != "FeatureCollection" || fc.NumberReturned != len(fc.Features) {
			c.t.Fatalf("GET %s: type %q, numberReturned %d for %d features", path, fc.Type, fc.NumberReturned, len(fc.Features))
		}
		if matched < 0 {
			matched = fc.NumberMatched
		} else if fc.NumberMatched != matched {
			c.t.Fatalf("numberMatched moved from %d to %d", matched, fc.NumberMatched)
		}
		all = append(all, fc.Features...)
		path, _ = linkOf(fc.Links, "next")
	}
	return all, matched
}

func ids(fs []feature) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

func TestLandingPageConformanceAndCollections(t *testing.T) {
	c := newClient(t, storetest.Demo(t))
	var landing struct{ Links []link }
	for _, h := range [][]string{{"Accept", "application/json"}, nil} {
		path := "/"
		if h == nil {
			path = "/?f=json"
		}
		r := c.getJSON(path, &landing, h...)
		if vary := strings.Join(r.header.Values("Vary"), ", "); !strings.Contains(vary, "Accept,") {
			t.Errorf("GET %s: Vary %q lacks Accept", path, vary)
		}
		for _, rel := range []string{"self", "service-desc", "conformance", "data"} {
			if _, ok := linkOf(landing.Links, rel); !ok {
				t.Errorf("GET %s: no %s link in %v", path, rel, landing.Links)
			}
		}
	}
	// A browser still gets the map explorer at /.
	r := c.get("/", "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("a browser at / got %q", r.header.Get("Content-Type"))
	}

	var conf struct{ ConformsTo []string }
	c.getJSON("/conformance", &conf)
	if !slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core") {
		t.Errorf("conformance %v lacks core", conf.ConformsTo)
	}

	var cols struct {
		Collections []struct {
			ID, Title, ItemType string
			Links               []link
			CRS                 []string
		}
	}
	c.getJSON("/collections?f=json", &cols)
	var names []string
	for _, col := range cols.Collections {
		names = append(names, col.ID)
		if href, ok := linkOf(col.Links, "items"); !ok || !strings.HasSuffix(href, "/collections/"+col.ID+"/items") {
			t.Errorf("collection %s: items link %q", col.ID, href)
		}
	}
	want := []string{"areas", "municipalities", "districts", "priority-areas", "statistical-areas", "initiatives", "employers", "associations"}
	if !slices.Equal(names, want) {
		t.Errorf("collections %v, want %v", names, want)
	}
	var one struct{ ID string }
	c.getJSON("/collections/priority-areas", &one)
	if one.ID != "priority-areas" {
		t.Errorf("collection id %q", one.ID)
	}
}

func TestErrorsAreOGCExceptions(t *testing.T) {
	c := newClient(t, storetest.Demo(t))
	for _, tc := range []struct {
		path    string
		status  int
		code    string
		want    string
		headers []string
	}{
		{"/collections/nowhere", 404, db.ENOTFOUND, `no collection "nowhere"`, nil},
		{"/collections/nowhere/items", 404, db.ENOTFOUND, "the collections are areas,", nil},
		{"/collections/priority-areas/items/Area:1", 404, db.ENOTFOUND, "no feature", nil},
		{"/collections/priority-areas/items/Initiative:1", 404, db.ENOTFOUND, "no feature", nil},
		{"/collections/priority-areas/items/garbage", 404, db.ENOTFOUND, "no feature", nil},
		{"/collections/priority-areas/items?limit=0", 400, db.EINVALID, "limit", nil},
		{"/collections/priority-areas/items?limit=ten", 400, db.EINVALID, "limit", nil},
		{"/collections/priority-areas/items?offset=-1", 400, db.EINVALID, "offset", nil},
		{"/collections/priority-areas/items?after=xyz", 400, db.EINVALID, `after: malformed cursor "xyz": pass a cursor exactly as the API returned it`, nil},
		{"/collections/priority-areas/items?before=aToxOQ==", 400, db.EINVALID, "before: malformed cursor", nil},
		{"/collections/priority-areas/items?after=aToxOQ&offset=1", 400, db.EINVALID, "give one of offset, after and before", nil},
		{"/collections/priority-areas/items?after=aToxOQ&before=aToyMA", 400, db.EINVALID, "give one of offset, after and before", nil},
		// A cursor nearest first ("n:5:1") in a list by id, on the store's
		// path and on the scan's.
		{"/collections/priority-areas/items?after=bjo1OjE", 400, db.EINVALID, "the cursor is from a list nearest first", nil},
		{"/collections/priority-areas/items?after=bjo1OjE&datetime=../..&filter=areaType=1", 400, db.EINVALID, "the cursor is from a list nearest first", nil},
		{"/collections/priority-areas/items?bbox=1,2,3", 400, db.EINVALID, "bbox", nil},
		{"/collections/priority-areas/items?bbox=13,57,12,58", 400, db.EINVALID, "antimeridian", nil},
		{"/collections/priority-areas/items?bbox=12,95,13,96", 400, db.EINVALID, "bbox: latitude 95", nil},
		{"/collections/priority-areas/items?datetime=yesterday", 400, db.EINVALID, "datetime", nil},
		{"/collections/priority-areas/items?datetime=2024-01-01/2023-01-01", 400, db.EINVALID, "ends before", nil},
		{"/collections/priority-areas/items?limit=1&limit=2", 400, db.EINVALID, "different values", nil},
		{"/collections/priority-areas/items?colour=red", 400, db.EINVALID, `unknown parameter "colour"`, nil},
		{"/collections/priority-areas/items?kind=district", 400, db.EINVALID, "kind is fixed", nil},
		{"/collections/priority-areas/items?f=xml", 400, db.EINVALID, "f: unknown format", nil},
		{"/collections/priority-areas/items?name=%00", 400, db.EINVALID, "NUL", nil},
		{"/collections/priority-areas/items?bbox=%ff", 400, db.EINVALID, "UTF-8", nil},
		{"/collections/priority-areas/items/Area:13?near=1,2,3", 400, db.EINVALID, `unknown parameter "near"`, nil},
		{"/collections/priority-areas/items", 406, db.EINVALID, "application/geo+json", []string{"Accept", "text/csv"}},
		{"/collections/priority-areas/items?" + strings.Repeat("a", ogcapi.MaxQueryBytes+1), 414, db.EINVALID, "query string", nil},
		{"/collections/", 404, db.ENOTFOUND, "no such address", nil},
	} {
		c.wantError(tc.path, tc.status, tc.code, tc.want, tc.headers...)
	}
	req, _ := http.NewRequest(http.MethodPost, c.url+"/collections", strings.NewReader("{}"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /collections: %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestContentNegotiation(t *testing.T) {
	c := newClient(t, storetest.Demo(t))
	for _, tc := range []struct {
		path, accept, want string
	}{
		{"/collections/districts/items", "", "application/geo+json"},
		{"/collections/districts/items", "application/geo+json", "application/geo+json"},
		{"/collections/districts/items", "application/json", "application/json"},
		{"/collections/districts/items?f=json", "text/html", "application/geo+json"},
		{"/collections/districts/items/Area:3", "application/json", "application/json"},
		{"/api", "", "application/vnd.oai.openapi+json;version=3.0"},
		{"/api", "application/vnd.oai.openapi+json;version=3.0", "application/vnd.oai.openapi+json;version=3.0"},
		{"/api", "application/json", "application/json"},
		{"/collections", "*/*", "application/json"},
	} {
		var headers []string
		if tc.accept != "" {
			headers = []string{"Accept", tc.accept}
		}
		r := c.get(tc.path, headers...)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != tc.want {
			t.Errorf("GET %s, Accept %q: %d %q, want %q", tc.path, tc.accept, r.status, r.header.Get("Content-Type"), tc.want)
		}
	}
}

// graphQLFeatures are the ids and geometries GraphQL gives the records of
// a collection, in id order.
func graphQLFeatures(t *testing.T, c *client, collection string) map[string]string {
	t.Helper()
	var query, field string
	switch collection {
	case "priority-areas":
		query, field = `{ areas(filter: {kinds: [PRIORITY_AREA]}, first: 100) { totalCount edges { node { id geometry(precision: 6) } } } }`, "geometry"
	case "districts":
		query, field = `{ areas(filter: {kinds: [DISTRICT]}, first: 100) { totalCount edges { node { id geometry(precision: 6) } } } }`, "geometry"
	case "employers":
		query, field = `{ employers(first: 100) { totalCount edges { node { id location } } } }`, "location"
	default:
		t.Fatalf("no GraphQL query for %s", collection)
	}
	var data map[string]struct {
		TotalCount int
		Edges      []struct{ Node map[string]json.RawMessage }
	}
	c.graphQL(query, &data)
	out := map[string]string{}
	for _, conn := range data {
		if conn.TotalCount != len(conn.Edges) {
			t.Fatalf("GraphQL gave %d of %d", len(conn.Edges), conn.TotalCount)
		}
		for _, e := range conn.Edges {
			var id string
			_ = json.Unmarshal(e.Node["id"], &id)
			out[id] = compact(e.Node[field])
		}
	}
	return out
}

func compact(raw json.RawMessage) string {
	var v any
	_ = json.Unmarshal(raw, &v)
	data, _ := json.Marshal(v)
	return string(data)
}

func TestItemsPageThroughAndAgreeWithGraphQL(t *testing.T) {
	eachBackend(t, func(t *testing.T, c *client) {
		for _, col := range []string{"priority-areas", "districts", "employers"} {
			want := graphQLFeatures(t, c, col)
			got, matched := c.readAll("/collections/" + col + "/items?limit=3")
			if matched != len(want) || len(got) != len(want) {
				t.Fatalf("%s: numberMatched %d, read %d, GraphQL has %d", col, matched, len(got), len(want))
			}
			for _, f := range got {
				if g, ok := want[f.ID]; !ok || compact(f.Geometry) != g {
					t.Errorf("%s %s: geometry\n%s\nGraphQL\n%s", col, f.ID, compact(f.Geometry), g)
				}
			}
			if !slices.IsSortedFunc(got, func(a, b feature) int { return cmpID(a.ID, b.ID) }) {
				t.Errorf("%s: not in id order: %v", col, ids(got))
			}
		}
		// prev goes back a page; the first page has none.
		var p2 featureCollection
		c.getJSON("/collections/districts/items?limit=3&offset=3", &p2)
		prev, ok := linkOf(p2.Links, "prev")
		if !ok {
			t.Fatal("the second page has no prev link")
		}
		var p1 featureCollection
		c.getJSON(prev, &p1)
		if _, ok := linkOf(p1.Links, "prev"); ok || len(p1.Features) != 3 || p1.Features[0].ID != "Area:2" {
			t.Errorf("prev page: %v, links %v", ids(p1.Features), p1.Links)
		}
	})
}

func cmpID(a, b string) int {
	var x, y int
	fmt.Sscanf(a[strings.IndexByte(a, ':')+1:], "%d", &x)
	fmt.Sscanf(b[strings.IndexByte(b, ':')+1:], "%d", &y)
	return x - y
}

func TestItemsFilters(t *testing.T) {
	eachBackend(t, func(t *testing.T, c *client) {
		for _, tc := range []struct {
			path string
			want []string
		}{
			// Norrby's outline lies around 12.93–12.94, 57.726–57.732.
			{"/collections/priority-areas/items?bbox=12.932,57.727,12.933,57.728", []string{"Area:13"}},
			{"/collections/priority-areas/items?bbox=12.932,57.727,0,12.933,57.728,100", []string{"Area:13"}},
			{"/collections/priority-areas/items?areaType=1", []string{"Area:13", "Area:15"}},
			{"/collections/priority-areas/items?code=1490-P02", []string{"Area:14"}},
			// Göta became a priority area in 2023; the others in 2019.
			{"/collections/priority-areas/items?datetime=2020-06-01", []string{"Area:13", "Area:14", "Area:15", "Area:16"}},
			{"/collections/priority-areas/items?datetime=2022-12-31T23:59:59Z", []string{"Area:13", "Area:14", "Area:15", "Area:16"}},
			{"/collections/priority-areas/items?datetime=2023-01-01T00:00:00Z/..", []string{"Area:13", "Area:14", "Area:15", "Area:16", "Area:17"}},
			{"/collections/priority-areas/items?datetime=../2018-12-31", nil},
			{"/collections/priority-areas/items?datetime=2020-01-01&limit=2&offset=1", []string{"Area:14", "Area:15"}},
		} {
			var fc featureCollection
			c.getJSON(tc.path, &fc)
			if got := ids(fc.Features); !slices.Equal(got, tc.want) {
				t.Errorf("GET %s: %v, want %v", tc.path, got, tc.want)
			}
		}
		// An initiative runs to its end date, that day included: Drömmen
		// om Norrby (Initiative:3) ran 2022-01-10 to 2022-12-16.
		for _, tc := range []struct {
			datetime string
			want     bool
		}{{"2022-12-16", true}, {"2022-12-17", false}, {"2022-01-09", false}, {"2022-01-10T08:00:00Z", true}, {"2021-01-01/2022-01-10", true}, {"2022-12-17/..", false}, {"../2022-01-09", false}} {
			all, _ := c.readAll("/collections/initiatives/items?limit=1000&datetime=" + tc.datetime)
			if got := slices.Contains(ids(all), "Initiative:3"); got != tc.want {
				t.Errorf("initiatives at %s: Initiative:3 there %v, want %v", tc.datetime, got, tc.want)
			}
		}
		// A filtered page counts every match and links to the next.
		var fc featureCollection
		c.getJSON("/collections/priority-areas/items?datetime=2020-01-01&limit=2&offset=1", &fc)
		if fc.NumberMatched != 4 {
			t.Errorf("numberMatched %d, want 4", fc.NumberMatched)
		}
		// The next link carries on after Area:15 by its place (db.Key's
		// cursor "i:15"), whatever offset the page was asked with.
		next, _ := linkOf(fc.Links, "next")
		if !strings.HasSuffix(next, "datetime=2020-01-01&limit=2&after="+db.Key{ID: 15}.Cursor()) {
			t.Errorf("next link %q", next)
		}
		var fc2 featureCollection
		c.getJSON(next, &fc2)
		if got := ids(fc2.Features); !slices.Equal(got, []string{"Area:16"}) || fc2.NumberMatched != 4 {
			t.Errorf("next page: %v of %d, want [Area:16] of 4", got, fc2.NumberMatched)
		}
		// Values come with their indicator's terms, as on the map layers;
		// without an indicator there are none to credit.
		var withValues featureCollection
		c.getJSON("/collections/priority-areas/items?indicator=unemployment&year=2024", &withValues)
		if withValues.Attribution == nil || *withValues.Attribution != "Demo data, after SCB and Borås Stad" ||
			withValues.License == nil || *withValues.License != "CC BY 4.0" {
			t.Errorf("values without their terms: attribution %v, licence %v", withValues.Attribution, withValues.License)
		}
		var filtered featureCollection
		c.getJSON("/collections/priority-areas/items?indicator=unemployment&year=2024&filter="+url.QueryEscape("areaType >= 1"), &filtered)
		if filtered.Attribution == nil || filtered.License == nil {
			t.Errorf("filtered values without their terms: attribution %v, licence %v", filtered.Attribution, filtered.License)
		}
		var plain featureCollection
		c.getJSON("/collections/priority-areas/items", &plain)
		if plain.Attribution != nil || plain.License != nil {
			t.Errorf("no values, yet attribution %v, licence %v", plain.Attribution, plain.License)
		}
		// One feature, with the indicator joined as on the collection.
		var f feature
		r := c.getJSON("/collections/priority-areas/items/Area:13?indicator=unemployment&year=2024", &f)
		if f.ID != "Area:13" || f.Properties["code"] != "1490-P01" || f.Properties["unemployment"] == nil {
			t.Errorf("feature: %s", r.body)
		}
		if self, _ := linkOf(f.Links, "self"); !strings.HasSuffix(self, "/collections/priority-areas/items/Area:13") {
			t.Errorf("self link %q", self)
		}
	})
}

// TestAreasOfADay: area collections show the areas in use today unless
// datetime names another day or an interval, by the store's filter for a
// day and by db.InPeriod for an interval; ../.. shows every edition.
func TestAreasOfADay(t *testing.T) {
	day := func(y int) *time.Time {
		d := time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
		return &d
	}
	// South-east of the town, away from the demo's own statistical areas,
	// which a bbox then leaves out.
	square := orb.Polygon{{{13.10, 57.60}, {13.11, 57.60}, {13.11, 57.61}, {13.10, 57.61}, {13.10, 57.60}}}
	editions := []*db.AreaInput{
		{Code: "OLD", Name: "Retired", Kind: db.KindStatisticalArea, ParentCode: "1490", Geometry: square, ValidFrom: day(1990), ValidTo: day(2000)},
		{Code: "NEW", Name: "Future", Kind: db.KindStatisticalArea, ParentCode: "1490", Geometry: square, ValidFrom: day(2190)},
		{Code: "NOW", Name: "Current", Kind: db.KindStatisticalArea, ParentCode: "1490", Geometry: square, ValidFrom: day(2000)},
	}
	eachBackend2(t, func(t *testing.T, s db.Store) {
		seq := func(yield func(*db.AreaInput, error) bool) {
			for _, a := range editions {
				if !yield(a, nil) {
					return
				}
			}
		}
		if _, err := s.UpsertAreas(t.Context(), db.Actor{ID: "cli:test", Role: db.RoleAdmin}, seq); err != nil {
			t.Fatal(err)
		}
	}, func(t *testing.T, c *client) {
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", []string{"Current"}},
			{"?datetime=1995-06-30", []string{"Retired"}},
			{"?datetime=2000-01-01", []string{"Current"}},
			{"?datetime=1999-12-31T23:59:59Z", []string{"Retired"}},
			{"?datetime=1999-12-31/2000-01-01", []string{"Retired", "Current"}},
			{"?datetime=2100-01-01/..", []string{"Future", "Current"}},
			{"?datetime=../..", []string{"Retired", "Future", "Current"}},
		} {
			var fc featureCollection
			path := "/collections/statistical-areas/items?bbox=13.09,57.59,13.12,57.62"
			if tc.query != "" {
				path += "&" + tc.query[1:]
			}
			c.getJSON(path, &fc)
			var got []string
			for _, f := range fc.Features {
				got = append(got, f.Properties["name"].(string))
			}
			if !slices.Equal(got, tc.want) || fc.NumberMatched != len(tc.want) {
				t.Errorf("datetime %q: %v (numberMatched %d), want %v", tc.query, got, fc.NumberMatched, tc.want)
			}
		}
	})
}

// eachBackend2 runs prepare on each backend's store, then fn against a
// server over it.
func eachBackend2(t *testing.T, prepare func(*testing.T, db.Store), fn func(*testing.T, *client)) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s := b.Open(t)
			prepare(t, s)
			fn(t, newClient(t, s))
		})
	}
}

// TestSimplifiedItemsKeepSharedBorders: districts asked for at a zoom or
// a tolerance come back as GraphQL's geometry(zoom:) and
// geometry(simplifyMeters:) give them, simplified with their neighbours
// so that they keep their common borders (simplified one by one, two of
// them overlap by 0.2 km²), page after page.
func TestSimplifiedItemsKeepSharedBorders(t *testing.T) {
	eachBackend(t, func(t *testing.T, c *client) {
		for _, ask := range []struct{ param, arg string }{{"zoom=6", "zoom: 6"}, {"simplify=5000", "simplifyMeters: 5000"}} {
			var data struct {
				Areas struct {
					Nodes []struct {
						ID       string
						Geometry json.RawMessage
					}
				}
			}
			c.graphQL(`{ areas(filter: {kinds: [DISTRICT]}, first: 1000) { nodes { id geometry(`+ask.arg+`, precision: 6) } } }`, &data)
			want := map[string]string{}
			for _, n := range data.Areas.Nodes {
				want[n.ID] = compact(n.Geometry)
			}
			got, _ := c.readAll("/collections/districts/items?limit=5&" + ask.param)
			if len(got) != len(want) || len(got) < 10 {
				t.Fatalf("%s: %d districts, GraphQL has %d", ask.param, len(got), len(want))
			}
			for _, f := range got {
				if g := compact(f.Geometry); g != want[f.ID] {
					t.Errorf("%s %s: geometry\n%s\nGraphQL\n%s", ask.param, f.ID, g, want[f.ID])
				}
			}
		}
	})
}
