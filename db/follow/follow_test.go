package follow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/follow"
	"github.com/areagraph/areagraph/internal/storetest"
)

// A follower over real stores: what a subscriber gets is every change its
// filter passes, after the seq it names, in order, once, however the
// writes fall between its reads.

var cli = db.Actor{ID: "cli:operator", Role: db.RoleAdmin}

func rename(t *testing.T, s db.Store, id int64, name string) {
	t.Helper()
	a, err := s.AreasByID(t.Context(), []int64{id})
	if err != nil || a[0] == nil {
		t.Fatalf("area %d: %v", id, err)
	}
	if _, err := s.UpdateArea(t.Context(), cli, id, a[0].Version, db.AreaPatch{Name: db.Set(name)}); err != nil {
		t.Fatal(err)
	}
}

func next(t *testing.T, ch <-chan *db.Change) *db.Change {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("the channel was closed")
		}
		return c
	case <-time.After(20 * time.Second):
		t.Fatal("no change within 20 s")
	}
	return nil
}

func TestFollow(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			fl := follow.New(s, 2, nil)
			areas, err := s.Areas(t.Context(), db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}}, db.Page{Limit: 2})
			if err != nil || len(areas.Items) < 2 {
				t.Fatalf("areas: %v", err)
			}
			a, b := areas.Items[0].ID, areas.Items[1].ID
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()

			// From now: what was committed before is not sent.
			rename(t, s, a, "Before")
			live, err := fl.Follow(ctx, -1, db.ChangeFilter{Types: []string{db.TypeArea}})
			if err != nil {
				t.Fatal(err)
			}
			rename(t, s, b, "After")
			first := next(t, live)
			if first.ID != db.GlobalID(db.TypeArea, b) {
				t.Fatalf("got %+v, want the rename of %d", first, b)
			}

			// More than a page while nobody reads: the follower holds
			// nothing back, and sends them all, in order, once.
			n := follow.PageSize*2 + 17
			for i := range n {
				rename(t, s, []int64{a, b}[i%2], fmt.Sprintf("Name %d", i))
			}
			last := first.Seq
			for i := range n {
				c := next(t, live)
				if c.Seq <= last || c.Type != db.TypeArea {
					t.Fatalf("change %d: %+v after seq %d", i, c, last)
				}
				last = c.Seq
			}

			// Catching up from a seq: the same changes again, and then
			// the live ones.
			again, err := fl.Follow(ctx, first.Seq, db.ChangeFilter{Types: []string{db.TypeArea}})
			if err != nil {
				t.Fatal(err)
			}
			for range n {
				next(t, again)
			}
			rename(t, s, a, "Live")
			for _, ch := range []<-chan *db.Change{live, again} {
				if c := next(t, ch); c.Seq <= last || c.ID != db.GlobalID(db.TypeArea, a) {
					t.Errorf("live after catching up: %+v", c)
				}
			}

			// Bad arguments are refused at once.
			if _, err := fl.Follow(ctx, 0, db.ChangeFilter{Types: []string{"Planet"}}); db.ErrorCode(err) != db.EINVALID {
				t.Errorf("an unknown type: %v", err)
			}

			// The channel closes when the subscriber goes.
			cancel()
			for range live {
			}
		})
	}
}
