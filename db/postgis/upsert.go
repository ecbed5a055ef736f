package postgis

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/areagraph/areagraph/db"
)

// An upsert streams its sequence with COPY into a temporary table, checking
// each item in Go on the way, so that neither the sequence nor the rows are
// ever held in memory whole. The checks that need the whole import
// (repeated keys, references) and the merge into the real tables are then
// a few statements over that table, all in one transaction. The steps run
// in the order db/error.go sets above ItemError, so both backends report the same item.

// UpsertAreas implements db.Store.
func (s *Store) UpsertAreas(ctx context.Context, by db.Actor, areas iter.Seq2[*db.AreaInput, error]) (db.ImportCounts, error) {
	return upsert(ctx, s, "upsert areas", createImportAreas, "import_areas", importAreaColumns, areas,
		areaImportRow, func(ctx context.Context, tx pgx.Tx, n int) (db.ImportCounts, error) {
			return mergeAreas(ctx, tx, by, n)
		})
}

// UpsertIndicatorValues implements db.Store.
func (s *Store) UpsertIndicatorValues(ctx context.Context, by db.Actor, file db.ImportFile,
	values iter.Seq2[*db.ValueInput, error]) (db.ImportCounts, error) {
	return upsert(ctx, s, "upsert indicator values", createImportValues, "import_values", importValueColumns, values,
		valueImportRow, func(ctx context.Context, tx pgx.Tx, n int) (db.ImportCounts, error) {
			return mergeValues(ctx, tx, by, file, n)
		})
}

// upsert runs one upsert in a transaction: create the import table, copy
// the sequence into it, then merge, which writes the audit entries too. An
// error of the sequence itself comes back as it was, so the caller can
// recognise its own.
func upsert[T any](ctx context.Context, s *Store, op, create, table string, cols []string, seq iter.Seq2[*T, error],
	row func(item int, v *T) ([]any, error), merge func(ctx context.Context, tx pgx.Tx, n int) (db.ImportCounts, error)) (db.ImportCounts, error) {
	var counts db.ImportCounts
	var seqErr error
	// An import, like a load, waits for a connection as long as ctx lets
	// it (see pool).
	err := s.commit(ctx, s.pool.Acquire, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, create); err != nil {
			return err
		}
		next, stop := iter.Pull2(seq)
		defer stop()
		src := &copySource[T]{next: next, row: row}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		if src.err != nil {
			// pgx wraps what Err returns; the item's own error is the
			// one to report.
			seqErr = src.err
			return src.err
		}
		if err != nil {
			return err
		}
		counts, err = merge(ctx, tx, src.n)
		return err
	})
	if seqErr != nil {
		return db.ImportCounts{}, seqErr
	}
	if err != nil {
		return db.ImportCounts{}, translateIn(ctx, err, op)
	}
	return counts, nil
}

// copySource feeds COPY from a pulled sequence, checking and encoding each
// item as COPY asks for it. The first bad item or error of the sequence
// stops the copy.
type copySource[T any] struct {
	next func() (*T, error, bool)
	row  func(item int, v *T) ([]any, error)
	n    int
	vals []any
	err  error
}

func (c *copySource[T]) Next() bool {
	v, err, ok := c.next()
	if !ok {
		return false
	}
	c.n++
	if err != nil {
		c.err = err
		return false
	}
	c.vals, c.err = c.row(c.n, v)
	return c.err == nil
}

func (c *copySource[T]) Values() ([]any, error) { return c.vals, nil }

func (c *copySource[T]) Err() error { return c.err }

// Import tables live for the transaction only. Their text columns that are
// compared with stored codes carry the same collation as those.
const createImportAreas = `CREATE TEMP TABLE import_areas (
	item        integer NOT NULL,
	code        text NOT NULL,
	name        text NOT NULL,
	kind        text NOT NULL,
	area_type   smallint,
	parent_code text NOT NULL,
	wkb         bytea NOT NULL,
	valid_from  date,
	valid_to    date,
	description text NOT NULL,
	absent      smallint NOT NULL,
	id          bigint,
	parent_id   bigint,
	stored      boolean NOT NULL DEFAULT false,
	unchanged   boolean NOT NULL DEFAULT false
) ON COMMIT DROP`

var importAreaColumns = []string{"item", "code", "name", "kind", "area_type", "parent_code", "wkb", "valid_from",
	"valid_to", "description", "absent"}

func areaImportRow(item int, a *db.AreaInput) ([]any, error) {
	if err := a.Check(item); err != nil {
		return nil, err
	}
	wkb, err := encode(a.Geometry)
	if err != nil {
		return nil, db.AreaItemError(item, a.Code, "%s", db.ErrorMessage(err))
	}
	var areaType *int16
	if a.AreaType != 0 {
		t := int16(a.AreaType) // Check bounds it to 1–5
		areaType = &t
	}
	return []any{int32(item), a.Code, a.Name, string(a.Kind), areaType, a.ParentCode, wkb,
		dateOf(a.ValidFrom), dateOf(a.ValidTo), a.Description, int16(a.Absent)}, nil
}

// dateOf hands pgx a nil interface for a missing date rather than a nil
// *time.Time, which it would have to look through.
func dateOf(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// lockHierarchy takes the advisory lock that serialises changes of
// parents, keyed on 0x68696572 ("hier") and the schema, as the ids lock
// is. A cycle check reads the hierarchy as others have committed it, so
// two writes that each leave it a forest can still close a cycle between
// them: an UpdateArea that puts A under B checks B's ancestors under a
// lock on A's row alone, and an import that puts B under A, or another
// update, may commit between that check and A's write. Every write that
// can give an existing area a new parent (UpdateArea, UpsertAreas, and
// DeleteArea, whose children become roots) holds
// this lock to its commit and checks after taking it; each statement of a
// transaction at READ COMMITTED sees all that committed before it began,
// so the check then sees every other such change in full. All take it
// before any lock on the areas table or its rows, so they queue on it and
// never deadlock on each other's row and table locks. Load and CreateArea
// need none: the areas they add are new, so nothing stored can lie below
// them.
const lockHierarchy = `SELECT pg_advisory_xact_lock(1751737714, hashtext(current_schema()))`

// areaCycle finds, after the import's areas are written, the first of
// them whose parents lead back to it, with the codes along the way. Each
// imported area's walk up stops at a root or where it meets an area it
// has passed already, so it ends after at most as many steps as there are
// areas, and in practice after the few levels of the hierarchy; a walk
// that meets its start found a cycle through it. Areas the import does
// not name keep their stored parents, so a cycle through them is found
// too.
const areaCycle = `WITH RECURSIVE up(item, start, id, path) AS (
		SELECT item, id, parent_id, ARRAY[id] FROM import_areas WHERE parent_id IS NOT NULL
	UNION ALL
		SELECT up.item, up.start, a.parent_id, up.path || up.id
		FROM up JOIN areas a ON a.id = up.id
		WHERE up.id <> ALL (up.path) AND a.parent_id IS NOT NULL)
	SELECT up.item, i.code,
		ARRAY(SELECT a.code FROM unnest(up.path) WITH ORDINALITY AS p(id, n) JOIN areas a ON a.id = p.id ORDER BY p.n)
	FROM up JOIN import_areas i ON i.item = up.item
	WHERE up.id = up.start
	ORDER BY up.item LIMIT 1`

// mergeAreas checks the imported areas as a whole and writes them, with
// their audit entries. Known codes keep their ids and go up a version;
// new ones take ids from the sequence in import order, above every id
// handed out before; known ones that would not change are left alone
// (db.SameArea, stated here in SQL). The table lock makes the codes looked
// up stay as they are against a concurrent upsert, load or write, while
// reads go on; the hierarchy lock, taken first, keeps the parents the
// cycle check reads from changing.
func mergeAreas(ctx context.Context, tx pgx.Tx, by db.Actor, n int) (db.ImportCounts, error) {
	var c db.ImportCounts
	if n == 0 {
		return c, nil // nothing to merge, and no lock to take for it
	}
	var item, first int
	var code, parent string
	err := tx.QueryRow(ctx, `SELECT item, first, code FROM (
			SELECT item, code, min(item) OVER (PARTITION BY code) AS first FROM import_areas) d
		WHERE item <> first ORDER BY item LIMIT 1`).Scan(&item, &first, &code)
	if err == nil {
		return c, db.DuplicateAreaError(item, first, code)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return c, err
	}
	// Temporary tables are never analysed on their own; without
	// statistics the planner would guess at the lookups by code.
	if _, err := tx.Exec(ctx, `CREATE INDEX ON import_areas (code);
		ANALYZE import_areas;
		`+lockHierarchy+`;
		LOCK TABLE areas IN SHARE ROW EXCLUSIVE MODE;
		UPDATE import_areas i SET id = a.id, stored = true FROM areas a WHERE a.code = i.code;
		UPDATE import_areas i SET id = n.id
			FROM (SELECT item, nextval('areas_id_seq') AS id
				FROM (SELECT item FROM import_areas WHERE id IS NULL ORDER BY item) o) n
			WHERE i.item = n.item;
		UPDATE import_areas i SET parent_id = coalesce(
				(SELECT p.id FROM import_areas p WHERE p.code = i.parent_code),
				(SELECT a.id FROM areas a WHERE a.code = i.parent_code))
			WHERE i.parent_code <> ''`); err != nil {
		return c, err
	}
	err = tx.QueryRow(ctx, `SELECT item, code, parent_code FROM import_areas
		WHERE parent_code <> '' AND parent_id IS NULL ORDER BY item LIMIT 1`).Scan(&item, &code, &parent)
	if err == nil {
		return c, db.UnknownParentError(item, code, parent)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return c, err
	}
	// The fields a file does not carry keep their stored values
	// (db.KeepAbsent); after that, a period can end before it starts.
	if _, err := tx.Exec(ctx, `UPDATE import_areas i SET
			parent_id = CASE WHEN i.absent & $1 <> 0 THEN a.parent_id ELSE i.parent_id END,
			area_type = CASE WHEN i.absent & $2 <> 0 THEN a.area_type ELSE i.area_type END,
			valid_from = CASE WHEN i.absent & $3 <> 0 THEN a.valid_from ELSE i.valid_from END,
			valid_to = CASE WHEN i.absent & $4 <> 0 THEN a.valid_to ELSE i.valid_to END,
			description = CASE WHEN i.absent & $5 <> 0 THEN a.description ELSE i.description END
		FROM areas a WHERE a.id = i.id AND i.absent <> 0`,
		int16(db.FieldParent), int16(db.FieldAreaType), int16(db.FieldValidFrom), int16(db.FieldValidTo),
		int16(db.FieldDescription)); err != nil {
		return c, err
	}
	err = tx.QueryRow(ctx, `SELECT item, code FROM import_areas WHERE stored AND valid_to <= valid_from
		ORDER BY item LIMIT 1`).Scan(&item, &code)
	if err == nil {
		return c, db.PeriodAfterKeepError(item, code)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return c, err
	}
	// What would not change is left out of the write; what would is kept
	// as it was, for the audit entries. Geometries are compared as
	// PostGIS writes them, coordinates and their order exactly.
	if _, err := tx.Exec(ctx, `UPDATE import_areas i SET unchanged = true FROM areas a
		WHERE a.id = i.id AND a.name = i.name AND a.kind = i.kind
			AND a.area_type IS NOT DISTINCT FROM i.area_type AND a.parent_id IS NOT DISTINCT FROM i.parent_id
			AND a.valid_from IS NOT DISTINCT FROM i.valid_from AND a.valid_to IS NOT DISTINCT FROM i.valid_to
			AND a.description = i.description
			AND ST_AsBinary(a.geom, 'NDR') = ST_AsBinary(ST_GeomFromWKB(i.wkb, 4326), 'NDR');
		CREATE TEMP TABLE import_before ON COMMIT DROP AS
			SELECT a.* FROM areas a JOIN import_areas i ON i.id = a.id WHERE NOT i.unchanged;
		CREATE INDEX ON import_before (id)`); err != nil {
		return c, err
	}
	// The write and the cycle check after it go in one round trip; a
	// cycle fails the transaction, which undoes the write.
	var cycle []string
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO areas (id, code, name, kind, area_type, parent_id, geom, valid_from, valid_to,
			description)
		SELECT id, code, name, kind, area_type, parent_id, ST_GeomFromWKB(wkb, 4326), valid_from, valid_to, description
		FROM import_areas WHERE NOT unchanged ORDER BY item
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, area_type = excluded.area_type,
			parent_id = excluded.parent_id, geom = excluded.geom, valid_from = excluded.valid_from,
			valid_to = excluded.valid_to, description = excluded.description, version = areas.version + 1`)
	b.Queue(areaCycle).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&item, &code, &cycle)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	b.Queue(`SELECT count(*) FILTER (WHERE NOT stored), count(*) FILTER (WHERE stored AND NOT unchanged),
		count(*) FILTER (WHERE unchanged) FROM import_areas`).QueryRow(func(row pgx.Row) error {
		return row.Scan(&c.Added, &c.Changed, &c.Unchanged)
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return c, err
	}
	if cycle != nil {
		return c, db.ParentCycleItemError(item, code, cycle)
	}
	return c, auditImportedAreas(ctx, tx, by)
}

// importBeforeRecord reads the areas an import changes as they were
// before it, from the copy mergeAreas keeps of them.
var importBeforeRecord = record{table: "import_before", alias: "a", cols: areaRecord.cols}

// auditChunk is how many imported areas auditImportedAreas renders at a
// time: enough to keep round trips few, few enough that an import of any
// size holds a bounded number of geometries in memory.
const auditChunk = 256

// auditImportedAreas writes the audit entries of the areas an import added
// or changed, in import order. The entries are rendered in Go, as every
// other write's are (db.AuditJSON), a chunk of areas at a time, into a
// table of the transaction; the audit log's lock is taken only for the
// one statement that copies them from there, so other writes wait for it
// no longer than for any write.
func auditImportedAreas(ctx context.Context, tx pgx.Tx, by db.Actor) error {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_audit (
			item      integer NOT NULL,
			action    text NOT NULL,
			record_id text NOT NULL,
			before    text,
			after     text NOT NULL
		) ON COMMIT DROP`); err != nil {
		return err
	}
	type written struct {
		item   int32
		id     int64
		stored bool
	}
	last := int32(0)
	// The change events, an area's each, small enough to keep in memory
	// for an import of any size.
	var events []db.Change
	for {
		rows, err := tx.Query(ctx, `SELECT item, id, stored FROM import_areas
			WHERE item > $1 AND NOT unchanged ORDER BY item LIMIT $2`, last, auditChunk)
		if err != nil {
			return err
		}
		var w written
		chunk, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (written, error) {
			err := row.Scan(&w.item, &w.id, &w.stored)
			return w, err
		})
		if err != nil {
			return err
		}
		if len(chunk) == 0 {
			break
		}
		last = chunk[len(chunk)-1].item
		var ids, storedIDs []int64
		for _, w := range chunk {
			ids = append(ids, w.id)
			if w.stored {
				storedIDs = append(storedIDs, w.id)
			}
		}
		before, err := readRecords(ctx, tx, importBeforeRecord, newAreaRow, storedIDs)
		if err != nil {
			return err
		}
		after, err := readRecords(ctx, tx, areaRecord, newAreaRow, ids)
		if err != nil {
			return err
		}
		beforeOf := make(map[int64]*db.Area, len(before))
		for _, a := range before {
			beforeOf[a.ID] = a
		}
		afterOf := make(map[int64]*db.Area, len(after))
		for _, a := range after {
			afterOf[a.ID] = a
		}
		changes := make([]change, len(chunk))
		for i, w := range chunk {
			if old := beforeOf[w.id]; old != nil {
				changes[i] = updated(old, afterOf[w.id])
			} else {
				changes[i] = created(afterOf[w.id])
			}
			e, _ := db.RecordChange(changes[i].was, changes[i].is, nil)
			events = append(events, e)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO import_audit (item, action, record_id, before, after)
			SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[], $5::text[])`,
			column(chunk, 0, len(chunk), func(w written) int32 { return w.item }),
			column(changes, 0, len(changes), func(c change) string { return string(c.action) }),
			column(changes, 0, len(changes), func(c change) string { return c.recordID }),
			column(changes, 0, len(changes), func(c change) *string { return textOf(c.before) }),
			column(changes, 0, len(changes), func(c change) string { return string(c.after) })); err != nil {
			return err
		}
	}
	at, err := lockAudit(ctx, tx)
	if err != nil {
		return err
	}
	orgs := by.Orgs
	if orgs == nil {
		orgs = []string{}
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (at, actor, organizations, action, type, record_id, before, after)
		SELECT $1::timestamptz, $2::text, $4::text[], action, $3::text, record_id, before::json, after::json
		FROM import_audit ORDER BY item`, at, by.ID, db.TypeArea, orgs)
	if err != nil {
		return err
	}
	return insertChanges(ctx, tx, at, events)
}

// The values' import table has no index: COPY fills it fastest bare, and
// every later statement reads all of it anyway.
const createImportValues = `CREATE TEMP TABLE import_values (
	item           integer NOT NULL,
	area_code      text NOT NULL,
	indicator_code text COLLATE "C" NOT NULL,
	year           integer NOT NULL,
	sex            text NOT NULL,
	value          double precision NOT NULL,
	count          integer
) ON COMMIT DROP`

var importValueColumns = []string{"item", "area_code", "indicator_code", "year", "sex", "value", "count"}

func valueImportRow(item int, v *db.ValueInput) ([]any, error) {
	if err := v.Check(item); err != nil {
		return nil, err
	}
	return []any{int32(item), v.AreaCode, v.IndicatorCode, int32(v.Year), string(v.Sex), v.Value, int32p(v.Count)}, nil
}

// mergeValues checks the imported values as a whole and writes them,
// overwriting stored values with the same key unless they are equal, and
// appends the import's one audit entry.
func mergeValues(ctx context.Context, tx pgx.Tx, by db.Actor, file db.ImportFile, n int) (db.ImportCounts, error) {
	var c db.ImportCounts
	// The checks sort and hash the whole import; a larger budget keeps
	// that in memory for imports of a few million rows.
	if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'`); err != nil {
		return c, err
	}
	var item, first int
	var v db.ValueInput
	var sex string
	err := tx.QueryRow(ctx, `SELECT item, first, area_code, indicator_code, year, sex FROM (
			SELECT item, area_code, indicator_code, year, sex,
				min(item) OVER (PARTITION BY area_code, indicator_code, year, sex) AS first
			FROM import_values) d
		WHERE item <> first ORDER BY item LIMIT 1`).Scan(&item, &first, &v.AreaCode, &v.IndicatorCode, &v.Year, &sex)
	if err == nil {
		v.Sex = db.Sex(sex)
		return c, db.DuplicateValueError(item, first, &v)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return c, err
	}
	var noArea bool
	err = tx.QueryRow(ctx, `SELECT v.item, v.area_code, v.indicator_code, v.year, v.sex, a.id IS NULL
		FROM import_values v
			LEFT JOIN areas a ON a.code = v.area_code
			LEFT JOIN indicators d ON d.code = v.indicator_code
		WHERE a.id IS NULL OR d.code IS NULL
		ORDER BY v.item LIMIT 1`).Scan(&item, &v.AreaCode, &v.IndicatorCode, &v.Year, &sex, &noArea)
	switch {
	case err == nil && noArea:
		v.Sex = db.Sex(sex)
		return c, db.UnknownValueAreaError(item, &v)
	case err == nil:
		v.Sex = db.Sex(sex)
		return c, db.UnknownIndicatorError(item, &v)
	case !errors.Is(err, pgx.ErrNoRows):
		return c, err
	}
	// A row the conflict clause does not update is not returned; xmax is
	// 0 on a row the statement inserted and set on one it updated.
	// The pairs of indicator and area written make the change events, one
	// per indicator (db.ValueChanges); both arrays are in the same order.
	var codes, pairCodes []string
	var years []int
	var pairAreas []int64
	err = tx.QueryRow(ctx, `WITH w AS (
			INSERT INTO indicator_values (area_id, indicator_code, year, sex, value, count)
			SELECT a.id, v.indicator_code, v.year, v.sex, v.value, v.count
			FROM import_values v JOIN areas a ON a.code = v.area_code
			ON CONFLICT (area_id, indicator_code, year, sex) DO UPDATE SET value = excluded.value, count = excluded.count
				WHERE indicator_values.value <> excluded.value OR indicator_values.count IS DISTINCT FROM excluded.count
			RETURNING area_id, indicator_code, year, xmax = 0 AS added),
		p AS (SELECT DISTINCT indicator_code, area_id FROM w)
		SELECT count(*) FILTER (WHERE added), count(*) FILTER (WHERE NOT added),
			coalesce(array_agg(DISTINCT indicator_code), '{}'), coalesce(array_agg(DISTINCT year), '{}'),
			(SELECT coalesce(array_agg(indicator_code ORDER BY indicator_code, area_id), '{}') FROM p),
			(SELECT coalesce(array_agg(area_id ORDER BY indicator_code, area_id), '{}') FROM p)
		FROM w`).Scan(&c.Added, &c.Changed, &codes, &years, &pairCodes, &pairAreas)
	if err != nil {
		return c, err
	}
	c.Unchanged = n - c.Added - c.Changed
	values := db.NewValueChanges(db.ChangeUpdated)
	for i, code := range pairCodes {
		values.Add(code, pairAreas[i])
	}
	return c, auditWith(ctx, tx, by, values.Changes(), created(db.NewValueImport(file, c, codes, years)))
}
