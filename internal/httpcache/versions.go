// Package httpcache makes reads revalidate and repeat cheaply: it tags an
// answer with the data that answered it (the change feed's head of every
// record type the request can read, in memory), answers a client that
// holds the tag with 304 before any work is done, and keeps anonymous
// answers in a byte-bounded cache that a write to what they read retires.
// GraphQL (graph) tags its own answers, since only it knows which record
// types an operation reads; the map layers and OGC API go through Wrap.
package httpcache

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Heads is a snapshot of the change feed: the sequence number of the last
// change of each record type, and of the last change of any. It is never
// changed once made.
type Heads struct {
	byType map[string]int64
	last   int64
}

// NewHeads makes a snapshot; byType is kept, not copied.
func NewHeads(byType map[string]int64, last int64) *Heads {
	return &Heads{byType: byType, last: last}
}

// Last is the sequence number of the last change of any type.
func (h *Heads) Last() int64 { return h.last }

// Of is the head of one record type, 0 before its first change.
func (h *Heads) Of(typ string) int64 { return h.byType[typ] }

// Versions tells how far the data has moved, from memory, without asking
// the database: a request must cost no query to be tagged.
type Versions interface {
	// Heads is the latest snapshot, or nil when it is not known (the feed
	// is not followed yet, or was lost): then nothing is tagged or kept.
	Heads() *Heads
}

// Feed is what Follow needs of the change feed: db.ChangeFeed has it.
type Feed interface {
	// Heads reads the heads from the store.
	Heads(ctx context.Context) (map[string]int64, int64, error)
	// Watch sends the latest committed sequence number, coalesced, on
	// every change through any instance; it is closed when ctx ends.
	Watch(ctx context.Context) (<-chan int64, error)
}

// Tracker keeps the heads of a feed in memory: it reads them once, then
// again whenever Watch says a change was committed past them. It is
// Versions.
type Tracker struct {
	feed Feed
	log  *slog.Logger

	mu      sync.Mutex
	heads   *Heads
	changed chan struct{} // closed and replaced on every new snapshot
}

// After the feed failed, Follow subscribes again after retryFirst,
// doubling the wait up to retryMax while it keeps failing (a store without
// a feed is asked twice a minute, not every second); until then nothing is
// tagged.
const (
	retryFirst = time.Second
	retryMax   = 30 * time.Second
)

// Follow returns a Tracker of feed that follows it until ctx ends. Until
// its first snapshot, and whenever the feed is lost, Heads is nil.
func Follow(ctx context.Context, feed Feed, log *slog.Logger) *Tracker {
	if log == nil {
		log = slog.Default()
	}
	t := &Tracker{feed: feed, log: log, changed: make(chan struct{})}
	go t.run(ctx)
	return t
}

// Heads implements Versions.
func (t *Tracker) Heads() *Heads {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.heads
}

// Wait returns once the tracker holds a snapshot at or past seq, or ctx
// ends. Tests use it to know a write has been seen.
func (t *Tracker) Wait(ctx context.Context, seq int64) error {
	for {
		t.mu.Lock()
		h, ch := t.heads, t.changed
		t.mu.Unlock()
		if h != nil && h.last >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (t *Tracker) set(h *Heads) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.heads = h
	close(t.changed)
	t.changed = make(chan struct{})
}

func (t *Tracker) run(ctx context.Context) {
	wait := retryFirst
	for ctx.Err() == nil {
		if t.follow(ctx, wait == retryFirst) {
			wait = retryFirst
		} else {
			wait = min(2*wait, retryMax)
		}
		// Whatever ended the subscription, changes may have been missed:
		// tag nothing until the heads are read again.
		t.set(nil)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// follow subscribes, then reads the heads: in that order, so that no
// change committed between the two goes unseen. It reports whether it
// read them at least once; loud says whether a failure is logged (the
// first of a run of them is).
func (t *Tracker) follow(ctx context.Context, loud bool) bool {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seqs, err := t.feed.Watch(wctx)
	if err != nil {
		if loud {
			t.log.WarnContext(ctx, "the change feed cannot be watched: answers are not tagged or cached", "error", err)
		}
		return false
	}
	if !t.refresh(wctx, loud) {
		return false
	}
	for seq := range seqs {
		if h := t.Heads(); h != nil && seq <= h.last {
			continue
		}
		if !t.refresh(wctx, true) {
			return true
		}
	}
	if ctx.Err() == nil {
		t.log.WarnContext(ctx, "the change feed's watch ended: answers are not tagged or cached until it is back")
	}
	return true
}

func (t *Tracker) refresh(ctx context.Context, loud bool) bool {
	byType, last, err := t.feed.Heads(ctx)
	if err != nil {
		if ctx.Err() == nil && loud {
			t.log.WarnContext(ctx, "the change feed's heads cannot be read: answers are not tagged or cached", "error", err)
		}
		return false
	}
	if old := t.Heads(); old != nil && last < old.last {
		// A slower read overtaken by a newer one: keep the newer.
		return true
	}
	t.set(NewHeads(byType, last))
	return true
}

// sortedUnique sorts and dedupes types in place.
func sortedUnique(types []string) []string {
	slices.Sort(types)
	return slices.Compact(types)
}
