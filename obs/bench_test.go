package obs_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/areagraph/areagraph/obs"
)

// BenchmarkMiddleware is the fixed cost of watching a request: its id, the
// access log line (JSON, as in production, to a discarding writer) and
// its metrics, around a handler that does next to nothing, against the
// same handler bare.
func BenchmarkMiddleware(b *testing.B) {
	answer := []byte(`{"data":{"areasAt":[]}}`)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obs.SetGraphQL(r.Context(), "At", "ok")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	})
	mux := http.NewServeMux()
	mux.Handle("/graphql", next)
	run := func(b *testing.B, h http.Handler) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		w := &discard{h: http.Header{}}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			clear(w.h)
			h.ServeHTTP(w, req)
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, mux) })
	b.Run("observed", func(b *testing.B) {
		log, err := obs.NewLogger(io.Discard, obs.FormatJSON, slog.LevelInfo)
		if err != nil {
			b.Fatal(err)
		}
		run(b, obs.Middleware(mux, obs.Options{Log: log, Metrics: obs.NewMetrics()}))
	})
}

// discard is a ResponseWriter that keeps nothing, so the benchmark
// measures the middleware rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
