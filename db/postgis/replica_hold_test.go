package postgis

import (
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

// holdReplica keeps s's area replica from applying the changes its feed
// delivers until release is called (or the test ends): every write of s
// then stays between its commit and the replica holding it. reached is
// closed once the replica waits on the hold, which is after a write's
// change has been committed and heard.
func holdReplica(t *testing.T, s *Store) (reached <-chan struct{}, release func()) {
	t.Helper()
	if s.areaFeeds == nil {
		t.Fatal("the store has no area replica")
	}
	h := &replicaHold{reached: make(chan struct{}), release: make(chan struct{})}
	s.areaFeeds.held.Store(h)
	var once sync.Once
	release = func() {
		once.Do(func() {
			s.areaFeeds.held.Store(nil)
			close(h.release)
		})
	}
	t.Cleanup(release)
	return h.reached, release
}

// TestReadsSkipAReplicaBehindAWrite: while one of the store's writes is
// between its commit and the area replica holding it, the store's area
// reads go to the database (the unsynced guard of fromMemory), so a
// caller sees the version written, not the one the replica still holds.
// The replica is held at that point, live and stale, for as long as the
// test reads.
func TestReadsSkipAReplicaBehindAWrite(t *testing.T) {
	ctx := t.Context()
	s := openAt(t, pgtest.SchemaURL(t))
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	waitLive(t, s)
	admin := db.Actor{ID: "cli:test", Role: db.RoleAdmin}
	a, err := s.CreateArea(ctx, admin, &db.Area{Code: "held", Name: "Before", Kind: db.KindDistrict,
		Geometry: orb.Polygon{{{30, 60}, {31, 60}, {31, 61}, {30, 61}, {30, 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	pt := orb.Point{30.5, 60.5}
	if got, mem := fromMemory(t, s, pt); !mem || len(got) != 1 || got[0].Name != "Before" {
		t.Fatalf("before the write: %v (from memory: %v), want [Before] from memory", areaNames(got), mem)
	}

	reached, release := holdReplica(t, s)
	type result struct {
		a   *db.Area
		err error
	}
	done := make(chan result, 1)
	go func() {
		patch := a.Patch()
		patch.Name = db.Set("After")
		u, err := s.UpdateArea(ctx, admin, a.ID, a.Version, patch)
		done <- result{u, err}
	}()
	select {
	case <-reached:
	case r := <-done:
		t.Fatalf("the write returned (%v) before the replica applied it", r.err)
	case <-time.After(15 * time.Second):
		t.Fatal("the replica never heard of the write")
	}

	// The write has committed and waits for the replica, which is live
	// and holds the version before it: only the guard keeps it from
	// answering.
	if stale, ok := s.replica.AreasByID([]int64{a.ID}); !ok || stale[0] == nil || stale[0].Name != "Before" {
		t.Fatalf("the held replica is not the stale one the test needs (live: %v)", ok)
	}
	served := s.replica.Served()
	byID, err := s.AreasByID(ctx, []int64{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if byID[0] == nil || byID[0].Name != "After" || byID[0].Version == a.Version {
		t.Errorf("AreasByID while the replica is behind the write: %+v, want the written version", byID[0])
	}
	at, err := s.AreasAt(ctx, pt, nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(at) != 1 || at[0].Name != "After" {
		t.Errorf("AreasAt while the replica is behind the write: %v, want [After]", areaNames(at))
	}
	box := orb.Bound{Min: orb.Point{30.2, 60.2}, Max: orb.Point{30.8, 60.8}}
	inBox, err := s.Areas(ctx, db.AreaFilter{Spatial: db.Spatial{BBox: &box}}, db.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(inBox.Items) != 1 || inBox.Items[0].Name != "After" {
		t.Errorf("Areas in a box while the replica is behind the write: %v, want [After]", areaNames(inBox.Items))
	}
	if n := s.replica.Served() - served; n != 0 {
		t.Errorf("the replica answered %d reads while it was behind the store's write", n)
	}

	release()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got, mem := fromMemory(t, s, pt); !mem || len(got) != 1 || got[0].Name != "After" || got[0].Version != r.a.Version {
		t.Fatalf("once the replica holds the write: %v (from memory: %v), want [After] from memory", areaNames(got), mem)
	}
}
