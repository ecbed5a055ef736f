package postgis

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// areaRecord reads areas; keep guards the geometry, the one column worth
// sparing on rows that are only there for their count.
var areaRecord = record{table: "areas", alias: "a", cols: func(keep string) string {
	geom := "ST_AsBinary(a.geom)"
	if keep != "" {
		geom = "CASE WHEN " + keep + " THEN " + geom + " END"
	}
	return "a.id, a.code, a.name, a.kind, coalesce(a.area_type, 0), coalesce(a.parent_id, 0), " + geom +
		", a.valid_from, a.valid_to, a.description, a.version, a.updated_at"
}}

type areaRow struct {
	a    db.Area
	kind string
	geom []byte
}

func newAreaRow() scanner[*db.Area] { return &areaRow{} }

func (r *areaRow) dest() []any {
	return []any{&r.a.ID, &r.a.Code, &r.a.Name, &r.kind, &r.a.AreaType, &r.a.ParentID, &r.geom,
		&r.a.ValidFrom, &r.a.ValidTo, &r.a.Description, &r.a.Version, &r.a.UpdatedAt}
}

func (r *areaRow) record() (*db.Area, error) {
	a := r.a
	a.Kind = db.AreaKind(r.kind)
	a.UpdatedAt = a.UpdatedAt.UTC()
	g, err := decode(r.geom)
	if err != nil {
		return nil, err
	}
	a.Geometry = g
	return &a, nil
}

func areaID(a *db.Area) int64 { return a.ID }

// validOn is db.Area.ValidOn (db/validity.go) in SQL on the areas aliased
// alias: valid_from inclusive, valid_to exclusive, null open; nothing for
// the zero time. The day goes in as a date, so the comparison is of dates,
// as in the rule. It is a filter on the rows an index has found (the GiST
// index on geom, or the id order of a page): editions side by side at
// most multiply the rows by the editions kept, and most areas are in use
// on most days asked, so an index on the period would rarely be chosen.
func validOn(a *args, alias string, on time.Time) []string {
	if on.IsZero() {
		return nil
	}
	d := a.add(db.Day(on)) + "::date"
	return []string{"(" + alias + ".valid_from IS NULL OR " + alias + ".valid_from <= " + d + ")",
		"(" + alias + ".valid_to IS NULL OR " + d + " < " + alias + ".valid_to)"}
}

// areaConds are the conditions of an AreaFilter on the areas aliased a.
func areaConds(a *args, f db.AreaFilter) (conds []string, dist dists, err error) {
	if err := f.Validate(); err != nil {
		return nil, dists{}, err
	}
	conds = slices.Concat(
		inSet(a, "a.kind", "text", strs(f.Kinds)),
		inSet(a, "a.code", "text", f.Codes),
		inSetOrNull(a, "a.parent_id", "bigint", f.ParentIDs),
		inSetOrNull(a, "a.area_type", "bigint", int64s(f.AreaTypes)),
		contains(a, "a.name", f.NameContains),
		validOn(a, "a", f.ValidOn),
	)
	sp, dist, err := spatial(a, "a.geom", f.Spatial)
	return append(conds, sp...), dist, err
}

// fromMemory tells whether the area replica may answer a read under ctx:
// it is on, no write of this store is between its commit and the replica
// holding it, and it is known to hold what the read must see (a consistency
// token, see readers.go; one of a write made through another server is
// held only once the replica's position has passed it). Whether it is
// live, the replica's own answer says.
func (s *Store) fromMemory(ctx context.Context) bool {
	return s.replica != nil && s.unsynced.Load() == 0 && s.replica.Position() >= uint64(db.ConsistencyOf(ctx))
}

// AreasByID returns the areas with the given ids, in input order, nil for
// an id no area has.
func (s *Store) AreasByID(ctx context.Context, ids []int64) ([]*db.Area, error) {
	if len(ids) == 0 {
		return []*db.Area{}, nil
	}
	// From memory when the replica is live, as AreasAt: a nested query
	// that starts at an area then costs no statement and no outline read
	// for it.
	if s.fromMemory(ctx) {
		if found, ok := s.replica.AreasByID(ids); ok {
			out := make([]*db.Area, len(found))
			for i, a := range found {
				if a != nil {
					out[i] = a.Clone()
				}
			}
			return out, nil
		}
	}
	var a args
	sql := "SELECT " + areaRecord.cols("") + " FROM areas a WHERE a.id = ANY(" + a.add(distinct(ids)) + "::bigint[])"
	found, err := queryRecords(ctx, s, "areas by id", newAreaRow, sql, a)
	if err != nil {
		return nil, err
	}
	return byIDs(ids, found, areaID, (*db.Area).Clone), nil
}

// AreaByCode returns the area with the code, or an ENOTFOUND error.
func (s *Store) AreaByCode(ctx context.Context, code string) (*db.Area, error) {
	var a args
	sql := "SELECT " + areaRecord.cols("") + " FROM areas a WHERE a.code = " + a.add(code)
	found, err := queryRecords(ctx, s, "area by code", newAreaRow, sql, a)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, db.Errorf(db.ENOTFOUND, "no area with code %q", code)
	}
	return found[0], nil
}

// Areas returns a page of the areas that pass f.
func (s *Store) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	// A box from memory when the replica is live, as AreasAt: a map that
	// asks for the outlines in view then costs no statement, and no
	// outline is read from the database and decoded again.
	if l, ok, err := s.areasInBox(ctx, f, p); ok || err != nil {
		return l, err
	}
	var a args
	conds, dist, err := areaConds(&a, f)
	if err != nil {
		return db.List[*db.Area]{}, err
	}
	sel := selection{from: "areas a", parent: "0", conds: conds, dist: dist}
	rec := areaRecord
	if p.Omit.Has(db.PartGeometry) {
		rec = areaRecordWithoutGeometry
	}
	lists, err := queryPaged(ctx, s, "areas", newAreaRow, (*db.Area).Clone, pagedSQL(&a, sel, rec, p), a, p, dist, []int64{0})
	if err != nil {
		return db.List[*db.Area]{}, err
	}
	return lists[0], nil
}

// areasInBox answers Areas from the replica for a filter of a box and
// the tests it can run the way the statement does (kinds, codes, parents,
// area types, the day); ok is false when it cannot, and the statement
// answers. The page is cut by the rule of pagedSQL (db.Page.Bounds) from
// the whole list, whose total it counts.
func (s *Store) areasInBox(ctx context.Context, f db.AreaFilter, p db.Page) (db.List[*db.Area], bool, error) {
	b := f.BBox
	if b == nil || f.Intersects != nil || f.Near != nil || f.Within != nil || f.NameContains != "" ||
		!geo.Finite(b.Min) || !geo.Finite(b.Max) || !s.fromMemory(ctx) {
		return db.List[*db.Area]{}, false, nil
	}
	if err := f.Validate(); err != nil {
		return db.List[*db.Area]{}, false, err
	}
	if err := p.Check(false); err != nil {
		return db.List[*db.Area]{}, false, err
	}
	found, ok := s.replica.AreasInBox(*b, func(a *db.Area) bool {
		// NULL is 0 in the record, as inSetOrNull has it.
		return oneOf(f.Kinds, a.Kind) && oneOf(f.Codes, a.Code) && oneOf(f.ParentIDs, a.ParentID) &&
			oneOf(f.AreaTypes, a.AreaType) && (f.ValidOn.IsZero() || a.ValidOn(f.ValidOn))
	})
	if !ok {
		return db.List[*db.Area]{}, false, nil
	}
	upTo, below := 0, len(found)
	if k := p.After; k != nil {
		upTo = sort.Search(len(found), func(i int) bool { return found[i].ID > k.ID })
	}
	if k := p.Before; k != nil {
		below = sort.Search(len(found), func(i int) bool { return found[i].ID >= k.ID })
	}
	lo, hi := p.Bounds(len(found), upTo, below)
	// As the statement's answer: no items when the page is empty.
	l := db.List[*db.Area]{Total: len(found), Start: lo}
	for _, a := range found[lo:hi] {
		// Callers own what they get, as they own what a query decodes;
		// an outline omitted (a tile's read) is not copied.
		if p.Omit.Has(db.PartGeometry) {
			c := *a
			c.Geometry = nil
			a = &c
		}
		l.Items = append(l.Items, a.Clone())
	}
	return l, true, nil
}

// oneOf is a filter's set test: an empty set passes everything.
func oneOf[T comparable](set []T, v T) bool { return len(set) == 0 || slices.Contains(set, v) }

// ChildAreas returns, for each parent in parentIDs, a page of its children
// that pass f, all in one statement.
func (s *Store) ChildAreas(ctx context.Context, parentIDs []int64, f db.AreaFilter, p db.Page) ([]db.List[*db.Area], error) {
	if len(parentIDs) == 0 {
		return []db.List[*db.Area]{}, nil
	}
	var a args
	conds, dist, err := areaConds(&a, f)
	if err != nil {
		return nil, err
	}
	conds = append(conds, "a.parent_id = ANY("+a.add(distinct(parentIDs))+"::bigint[])")
	sel := selection{from: "areas a", parent: "a.parent_id", conds: conds, dist: dist}
	return queryPaged(ctx, s, "child areas", newAreaRow, (*db.Area).Clone, pagedSQL(&a, sel, areaRecord, p), a, p, dist, parentIDs)
}

// kindOrder is db.AreaKinds as SQL sees it: AreasAt sorts by the position
// of a kind in it, innermost (last) first.
var kindOrder = strs(db.AreaKinds)

// AreasAt returns the areas that cover pt, boundary included, innermost
// kind first and then by id; kinds, when given, narrows the kinds.
func (s *Store) AreasAt(ctx context.Context, pt orb.Point, kinds []db.AreaKind, on time.Time) ([]*db.Area, error) {
	if err := db.CheckAreasAt(pt, on); err != nil {
		return nil, err
	}
	// From memory when the replica is live (db/replica); the statement
	// below is what it stands in for.
	if s.fromMemory(ctx) {
		if found, ok := s.replica.AreasAt(pt, kinds, on); ok {
			// nil for none, as the statement's answer is.
			var out []*db.Area
			if len(found) > 0 {
				out = make([]*db.Area, len(found))
			}
			for i, a := range found {
				// Callers own what they get, as they own what a query
				// decodes.
				out[i] = a.Clone()
			}
			return out, nil
		}
	}
	var a args
	b, _ := encode(pt)
	g := "ST_GeomFromWKB(" + a.add(b) + ", 4326)"
	// ST_Covers, not ST_Contains: a point on an edge belongs to the area.
	conds := slices.Concat([]string{"a.geom && " + g, "ST_Covers(a.geom, " + g + ")"},
		inSet(&a, "a.kind", "text", strs(kinds)), validOn(&a, "a", on))
	sql := "SELECT " + areaRecord.cols("") + " FROM areas a" + where(conds) +
		" ORDER BY array_position(" + a.add(kindOrder) + "::text[], a.kind) DESC, a.id"
	found, err := queryRecords(ctx, s, "areas at", newAreaRow, sql, a)
	if err != nil {
		return nil, err
	}
	return found, nil
}

// areaRecordWithoutGeometry is areaRecord with a null in place of the
// outline, for a list that omits it (db.PartGeometry): the filter still
// tests the outline, in the database, but none is shipped or decoded.
var areaRecordWithoutGeometry = record{table: "areas", alias: "a", cols: func(string) string {
	return "a.id, a.code, a.name, a.kind, coalesce(a.area_type, 0), coalesce(a.parent_id, 0), NULL::bytea" +
		", a.valid_from, a.valid_to, a.description, a.version, a.updated_at"
}}
