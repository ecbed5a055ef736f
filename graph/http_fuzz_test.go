package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/graph"
)

// FuzzGraphQLRequest sends anything as a GraphQL request, a POST body or
// a GET query string, through the handler over the demo: nothing panics;
// every answer is a JSON object; a refusal is a 4xx with errors that say
// what is wrong; no error is INTERNAL, since nothing a client sends is the
// server's failure.
func FuzzGraphQLRequest(f *testing.F) {
	post := func(body string) { f.Add(false, "application/json", "", []byte(body)) }
	get := func(q string) { f.Add(true, "", "", []byte(q)) }
	post(`{"query":"{ __typename }"}`)
	post(`{"query":"{ areas(first: 2) { totalCount edges { cursor node { id name kind } } pageInfo { endCursor } } }"}`)
	post(`{"query":"query Q($id: ID!) { node(id: $id) { id ... on Area { code } } }","variables":{"id":"Area:1"},"operationName":"Q"}`)
	post(`{"query":"query($k: [AreaKind!]) { areas(filter: {kinds: $k}, after: \"bzox\") { totalCount } }","variables":{"k":["district"]}}`)
	post(`{"query":"{ areasAt(lon: 12.94, lat: 57.72) { id } }"}`)
	post(`{"query":"{ a: __typename b: __typename ...F } fragment F on Query { __typename }"}`)
	post(`{"query":"mutation { deleteArea(id: \"Area:1\", version: 1) }"}`)
	post(`{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}}`)
	post(`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}`)
	post(`{"query":1}`)
	post(`{"query":"{ __typename }","variables":[]}`)
	post(`{"query":"{ __typename }","operationName":"nope"}`)
	post(`[{"query":"{ __typename }"}]`)
	post(`{"query":"{ __typename }"} {}`)
	post(`{"query":"{ areas(first: 99999) { totalCount } }"}`)
	post(`{"query":"{ indicators(fromYear: -2147483648) { code } }"}`)
	post(`{"query":"query($n: Int) { areas(first: $n) { totalCount } }","variables":{"n":1e308}}`)
	post(`{"query":"{ __schema { types { name } } }"}`)
	post("{\"query\":\"{ __typename \x00}\"}")
	post("{\"query\":\"\xff\"}")
	post(``)
	post(`null`)
	f.Add(false, "text/plain", "", []byte(`{"query":"{ __typename }"}`))
	f.Add(false, "application/json; charset=latin1", "", []byte(`{"query":"{ __typename }"}`))
	f.Add(false, "application/json", "text/html", []byte(`{"query":"{ __typename }"}`))
	f.Add(false, "application/json", "application/json;q=0.5, */*;q=0.1", []byte(`{"query":"{ __typename }"}`))
	get("query=%7B__typename%7D")
	get("query={areas(first:1){totalCount}}&variables={}")
	get("query=mutation{deleteArea(id:\"Area:1\",version:1)}")
	get("query={__typename}&variables=[1]")
	get("query=%zz")
	get("")
	get("extensions={\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"x\"}}")

	store := memory.New()
	if err := store.Load(context.Background(), demo.Dataset()); err != nil {
		f.Fatal(err)
	}
	h := graph.NewHandler(store, graph.HandlerConfig{})
	f.Fuzz(func(t *testing.T, viaGET bool, contentType, accept string, data []byte) {
		// The server puts a deadline on every request; so does this.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var req *http.Request
		if viaGET {
			req = httptest.NewRequestWithContext(ctx, http.MethodGet, "/graphql", nil)
			req.URL.RawQuery = string(data)
		} else {
			req = httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(data))
			req.Header.Set("Content-Type", contentType)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkGraphQLAnswer(t, req, rec)
	})
}

func checkGraphQLAnswer(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s %s: "+format+"\n%s", append([]any{req.Method, url.QueryEscape(req.URL.RawQuery)}, append(args, rec.Body.String())...)...)
	}
	if rec.Code >= 500 {
		fail("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "json") {
		fail("Content-Type %q", ct)
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		fail("the answer is not a JSON object: %v", err)
	}
	refused := rec.Code >= 400 || len(resp.Data) == 0 || string(resp.Data) == "null"
	if refused && len(resp.Errors) == 0 {
		fail("status %d without data and without errors", rec.Code)
	}
	if rec.Code >= 400 && rec.Code != http.StatusBadRequest && rec.Code != http.StatusMethodNotAllowed &&
		rec.Code != http.StatusNotAcceptable && rec.Code != http.StatusRequestEntityTooLarge &&
		rec.Code != http.StatusUnsupportedMediaType {
		fail("status %d is none of the refusals GraphQL over HTTP uses", rec.Code)
	}
	for _, e := range resp.Errors {
		if strings.TrimSpace(e.Message) == "" {
			fail("an error without a message")
		}
		if e.Extensions["code"] == "INTERNAL" {
			fail("an INTERNAL error")
		}
	}
}
