package postgis

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// Load adds the dataset in one transaction: all of it or nothing. Records
// keep their ids and versions (0 is stored as 1), and the id sequences move
// past the ids loaded. The dataset is checked first, in Go, so that a bad
// record is named in the error; the schema's constraints stay as the
// backstop.
func (s *Store) Load(ctx context.Context, ds *db.Dataset) error {
	if ds == nil {
		return nil
	}
	if err := ds.Validate(); err != nil {
		return err
	}
	if err := checkVersions(ds); err != nil {
		return err
	}
	keys := datasetKeysOf(ds)
	// An operator's load waits for a connection as long as ctx lets it
	// (see pool).
	err := s.commit(ctx, s.pool.Acquire, func(tx pgx.Tx) error {
		if err := checkStored(ctx, tx, ds, keys); err != nil {
			return err
		}
		// The dataset's ids are new (checkStored found none stored, and
		// the primary key keeps a concurrent load from taking them), so no
		// stored area points at one of them, and a write cannot before
		// this load commits: a cycle can lie only among the dataset's own
		// areas, which needs neither the database nor a lock to find.
		if err := ds.CheckCycles(); err != nil {
			return err
		}
		if err := insertDataset(ctx, tx, ds); err != nil {
			return err
		}
		if err := advanceIDs(ctx, tx, ds); err != nil {
			return err
		}
		return feedLoad(ctx, tx, ds)
	})
	if err != nil {
		return translateIn(ctx, err, "load")
	}
	return nil
}

// feedLoad records the change events of a load (db.LoadChanges). An
// initiative of the dataset may name organisations stored before it; their
// kinds are read in the transaction.
func feedLoad(ctx context.Context, tx pgx.Tx, ds *db.Dataset) error {
	var ask []int64
	for _, in := range ds.Initiatives {
		ask = append(ask, db.InitiativeOrgIDs(in)...)
	}
	kinds, err := orgKinds(ctx, tx, ask)
	if err != nil {
		return err
	}
	events := db.LoadChanges(ds, kinds)
	if len(events) == 0 {
		return nil
	}
	at, err := lockAudit(ctx, tx)
	if err != nil {
		return err
	}
	return insertChanges(ctx, tx, at, events)
}

// checkVersions rejects a negative version; 0 means "not set" and loads as
// 1, what a new record starts at.
func checkVersions(ds *db.Dataset) error {
	for _, a := range ds.Areas {
		if a.Version < 0 {
			return invalid("%s: version must not be negative", areaName(a))
		}
	}
	for _, o := range ds.Organizations {
		if o.Version < 0 {
			return invalid("organization %d: version must not be negative", o.ID)
		}
	}
	for _, in := range ds.Initiatives {
		if in.Version < 0 {
			return invalid("initiative %d: version must not be negative", in.ID)
		}
	}
	for _, d := range ds.Indicators {
		if d.Version < 0 {
			return invalid("indicator %q: version must not be negative", d.Code)
		}
	}
	return nil
}

// version is the version a record is stored with.
func version(v int64) int64 { return max(v, 1) }

// idsLock is the first half of the advisory lock key that guards the id
// sequences against moving back; the second half is derived from the
// schema, as for migrations. A write that takes a new id holds it shared
// from before it takes the id to its commit; a load holds it exclusively
// while it moves the sequences past the ids it brings. Without it a load
// could read a sequence, a create take the next id, and the load then set
// the sequence below that id, which would be handed out again. An import
// (mergeAreas) takes its ids under a lock on the areas table that a load's
// inserts wait for, and needs no more.
const idsLock = 0x69647321 // "ids!"

// newID takes the shared ids lock before a write takes a new id.
func newID(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1, hashtext(current_schema()))`, idsLock)
	return err
}

// advanceIDs moves each id sequence past the largest id the dataset
// brings, unless it is past it already.
func advanceIDs(ctx context.Context, tx pgx.Tx, ds *db.Dataset) error {
	var areas, orgs, inits int64
	for _, a := range ds.Areas {
		areas = max(areas, a.ID)
	}
	for _, o := range ds.Organizations {
		orgs = max(orgs, o.ID)
	}
	for _, in := range ds.Initiatives {
		inits = max(inits, in.ID)
	}
	if areas+orgs+inits == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, idsLock)
	for _, seq := range []struct {
		name string
		max  int64
	}{{"areas_id_seq", areas}, {"organizations_id_seq", orgs}, {"initiatives_id_seq", inits}} {
		if seq.max > 0 {
			// pg_sequence_last_value is NULL until the sequence has
			// handed out a value.
			b.Queue(`SELECT setval($1::text::regclass, $2)
				WHERE $2 > coalesce(pg_sequence_last_value($1::text::regclass), 0)`, seq.name, seq.max)
		}
	}
	return tx.SendBatch(ctx, b).Close()
}

// datasetKeys are the keys a dataset defines.
type datasetKeys struct {
	areas      map[int64]bool
	codes      map[string]int64
	orgs       map[int64]bool
	inits      map[int64]bool
	indicators map[string]bool
}

func invalid(format string, args ...any) error { return db.Errorf(db.EINVALID, format, args...) }

func conflict(format string, args ...any) error { return db.Errorf(db.ECONFLICT, format, args...) }

func areaName(a *db.Area) string { return fmt.Sprintf("area %d (code %q)", a.ID, a.Code) }

func valueName(v db.IndicatorValue) string {
	return fmt.Sprintf("value of %q for area %d, %d, %s", v.IndicatorCode, v.AreaID, v.Year, v.Sex)
}

// datasetKeysOf collects the keys the dataset defines, for checkStored.
// Everything about the records on their own is db.Validate's, which has run.
func datasetKeysOf(ds *db.Dataset) *datasetKeys {
	k := &datasetKeys{
		areas: map[int64]bool{}, codes: map[string]int64{}, orgs: map[int64]bool{}, inits: map[int64]bool{},
		indicators: map[string]bool{},
	}
	for _, a := range ds.Areas {
		k.areas[a.ID] = true
		k.codes[a.Code] = a.ID
	}
	for _, o := range ds.Organizations {
		k.orgs[o.ID] = true
	}
	for _, in := range ds.Initiatives {
		k.inits[in.ID] = true
	}
	for _, d := range ds.Indicators {
		k.indicators[d.Code] = true
	}
	return k
}

// storedKeys are the keys the database already holds, among those a
// dataset defines or refers to.
type storedKeys struct {
	areas      map[int64]bool
	codes      map[string]bool
	orgs       map[int64]bool
	inits      map[int64]bool
	indicators map[string]bool
}

// checkStored checks the dataset against what is stored: no key taken
// twice, no reference to a record that exists nowhere. The lookups go to
// the database in one round trip.
func checkStored(ctx context.Context, tx pgx.Tx, ds *db.Dataset, k *datasetKeys) error {
	// Keys to look up: the dataset's own, to find conflicts, and those it
	// refers to without defining them, to find dangling references.
	areaKeys := maps.Clone(k.areas)
	orgKeys := maps.Clone(k.orgs)
	codeKeys := maps.Clone(k.indicators)
	refer := func(keys map[int64]bool, id int64) {
		if id != 0 {
			keys[id] = true
		}
	}
	for _, a := range ds.Areas {
		refer(areaKeys, a.ParentID)
	}
	for _, o := range ds.Organizations {
		for _, id := range o.AreaIDs {
			refer(areaKeys, id)
		}
	}
	for _, in := range ds.Initiatives {
		for _, id := range in.AreaIDs {
			refer(areaKeys, id)
		}
		refer(orgKeys, in.LeadID)
		for _, p := range in.Partners {
			refer(orgKeys, p.OrganizationID)
		}
	}
	for _, v := range ds.Values {
		refer(areaKeys, v.AreaID)
		codeKeys[v.IndicatorCode] = true
	}
	codes := collect(k.codes)

	st := storedKeys{areas: map[int64]bool{}, codes: map[string]bool{}, orgs: map[int64]bool{}, inits: map[int64]bool{},
		indicators: map[string]bool{}}
	b := &pgx.Batch{}
	b.Queue(`SELECT id, code FROM areas WHERE id = ANY($1::bigint[]) OR code = ANY($2::text[])`, collect(areaKeys), codes).
		Query(func(rows pgx.Rows) error {
			var id int64
			var code string
			_, err := pgx.ForEachRow(rows, []any{&id, &code}, func() error {
				st.areas[id], st.codes[code] = true, true
				return nil
			})
			return err
		})
	queueIDs(b, `SELECT id FROM organizations WHERE id = ANY($1::bigint[])`, collect(orgKeys), st.orgs)
	queueIDs(b, `SELECT id FROM initiatives WHERE id = ANY($1::bigint[])`, collect(k.inits), st.inits)
	b.Queue(`SELECT code FROM indicators WHERE code = ANY($1::text[])`, collect(codeKeys)).Query(func(rows pgx.Rows) error {
		var code string
		_, err := pgx.ForEachRow(rows, []any{&code}, func() error {
			st.indicators[code] = true
			return nil
		})
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}

	areaExists := func(id int64) bool { return k.areas[id] || st.areas[id] }
	orgExists := func(id int64) bool { return k.orgs[id] || st.orgs[id] }
	for _, a := range ds.Areas {
		switch {
		case st.areas[a.ID]:
			return conflict("%s: an area with id %d already exists", areaName(a), a.ID)
		case st.codes[a.Code]:
			return conflict("%s: an area with code %q already exists", areaName(a), a.Code)
		case a.ParentID != 0 && !areaExists(a.ParentID):
			return invalid("%s: parent area %d does not exist", areaName(a), a.ParentID)
		}
	}
	for _, o := range ds.Organizations {
		if st.orgs[o.ID] {
			return conflict("organization %d already exists", o.ID)
		}
		for _, id := range o.AreaIDs {
			if !areaExists(id) {
				return invalid("organization %d: area %d does not exist", o.ID, id)
			}
		}
	}
	for _, in := range ds.Initiatives {
		if st.inits[in.ID] {
			return conflict("initiative %d already exists", in.ID)
		}
		if in.LeadID != 0 && !orgExists(in.LeadID) {
			return invalid("initiative %d: lead organization %d does not exist", in.ID, in.LeadID)
		}
		for _, p := range in.Partners {
			if !orgExists(p.OrganizationID) {
				return invalid("initiative %d: partner organization %d does not exist", in.ID, p.OrganizationID)
			}
		}
		for _, id := range in.AreaIDs {
			if !areaExists(id) {
				return invalid("initiative %d: area %d does not exist", in.ID, id)
			}
		}
	}
	for _, d := range ds.Indicators {
		if st.indicators[d.Code] {
			return conflict("indicator %q already exists", d.Code)
		}
	}
	for _, v := range ds.Values {
		switch {
		case !areaExists(v.AreaID):
			return invalid("%s: area %d does not exist", valueName(v), v.AreaID)
		case !k.indicators[v.IndicatorCode] && !st.indicators[v.IndicatorCode]:
			return invalid("%s: indicator %q does not exist", valueName(v), v.IndicatorCode)
		}
	}
	// Values already stored under the same key are left to the primary
	// key: checking them here would mean fetching them all.
	return nil
}

// collect lists the keys of a map, for = ANY.
func collect[K comparable, V any](m map[K]V) []K { return slices.Collect(maps.Keys(m)) }

func queueIDs(b *pgx.Batch, sql string, ids []int64, into map[int64]bool) {
	b.Queue(sql, ids).Query(func(rows pgx.Rows) error {
		var id int64
		_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
			into[id] = true
			return nil
		})
		return err
	})
}

// chunkSize bounds the rows of one INSERT, so a large dataset goes in a
// few statements of a few megabytes rather than one huge one or one per
// row.
const chunkSize = 5000

// insertRows runs an INSERT … SELECT FROM unnest(…) over n rows in chunks;
// columns fills the arrays of rows [lo, hi), one slice per unnest argument.
func insertRows(ctx context.Context, tx pgx.Tx, sql string, n int, columns func(lo, hi int) []any) error {
	for lo := 0; lo < n; lo += chunkSize {
		hi := min(lo+chunkSize, n)
		if _, err := tx.Exec(ctx, sql, columns(lo, hi)...); err != nil {
			return err
		}
	}
	return nil
}

// column builds one unnest argument from rows [lo, hi) of records.
func column[R, V any](records []R, lo, hi int, f func(R) V) []V {
	out := make([]V, 0, hi-lo)
	for _, r := range records[lo:hi] {
		out = append(out, f(r))
	}
	return out
}

// int32p narrows a count for an integer column; db.Validate has bounded it.
func int32p(n *int) *int32 {
	if n == nil {
		return nil
	}
	v := int32(*n)
	return &v
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// words joins vocabulary words for string_to_array. They contain no comma:
// db.Validate lets through only the vocabulary's own, in its order.
func words[S ~string](set []S) string { return strings.Join(strs(set), ",") }

// pair is one row of a link table.
type pair struct {
	left, right int64
	role        string
}

func insertDataset(ctx context.Context, tx pgx.Tx, ds *db.Dataset) error {
	areaWKB := make([][]byte, len(ds.Areas))
	for i, a := range ds.Areas {
		b, err := encode(a.Geometry)
		if err != nil {
			return invalid("%s: %v", areaName(a), db.ErrorMessage(err))
		}
		areaWKB[i] = b
	}
	err := insertRows(ctx, tx, `INSERT INTO areas (id, code, name, kind, area_type, parent_id, geom, valid_from, valid_to, description,
			version)
		SELECT id, code, name, kind, area_type, parent_id, ST_GeomFromWKB(wkb, 4326), valid_from, valid_to, description,
			version
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::bigint[], $7::bytea[],
			$8::date[], $9::date[], $10::text[], $11::bigint[])
			AS u(id, code, name, kind, area_type, parent_id, wkb, valid_from, valid_to, description, version)`,
		len(ds.Areas), func(lo, hi int) []any {
			as := ds.Areas
			return []any{
				column(as, lo, hi, func(a *db.Area) int64 { return a.ID }),
				column(as, lo, hi, func(a *db.Area) string { return a.Code }),
				column(as, lo, hi, func(a *db.Area) string { return a.Name }),
				column(as, lo, hi, func(a *db.Area) string { return string(a.Kind) }),
				column(as, lo, hi, func(a *db.Area) *int16 {
					if a.AreaType == 0 {
						return nil
					}
					t := int16(a.AreaType)
					return &t
				}),
				column(as, lo, hi, func(a *db.Area) *int64 { return nullID(a.ParentID) }),
				areaWKB[lo:hi],
				column(as, lo, hi, func(a *db.Area) *time.Time { return a.ValidFrom }),
				column(as, lo, hi, func(a *db.Area) *time.Time { return a.ValidTo }),
				column(as, lo, hi, func(a *db.Area) string { return a.Description }),
				column(as, lo, hi, func(a *db.Area) int64 { return version(a.Version) }),
			}
		})
	if err != nil {
		return err
	}

	orgWKB := make([][]byte, len(ds.Organizations))
	var orgAreas []pair
	for i, o := range ds.Organizations {
		if o.Location != nil {
			orgWKB[i], _ = encode(*o.Location)
		}
		for _, id := range o.AreaIDs {
			orgAreas = append(orgAreas, pair{left: o.ID, right: id})
		}
	}
	err = insertRows(ctx, tx, `INSERT INTO organizations (id, kind, name, org_number, location, website, industry, size, activity,
			version)
		SELECT id, kind, name, org_number, ST_GeomFromWKB(wkb, 4326), website, industry, size, activity, version
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[], $7::text[], $8::text[], $9::text[],
			$10::bigint[])
			AS u(id, kind, name, org_number, wkb, website, industry, size, activity, version)`,
		len(ds.Organizations), func(lo, hi int) []any {
			os := ds.Organizations
			return []any{
				column(os, lo, hi, func(o *db.Organization) int64 { return o.ID }),
				column(os, lo, hi, func(o *db.Organization) string { return string(o.Kind) }),
				column(os, lo, hi, func(o *db.Organization) string { return o.Name }),
				column(os, lo, hi, func(o *db.Organization) string { return o.OrgNumber }),
				orgWKB[lo:hi],
				column(os, lo, hi, func(o *db.Organization) string { return o.Website }),
				column(os, lo, hi, func(o *db.Organization) string { return o.Industry }),
				column(os, lo, hi, func(o *db.Organization) string { return string(o.Size) }),
				column(os, lo, hi, func(o *db.Organization) string { return o.Activity }),
				column(os, lo, hi, func(o *db.Organization) int64 { return version(o.Version) }),
			}
		})
	if err != nil {
		return err
	}
	if err := insertPairs(ctx, tx, insertOrganizationAreas, orgAreas, false); err != nil {
		return err
	}

	err = insertRows(ctx, tx, `INSERT INTO indicators (code, name, name_sv, description, unit, higher_is_better, source,
			license, attribution, min_count, rollup, weight_indicator, version)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[],
			$8::text[], $9::text[], $10::integer[], $11::text[], $12::text[], $13::bigint[])`,
		len(ds.Indicators), func(lo, hi int) []any {
			ds := ds.Indicators
			return []any{
				column(ds, lo, hi, func(d *db.Indicator) string { return d.Code }),
				column(ds, lo, hi, func(d *db.Indicator) string { return d.Name }),
				column(ds, lo, hi, func(d *db.Indicator) string { return d.NameSv }),
				column(ds, lo, hi, func(d *db.Indicator) string { return d.Description }),
				column(ds, lo, hi, func(d *db.Indicator) string { return d.Unit }),
				column(ds, lo, hi, func(d *db.Indicator) bool { return d.HigherIsBetter }),
				column(ds, lo, hi, func(d *db.Indicator) string { return d.Source }),
				column(ds, lo, hi, func(d *db.Indicator) string { return d.License }),
				column(ds, lo, hi, func(d *db.Indicator) string { return d.Attribution }),
				column(ds, lo, hi, func(d *db.Indicator) int32 { return int32(d.MinCount) }), // db.Validate bounds it
				column(ds, lo, hi, func(d *db.Indicator) string { return string(d.Rollup) }),
				column(ds, lo, hi, func(d *db.Indicator) string { return d.WeightIndicator }),
				column(ds, lo, hi, func(d *db.Indicator) int64 { return version(d.Version) }),
			}
		})
	if err != nil {
		return err
	}

	initWKB := make([][]byte, len(ds.Initiatives))
	var initAreas, partners []pair
	for i, in := range ds.Initiatives {
		if len(in.Locations) > 0 {
			initWKB[i], _ = encode(orb.MultiPoint(in.Locations))
		}
		for _, id := range in.AreaIDs {
			initAreas = append(initAreas, pair{left: in.ID, right: id})
		}
		for _, p := range in.Partners {
			partners = append(partners, pair{left: in.ID, right: p.OrganizationID, role: string(p.Role)})
		}
	}
	err = insertRows(ctx, tx, `INSERT INTO initiatives (id, title, description, status, start_date, end_date, goal_area,
			focus_groups, themes, locations, lead_id, reach_participants, reach_into_work, reach_into_study, version)
		SELECT id, title, description, status, start_date, end_date, goal_area,
			string_to_array(focus_groups, ','), string_to_array(themes, ','), ST_GeomFromWKB(wkb, 4326), lead_id,
			participants, into_work, into_study, version
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::date[], $6::date[], $7::text[],
			$8::text[], $9::text[], $10::bytea[], $11::bigint[], $12::integer[], $13::integer[], $14::integer[],
			$15::bigint[])
			AS u(id, title, description, status, start_date, end_date, goal_area, focus_groups, themes, wkb, lead_id,
				participants, into_work, into_study, version)`,
		len(ds.Initiatives), func(lo, hi int) []any {
			is := ds.Initiatives
			reach := func(f func(db.Reach) *int) []*int32 {
				return column(is, lo, hi, func(in *db.Initiative) *int32 { return int32p(f(in.Reach)) })
			}
			return []any{
				column(is, lo, hi, func(in *db.Initiative) int64 { return in.ID }),
				column(is, lo, hi, func(in *db.Initiative) string { return in.Title }),
				column(is, lo, hi, func(in *db.Initiative) string { return in.Description }),
				column(is, lo, hi, func(in *db.Initiative) string { return string(in.Status) }),
				column(is, lo, hi, func(in *db.Initiative) *time.Time { return in.StartDate }),
				column(is, lo, hi, func(in *db.Initiative) *time.Time { return in.EndDate }),
				column(is, lo, hi, func(in *db.Initiative) string { return string(in.GoalArea) }),
				column(is, lo, hi, func(in *db.Initiative) string { return words(in.FocusGroups) }),
				column(is, lo, hi, func(in *db.Initiative) string { return words(in.Themes) }),
				initWKB[lo:hi],
				column(is, lo, hi, func(in *db.Initiative) *int64 { return nullID(in.LeadID) }),
				reach(func(r db.Reach) *int { return r.Participants }),
				reach(func(r db.Reach) *int { return r.IntoWork }),
				reach(func(r db.Reach) *int { return r.IntoStudy }),
				column(is, lo, hi, func(in *db.Initiative) int64 { return version(in.Version) }),
			}
		})
	if err != nil {
		return err
	}
	if err := insertPairs(ctx, tx, insertInitiativeAreas, initAreas, false); err != nil {
		return err
	}
	if err := insertPairs(ctx, tx, insertInitiativePartners, partners, true); err != nil {
		return err
	}

	return insertRows(ctx, tx, `INSERT INTO indicator_values (area_id, indicator_code, year, sex, value, count)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::double precision[], $6::integer[])`,
		len(ds.Values), func(lo, hi int) []any {
			vs := ds.Values
			return []any{
				column(vs, lo, hi, func(v db.IndicatorValue) int64 { return v.AreaID }),
				column(vs, lo, hi, func(v db.IndicatorValue) string { return v.IndicatorCode }),
				column(vs, lo, hi, func(v db.IndicatorValue) int { return v.Year }),
				column(vs, lo, hi, func(v db.IndicatorValue) string { return string(v.Sex) }),
				column(vs, lo, hi, func(v db.IndicatorValue) float64 { return v.Value }),
				column(vs, lo, hi, func(v db.IndicatorValue) *int32 { return int32p(v.Count) }),
			}
		})
}

// Statements that fill the link tables from arrays of ids (and roles).
const (
	insertOrganizationAreas = `INSERT INTO organization_areas (organization_id, area_id)
		SELECT * FROM unnest($1::bigint[], $2::bigint[])`
	insertInitiativeAreas = `INSERT INTO initiative_areas (initiative_id, area_id)
		SELECT * FROM unnest($1::bigint[], $2::bigint[])`
	insertInitiativePartners = `INSERT INTO initiative_partners (initiative_id, organization_id, role)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])`
)

// insertPairs fills a link table with one of the statements above; withRole
// says whether the statement takes the roles too.
func insertPairs(ctx context.Context, tx pgx.Tx, sql string, pairs []pair, withRole bool) error {
	return insertRows(ctx, tx, sql, len(pairs), func(lo, hi int) []any {
		cols := []any{
			column(pairs, lo, hi, func(p pair) int64 { return p.left }),
			column(pairs, lo, hi, func(p pair) int64 { return p.right }),
		}
		if withRole {
			cols = append(cols, column(pairs, lo, hi, func(p pair) string { return p.role }))
		}
		return cols
	})
}
