package replica

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/areaindex"
)

// The follower: one goroutine, one feed, every change in commit order.
// See replica.go for why.

// run keeps a feed going until the replica closes, with a growing pause
// between failed attempts.
func (r *Replica) run() {
	defer close(r.done)
	pause := RetryMin
	for r.ctx.Err() == nil {
		began := time.Now()
		err := r.session()
		r.dropped(err)
		if r.ctx.Err() != nil {
			return
		}
		r.log.Warn("area replica: feed lost; AreasAt asks the database until it has reconnected and reloaded",
			"error", err)
		if time.Since(began) > RetryMax {
			pause = RetryMin
		}
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, RetryMax)
	}
}

// follower is one session on a feed.
type follower struct {
	r    *Replica
	feed Feed
	// queue holds the changes received and not yet applied.
	queue  []Change
	loaded bool
}

// session opens a feed, loads, and then applies changes until the feed
// fails or the replica closes.
func (r *Replica) session() error {
	f, err := r.dial(r.ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer f.Close()
	r.feed.Store(&f)
	l := &follower{r: r, feed: f}

	for {
		r.ctl.Lock()
		reload, verify := r.needReload || !l.loaded, r.needVerify
		r.needReload, r.needVerify = false, false
		r.ctl.Unlock()

		if reload {
			err := l.load()
			switch {
			case errors.Is(err, ErrNotReady):
				l.loaded = false
				r.ctl.Lock()
				r.lastErr = err
				r.ctl.Unlock()
			case err != nil:
				return err
			default:
				l.loaded, verify = true, true
			}
		}
		if l.loaded && verify {
			// Everything committed before this token is applied once it
			// is back; only then may the copy answer.
			if err := l.roundTrip(); err != nil {
				return err
			}
			r.ctl.Lock()
			// A doubt raised during the round trip waits for the next.
			if !r.needVerify && !r.needReload {
				r.setLiveLocked(true, nil)
			}
			r.ctl.Unlock()
		}

		idle := HealthInterval
		if !l.loaded {
			idle = LoadRetry
		}
		woken, err := l.wait(idle)
		if err != nil {
			return err
		}
		switch {
		case woken:
			// Asked to verify or reload: the loop does it.
		case len(l.queue) == 0 && l.loaded:
			// Idle for a while: check that the feed still works.
			if err := l.roundTrip(); err != nil {
				return err
			}
		}
		if err := l.apply(); err != nil {
			return err
		}
	}
}

// wait blocks until a change arrives (or one is queued already), the
// replica is asked for something (woken), idle passes, or the feed fails.
func (l *follower) wait(idle time.Duration) (woken bool, err error) {
	if len(l.queue) > 0 {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(l.r.ctx, idle)
	defer cancel()
	l.r.ctl.Lock()
	if l.r.needVerify || l.r.needReload {
		l.r.ctl.Unlock()
		return true, nil
	}
	wakeCtx, wake := context.WithCancel(ctx)
	defer wake()
	l.r.wake = wake
	l.r.ctl.Unlock()

	changes, err := l.feed.Receive(wakeCtx)
	l.queue = append(l.queue, changes...)

	l.r.ctl.Lock()
	woken = l.r.wake == nil // wakeLocked clears it
	l.r.wake = nil
	l.r.ctl.Unlock()
	switch {
	case l.r.ctx.Err() != nil:
		return false, l.r.ctx.Err()
	case err != nil:
		return false, fmt.Errorf("wait for changes: %w", err)
	}
	// The wait ended with changes, by the timer or by a wake; the feed is
	// still usable.
	return woken, nil
}

// roundTrip sends a token through the feed and applies every change up to
// it. It shows that the feed works, and that every change committed
// before it has been applied.
func (l *follower) roundTrip() error {
	r := l.r
	r.ctl.Lock()
	token, ch := r.newTokenLocked()
	r.ctl.Unlock()
	defer r.forget(token)
	ctx, cancel := context.WithTimeout(r.ctx, RoundTrip)
	defer cancel()
	if err := l.feed.Mark(ctx, token); err != nil {
		return fmt.Errorf("round trip: %w", err)
	}
	for {
		if err := l.apply(); err != nil {
			return err
		}
		select {
		case <-ch:
			return nil
		default:
		}
		changes, err := l.feed.Receive(ctx)
		if err == nil && len(changes) == 0 {
			err = ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("round trip: %w", err)
		}
		l.queue = append(l.queue, changes...)
	}
}

// load reads every area into a new copy and puts it in place of the old.
// The feed is open already, so nothing committed after the snapshot goes
// unheard.
func (l *follower) load() error {
	r := l.r
	began := time.Now()
	fresh, err := l.feed.Snapshot(r.ctx)
	if err != nil {
		if errors.Is(err, ErrNotReady) {
			return ErrNotReady
		}
		return fmt.Errorf("load: %w", err)
	}
	// From now on the feed delivers every change: writes may announce
	// their tokens on it.
	r.ctl.Lock()
	r.listening = l.feed
	r.ctl.Unlock()
	areas := make(map[int64]*db.Area, len(fresh))
	var index areaindex.Index
	for _, a := range fresh {
		areas[a.ID] = a
		index.Insert(a)
	}
	r.mu.Lock()
	r.areas, r.index = areas, index
	r.mu.Unlock()
	r.ctl.Lock()
	r.loads++
	r.ctl.Unlock()
	r.log.Info("area replica loaded", "areas", len(areas), "duration", time.Since(began).Round(time.Millisecond))
	// Everything queued so far was committed before the snapshot or is
	// read again by apply: ids are fetched again, tokens reported.
	return nil
}

// apply works through the queued changes in order: changed ids are fetched
// and put in place, All reads everything again, and a token is reported
// only once everything before it is applied. Before the first load, any
// change is a reason to try the load again, and tokens are reported at
// once: the replica is not live, and the load to come reads their writes.
func (l *follower) apply() error {
	for len(l.queue) > 0 {
		batch := l.queue
		l.queue = nil
		changed := map[int64]bool{}
		reload := false
		for _, c := range batch {
			if c.Token != "" {
				if l.loaded {
					if err := l.fetch(changed); err != nil {
						return err
					}
					clear(changed)
					l.reached(c.Token)
				}
				l.r.seen(c.Token)
				continue
			}
			if !l.loaded {
				reload = true
				continue
			}
			if c.All {
				clear(changed)
				if err := l.load(); err != nil {
					return err
				}
				continue
			}
			for _, id := range c.IDs {
				changed[id] = true
			}
		}
		if err := l.fetch(changed); err != nil {
			return err
		}
		if reload && !l.loaded {
			switch err := l.load(); {
			case err == nil:
				l.loaded = true
				l.r.ctl.Lock()
				l.r.needVerify = true
				l.r.ctl.Unlock()
			case !errors.Is(err, ErrNotReady):
				return err
			}
		}
	}
	return nil
}

// fetch reads the changed areas again and puts them in place; an id no
// longer found was deleted.
func (l *follower) fetch(changed map[int64]bool) error {
	if len(changed) == 0 || !l.loaded {
		return nil
	}
	ids := make([]int64, 0, len(changed))
	for id := range changed {
		ids = append(ids, id)
	}
	ctx, cancel := context.WithTimeout(l.r.ctx, RoundTrip)
	defer cancel()
	found, err := l.feed.Fetch(ctx, ids)
	if err != nil {
		return fmt.Errorf("fetch changed areas: %w", err)
	}
	r := l.r
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if old, ok := r.areas[id]; ok {
			r.index.Delete(old)
			delete(r.areas, id)
		}
	}
	for _, a := range found {
		r.areas[a.ID] = a
		r.index.Insert(a)
	}
	return nil
}

// reached raises the copy's position to that of a token of a Positioned
// feed, once everything before the token is applied.
func (l *follower) reached(token string) {
	p, ok := l.feed.(Positioned)
	if !ok {
		return
	}
	pos, ok := p.Position(token)
	if !ok {
		return
	}
	for {
		old := l.r.position.Load()
		if pos <= old || l.r.position.CompareAndSwap(old, pos) {
			return
		}
	}
}
