package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// nestedQuery is the nested query of the load benchmark (bench/queries.go):
// one area, a page of its initiatives, each with its lead and partners.
const nestedQuery = `query Area($id: ID!, $first: Int!) { area(id: $id) { id name initiatives(first: $first) { totalCount nodes ` +
	`{ id title status lead { id name } partners { role organization { id name } } } } } }`

// BenchmarkNestedQuery runs the nested query with pages of 50 through the
// whole handler over the embedded store, in process, on a synthetic
// dataset, taking turns over the areas that fill a page. The store answers
// it in one tree read (graph/tree.go).
func BenchmarkNestedQuery(b *testing.B) {
	s, ds := nestedStore(b)
	benchNested(b, s, ds)
}

// BenchmarkNestedQueryFieldByField is BenchmarkNestedQuery over a store
// without tree reads: the query answered field by field, as before them.
func BenchmarkNestedQueryFieldByField(b *testing.B) {
	s, ds := nestedStore(b)
	benchNested(b, withoutTrees{s}, ds)
}

// BenchmarkNestedQueryPostGIS is BenchmarkNestedQuery over PostGIS, with
// tree reads and without.
func BenchmarkNestedQueryPostGIS(b *testing.B) {
	ds := nestedDataset()
	s := storetest.PostGIS(b, pgtest.SchemaURL(b))
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	b.Run("tree", func(b *testing.B) { benchNested(b, s, ds) })
	b.Run("fieldByField", func(b *testing.B) { benchNested(b, withoutTrees{s}, ds) })
}

// withoutTrees is a store with its tree reads hidden.
type withoutTrees struct{ db.Store }

func nestedDataset() *db.Dataset {
	return synth.Generate(synth.Config{Seed: 1, StatisticalAreas: 400, Initiatives: 8000, Organizations: 1600})
}

func nestedStore(b *testing.B) (db.Store, *db.Dataset) {
	ds := nestedDataset()
	s := memory.New()
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	return s, ds
}

// benchNested serves the nested query over the areas of ds that fill a
// page from s, which holds ds.
func benchNested(b *testing.B, s db.Store, ds *db.Dataset) {
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
	// gives (a tree read answers it, graph/tree.go), as a JSON value
	// (PostGIS spells it its own way): a faster wrong answer is no gain.
	plain := graph.NewHandler(s, graph.HandlerConfig{DisableTreeReads: true, Log: slog.New(slog.DiscardHandler)})
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
		if !sameJSON(w.Body.Bytes(), want.Body.Bytes()) {
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

// sameJSON tells whether a and b hold the same JSON value.
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
