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
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// bboxQuery is the bbox query of the load benchmark (bench/queries.go):
// the areas meeting a box, with their outlines.
const bboxQuery = `query Box($b: BBox!) { areas(first: 1000, filter: {bbox: $b}) { totalCount nodes { id name kind geometry } } }`

// bboxSide is the side of the load benchmark's box at scale 1, in
// degrees: answers of about 87 KB.
const bboxSide = 0.42

// BenchmarkBBoxQuery runs the bbox query through the whole handler over
// the embedded store, in process, on the default synthetic dataset (the
// load benchmark's scale 1), over boxes drawn as the load benchmark draws
// them.
func BenchmarkBBoxQuery(b *testing.B) {
	ds := synth.Generate(synth.Config{Seed: 1})
	s := memory.New()
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	benchBBox(b, s, ds)
}

// BenchmarkBBoxQueryPostGIS is BenchmarkBBoxQuery over PostGIS, with the
// area replica live (as a server runs) and turned off.
func BenchmarkBBoxQueryPostGIS(b *testing.B) {
	ds := synth.Generate(synth.Config{Seed: 1})
	url := pgtest.SchemaURL(b)
	s := storetest.PostGIS(b, url)
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	b.Run("replica", func(b *testing.B) {
		if err := s.WaitReplica(b.Context()); err != nil {
			b.Fatal(err)
		}
		benchBBox(b, s, ds)
	})
	b.Run("sql", func(b *testing.B) {
		benchBBox(b, storetest.PostGIS(b, url+"&area_replica=off"), ds)
	})
}

// benchBBox serves the bbox query over 64 boxes in turn from s, which
// holds ds, reporting the answer's average size and the CPU time a
// request costs.
func benchBBox(b *testing.B, s db.Store, ds *db.Dataset) {
	sampler := synth.NewSampler(ds, 1)
	bodies := make([][]byte, 64)
	for i := range bodies {
		box := sampler.Box(bboxSide)
		bodies[i], _ = json.Marshal(map[string]any{"query": bboxQuery, "variables": map[string]any{"b": map[string]float64{
			"minLon": box.Min[0], "minLat": box.Min[1], "maxLon": box.Max[0], "maxLat": box.Max[1]}}})
	}
	h := server.New(s, server.Config{Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	serve := func(body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	// Every answer must be whole: a faster wrong answer is no gain.
	size := 0
	for _, body := range bodies {
		w := serve(body)
		var r response
		if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || len(r.Errors) > 0 || w.Code != http.StatusOK {
			b.Fatalf("status %d, errors %+v: %.500s", w.Code, r.Errors, w.Body.Bytes())
		}
		size += w.Body.Len()
	}
	b.ReportAllocs()
	start := cpuTime()
	i := 0
	for b.Loop() {
		serve(bodies[i%len(bodies)])
		i++
	}
	if start >= 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(size)/float64(len(bodies)), "B/answer")
}
