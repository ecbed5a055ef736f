package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"

	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/server"
)

// nestedQuery is the nested query of the load benchmark (bench/queries.go):
// one area, a page of its initiatives, each with its lead and partners.
const nestedQuery = `query Area($id: ID!, $first: Int!) { area(id: $id) { id name initiatives(first: $first) { totalCount nodes ` +
	`{ id title status lead { id name } partners { role organization { id name } } } } } }`

// BenchmarkNestedQuery runs the nested query with pages of 50 through the
// whole handler over the embedded store, in process, on a synthetic
// dataset, taking turns over the areas that fill a page.
func BenchmarkNestedQuery(b *testing.B) {
	ds := synth.Generate(synth.Config{Seed: 1, StatisticalAreas: 400, Initiatives: 8000, Organizations: 1600})
	s := memory.New()
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	count := map[int64]int{}
	for _, in := range ds.Initiatives {
		for _, a := range in.AreaIDs {
			count[a]++
		}
	}
	var busy []int64
	for id, n := range count {
		if n >= 50 {
			busy = append(busy, id)
		}
	}
	if len(busy) == 0 {
		b.Fatal("no area has 50 initiatives")
	}
	slices.Sort(busy)
	bodies := make([][]byte, len(busy))
	for i, id := range busy {
		bodies[i], _ = json.Marshal(map[string]any{"query": nestedQuery,
			"variables": map[string]any{"id": "Area:" + strconv.FormatInt(id, 10), "first": 50}})
	}
	h := server.New(s, server.Config{Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	serve := func(body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	// Every answer must be whole, and the one the field-by-field path
	// gives (a tree read answers it, graph/tree.go): a faster wrong
	// answer is no gain.
	plain := graph.NewHandler(s, graph.HandlerConfig{DisableTreeReads: true})
	for _, body := range bodies {
		w := serve(body)
		var r response
		if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || len(r.Errors) > 0 || w.Code != http.StatusOK {
			b.Fatalf("status %d, errors %+v: %s", w.Code, r.Errors, w.Body.Bytes())
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		want := httptest.NewRecorder()
		plain.ServeHTTP(want, req)
		if !bytes.Equal(w.Body.Bytes(), want.Body.Bytes()) {
			b.Fatalf("the answer differs from the field-by-field one:\n%s\n%s", w.Body.Bytes(), want.Body.Bytes())
		}
	}
	b.ReportAllocs()
	start := cpuTime()
	i := 0
	for b.Loop() {
		serve(bodies[i%len(bodies)])
		i++
	}
	// The CPU time of the process, collector and all goroutines included,
	// tells the cost of a request when other work shares the machine: a
	// server under load pays for every goroutine and every collection, and
	// wall time on a busy machine says little.
	if start >= 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}
