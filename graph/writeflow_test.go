package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/server"
	"github.com/paulmach/orb"
)

// TestMutationsRunInOrder sends several mutations in one request: they run
// one after the other, each seeing what the one before it wrote, and a
// payload shows records as the writes left them even where an earlier
// payload of the same request had read them.
func TestMutationsRunInOrder(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		parent := e.newArea(0)
		child := e.newArea(parent.ID)
		const doc = `mutation($child: ID!, $parent: ID!, $cv: Int!, $pv: Int!, $cv2: Int!) {
			first: updateArea(input: {id: $child, version: $cv, description: "one"}) { area { version parent { name } } }
			second: updateArea(input: {id: $parent, version: $pv, name: "Renamed parent"}) { area { version name } }
			third: updateArea(input: {id: $child, version: $cv2, description: "two"}) { area { version description parent { name } } }
		}`
		type payload struct {
			Area struct {
				Version     int64
				Name        string
				Description string
				Parent      struct{ Name string }
			}
		}
		var out struct{ First, Second, Third payload }
		e.admin().ok(doc, map[string]any{"child": child.NodeID(), "parent": parent.NodeID(),
			"cv": child.Version, "pv": parent.Version, "cv2": child.Version + 1}, &out)
		if out.First.Area.Parent.Name != "Test area" || out.Second.Area.Name != "Renamed parent" {
			t.Errorf("first two: %+v", out)
		}
		if out.Third.Area.Version != child.Version+2 || out.Third.Area.Description != "two" {
			t.Errorf("the third mutation did not see the first: %+v", out.Third)
		}
		if out.Third.Area.Parent.Name != "Renamed parent" {
			t.Errorf("the third payload shows the parent as %q, read before the second mutation renamed it", out.Third.Area.Parent.Name)
		}
		// A later mutation that fails does not undo the earlier ones, and
		// those after it still run.
		var partial struct {
			A, B, C *struct{ Area struct{ Version int64 } }
		}
		a := e.admin().do(`mutation($id: ID!, $v: Int!) {
			a: updateArea(input: {id: $id, version: $v, name: "A"}) { area { version } }
			b: updateArea(input: {id: $id, version: $v, name: "B"}) { area { version } }
			c: updateArea(input: {id: $id, version: 0, name: "C"}) { area { version } }
		}`, map[string]any{"id": parent.NodeID(), "v": parent.Version + 1})
		_ = json.Unmarshal(a.Data, &partial)
		if partial.A == nil || partial.B != nil || partial.C != nil || len(a.Errors) != 2 || a.code() != db.ECONFLICT {
			t.Errorf("a, then two stale versions: %s", a.raw)
		}
	})
}

// TestConcurrentUpdates sends two updates of one record naming the same
// version at the same time, over HTTP: one wins, the other is told that
// the record changed.
func TestConcurrentUpdates(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		for round := range 5 {
			in := e.newInitiative(0)
			codes := make([]string, 2)
			var wg sync.WaitGroup
			for i := range codes {
				c := e.as([]caller{editorKey, adminJWT}[i])
				wg.Go(func() {
					a := c.mutate("updateInitiative", map[string]any{"id": in.NodeID(), "version": in.Version,
						"title": fmt.Sprintf("Writer %d", i)}, "initiative { version }")
					codes[i] = a.code()
				})
			}
			wg.Wait()
			ok, conflict := 0, 0
			for _, c := range codes {
				switch c {
				case "":
					ok++
				case db.ECONFLICT:
					conflict++
				}
			}
			if ok != 1 || conflict != 1 {
				t.Errorf("round %d: outcomes %q, want one success and one CONFLICT", round, codes)
			}
			stored, err := e.store.InitiativesByID(t.Context(), []int64{in.ID})
			if err != nil {
				t.Fatal(err)
			}
			if stored[0].Version != in.Version+1 {
				t.Errorf("round %d: version %d, want %d", round, stored[0].Version, in.Version+1)
			}
		}
	})
}

type auditOut struct {
	Actor      string
	Action     string
	RecordType string
	RecordID   string `json:"recordId"`
	At         string
	Before     map[string]any
	After      map[string]any
}

// TestAuditLog writes with two keys and reads the log per record and per
// actor, newest first; editors may not read it.
func TestAuditLog(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		secretA, keyA := authtest.Key(t, e.store, db.RoleEditor)
		secretB, keyB := authtest.Key(t, e.store, db.RoleEditor)
		a, b := gql{t: t, url: e.url, token: secretA}, gql{t: t, url: e.url, token: secretB}

		var created struct{ Initiative struct{ ID string } }
		a.mutateOK("createInitiative", map[string]any{"title": "Audited", "status": "PLANNED", "goalArea": "GOOD_START_IN_LIFE"},
			"initiative { id }", &created)
		id := created.Initiative.ID
		b.mutateOK("updateInitiative", map[string]any{"id": id, "version": 1, "status": "ACTIVE"}, "initiative { id }", nil)
		a.mutateOK("updateInitiative", map[string]any{"id": id, "version": 2, "title": "Audited twice"}, "initiative { id }", nil)
		b.mutateOK("createEmployer", map[string]any{"name": "Audited employer"}, "employer { id }", nil)

		const doc = `query($record: ID, $actor: String, $first: Int, $after: String) {
			auditLog(recordId: $record, actor: $actor, first: $first, after: $after) {
				totalCount pageInfo { hasNextPage endCursor }
				edges { cursor node { actor action recordType recordId at before after } }
			}
		}`
		type page struct {
			AuditLog struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
				Edges []struct{ Node auditOut }
			}
		}
		var byRecord page
		e.admin().ok(doc, map[string]any{"record": id}, &byRecord)
		got := byRecord.AuditLog
		if got.TotalCount != 3 || len(got.Edges) != 3 {
			t.Fatalf("entries of %s: %+v", id, got)
		}
		want := []struct{ actor, action string }{{"key:" + keyA.ID, "UPDATE"}, {"key:" + keyB.ID, "UPDATE"}, {"key:" + keyA.ID, "CREATE"}}
		for i, w := range want {
			n := got.Edges[i].Node
			if n.Actor != w.actor || n.Action != w.action || n.RecordType != "Initiative" || n.RecordID != id {
				t.Errorf("entry %d: %+v, want %s by %s", i, n, w.action, w.actor)
			}
			if i > 0 && at(t, n.At).After(at(t, got.Edges[i-1].Node.At)) {
				t.Errorf("entry %d at %s is newer than entry %d at %s", i, n.At, i-1, got.Edges[i-1].Node.At)
			}
		}
		newest, oldest := got.Edges[0].Node, got.Edges[2].Node
		if newest.Before["title"] != "Audited" || newest.After["title"] != "Audited twice" || newest.After["status"] != "ACTIVE" {
			t.Errorf("newest entry: before %v, after %v", newest.Before, newest.After)
		}
		if oldest.Before != nil || oldest.After["id"] != id || oldest.After["version"] != 1.0 {
			t.Errorf("the create: before %v, after %v", oldest.Before, oldest.After)
		}

		// Per actor, page by page.
		var first, second page
		e.admin().ok(doc, map[string]any{"actor": "key:" + keyB.ID, "first": 1}, &first)
		if first.AuditLog.TotalCount != 2 || len(first.AuditLog.Edges) != 1 || !first.AuditLog.PageInfo.HasNextPage ||
			first.AuditLog.Edges[0].Node.RecordType != "Employer" {
			t.Errorf("B's first page: %+v", first.AuditLog)
		}
		e.admin().ok(doc, map[string]any{"actor": "key:" + keyB.ID, "first": 1, "after": first.AuditLog.PageInfo.EndCursor}, &second)
		if len(second.AuditLog.Edges) != 1 || second.AuditLog.PageInfo.HasNextPage || second.AuditLog.Edges[0].Node.RecordID != id ||
			second.AuditLog.Edges[0].Node.Action != "UPDATE" {
			t.Errorf("B's second page: %+v", second.AuditLog)
		}

		// Editors and readers may not read the log.
		for _, c := range []caller{editorKey, editorJWT, readerKey} {
			r := e.as(c).do(doc, map[string]any{"record": id})
			if r.code() != db.EFORBIDDEN || string(r.Data) != `{"auditLog":null}` {
				t.Errorf("%s: %s, want FORBIDDEN and no entries", c, r.raw)
			}
		}
		if r := a.do(doc, nil); r.code() != db.EFORBIDDEN {
			t.Errorf("editor key A: %s", r.raw)
		}
	})
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("DateTime %q: %v", s, err)
	}
	return v
}

// TestGETNeverRunsAMutation: GET is for queries, whatever the route a
// mutation takes to the server: its text, a parsed query cached from an
// earlier POST, or a persisted query's hash.
func TestGETNeverRunsAMutation(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		m := fmt.Sprintf(`mutation { createEmployer(input: {name: %q}) { employer { id } } }`, unique("Sent by GET"))
		get := func(params url.Values) answer {
			req, _ := http.NewRequest(http.MethodGet, e.url+"/graphql?"+params.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+e.tokens[adminKey])
			return send(t, req)
		}
		refused := func(how string, a answer) {
			t.Helper()
			if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "POST" || a.Data != nil {
				t.Errorf("%s: %d %s, want 405 with Allow: POST", how, a.status, a.raw)
			}
		}
		e.unchanged("GET with the text", func() { refused("text", get(url.Values{"query": {m}})) })

		// The parsed-query cache holds the mutation after a POST that was
		// refused for want of a token; a GET with a token still may not
		// run it.
		e.unchanged("GET after a POST", func() {
			if a := e.as(anonymous).do(m, nil); a.code() != db.EUNAUTHENTICATED {
				t.Fatalf("anonymous POST: %s", a.raw)
			}
			refused("cached", get(url.Values{"query": {m}}))
		})

		// The same through automatic persisted queries.
		ext := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, sha(m))
		e.unchanged("GET by hash", func() {
			b := fmt.Sprintf(`{"query":%q,"extensions":%s}`, m, ext)
			req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", strings.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			if a := send(t, req); a.code() != db.EUNAUTHENTICATED {
				t.Fatalf("anonymous POST with hash: %s", a.raw)
			}
			refused("persisted", get(url.Values{"extensions": {ext}}))
		})
		var orgs struct{ Employers struct{ TotalCount int } }
		e.admin().ok(`query($n: String!) { employers(filter: {nameContains: $n}) { totalCount } }`, map[string]any{"n": "Sent by GET"}, &orgs)
		if orgs.Employers.TotalCount != 0 {
			t.Errorf("%d employers made by GET", orgs.Employers.TotalCount)
		}
	})
}

// TestLimitsApplyToMutations: a mutation whose payload asks for too much
// is refused before it runs, so nothing is written.
func TestLimitsApplyToMutations(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			e := newWriteEnv(t, b.Open(t), server.Config{Limits: graph.Limits{MaxDepth: 7, MaxComplexity: 5000}})
			a := e.newArea(0)
			deep := `mutation($id: ID!, $v: Int!) { updateArea(input: {id: $id, version: $v, name: "Deep"}) {
				area { children { nodes { children { nodes { children { nodes { name } } } } } } } } }`
			wide := `mutation($id: ID!, $v: Int!) { updateArea(input: {id: $id, version: $v, name: "Wide"}) {
				area { children(first: 100) { nodes { initiatives(first: 100) { nodes { title } } } } } } }`
			firstTooLarge := `mutation($id: ID!, $v: Int!) { updateArea(input: {id: $id, version: $v, name: "Big"}) {
				area { children(first: 1001) { nodes { name } } } } }`
			for name, doc := range map[string]string{"depth": deep, "complexity": wide, "first": firstTooLarge} {
				e.unchanged(name, func() {
					r := e.admin().do(doc, map[string]any{"id": a.NodeID(), "v": a.Version})
					if r.code() != db.EINVALID || !strings.Contains(r.Errors[0].Message, name) || r.Data != nil {
						t.Errorf("%s: %s, want a BAD_USER_INPUT refusal naming the %s before anything runs", name, r.raw, name)
					}
				})
			}
			// Within the limits it runs.
			e.admin().ok(`mutation($id: ID!, $v: Int!) { updateArea(input: {id: $id, version: $v, name: "Fine"}) { area { children { nodes { name } } } } }`,
				map[string]any{"id": a.NodeID(), "v": a.Version}, nil)
		})
	}
}

// TestAuditLogOfImports reads through GraphQL what the imports leave in
// the log: an entry per area, and one per import of values with its file.
func TestAuditLogOfImports(t *testing.T) {
	importer := db.Actor{ID: "cli:importer", Role: db.RoleAdmin}
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		sq := orb.Polygon{{{12.90, 57.70}, {12.92, 57.70}, {12.92, 57.72}, {12.90, 57.72}, {12.90, 57.70}}}
		if _, err := e.store.UpsertAreas(t.Context(), importer, func(yield func(*db.AreaInput, error) bool) {
			yield(&db.AreaInput{Code: "1490X1", Name: "Imported", Kind: db.KindStatisticalArea, ParentCode: "1490", Geometry: sq}, nil)
		}); err != nil {
			t.Fatal(err)
		}
		file := db.ImportFile{Name: "values.csv", SHA256: strings.Repeat("ab", 32)}
		if _, err := e.store.UpsertIndicatorValues(t.Context(), importer, file, func(yield func(*db.ValueInput, error) bool) {
			yield(&db.ValueInput{AreaCode: "1490X1", IndicatorCode: "unemployment", Year: 2030, Sex: db.SexTotal, Value: 5}, nil)
		}); err != nil {
			t.Fatal(err)
		}
		var got struct {
			AuditLog struct{ Nodes []auditOut }
		}
		e.admin().ok(`query($actor: String) { auditLog(actor: $actor) { nodes { actor action recordType recordId at before after } } }`,
			map[string]any{"actor": importer.ID}, &got)
		n := got.AuditLog.Nodes
		if len(n) != 2 {
			t.Fatalf("entries by %s: %+v, want 2", importer.ID, n)
		}
		imp, area := n[0], n[1]
		if imp.RecordType != "ValueImport" || imp.RecordID != "ValueImport:"+file.SHA256 || imp.Action != "CREATE" ||
			imp.Before != nil || imp.After["file"] != "values.csv" || imp.After["added"] != 1.0 || imp.After["sha256"] != file.SHA256 {
			t.Errorf("the values' import: %+v", imp)
		}
		if area.RecordType != "Area" || area.Action != "CREATE" || area.After["code"] != "1490X1" {
			t.Errorf("the imported area: %+v", area)
		}
	})
}
