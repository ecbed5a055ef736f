package postgis

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

var feedActor = db.Actor{ID: "key:feed", Role: db.RoleAdmin}

// heard waits until ch announces at least seq.
func heard(t *testing.T, what string, ch <-chan int64, seq int64) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case got, ok := <-ch:
			if !ok {
				t.Fatalf("%s: the channel closed", what)
			}
			if got >= seq {
				return
			}
		case <-timeout:
			t.Fatalf("%s: %d never announced", what, seq)
		}
	}
}

// A write made through one store reaches the watchers of another on the
// same database: the two server instances of a deployment.
func TestChangesAcrossInstances(t *testing.T) {
	ctx := t.Context()
	url := pgtest.SchemaURL(t)
	a, b := openAt(t, url), openAt(t, url)
	if err := a.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	ch, err := b.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := a.CreateArea(ctx, feedActor, &db.Area{Code: "far", Name: "Far", Kind: db.KindDistrict,
		Geometry: dbtest.Fixture().Areas[1].Geometry})
	if err != nil {
		t.Fatal(err)
	}
	_, head, err := a.Heads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	heard(t, "the other instance", ch, head)
	got, err := b.Changes(ctx, head-1, db.ChangeFilter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != in.NodeID() || got[0].Seq != head {
		t.Errorf("the other instance reads %+v", got)
	}
}

// A listener that lost its connection connects again and announces what
// was committed meanwhile, which no notification told it.
func TestChangesListenerCut(t *testing.T) {
	ctx := t.Context()
	url := pgtest.SchemaURL(t)
	proxy, proxied := pgtest.NewProxy(t, url)
	s := openAt(t, proxied)
	writer := openAt(t, url)
	if err := writer.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	ch, err := s.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, head, err := writer.Heads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	heard(t, "the head on connecting", ch, head)

	proxy.Cut()
	for i := range 3 {
		if _, err := writer.CreateInitiative(ctx, feedActor, &db.Initiative{Title: fmt.Sprint("While cut ", i),
			Status: db.StatusPlanned, GoalArea: db.GoalConditionsForWork}); err != nil {
			t.Fatal(err)
		}
	}
	_, head, err = writer.Heads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	proxy.Restore()
	heard(t, "the head after the restore", ch, head)

	// And it listens again.
	if _, err := writer.CreateInitiative(ctx, feedActor, &db.Initiative{Title: "After",
		Status: db.StatusPlanned, GoalArea: db.GoalConditionsForWork}); err != nil {
		t.Fatal(err)
	}
	heard(t, "a write after the restore", ch, head+1)
}

// Close stops the listener and closes the watchers' channels with their
// contexts as ever.
func TestChangesListenerStopsOnClose(t *testing.T) {
	url := pgtest.SchemaURL(t)
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	ch, err := s.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	cancel()
	for range ch {
	}
}
