package db

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// The change feed: every committed write, as a list of events in commit
// order, so that a client (a map that redraws, a cache that forgets, a
// subscription) learns what changed without polling the records.
//
// Which writes yield which events. Every write of the store yields its
// events in the transaction that makes it, and only if it commits; a write
// that fails or rolls back yields none. Within one write the events come in
// the order its audit entries do (the target first, then what a delete
// detached, by type and id), with consecutive Seqs.
//
//   - An API write (Writer) yields one event per record it created,
//     updated or deleted: the target, and with detach every record it
//     detached (UPDATED with its new version), as its audit entries list
//     them.
//   - UpsertAreas yields one event per area it added (CREATED) or changed
//     (UPDATED); an area it names unchanged yields none, as it gets no audit
//     entry.
//   - Indicator values are written by the hundred thousand and have no
//     version, so they yield one event per indicator per write rather than
//     one per value: Type TypeIndicatorValue, ID the indicator's
//     ("Indicator:<code>"), Version 0, Areas the areas whose values of it
//     the write added, changed or deleted. PutIndicatorValues and
//     UpsertIndicatorValues yield an UPDATED one per indicator whose values
//     they added or changed (none when they changed nothing); a delete that
//     takes values with it (DeleteArea, DeleteIndicator with detach) a
//     DELETED one per indicator whose values went. A ValueImport (the
//     import's audit entry) is not an event: the values it wrote are.
//   - Load yields a CREATED event for every record it adds, values by
//     indicator as above but CREATED, in the order Area, Employer and
//     Association (by id), Initiative, Indicator, IndicatorValue.
//   - API keys yield none: they are not public records.
//
// Areas and Orgs say whom a change concerns, for filtering: an area
// concerns itself; an organisation itself and the areas it engages in; an
// initiative itself, the areas it serves and its lead and partners; an
// indicator nothing but itself; values the areas they belong to. For an
// update both what the record named before and what it names after count,
// so that a client watching an area also learns that an initiative left
// it. Both lists are ascending (byte order), each id once.
//
// Commit order. Seq ascends in the order writes commit, and a reader that
// has seen Seq n never later sees an event with a Seq of n or less: each
// backend numbers a write's events while it holds the lock that orders
// its commit against every other writer's (the embedded store's write
// lock; on PostgreSQL the audit log's, held from numbering to commit — see
// db/postgis/changes.go). Numbers a write took and then gave back by
// rolling back are never used, so Seqs may skip, but a gap is never filled
// later.
//
// Numbering starts from the time the feed is made (SeqBase), not from 1: a
// feed made again (the embedded store at every start, a database
// recreated and loaded) numbers above every Seq of an earlier one, so a
// client's cursor from before reads the new feed from its start (whose
// CREATED events tell it to reload) rather than stepping into its middle.
// Seqs stay below 2^53 for centuries, but the API gives them as strings
// all the same.
//
// Retention. Every event is kept for as long as the store keeps its
// records, as the audit log is: Changes from any after, 0 included,
// answers every event since, so a client that was away however long
// catches up exactly. (Were a bound ever set, an after below the oldest
// kept event would have to be refused, never answered with a silent gap.)
//
// Catching up. A client keeps the Seq of the last event it handled and
// asks for the events after it, page by page until a page comes back
// shorter than its limit; then it waits on Watch (started before the first
// page, so a commit between the last page and the wait is not missed) and
// asks again. Since Seqs ascend in commit order, it gets every event once:
// nothing lost, nothing twice.

// SeqBase is the Seq before the first event of a feed made at t: its
// microseconds since 1970.
func SeqBase(t time.Time) int64 { return t.UnixMicro() }

// ChangeAction is what a write did to a record.
type ChangeAction string

// Change actions.
const (
	ChangeCreated ChangeAction = "CREATED"
	ChangeUpdated ChangeAction = "UPDATED"
	ChangeDeleted ChangeAction = "DELETED"
)

// Change is one committed change to one record (or, for TypeIndicatorValue,
// to one indicator's values).
type Change struct {
	Seq     int64 // > 0, ascending in commit order
	Type    string
	ID      string // global id ("Initiative:12"), "Indicator:<code>" for Indicator and IndicatorValue
	Action  ChangeAction
	Version int       // the record's version after the write, its last on delete; 0 for values
	At      time.Time // when the write was made (the audit entries' time), UTC, to the microsecond
	Areas   []string  // global ids of the areas the change concerns, ascending
	Orgs    []string  // global ids of the organisations it concerns, ascending
}

// ChangeTypes are the record types of the feed, as Change.Type names them.
var ChangeTypes = []string{TypeArea, TypeEmployer, TypeAssociation, TypeInitiative, TypeIndicator, TypeIndicatorValue}

// ChangeFilter selects events. An empty list selects everything; an event
// passes when it matches every list that is not empty: its Type is one of
// Types, one of its Areas one of Areas, one of its Orgs one of
// Organizations. So an Indicator event, which concerns no area, passes no
// filter by area.
type ChangeFilter struct {
	Types, Areas, Organizations []string
}

// Bounds of one call to Changes: a page of at most MaxChanges events, and
// filter lists of at most MaxChangeFilter items each, so that a hostile
// caller's request costs a bounded amount.
const (
	MaxChanges      = 1000
	MaxChangeFilter = 100
)

// ChangeFeed is the change feed of a store (see the notes above).
type ChangeFeed interface {
	// Changes returns up to limit committed changes with Seq > after, in
	// Seq order, matching f. An after beyond the last Seq answers an empty
	// list. A negative after, a limit outside 1–MaxChanges or a bad filter
	// is EINVALID (CheckChanges).
	Changes(ctx context.Context, after int64, f ChangeFilter, limit int) ([]Change, error)
	// Heads returns the last Seq per record type (types never changed are
	// absent) and the overall last Seq (0 before the first change); cheap.
	Heads(ctx context.Context) (map[string]int64, int64, error)
	// Watch returns a channel that receives the latest committed Seq
	// whenever changes are committed, coalesced (a slow reader sees only
	// the newest), and is closed when ctx ends. A value is a hint to call
	// Changes, nothing more: on PostGIS, a store that lost its listening
	// connection announces the head it finds on connecting again, since
	// it may have missed news while away, and a new watcher may hear a
	// head it had read already. On PostGIS it is fed by LISTEN/NOTIFY
	// from every instance writing to the same database.
	Watch(ctx context.Context) (<-chan int64, error)
}

// CheckChanges checks the arguments of Changes and returns the filter in
// the form ChangeFilter.Match reads.
func CheckChanges(after int64, f ChangeFilter, limit int) (ChangeFilter, error) {
	if after < 0 {
		return f, Errorf(EINVALID, "after must be 0 or a sequence number the feed gave, not %d", after)
	}
	if limit < 1 || limit > MaxChanges {
		return f, Errorf(EINVALID, "the number of changes must be between 1 and %d, not %d", MaxChanges, limit)
	}
	for _, l := range [][]string{f.Types, f.Areas, f.Organizations} {
		if len(l) > MaxChangeFilter {
			return f, Errorf(EINVALID, "a filter of changes lists at most %d items, not %d", MaxChangeFilter, len(l))
		}
	}
	for _, t := range f.Types {
		if !slices.Contains(ChangeTypes, t) {
			return f, Errorf(EINVALID, "unknown type of change %q: expected one of %s", t, strings.Join(ChangeTypes, ", "))
		}
	}
	for _, a := range f.Areas {
		if _, err := ParseGlobalIDOf(TypeArea, a); err != nil {
			return f, err
		}
	}
	if err := CheckOrgs(f.Organizations); err != nil {
		return f, err
	}
	return ChangeFilter{Types: sortedSet(f.Types), Areas: sortedSet(f.Areas), Organizations: sortedSet(f.Organizations)}, nil
}

// Match says whether c passes f. f's lists are sorted, as CheckChanges
// returns them.
func (f ChangeFilter) Match(c Change) bool {
	if len(f.Types) > 0 && !slices.Contains(f.Types, c.Type) {
		return false
	}
	return meets(f.Areas, c.Areas) && meets(f.Organizations, c.Orgs)
}

// meets says whether want is empty or one of its items is in have.
func meets(want, have []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, h := range have {
		if _, ok := slices.BinarySearch(want, h); ok {
			return true
		}
	}
	return false
}

// Clone returns a copy of c that shares nothing with it.
func (c Change) Clone() Change {
	c.Areas, c.Orgs = slices.Clone(c.Areas), slices.Clone(c.Orgs)
	return c
}

// RecordChange is the event of a write to one record: before is the record
// as it was (nil for a create), after as it is (nil for a delete). orgType
// names the type (TypeEmployer or TypeAssociation) of an organisation an
// initiative names by id. ok is false for what yields no event of its own
// (values, imports of values, keys).
func RecordChange(before, after Audited, orgType func(id int64) string) (c Change, ok bool) {
	rec := after
	switch {
	case before == nil:
		c.Action = ChangeCreated
	case after == nil:
		c.Action, rec = ChangeDeleted, before
	default:
		c.Action = ChangeUpdated
	}
	var areas, orgs []string
	for _, r := range []Audited{before, after} {
		switch r := r.(type) {
		case *Area:
			areas = append(areas, r.NodeID())
		case *Organization:
			areas = append(areas, refs(TypeArea, r.AreaIDs)...)
			orgs = append(orgs, r.NodeID())
		case *Initiative:
			areas = append(areas, refs(TypeArea, r.AreaIDs)...)
			if r.LeadID > 0 {
				orgs = append(orgs, GlobalID(orgType(r.LeadID), r.LeadID))
			}
			for _, p := range r.Partners {
				orgs = append(orgs, GlobalID(orgType(p.OrganizationID), p.OrganizationID))
			}
		}
	}
	switch r := rec.(type) {
	case *Area:
		c.Version = int(r.Version)
	case *Organization:
		c.Version = int(r.Version)
	case *Initiative:
		c.Version = int(r.Version)
	case *Indicator:
		c.Version = int(r.Version)
	default:
		return Change{}, false
	}
	c.Type, c.ID = rec.AuditRef()
	c.Areas, c.Orgs = sortedSet(areas), sortedSet(orgs)
	return c, true
}

// InitiativeOrgIDs are the organisations an initiative names, by id, as
// RecordChange asks orgType about them.
func InitiativeOrgIDs(in *Initiative) []int64 {
	var ids []int64
	if in.LeadID > 0 {
		ids = append(ids, in.LeadID)
	}
	for _, p := range in.Partners {
		ids = append(ids, p.OrganizationID)
	}
	return ids
}

// ValueChanges gathers the values one write touched into the events they
// yield: one per indicator, in code order, with the areas whose values of
// it changed.
type ValueChanges struct {
	action ChangeAction
	areas  map[string]map[int64]bool // by indicator code
}

// NewValueChanges gathers values written (ChangeUpdated, ChangeCreated for
// a load) or deleted (ChangeDeleted).
func NewValueChanges(action ChangeAction) *ValueChanges {
	return &ValueChanges{action: action, areas: map[string]map[int64]bool{}}
}

// Add notes that the values of indicator code in area changed.
func (vc *ValueChanges) Add(code string, area int64) {
	m := vc.areas[code]
	if m == nil {
		m = map[int64]bool{}
		vc.areas[code] = m
	}
	m[area] = true
}

// Changes are the events, without Seq and At.
func (vc *ValueChanges) Changes() []Change {
	codes := make([]string, 0, len(vc.areas))
	for code := range vc.areas {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	out := make([]Change, len(codes))
	for i, code := range codes {
		ids := make([]int64, 0, len(vc.areas[code]))
		for id := range vc.areas[code] {
			ids = append(ids, id)
		}
		out[i] = ValueChange(vc.action, code, ids)
	}
	return out
}

// ValueChange is the event of a write to the values of indicator code in
// the given areas (any order, repeats allowed).
func ValueChange(action ChangeAction, code string, areaIDs []int64) Change {
	return Change{Type: TypeIndicatorValue, ID: TypeIndicator + ":" + code, Action: action,
		Areas: sortedSet(refs(TypeArea, areaIDs))}
}

// ChangeHub hands the latest Seq to the channels Watch returned: the part
// of Watch that both backends share. The zero value is ready to use.
type ChangeHub struct {
	mu       sync.Mutex
	head     int64
	watchers map[chan int64]struct{}
}

// Publish announces that changes up to seq are committed, to every
// watcher, if seq is beyond what the hub has announced; every watcher's
// channel holds only the latest value it has not taken.
func (h *ChangeHub) Publish(seq int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if seq <= h.head {
		return
	}
	h.head = seq
	for ch := range h.watchers {
		select {
		case <-ch:
		default:
		}
		ch <- seq
	}
}

// Watch implements ChangeFeed.Watch on the hub.
func (h *ChangeHub) Watch(ctx context.Context) (<-chan int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ch := make(chan int64, 1)
	h.mu.Lock()
	if h.watchers == nil {
		h.watchers = map[chan int64]struct{}{}
	}
	h.watchers[ch] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.watchers, ch)
		close(ch)
		h.mu.Unlock()
	}()
	return ch, nil
}

// Watchers is how many channels are open, for tests and metrics.
func (h *ChangeHub) Watchers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.watchers)
}

// LoadChanges are the events of loading ds (see the notes above), without
// Seq and At. orgType names the type of an organisation stored before the
// load; those of ds are known from it.
func LoadChanges(ds *Dataset, orgType func(id int64) string) []Change {
	kinds := make(map[int64]string, len(ds.Organizations))
	for _, o := range ds.Organizations {
		kinds[o.ID] = o.NodeType()
	}
	typeOf := func(id int64) string {
		if t, ok := kinds[id]; ok {
			return t
		}
		return orgType(id)
	}
	var out []Change
	add := func(rec Audited, version int64) {
		c, _ := RecordChange(nil, rec, typeOf)
		c.Version = int(max(version, 1))
		out = append(out, c)
	}
	byID := func(n int, id func(int) int64) []int {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(id(a), id(b)) })
		return idx
	}
	for _, i := range byID(len(ds.Areas), func(i int) int64 { return ds.Areas[i].ID }) {
		add(ds.Areas[i], ds.Areas[i].Version)
	}
	for _, i := range byID(len(ds.Organizations), func(i int) int64 { return ds.Organizations[i].ID }) {
		add(ds.Organizations[i], ds.Organizations[i].Version)
	}
	for _, i := range byID(len(ds.Initiatives), func(i int) int64 { return ds.Initiatives[i].ID }) {
		add(ds.Initiatives[i], ds.Initiatives[i].Version)
	}
	inds := slices.Clone(ds.Indicators)
	slices.SortFunc(inds, func(a, b *Indicator) int { return strings.Compare(a.Code, b.Code) })
	for _, ind := range inds {
		add(ind, ind.Version)
	}
	vc := NewValueChanges(ChangeCreated)
	for _, v := range ds.Values {
		vc.Add(v.IndicatorCode, v.AreaID)
	}
	return append(out, vc.Changes()...)
}

// ChangePage is one page of the feed as a client reads it (ReadChanges).
type ChangePage struct {
	Changes []Change
	// Last is where the next page starts: the Seq of the last change on
	// the page, or the after the page was read from when it is empty.
	Last int64
	// HasMore says the page is full: more changes may follow at once.
	HasMore bool
}

// ReadChanges reads the page of up to limit changes after after that pass
// f, and where the next one starts. The cursor moves only to a change
// handed out, never past one the filter skipped up to the head: a head
// read apart from the changes (from another replica, or a moment before)
// could pass a change not yet read, and the client would never see it.
func ReadChanges(ctx context.Context, feed ChangeFeed, after int64, f ChangeFilter, limit int) (ChangePage, error) {
	cs, err := feed.Changes(ctx, after, f, limit)
	if err != nil {
		return ChangePage{}, err
	}
	p := ChangePage{Changes: cs, Last: after, HasMore: len(cs) == limit}
	if len(cs) > 0 {
		p.Last = cs[len(cs)-1].Seq
	}
	return p, nil
}
