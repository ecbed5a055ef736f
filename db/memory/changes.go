package memory

import (
	"context"
	"slices"
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
	log   []logged         // ascending by Seq, which is base + its place + 1
	heads map[string]int64 // the last Seq per type
	hub   db.ChangeHub
}

// logged is one event as the log keeps it: the global ids of the record
// and of the areas and organisations it concerns as numbers, where they
// have their usual form (Type:id), rather than as strings, and its type,
// action and time in a few bytes. A load is an event per record: for a
// national dataset 128,000 events naming 300,000 areas and organisations,
// which as db.Change held some 20 MiB more. An event that does not fit is
// kept whole (raw); no write of the store makes one.
type logged struct {
	at int64 // UnixMicro, in UTC
	// num is the record's id when its global id is typ:num; id the
	// global id otherwise.
	num int64
	id  string
	// areas are the ids of Area:<n>, orgs those of Employer:<n> and, as
	// -n, Association:<n>, in the event's order; nil where the event's
	// list is nil.
	areas, orgs []int64
	raw         *db.Change
	version     int32
	typ, action uint8 // places in db.ChangeTypes and changeActions
}

// changeActions are the actions logged.action names by place.
var changeActions = []db.ChangeAction{db.ChangeCreated, db.ChangeUpdated, db.ChangeDeleted}

// compact is c as the log keeps it.
func compact(c db.Change) logged {
	typ, action := slices.Index(db.ChangeTypes, c.Type), slices.Index(changeActions, c.Action)
	at := time.UnixMicro(c.At.UnixMicro()).UTC()
	if typ < 0 || action < 0 || int(int32(c.Version)) != c.Version || at != c.At {
		return logged{raw: &c}
	}
	l := logged{at: c.At.UnixMicro(), typ: uint8(typ), action: uint8(action), version: int32(c.Version), id: c.ID}
	if n, ok := idOf(c.Type, c.ID); ok {
		l.num, l.id = n, ""
	}
	var ok bool
	if l.areas, ok = areaIDs(c.Areas); !ok {
		return logged{raw: &c}
	}
	if l.orgs, ok = orgIDs(c.Orgs); !ok {
		return logged{raw: &c}
	}
	return l
}

// idOf is n when id is typ:n as db.GlobalID writes it.
func idOf(typ, id string) (int64, bool) {
	t, n, err := db.ParseGlobalID(id)
	if err != nil || t != typ || n <= 0 || db.GlobalID(t, n) != id {
		return 0, false
	}
	return n, true
}

func areaIDs(ids []string) ([]int64, bool) {
	if ids == nil {
		return nil, true
	}
	out := make([]int64, len(ids))
	for i, id := range ids {
		n, ok := idOf(db.TypeArea, id)
		if !ok {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}

func orgIDs(ids []string) ([]int64, bool) {
	if ids == nil {
		return nil, true
	}
	out := make([]int64, len(ids))
	for i, id := range ids {
		if n, ok := idOf(db.TypeEmployer, id); ok {
			out[i] = n
		} else if n, ok := idOf(db.TypeAssociation, id); ok {
			out[i] = -n
		} else {
			return nil, false
		}
	}
	return out, true
}

// change is the event at place i of the log, as Changes hands it out.
func (s *Store) change(i int) db.Change {
	l := &s.log[i]
	if l.raw != nil {
		c := l.raw.Clone()
		c.Seq = s.base + int64(i) + 1
		return c
	}
	c := db.Change{Seq: s.base + int64(i) + 1, Type: db.ChangeTypes[l.typ], ID: l.id, Action: changeActions[l.action],
		Version: int(l.version), At: time.UnixMicro(l.at).UTC()}
	if l.id == "" {
		c.ID = db.GlobalID(c.Type, l.num)
	}
	if l.areas != nil {
		c.Areas = make([]string, len(l.areas))
		for j, n := range l.areas {
			c.Areas[j] = db.GlobalID(db.TypeArea, n)
		}
	}
	if l.orgs != nil {
		c.Orgs = make([]string, len(l.orgs))
		for j, n := range l.orgs {
			if n < 0 {
				c.Orgs[j] = db.GlobalID(db.TypeAssociation, -n)
			} else {
				c.Orgs[j] = db.GlobalID(db.TypeEmployer, n)
			}
		}
	}
	return c
}

// logFilter is a checked filter in the log's terms: the areas and
// organisations it names as numbers (logged). An id of another form names
// none of a compact event's, and is looked for in raw events alone.
type logFilter struct {
	f           db.ChangeFilter
	areas, orgs map[int64]bool
}

func newLogFilter(f db.ChangeFilter) logFilter {
	lf := logFilter{f: f}
	if len(f.Areas) > 0 {
		lf.areas = map[int64]bool{}
		for _, id := range f.Areas {
			if x, ok := idOf(db.TypeArea, id); ok {
				lf.areas[x] = true
			}
		}
	}
	if len(f.Organizations) > 0 {
		lf.orgs = map[int64]bool{}
		for _, id := range f.Organizations {
			if x, ok := idOf(db.TypeEmployer, id); ok {
				lf.orgs[x] = true
			} else if x, ok := idOf(db.TypeAssociation, id); ok {
				lf.orgs[-x] = true
			}
		}
	}
	return lf
}

// match is db.ChangeFilter.Match on a logged event.
func (lf logFilter) match(l *logged) bool {
	if l.raw != nil {
		return lf.f.Match(*l.raw)
	}
	if len(lf.f.Types) > 0 && !slices.Contains(lf.f.Types, db.ChangeTypes[l.typ]) {
		return false
	}
	return meets(lf.areas, l.areas) && meets(lf.orgs, l.orgs)
}

// meets says whether want is nil (no filter) or holds one of have.
func meets(want map[int64]bool, have []int64) bool {
	if want == nil {
		return true
	}
	for _, h := range have {
		if want[h] {
			return true
		}
	}
	return false
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
	// Grown to the size asked, not past it: a load appends 128,000
	// events at once.
	s.log = slices.Grow(s.log, len(events))
	for _, c := range events {
		c.At = at
		s.log = append(s.log, compact(c))
		s.heads[c.Type] = s.base + int64(len(s.log))
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
	lf := newLogFilter(f)
	// The event with Seq after+1 is at place after - base.
	i := int(min(max(after-s.base, 0), int64(len(s.log))))
	for ; i < len(s.log) && len(out) < limit; i++ {
		if err := pl.next(); err != nil {
			return nil, err
		}
		if lf.match(&s.log[i]) {
			out = append(out, s.change(i))
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
