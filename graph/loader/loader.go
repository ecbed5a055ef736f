// Package loader batches the store calls of one GraphQL request.
//
// gqlgen resolves the fields of sibling objects independently, so a naive
// resolver calls the store once per parent (N+1). Time-window dataloaders
// fix that at the price of a wait on every level and batches that depend on
// scheduling. This package batches by what is known instead: whenever the
// request hands out a set of records (a page, a batch result), the set is
// registered as a group of siblings; the first child field asked of any
// member loads it for the whole group in one store call, and the others
// find it done. The number of store calls then depends on the shape of the
// query, never on the number of parents, and does not vary between runs.
package loader

import (
	"context"
	"slices"
	"sync"
)

// groups remembers which ids arrived together. Sets that share an id are
// merged, so a record handed out twice (in a page, then as a parent) still
// loads with every sibling it has: a field asked of any of them costs one
// store call for all that are not loaded yet. Merging may load a little
// more than asked; it never loads per record.
type groups struct {
	mu sync.Mutex
	of map[int64]*[]int64
}

func (g *groups) add(ids []int64) {
	if len(ids) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.of == nil {
		g.of = map[int64]*[]int64{}
	}
	merged := &[]int64{}
	seen := map[*[]int64]bool{}
	inMerged := map[int64]bool{}
	add := func(id int64) {
		if !inMerged[id] {
			inMerged[id] = true
			*merged = append(*merged, id)
		}
	}
	for _, id := range ids {
		if old, ok := g.of[id]; ok && !seen[old] {
			seen[old] = true
			for _, o := range *old {
				add(o)
			}
		}
		add(id)
	}
	for _, id := range *merged {
		g.of[id] = merged
	}
}

// siblings returns a snapshot of the ids that arrived with id, id included.
func (g *groups) siblings(id int64) []int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	if s, ok := g.of[id]; ok {
		return slices.Clone(*s)
	}
	return []int64{id}
}

// result is one id's outcome of a fetch. The results of one fetch share
// one channel, closed when they are all set, and one allocation: a page of
// fifty initiatives' organisations is a hundred results, which would
// otherwise be two hundred allocations.
type result[V any] struct {
	ready chan struct{}
	v     V
	err   error
}

// batch loads values by id, fetching each id's sibling group in one call.
type batch[V any] struct {
	groups *groups
	fetch  func(ctx context.Context, ids []int64) ([]V, error)

	mu   sync.Mutex
	done map[int64]*result[V]
}

func newBatch[V any](g *groups, fetch func(ctx context.Context, ids []int64) ([]V, error)) *batch[V] {
	return &batch[V]{groups: g, fetch: fetch, done: map[int64]*result[V]{}}
}

func (b *batch[V]) load(ctx context.Context, id int64) (V, error) {
	b.mu.Lock()
	r, ok := b.done[id]
	if !ok {
		want := b.groups.siblings(id)
		want = slices.DeleteFunc(want, func(s int64) bool {
			_, ok := b.done[s]
			return ok
		})
		ready := make(chan struct{})
		pending := make([]result[V], len(want))
		for i, s := range want {
			pending[i].ready = ready
			b.done[s] = &pending[i]
		}
		r = b.done[id]
		b.mu.Unlock()
		vals, err := b.fetch(ctx, want)
		for i := range pending {
			if err != nil {
				pending[i].err = err
			} else {
				pending[i].v = vals[i]
			}
		}
		close(ready)
	} else {
		b.mu.Unlock()
	}
	// Most loads find their value loaded already; only those that wait
	// need the select that lets a cancelled request stop waiting.
	select {
	case <-r.ready:
		return r.v, r.err
	default:
	}
	select {
	case <-r.ready:
		return r.v, r.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// keyed holds one batch per distinct set of arguments A, e.g. one per
// filter and page of a nested connection; key is A in a canonical form.
type keyed[A, V any] struct {
	groups *groups
	fetch  func(ctx context.Context, args A, ids []int64) ([]V, error)

	mu      sync.Mutex
	batches map[string]*batch[V]
}

func (k *keyed[A, V]) load(ctx context.Context, key string, args A, id int64) (V, error) {
	k.mu.Lock()
	if k.batches == nil {
		k.batches = map[string]*batch[V]{}
	}
	b, ok := k.batches[key]
	if !ok {
		b = newBatch(k.groups, func(ctx context.Context, ids []int64) ([]V, error) {
			return k.fetch(ctx, args, ids)
		})
		k.batches[key] = b
	}
	k.mu.Unlock()
	return b.load(ctx, id)
}
