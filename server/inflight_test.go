package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/server"
)

// blockingStore holds every Areas call until release is closed.
type blockingStore struct {
	db.Store
	entered chan struct{}
	release chan struct{}
}

func (s blockingStore) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	s.entered <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return s.Store.Areas(ctx, f, p)
}

// TestInFlightLimit: with MaxInFlight requests held by the store, one more
// to GraphQL or a map layer is shed at once with 503, Retry-After and
// UNAVAILABLE, while health stays answered; once they finish, requests
// are served again. Each request holds its body and parsed query, so this
// bound is what keeps the memory of requests in flight bounded.
func TestInFlightLimit(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			const limit = 3
			// entered has room for the requests after the held ones too.
			store := blockingStore{b.Open(t), make(chan struct{}, limit+4), make(chan struct{})}
			srv := httptest.NewServer(server.New(store, server.Config{MaxInFlight: limit}))
			t.Cleanup(srv.Close)
			query := `{"query":"{ areas { nodes { name } } }"}`

			var held sync.WaitGroup
			statuses := make(chan int, limit)
			for range limit {
				held.Go(func() { statuses <- postAs(t, srv.URL, grJSON, query).status })
			}
			for range limit {
				select {
				case <-store.entered:
				case <-time.After(10 * time.Second):
					t.Fatal("the held requests never reached the store")
				}
			}

			shed := postAs(t, srv.URL, grJSON, query)
			if shed.status != http.StatusServiceUnavailable || shed.header.Get("Retry-After") == "" ||
				len(shed.Errors) != 1 || shed.Errors[0].Extensions["code"] != db.EUNAVAILABLE {
				t.Errorf("GraphQL past the limit: %d %q, want 503 UNAVAILABLE with Retry-After", shed.status, shed.raw)
			}
			res, err := http.Get(srv.URL + "/layers/districts.geojson")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
				t.Errorf("a map layer past the limit: %d, want 503 with Retry-After", res.StatusCode)
			}
			if res, err := http.Get(srv.URL + "/healthz"); err != nil || res.StatusCode != http.StatusOK {
				t.Errorf("health past the limit: %v %v, want 200", res, err)
			} else {
				res.Body.Close()
			}

			close(store.release)
			held.Wait()
			close(statuses)
			for s := range statuses {
				if s != http.StatusOK {
					t.Errorf("a held request answered %d, want 200", s)
				}
			}
			// The slots are free again.
			if a := postAs(t, srv.URL, grJSON, query); a.status != http.StatusOK {
				t.Errorf("after the held requests: %d %q, want 200", a.status, a.raw)
			}
		})
	}
}
