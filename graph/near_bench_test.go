package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// nearQuery is the nearest query of the load benchmark (bench/queries.go).
const nearQuery = `query Near($lon: Float!, $lat: Float!) { initiatives(first: 20, filter: {near: {lon: $lon, lat: $lat, radiusMeters: 1000}}) ` +
	`{ edges { distanceMeters node { id title status } } } }`

// BenchmarkNearQuery runs the nearest query through the whole handler over
// the embedded store, in process, on the default synthetic dataset (the
// load benchmark's scale 1), at points drawn as the load benchmark draws
// them, as a tree read (graph/tree.go) and field by field.
func BenchmarkNearQuery(b *testing.B) {
	ds := synth.Generate(synth.Config{Seed: 1})
	s := memory.New()
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	b.Run("tree", func(b *testing.B) { benchNear(b, s, ds) })
	b.Run("fieldByField", func(b *testing.B) { benchNear(b, withoutTrees{s}, ds) })
}

// BenchmarkNearQueryPostGIS is BenchmarkNearQuery over PostGIS.
func BenchmarkNearQueryPostGIS(b *testing.B) {
	ds := synth.Generate(synth.Config{Seed: 1})
	s := storetest.PostGIS(b, pgtest.SchemaURL(b))
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	b.Run("tree", func(b *testing.B) { benchNear(b, s, ds) })
	b.Run("fieldByField", func(b *testing.B) { benchNear(b, withoutTrees{s}, ds) })
}

// benchNear serves the nearest query at 64 points in turn from s, which
// holds ds, reporting the CPU time a request costs.
func benchNear(b *testing.B, s db.Store, ds *db.Dataset) {
	sampler := synth.NewSampler(ds, 1)
	bodies := make([][]byte, 64)
	for i := range bodies {
		p := sampler.NearLocation(1000)
		bodies[i], _ = json.Marshal(map[string]any{"query": nearQuery, "variables": map[string]any{"lon": p[0], "lat": p[1]}})
	}
	h := server.New(s, server.Config{Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	serve := func(h http.Handler, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	// Every answer must be whole and the field-by-field one: a faster
	// wrong answer is no gain.
	plain := graph.NewHandler(s, graph.HandlerConfig{DisableTreeReads: true, Log: slog.New(slog.DiscardHandler)})
	found := 0
	for _, body := range bodies {
		w := serve(h, body)
		var r response
		if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || len(r.Errors) > 0 || w.Code != http.StatusOK {
			b.Fatalf("status %d, errors %+v: %s", w.Code, r.Errors, w.Body.Bytes())
		}
		if !sameJSON(w.Body.Bytes(), serve(plain, body).Body.Bytes()) {
			b.Fatalf("the answer differs from the field-by-field one: %s", w.Body.Bytes())
		}
		found += bytes.Count(w.Body.Bytes(), []byte(`"node"`))
	}
	if found == 0 {
		b.Fatal("no initiative near any point")
	}
	b.ReportAllocs()
	start := cpuTime()
	i := 0
	for b.Loop() {
		serve(h, bodies[i%len(bodies)])
		i++
	}
	if start >= 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
}
