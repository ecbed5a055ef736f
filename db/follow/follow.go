// Package follow follows a store's change feed for one subscriber: the
// events after a sequence number first, then each as it is committed, in
// commit order, every one once. It is how db.ChangeFeed's notes on
// catching up are carried out, in one place for every subscription.
package follow

import (
	"context"
	"log/slog"

	"github.com/areagraph/areagraph/db"
)

// PageSize is how many events one read of the feed asks for.
const PageSize = 100

// DefaultReads is how many reads of the feed run at once for all
// subscribers together: a write wakes every subscription, and each reads
// the feed; a few at a time leave the store's connections to requests.
const DefaultReads = 4

// Follower follows one feed for many subscribers.
type Follower struct {
	feed  db.ChangeFeed
	reads chan struct{}
	log   *slog.Logger
}

// New returns a Follower of feed that runs at most reads reads of it at
// once (DefaultReads when reads <= 0). Errors of the feed that end a
// subscription go to log.
func New(feed db.ChangeFeed, reads int, log *slog.Logger) *Follower {
	if reads <= 0 {
		reads = DefaultReads
	}
	if log == nil {
		log = slog.Default()
	}
	return &Follower{feed: feed, reads: make(chan struct{}, reads), log: log}
}

// Follow checks its arguments and returns a channel of the events that
// match f: with after >= 0 (GraphQL's Sequence, the seq of the last event
// a client handled), those with a Seq above it first, then each new
// one; with after < 0, only those committed from now on. The channel
// holds nothing back: the next event is read from the feed only once the
// last is taken, so a subscriber that does not take them costs no memory,
// and the server drops it when its writes time out. The channel is closed
// when ctx ends, or when the feed fails (logged; the subscriber catches up
// from the last Seq it got when it comes back).
func (fl *Follower) Follow(ctx context.Context, after int64, f db.ChangeFilter) (<-chan *db.Change, error) {
	f, err := db.CheckChanges(max(after, 0), f, PageSize)
	if err != nil {
		return nil, err
	}
	// Watch before the first read: a commit between the last page and
	// the wait is announced, not missed.
	ctx, cancel := context.WithCancel(ctx)
	watch, err := fl.feed.Watch(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	if after < 0 {
		_, head, err := fl.feed.Heads(ctx)
		if err != nil {
			cancel()
			return nil, err
		}
		after = head
	}
	out := make(chan *db.Change)
	go func() {
		defer cancel()
		defer close(out)
		if err := fl.run(ctx, watch, after, f, out); err != nil && ctx.Err() == nil {
			fl.log.ErrorContext(ctx, "a subscription stopped: the change feed failed", "error", err)
		}
	}()
	return out, nil
}

// run sends the events after last, then waits for news and does it
// again, until ctx ends or the feed fails.
func (fl *Follower) run(ctx context.Context, watch <-chan int64, last int64, f db.ChangeFilter, out chan<- *db.Change) error {
	// covered is the Seq up to which every committed event has been
	// read: news of a head at or below it needs no read (it repeats,
	// or a write this filter cares nothing for came and was read).
	covered := int64(-1)
	head := last
	for {
		if head > covered {
			for {
				page, err := fl.read(ctx, last, f)
				if err != nil {
					return err
				}
				for i := range page {
					select {
					case out <- &page[i]:
					case <-ctx.Done():
						return ctx.Err()
					}
					last = page[i].Seq
				}
				if len(page) < PageSize {
					break
				}
			}
			// Whatever was committed when head was announced, the
			// reads since have seen.
			covered = max(head, last)
		}
		select {
		case h, ok := <-watch:
			if !ok {
				return ctx.Err()
			}
			head = h
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// read reads one page, waiting its turn among the reads of all
// subscribers.
func (fl *Follower) read(ctx context.Context, after int64, f db.ChangeFilter) ([]db.Change, error) {
	select {
	case fl.reads <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-fl.reads }()
	return fl.feed.Changes(ctx, after, f, PageSize)
}
