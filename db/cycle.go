package db

import (
	"strconv"
	"strings"
)

// The area hierarchy is a forest: following parents from any area ends at
// a root. UpdateArea refuses a parent that would close a cycle
// (ParentCycleError); Load and UpsertAreas refuse a dataset or an import
// that would, as a reference problem found after unknown parents. Both
// backends name the same area, the first of the input that lies on a
// cycle, and list the cycle from it along its parents, so they reject the
// same input with the same words.

// ParentCycleError is the EINVALID error about a parent that would make the
// area its own ancestor.
func ParentCycleError(id, parent int64) error {
	return Errorf(EINVALID, "area %d cannot have area %d as parent: %d lies within %d", id, parent, parent, id)
}

// ParentCycleItemError is the EINVALID error about the item-th area of an
// upsert, which lies on a cycle of parents; cycle holds the codes along
// the parents from that area (cycle[0] is code) up to the one whose parent
// it is.
func ParentCycleItemError(item int, code string, cycle []string) error {
	return AreaItemError(item, code, "its parents form a cycle: %s", cycleText(cycle, strconv.Quote))
}

// LoadParentCycleError is the EINVALID error about an area of a dataset
// that lies on a cycle of parents; cycle holds the ids along the parents
// from that area (cycle[0] is id) up to the one whose parent it is.
func LoadParentCycleError(id int64, cycle []int64) error {
	return Errorf(EINVALID, "area %d: its parents form a cycle: %s", id, cycleText(cycle, func(id int64) string {
		return strconv.FormatInt(id, 10)
	}))
}

// cycleText writes a cycle as "a → b → a", closing it where it started.
func cycleText[K any](cycle []K, text func(K) string) string {
	if len(cycle) == 0 {
		return ""
	}
	var b strings.Builder
	for _, k := range cycle {
		b.WriteString(text(k))
		b.WriteString(" → ")
	}
	b.WriteString(text(cycle[0]))
	return b.String()
}

// CheckCycles finds the first area of the dataset whose parents lead back
// to it, for Load, after the references are checked: the dataset's own
// areas are the only ones that can form a cycle, since their ids are new,
// so no stored area points at one of them and the stored hierarchy holds
// none. Both backends call it, so they name the same area.
func (ds *Dataset) CheckCycles() error {
	parents := make(map[int64]int64, len(ds.Areas))
	ids := make([]int64, len(ds.Areas))
	for i, a := range ds.Areas {
		ids[i], parents[a.ID] = a.ID, a.ParentID
	}
	i, cycle := FirstParentCycle(ids, func(id int64) (int64, bool) {
		p := parents[id]
		_, loaded := parents[p]
		return p, p != 0 && loaded
	})
	if i >= 0 {
		return LoadParentCycleError(ids[i], cycle)
	}
	return nil
}

// CheckParent is step 5 of the write order for an area's parent: the
// parent must exist, and an area that is stored (id not 0) must not lie
// among the parent's ancestors. parentOf is how a backend reads the
// hierarchy: an area's parent (0 for a root), and whether the area exists.
// The walk up ends at a root, or where it meets an area it passed, so a
// cycle already stored cannot keep it going.
func CheckParent(id, parent int64, parentOf func(id int64) (parent int64, exists bool)) error {
	if parent == 0 {
		return nil
	}
	if _, exists := parentOf(parent); !exists {
		return UnknownReferenceError("parent area", parent)
	}
	if id == 0 {
		return nil
	}
	seen := map[int64]bool{}
	for p := parent; p != 0 && !seen[p]; p, _ = parentOf(p) {
		if p == id {
			return ParentCycleError(id, parent)
		}
		seen[p] = true
	}
	return nil
}

// FirstParentCycle finds the first of items (in their order) that lies on
// a cycle of parents, and returns its index and the cycle from it along
// its parents; -1 and nil when none does. parent gives a key's parent, and
// false for a root or for a key whose ancestors need not be followed
// (such as a stored area that nothing in the input can be an ancestor
// of). Items must be distinct.
//
// Each key has at most one parent, so every chain either ends or runs into
// exactly one cycle. Each key is walked once over all the chains, so the
// cost is linear in the keys reached, however the chains share ancestors.
// The first chain that finds a cycle need not start on it, and an item
// before the cycle's members may lie on another cycle found later, so
// every chain is walked before the first item on a cycle is chosen.
func FirstParentCycle[K comparable](items []K, parent func(K) (K, bool)) (int, []K) {
	type mark struct {
		walk int // the chain that reached the key, from 1
		pos  int // its place in that chain
	}
	marks := make(map[K]mark, len(items))
	onCycle := map[K]bool{}
	var chain []K
	for w, start := range items {
		walk := w + 1
		chain = chain[:0]
		k := start
		for {
			if m, seen := marks[k]; seen {
				if m.walk == walk {
					// The chain came back to itself: every key from
					// the one it met again onwards lies on the cycle.
					for _, c := range chain[m.pos:] {
						onCycle[c] = true
					}
				}
				// A key an earlier chain reached leads where that
				// chain led, which it has already found out.
				break
			}
			marks[k] = mark{walk: walk, pos: len(chain)}
			chain = append(chain, k)
			p, ok := parent(k)
			if !ok {
				break
			}
			k = p
		}
	}
	if len(onCycle) == 0 {
		return -1, nil
	}
	for i, k := range items {
		if !onCycle[k] {
			continue
		}
		cycle := []K{k}
		for p, _ := parent(k); p != k; p, _ = parent(p) {
			cycle = append(cycle, p)
		}
		return i, cycle
	}
	// Only keys outside items lie on a cycle: not the input's to answer for.
	return -1, nil
}
