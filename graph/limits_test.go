package graph_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
	"github.com/paulmach/orb"
)

// answer is a response with its status.
type answer struct {
	response
	status int
	header http.Header
	raw    string
}

// postAs posts body to /graphql accepting media.
func postAs(t *testing.T, base, media, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", media)
	return send(t, req)
}

func send(t *testing.T, req *http.Request) answer {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &a.response); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	return a
}

func body(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

// nested returns a query that nests children n times below areas.
func nested(n int) string {
	q := "name"
	for range n {
		q = "children(first: 2) { nodes { " + q + " } }"
	}
	return "{ areas { nodes { " + q + " } } }"
}

func TestLimitsRefuseBeforeTheStore(t *testing.T) {
	cases := []struct {
		name, query string
		vars        map[string]any
		says        string
	}{
		{"too deep", nested(5), nil, "depth limit of 12"},
		{"too complex", `{ areas(first: 100) { nodes { children(first: 100) { nodes { children(first: 100) { nodes { name } } } } } } }`,
			nil, "complexity limit of 250000"},
		{"too complex by default page sizes", `{ a: areas { nodes { children { nodes { initiatives { nodes { partners { organization { initiatives { nodes { title } } } } } } } } } } }`,
			nil, "complexity limit"},
		{"first beyond the cap, nested", `{ areas { nodes { initiatives(first: 1001) { totalCount } } } }`, nil, "first must be between 0 and 1000, got 1001"},
		{"first beyond the cap, in a variable", `query($n: Int) { initiatives(first: $n) { totalCount } }`, map[string]any{"n": 1001}, "first must be between 0 and 1000, got 1001"},
		// A large page is admitted for what it selects, not for its size:
		// nesting a list in each of a thousand items costs too much.
		{"a large page that nests lists", `{ areas(first: 1000) { nodes { id children(first: 100) { nodes { id name geometry } } } } }`, nil, "complexity limit"},
		{"negative first", `{ areas { nodes { children(first: -1) { totalCount } } } }`, nil, "got -1"},
		{"too deep through fragments", `{ areas { nodes { ...A } } }
			fragment A on Area { children { nodes { ...B } } }
			fragment B on Area { children { nodes { ...C } } }
			fragment C on Area { children { nodes { children { nodes { children { nodes { name } } } } } } }`, nil, "depth limit"},
	}
	cs := dbtest.NewCounting(storetest.Demo(t))
	srv := httptest.NewServer(server.New(cs, server.Config{}))
	defer srv.Close()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cs.Reset()
			a := postAs(t, srv.URL, grJSON, body(tc.query, tc.vars))
			if a.status != http.StatusBadRequest || a.code() != db.EINVALID || a.Data != nil {
				t.Fatalf("%d %s, want 400 BAD_USER_INPUT without data", a.status, a.raw)
			}
			if !strings.Contains(a.Errors[0].Message, tc.says) {
				t.Errorf("message %q does not say %q", a.Errors[0].Message, tc.says)
			}
			if n := cs.Reset(); n != 0 {
				t.Errorf("%d store calls for a refused query", n)
			}
		})
	}
	// The deepest and heaviest queries the limits admit still run.
	for _, q := range []string{nested(4), `{ areas(first: 100) { nodes { children(first: 100) { nodes { name } } } } }`,
		// A cheap selection of many outlines is one request.
		`{ areas(first: 1000, filter: {kinds: [STATISTICAL_AREA]}) { totalCount nodes { id name kind geometry } } }`} {
		if a := postAs(t, srv.URL, grJSON, body(q, nil)); a.status != http.StatusOK || len(a.Errors) > 0 {
			t.Errorf("%s: %d %s", q, a.status, a.raw)
		}
	}
}

// Spreading fragments into fragments doubles the fields at every step;
// measuring must not.
func TestComplexityOfFragmentFanOut(t *testing.T) {
	var q strings.Builder
	q.WriteString("{ areas(first: 1) { nodes { ...F0 } } }\n")
	const n = 40
	for i := range n {
		fmt.Fprintf(&q, "fragment F%d on Area { a: parent { ...F%d } b: parent { ...F%d } }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&q, "fragment F%d on Area { name }\n", n)
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{Limits: graph.Limits{MaxDepth: 100}}))
	defer srv.Close()
	a := postAs(t, srv.URL, grJSON, body(q.String(), nil))
	if a.status != http.StatusBadRequest || !strings.Contains(a.Errors[0].Message, "complexity limit") {
		t.Errorf("%d %s, want it refused for its complexity", a.status, a.raw)
	}
}

func TestLimitsAreConfigurable(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{Limits: graph.Limits{MaxDepth: 3, MaxComplexity: 10}}))
	defer srv.Close()
	for q, says := range map[string]string{
		`{ areas { nodes { parent { name } } } }`: "depth limit of 3",
		`{ areas { nodes { name } } }`:            "complexity limit of 10",
	} {
		a := postAs(t, srv.URL, grJSON, body(q, nil))
		if a.status != http.StatusBadRequest || len(a.Errors) == 0 || !strings.Contains(a.Errors[0].Message, says) {
			t.Errorf("%s: %d %s, want it refused by the %s", q, a.status, a.raw, says)
		}
	}
	if a := postAs(t, srv.URL, grJSON, body(`{ areas(first: 2) { nodes { name } } }`, nil)); a.status != http.StatusOK {
		t.Errorf("a query within the limits: %d %s", a.status, a.raw)
	}
}

func TestBodyLimit(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{Limits: graph.Limits{MaxBodyBytes: 64}}))
	defer srv.Close()
	big := body(`{ areas { nodes { name kind code areaType description } } }`, map[string]any{"padding": strings.Repeat("x", 100)})
	// With a Content-Length, and streamed without one.
	for name, r := range map[string]io.Reader{"sized": strings.NewReader(big), "streamed": io.MultiReader(strings.NewReader(big))} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", r)
		req.Header.Set("Content-Type", "application/json")
		a := send(t, req)
		if a.status != http.StatusRequestEntityTooLarge || a.code() != db.EINVALID || !strings.Contains(a.Errors[0].Message, "limit of 64 bytes") {
			t.Errorf("%s: %d %s, want 413 naming the limit", name, a.status, a.raw)
		}
	}
	if a := postAs(t, srv.URL, grJSON, typename); a.status != http.StatusOK {
		t.Errorf("a small body: %d %s", a.status, a.raw)
	}
}

// stuckStore never answers AreasAt: only the request's deadline ends it.
type stuckStore struct{ db.Store }

func (stuckStore) AreasAt(ctx context.Context, _ orb.Point, _ []db.AreaKind, _ time.Time) ([]*db.Area, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("query: %w", ctx.Err())
}

func TestTimeout(t *testing.T) {
	srv := httptest.NewServer(server.New(stuckStore{storetest.Demo(t)}, server.Config{Limits: graph.Limits{Timeout: 50 * time.Millisecond}}))
	defer srv.Close()
	a := postAs(t, srv.URL, grJSON, body(`{ areasAt(lon: 12.94, lat: 57.72) { name } }`, nil))
	if a.code() != db.EUNAVAILABLE || a.Errors[0].Message != "the request took too long" {
		t.Errorf("%d %s, want UNAVAILABLE: the request took too long", a.status, a.raw)
	}
	// It is a field error: execution had begun.
	if a.status != http.StatusOK {
		t.Errorf("status %d, want 200", a.status)
	}
}

func sha(q string) string {
	h := sha256.Sum256([]byte(q))
	return hex.EncodeToString(h[:])
}

func TestAutomaticPersistedQueries(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{}))
	defer srv.Close()
	const q = `{ area(code: "1490") { name } }`
	hashOnly := fmt.Sprintf(`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}}`, sha(q))
	withQuery := fmt.Sprintf(`{"query":%q,"extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}}`, q, sha(q))

	// The server does not know the hash yet: the client is told so, and
	// sends the query with it.
	a := postAs(t, srv.URL, appJSON, hashOnly)
	if a.status != http.StatusOK || a.code() != "PERSISTED_QUERY_NOT_FOUND" || a.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("unknown hash: %d %s", a.status, a.raw)
	}
	if a = postAs(t, srv.URL, grJSON, hashOnly); a.status != http.StatusBadRequest || a.Data != nil {
		t.Errorf("unknown hash under gr+json: %d %s, want 400 without data", a.status, a.raw)
	}
	if a = postAs(t, srv.URL, grJSON, withQuery); !strings.Contains(a.raw, "Borås") {
		t.Fatalf("query with its hash: %d %s", a.status, a.raw)
	}
	// From now on the hash is enough, by POST and by GET.
	if a = postAs(t, srv.URL, grJSON, hashOnly); !strings.Contains(a.raw, "Borås") {
		t.Errorf("known hash: %d %s", a.status, a.raw)
	}
	ext := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, sha(q))
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?extensions="+url.QueryEscape(ext), nil)
	if a = send(t, req); !strings.Contains(a.raw, "Borås") {
		t.Errorf("known hash by GET: %d %s", a.status, a.raw)
	}
	// A hash that is not the query's is refused.
	bad := fmt.Sprintf(`{"query":%q,"extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}}`, q, sha("other"))
	if a = postAs(t, srv.URL, grJSON, bad); a.status != http.StatusBadRequest || a.code() != db.EINVALID {
		t.Errorf("wrong hash: %d %s", a.status, a.raw)
	}
	// A mutation stored by POST cannot be run by GET through its hash.
	const m = `mutation { __typename }`
	postAs(t, srv.URL, grJSON, fmt.Sprintf(`{"query":%q,"extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}}`, m, sha(m)))
	ext = fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, sha(m))
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/graphql?extensions="+url.QueryEscape(ext), nil)
	if a = send(t, req); a.status != http.StatusMethodNotAllowed {
		t.Errorf("mutation by hash over GET: %d %s, want 405", a.status, a.raw)
	}
}

func TestPersistedQueriesOff(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{APQCacheSize: -1}))
	defer srv.Close()
	a := postAs(t, srv.URL, grJSON, fmt.Sprintf(`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":%q}}}`, sha("{ __typename }")))
	if a.status != http.StatusBadRequest || len(a.Errors) == 0 || a.Errors[0].Message != "PersistedQueryNotSupported" {
		t.Errorf("%d %s, want 400 PersistedQueryNotSupported", a.status, a.raw)
	}
}

func TestIntrospectionAndGraphiQLSwitches(t *testing.T) {
	const schemaQuery = `{ __schema { queryType { name } } }`
	graphiql := func(base string) bool {
		for _, path := range []string{"/", "/graphiql"} {
			res, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK && bytes.Contains(page, []byte(`id="graphiql"`)) {
				return true
			}
		}
		return false
	}

	on := httptest.NewServer(server.New(storetest.Demo(t), server.Config{}))
	defer on.Close()
	if a := postAs(t, on.URL, grJSON, body(schemaQuery, nil)); !strings.Contains(a.raw, `"Query"`) {
		t.Errorf("introspection on: %d %s", a.status, a.raw)
	}
	if !graphiql(on.URL) {
		t.Error("GraphiQL is not served by default")
	}

	off := httptest.NewServer(server.New(storetest.Demo(t), server.Config{DisableIntrospection: true, DisableGraphiQL: true}))
	defer off.Close()
	for _, q := range []string{schemaQuery, `{ __type(name: "Area") { name } }`, `{ a: area(code: "1490") { name } ...on Query { __schema { types { name } } } }`} {
		a := postAs(t, off.URL, grJSON, body(q, nil))
		if a.status != http.StatusBadRequest || a.code() != db.EINVALID || !strings.Contains(a.Errors[0].Message, "introspection is disabled") {
			t.Errorf("introspection off, %s: %d %s", q, a.status, a.raw)
		}
	}
	if a := postAs(t, off.URL, grJSON, body(`{ __typename area(code: "1490") { __typename name } }`, nil)); a.status != http.StatusOK || len(a.Errors) > 0 {
		t.Errorf("__typename with introspection off: %d %s", a.status, a.raw)
	}
	if graphiql(off.URL) {
		t.Error("GraphiQL is served though it is off")
	}
}
