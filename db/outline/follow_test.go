package outline_test

import (
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/paulmach/orb"
)

// TestFeedDropsAChangedGroup: on each backend, a cache that follows the
// change feed drops the group of an area updated through the store as
// soon as the update is committed, so the next read of any of its areas,
// a neighbour unchanged by the write included, reads the group and
// simplifies it again. Without the feed that neighbour would be answered
// from the group held, and the group kept.
func TestFeedDropsAChangedGroup(t *testing.T) {
	ctx := t.Context()
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			c := outline.New(s, 0)
			c.Follow(ctx, s, nil)
			areas := statistical(t, s)
			changed, neighbour := areas[0], areas[1]
			before, err := c.Zoom(ctx, neighbour, 10)
			if err != nil {
				t.Fatal(err)
			}
			if n := c.Builds(); n != 1 {
				t.Fatalf("%d reads of the group, want 1", n)
			}
			patch := db.AreaPatch{Name: db.Set(changed.Name + " (renamed)")}
			if _, err := s.UpdateArea(ctx, db.Actor{ID: "key:t", Role: db.RoleAdmin}, changed.ID, changed.Version, patch); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(15 * time.Second)
			for c.Builds() < 2 {
				if time.Now().After(deadline) {
					t.Fatal("the group of the updated area was never dropped")
				}
				time.Sleep(10 * time.Millisecond)
				if _, err := c.Zoom(ctx, neighbour, 10); err != nil {
					t.Fatal(err)
				}
			}
			after, err := c.Zoom(ctx, neighbour, 10)
			if err != nil {
				t.Fatal(err)
			}
			if n := c.Builds(); n != 2 {
				t.Errorf("%d reads of the group, want 2: it is held again once read", n)
			}
			if !orb.Equal(before, after) {
				t.Errorf("the neighbour's outline changed with a write that only renamed another area")
			}
		})
	}
}

// TestForget: Forget drops the groups of the areas it names, and with no
// ids every group; the next read reads them again.
func TestForget(t *testing.T) {
	ctx := t.Context()
	s := stores(t)["memory"]
	c := outline.New(s, 0)
	areas := statistical(t, s)
	zoom := func() {
		t.Helper()
		if _, err := c.Zoom(ctx, areas[0], 10); err != nil {
			t.Fatal(err)
		}
	}
	zoom()
	c.Forget(-1)
	zoom()
	if n := c.Builds(); n != 1 {
		t.Fatalf("forgetting an area of no group dropped it: %d reads", n)
	}
	c.Forget(areas[len(areas)-1].ID)
	zoom()
	if n := c.Builds(); n != 2 {
		t.Fatalf("forgetting an area of the group kept it: %d reads", n)
	}
	c.Forget()
	zoom()
	if n := c.Builds(); n != 3 {
		t.Fatalf("forgetting everything kept the group: %d reads", n)
	}
}
