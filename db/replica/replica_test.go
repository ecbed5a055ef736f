package replica

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// The replica against a feed in memory: what it needs of a feed, and
// nothing of a database. The PostGIS feed is tested with the store, in
// db/postgis (replica_test.go).

// source is the system of record: areas, and the feeds open on it, which
// get every change in commit order.
type source struct {
	mu       sync.Mutex
	areas    map[int64]*db.Area
	feeds    []*memFeed
	notReady bool
	dials    int
}

func newSource(areas ...*db.Area) *source {
	s := &source{areas: map[int64]*db.Area{}}
	for _, a := range areas {
		s.areas[a.ID] = a
	}
	return s
}

func (s *source) dial(context.Context) (Feed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dials++
	f := &memFeed{src: s, ch: make(chan Change, 1024), lost: make(chan struct{})}
	s.feeds = append(s.feeds, f)
	return f, nil
}

// commit changes the areas and tells every feed.
func (s *source) commit(c Change, put ...*db.Area) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range c.IDs {
		delete(s.areas, id)
	}
	if c.All {
		clear(s.areas)
	}
	for _, a := range put {
		s.areas[a.ID] = a
		c.IDs = append(c.IDs, a.ID)
	}
	for _, f := range s.feeds {
		f.ch <- c
	}
}

func (s *source) last() *memFeed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.feeds[len(s.feeds)-1]
}

type memFeed struct {
	src  *source
	ch   chan Change
	lost chan struct{}
	once sync.Once
}

var errLost = errors.New("feed lost")

func (f *memFeed) lose() { f.once.Do(func() { close(f.lost) }) }

func (f *memFeed) isLost() bool {
	select {
	case <-f.lost:
		return true
	default:
		return false
	}
}

func (f *memFeed) Snapshot(context.Context) ([]*db.Area, error) {
	f.src.mu.Lock()
	defer f.src.mu.Unlock()
	if f.isLost() {
		return nil, errLost
	}
	if f.src.notReady {
		return nil, ErrNotReady
	}
	return slices.Collect(maps.Values(f.src.areas)), nil
}

func (f *memFeed) Fetch(_ context.Context, ids []int64) ([]*db.Area, error) {
	f.src.mu.Lock()
	defer f.src.mu.Unlock()
	if f.isLost() {
		return nil, errLost
	}
	var out []*db.Area
	for _, id := range ids {
		if a := f.src.areas[id]; a != nil {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *memFeed) Receive(ctx context.Context) ([]Change, error) {
	var out []Change
	select {
	case c := <-f.ch:
		out = append(out, c)
	case <-f.lost:
		return nil, errLost
	case <-ctx.Done():
		return nil, nil
	}
	for {
		select {
		case c := <-f.ch:
			out = append(out, c)
		default:
			return out, nil
		}
	}
}

func (f *memFeed) Mark(_ context.Context, token string) error {
	if f.isLost() {
		return errLost
	}
	f.ch <- Change{Token: token}
	return nil
}

func (f *memFeed) Announce(_ context.Context, token string) error {
	f.src.commit(Change{Token: token})
	return nil
}

func (f *memFeed) Up() bool { return !f.isLost() }

func (f *memFeed) Close() {
	f.src.mu.Lock()
	defer f.src.mu.Unlock()
	f.src.feeds = slices.DeleteFunc(f.src.feeds, func(g *memFeed) bool { return g == f })
}

func square(id int64, kind db.AreaKind, x, y, d float64) *db.Area {
	return &db.Area{ID: id, Kind: kind, Name: "v1",
		Geometry: orb.Polygon{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
}

func waitLive(t *testing.T, r *Replica) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := r.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

// at asks the replica and wants an answer from memory with the ids want.
func at(t *testing.T, r *Replica, pt orb.Point, want ...int64) []*db.Area {
	t.Helper()
	found, ok := r.AreasAt(pt, nil, time.Time{})
	if !ok {
		t.Fatalf("at %v: not answered from memory", pt)
	}
	var got []int64
	for _, a := range found {
		got = append(got, a.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("at %v: %v, want %v", pt, got, want)
	}
	return found
}

// TestFollowsTheFeed: the replica goes live on a snapshot, a write that
// calls Sync is in the answers as soon as Sync returns, All reads
// everything again, a doubt costs a round trip and no load, and a lost
// feed stops the answers at once and is opened again.
func TestFollowsTheFeed(t *testing.T) {
	src := newSource(square(1, db.KindMunicipality, 0, 0, 10))
	r := New(src.dial, nil)
	defer r.Close()
	waitLive(t, r)
	pt := orb.Point{1, 1}
	at(t, r, pt, 1)

	// Writes of this process: in the answers once Sync returns.
	src.commit(Change{}, square(2, db.KindStatisticalArea, 0, 0, 2))
	r.Sync(t.Context())
	at(t, r, pt, 2, 1)
	moved := square(2, db.KindStatisticalArea, 5, 5, 2)
	moved.Name = "v2"
	src.commit(Change{}, moved)
	r.Sync(t.Context())
	at(t, r, pt, 1)
	if got := at(t, r, orb.Point{6, 6}, 2, 1); got[0].Name != "v2" {
		t.Fatalf("moved area: %q, want v2", got[0].Name)
	}
	src.commit(Change{IDs: []int64{1}})
	r.Sync(t.Context())
	at(t, r, orb.Point{6, 6}, 2)

	loads := r.Loads()
	src.commit(Change{All: true}, square(3, db.KindDistrict, 0, 0, 10))
	r.Sync(t.Context())
	at(t, r, orb.Point{6, 6}, 3)
	if r.Loads() != loads+1 {
		t.Errorf("All: %d loads, want %d", r.Loads(), loads+1)
	}

	// A doubt: not live until a token has been round the feed.
	doubts, loads := r.Doubts(), r.Loads()
	r.Suspect()
	if r.Doubts() != doubts+1 {
		t.Errorf("Suspect on a live replica: %d doubts, want %d", r.Doubts(), doubts+1)
	}
	waitLive(t, r)
	if r.Loads() != loads {
		t.Errorf("a doubt read everything again")
	}

	// A lost feed: no answer from memory from that moment, and a new
	// feed with a new load before the next.
	src.last().lose()
	if _, ok := r.AreasAt(pt, nil, time.Time{}); ok {
		t.Fatal("answered from memory on a lost feed")
	}
	waitLive(t, r)
	at(t, r, orb.Point{6, 6}, 3)
	if r.Loads() != loads+1 || src.dials != 2 {
		t.Errorf("after a lost feed: %d loads (want %d), %d dials (want 2)", r.Loads(), loads+1, src.dials)
	}
	served := r.Served()
	at(t, r, pt, 3)
	if r.Served() != served+1 {
		t.Errorf("Served counts %d, want %d", r.Served(), served+1)
	}
}

// TestNotReady: a feed that cannot follow the areas never makes the
// replica live.
func TestNotReady(t *testing.T) {
	src := newSource(square(1, db.KindMunicipality, 0, 0, 10))
	src.notReady = true
	r := New(src.dial, nil)
	defer r.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if err := r.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait: %v, want the deadline", err)
	}
	if _, ok := r.AreasAt(orb.Point{1, 1}, nil, time.Time{}); ok {
		t.Fatal("answered from memory while the feed is not ready")
	}
	// A write does not wait for a replica that follows nothing.
	r.Sync(t.Context())
}
