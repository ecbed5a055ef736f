package layers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/layers"
	"github.com/areagraph/areagraph/server"
	"github.com/paulmach/orb"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// testHost is the host every request names, so that links in bodies, and
// so the golden files, do not depend on the test server's port.
const testHost = "maps.example"

// boras is the z=12 tile over central Borås (Norrby, Hässleholmen, the
// centre); ocean is a z=3 tile in the Pacific.
const (
	borasTile = "12/2195/1239"
	oceanTile = "3/0/4"
)

var backends = storetest.Backends

// client talks to the whole server, CORS and all, over HTTP.
type client struct {
	t     *testing.T
	url   string
	store *dbtest.Counting
}

func newClient(t *testing.T, store db.Store) *client {
	return newClientWith(t, store, server.Config{Forwarding: trustLoopback})
}

// trustLoopback trusts the forwarded headers of the tests, which come
// from the loopback address as a proxy's would.
var trustLoopback = httpx.Forwarding{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}

func newClientWith(t *testing.T, store db.Store, cfg server.Config) *client {
	cs := dbtest.NewCounting(store)
	srv := httptest.NewServer(server.New(cs, cfg))
	t.Cleanup(srv.Close)
	return &client{t: t, url: srv.URL, store: cs}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// get requests path with the given headers (name, value pairs). The
// transport's own gzip handling is off, so the test sees the bytes sent.
func (c *client) get(path string, headers ...string) reply {
	return c.do(http.MethodGet, path, headers...)
}

func (c *client) do(method, path string, headers ...string) reply {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Host = testHost
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return reply{res.StatusCode, res.Header, body}
}

// collection is a FeatureCollection as a client reads it.
type collection struct {
	Type           string    `json:"type"`
	NumberMatched  int       `json:"numberMatched"`
	NumberReturned int       `json:"numberReturned"`
	BBox           []float64 `json:"bbox"`
	Attribution    string    `json:"attribution"`
	License        string    `json:"license"`
	Links          []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
	Features []struct {
		Type       string          `json:"type"`
		ID         string          `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	} `json:"features"`
}

func (fc collection) ids() []string {
	out := make([]string, len(fc.Features))
	for i, f := range fc.Features {
		out[i] = f.ID
	}
	return out
}

func (fc collection) link(rel string) string {
	for _, l := range fc.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// features fetches a FeatureCollection that must answer 200.
func (c *client) features(path string) collection {
	c.t.Helper()
	r := c.get(path)
	if r.status != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/geo+json" {
		c.t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	var fc collection
	if err := json.Unmarshal(r.body, &fc); err != nil {
		c.t.Fatalf("GET %s: %v\n%s", path, err, r.body)
	}
	if fc.Type != "FeatureCollection" || fc.NumberReturned != len(fc.Features) {
		c.t.Errorf("GET %s: type %q, numberReturned %d for %d features", path, fc.Type, fc.NumberReturned, len(fc.Features))
	}
	return fc
}

// tile fetches a tile that must answer 200 and decodes it.
func (c *client) tile(path string) []layers.DecodedLayer {
	c.t.Helper()
	r := c.get(path)
	if r.status != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		c.t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	ls, err := layers.DecodeTile(r.body)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	return ls
}

func gid[T any](list db.List[T], id func(T) string) []string {
	out := make([]string, len(list.Items))
	for i, x := range list.Items {
		out[i] = id(x)
	}
	return out
}

func areaIDs(l db.List[*db.Area]) []string { return gid(l, (*db.Area).NodeID) }
func initiativeIDs(l db.List[*db.Initiative]) []string {
	return gid(l, (*db.Initiative).NodeID)
}
func orgIDs(l db.List[*db.Organization]) []string { return gid(l, (*db.Organization).NodeID) }

var all = db.Page{Limit: 100_000}

// TestLayers runs every HTTP test on each backend, loaded once.
func TestLayers(t *testing.T) {
	for _, be := range backends {
		t.Run(be.Name, func(t *testing.T) {
			store := be.Open(t)
			tests := []struct {
				name string
				fn   func(t *testing.T, c *client)
			}{
				{"EveryLayerAnswers", testEveryLayerAnswers},
				{"AreaFilters", testAreaFilters},
				{"InitiativeFilters", testInitiativeFilters},
				{"OrganizationFilters", testOrganizationFilters},
				{"IndicatorProperty", testIndicatorProperty},
				{"BBoxAndNear", testBBoxAndNear},
				{"Paging", testPaging},
				{"Simplification", testSimplification},
				{"ETag", testETag},
				{"Gzip", testGzip},
				{"EmptyTile", testEmptyTile},
				{"TileFeatures", testTileFeatures},
				{"TileJSON", testTileJSON},
				{"BadInput", testBadInput},
				{"StoreCallsAreBounded", testStoreCallsAreBounded},
				{"Golden", testGolden},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, newClient(t, store)) })
			}
		})
	}
}

func testEveryLayerAnswers(t *testing.T, c *client) {
	ctx := t.Context()
	kinds := map[string][]db.AreaKind{
		"areas": nil, "municipalities": {db.KindMunicipality}, "districts": {db.KindDistrict},
		"priority-areas": {db.KindPriorityArea}, "statistical-areas": {db.KindStatisticalArea},
	}
	for _, name := range []string{"areas", "municipalities", "districts", "priority-areas", "statistical-areas", "initiatives", "employers", "associations"} {
		fc := c.features("/layers/" + name + ".geojson")
		var want []string
		var prefix string
		switch name {
		case "initiatives":
			l, err := c.store.Initiatives(ctx, db.InitiativeFilter{}, all)
			if err != nil {
				t.Fatal(err)
			}
			want, prefix = initiativeIDs(l), "Initiative:"
		case "employers", "associations":
			kind, typ := db.OrgEmployer, "Employer:"
			if name == "associations" {
				kind, typ = db.OrgAssociation, "Association:"
			}
			l, err := c.store.Organizations(ctx, db.OrganizationFilter{Kinds: []db.OrgKind{kind}}, all)
			if err != nil {
				t.Fatal(err)
			}
			want, prefix = orgIDs(l), typ
		default:
			l, err := c.store.Areas(ctx, db.AreaFilter{Kinds: kinds[name]}, all)
			if err != nil {
				t.Fatal(err)
			}
			want, prefix = areaIDs(l), "Area:"
		}
		if len(want) == 0 {
			t.Fatalf("%s: the demo has none; the test proves nothing", name)
		}
		if !slices.Equal(fc.ids(), want) || fc.NumberMatched != len(want) {
			t.Errorf("%s: got %d of %d features %v, want %v", name, len(fc.Features), fc.NumberMatched, fc.ids(), want)
		}
		for _, f := range fc.Features {
			if f.Type != "Feature" || !strings.HasPrefix(f.ID, prefix) {
				t.Errorf("%s: feature %q of type %q", name, f.ID, f.Type)
			}
		}

		r := c.get("/tiles/" + name + "/" + borasTile + ".mvt")
		switch {
		case r.status != http.StatusOK:
			t.Errorf("%s tile: %d %s", name, r.status, r.body)
		default:
			ls, err := layers.DecodeTile(r.body)
			if err != nil || len(ls) != 1 || ls[0].Name != name || len(ls[0].Features) == 0 {
				t.Errorf("%s tile: %v %+v", name, err, ls)
			}
		}

		r = c.get("/tiles/" + name + ".json")
		var doc struct {
			TileJSON string   `json:"tilejson"`
			Tiles    []string `json:"tiles"`
		}
		if r.status != http.StatusOK || json.Unmarshal(r.body, &doc) != nil || doc.TileJSON != "3.0.0" ||
			len(doc.Tiles) != 1 || doc.Tiles[0] != "http://"+testHost+"/tiles/"+name+"/{z}/{x}/{y}.mvt" {
			t.Errorf("%s TileJSON: %d %s", name, r.status, r.body)
		}
	}
}

func testAreaFilters(t *testing.T, c *client) {
	ctx := t.Context()
	cases := []struct {
		path string
		f    db.AreaFilter
	}{
		{"/layers/areas.geojson?kind=DISTRICT,PRIORITY_AREA", db.AreaFilter{Kinds: []db.AreaKind{db.KindDistrict, db.KindPriorityArea}}},
		{"/layers/areas.geojson?kind=district&kind=priority-area", db.AreaFilter{Kinds: []db.AreaKind{db.KindDistrict, db.KindPriorityArea}}},
		{"/layers/priority-areas.geojson?areaType=1", db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}, AreaTypes: []int{1}}},
		{"/layers/areas.geojson?parent=1490", db.AreaFilter{ParentIDs: []int64{1}}},
		{"/layers/areas.geojson?parent=Area:1", db.AreaFilter{ParentIDs: []int64{1}}},
		{"/layers/areas.geojson?parent=1490-D02,Area:5", db.AreaFilter{ParentIDs: []int64{3, 5}}},
		{"/layers/areas.geojson?code=1490-P01&code=1490-P03", db.AreaFilter{Codes: []string{"1490-P01", "1490-P03"}}},
		{"/layers/areas.geojson?name=NORR", db.AreaFilter{NameContains: "norr"}},
		{"/layers/districts.geojson?name=norr", db.AreaFilter{Kinds: []db.AreaKind{db.KindDistrict}, NameContains: "norr"}},
		{"/layers/areas.geojson?parent=Area:999", db.AreaFilter{ParentIDs: []int64{999}}},
	}
	for _, tc := range cases {
		want, err := c.store.Areas(ctx, tc.f, all)
		if err != nil {
			t.Fatal(err)
		}
		fc := c.features(tc.path)
		if !slices.Equal(fc.ids(), areaIDs(want)) {
			t.Errorf("%s: got %v, want %v", tc.path, fc.ids(), areaIDs(want))
		}
	}
	if n := len(c.features("/layers/areas.geojson?kind=DISTRICT,PRIORITY_AREA").Features); n < 10 {
		t.Errorf("districts and priority areas: only %d", n)
	}

	// Properties of an area.
	fc := c.features("/layers/priority-areas.geojson?code=1490-P01")
	if len(fc.Features) != 1 {
		t.Fatalf("Norrby: %v", fc.ids())
	}
	want := map[string]any{"code": "1490-P01", "name": "Norrby", "kind": "PRIORITY_AREA", "areaType": 1.0, "parent": "Area:3"}
	if f := fc.Features[0]; f.ID != "Area:13" || !mapsEqual(f.Properties, want) {
		t.Errorf("Norrby: %s %v, want %v", f.ID, f.Properties, want)
	}
	muni := c.features("/layers/municipalities.geojson").Features[0]
	if muni.Properties["parent"] != nil || muni.Properties["areaType"] != nil {
		t.Errorf("Borås: %v, want null parent and area type", muni.Properties)
	}
}

func mapsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || fmt.Sprint(v) != fmt.Sprint(w) {
			return false
		}
	}
	return true
}

func testInitiativeFilters(t *testing.T, c *client) {
	ctx := t.Context()
	cases := []struct {
		path string
		f    db.InitiativeFilter
	}{
		{"/layers/initiatives.geojson?status=ACTIVE&focusGroup=BORN_OUTSIDE_EUROPE&area=Area:13",
			db.InitiativeFilter{Statuses: []db.InitiativeStatus{db.StatusActive}, FocusGroups: []db.FocusGroup{db.FocusBornOutsideEurope}, AreaIDs: []int64{13}}},
		{"/layers/initiatives.geojson?status=active&focusGroup=born-outside-europe&area=1490-P01",
			db.InitiativeFilter{Statuses: []db.InitiativeStatus{db.StatusActive}, FocusGroups: []db.FocusGroup{db.FocusBornOutsideEurope}, AreaIDs: []int64{13}}},
		{"/layers/initiatives.geojson?theme=LANGUAGE,MENTORING", db.InitiativeFilter{Themes: []db.Theme{db.ThemeLanguage, db.ThemeMentoring}}},
		{"/layers/initiatives.geojson?goalArea=GOOD_START_IN_LIFE", db.InitiativeFilter{GoalAreas: []db.GoalArea{db.GoalGoodStart}}},
		{"/layers/initiatives.geojson?organization=Employer:1", db.InitiativeFilter{OrganizationIDs: []int64{1}}},
		{"/layers/initiatives.geojson?status=PLANNED,COMPLETED&area=Area:15", db.InitiativeFilter{
			Statuses: []db.InitiativeStatus{db.StatusPlanned, db.StatusCompleted}, AreaIDs: []int64{15}}},
		{"/layers/initiatives.geojson?title=norrby", db.InitiativeFilter{TitleContains: "norrby"}},
	}
	for _, tc := range cases {
		want, err := c.store.Initiatives(ctx, tc.f, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Items) == 0 {
			t.Errorf("%s: the demo has no such initiative; the case proves nothing", tc.path)
		}
		fc := c.features(tc.path)
		if !slices.Equal(fc.ids(), initiativeIDs(want)) {
			t.Errorf("%s: got %v, want %v", tc.path, fc.ids(), initiativeIDs(want))
		}
	}

	// Properties, and several locations as one MultiPoint.
	l, err := c.store.Initiatives(ctx, db.InitiativeFilter{}, all)
	if err != nil {
		t.Fatal(err)
	}
	fc := c.features("/layers/initiatives.geojson")
	multi := 0
	for i, in := range l.Items {
		f := fc.Features[i]
		var g struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		}
		if err := json.Unmarshal(f.Geometry, &g); err != nil {
			t.Fatal(err)
		}
		switch n := len(in.Locations); {
		case n > 1:
			multi++
			var pts [][2]float64
			_ = json.Unmarshal(g.Coordinates, &pts)
			if g.Type != "MultiPoint" || len(pts) != n {
				t.Errorf("%s: %d locations as %s %s", f.ID, n, g.Type, g.Coordinates)
			}
		case n == 1 && g.Type != "Point":
			t.Errorf("%s: one location as %s", f.ID, g.Type)
		}
		if f.Properties["title"] != in.Title || f.Properties["status"] != string(in.Status) ||
			f.Properties["goalArea"] != string(in.GoalArea) || len(f.Properties["themes"].([]any)) != len(in.Themes) ||
			len(f.Properties["focusGroups"].([]any)) != len(in.FocusGroups) {
			t.Errorf("%s: properties %v", f.ID, f.Properties)
		}
		if in.LeadID != 0 {
			lead, err := c.store.OrganizationsByID(ctx, []int64{in.LeadID})
			if err != nil {
				t.Fatal(err)
			}
			if f.Properties["lead"] != lead[0].NodeID() || f.Properties["leadName"] != lead[0].Name {
				t.Errorf("%s: lead %v %v, want %s", f.ID, f.Properties["lead"], f.Properties["leadName"], lead[0].NodeID())
			}
		}
	}
	if multi == 0 {
		t.Error("no initiative with several locations in the demo; the MultiPoint case is untested")
	}
}

func testOrganizationFilters(t *testing.T, c *client) {
	ctx := t.Context()
	emp, ass := []db.OrgKind{db.OrgEmployer}, []db.OrgKind{db.OrgAssociation}
	cases := []struct {
		path string
		f    db.OrganizationFilter
	}{
		{"/layers/employers.geojson?area=Area:13", db.OrganizationFilter{Kinds: emp, AreaIDs: []int64{13}}},
		{"/layers/employers.geojson?area=1490-P01", db.OrganizationFilter{Kinds: emp, AreaIDs: []int64{13}}},
		{"/layers/associations.geojson?area=Area:13,Area:15", db.OrganizationFilter{Kinds: ass, AreaIDs: []int64{13, 15}}},
		{"/layers/employers.geojson?name=bor", db.OrganizationFilter{Kinds: emp, NameContains: "bor"}},
		{"/layers/associations.geojson?name=IF", db.OrganizationFilter{Kinds: ass, NameContains: "if"}},
	}
	for _, tc := range cases {
		want, err := c.store.Organizations(ctx, tc.f, all)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Items) == 0 {
			t.Errorf("%s: the demo has none; the case proves nothing", tc.path)
		}
		fc := c.features(tc.path)
		if !slices.Equal(fc.ids(), orgIDs(want)) {
			t.Errorf("%s: got %v, want %v", tc.path, fc.ids(), orgIDs(want))
		}
	}
	l, err := c.store.Organizations(ctx, db.OrganizationFilter{Kinds: emp}, db.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	o := l.Items[0]
	f := c.features("/layers/employers.geojson?limit=1").Features[0]
	if f.Properties["name"] != o.Name || f.Properties["kind"] != "EMPLOYER" ||
		f.Properties["industry"] != o.Industry || f.Properties["size"] != string(o.Size) {
		t.Errorf("%s: %v, want %+v", f.ID, f.Properties, o)
	}
	a := c.features("/layers/associations.geojson?limit=1").Features[0]
	if _, ok := a.Properties["activity"]; !ok || a.Properties["kind"] != "ASSOCIATION" {
		t.Errorf("%s: %v", a.ID, a.Properties)
	}
}

// indicatorValues returns the TOTAL values of code in year by area id.
func indicatorValues(t *testing.T, store db.Store, code string, year int) map[string]float64 {
	vs, err := store.IndicatorValues(t.Context(), db.ValueFilter{Codes: []string{code}, FromYear: year, ToYear: year, Sexes: []db.Sex{db.SexTotal}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, v := range vs {
		out[db.GlobalID(db.TypeArea, v.AreaID)] = v.Value
	}
	return out
}

func testIndicatorProperty(t *testing.T, c *client) {
	want := indicatorValues(t, c.store, "unemployment", 2024)
	fc := c.features("/layers/priority-areas.geojson?indicator=unemployment&year=2024")
	if len(fc.Features) == 0 {
		t.Fatal("no priority areas")
	}
	for _, f := range fc.Features {
		w, ok := want[f.ID]
		if got, _ := f.Properties["unemployment"].(float64); !ok || got != w || f.Properties["suppressed"] != false {
			t.Errorf("%s: unemployment %v, want %v", f.ID, f.Properties["unemployment"], w)
		}
	}
	// The collection credits the indicator's source under its licence;
	// one without an indicator credits nothing.
	defs, err := c.store.Indicators(t.Context(), []string{"unemployment"})
	if err != nil {
		t.Fatal(err)
	}
	if fc.Attribution != defs[0].Attribution || fc.License != defs[0].License || fc.Attribution == "" || fc.License == "" {
		t.Errorf("attribution %q, license %q; want the indicator's %q, %q", fc.Attribution, fc.License,
			defs[0].Attribution, defs[0].License)
	}
	if plain := c.features("/layers/priority-areas.geojson"); plain.Attribution != "" || plain.License != "" {
		t.Errorf("without an indicator: attribution %q, license %q", plain.Attribution, plain.License)
	}
	// A year with no values leaves the property null, not absent, so
	// every feature has the same columns.
	fc = c.features("/layers/districts.geojson?indicator=unemployment&year=1990")
	for _, f := range fc.Features {
		if v, ok := f.Properties["unemployment"]; !ok || v != nil {
			t.Errorf("%s: unemployment in 1990 %v, want null", f.ID, v)
		}
	}
	// The same in a tile, so a choropleth needs one request per tile.
	ls := c.tile("/tiles/areas/" + borasTile + ".mvt?indicator=unemployment&year=2024")
	for _, f := range ls[0].Features {
		id := f.Properties["id"].(string)
		got := f.Properties["unemployment"]
		// The statistical areas of the demo have values for a later year
		// only.
		if w, ok := want[id]; ok && got != w || !ok && got != nil {
			t.Errorf("tile %s: unemployment %v, want %v", id, got, want[id])
		}
	}
}

func testBBoxAndNear(t *testing.T, c *client) {
	ctx := t.Context()
	box := orb.Bound{Min: orb.Point{12.92, 57.72}, Max: orb.Point{12.95, 57.735}}
	q := "bbox=12.92,57.72,12.95,57.735"
	ini, err := c.store.Initiatives(ctx, db.InitiativeFilter{Spatial: db.Spatial{BBox: &box}}, all)
	if err != nil {
		t.Fatal(err)
	}
	fc := c.features("/layers/initiatives.geojson?" + q)
	if len(ini.Items) == 0 || !slices.Equal(fc.ids(), initiativeIDs(ini)) {
		t.Errorf("initiatives in %v: got %v, want %v", box, fc.ids(), initiativeIDs(ini))
	}
	every, _ := c.store.Initiatives(ctx, db.InitiativeFilter{}, db.Page{})
	if fc.NumberMatched >= every.Total {
		t.Errorf("the bbox kept all %d initiatives", every.Total)
	}
	// The collection's bbox holds every feature.
	if len(fc.BBox) != 4 {
		t.Fatalf("bbox %v", fc.BBox)
	}
	got := orb.Bound{Min: orb.Point{fc.BBox[0], fc.BBox[1]}, Max: orb.Point{fc.BBox[2], fc.BBox[3]}}
	for _, in := range ini.Items {
		for _, p := range in.Locations {
			if !got.Pad(1e-6).Contains(p) {
				t.Errorf("%s at %v is outside the collection's bbox %v", in.NodeID(), p, got)
			}
		}
	}

	areas, err := c.store.Areas(ctx, db.AreaFilter{Spatial: db.Spatial{BBox: &box}}, db.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if fc := c.features("/layers/areas.geojson?" + q); !slices.Equal(fc.ids(), areaIDs(areas)) {
		t.Errorf("areas in %v: got %v, want %v", box, fc.ids(), areaIDs(areas))
	}

	near := db.Near{Point: orb.Point{12.925, 57.737}, RadiusMeters: 800}
	orgs, err := c.store.Organizations(ctx, db.OrganizationFilter{Kinds: []db.OrgKind{db.OrgAssociation}, Spatial: db.Spatial{Near: &near}}, all)
	if err != nil {
		t.Fatal(err)
	}
	fc = c.features("/layers/associations.geojson?near=12.925,57.737,800")
	if len(orgs.Items) == 0 || !slices.Equal(fc.ids(), orgIDs(orgs)) {
		t.Errorf("associations near: got %v, want %v", fc.ids(), orgIDs(orgs))
	}
	last := -1.0
	for _, f := range fc.Features {
		d, ok := f.Properties["distanceMeters"].(float64)
		if !ok || d < last || d > 800 {
			t.Errorf("%s: distance %v after %g", f.ID, f.Properties["distanceMeters"], last)
		}
		last = d
	}
}

func testPaging(t *testing.T, c *client) {
	total := c.features("/layers/initiatives.geojson?limit=0")
	if total.NumberMatched == 0 || len(total.Features) != 0 || total.link("next") != "" {
		t.Fatalf("limit=0: %d matched, %d returned, next %q", total.NumberMatched, len(total.Features), total.link("next"))
	}
	var seen []string
	path := "/layers/initiatives.geojson?limit=10&status=ACTIVE,COMPLETED"
	pages := 0
	for path != "" {
		fc := c.features(path)
		if self := fc.link("self"); self == "" || !strings.HasPrefix(self, "http://"+testHost+"/layers/initiatives.geojson?") {
			t.Errorf("self link %q", self)
		}
		seen = append(seen, fc.ids()...)
		next := fc.link("next")
		if next == "" {
			if len(seen) != fc.NumberMatched {
				t.Errorf("paged through %d of %d", len(seen), fc.NumberMatched)
			}
			break
		}
		u, err := url.Parse(next)
		if err != nil || u.Host != testHost || u.Query().Get("status") != "ACTIVE,COMPLETED" {
			t.Fatalf("next link %q", next)
		}
		path = u.RequestURI()
		if pages++; pages > 20 {
			t.Fatal("paging does not end")
		}
	}
	if pages < 2 {
		t.Errorf("only %d pages of 10; the test proves little", pages+1)
	}
	sorted := slices.Clone(seen)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(seen) {
		t.Errorf("pages overlap: %v", seen)
	}
	if fc := c.features("/layers/initiatives.geojson?offset=100000"); len(fc.Features) != 0 || fc.link("next") != "" {
		t.Errorf("offset past the end: %d features", len(fc.Features))
	}
	// offset= still reads a position, for clients that count pages; its
	// next link carries on by place.
	all := c.features("/layers/initiatives.geojson?limit=6")
	fc := c.features("/layers/initiatives.geojson?limit=2&offset=2")
	if !slices.Equal(fc.ids(), all.ids()[2:4]) {
		t.Errorf("offset=2: %v, want %v", fc.ids(), all.ids()[2:4])
	}
	next, err := url.Parse(fc.link("next"))
	if err != nil || next.Query().Has("offset") || next.Query().Get("after") == "" {
		t.Fatalf("next link after an offset: %q", fc.link("next"))
	}
	if fc := c.features(next.RequestURI()); !slices.Equal(fc.ids(), all.ids()[4:6]) {
		t.Errorf("after offset=2's next link: %v, want %v", fc.ids(), all.ids()[4:6])
	}
}

// TestPagingUnderWrites walks layers page by page along their next links
// while a feature already handed out is deleted and another added between
// the pages: each feature present throughout the walk comes exactly once,
// in id order and nearest first.
func TestPagingUnderWrites(t *testing.T) {
	actor := db.Actor{ID: "key:layers-test", Role: db.RoleAdmin}
	for _, be := range backends {
		t.Run(be.Name, func(t *testing.T) {
			c := newClient(t, be.Open(t))
			walkUnderWrites(t, c, "/layers/initiatives.geojson?", "limit=3", actor)
			walkUnderWrites(t, c, "/layers/initiatives.geojson?near=12.94,57.72,50000&", "limit=2", actor)
		})
	}
}

func walkUnderWrites(t *testing.T, c *client, layer, limit string, actor db.Actor) {
	t.Helper()
	ctx := t.Context()
	before := c.features(layer + "limit=10000")
	path := layer + limit
	seen := map[string]int{}
	pages := 0
	for path != "" {
		fc := c.features(path)
		for _, id := range fc.ids() {
			seen[id]++
		}
		next := fc.link("next")
		if next == "" {
			break
		}
		u, err := url.Parse(next)
		if err != nil || u.Query().Has("offset") || u.Query().Get("after") == "" {
			t.Fatalf("next link %q: want one with after=", next)
		}
		path = u.RequestURI()
		if pages < 3 {
			// Between the pages: delete a feature already handed out,
			// which moves every offset after it, and add one.
			_, id, err := db.ParseGlobalID(fc.Features[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			ins, err := c.store.InitiativesByID(ctx, []int64{id})
			if err != nil || len(ins) != 1 || ins[0] == nil {
				t.Fatalf("initiative %d: %v", id, err)
			}
			if err := c.store.DeleteInitiative(ctx, actor, id, ins[0].Version); err != nil {
				t.Fatal(err)
			}
			if _, err := c.store.CreateInitiative(ctx, actor, &db.Initiative{Title: "Added meanwhile",
				Status: db.StatusPlanned, GoalArea: db.GoalGoodStart, Locations: []orb.Point{{12.94, 57.72}}}); err != nil {
				t.Fatal(err)
			}
		}
		if pages++; pages > 100 {
			t.Fatal("paging does not end")
		}
	}
	if pages < 4 {
		t.Errorf("%s: %d pages; the walk proves little", layer, pages+1)
	}
	if len(before.Features) < 8 {
		t.Fatalf("%s: %d features to walk; the walk proves little", layer, len(before.Features))
	}
	for _, id := range before.ids() {
		if seen[id] != 1 {
			t.Errorf("%s: %s, present throughout or deleted once handed out, came %d times", layer, id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s: %s came %d times", layer, id, n)
		}
	}
}

// vertices counts the positions of a GeoJSON geometry.
func vertices(t *testing.T, raw json.RawMessage) int {
	var g struct {
		Coordinates any `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	var count func(v any) int
	count = func(v any) int {
		arr, ok := v.([]any)
		if !ok {
			return 0
		}
		if len(arr) > 0 {
			if _, ok := arr[0].(float64); ok {
				return 1
			}
		}
		n := 0
		for _, x := range arr {
			n += count(x)
		}
		return n
	}
	return count(g.Coordinates)
}

func testSimplification(t *testing.T, c *client) {
	full := c.features("/layers/municipalities.geojson")
	z8 := c.features("/layers/municipalities.geojson?zoom=8")
	m1k := c.features("/layers/municipalities.geojson?simplify=1000")
	nFull, n8, n1k := vertices(t, full.Features[0].Geometry), vertices(t, z8.Features[0].Geometry), vertices(t, m1k.Features[0].Geometry)
	if !(n8 < nFull && n1k < nFull && n1k >= 4) {
		t.Errorf("vertices: full %d, zoom 8 %d, 1 km %d", nFull, n8, n1k)
	}
	// Fewer decimals, a smaller body, and no area lost. Round adds a
	// decimal where fewer would fold a ring, so the count is not exact.
	p3 := c.get("/layers/areas.geojson?precision=3")
	p6 := c.get("/layers/areas.geojson")
	if len(p3.body) >= len(p6.body) {
		t.Errorf("precision=3: %d bytes, precision 6: %d", len(p3.body), len(p6.body))
	}
	if n := len(c.features("/layers/areas.geojson?precision=0").Features); n != len(c.features("/layers/areas.geojson").Features) {
		t.Errorf("precision=0 lost areas: %d left", n)
	}
	// Exterior rings counter-clockwise, as RFC 7946 asks.
	for _, f := range full.Features {
		var g struct {
			Type        string        `json:"type"`
			Coordinates [][][]float64 `json:"coordinates"`
		}
		_ = json.Unmarshal(f.Geometry, &g)
		if g.Type == "Polygon" {
			r := make(orb.Ring, len(g.Coordinates[0]))
			for i, p := range g.Coordinates[0] {
				r[i] = orb.Point{p[0], p[1]}
			}
			if r.Orientation() != orb.CCW {
				t.Errorf("%s: exterior ring is not counter-clockwise", f.ID)
			}
		}
	}
	if strings.Contains(string(c.get("/layers/areas.geojson").body), `"crs"`) {
		t.Error("a crs member in RFC 7946 output")
	}
}

func testETag(t *testing.T, c *client) {
	for _, path := range []string{
		"/layers/priority-areas.geojson?indicator=unemployment&year=2024",
		"/tiles/priority-areas/" + borasTile + ".mvt",
		"/tiles/areas.json",
	} {
		r := c.get(path)
		etag := r.header.Get("ETag")
		if r.status != http.StatusOK || !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
			t.Fatalf("%s: %d, ETag %q", path, r.status, etag)
		}
		if cc := r.header.Get("Cache-Control"); cc != "public, max-age=60" {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
		if cc := c.get(path, "Authorization", "Bearer ag_x").header.Get("Cache-Control"); cc != "private, max-age=60" {
			t.Errorf("%s with a token: Cache-Control %q, want it kept from shared caches", path, cc)
		}
		if again := c.get(path); again.header.Get("ETag") != etag || !bytes.Equal(again.body, r.body) {
			t.Errorf("%s: the same request gave another body or ETag", path)
		}
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			nm := c.get(path, "If-None-Match", inm)
			if nm.status != http.StatusNotModified || len(nm.body) != 0 || nm.header.Get("ETag") != etag {
				t.Errorf("%s with If-None-Match %s: %d, %d bytes, ETag %q", path, inm, nm.status, len(nm.body), nm.header.Get("ETag"))
			}
		}
		if other := c.get(path, "If-None-Match", `"stale"`); other.status != http.StatusOK {
			t.Errorf("%s with a stale ETag: %d", path, other.status)
		}
		// A validator taken from the gzipped body names the same content.
		gz := c.get(path, "Accept-Encoding", "gzip")
		if nm := c.get(path, "If-None-Match", gz.header.Get("ETag")); nm.status != http.StatusNotModified {
			t.Errorf("%s: the gzip ETag %s does not validate the plain body: %d", path, gz.header.Get("ETag"), nm.status)
		}
	}
	// Another filter, another body, another tag.
	a := c.get("/layers/priority-areas.geojson?areaType=1").header.Get("ETag")
	b := c.get("/layers/priority-areas.geojson?areaType=2").header.Get("ETag")
	if a == b {
		t.Error("two different bodies share an ETag")
	}
}

func testGzip(t *testing.T, c *client) {
	for _, path := range []string{
		"/layers/areas.geojson",
		"/tiles/areas/" + borasTile + ".mvt?indicator=unemployment&year=2024",
	} {
		plain := c.get(path)
		gz := c.get(path, "Accept-Encoding", "gzip, deflate, br")
		if plain.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: compressed without Accept-Encoding", path)
		}
		if gz.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: Content-Encoding %q with Accept-Encoding gzip", path, gz.header.Get("Content-Encoding"))
		}
		for _, r := range []reply{plain, gz} {
			if !strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("%s: Vary %v", path, r.header.Values("Vary"))
			}
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz.body))
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(body, plain.body) {
			t.Errorf("%s: gunzipped body differs from the plain one (%v)", path, err)
		}
		if len(gz.body) >= len(plain.body) {
			t.Errorf("%s: gzip did not shrink %d bytes (%d)", path, len(plain.body), len(gz.body))
		}
		if gz.header.Get("ETag") == plain.header.Get("ETag") {
			t.Errorf("%s: gzipped and plain bodies share a strong ETag", path)
		}
		if r := c.get(path, "Accept-Encoding", "gzip;q=0, identity"); r.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: compressed although gzip;q=0", path)
		}
	}
}

func testEmptyTile(t *testing.T, c *client) {
	for _, path := range []string{
		"/tiles/areas/" + oceanTile + ".mvt",
		"/tiles/initiatives/" + oceanTile + ".mvt?status=ACTIVE",
		// Over Borås, but a bbox elsewhere leaves nothing.
		"/tiles/areas/" + borasTile + ".mvt?bbox=0,0,1,1",
		// Over Borås, with a filter nothing passes.
		"/tiles/initiatives/" + borasTile + ".mvt?title=no-such-initiative",
	} {
		r := c.get(path)
		if r.status != http.StatusNoContent || len(r.body) != 0 {
			t.Errorf("%s: %d with %d bytes, want 204", path, r.status, len(r.body))
		}
		if r.header.Get("Content-Encoding") != "" {
			t.Errorf("%s: Content-Encoding on an empty tile", path)
		}
	}
	// At zoom 0 the whole world is one tile, and Borås is in it.
	if ls := c.tile("/tiles/municipalities/0/0/0.mvt"); len(ls[0].Features) != 1 {
		t.Errorf("zoom 0: %+v", ls)
	}
}

func testTileFeatures(t *testing.T, c *client) {
	ls := c.tile("/tiles/priority-areas/" + borasTile + ".mvt")
	if len(ls) != 1 || ls[0].Extent != 4096 || ls[0].Version != 2 {
		t.Fatalf("layer %+v", ls)
	}
	names := map[string]bool{}
	for _, f := range ls[0].Features {
		names[f.Properties["name"].(string)] = true
		if f.Type != "Polygon" && f.Type != "MultiPolygon" {
			t.Errorf("%v: %s", f.Properties["id"], f.Type)
		}
		if f.ID == 0 || !strings.HasPrefix(f.Properties["id"].(string), "Area:") || f.Properties["kind"] != "PRIORITY_AREA" {
			t.Errorf("feature %d: %v", f.ID, f.Properties)
		}
		// Everything lies within the tile and its buffer.
		b := f.Geometry.Bound()
		if b.Min[0] < -64 || b.Min[1] < -64 || b.Max[0] > 4160 || b.Max[1] > 4160 {
			t.Errorf("%v reaches %v, beyond the buffer", f.Properties["id"], b)
		}
	}
	if !names["Norrby"] || !names["Hässleholmen"] {
		t.Errorf("the tile over central Borås holds %v", names)
	}
	// Initiatives are points; several locations make one feature.
	ls = c.tile("/tiles/initiatives/" + borasTile + ".mvt")
	multi := false
	for _, f := range ls[0].Features {
		switch f.Type {
		case "MultiPoint":
			multi = true
		case "Point":
		default:
			t.Errorf("initiative %v is a %s", f.Properties["id"], f.Type)
		}
		if _, ok := f.Properties["title"].(string); !ok {
			t.Errorf("initiative %v has no title", f.Properties["id"])
		}
	}
	if !multi {
		t.Error("no MultiPoint initiative in the tile over Borås")
	}
	// Filters apply to tiles as to collections.
	every := c.tile("/tiles/initiatives/" + borasTile + ".mvt")
	active := c.tile("/tiles/initiatives/" + borasTile + ".mvt?status=ACTIVE")
	if len(active[0].Features) == 0 || len(active[0].Features) >= len(every[0].Features) {
		t.Errorf("status=ACTIVE kept %d of %d", len(active[0].Features), len(every[0].Features))
	}
	for _, f := range active[0].Features {
		if f.Properties["status"] != "ACTIVE" {
			t.Errorf("%v: status %v", f.Properties["id"], f.Properties["status"])
		}
	}
	// At zoom 2 a tile unit is over a kilometre: the priority areas are
	// smaller than the grid and are dropped rather than sent as specks,
	// while the municipality around them still shows.
	if r := c.get("/tiles/priority-areas/2/2/1.mvt"); r.status != http.StatusNoContent {
		t.Errorf("priority areas at zoom 2: %d, want 204", r.status)
	}
	if ls := c.tile("/tiles/municipalities/2/2/1.mvt"); len(ls[0].Features) != 1 {
		t.Errorf("Borås at zoom 2: %+v", ls)
	}
	// HEAD answers like GET, without the body.
	if r := c.do(http.MethodHead, "/tiles/priority-areas/"+borasTile+".mvt"); r.status != http.StatusOK || len(r.body) != 0 {
		t.Errorf("HEAD: %d with %d bytes", r.status, len(r.body))
	}
	// CORS: the layers sit behind the server's CORS like GraphQL.
	r := c.get("/tiles/priority-areas/"+borasTile+".mvt", "Origin", "https://map.example")
	if r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("CORS: Access-Control-Allow-Origin %q", r.header.Get("Access-Control-Allow-Origin"))
	}
}

func testTileJSON(t *testing.T, c *client) {
	var doc struct {
		TileJSON     string     `json:"tilejson"`
		Tiles        []string   `json:"tiles"`
		Attribution  string     `json:"attribution"`
		MinZoom      int        `json:"minzoom"`
		MaxZoom      int        `json:"maxzoom"`
		Bounds       [4]float64 `json:"bounds"`
		Center       [3]float64 `json:"center"`
		VectorLayers []struct {
			ID     string            `json:"id"`
			Fields map[string]string `json:"fields"`
		} `json:"vector_layers"`
	}
	r := c.get("/tiles/priority-areas.json?indicator=unemployment&year=2024",
		"X-Forwarded-Proto", "https", "X-Forwarded-Host", "tiles.example.org")
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	wantTiles := "https://tiles.example.org/tiles/priority-areas/{z}/{x}/{y}.mvt?indicator=unemployment&year=2024"
	if doc.TileJSON != "3.0.0" || len(doc.Tiles) != 1 || doc.Tiles[0] != wantTiles {
		t.Errorf("tiles %v, want %s", doc.Tiles, wantTiles)
	}
	defs, err := c.store.Indicators(t.Context(), []string{"unemployment"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Attribution, defs[0].Attribution) || doc.Attribution == "" {
		t.Errorf("attribution %q, want the indicator's %q", doc.Attribution, defs[0].Attribution)
	}
	if doc.MinZoom != 0 || doc.MaxZoom < 14 || doc.MaxZoom > 22 {
		t.Errorf("zooms %d–%d", doc.MinZoom, doc.MaxZoom)
	}
	// Bounds are those of the priority areas.
	l, err := c.store.Areas(t.Context(), db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}}, all)
	if err != nil {
		t.Fatal(err)
	}
	want := l.Items[0].Geometry.Bound()
	for _, a := range l.Items[1:] {
		want = want.Union(a.Geometry.Bound())
	}
	if doc.Bounds != [4]float64{want.Min[0], want.Min[1], want.Max[0], want.Max[1]} {
		t.Errorf("bounds %v, want %v", doc.Bounds, want)
	}
	if !want.Contains(orb.Point{doc.Center[0], doc.Center[1]}) {
		t.Errorf("center %v outside the bounds", doc.Center)
	}
	if len(doc.VectorLayers) != 1 || doc.VectorLayers[0].ID != "priority-areas" {
		t.Fatalf("vector_layers %+v", doc.VectorLayers)
	}
	for _, field := range []string{"id", "code", "name", "kind", "areaType", "parent", "unemployment"} {
		if doc.VectorLayers[0].Fields[field] == "" {
			t.Errorf("field %s undescribed: %v", field, doc.VectorLayers[0].Fields)
		}
	}
	// A forged host header cannot put a path or markup into the URL.
	r = c.get("/tiles/districts.json", "X-Forwarded-Host", "evil.example/<script>")
	if strings.Contains(string(r.body), "evil") || !strings.Contains(string(r.body), "http://"+testHost+"/tiles/districts/") {
		t.Errorf("forged host: %s", r.body)
	}
	if vary := strings.Join(r.header.Values("Vary"), ","); !strings.Contains(vary, "X-Forwarded-Host") {
		t.Errorf("Vary %q: a cache could serve one proxy's URLs to another", vary)
	}
}

func testBadInput(t *testing.T, c *client) {
	cases := []struct {
		path, want string
		status     int
	}{
		{"/layers/areas.geojson?bbox=200,57,13,58", "bbox min: longitude 200 is out of range [-180, 180]", 400},
		{"/layers/areas.geojson?bbox=12,-91,13,58", "bbox min: latitude -91 is out of range [-90, 90]", 400},
		{"/layers/areas.geojson?bbox=13,57,12,58", "bbox: min must not exceed max", 400},
		{"/layers/areas.geojson?bbox=12,57,13", "bbox: want minLon,minLat,maxLon,maxLat", 400},
		{"/layers/areas.geojson?bbox=12,57,13,NaN", "bbox max: latitude NaN is out of range", 400},
		{"/layers/initiatives.geojson?near=12.9,57.7,-5", "near: radiusMeters must be between 0 and 1000000, got -5", 400},
		{"/layers/initiatives.geojson?near=190,57.7,5", "near: longitude 190 is out of range", 400},
		{"/tiles/initiatives/" + borasTile + ".mvt?near=12.9,57.7,-1", "near: radiusMeters", 400},
		{"/layers/roads.geojson", `unknown layer "roads"`, 400},
		{"/tiles/roads/1/0/0.mvt", `unknown layer "roads"`, 400},
		{"/tiles/roads.json", `unknown layer "roads"`, 400},
		{"/layers/initiatives.geojson?status=DONE", `status: unknown value "DONE"; want one of PLANNED, ACTIVE, COMPLETED, CANCELLED`, 400},
		{"/layers/areas.geojson?kind=COUNTY", `kind: unknown value "COUNTY"`, 400},
		{"/layers/initiatives.geojson?theme=JOBS,MUSIC", `theme: unknown value "MUSIC"`, 400},
		{"/layers/initiatives.geojson?focusGroup=YOUTH", `focusGroup: unknown value "YOUTH"`, 400},
		{"/layers/initiatives.geojson?goalArea=PEACE", `goalArea: unknown value "PEACE"`, 400},
		{"/layers/priority-areas.geojson?areaType=6", `areaType: "6" is not an area type`, 400},
		{"/layers/initiatives.geojson?stauts=ACTIVE", `unknown parameter "stauts"`, 400},
		{"/layers/areas.geojson?name=Norr%00by", "name has a NUL character or bytes that are not UTF-8", 400},
		{"/layers/initiatives.geojson?title=%FF", "title has a NUL character or bytes that are not UTF-8", 400},
		{"/layers/areas.geojson?code=1490%00", "code has a NUL character", 400},
		{"/layers/districts.geojson?kind=PRIORITY_AREA", "kind is fixed by the layer districts", 400},
		{"/layers/employers.geojson?indicator=unemployment&year=2024", `unknown parameter "indicator"`, 400},
		{"/tiles/areas/" + borasTile + ".mvt?limit=5", `unknown parameter "limit"`, 400},
		{"/layers/initiatives.geojson?area=1490-X99", `area: no area has the code "1490-X99"`, 400},
		{"/layers/initiatives.geojson?area=Initiative:1", `id "Initiative:1" is not an Area id`, 400},
		{"/layers/initiatives.geojson?organization=Area:1", `id "Area:1" is not an Employer or Association id`, 400},
		{"/layers/initiatives.geojson?organization=Employer:x", `malformed id "Employer:x"`, 400},
		{"/layers/areas.geojson?parent=Employer:1", `id "Employer:1" is not an Area id`, 400},
		{"/layers/areas.geojson?indicator=unemployment", "year is required with indicator", 400},
		{"/layers/areas.geojson?year=2024", "year is only meaningful with indicator", 400},
		{"/layers/areas.geojson?indicator=happiness&year=2024", `indicator: unknown indicator "happiness"`, 400},
		{"/layers/areas.geojson?indicator=unemployment&year=3000", "year must be between 1800 and 2200, got 3000", 400},
		{"/layers/areas.geojson?zoom=11&simplify=10", "give zoom or simplify, not both", 400},
		{"/layers/areas.geojson?zoom=23", "zoom must be between 0 and 22, got 23", 400},
		{"/layers/areas.geojson?simplify=-1", "simplify must be between 0 and 100000 metres", 400},
		{"/layers/areas.geojson?precision=16", "precision must be between 0 and 15, got 16", 400},
		{"/layers/areas.geojson?limit=10001", "limit must be between 0 and 10000, got 10001", 400},
		{"/layers/areas.geojson?limit=-1", "limit must be between 0 and 10000, got -1", 400},
		{"/layers/areas.geojson?limit=ten", `limit: want an integer, got "ten"`, 400},
		{"/layers/areas.geojson?offset=-1", "offset must be between 0 and", 400},
		{"/layers/areas.geojson?after=xyz", `after: malformed cursor "xyz": pass a cursor exactly as the API returned it`, 400},
		{"/layers/areas.geojson?after=aToxOQ&offset=2", "give offset or after, not both", 400},
		{"/layers/areas.geojson?after=aToxOQ&after=aToxOQ", "after is given 2 times", 400},
		// A cursor of a list nearest first ("n:5:1") in a list by id.
		{"/layers/areas.geojson?after=bjo1OjE", "the cursor is from a list nearest first", 400},
		{"/layers/areas.geojson?name=a&name=b", "name is given 2 times; give it once", 400},
		{"/tiles/areas/23/0/0.mvt", `z must be an integer between 0 and 22, got "23"`, 400},
		{"/tiles/areas/2/4/0.mvt", `x must be an integer between 0 and 3 at zoom 2, got "4"`, 400},
		{"/tiles/areas/2/0/-1.mvt", `y must be an integer between 0 and 3 at zoom 2, got "-1"`, 400},
		{"/tiles/areas/z/0/0.mvt", `z must be an integer`, 400},
		{"/tiles/areas/1/0/0.png", "no such address", 404},
		{"/layers/areas.json", "no such address", 404},
		{"/layers/", "no such address", 404},
	}
	for _, tc := range cases {
		r := c.get(tc.path)
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Errorf("%s: %d, body not JSON: %s", tc.path, r.status, r.body)
			continue
		}
		wantCode := "BAD_USER_INPUT"
		if tc.status == 404 {
			wantCode = "NOT_FOUND"
		}
		if r.status != tc.status || body.Error.Code != wantCode || !strings.Contains(body.Error.Message, tc.want) {
			t.Errorf("%s: %d %+v, want %d %s with %q", tc.path, r.status, body.Error, tc.status, wantCode, tc.want)
		}
		if r.header.Get("Content-Type") != "application/json" || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", tc.path, r.header)
		}
	}
	if r := c.do(http.MethodPost, "/layers/areas.geojson"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", r.status)
	}
	// A cache-buster is no filter and no error.
	if r := c.get("/layers/areas.geojson?_=1700000000"); r.status != http.StatusOK {
		t.Errorf("cache-buster: %d %s", r.status, r.body)
	}
}

func testStoreCallsAreBounded(t *testing.T, c *client) {
	calls := func(path string) int {
		// The first request for a kind of area reads all of them once, to
		// simplify their outlines together (db/outline); what is counted
		// is what every request costs after that.
		c.get(path)
		c.store.Reset()
		if r := c.get(path); r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		return c.store.Reset()
	}
	for _, pair := range [][2]string{
		{"/layers/areas.geojson?limit=1&indicator=unemployment&year=2024", "/layers/areas.geojson?limit=100&indicator=unemployment&year=2024"},
		{"/layers/initiatives.geojson?limit=1", "/layers/initiatives.geojson?limit=100"},
		{"/layers/initiatives.geojson?limit=1&area=1490-P01", "/layers/initiatives.geojson?limit=100&area=1490-P01,1490-P03"},
		{"/layers/employers.geojson?limit=1", "/layers/employers.geojson?limit=100"},
		{"/tiles/municipalities/" + borasTile + ".mvt?indicator=unemployment&year=2024", "/tiles/areas/" + borasTile + ".mvt?indicator=unemployment&year=2024"},
		{"/tiles/initiatives/" + borasTile + ".mvt?title=language", "/tiles/initiatives/" + borasTile + ".mvt"},
	} {
		// Values of areas without their own roll up from the statistical
		// areas (db.ValuesOrDerived): two more reads for the whole page,
		// none when every area of it is measured.
		one, many := calls(pair[0]), calls(pair[1])
		if one > many || many > 6 {
			t.Errorf("store calls: %d for %s, %d for %s", one, pair[0], many, pair[1])
		}
	}
}

// golden compares got with testdata/name, or writes it with -update. Both
// backends compare against the same file, which pins that they agree.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update && strings.HasPrefix(t.Name(), "TestLayers/memory/") {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./layers -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./layers -update rewrites it after review):\n%s", name, firstDiff(got, want))
	}
}

func firstDiff(got, want []byte) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, g, w)
		}
	}
	return ""
}

func testGolden(t *testing.T, c *client) {
	r := c.get("/layers/priority-areas.geojson?indicator=unemployment&year=2024")
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// The body as served, bytes and all, with one feature to a line so
	// that a change reads as a diff of the features it touches.
	body := bytes.Replace(r.body, []byte(`"features":[`), []byte("\"features\":[\n"), 1)
	body = bytes.ReplaceAll(body, []byte(`},{"type":"Feature",`), []byte("},\n{\"type\":\"Feature\","))
	golden(t, "priority-areas.geojson", append(body, '\n'))

	ls := c.tile("/tiles/areas/" + borasTile + ".mvt?indicator=unemployment&year=2024")
	var out bytes.Buffer
	fmt.Fprintf(&out, "{\"tile\":%q,\"layers\":[\n", borasTile)
	for i, l := range ls {
		fmt.Fprintf(&out, "{\"name\":%q,\"version\":%d,\"extent\":%d,\"features\":[\n", l.Name, l.Version, l.Extent)
		for j, f := range l.Features {
			data, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			out.Write(data)
			if j < len(l.Features)-1 {
				out.WriteByte(',')
			}
			out.WriteByte('\n')
		}
		out.WriteString("]}")
		if i < len(ls)-1 {
			out.WriteByte(',')
		}
		out.WriteByte('\n')
	}
	out.WriteString("]}\n")
	if !json.Valid(out.Bytes()) {
		t.Fatalf("the decoded tile is not JSON:\n%s", out.Bytes())
	}
	golden(t, "tile-12-2195-1239.json", out.Bytes())
}

// failingStore fails every call with err.
type failingStore struct {
	db.Store
	err error
}

func (f failingStore) Areas(context.Context, db.AreaFilter, db.Page) (db.List[*db.Area], error) {
	return db.List[*db.Area]{}, f.err
}

func TestStoreErrors(t *testing.T) {
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	cases := []struct {
		err    error
		status int
		code   string
		msg    string
	}{
		{db.Errorf(db.EUNAVAILABLE, "the database is not reachable"), 503, "UNAVAILABLE", "the database is not reachable"},
		{db.Errorf(db.ENOTFOUND, "no such area"), 404, "NOT_FOUND", "no such area"},
		{errors.New(`pq: relation "area" does not exist`), 500, "INTERNAL", "internal error"},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), 503, "UNAVAILABLE", "the request took too long"},
	}
	for _, tc := range cases {
		logged.Reset()
		h := layers.New(failingStore{Store: storetest.Demo(t), err: tc.err}, log)
		for _, path := range []string{"/layers/areas.geojson", "/tiles/areas/" + borasTile + ".mvt", "/tiles/areas.json"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			if rec.Code != tc.status || body.Error.Code != tc.code || body.Error.Message != tc.msg {
				t.Errorf("%v on %s: %d %+v", tc.err, path, rec.Code, body.Error)
			}
		}
		if internal := tc.code == "INTERNAL"; internal != strings.Contains(logged.String(), "relation") {
			t.Errorf("%v: log %q", tc.err, logged.String())
		}
	}
}

// TestSuppressedValues shows that a value under its indicator's
// small-count rule never reaches a map.
func TestSuppressedValues(t *testing.T) {
	ds := demo.Dataset()
	for _, d := range ds.Indicators {
		if d.Code == "unemployment" {
			d.MinCount = 1_000_000
		}
	}
	s := memory.New()
	if err := s.Load(t.Context(), ds); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s)
	fc := c.features("/layers/priority-areas.geojson?indicator=unemployment&year=2024")
	for _, f := range fc.Features {
		if v, ok := f.Properties["unemployment"]; !ok || v != nil || f.Properties["suppressed"] != true {
			t.Errorf("%s: unemployment %v, suppressed %v", f.ID, v, f.Properties["suppressed"])
		}
	}
	for _, f := range c.tile("/tiles/priority-areas/" + borasTile + ".mvt?indicator=unemployment&year=2024")[0].Features {
		if _, ok := f.Properties["unemployment"]; ok || f.Properties["suppressed"] != true {
			t.Errorf("tile %v: %v", f.Properties["id"], f.Properties)
		}
	}
}

func benchmarkGet(b *testing.B, path string) {
	h := layers.New(storetest.Demo(b), nil)
	req := httptest.NewRequest(http.MethodGet, path, nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkTile(b *testing.B) {
	benchmarkGet(b, "/tiles/areas/"+borasTile+".mvt?indicator=unemployment&year=2024")
}

func BenchmarkFeatureCollection(b *testing.B) {
	benchmarkGet(b, "/layers/areas.geojson?indicator=unemployment&year=2024&zoom=11")
}

// BenchmarkFeatureCollectionDerived: the year the demo's areas above the
// statistical ones are rolled up for.
func BenchmarkFeatureCollectionDerived(b *testing.B) {
	benchmarkGet(b, "/layers/areas.geojson?indicator=unemployment&year=2025&zoom=11")
}
