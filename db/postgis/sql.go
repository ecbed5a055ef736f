package postgis

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// Queries are composed from small functions, each returning one SQL
// fragment. A fragment never holds a value: it appends the value to the
// statement's args and refers to it by the placeholder add returns, so the
// numbering stays right however the fragments are combined.

// args are the arguments of one statement.
type args []any

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// where joins conditions with AND; no condition selects everything.
func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func strs[S ~string](in []S) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

func int64s(in []int) []int64 {
	out := make([]int64, len(in))
	for i, v := range in {
		out[i] = int64(v)
	}
	return out
}

// inSet keeps rows whose col is one of values; no values, no condition.
func inSet[T any](a *args, col, sqlType string, values []T) []string {
	if len(values) == 0 {
		return nil
	}
	return []string{col + " = ANY(" + a.add(values) + "::" + sqlType + "[])"}
}

// inSetOrNull is inSet for a nullable column whose NULL the domain spells
// as 0 (no parent, no area type), so that asking for 0 finds those rows.
func inSetOrNull[T comparable](a *args, col, sqlType string, values []T) []string {
	var zero T
	if !slices.Contains(values, zero) {
		return inSet(a, col, sqlType, values)
	}
	return []string{"(" + col + " = ANY(" + a.add(values) + "::" + sqlType + "[]) OR " + col + " IS NULL)"}
}

// contains is a case-insensitive substring test. strpos, unlike LIKE,
// gives % and _ no special meaning.
func contains(a *args, col, sub string) []string {
	if sub == "" {
		return nil
	}
	return []string{"strpos(lower(" + col + "), lower(" + a.add(sub) + ")) > 0"}
}

// spatial holds the conditions of the location filters on col and, with a
// Near filter, the distance expression the list is ordered by. A NULL col
// (no location) fails every condition.
// dists are the SQL expressions of a record's distances from a filter's
// Near point and from its Within geometry, "" for a filter without them.
type dists struct {
	near, within string
	// knn orders by the index for a Near filter: the geometry column,
	// the point's placeholder (WKB) and how far, in degrees of a planar
	// distance, records may lie (see knnSQL).
	knn *knnOrder
}

// knnOrder is what knnSQL needs of a Near filter.
type knnOrder struct {
	col, point string
	// scale turns a planar distance in degrees into a lower bound of the
	// geodesic distance in metres anywhere within the filter's box.
	scale float64
	// conds are the filter's conditions as spatial writes them, and
	// hidden the same conditions with the point and the box behind
	// subqueries, near the distance so written (see knnSQL).
	conds, hidden [2]string
	near          string
}

func spatial(a *args, col string, s db.Spatial) (conds []string, dist dists, err error) {
	if s.BBox != nil {
		if !geo.Finite(s.BBox.Min) || !geo.Finite(s.BBox.Max) {
			return nil, dists{}, db.Errorf(db.EINVALID, "bbox: coordinates must be finite numbers")
		}
		b, err := encode(geo.BoundGeometry(*s.BBox))
		if err != nil {
			return nil, dists{}, err
		}
		g := "ST_GeomFromWKB(" + a.add(b) + ", 4326)"
		conds = append(conds, col+" && "+g, "ST_Intersects("+col+", "+g+")")
	}
	if s.Intersects != nil {
		b, err := encode(s.Intersects)
		if err != nil {
			return nil, dists{}, err
		}
		conds = append(conds, "ST_Intersects("+col+", ST_GeomFromWKB("+a.add(b)+", 4326))")
	}
	if s.Near != nil {
		if err := checkNear(s.Near); err != nil {
			return nil, dists{}, err
		}
		pt, _ := encode(s.Near.Point)
		// On the WGS 84 ellipsoid, geography's default: PostGIS finds the
		// nearest points on the sphere and measures between them with
		// GeographicLib, as geo.DistanceToGeometry does.
		ptArg := a.add(pt)
		dist.near = "ST_Distance(" + col + "::geography, ST_GeomFromWKB(" + ptArg + ", 4326)::geography)"
		// The box holds everything within the radius, so it only prunes;
		// it is what lets the GiST index on col answer. An edge is a
		// great-circle arc that bows poleward out of its vertices' box; the
		// pad (about 100 m, as in the memory backend) keeps an area whose
		// arc comes within the radius.
		box := geo.RadiusBound(s.Near.Point, s.Near.RadiusMeters).Pad(0.001)
		env, radius := envelope(a, box), a.add(s.Near.RadiusMeters)
		conds = append(conds, col+" && "+env, dist.near+" <= "+radius)
		near := "ST_Distance(" + col + "::geography, (SELECT ST_GeomFromWKB(" + ptArg + ", 4326)::geography))"
		dist.knn = &knnOrder{col: col, point: ptArg, scale: geodesicPerDegree(box),
			conds:  [2]string{conds[len(conds)-2], conds[len(conds)-1]},
			hidden: [2]string{col + " && (SELECT " + env + ")", near + " <= " + radius}, near: near}
	}
	if s.Within != nil {
		if err := s.Within.Validate(); err != nil {
			return nil, dists{}, err
		}
		g, err := encode(s.Within.Geometry)
		if err != nil {
			return nil, dists{}, err
		}
		// As with Near, the box only prunes, for the index; ST_DWithin
		// on the ellipsoid decides, as geo.PointsDistance does, and the
		// distance is reported as ST_Distance measures it.
		wg := "ST_GeomFromWKB(" + a.add(g) + ", 4326)::geography"
		conds = append(conds, col+" && "+envelope(a, s.Within.Bound()),
			"ST_DWithin("+col+"::geography, "+wg+", "+a.add(s.Within.Meters)+")")
		dist.within = "ST_Distance(" + col + "::geography, " + wg + ")"
	}
	return conds, dist, nil
}

// envelope is b as a geometry to test with &&.
func envelope(a *args, b orb.Bound) string {
	return "ST_MakeEnvelope(" + a.add(b.Min[0]) + ", " + a.add(b.Min[1]) + ", " + a.add(b.Max[0]) + ", " + a.add(b.Max[1]) + ", 4326)"
}

// selection is the part of a list query that picks the matching records:
// from binds the record table under its alias (joined with a link table for
// the per-parent lists), parent is the key each record is listed under ("0"
// for a plain list) and dist the Near and Within distances. id is the
// record's key as from exposes it, alias.id when empty: a link table's own
// foreign key spares the join with the record table when no condition
// needs the record's columns.
type selection struct {
	from   string
	parent string
	id     string
	conds  []string
	dist   dists
}

// record is how a table's rows are read: cols lists the columns a scanner
// expects, given the alias. keep is a SQL condition; where it is false the
// expensive columns (geometry) may come back NULL.
type record struct {
	table string
	alias string
	cols  func(keep string) string
}

// pagedSQL numbers the matching records within each parent, counts them,
// and keeps the page of each parent, whose ranks (lo, hi] it computes by
// the rule of db.Page.Bounds: upto is how many matches lie at or before
// the After key, below how many lie before the Before key. The first record
// of every parent is kept as well, even off the page: its count is the
// parent's total, which would be lost with the rest when the page is past
// the end or empty. Parents with no match get no row at all, and a total
// of 0.
func pagedSQL(a *args, sel selection, rec record, p db.Page) string {
	dist, order := "NULL::double precision", "id"
	near := sel.dist.near != ""
	if near {
		dist, order = sel.dist.near, "dist, id"
	}
	wdist := "NULL::double precision"
	if sel.dist.within != "" {
		wdist = sel.dist.within
	}
	id := sel.id
	if id == "" {
		id = rec.alias + ".id"
	}
	// at compares a match's place with a key's: (dist, id) nearest first,
	// id otherwise, as row values compare, field by field.
	at := func(op string, k *db.Key) string {
		if near {
			return "(dist, id) " + op + " (" + a.add(k.Dist) + "::double precision, " + a.add(k.ID) + "::bigint)"
		}
		return "id " + op + " " + a.add(k.ID) + "::bigint"
	}
	counts, upto, below := "", "", "total"
	if p.After == nil && p.Before == nil {
		upto = "least(" + a.add(int64(max(p.Offset, 0))) + "::bigint, total)"
	} else {
		upto = "0::bigint"
	}
	if p.After != nil {
		counts += ", count(*) FILTER (WHERE " + at("<=", p.After) + ") OVER (PARTITION BY pid) AS upto"
		upto = "upto"
	}
	if p.Before != nil {
		counts += ", count(*) FILTER (WHERE " + at("<", p.Before) + ") OVER (PARTITION BY pid) AS below"
		below = "greatest(below, " + upto + ")"
	}
	limit := a.add(int64(max(p.Limit, 0))) + "::bigint"
	lo, hi := upto, upto+" + least("+limit+", "+below+" - "+upto+")"
	if p.FromEnd {
		lo, hi = "greatest("+upto+", "+below+" - "+limit+")", below
	}
	keep := "w.rn > w.lo AND w.rn <= w.hi"
	return "WITH m AS (SELECT " + sel.parent + " AS pid, " + id + " AS id, " + dist + " AS dist, " + wdist + " AS wdist FROM " +
		sel.from + where(sel.conds) + "), " +
		"n AS (SELECT pid, id, dist, wdist, row_number() OVER (PARTITION BY pid ORDER BY " + order + ") AS rn, " +
		"count(*) OVER (PARTITION BY pid) AS total" + counts + " FROM m), " +
		"w AS (SELECT pid, id, dist, wdist, rn, total, " + lo + " AS lo, " + hi + " AS hi FROM n) " +
		"SELECT w.pid, w.total, w.rn, w.dist, w.wdist, w.lo, w.hi, " + rec.cols(keep) + " FROM w JOIN " + rec.table + " " + rec.alias +
		" ON " + rec.alias + ".id = w.id WHERE w.rn = 1 OR (" + keep + ") ORDER BY w.pid, w.rn"
}

// scanner reads one row into a record of type T: dest lists where the
// columns go, record builds the result once they are there. A scanner is
// used for one row only, since pgx may reuse what pointers point at.
type scanner[T any] interface {
	dest() []any
	record() (T, error)
}

// querier runs statements: the pool for reads, a transaction for the
// reads a write makes.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// queryRecords runs a statement that returns whole records.
func queryRecords[T any](ctx context.Context, s *Store, op string, newRow func() scanner[T], sql string, args args) ([]T, error) {
	return queryRecordsOn(ctx, s.reads, op, newRow, sql, args)
}

// queryRecordsOn is queryRecords on q.
func queryRecordsOn[T any](ctx context.Context, q querier, op string, newRow func() scanner[T], sql string, args args) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, translateIn(ctx, err, op)
	}
	out, err := scanRecords(rows, newRow)
	if err != nil {
		return nil, translateIn(ctx, err, op)
	}
	return out, nil
}

// scanRecords reads every row of rows as a record, and closes rows.
func scanRecords[T any](rows pgx.Rows, newRow func() scanner[T]) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		r := newRow()
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, err
		}
		v, err := r.record()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// byIDs answers a batch lookup: one entry per id in input order, nil where
// no record has the id. A record asked for twice is copied, so that no two
// entries share memory.
func byIDs[T any](ids []int64, records []T, idOf func(T) int64, clone func(T) T) []T {
	found := make(map[int64]T, len(records))
	for _, r := range records {
		found[idOf(r)] = r
	}
	out := make([]T, len(ids))
	used := make(map[int64]bool, len(ids))
	for i, id := range ids {
		r, ok := found[id]
		if !ok {
			continue
		}
		if used[id] {
			r = clone(r)
		}
		used[id] = true
		out[i] = r
	}
	return out
}

// queryPaged runs a statement built by pagedSQL and hands back one list per
// parent in the order of parents; a parent listed twice gets a copy.
func queryPaged[T any](ctx context.Context, s *Store, op string, newRow func() scanner[T], clone func(T) T,
	sql string, args args, p db.Page, dist dists, parents []int64) ([]db.List[T], error) {
	near, within := dist.near != "", dist.within != ""
	if err := p.Check(near); err != nil {
		return nil, err
	}
	rows, err := s.reads.Query(ctx, sql, args...)
	if err != nil {
		return nil, translateIn(ctx, err, op)
	}
	defer rows.Close()
	lists := make(map[int64]*db.List[T], len(parents))
	for rows.Next() {
		var pid, total, rn, lo, hi int64
		var d, wd *float64
		r := newRow()
		if err := rows.Scan(append([]any{&pid, &total, &rn, &d, &wd, &lo, &hi}, r.dest()...)...); err != nil {
			return nil, translateIn(ctx, err, op)
		}
		l := lists[pid]
		if l == nil {
			l = &db.List[T]{}
			lists[pid] = l
		}
		l.Total, l.Start = int(total), int(lo)
		if rn <= lo || rn > hi {
			continue
		}
		v, err := r.record()
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, v)
		if near && d != nil {
			l.Distances = append(l.Distances, *d)
		}
		if within && wd != nil {
			l.WithinDistances = append(l.WithinDistances, *wd)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translateIn(ctx, err, op)
	}
	out := make([]db.List[T], len(parents))
	used := make(map[int64]bool, len(parents))
	for i, pid := range parents {
		l := lists[pid]
		if l == nil {
			continue
		}
		out[i] = *l
		if used[pid] {
			out[i].Items = make([]T, len(l.Items))
			for j, v := range l.Items {
				out[i].Items[j] = clone(v)
			}
			out[i].Distances = append([]float64(nil), l.Distances...)
			out[i].WithinDistances = append([]float64(nil), l.WithinDistances...)
		}
		used[pid] = true
	}
	return out, nil
}

// distinct drops repeated ids, for = ANY over a batch's keys.
func distinct(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// geodesicPerDegree is a lower bound, in metres per degree, of how far
// apart on the WGS 84 ellipsoid two places within b are, against their
// planar distance in degrees: along any path ds² = M²dφ² + N²cos²φ dλ²,
// and M ≥ 6,335,439 m (the meridian radius at the equator) while N ≥ M, so
// ds ≥ M cos φ · √(dφ² + dλ²) with φ the highest latitude the path
// reaches. A geodesic between two places of b bows poleward out of it by
// less than half its height, which the latitude is raised by.
func geodesicPerDegree(b orb.Bound) float64 {
	lat := max(math.Abs(b.Min[1]), math.Abs(b.Max[1])) + (b.Max[1]-b.Min[1])/2 + 0.01
	if lat >= 89.9 {
		return 0
	}
	return 6335439 * math.Pi / 180 * math.Cos(lat*math.Pi/180) * 0.999
}

// knnCandidates is how many records, nearest first by planar distance
// from the GiST index, knnSQL ranks for a page ending at end: about twice
// what a page needs holds the geodesically nearest in most places, and
// the statement says when it did not.
func knnCandidates(end int) int64 { return int64(knnFactor*end + knnSlack) }

// The candidates knnSQL ranks per record of the page, and beyond; tests
// lower them to reach the statement's fallback.
var knnFactor, knnSlack = 4, 16

// knnUsable says whether knnSQL can answer the page: a Near filter on
// points, a plain list (no parents), no Within distance and no key, and a
// caller that needs no exact total.
func knnUsable(sel selection, p db.Page) bool {
	return sel.dist.knn != nil && sel.dist.knn.scale > 0 && sel.dist.within == "" && sel.parent == "0" &&
		p.NoTotal && p.After == nil && p.Before == nil && !p.FromEnd
}

// knnSQL reads the candidates of a page of a Near list in the index's own
// order: the GiST index hands out the records nearest by planar distance
// (ORDER BY col <-> point, an Index Scan with Order By), and the first
// knnCandidates(end) of those that match come back, each with its
// distance on the ellipsoid, its planar distance and rec's columns.
// queryKNN ranks them.
//
// It is one plain statement, without the window functions and common
// table expressions of pagedSQL, and the point and the box sit behind
// subqueries (InitPlans), the number of candidates is written out: the
// planner then prices every point alike, so after five executions of the
// prepared statement PostgreSQL keeps its generic plan, the same index
// scan, and plans it no more. Planning it anew for every point cost
// about as much as running it.
func knnSQL(sel selection, rec record, p db.Page) string {
	k := sel.dist.knn
	end := max(p.Offset, 0) + max(p.Limit, 0)
	conds := slices.Clone(sel.conds)
	for i, c := range conds {
		for j := range k.conds {
			if c == k.conds[j] {
				conds[i] = k.hidden[j]
			}
		}
	}
	pt := "(SELECT ST_GeomFromWKB(" + k.point + ", 4326))"
	return "SELECT " + k.near + ", " + k.col + " <-> " + pt + ", " + rec.cols("") + " FROM " + sel.from + where(conds) +
		" ORDER BY " + k.col + " <-> " + pt + " LIMIT " + strconv.FormatInt(knnCandidates(end+1), 10)
}

// queryKNN runs a statement built by knnSQL and ranks its candidates by
// (distance, id). The ranking is exact when the candidates are all the
// matches, or when the last candidate's planar distance, turned into a
// lower bound in metres (knnOrder.scale), exceeds the distance of the
// record just past the page: every other match lies at least that far.
// Otherwise ok is false, and the caller asks again with pagedSQL. The
// total is the number of candidates, which is more than the page's end
// exactly when a record follows it, as db.Page.NoTotal allows. Only the
// page's records are built from their rows.
func queryKNN[T any](ctx context.Context, s *Store, op string, newRow func() scanner[T],
	sql string, args args, p db.Page, dist dists) (l db.List[T], ok bool, err error) {
	if err := p.Check(true); err != nil {
		return l, false, err
	}
	rows, err := s.reads.Query(ctx, sql, args...)
	if err != nil {
		return l, false, translateIn(ctx, err, op)
	}
	defer rows.Close()
	type candidate struct {
		dist, planar float64
		row          scanner[T]
		id           int64
	}
	var cands []candidate
	far := 0.0
	for rows.Next() {
		c := candidate{row: newRow()}
		d := c.row.dest()
		if err := rows.Scan(append([]any{&c.dist, &c.planar}, d...)...); err != nil {
			return l, false, translateIn(ctx, err, op)
		}
		// The id is the first column of every record.
		c.id = *d[0].(*int64)
		far = max(far, c.planar)
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return l, false, translateIn(ctx, err, op)
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		switch {
		case a.dist < b.dist || a.dist == b.dist && a.id < b.id:
			return -1
		case a.dist == b.dist && a.id == b.id:
			return 0
		}
		return 1
	})
	off, lim := max(p.Offset, 0), max(p.Limit, 0)
	if n := len(cands); n >= int(knnCandidates(off+lim+1)) && !(far*dist.knn.scale > cands[min(off+lim, n-1)].dist) {
		return l, false, nil
	}
	lo := min(off, len(cands))
	hi := lo + min(lim, len(cands)-lo)
	l = db.List[T]{Total: len(cands), Start: lo, Items: make([]T, 0, hi-lo), Distances: make([]float64, 0, hi-lo)}
	for _, c := range cands[lo:hi] {
		v, err := c.row.record()
		if err != nil {
			return db.List[T]{}, false, err
		}
		l.Items = append(l.Items, v)
		l.Distances = append(l.Distances, c.dist)
	}
	return l, true, nil
}
