package loader

import (
	"context"
	"sync"

	"github.com/areagraph/areagraph/db"
)

// outlines are the areas of a request read without their outlines
// (db.PartGeometry), and those outlines loaded by id when a field needs
// one after all. They outlive Reset: the records stay partial whatever
// the request writes.
type outlines struct {
	mu      sync.Mutex
	omitted map[*db.Area]bool
	refs    groups
	byID    *batch[*db.Area]
}

// OutlinesOmitted registers areas read without their outlines; those of
// misses (ids) are expected to be asked for (WithOutline), and load
// together, in one store call, when the first of them is.
func (l *Loaders) OutlinesOmitted(areas []*db.Area, misses []int64) {
	o := &l.outlines
	o.mu.Lock()
	if o.omitted == nil {
		o.omitted = make(map[*db.Area]bool, len(areas))
		s := l.store
		o.byID = newBatch(&o.refs, s.AreasByID)
	}
	for _, a := range areas {
		o.omitted[a] = true
	}
	o.mu.Unlock()
	o.refs.add(misses)
}

// OutlineOmitted tells whether a was read without its outline
// (OutlinesOmitted). ctx without loaders has none.
func OutlineOmitted(ctx context.Context, a *db.Area) bool {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	if l == nil {
		return false
	}
	o := &l.outlines
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.omitted[a]
}

// WithOutline loads an area read without its outline by id, outline and
// all, with the other misses registered with it; nil when it is gone.
func (l *Loaders) WithOutline(ctx context.Context, a *db.Area) (*db.Area, error) {
	l.outlines.mu.Lock()
	b := l.outlines.byID
	l.outlines.mu.Unlock()
	if b == nil {
		found, err := l.store.AreasByID(ctx, []int64{a.ID})
		if err != nil || len(found) == 0 {
			return nil, err
		}
		return found[0], nil
	}
	return b.load(ctx, a.ID)
}
