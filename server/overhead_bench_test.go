package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/obs"
	"github.com/areagraph/areagraph/server"
)

// BenchmarkRequestOverhead sends cheap GraphQL requests through the whole
// handler (ids, access log in JSON, metrics, CORS, headers, the in-flight
// bound, the timeout, gzip negotiation) over the embedded store with the
// demo: a query that reads nothing, and the point in area of the load
// benchmark. What is left of the first is the fixed cost of a request.
func BenchmarkRequestOverhead(b *testing.B) {
	s := memory.New()
	if err := s.Load(b.Context(), demo.Dataset()); err != nil {
		b.Fatal(err)
	}
	// The logger production makes (JSON when the output is no terminal).
	log, err := obs.NewLogger(io.Discard, obs.FormatJSON, slog.LevelInfo)
	if err != nil {
		b.Fatal(err)
	}
	h := server.New(s, server.Config{Log: log})
	for _, c := range []struct{ name, body string }{
		{"typename", `{"query":"{ __typename }"}`},
		{"areasAt", `{"query":"query At($lon: Float!, $lat: Float!) { areasAt(lon: $lon, lat: $lat) { id name kind code } }",` +
			`"variables":{"lon":12.93,"lat":57.72}}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(c.body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
