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
func (s *Store) UpsertAreas(ctx context.Context, areas iter.Seq2[*db.AreaInput, error]) (int, error) {
	return upsert(ctx, s, "upsert areas", createImportAreas, "import_areas", importAreaColumns, areas,
		areaImportRow, mergeAreas)
}

// UpsertIndicatorValues implements db.Store.
func (s *Store) UpsertIndicatorValues(ctx context.Context, values iter.Seq2[*db.ValueInput, error]) (int, error) {
	return upsert(ctx, s, "upsert indicator values", createImportValues, "import_values", importValueColumns, values,
		valueImportRow, mergeValues)
}

// upsert runs one upsert in a transaction: create the import table, copy
// the sequence into it, then merge. An error of the sequence itself comes
// back as it was, so the caller can recognise its own.
func upsert[T any](ctx context.Context, s *Store, op, create, table string, cols []string, seq iter.Seq2[*T, error],
	row func(item int, v *T) ([]any, error), merge func(context.Context, pgx.Tx) error) (int, error) {
	var n int
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
		n = src.n
		if n == 0 {
			return nil // nothing to merge, and no lock to take for it
		}
		return merge(ctx, tx)
	})
	if seqErr != nil {
		return 0, seqErr
	}
	if err != nil {
		return 0, translateIn(ctx, err, op)
	}
	return n, nil
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
	id          bigint,
	parent_id   bigint
) ON COMMIT DROP`

var importAreaColumns = []string{"item", "code", "name", "kind", "area_type", "parent_code", "wkb", "valid_from",
	"valid_to", "description"}

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
		dateOf(a.ValidFrom), dateOf(a.ValidTo), a.Description}, nil
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

// mergeAreas checks the imported areas as a whole and writes them. Known
// codes keep their ids and go up a version; new ones take ids from the
// sequence in import order, above every id handed out before. The table
// lock makes the codes looked up stay as they are against a concurrent
// upsert, load or write, while reads go on; the hierarchy lock, taken
// first, keeps the parents the cycle check reads from changing.
func mergeAreas(ctx context.Context, tx pgx.Tx) error {
	var item, first int
	var code, parent string
	err := tx.QueryRow(ctx, `SELECT item, first, code FROM (
			SELECT item, code, min(item) OVER (PARTITION BY code) AS first FROM import_areas) d
		WHERE item <> first ORDER BY item LIMIT 1`).Scan(&item, &first, &code)
	if err == nil {
		return db.DuplicateAreaError(item, first, code)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	// Temporary tables are never analysed on their own; without
	// statistics the planner would guess at the lookups by code.
	if _, err := tx.Exec(ctx, `CREATE INDEX ON import_areas (code);
		ANALYZE import_areas;
		`+lockHierarchy+`;
		LOCK TABLE areas IN SHARE ROW EXCLUSIVE MODE;
		UPDATE import_areas i SET id = a.id FROM areas a WHERE a.code = i.code;
		UPDATE import_areas i SET id = n.id
			FROM (SELECT item, nextval('areas_id_seq') AS id
				FROM (SELECT item FROM import_areas WHERE id IS NULL ORDER BY item) o) n
			WHERE i.item = n.item;
		UPDATE import_areas i SET parent_id = coalesce(
				(SELECT p.id FROM import_areas p WHERE p.code = i.parent_code),
				(SELECT a.id FROM areas a WHERE a.code = i.parent_code))
			WHERE i.parent_code <> ''`); err != nil {
		return err
	}
	err = tx.QueryRow(ctx, `SELECT item, code, parent_code FROM import_areas
		WHERE parent_code <> '' AND parent_id IS NULL ORDER BY item LIMIT 1`).Scan(&item, &code, &parent)
	if err == nil {
		return db.UnknownParentError(item, code, parent)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	// The write and the cycle check after it go in one round trip; a
	// cycle fails the transaction, which undoes the write.
	var cycle []string
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO areas (id, code, name, kind, area_type, parent_id, geom, valid_from, valid_to,
			description)
		SELECT id, code, name, kind, area_type, parent_id, ST_GeomFromWKB(wkb, 4326), valid_from, valid_to, description
		FROM import_areas ORDER BY item
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
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if cycle != nil {
		return db.ParentCycleItemError(item, code, cycle)
	}
	return nil
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
// overwriting stored values with the same key.
func mergeValues(ctx context.Context, tx pgx.Tx) error {
	// The checks sort and hash the whole import; a larger budget keeps
	// that in memory for imports of a few million rows.
	if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'`); err != nil {
		return err
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
		return db.DuplicateValueError(item, first, &v)
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return err
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
		return db.UnknownValueAreaError(item, &v)
	case err == nil:
		v.Sex = db.Sex(sex)
		return db.UnknownIndicatorError(item, &v)
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO indicator_values (area_id, indicator_code, year, sex, value, count)
		SELECT a.id, v.indicator_code, v.year, v.sex, v.value, v.count
		FROM import_values v JOIN areas a ON a.code = v.area_code
		ON CONFLICT (area_id, indicator_code, year, sex) DO UPDATE SET value = excluded.value, count = excluded.count`)
	return err
}
