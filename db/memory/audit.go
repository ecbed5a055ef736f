package memory

import (
	"context"

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
			(f.Since == nil || !e.At.Before(*f.Since)) {
			hits = append(hits, e)
		}
	}
	l := db.List[*db.AuditEntry]{Total: len(hits), Items: []*db.AuditEntry{}}
	lo := min(max(p.Offset, 0), len(hits))
	hi := min(lo+max(p.Limit, 0), len(hits))
	for _, e := range hits[lo:hi] {
		l.Items = append(l.Items, e.Clone())
	}
	return l, nil
}
