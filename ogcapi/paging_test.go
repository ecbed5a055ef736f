package ogcapi_test

import (
	"net/url"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/paulmach/orb"
)

// TestPagingUnderWrites walks collections along their next links, and back
// along their prev links, while a feature already handed out is deleted
// and another added between the pages: each feature present throughout the
// walk comes exactly once. It walks the store's paging (by id, nearest
// first) and the scan of filters the store cannot apply (an interval, a
// CQL2 filter).
func TestPagingUnderWrites(t *testing.T) {
	walks := []struct{ name, query string }{
		{"by id", "limit=3"},
		{"nearest first", "limit=2&near=12.94,57.72,50000"},
		{"scanned", "limit=2&datetime=2000-01-01/..&filter=" + url.QueryEscape("status <> 'CANCELLED'")},
		{"scanned nearest first", "limit=2&near=12.94,57.72,50000&filter=" + url.QueryEscape("status <> 'CANCELLED'")},
	}
	for _, be := range storetest.Backends {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			store := be.Open(t)
			c := newClient(t, store)
			for _, w := range walks {
				for _, rel := range []string{"next", "prev"} {
					t.Run(w.name+" "+rel, func(t *testing.T) {
						c := &client{t: t, url: c.url}
						walkUnderWrites(t, c, store, "/collections/initiatives/items?"+w.query, rel)
					})
				}
			}
		})
	}
}

// walkUnderWrites follows rel links from the first page (next) or the last
// (prev), deleting the first feature of each of the first pages once it
// is handed out and adding one.
func walkUnderWrites(t *testing.T, c *client, store db.Store, path, rel string) {
	ctx := t.Context()
	actor := db.Actor{ID: "key:ogcapi-test", Role: db.RoleAdmin}
	before, matched := c.readAll(path)
	if len(before) < 6 || matched != len(before) {
		t.Fatalf("%s: %d features, %d matched; the walk proves little", path, len(before), matched)
	}
	if rel == "prev" {
		path = lastPage(t, c, path, before[len(before)-1].ID)
	}
	seen := map[string]int{}
	pages := 0
	for path != "" {
		var fc featureCollection
		c.getJSON(path, &fc)
		for _, f := range fc.Features {
			seen[f.ID]++
		}
		next, _ := linkOf(fc.Links, rel)
		if next == "" {
			break
		}
		u, err := url.Parse(next)
		want := map[string]string{"next": "after", "prev": "before"}[rel]
		if err != nil || u.Query().Has("offset") || u.Query().Get(want) == "" {
			t.Fatalf("%s link %q: want one with %s=", rel, next, want)
		}
		path = next
		if pages < 3 {
			// Between the pages: delete a feature already handed out,
			// which moves every offset after it, and add one.
			_, id, err := db.ParseGlobalID(fc.Features[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			ins, err := store.InitiativesByID(ctx, []int64{id})
			if err != nil || len(ins) != 1 || ins[0] == nil {
				t.Fatalf("initiative %d: %v", id, err)
			}
			if err := store.DeleteInitiative(ctx, actor, id, ins[0].Version); err != nil {
				t.Fatal(err)
			}
			if _, err := store.CreateInitiative(ctx, actor, &db.Initiative{Title: "Added meanwhile",
				Status: db.StatusPlanned, GoalArea: db.GoalGoodStart, Locations: []orb.Point{{12.94, 57.72}}}); err != nil {
				t.Fatal(err)
			}
		}
		if pages++; pages > 100 {
			t.Fatal("paging does not end")
		}
	}
	if pages < 3 {
		t.Errorf("%d pages; the walk proves little", pages+1)
	}
	for _, f := range before {
		if seen[f.ID] != 1 {
			t.Errorf("%s, present throughout or deleted once handed out, came %d times", f.ID, seen[f.ID])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s came %d times", id, n)
		}
	}
}

// lastPage follows next links from path, before any write, and returns
// the address of the last page, which must end with the feature last.
func lastPage(t *testing.T, c *client, path, last string) string {
	t.Helper()
	for pages := 0; pages < 100; pages++ {
		var fc featureCollection
		c.getJSON(path, &fc)
		next, ok := linkOf(fc.Links, "next")
		if !ok {
			if n := len(fc.Features); n == 0 || fc.Features[n-1].ID != last {
				t.Fatalf("the last page holds %v, want it to end with %s", ids(fc.Features), last)
			}
			return path
		}
		path = next
	}
	t.Fatal("paging does not end")
	return ""
}
