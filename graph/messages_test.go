package graph_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/server"
	"github.com/vektah/gqlparser/v2/ast"
)

// A refused request says what is wrong in the client's terms, not in the
// parser's: no "cannot use value 0 as Int" for 1e308, no "operation  not
// found" for a missing operationName.
func TestRequestErrorsSayWhatIsWrong(t *testing.T) {
	srv := httptest.NewServer(server.New(backends[0].Open(t), server.Config{}))
	t.Cleanup(srv.Close)
	const two = `query a { areas { totalCount } } query b { areas { totalCount } }`
	cases := []struct {
		name, body string
		says       []string
	}{
		{"an Int variable beyond any number", `{"query": "query($n: Int) { areas(first: $n) { totalCount } }", "variables": {"n": 1e308}}`,
			[]string{"variable $n", "not an Int", "whole number from -2147483648 to 2147483647"}},
		{"a fraction for an Int", `{"query": "query($n: Int) { areas(first: $n) { totalCount } }", "variables": {"n": 2.5}}`,
			[]string{"variable $n", "not an Int"}},
		{"an Int beyond any number inside an input", `{"query": "query($f: AreaFilter) { areas(filter: $f) { totalCount } }", "variables": {"f": {"areaTypes": [1, 1e308]}}}`,
			[]string{"variable $f.areaTypes[1]", "not an Int"}},
		{"a Float beyond any number", `{"query": "query($z: Float) { area(code: \"1490\") { geometry(zoom: $z) } }", "variables": {"z": 1e400}}`,
			[]string{"variable $z", "not a Float", "finite"}},
		{"a Date that is not on the calendar", `{"query": "query($d: Date) { areas(filter: {validAt: $d}) { totalCount } }", "variables": {"d": "2024-02-30"}}`,
			[]string{`"2024-02-30" is not a day of the calendar`}},
		{"a number for a Date", `{"query": "query($d: Date) { areas(filter: {validAt: $d}) { totalCount } }", "variables": {"d": 20240101}}`,
			[]string{"YYYY-MM-DD, got a number"}},
		{"a number for a Date in the query", `{"query": "{ areas(filter: {validAt: 20240101}) { totalCount } }"}`,
			[]string{"YYYY-MM-DD, got a number"}},
		{"no operationName for a document of two", fmt.Sprintf(`{"query": %q}`, two),
			[]string{"2 operations (a, b)", "operationName"}},
		{"an operationName the document lacks", fmt.Sprintf(`{"query": %q, "operationName": "c"}`, two),
			[]string{`operationName "c"`, "a, b"}},
		{"an operationName for a document of one unnamed query", `{"query": "{ areas { totalCount } }", "operationName": "c"}`,
			[]string{`operationName "c"`, "it holds one unnamed query: leave operationName out"}},
	}
	for _, c := range cases {
		res, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var r response
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, raw)
		}
		if r.code() != db.EINVALID {
			t.Errorf("%s: code %q (%+v), want %s", c.name, r.code(), r.Errors, db.EINVALID)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(r.Errors[0].Message, s) {
				t.Errorf("%s: message %q does not say %q", c.name, r.Errors[0].Message, s)
			}
		}
	}
}

// Every geometry a filter takes says how many vertices it may have.
func TestFilterGeometryLimitIsDocumented(t *testing.T) {
	schema := loadSchema(t)
	limit := fmt.Sprintf("%d,%03d vertices", graph.MaxQueryVertices/1000, graph.MaxQueryVertices%1000)
	n := 0
	for _, def := range schema.Types {
		if def.Kind != ast.InputObject {
			continue
		}
		for _, f := range def.Fields {
			if f.Type.Name() == "GeoJSON" && strings.HasSuffix(def.Name, "Filter") {
				n++
				if !strings.Contains(strings.Join(strings.Fields(f.Description), " "), limit) {
					t.Errorf("%s.%s does not say %q: %q", def.Name, f.Name, limit, f.Description)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("found no filter geometry")
	}
}
