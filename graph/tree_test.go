package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbhook"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/logtest"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/paulmach/orb"
)

// Tree reads (graph/tree.go) must answer exactly as the field-by-field
// path does: the same bytes from the embedded store, the same JSON from
// PostGIS, the same status and errors, for every query the planner takes
// as a tree, and leave every other query alone.

// treeBase is where the fixture's ids start, above the demo's.
const treeBase = 900_000

// treeFixture has what the answers leave null, empty or escaped: an area
// with more initiatives than the largest page, one with none, initiatives
// without lead, partners, description or dates, and text with quotes,
// backslashes, control characters, <, >, &, U+2028 and non-Latin script.
func treeFixture() *db.Dataset {
	sq := func(x float64) orb.Polygon {
		return orb.Polygon{{{11 + x, 57}, {11.01 + x, 57}, {11.01 + x, 57.01}, {11 + x, 57.01}, {11 + x, 57}}}
	}
	day := func(y, m, d int) *time.Time { t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC); return &t }
	odd := "Ö \"q\" \\ <b>&amp; \t\n\r\x01\x1f\x7f \u2028\u2029 Örebro 東京 🚲"
	ds := &db.Dataset{
		Areas: []*db.Area{
			{ID: treeBase + 1, Code: "T1", Name: odd, Kind: db.KindMunicipality, Geometry: sq(0), Description: odd},
			{ID: treeBase + 2, Code: "T2", Name: "Empty", Kind: db.KindDistrict, ParentID: treeBase + 1, Geometry: sq(0)},
		},
	}
	for i := range 6 {
		o := &db.Organization{ID: treeBase + int64(i) + 1, Kind: db.OrgEmployer, Name: fmt.Sprintf("Org %d %s", i, odd)}
		if i%2 == 1 {
			o.Kind, o.Activity = db.OrgAssociation, "sport"
		}
		if i%3 == 0 {
			o.Website, o.OrgNumber = "https://example.org/?a=1&b=<2>", fmt.Sprintf("55600%d-0001", i)
		}
		ds.Organizations = append(ds.Organizations, o)
	}
	statuses := []db.InitiativeStatus{db.StatusPlanned, db.StatusActive, db.StatusCompleted, db.StatusCancelled}
	goals := []db.GoalArea{db.GoalGoodStart, db.GoalHousingLocal, db.GoalConditionsForWork}
	roles := []db.PartnerRole{db.RoleCoOrganiser, db.RoleFunder, db.RolePlacements, db.RoleMentors, db.RoleVenue, db.RoleOutreach}
	for i := range 1005 {
		in := &db.Initiative{ID: treeBase + int64(i) + 1, Title: fmt.Sprintf("Initiative %d", i),
			Status: statuses[i%4], GoalArea: goals[i%3], AreaIDs: []int64{treeBase + 1}}
		if i%2 == 0 {
			in.Title, in.Description = odd, fmt.Sprintf("about %d %s", i, odd)
		}
		if i%3 != 0 {
			in.StartDate = day(2020+i%5, 1+i%12, 1+i%28)
		}
		if i%4 == 1 {
			in.EndDate = day(2030, 12, 31)
		}
		if i%5 != 0 {
			in.LeadID = treeBase + int64(i%6) + 1
		}
		for j := range i % 4 {
			p := treeBase + int64((i+j+1)%6) + 1
			if p != in.LeadID && !slices.ContainsFunc(in.Partners, func(q db.Partner) bool { return q.OrganizationID == p }) {
				in.Partners = append(in.Partners, db.Partner{OrganizationID: p, Role: roles[(i+j)%6]})
			}
		}
		slices.SortFunc(in.Partners, func(a, b db.Partner) int { return int(a.OrganizationID - b.OrganizationID) })
		if i%10 == 0 {
			// A grid of 50 places some 30 by 55 m apart, two
			// initiatives at each: nearest first ties on distance.
			k := i / 20
			in.Locations = []orb.Point{{11.5 + 0.0005*float64(k%10), 57.5 + 0.0005*float64(k/10)}}
		}
		ds.Initiatives = append(ds.Initiatives, in)
	}
	return ds
}

// callLog records the store calls a request makes, by method.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) hook(_ context.Context, method string) func(error) {
	l.mu.Lock()
	l.calls = append(l.calls, method)
	l.mu.Unlock()
	return nil
}

func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.calls
	l.calls = nil
	return c
}

type treeAnswer struct {
	status int
	ctype  string
	body   []byte
}

func serveQuery(h http.Handler, ctx context.Context, q string, vars map[string]any) treeAnswer {
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return treeAnswer{w.Code, w.Header().Get("Content-Type"), w.Body.Bytes()}
}

// treeCase is a query of the corpus; tree says whether the planner is to
// take it as a tree that the store answers (a missing area is planned, but
// answered by the ordinary path).
type treeCase struct {
	name  string
	query string
	vars  map[string]any
	tree  bool
}

const (
	allFields = `query($id: ID!, $first: Int) { area(id: $id) { __typename id version code name kind description
		initiatives(first: $first) { totalCount nodes { __typename id version title description status startDate endDate goalArea
			lead { __typename id version name organizationNumber website }
			partners { __typename role organization { __typename id version name organizationNumber website } } } } } }`
	fragments = `query($id: ID!) { area(id: $id) { ...A } }
		fragment A on Area { id ... on Node { id } initiatives(first: 7) { ...C } }
		fragment C on InitiativeConnection { nodes { ...I ... on Initiative { status } } totalCount }
		fragment I on Initiative { title lead { ...O ... on Employer { name } ... on Association { name } }
			partners { organization { ... on Organization { id } ...O } role } }
		fragment O on Organization { __typename name ... on Node { id } }`
	aliases = `query Named($id: ID!) { place: area(id: $id) { key: id n: name name
		list: initiatives(first: 2) { count: totalCount items: nodes { t: title id: id boss: lead { who: name kind: __typename }
			partners { r: role o: organization { i: id } } } } } }`
)

func treeCorpus(busy, empty string) []treeCase {
	nested := map[string]any{"id": busy, "first": 50}
	withFirst := func(n any) map[string]any { return map[string]any{"id": busy, "first": n} }
	return []treeCase{
		{"nested", nestedQuery, nested, true},
		{"first 0", nestedQuery, withFirst(0), true},
		{"first 1", nestedQuery, withFirst(1), true},
		{"first 1000", nestedQuery, withFirst(1000), true},
		{"first over the cap", nestedQuery, withFirst(1001), false},
		{"first negative", nestedQuery, withFirst(-1), false},
		{"first not an int", nestedQuery, withFirst(1.5), false},
		{"all fields", allFields, withFirst(60), true},
		{"first null takes the default", allFields, withFirst(nil), true},
		{"first absent takes the default", allFields, map[string]any{"id": busy}, true},
		{"literal arguments", fmt.Sprintf(`{ area(id: %q) { name initiatives(first: 3, filter: null) { totalCount } } }`, busy), nil, true},
		{"variable default", `query($id: ID!, $n: Int = 2) { area(id: $id) { initiatives(first: $n) { nodes { id } } } }`,
			map[string]any{"id": busy}, true},
		{"fragments", fragments, map[string]any{"id": busy}, true},
		{"aliases", aliases, map[string]any{"id": busy}, true},
		{"no initiatives", allFields, map[string]any{"id": empty, "first": 5}, true},
		{"missing area", nestedQuery, map[string]any{"id": "Area:899999", "first": 5}, false},
		{"malformed id", nestedQuery, map[string]any{"id": "Area:01", "first": 5}, false},
		{"an id of another type", nestedQuery, map[string]any{"id": "Initiative:1", "first": 5}, false},
	}
}

// nearCorpus has the nearest initiatives roots: the load benchmark's
// query, and its edges.
func nearCorpus() []treeCase {
	const nearQuery = `query Near($lon: Float!, $lat: Float!, $r: Float! = 1000, $first: Int = 20) {
		initiatives(first: $first, filter: {near: {lon: $lon, lat: $lat, radiusMeters: $r}}) {
			edges { distanceMeters node { id title status } } } }`
	at := func(lon, lat float64, more ...any) map[string]any {
		v := map[string]any{"lon": lon, "lat": lat}
		for i := 0; i < len(more); i += 2 {
			v[more[i].(string)] = more[i+1]
		}
		return v
	}
	grid := at(11.5012, 57.5011)
	return []treeCase{
		{"near", nearQuery, grid, true},
		{"near first 0", nearQuery, at(11.5012, 57.5011, "first", 0), true},
		{"near first 1", nearQuery, at(11.5012, 57.5011, "first", 1), true},
		{"near first 1000", nearQuery, at(11.5012, 57.5011, "first", 1000), true},
		{"near first over the cap", nearQuery, at(11.5012, 57.5011, "first", 1001), false},
		{"near first null takes the default", nearQuery, at(11.5012, 57.5011, "first", nil), true},
		{"near ties on a place", nearQuery, at(11.5, 57.5, "first", 3), true},
		{"near radius 0 on a place", nearQuery, at(11.5, 57.5, "r", 0), true},
		{"near radius between places", nearQuery, at(11.5, 57.5, "r", 30), true},
		{"near nothing", nearQuery, at(20, 60), true},
		{"near the demo", nearQuery, at(12.94, 57.72, "r", 3000, "first", 50), true},
		{"near radius over the cap", nearQuery, at(11.5, 57.5, "r", 2e6), false},
		{"near radius negative", nearQuery, at(11.5, 57.5, "r", -1), false},
		{"near latitude out of range", nearQuery, at(11.5, 91), false},
		{"near all fields and aliases", `query($lon: Float!, $lat: Float!) {
			n: initiatives(first: 30, filter: {near: {radiusMeters: 2000, lat: $lat, lon: $lon}}) {
				all: nodes { __typename id version title description status startDate endDate goalArea }
				e: edges { d: distanceMeters x: node { __typename id version title description status startDate endDate goalArea } dd: distanceMeters }
				edges { distanceMeters } } }`, grid, true},
		{"near literal", `{ initiatives(first: 5, filter: {near: {lon: 11.5, lat: 57.5, radiusMeters: 100}}, after: null) { nodes { id } } }`, nil, true},
		{"near fragments", `query($lon: Float!, $lat: Float!) { initiatives(filter: {near: {lon: $lon, lat: $lat, radiusMeters: 500}}) { ...C } }
			fragment C on InitiativeConnection { edges { ...E } nodes { ... on Node { id } } }
			fragment E on InitiativeEdge { distanceMeters node { id } }`, grid, true},
		{"near with another filter", `query($lon: Float!, $lat: Float!) { initiatives(filter: {near: {lon: $lon, lat: $lat, radiusMeters: 500}, statuses: [ACTIVE]}) { nodes { id } } }`, grid, false},
		{"near filter in a variable", `query($f: InitiativeFilter) { initiatives(filter: $f) { nodes { id } } }`,
			map[string]any{"f": map[string]any{"near": map[string]any{"lon": 11.5, "lat": 57.5, "radiusMeters": 500}}}, false},
		{"near two node shapes", `query($lon: Float!, $lat: Float!) { initiatives(filter: {near: {lon: $lon, lat: $lat, radiusMeters: 500}}) { nodes { id } edges { node { title } } } }`, grid, false},
		{"near lead", `query($lon: Float!, $lat: Float!) { initiatives(filter: {near: {lon: $lon, lat: $lat, radiusMeters: 500}}) { nodes { lead { name } } } }`, grid, false},
		{"near cursor", `query($lon: Float!, $lat: Float!) { initiatives(filter: {near: {lon: $lon, lat: $lat, radiusMeters: 500}}) { edges { cursor } } }`, grid, false},
		{"near totalCount", `query($lon: Float!, $lat: Float!) { initiatives(filter: {near: {lon: $lon, lat: $lat, radiusMeters: 500}}) { totalCount } }`, grid, false},
		{"near after", `query($lon: Float!, $lat: Float!) { initiatives(after: "MQ", filter: {near: {lon: $lon, lat: $lat, radiusMeters: 500}}) { nodes { id } } }`, grid, false},
		{"initiatives without near", `{ initiatives(first: 3) { nodes { id } } }`, nil, false},
	}
}

// Queries outside the tree shapes: each is answered field by field, as
// before.
func untouchedCorpus(busy string) []treeCase {
	v := map[string]any{"id": busy}
	return []treeCase{
		{"geometry", `query($id: ID!) { area(id: $id) { id geometry } }`, v, false},
		{"bbox", `query($id: ID!) { area(id: $id) { bbox } }`, v, false},
		{"areaType", `query($id: ID!) { area(id: $id) { areaType } }`, v, false},
		{"children", `query($id: ID!) { area(id: $id) { children { nodes { id } } } }`, v, false},
		{"indicators", `query($id: ID!) { area(id: $id) { indicators { indicator { code } } } }`, v, false},
		{"filter", `query($id: ID!) { area(id: $id) { initiatives(filter: {statuses: [ACTIVE]}) { totalCount } } }`, v, false},
		{"last", `query($id: ID!) { area(id: $id) { initiatives(last: 2) { nodes { id } } } }`, v, false},
		{"after", `query($id: ID!) { area(id: $id) { initiatives(first: 2, after: "MQ") { nodes { id } } } }`, v, false},
		{"edges", `query($id: ID!) { area(id: $id) { initiatives { edges { cursor node { id } } } } }`, v, false},
		{"pageInfo", `query($id: ID!) { area(id: $id) { initiatives { pageInfo { hasNextPage } } } }`, v, false},
		{"connection typename", `query($id: ID!) { area(id: $id) { initiatives { __typename } } }`, v, false},
		{"include", `query($id: ID!) { area(id: $id) { id name @include(if: true) } }`, v, false},
		{"skip in a fragment", `query($id: ID!) { area(id: $id) { ...F } } fragment F on Area { id name @skip(if: false) }`, v, false},
		{"employer only", `query($id: ID!) { area(id: $id) { initiatives { nodes { lead { ... on Employer { industry } } } } } }`, v, false},
		{"name on one kind", `query($id: ID!) { area(id: $id) { initiatives { nodes { lead { ... on Employer { name } } } } } }`, v, false},
		{"a relation's relation", `query($id: ID!) { area(id: $id) { initiatives { nodes { lead { areas { id } } } } } }`, v, false},
		{"two root fields", `query($id: ID!) { area(id: $id) { id } __typename }`, v, false},
		{"two areas", `query($id: ID!) { a: area(id: $id) { id } b: area(id: $id) { id } }`, v, false},
		{"code", `{ area(code: "T1") { id name } }`, nil, false},
		{"introspection", `{ __schema { queryType { name } } }`, nil, false},
		{"updatedAt", `query($id: ID!) { area(id: $id) { updatedAt } }`, v, false},
	}
}

func TestTreeReadsAnswerAsFieldByField(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			if err := s.Load(t.Context(), treeFixture()); err != nil {
				t.Fatal(err)
			}
			_, reads := s.(db.TreeReader)
			if !reads {
				t.Logf("%s has no tree reads: the answers are compared, all of them field by field", b.Name)
			}
			var log callLog
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			trees := graph.NewHandler(dbhook.Wrap(s, log.hook), graph.HandlerConfig{Log: quiet})
			plain := graph.NewHandler(s, graph.HandlerConfig{Log: quiet, DisableTreeReads: true})
			busy, empty := db.GlobalID(db.TypeArea, treeBase+1), db.GlobalID(db.TypeArea, treeBase+2)
			// The demo's busiest area, as the load benchmark asks.
			if l, err := s.Areas(t.Context(), db.AreaFilter{}, db.Page{Limit: 1000}); err == nil {
				most := 0
				for _, a := range l.Items {
					n, err := s.InitiativesByArea(t.Context(), []int64{a.ID}, db.InitiativeFilter{}, db.Page{})
					if err == nil && n[0].Total > most && a.ID < treeBase {
						most, busy = n[0].Total, a.NodeID()
					}
				}
			}
			cases := append(treeCorpus(db.GlobalID(db.TypeArea, treeBase+1), empty), treeCorpus(busy, empty)[:4]...)
			cases = append(cases, untouchedCorpus(db.GlobalID(db.TypeArea, treeBase+1))...)
			cases = append(cases, nearCorpus()...)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					for range 2 { // planned, then from the plan cache
						log.take()
						got := serveQuery(trees, t.Context(), c.query, c.vars)
						calls := log.take()
						want := serveQuery(plain, t.Context(), c.query, c.vars)
						compareAnswers(t, b.Name, got, want)
						if tree := slices.Equal(calls, []string{"ReadTree"}); reads && tree != c.tree {
							t.Errorf("store calls %v; want a tree read alone: %v", calls, c.tree)
						}
						if !c.tree && slices.Contains(calls, "ReadTree") && !strings.Contains(c.name, "missing") {
							t.Errorf("store calls %v: not a tree, yet read as one", calls)
						}
					}
				})
			}
			t.Run("deadline", func(t *testing.T) {
				ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
				defer cancel()
				got := serveQuery(trees, ctx, nestedQuery, map[string]any{"id": busy, "first": 50})
				want := serveQuery(plain, ctx, nestedQuery, map[string]any{"id": busy, "first": 50})
				compareAnswers(t, b.Name, got, want)
				if !bytes.Contains(got.body, []byte("too long")) {
					t.Errorf("past its deadline: %s", got.body)
				}
			})
		})
	}
}

// compareAnswers holds a tree answer to the field-by-field one: byte for
// byte on the embedded store, as JSON values on PostGIS (whose text the
// contract does not fix).
func compareAnswers(t *testing.T, backend string, got, want treeAnswer) {
	t.Helper()
	if got.status != want.status || got.ctype != want.ctype {
		t.Errorf("status %d %s, want %d %s", got.status, got.ctype, want.status, want.ctype)
	}
	if bytes.Equal(got.body, want.body) {
		return
	}
	if backend == "memory" {
		t.Fatalf("answers differ:\ntree  %s\nplain %s", clip(got.body), clip(want.body))
	}
	var g, w any
	if err := json.Unmarshal(got.body, &g); err != nil {
		t.Fatalf("tree answer is not JSON: %v: %s", err, clip(got.body))
	}
	if err := json.Unmarshal(want.body, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("answers differ:\ntree  %s\nplain %s", clip(got.body), clip(want.body))
	}
}

func clip(b []byte) string {
	if len(b) > 3000 {
		return string(b[:3000]) + "…"
	}
	return string(b)
}

// downStore is a store whose database has gone away: its tree reads and
// the area lookups the field-by-field path starts with fail as PostGIS's
// do, with UNAVAILABLE, and it notes the calls that reach it.
type downStore struct {
	db.Store
	log callLog
}

var errDown = fmt.Errorf("%w (dial tcp 10.0.0.9:5432: connect: connection refused)",
	db.Errorf(db.EUNAVAILABLE, "database unavailable"))

func (s *downStore) ReadTree(ctx context.Context, _ *db.Tree, _ io.Writer) error {
	s.log.hook(ctx, "ReadTree")
	return errDown
}

func (s *downStore) AreasByID(ctx context.Context, _ []int64) ([]*db.Area, error) {
	s.log.hook(ctx, "AreasByID")
	return nil, errDown
}

// A tree read that fails because the database is away is answered as the
// field-by-field path answers that, and not tried again field by field:
// when the database hangs or its pool is spent, a second wait for it would
// double the time every such request holds its place, and the load on a
// pool that is shedding it.
func TestATreeReadOfAnAbsentDatabaseIsNotTriedTwice(t *testing.T) {
	s := &downStore{Store: storetest.Backends[0].Open(t)}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	trees := graph.NewHandler(s, graph.HandlerConfig{Log: quiet})
	plain := graph.NewHandler(s, graph.HandlerConfig{Log: quiet, DisableTreeReads: true})
	vars := map[string]any{"id": db.GlobalID(db.TypeArea, 1), "first": 5}
	for _, q := range []string{nestedQuery, `query($id: ID!) { place: area(id: $id) { name } }`} {
		got := serveQuery(trees, t.Context(), q, vars)
		if calls := s.log.take(); !slices.Equal(calls, []string{"ReadTree"}) {
			t.Errorf("store calls %v, want the tree read alone", calls)
		}
		want := serveQuery(plain, t.Context(), q, vars)
		s.log.take()
		compareAnswers(t, "memory", got, want)
		if !bytes.Contains(got.body, []byte(db.EUNAVAILABLE)) || bytes.Contains(got.body, []byte("refused")) {
			t.Errorf("answer %s", got.body)
		}
	}
}

// brokenTrees is a store whose tree reads fail with an error of their own
// (a statement the database refuses), all its other reads answering.
type brokenTrees struct{ db.Store }

func (brokenTrees) ReadTree(context.Context, *db.Tree, io.Writer) error {
	return errors.New(`postgis: tree: ERROR: syntax error at or near "$3" (SQLSTATE 42601)`)
}

// A tree read that fails for a reason of its own is answered field by
// field, and its error, which no client sees, goes to the log: a tree read
// that always fails must not pass for a slow but working one.
func TestATreeReadThatFailsIsLogged(t *testing.T) {
	s := brokenTrees{storetest.Backends[0].Open(t)}
	var logs logtest.Buffer
	trees := graph.NewHandler(s, graph.HandlerConfig{Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	plain := graph.NewHandler(s, graph.HandlerConfig{Log: slog.New(slog.DiscardHandler), DisableTreeReads: true})
	l, err := s.Initiatives(t.Context(), db.InitiativeFilter{}, db.Page{Limit: 1})
	if err != nil || len(l.Items) == 0 {
		t.Fatal(err)
	}
	vars := map[string]any{"id": db.GlobalID(db.TypeArea, l.Items[0].AreaIDs[0]), "first": 5}
	got := serveQuery(trees, t.Context(), nestedQuery, vars)
	compareAnswers(t, "memory", got, serveQuery(plain, t.Context(), nestedQuery, vars))
	if bytes.Contains(got.body, []byte("SQLSTATE")) || bytes.Contains(got.body, []byte(`"errors"`)) {
		t.Errorf("answer %s", got.body)
	}
	if logs.String() == "" {
		t.Fatal("nothing logged")
	}
	recs := logs.Records(t, "tree read failed; answered field by field")
	if len(recs) != 1 || !strings.Contains(fmt.Sprint(recs[0]["error"]), "42601") {
		t.Errorf("log %q", logs.String())
	}
}
