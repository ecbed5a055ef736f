package memory

import (
	"context"
	"slices"
	"sort"

	"github.com/areagraph/areagraph/db"
)

// The audit log of the embedded store lives in memory with the records it
// describes, and goes when they go: the store is the demo's and tests',
// not a system of record.

// AuditLog implements db.Writer.
func (s *Store) AuditLog(ctx context.Context, f db.AuditFilter, p db.Page) (db.List[*db.AuditEntry], error) {
	if err := ctx.Err(); err != nil {
		return db.List[*db.AuditEntry]{}, err
	}
	if err := p.Check(false); err != nil {
		return db.List[*db.AuditEntry]{}, err
	}
	if err := f.Check(); err != nil {
		return db.List[*db.AuditEntry]{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var hits []*db.AuditEntry
	pl := &poll{ctx: ctx}
	for i := len(s.audit) - 1; i >= 0; i-- {
		if err := pl.next(); err != nil {
			return db.List[*db.AuditEntry]{}, err
		}
		e := s.audit[i]
		if (f.RecordID == "" || e.RecordID == f.RecordID) &&
			(f.Actor == "" || e.Actor == f.Actor) &&
			(f.Organization == "" || slices.Contains(e.Orgs, f.Organization)) &&
			(f.Since == nil || !e.At.Before(*f.Since)) {
			hits = append(hits, e)
		}
	}
	// Newest first: a place is an id, and what comes after it is older.
	upTo, below := 0, len(hits)
	if k := p.After; k != nil {
		upTo = sort.Search(len(hits), func(i int) bool { return hits[i].ID < k.ID })
	}
	if k := p.Before; k != nil {
		below = sort.Search(len(hits), func(i int) bool { return hits[i].ID <= k.ID })
	}
	lo, hi := p.Bounds(len(hits), upTo, below)
	l := db.List[*db.AuditEntry]{Total: len(hits), Start: lo, Items: []*db.AuditEntry{}}
	for _, e := range hits[lo:hi] {
		l.Items = append(l.Items, e.Clone())
	}
	return l, nil
}
