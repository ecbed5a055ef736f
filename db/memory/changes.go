package memory

import (
	"context"
	"sort"
	"time"

	"github.com/areagraph/areagraph/db"
)

// The change feed of the embedded store: a log in memory beside the
// records, numbered under the write lock, so Seqs ascend in the order
// writes end (which is their commit order here) with no gaps. Like the
// audit log it lives and goes with the records, and so starts afresh with
// every process: its numbers start after the time the store was made
// (db.SeqBase), above those of any earlier run, so that a client's cursor
// from before a restart reads the new feed from its start.

// feed is the store's change log.
type feed struct {
	base  int64            // the Seq before the first event
	log   []db.Change      // ascending by Seq, which is base + its place + 1
	heads map[string]int64 // the last Seq per type
	hub   db.ChangeHub
}

// appendChanges numbers the events of one write, made at at, and keeps
// them; it returns the new head, 0 when there were none. The caller holds
// the write lock.
func (s *Store) appendChanges(at time.Time, events []db.Change) int64 {
	if len(events) == 0 {
		return 0
	}
	if s.heads == nil {
		s.heads = map[string]int64{}
	}
	for _, c := range events {
		c.Seq = s.base + int64(len(s.log)) + 1
		c.At = at
		s.log = append(s.log, c)
		s.heads[c.Type] = c.Seq
	}
	return s.base + int64(len(s.log))
}

// orgType names the type of the organisation with id, for the events of
// initiatives. The caller holds the lock; an initiative names only stored
// organisations.
func (s *Store) orgType(id int64) string {
	if o := s.orgs[id]; o != nil {
		return o.NodeType()
	}
	return db.TypeEmployer
}

// Changes implements db.ChangeFeed.
func (s *Store) Changes(ctx context.Context, after int64, f db.ChangeFilter, limit int) ([]db.Change, error) {
	f, err := db.CheckChanges(after, f, limit)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []db.Change{}
	pl := &poll{ctx: ctx}
	i := sort.Search(len(s.log), func(i int) bool { return s.log[i].Seq > after })
	for ; i < len(s.log) && len(out) < limit; i++ {
		if err := pl.next(); err != nil {
			return nil, err
		}
		if f.Match(s.log[i]) {
			out = append(out, s.log[i].Clone())
		}
	}
	return out, nil
}

// Heads implements db.ChangeFeed.
func (s *Store) Heads(ctx context.Context) (map[string]int64, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	heads := make(map[string]int64, len(s.heads))
	for t, seq := range s.heads {
		heads[t] = seq
	}
	if len(s.log) == 0 {
		return heads, 0, nil
	}
	return heads, s.base + int64(len(s.log)), nil
}

// Watch implements db.ChangeFeed.
func (s *Store) Watch(ctx context.Context) (<-chan int64, error) {
	return s.hub.Watch(ctx)
}
