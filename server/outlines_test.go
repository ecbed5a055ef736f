package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbhook"
	"github.com/areagraph/areagraph/server"
)

// TestOutlinesFollowTheFeed: on every backend, the server's outline cache
// follows the change feed: once an area is updated through the store, the
// next simplified outline of another area of its kind reads their group
// again (a read of the store's areas more than an outline served from the
// group held), though the area asked for has not changed.
func TestOutlinesFollowTheFeed(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			var reads atomic.Int64
			hooked := dbhook.Wrap(s, func(_ context.Context, method string) func(error) {
				if method == "Areas" {
					reads.Add(1)
				}
				return nil
			})
			srv := httptest.NewServer(server.New(hooked, server.Config{Context: t.Context()}))
			t.Cleanup(srv.Close)
			l, err := s.Areas(t.Context(), db.AreaFilter{Kinds: []db.AreaKind{db.KindDistrict}}, db.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Items) < 2 {
				t.Fatalf("%d districts, want two", len(l.Items))
			}
			asked, changed := l.Items[0], l.Items[1]
			path := gqlPath(fmt.Sprintf(`{ area(code: %q) { geometry(zoom: 10) } }`, asked.Code))
			get := func() int64 {
				t.Helper()
				before := reads.Load()
				res, err := http.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s: %s %s", path, res.Status, body)
				}
				return reads.Load() - before
			}
			if get() == 0 {
				t.Fatal("the first simplified outline read no group")
			}
			held := get()
			patch := db.AreaPatch{Name: db.Set(changed.Name + " (renamed)")}
			if _, err := s.UpdateArea(t.Context(), db.Actor{ID: "key:t", Role: db.RoleAdmin}, changed.ID, changed.Version, patch); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(15 * time.Second)
			for get() <= held {
				if time.Now().After(deadline) {
					t.Fatalf("the districts were never read again after one was updated (%d reads a request)", held)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
