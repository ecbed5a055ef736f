package outline

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/follow"
)

// Eviction by the change feed. A group is read again when one of its areas
// is asked for at a version it does not hold (see Cache), which keeps the
// answers right; but a group that nobody asks for again keeps outlines
// that have changed, and the memory they take, until the byte budget
// pushes it out. Following the change feed, the cache drops a group as
// soon as a change to one of its areas is committed, through this server
// or, on PostGIS, any other.

// feedFollow is what Follow arms: the feed, followed from the first group
// the cache reads until ctx ends.
type feedFollow struct {
	ctx   context.Context
	feed  db.ChangeFeed
	log   *slog.Logger
	start sync.Once
}

// After the feed failed, the cache subscribes again after followRetry,
// doubling the wait up to followRetryMax while it keeps failing.
const (
	followRetry    = time.Second
	followRetryMax = 30 * time.Second
)

// areaChanges selects the events Follow reads.
var areaChanges = db.ChangeFilter{Types: []string{db.TypeArea}}

// Follow has the cache drop the groups that hold an area as soon as the
// change feed tells of a change to it (an update or a delete; an area
// created is in no group yet), until ctx ends. Following starts with the
// first group the cache reads, so a server that never simplifies an
// outline never follows; call Follow before the cache is first used.
// While the feed fails, groups are dropped once it is back, from where it
// left off.
func (c *Cache) Follow(ctx context.Context, feed db.ChangeFeed, log *slog.Logger) {
	if c == nil {
		return
	}
	if log == nil {
		log = slog.Default()
	}
	c.follow = &feedFollow{ctx: ctx, feed: feed, log: log}
}

// startFollowing subscribes to the feed before the first group is read,
// so that no change committed after the read goes unheard.
func (c *Cache) startFollowing() {
	f := c.follow
	if f == nil {
		return
	}
	f.start.Do(func() {
		fl := follow.New(f.feed, 1, f.log)
		events, after, err := c.subscribe(fl, -1)
		if err != nil {
			f.log.Warn("the outline cache cannot follow the change feed; changed outlines stay until they are asked for",
				"error", err)
		}
		go c.followFeed(fl, events, after)
	})
}

// subscribe follows the area changes after after; from the head of the
// feed when after is negative, which it returns as the new after.
func (c *Cache) subscribe(fl *follow.Follower, after int64) (<-chan *db.Change, int64, error) {
	f := c.follow
	if after < 0 {
		ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
		_, head, err := f.feed.Heads(ctx)
		cancel()
		if err != nil {
			return nil, -1, err
		}
		after = head
	}
	events, err := fl.Follow(f.ctx, after, areaChanges)
	return events, after, err
}

// followFeed drops the groups of the areas in events, and subscribes again
// when the feed fails, until the cache's context ends.
func (c *Cache) followFeed(fl *follow.Follower, events <-chan *db.Change, after int64) {
	f := c.follow
	wait := followRetry
	for {
		// events is nil when subscribing failed: ranging over it would
		// wait for ever.
		if events != nil {
			for e := range events {
				after = e.Seq
				wait = followRetry
				if _, id, err := db.ParseGlobalID(e.ID); err == nil {
					c.Forget(id)
				}
			}
		}
		select {
		case <-f.ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, followRetryMax)
		known := after >= 0
		var err error
		if events, after, err = c.subscribe(fl, after); err != nil {
			continue
		}
		if !known {
			// Groups were read while nothing was followed: any of them
			// may hold an area changed since.
			c.Forget()
		}
	}
}

// Forget drops the groups that hold any of the areas with ids, and their
// simplifications; with no ids, every group. An area asked for later is
// read and simplified with its group afresh.
func (c *Cache) Forget(ids ...int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for w := range c.watches {
		if len(ids) == 0 {
			w.all = true
		}
		w.ids = append(w.ids, ids...)
	}
	for _, g := range c.groups {
		if len(ids) == 0 {
			c.drop(g)
			continue
		}
		for _, id := range ids {
			if _, ok := g.index[id]; ok {
				c.drop(g)
				break
			}
		}
	}
}
