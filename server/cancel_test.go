package server_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/logtest"
	"github.com/areagraph/areagraph/obs"
	"github.com/areagraph/areagraph/server"
)

// holdingStore holds every Areas call until its caller's context ends,
// then makes the call on the real store with that context, so the
// backend's own answer to a cancelled context is what the server sees.
type holdingStore struct {
	db.Store
	entered chan struct{}
}

func (s holdingStore) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	s.entered <- struct{}{}
	<-ctx.Done()
	return s.Store.Areas(ctx, f, p)
}

// TestClientClosedRequest: a client that gives up mid-request is not a
// server failure. On every backend, a GraphQL query and a map layer
// whose clients hang up while the store works are logged at INFO with
// 499, and counted as 499 and canceled, never as 503 or UNAVAILABLE.
func TestClientClosedRequest(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			store := holdingStore{b.Open(t), make(chan struct{}, 1)}
			var logs logtest.Buffer
			log, err := obs.NewLogger(&logs, obs.FormatJSON, slog.LevelDebug)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(server.New(store, server.Config{Log: log}))
			t.Cleanup(srv.Close)

			requests := []struct{ method, path, body string }{
				{http.MethodPost, "/graphql", `{"query":"query Names { areas { nodes { name } } }"}`},
				{http.MethodGet, "/layers/districts.geojson", ""},
			}
			for i, rq := range requests {
				ctx, cancel := context.WithCancel(t.Context())
				req, _ := http.NewRequestWithContext(ctx, rq.method, srv.URL+rq.path, strings.NewReader(rq.body))
				req.Header.Set("Content-Type", "application/json")
				done := make(chan error, 1)
				go func() {
					res, err := http.DefaultClient.Do(req)
					if err == nil {
						res.Body.Close()
					}
					done <- err
				}()
				select {
				case <-store.entered:
				case <-time.After(10 * time.Second):
					t.Fatalf("%s never reached the store", rq.path)
				}
				cancel()
				if err := <-done; !errors.Is(err, context.Canceled) {
					t.Fatalf("%s: the client got %v, want its own cancellation", rq.path, err)
				}
				waitFor(t, "the access log of "+rq.path, func() bool { return strings.Count(logs.String(), `"msg":"request"`) == i+1 })
			}

			for _, r := range logs.Records(t, "request") {
				if r["status"] != float64(499) || r["level"] != "INFO" {
					t.Errorf("access log %v, want status 499 at INFO", r)
				}
				if r["path"] == "/graphql" && r["outcome"] != "canceled" {
					t.Errorf("GraphQL outcome %v, want canceled", r["outcome"])
				}
			}
			for _, level := range []string{"WARN", "ERROR"} {
				if strings.Contains(logs.String(), fmt.Sprintf(`"level":%q`, level)) {
					t.Errorf("logged at %s:\n%s", level, logs.String())
				}
			}
			got := scrape(t, srv.URL, "areagraph_")
			for _, want := range []string{
				`areagraph_http_requests_total{code="499",layer="",route="/graphql"}`,
				`areagraph_http_requests_total{code="499",layer="other",route="/layers/{layer}.geojson"}`,
				`areagraph_graphql_requests_total{operation="Names",outcome="canceled"}`,
				`areagraph_store_call_duration_seconds_count{method="Areas",outcome="canceled"}`,
			} {
				if got[want] == "" {
					t.Errorf("no %s", want)
				}
			}
			for k := range got {
				if strings.Contains(k, "UNAVAILABLE") || strings.Contains(k, `code="503"`) {
					t.Errorf("counted as a failure: %s", k)
				}
			}
		})
	}
}
