package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
	"github.com/paulmach/orb"
)

// response is a GraphQL response as a client reads it.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// client talks to a real server over HTTP.
type client struct {
	t   *testing.T
	url string
}

func (c client) query(q string, vars map[string]any) response {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	res, err := http.Post(c.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		c.t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	return r
}

// ok runs a query that must succeed and decodes its data into v.
func (c client) ok(q string, vars map[string]any, v any) {
	c.t.Helper()
	r := c.query(q, vars)
	if len(r.Errors) > 0 {
		c.t.Fatalf("query failed: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		c.t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// backends lists the stores every end-to-end test runs against, each
// loaded with the demo.
var backends = storetest.Backends

// eachBackend runs fn against a server over every backend.
func eachBackend(t *testing.T, fn func(t *testing.T, c client, s db.Store)) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			srv := httptest.NewServer(server.New(s, server.Config{}))
			t.Cleanup(srv.Close)
			fn(t, client{t, srv.URL}, s)
		})
	}
}

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func TestPriorityAreasWithTheirWork(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			Areas struct {
				TotalCount int
				Nodes      []struct {
					idName
					Kind        string
					AreaType    *int
					Parent      idName
					Geometry    map[string]any
					Initiatives struct {
						TotalCount int
						Nodes      []struct {
							Title       string
							FocusGroups []string
							Lead        *idName
							Partners    []struct {
								Role         string
								Organization idName
							}
						}
					}
				}
			}
		}
		c.ok(`{ areas(filter: {kinds: [PRIORITY_AREA]}) { totalCount nodes {
			id name kind areaType parent { id name } geometry
			initiatives(first: 100) { totalCount nodes { title focusGroups lead { id name } partners { role organization { id name } } } } } } }`, nil, &out)
		if out.Areas.TotalCount < 4 {
			t.Fatalf("%d priority areas, want at least 4", out.Areas.TotalCount)
		}
		names := map[string]bool{}
		for _, a := range out.Areas.Nodes {
			names[a.Name] = true
			if a.Kind != "PRIORITY_AREA" || a.Parent.Name == "" || a.AreaType == nil {
				t.Errorf("%s: kind %s, parent %q, area type %v", a.Name, a.Kind, a.Parent.Name, a.AreaType)
			}
			if typ := a.Geometry["type"]; typ != "Polygon" && typ != "MultiPolygon" {
				t.Errorf("%s: geometry type %v", a.Name, typ)
			}
			if a.Initiatives.TotalCount == 0 || len(a.Initiatives.Nodes) != a.Initiatives.TotalCount {
				t.Errorf("%s: %d initiatives listed of %d", a.Name, len(a.Initiatives.Nodes), a.Initiatives.TotalCount)
			}
		}
		for _, want := range []string{"Norrby", "Hässleholmen", "Hulta", "Sjöbo"} {
			if !names[want] {
				t.Errorf("priority area %s missing", want)
			}
		}
	})
}

// wideDataset has n districts under one municipality, each served by three
// initiatives with a lead and two partners: enough parents to show that a
// query's cost does not follow their number.
func wideDataset(n int) *db.Dataset {
	ds := &db.Dataset{
		Areas: []*db.Area{{ID: 1, Code: "M", Name: "M", Kind: db.KindMunicipality,
			Geometry: orb.Polygon{{{0, 0}, {float64(n), 0}, {float64(n), 1}, {0, 1}, {0, 0}}}}},
		Indicators: []*db.Indicator{{Code: "unemployment", Name: "Unemployment", Unit: "%"}},
	}
	orgs := 2 * n
	for i := range n {
		x := float64(i)
		ds.Areas = append(ds.Areas, &db.Area{ID: int64(i + 2), Code: fmt.Sprint("D", i), Name: fmt.Sprint("District ", i),
			Kind: db.KindDistrict, ParentID: 1, Geometry: orb.Polygon{{{x, 0}, {x + 1, 0}, {x + 1, 1}, {x, 1}, {x, 0}}}})
		ds.Values = append(ds.Values, db.IndicatorValue{AreaID: int64(i + 2), IndicatorCode: "unemployment", Year: 2024, Sex: db.SexTotal, Value: 10})
	}
	for i := range orgs {
		ds.Organizations = append(ds.Organizations, &db.Organization{ID: int64(i + 1), Kind: db.OrgEmployer,
			Name: fmt.Sprint("Org ", i), AreaIDs: []int64{int64(i%n + 2)}})
	}
	for i := range 3 * n {
		lead := int64(i%orgs + 1)
		p1, p2 := (lead)%int64(orgs)+1, (lead+1)%int64(orgs)+1
		if p1 > p2 {
			p1, p2 = p2, p1
		}
		ds.Initiatives = append(ds.Initiatives, &db.Initiative{ID: int64(i + 1), Title: fmt.Sprint("Initiative ", i),
			Status: db.StatusActive, GoalArea: db.GoalConditionsForWork, AreaIDs: []int64{int64(i%n + 2)},
			Locations: []orb.Point{{float64(i%n) + 0.5, 0.5}}, LeadID: lead,
			Partners: []db.Partner{{OrganizationID: p1, Role: db.RoleFunder}, {OrganizationID: p2, Role: db.RoleMentors}}})
	}
	return ds
}

// TestNoNPlusOne proves that a nested query costs the same number of store
// calls whatever the number of parents.
func TestNoNPlusOne(t *testing.T) {
	s := memory.New()
	if err := s.Load(t.Context(), wideDataset(100)); err != nil {
		t.Fatal(err)
	}
	cs := dbtest.NewCounting(s)
	srv := httptest.NewServer(server.New(cs, server.Config{}))
	defer srv.Close()
	c := client{t, srv.URL}
	const q = `query($n: Int) { areas(first: $n, filter: {kinds: [DISTRICT]}) { nodes { name parent { name }
		children { nodes { name } }
		indicators(codes: ["unemployment"]) { values { value } }
		initiatives(first: 50) { nodes { title areas { name } lead { name areas { name } }
			partners { role organization { name areas { name } initiatives(first: 5) { totalCount } } } } } } } }`
	var calls []int64
	sizes := []int{1, 2, 10, 50, 100}
	for _, n := range sizes {
		cs.Reset()
		var out struct {
			Areas struct{ Nodes []struct{ Name string } }
		}
		c.ok(q, map[string]any{"n": n}, &out)
		if len(out.Areas.Nodes) != n {
			t.Fatalf("first %d: got %d areas", n, len(out.Areas.Nodes))
		}
		calls = append(calls, int64(cs.Reset()))
	}
	for i := range calls {
		if calls[i] != calls[0] {
			t.Fatalf("store calls for page sizes %v: %v; want the same for all", sizes, calls)
		}
	}
	// Root, parents, children, indicator definitions and values,
	// initiatives, organisations, areas, initiatives of organisations:
	// one call each.
	if calls[0] > 9 {
		t.Errorf("%d store calls for the nested query, want at most 9", calls[0])
	}
	t.Logf("store calls for any page size: %d", calls[0])
}

func TestPaging(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		type page struct {
			Initiatives struct {
				TotalCount int
				Edges      []struct {
					Cursor string
					Node   struct{ ID string }
				}
				PageInfo struct {
					HasNextPage, HasPreviousPage bool
					EndCursor                    *string
				}
			}
		}
		const q = `query($after: String) { initiatives(first: 25, after: $after) { totalCount
			edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`
		seen := map[string]bool{}
		var after any
		total := 0
		for range 10 {
			var p page
			c.ok(q, map[string]any{"after": after}, &p)
			total = p.Initiatives.TotalCount
			for _, e := range p.Initiatives.Edges {
				if seen[e.Node.ID] {
					t.Fatalf("initiative %s on two pages", e.Node.ID)
				}
				seen[e.Node.ID] = true
			}
			if (after != nil) != p.Initiatives.PageInfo.HasPreviousPage {
				t.Errorf("hasPreviousPage %v after %v", p.Initiatives.PageInfo.HasPreviousPage, after)
			}
			if !p.Initiatives.PageInfo.HasNextPage {
				break
			}
			after = *p.Initiatives.PageInfo.EndCursor
		}
		if total < 60 || len(seen) != total {
			t.Errorf("paged through %d of %d initiatives", len(seen), total)
		}
		// Past the end: an empty page, no error.
		var last page
		c.ok(q, map[string]any{"after": idCursor(1_000_000)}, &last)
		if len(last.Initiatives.Edges) != 0 || last.Initiatives.PageInfo.HasNextPage || last.Initiatives.PageInfo.EndCursor != nil {
			t.Errorf("page past the end: %+v", last)
		}

		// Backwards with last and before: the same items, walked from the
		// end, each once.
		const back = `query($before: String) { initiatives(last: 25, before: $before) { totalCount
			edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor } } }`
		type backPage struct {
			Initiatives struct {
				TotalCount int
				Edges      []struct {
					Cursor string
					Node   struct{ ID string }
				}
				PageInfo struct {
					HasNextPage, HasPreviousPage bool
					StartCursor                  *string
				}
			}
		}
		seenBack := map[string]bool{}
		var before any
		for range 10 {
			var p backPage
			c.ok(back, map[string]any{"before": before}, &p)
			for _, e := range p.Initiatives.Edges {
				if seenBack[e.Node.ID] {
					t.Fatalf("walking back: initiative %s on two pages", e.Node.ID)
				}
				seenBack[e.Node.ID] = true
			}
			if (before != nil) != p.Initiatives.PageInfo.HasNextPage {
				t.Errorf("walking back: hasNextPage %v before %v", p.Initiatives.PageInfo.HasNextPage, before)
			}
			if !p.Initiatives.PageInfo.HasPreviousPage {
				break
			}
			before = *p.Initiatives.PageInfo.StartCursor
		}
		if len(seenBack) != total {
			t.Errorf("walked back through %d of %d initiatives", len(seenBack), total)
		}

		// first and last together, and a cursor of another order, are
		// refused.
		r := c.query(`{ initiatives(first: 2, last: 2) { totalCount } }`, nil)
		if r.code() != db.EINVALID || !strings.Contains(r.Errors[0].Message, "first or last") {
			t.Errorf("first and last: %+v", r.Errors)
		}
		var near struct {
			Initiatives struct{ PageInfo struct{ EndCursor string } }
		}
		c.ok(`{ initiatives(first: 1, filter: {near: {lon: 12.94, lat: 57.72, radiusMeters: 50000}}) { pageInfo { endCursor } } }`, nil, &near)
		r = c.query(`query($a: String) { initiatives(first: 1, after: $a) { totalCount } }`, map[string]any{"a": near.Initiatives.PageInfo.EndCursor})
		if r.code() != db.EINVALID || !strings.Contains(r.Errors[0].Message, "cursor") {
			t.Errorf("a nearest-first cursor in a list by id: %+v", r.Errors)
		}
	})
}

// idCursor is the cursor of a place in a list by id, as the API spells it.
func idCursor(id int) string {
	return strings.TrimRight(b64(fmt.Sprintf("i:%d", id)), "=")
}

func TestNodeAndLookups(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			Area       idName
			Initiative struct {
				ID    string
				Title string
			}
			Employer struct {
				ID       string
				Name     string
				Industry *string
			}
			Association struct {
				ID       string
				Name     string
				Activity *string
			}
		}
		c.ok(`{ area(code: "1490") { id name }
			initiative: node(id: "Initiative:1") { id ... on Initiative { title } }
			employer: node(id: "Employer:1") { id ... on Employer { name industry } }
			association: node(id: "Association:40") { id ... on Association { name activity } } }`, nil, &out)
		if out.Area.Name != "Borås" || out.Area.ID == "" {
			t.Errorf("area 1490: %+v", out.Area)
		}
		if out.Initiative.ID != "Initiative:1" || out.Initiative.Title == "" {
			t.Errorf("initiative 1: %+v", out.Initiative)
		}
		if out.Employer.ID != "Employer:1" || out.Employer.Name == "" {
			t.Errorf("employer 1: %+v", out.Employer)
		}
		if out.Association.ID != "Association:40" || out.Association.Name == "" {
			t.Errorf("association 40: %+v", out.Association)
		}
		var again struct{ Node idName }
		c.ok(`query($id: ID!) { node(id: $id) { ... on Area { id name } } }`, map[string]any{"id": out.Area.ID}, &again)
		if again.Node != out.Area {
			t.Errorf("node(%s) = %+v, want %+v", out.Area.ID, again.Node, out.Area)
		}
	})
}

func TestAreasAt(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			AreasAt []struct {
				Name string
				Kind string
			}
		}
		// Stora torget, the centre of Borås.
		c.ok(`{ areasAt(lon: 12.9395, lat: 57.7210) { name kind } }`, nil, &out)
		if len(out.AreasAt) < 2 || out.AreasAt[len(out.AreasAt)-1].Kind != "MUNICIPALITY" || out.AreasAt[0].Kind == "MUNICIPALITY" {
			t.Errorf("areasAt(Stora torget) = %+v, want a district then the municipality", out.AreasAt)
		}
	})
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name, query, code, says string
	}{
		{"unknown area id", `{ area(id: "Area:99999") { name } }`, db.ENOTFOUND, "no area"},
		{"unknown code", `{ area(code: "nope") { name } }`, db.ENOTFOUND, "nope"},
		{"unknown node", `{ node(id: "Initiative:99999") { id } }`, db.ENOTFOUND, "Initiative:99999"},
		{"malformed id", `{ node(id: "garbage") { id } }`, db.EINVALID, "malformed id"},
		// One record, one id: another spelling of Area:1 is no id.
		{"id with a leading zero", `{ node(id: "Area:01") { id } }`, db.EINVALID, "malformed id"},
		{"id with a sign", `{ area(id: "Area:+1") { name } }`, db.EINVALID, "malformed id"},
		{"id with a space", `{ initiatives(filter: {areas: ["Area: 1"]}) { totalCount } }`, db.EINVALID, "malformed id"},
		{"id of the wrong type", `{ area(id: "Initiative:1") { name } }`, db.EINVALID, "not an Area id"},
		{"id and code both", `{ area(id: "Area:1", code: "1490") { name } }`, db.EINVALID, "exactly one"},
		{"malformed cursor", `{ areas(after: "not-a-cursor") { totalCount } }`, db.EINVALID, "malformed cursor"},
		{"negative first", `{ areas(first: -1) { totalCount } }`, db.EINVALID, "first must be between 0 and 1000"},
		{"huge first", `{ initiatives(first: 100000) { totalCount } }`, db.EINVALID, "first must be between 0 and 1000"},
		{"huge nested first", `{ areas { nodes { initiatives(first: 1001) { totalCount } } } }`, db.EINVALID, "first must be"},
		{"latitude out of range", `{ areasAt(lon: 12.9, lat: 95) { name } }`, db.EINVALID, "latitude 95"},
		{"bbox min above max", `{ areas(filter: {bbox: {minLon: 13, minLat: 57, maxLon: 12, maxLat: 58}}) { totalCount } }`, db.EINVALID, "min must not exceed max"},
		{"negative radius", `{ initiatives(filter: {near: {lon: 12.9, lat: 57.7, radiusMeters: -5}}) { totalCount } }`, db.EINVALID, "radiusMeters"},
		{"GeoJSON of an unknown type", `{ areas(filter: {intersects: {type: "Polgon", coordinates: []}}) { totalCount } }`, db.EINVALID, "Polgon"},
		{"GeoJSON ring not closed", `{ areas(filter: {intersects: {type: "Polygon", coordinates: [[[12.9,57.7],[13,57.7],[13,57.8],[12.9,57.8]]]}}) { totalCount } }`, db.EINVALID, "not closed"},
		{"GeoJSON that crosses itself", `{ areas(filter: {intersects: {type: "Polygon", coordinates: [[[12.9,57.7],[13,57.8],[13,57.7],[12.9,57.8],[12.9,57.7]]]}}) { totalCount } }`, db.EINVALID, "intersects itself"},
		{"GeoJSON not an object", `{ areas(filter: {intersects: 42}) { totalCount } }`, db.EINVALID, "GeoJSON"},
		{"unknown enum value", `{ areas(filter: {kinds: [COUNTY]}) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED", "COUNTY"},
		{"unknown field", `{ areas { nope } }`, "GRAPHQL_VALIDATION_FAILED", "nope"},
		{"syntax error", `{ areas { `, "GRAPHQL_PARSE_FAILED", ""},
		{"unknown indicator", `{ indicatorComparison(indicator: "nope", year: 2024) { year } }`, db.ENOTFOUND, "nope"},
		{"comparison of an unknown area", `{ indicatorComparison(indicator: "unemployment", year: 2024, areas: ["Area:999"]) { year } }`, db.ENOTFOUND, "Area:999"},
		{"negative within", `{ organizations(filter: {within: {area: "Area:13", meters: -1}}) { totalCount } }`, db.EINVALID, "meters"},
		{"within an unknown area", `{ initiatives(filter: {within: {area: "Area:999", meters: 10}}) { totalCount } }`, db.ENOTFOUND, "Area:999"},
		{"zoom out of range", `{ area(code: "1490") { geometry(zoom: 30) } }`, db.EINVALID, "zoom"},
		{"precision out of range", `{ area(code: "1490") { geometry(precision: 16) } }`, db.EINVALID, "precision"},
	}
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		for _, tc := range cases {
			r := c.query(tc.query, nil)
			if r.code() != tc.code {
				t.Errorf("%s: code %q (%+v), want %s", tc.name, r.code(), r.Errors, tc.code)
				continue
			}
			if !strings.Contains(r.Errors[0].Message, tc.says) {
				t.Errorf("%s: message %q does not say %q", tc.name, r.Errors[0].Message, tc.says)
			}
		}
	})
}
