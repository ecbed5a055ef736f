// Package replica keeps an in-process copy of the areas of a database, in
// the area index (db/areaindex), so that AreasAt, AreasByID and the areas
// in a box are answered without a round trip. It is kept in step by a Feed, a small interface that
// delivers the areas' changes in commit order and a "caught up" token; the
// PostGIS backend implements it with LISTEN/NOTIFY (db/postgis/feed.go)
// and is its only user. The package knows no database: it imports neither
// a backend nor a driver.
package replica

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/areaindex"
)

// The area replica: AreasAt without a round trip.
//
// "Which areas is this point in" is the commonest question a map asks, and
// its answer needs nothing but the areas' outlines, which change seldom. A
// round trip to the database costs more than the whole answer computed in
// process, so a store keeps the areas in memory in an area index, as the
// embedded backend does, and answers AreasAt from them. The database stays
// the system of record: the replica is only ever a copy of what is
// committed, and it is never used unless it is known to be complete.
//
// Keeping in step. The replica follows a Feed: every change to the areas,
// in commit order, from the moment the feed is opened. It reads the full
// snapshot after the feed is open, so a change committed in between is in
// the snapshot or delivered after it, or both (applying a change twice is
// harmless: a fetch reads the current record).
//
// Reading one's own writes. A write in this process calls Sync after its
// commit. That announces a token of its own on the feed and waits until the
// feed has delivered it back: the feed delivers in commit order, so by then
// the replica has applied the write, which was committed before. A write
// from another process shows up as soon as its change has been applied, as
// it would on a read replica of the database.
//
// Never serve a copy that may have missed a change. The replica answers
// only while it is live: loaded, with its feed intact, and with a token of
// its own round-tripped through the feed since the last doubt. It stops
// answering, and AreasAt goes to the database, when
//   - the feed fails: it opens a new one and reads everything again before
//     it is live again (changes made while nobody followed are lost). Every
//     AreasAt asks the feed whether it is still up (Feed.Up), so a
//     connection known lost stops the answers from memory at once, not when
//     the follower has been scheduled to read the error;
//   - the store tells it that it doubts the database (Suspect: a connection
//     was lost or could not be had), which may have restarted or failed
//     over while the feed has not noticed yet; one round trip on the feed
//     shows whether it still works;
//   - a write's token cannot be announced or does not come back in time:
//     the write might be missing, so everything is read again;
//   - the feed cannot follow the areas yet (ErrNotReady): it never goes
//     live.
// A health check round-trips a token every HealthInterval while idle, so a
// feed that died without a word is found within seconds.
//
// The replica starts with the first AreasAt (or Wait), so commands that
// never ask (migrate, import, export) never read the areas; until it is
// live, AreasAt asks the database.
//
// Memory: the replica holds every area's outline once more, about 35 MB of
// resident memory for the national benchmark dataset (8,000 areas, 1.2
// million vertices; see bench/RESULTS.md), and reads it in a fraction of a
// second at start and after every reconnect.

// Feed is one session on the system of record's areas: their snapshot, and
// after it every change in commit order. The replica calls its methods
// from one goroutine, apart from Announce and Up, which any goroutine may
// call at any time.
type Feed interface {
	// Snapshot reads every area. Every change committed after the feed
	// was opened is delivered by Receive, whether the snapshot holds it or
	// not. ErrNotReady says the areas cannot be followed yet.
	Snapshot(ctx context.Context) ([]*db.Area, error)
	// Fetch reads the areas with the given ids as they are now; an id not
	// found was deleted.
	Fetch(ctx context.Context, ids []int64) ([]*db.Area, error)
	// Receive returns the changes delivered since the last call, in
	// commit order, waiting for one when there are none. It returns none
	// and no error when ctx ends first: the feed is still usable. An
	// error means the feed is lost.
	Receive(ctx context.Context) ([]Change, error)
	// Mark sends a token through the feed itself, to be delivered after
	// everything committed before it; it shows that the feed works. It
	// fails with ErrNotReady when the areas can no longer be followed.
	Mark(ctx context.Context, token string) error
	// Announce sends a token from the write side, on another connection,
	// to be delivered after everything committed before it.
	Announce(ctx context.Context, token string) error
	// Up reports, cheaply and without waiting, whether the feed may still
	// be working: false once it is known lost.
	Up() bool
	// Close ends the session.
	Close()
}

// Positioned is a Feed whose tokens also tell a position in the system of
// record's history (PostgreSQL's WAL position, a db.Consistency): every
// write committed at or before the position of a token is delivered
// before the token. A copy that has applied everything up to such a token
// holds every write at or before its position, which is how a read that
// must see a given write (one made through another server) knows whether
// the copy may answer it.
type Positioned interface {
	// Position is the position of a token this feed sent; false for any
	// other token.
	Position(token string) (uint64, bool)
}

// Dial opens a feed; the replica calls it again whenever a feed is lost.
type Dial func(ctx context.Context) (Feed, error)

// Change is one delivery of a feed: the areas with IDs changed, or every
// area may have (All), or a token sent with Mark or Announce came back:
// everything committed before it has been delivered.
type Change struct {
	IDs   []int64
	All   bool
	Token string
}

// ErrNotReady is a feed that cannot follow the areas yet (no table, or it
// cannot hear of every change); the replica waits and tries again.
var ErrNotReady = errors.New("the areas table or its change triggers are missing (run Migrate)")

// Timing of the replica.
const (
	// HealthInterval is how long the follower waits idle before it
	// round-trips a token to check its feed.
	HealthInterval = 5 * time.Second
	// RoundTrip bounds a token's round trip through the feed, and a
	// fetch of changed areas.
	RoundTrip = 5 * time.Second
	// SyncTimeout bounds how long a write waits for the replica to
	// apply it before it gives up and has everything read again.
	SyncTimeout = 5 * time.Second
	// RetryMin and RetryMax bound the wait between attempts to open a
	// feed.
	RetryMin = 50 * time.Millisecond
	RetryMax = 5 * time.Second
	// LoadRetry is how often a replica that cannot load yet (ErrNotReady)
	// tries again when nothing else wakes it.
	LoadRetry = 2 * time.Second
)

// Replica is the in-memory copy of the areas; see the comment above.
type Replica struct {
	dial Dial
	id   string // tells this replica's tokens from others'
	log  *slog.Logger

	startOnce sync.Once
	ctx       context.Context // ends with Close
	stop      context.CancelFunc
	done      chan struct{} // closed when the follower has ended

	// live says the replica may answer; read without a lock on every
	// AreasAt.
	live atomic.Bool
	// served counts the answers given from memory, doubts the times
	// Suspect stopped them.
	served, doubts atomic.Int64
	// position is how far the copy is known to hold the system of
	// record (see Positioned); 0 while unknown.
	position atomic.Uint64
	// feed is the open feed, asked on every AreasAt whether it is up; nil
	// when there is none.
	feed atomic.Pointer[Feed]

	// mu guards the copy itself.
	mu    sync.RWMutex
	areas map[int64]*db.Area
	index areaindex.Index

	// ctl guards the fields below, the hand-over between the follower and
	// everyone else.
	ctl sync.Mutex
	// listening is the feed that has read a snapshot, and so delivers
	// every change; nil when there is none. Writes announce their tokens
	// on it.
	listening Feed
	waiters   map[string]chan struct{} // tokens sent and not yet seen
	tokens    uint64
	// needVerify and needReload are what the follower has been asked to
	// do: a token round trip, or a full read.
	needVerify, needReload bool
	// wake interrupts the follower's wait for a change.
	wake context.CancelFunc
	// liveCh is closed while the replica is live, for Wait.
	liveCh chan struct{}
	// lastErr is why the replica is not live, for Wait and the log.
	lastErr error
	// loads counts full reads, for the tests.
	loads int
}

// New returns a replica that follows the feeds dial opens, logging to log
// (nil means slog.Default()). It starts with the first AreasAt or Wait.
func New(dial Dial, log *slog.Logger) *Replica {
	if log == nil {
		log = slog.Default()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	ctx, stop := context.WithCancel(context.Background())
	return &Replica{
		dial: dial, id: hex.EncodeToString(b[:]), log: log,
		ctx: ctx, stop: stop, done: make(chan struct{}),
		areas: map[int64]*db.Area{}, waiters: map[string]chan struct{}{}, liveCh: make(chan struct{}),
		lastErr: errors.New("not loaded yet"),
	}
}

// start launches the follower the first time the replica is needed, so
// that commands which never ask AreasAt (migrate, import, export) never
// read the areas into memory.
func (r *Replica) start() {
	r.startOnce.Do(func() { go r.run() })
}

// Close stops the follower and waits for it. A replica that never
// started closes done itself, so that it cannot start any more and a
// second Close finds done closed as after a run.
func (r *Replica) Close() {
	r.stop()
	r.startOnce.Do(func() { close(r.done) })
	<-r.done
}

// AreasAt answers from the copy as areaindex.Index.At does; ok is false
// when the replica is not live and the caller must ask the database. The
// records returned are the replica's own: the caller clones them before it
// hands them out, and never changes them.
func (r *Replica) AreasAt(pt orb.Point, kinds []db.AreaKind, on time.Time) (found []*db.Area, ok bool) {
	if !r.serving() {
		return nil, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	found = r.index.At(pt, kinds, on)
	r.served.Add(1)
	return found, true
}

// AreasInBox answers from the copy as areaindex.Index.InBox does: the
// areas whose outline meets b and that keep accepts, ascending by id; ok
// is false when the replica is not live. keep runs under the copy's read
// lock and must not call the replica. The records are the replica's own,
// as with AreasAt.
func (r *Replica) AreasInBox(b orb.Bound, keep func(*db.Area) bool) (found []*db.Area, ok bool) {
	if !r.serving() {
		return nil, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	found = r.index.InBox(b, keep)
	r.served.Add(1)
	return found, true
}

// Position is how far the copy is known to hold the system of record:
// every write committed at or before it has been applied. It is 0 while
// unknown, and grows with the tokens of a Positioned feed (its health
// checks, every HealthInterval while idle, and this process's writes).
// AreasAt answers only while the replica is live, whatever the position.
func (r *Replica) Position() uint64 { return r.position.Load() }

// AreasByID answers from the copy as the store's AreasByID does: one
// entry per id in input order, nil where no area has the id; ok is false
// when the replica is not live. The records are the replica's own, as
// with AreasAt.
func (r *Replica) AreasByID(ids []int64) (found []*db.Area, ok bool) {
	if !r.serving() {
		return nil, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	found = make([]*db.Area, len(ids))
	for i, id := range ids {
		found[i] = r.areas[id]
	}
	r.served.Add(1)
	return found, true
}

// serving reports whether the copy may answer now.
func (r *Replica) serving() bool {
	r.start()
	if !r.live.Load() {
		return false
	}
	// A feed known lost has stopped delivering, while its follower may not
	// have been scheduled yet to notice; the copy is not served a moment
	// longer.
	if f := r.feed.Load(); f != nil && !(*f).Up() {
		r.Suspect()
		return false
	}
	return true
}

// Served is the number of AreasAt, AreasByID and AreasInBox calls
// answered from memory.
func (r *Replica) Served() int64 { return r.served.Load() }

// Doubts is the number of times Suspect stopped a live replica.
func (r *Replica) Doubts() int64 { return r.doubts.Load() }

// setLiveLocked changes whether the replica answers; call with ctl held.
func (r *Replica) setLiveLocked(live bool, why error) {
	was := r.live.Swap(live)
	switch {
	case live && !was:
		close(r.liveCh)
		r.lastErr = nil
	case !live && was:
		r.liveCh = make(chan struct{})
	}
	if !live && why != nil {
		r.lastErr = why
	}
}

// wakeLocked interrupts the follower's wait; call with ctl held.
func (r *Replica) wakeLocked() {
	if r.wake != nil {
		r.wake()
		r.wake = nil
	}
}

// Suspect is told that a connection to the database was lost or could not
// be had: the feed may be broken too without knowing it yet. The replica
// stops answering until a token has come back through the feed.
func (r *Replica) Suspect() {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	if !r.live.Load() {
		return
	}
	r.doubts.Add(1)
	r.setLiveLocked(false, errors.New("a database connection was lost; checking the feed"))
	r.needVerify = true
	r.wakeLocked()
}

// invalidate stops answering until everything has been read again.
func (r *Replica) invalidate(why error) {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	r.setLiveLocked(false, why)
	r.needReload = true
	r.wakeLocked()
}

// newTokenLocked registers a token that the follower will report seeing
// by closing the channel; call with ctl held.
func (r *Replica) newTokenLocked() (string, chan struct{}) {
	r.tokens++
	token := r.id + ":" + strconv.FormatUint(r.tokens, 10)
	ch := make(chan struct{})
	r.waiters[token] = ch
	return token, ch
}

// seen reports a token of this replica back to whoever waits for it.
func (r *Replica) seen(token string) {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	if ch, ok := r.waiters[token]; ok {
		close(ch)
		delete(r.waiters, token)
	}
}

// forget stops waiting for a token, seen or not.
func (r *Replica) forget(token string) {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	delete(r.waiters, token)
}

// Sync waits until the replica has applied everything committed before
// the call; see "Reading one's own writes". A write calls it after its
// commit, before it returns to its caller: it returns once the replica
// holds the write, or is not live.
func (r *Replica) Sync(ctx context.Context) {
	r.ctl.Lock()
	f := r.listening
	if f == nil {
		// Nothing is followed: the replica is not live, and it reads
		// everything, this write included, before it is live again.
		r.ctl.Unlock()
		return
	}
	token, ch := r.newTokenLocked()
	r.ctl.Unlock()
	defer r.forget(token)

	ctx, cancel := context.WithTimeout(ctx, SyncTimeout)
	defer cancel()
	if err := f.Announce(ctx, token); err != nil {
		r.invalidate(fmt.Errorf("a write could not be confirmed: %v", err))
		return
	}
	select {
	case <-ch:
		// Seen, or the follower lost its feed and released every
		// waiter: either way the replica holds the write or is not live.
	case <-ctx.Done():
		r.invalidate(errors.New("a write was not confirmed in time"))
	}
}

// dropped is the follower losing its feed: nothing is live, and every
// write waiting for its token is let go (the next load reads it).
func (r *Replica) dropped(why error) {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	r.setLiveLocked(false, why)
	r.feed.Store(nil)
	r.listening = nil
	r.wake = nil
	for token, ch := range r.waiters {
		close(ch)
		delete(r.waiters, token)
	}
}

// Loads is how many times the replica has read every area.
func (r *Replica) Loads() int {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	return r.loads
}

// Wait blocks until the replica is live, ctx ends or the replica is
// closed, starting it if nothing has yet.
func (r *Replica) Wait(ctx context.Context) error {
	r.start()
	for {
		r.ctl.Lock()
		ch, why := r.liveCh, r.lastErr
		r.ctl.Unlock()
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("area replica not ready (%v): %w", why, ctx.Err())
		case <-r.ctx.Done():
			return errors.New("store closed")
		}
	}
}
