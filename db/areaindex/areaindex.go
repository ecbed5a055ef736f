// Package areaindex is the in-memory index of area outlines: an R-tree of
// their bounding boxes and the point-in-area question on it, "which areas
// cover this point", answered in the order the Store contract documents
// for AreasAt. Two stores keep one: the embedded backend (db/memory) for
// all its areas, and the PostGIS backend's area replica (db/replica), which
// answers AreasAt without a round trip to the database. Having one
// index keeps their answers the same down to the boundary and the order.
package areaindex

import (
	"cmp"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// Index holds area records by their outline's bounding box. It holds the
// records themselves, not copies: a record must not change while it is
// in the index, and what At returns belongs to the index (callers clone
// before they hand it out). The zero value is an empty index; it is not
// safe for concurrent use, its owner guards it.
type Index struct {
	tree rtree.RTreeG[*db.Area]
}

// Insert enters a.
func (x *Index) Insert(a *db.Area) {
	lo, hi := rect(a.Geometry.Bound())
	x.tree.Insert(lo, hi, a)
}

// Delete takes out a, the very record that was inserted (the same
// pointer, with its outline unchanged).
func (x *Index) Delete(a *db.Area) {
	lo, hi := rect(a.Geometry.Bound())
	x.tree.Delete(lo, hi, a)
}

// Len is the number of areas in the index.
func (x *Index) Len() int { return x.tree.Len() }

// At returns the areas that cover pt, boundary included, and are in use on
// day on (every edition for the zero time), innermost kind first and then
// by id; kinds, when given, narrows the kinds. It returns nil when none
// does.
func (x *Index) At(pt orb.Point, kinds []db.AreaKind, on time.Time) []*db.Area {
	var found []*db.Area
	lo, hi := rect(pt.Bound())
	x.tree.Search(lo, hi, func(_, _ [2]float64, a *db.Area) bool {
		// The cheap tests first: the outline is the costly one.
		if (len(kinds) == 0 || slices.Contains(kinds, a.Kind)) && (on.IsZero() || a.ValidOn(on)) && geo.Covers(a.Geometry, pt) {
			found = append(found, a)
		}
		return true
	})
	// The order of the contract (and of the PostGIS statement): innermost
	// kind first, then by id.
	slices.SortFunc(found, func(a, b *db.Area) int {
		return cmp.Or(cmp.Compare(b.Kind.Depth(), a.Kind.Depth()), cmp.Compare(a.ID, b.ID))
	})
	return found
}

// InBox returns the areas whose outline meets b, edges included, as
// PostGIS's ST_Intersects with the box has them (geo.IntersectsBox), and
// that keep accepts (every one when keep is nil), ascending by id: the
// order of the Store contract's lists. keep runs before the outline test,
// which costs the most.
func (x *Index) InBox(b orb.Bound, keep func(*db.Area) bool) []*db.Area {
	var found []*db.Area
	lo, hi := rect(b)
	x.tree.Search(lo, hi, func(_, _ [2]float64, a *db.Area) bool {
		if (keep == nil || keep(a)) && geo.IntersectsBox(a.Geometry, b) {
			found = append(found, a)
		}
		return true
	})
	slices.SortFunc(found, func(a, b *db.Area) int { return cmp.Compare(a.ID, b.ID) })
	return found
}

// Search calls fn with the id and bounding box of every area whose
// bounding box meets the rectangle lo–hi, in no particular order, until fn
// returns false. It has the shape of rtree's Search, so that a store can
// treat this index like its other R-trees.
func (x *Index) Search(lo, hi [2]float64, fn func(lo, hi [2]float64, id int64) bool) {
	x.tree.Search(lo, hi, func(lo, hi [2]float64, a *db.Area) bool { return fn(lo, hi, a.ID) })
}

// Scan calls fn with the id and bounding box of every area, in no
// particular order, until fn returns false.
func (x *Index) Scan(fn func(lo, hi [2]float64, id int64) bool) {
	x.tree.Scan(func(lo, hi [2]float64, a *db.Area) bool { return fn(lo, hi, a.ID) })
}

func rect(b orb.Bound) (lo, hi [2]float64) {
	return [2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}
}
