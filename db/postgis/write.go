package postgis

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/areagraph/areagraph/db"
)

// Writes through the API (db.Writer). Each runs in one transaction that
// makes the checks in the order db/store.go sets above Writer, writes, appends its audit
// entries and commits; any error rolls all of it back.
//
// Locking. A write locks its target row (SELECT … FOR UPDATE) before it
// looks at the version, so concurrent writes naming the same version queue
// on the row and every one after the first finds, on the row as committed
// by the one before (READ COMMITTED reads the row it locked), that the
// version has moved on: ECONFLICT, never a lost update. A record is read
// for its audit entry by a statement after the one that locked it, so the
// link rows read with it (an organisation's areas, an initiative's areas
// and partners) are those of the locked row too; every write that changes
// link rows holds the lock of the record that owns them. Records that a
// delete with detach changes are locked in id order. Where two writes still
// lock in crossing orders, PostgreSQL aborts one of them as a deadlock, and
// that one runs again from the start.

// maxWriteAttempts bounds how often a write runs when concurrent writes
// keep aborting it; past it the caller gets ECONFLICT and may try again.
const maxWriteAttempts = 4

// errRetry is what a write's transaction returns when it finds that a
// concurrent write got in between two of its statements in a way locks
// could not prevent (a row inserted where none was); the write runs again.
var errRetry = errors.New("postgis: a concurrent write got in between; retrying")

// write runs fn in a transaction, again when the database aborted it in
// favour of a concurrent write, and translates what it returns.
func (s *Store) write(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	var err error
	for range maxWriteAttempts {
		err = s.commit(ctx, s.pool.acquire, fn)
		if !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	if errors.Is(err, errRetry) {
		return db.Errorf(db.ECONFLICT, "%s", concurrentWriteMessage)
	}
	return translateIn(ctx, err, op)
}

// commit runs fn in one transaction on a connection of the pool, taken
// with acquire (bounded for the API's writes, unbounded for an operator's
// Load and upserts), and commits it. Every write of the store goes through
// here, and so this is the one place that keeps the area replica reading
// the store's own writes: after the commit, with the connection back in
// the pool, it waits until the replica holds what was committed, or has
// stopped answering (db/replica, "Reading one's own writes"). A write that
// changed no area pays a notification's round trip for it, which is
// cheaper than keeping a list of the writes that do right.
func (s *Store) commit(ctx context.Context, acquire func(context.Context) (*pgxpool.Conn, error),
	fn func(tx pgx.Tx) error) error {
	c, err := acquire(ctx)
	if err != nil {
		return err
	}
	// From the moment fn is done, the commit may land at any time, and
	// until the replica holds it (or has stopped answering) reads of this
	// store go to the database: another writer's read after a CONFLICT
	// must see the version it lost to (areas.go, fromMemory).
	committing := false
	defer func() {
		if committing {
			s.unsynced.Add(-1)
		}
	}()
	err = pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		committing = true
		s.unsynced.Add(1)
		return nil
	})
	if err == nil {
		s.noteCommit(ctx, c)
	}
	c.Release()
	if err != nil {
		return err
	}
	if s.replica != nil {
		s.replica.Sync(ctx)
	}
	return nil
}

// noteCommit hands the context of a committed write its consistency token
// (readers.go, "Reading one's own writes"), read on the connection that
// committed it. A token that cannot be had is logged and left out: the
// write stands, and a read that would have carried it may be stale.
//
// With read replicas the position is also this server's latest write
// (readers.go, "This server's writes"), so it is read for every write.
func (s *Store) noteCommit(ctx context.Context, c *pgxpool.Conn) {
	if db.WritesOf(ctx) == nil && s.readers == nil {
		// Nobody to hand it to (an import, a test): no round trip.
		return
	}
	var pos int64
	if err := c.QueryRow(ctx, commitPositionSQL).Scan(&pos); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("no consistency token for a committed write", "error", translate(err, "commit position"))
		}
		return
	}
	db.NoteWrite(ctx, db.Consistency(pos))
	if s.readers != nil {
		raise(&s.readers.written, uint64(pos))
	}
}

// retryable tells the errors after which a write runs again.
func retryable(err error) bool {
	if errors.Is(err, errRetry) {
		return true
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// change is one audit entry before it is stored, with the records it
// renders, from which the change feed's events come (changes.go).
type change struct {
	action        db.Action
	typ, recordID string
	before, after []byte
	was, is       db.Audited // nil for a create, nil for a delete
}

func created(rec db.Audited) change {
	return change{action: db.ActionCreate, typ: db.AuditType(rec), recordID: db.AuditRecordID(rec), after: db.AuditJSON(rec),
		is: rec}
}

func updated(before, after db.Audited) change {
	return change{action: db.ActionUpdate, typ: db.AuditType(after), recordID: db.AuditRecordID(after),
		before: db.AuditJSON(before), after: db.AuditJSON(after), was: before, is: after}
}

func deleted(rec db.Audited) change {
	return change{action: db.ActionDelete, typ: db.AuditType(rec), recordID: db.AuditRecordID(rec), before: db.AuditJSON(rec),
		was: rec}
}

// lockAudit takes the audit log's write lock and returns the time of the
// write. Writers hold the lock from here to their commit, so audit ids
// ascend in commit order and times with them, as AuditLog's "newest first"
// needs, and so do the change feed's numbers (insertChanges); taking it
// last keeps that stretch short. Readers of the log are not held up.
func lockAudit(ctx context.Context, tx pgx.Tx) (time.Time, error) {
	var at time.Time
	b := &pgx.Batch{}
	b.Queue(`LOCK TABLE audit_log IN EXCLUSIVE MODE`)
	b.Queue(`SELECT clock_timestamp()`).QueryRow(func(row pgx.Row) error { return row.Scan(&at) })
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return time.Time{}, err
	}
	return at.UTC(), nil
}

// insertAudit appends changes, in their order, as written by actor at at.
func insertAudit(ctx context.Context, tx pgx.Tx, at time.Time, by db.Actor, changes []change) error {
	orgs := by.Orgs
	if orgs == nil {
		orgs = []string{}
	}
	return insertRows(ctx, tx, `INSERT INTO audit_log (at, actor, organizations, action, type, record_id, before, after)
		SELECT $1::timestamptz, $2::text, $8::text[], action, type, record_id, before::json, after::json
		FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
			WITH ORDINALITY AS u(action, type, record_id, before, after, n)
		ORDER BY n`,
		len(changes), func(lo, hi int) []any {
			text := func(b []byte) *string {
				if b == nil {
					return nil
				}
				s := string(b)
				return &s
			}
			return []any{at, by.ID,
				column(changes, lo, hi, func(c change) string { return string(c.action) }),
				column(changes, lo, hi, func(c change) string { return c.typ }),
				column(changes, lo, hi, func(c change) string { return c.recordID }),
				column(changes, lo, hi, func(c change) *string { return text(c.before) }),
				column(changes, lo, hi, func(c change) *string { return text(c.after) }),
				orgs,
			}
		})
}

// textOf is a rendered record as a text argument, NULL for none.
func textOf(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// audit appends the entries of a write that has made its changes, and
// the change events they yield.
func audit(ctx context.Context, tx pgx.Tx, by db.Actor, changes ...change) error {
	return auditWith(ctx, tx, by, nil, changes...)
}

// auditWith is audit with more events after those of the entries: an
// import of values, whose one entry is no record's, yields the events of
// the values it wrote. The events are made before the audit log's lock
// is taken, which keeps the stretch that holds it short.
func auditWith(ctx context.Context, tx pgx.Tx, by db.Actor, more []db.Change, changes ...change) error {
	if len(changes) == 0 && len(more) == 0 {
		return nil
	}
	events, err := feedEvents(ctx, tx, changes)
	if err != nil {
		return err
	}
	events = append(events, more...)
	at, err := lockAudit(ctx, tx)
	if err != nil {
		return err
	}
	if err := insertAudit(ctx, tx, at, by, changes); err != nil {
		return err
	}
	return insertChanges(ctx, tx, at, events)
}

// readSQL reads the records of rec with the ids in $1, in id order.
func readSQL(rec record) string {
	return "SELECT " + rec.cols("") + " FROM " + rec.table + " " + rec.alias +
		" WHERE " + rec.alias + ".id = ANY($1::bigint[]) ORDER BY " + rec.alias + ".id"
}

// readRecords reads records inside a write, as the read methods return
// them, in id order.
func readRecords[T any](ctx context.Context, tx pgx.Tx, rec record, newRow func() scanner[T], ids []int64) ([]T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryTx(ctx, tx, newRow, readSQL(rec), ids)
}

// queryTx reads records inside a write. Errors stay as the driver gave
// them, for write to retry on or translate.
func queryTx[T any](ctx context.Context, tx pgx.Tx, newRow func() scanner[T], sql string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return scanRecords(rows, newRow)
}

// lockRecords locks the rows of rec with the given ids, in id order, and
// then reads them; missing ids are left out. Both go in one round trip.
func lockRecords[T any](ctx context.Context, tx pgx.Tx, rec record, newRow func() scanner[T], ids []int64) ([]T, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var out []T
	b := &pgx.Batch{}
	b.Queue("SELECT id FROM "+rec.table+" WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE", ids)
	b.Queue(readSQL(rec), ids).Query(func(rows pgx.Rows) error {
		var err error
		out, err = scanRecords(rows, newRow)
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// lockTarget locks and reads the one record a write names; nil when there
// is none.
func lockTarget[T any](ctx context.Context, tx pgx.Tx, rec record, newRow func() scanner[T], id int64) (T, error) {
	var zero T
	found, err := lockRecords(ctx, tx, rec, newRow, []int64{id})
	if err != nil || len(found) == 0 {
		return zero, err
	}
	return found[0], nil
}

// lockIDs locks the rows of table whose ids the query in sql (with arg as
// $1) selects, in id order, and returns those ids. sql selects a column
// named id from table.
func lockIDs(ctx context.Context, tx pgx.Tx, table, cond string, arg any) ([]int64, error) {
	rows, err := tx.Query(ctx, "SELECT id FROM "+table+" WHERE "+cond+" ORDER BY id FOR UPDATE", arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// existing returns which of ids table holds.
func existing(ctx context.Context, tx pgx.Tx, table string, ids []int64) (map[int64]bool, error) {
	found := map[int64]bool{}
	if len(ids) == 0 {
		return found, nil
	}
	rows, err := tx.Query(ctx, "SELECT id FROM "+table+" WHERE id = ANY($1::bigint[])", ids)
	if err != nil {
		return nil, err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	for _, id := range got {
		found[id] = true
	}
	return found, err
}

// missingReference is step 5 for a list of references: the error about the
// first of ids that is not in found, nil when all are.
func missingReference(what string, ids []int64, found map[int64]bool) error {
	for _, id := range ids {
		if !found[id] {
			return db.UnknownReferenceError(what, id)
		}
	}
	return nil
}

// AuditLog pages through the audit entries that pass f, newest first.
func (s *Store) AuditLog(ctx context.Context, f db.AuditFilter, p db.Page) (db.List[*db.AuditEntry], error) {
	if err := p.Check(false); err != nil {
		return db.List[*db.AuditEntry]{}, err
	}
	if err := f.Check(); err != nil {
		return db.List[*db.AuditEntry]{}, err
	}
	var a args
	var conds []string
	if f.RecordID != "" {
		conds = append(conds, "record_id = "+a.add(f.RecordID))
	}
	if f.Actor != "" {
		conds = append(conds, "actor = "+a.add(f.Actor))
	}
	if f.Organization != "" {
		// Containment, which the GIN index on the column answers.
		conds = append(conds, "organizations @> ARRAY["+a.add(f.Organization)+"::text COLLATE \"C\"]")
	}
	if f.Since != nil {
		conds = append(conds, "at >= "+a.add(*f.Since))
	}
	// The counts come in every row, and in a row of their own when the
	// page is empty, so they are not lost with a page past the end: the
	// total, and how many entries lie at or before the After key (newer or
	// the same) and before the Before key (newer), from which the page's
	// start follows by db.Page.Bounds. The page itself walks the id, or the
	// (record_id, id) or (actor, id) index, from the key on.
	upto, below := "0", "0"
	page := slices.Clone(conds)
	if p.After != nil {
		upto = "count(*) FILTER (WHERE id >= " + a.add(p.After.ID) + "::bigint)"
		page = append(page, "id < "+a.add(p.After.ID)+"::bigint")
	}
	if p.Before != nil {
		below = "count(*) FILTER (WHERE id > " + a.add(p.Before.ID) + "::bigint)"
		page = append(page, "id > "+a.add(p.Before.ID)+"::bigint")
	}
	walk := " ORDER BY id DESC"
	if p.FromEnd {
		walk = " ORDER BY id ASC"
	} else if p.After == nil && p.Before == nil {
		walk += " OFFSET " + a.add(int64(max(p.Offset, 0)))
	}
	sql := "SELECT t.total, t.upto, t.below, e.id, e.at, e.actor, e.action, e.type, e.record_id, e.before::text, e.after::text, e.organizations " +
		"FROM (SELECT count(*) AS total, " + upto + " AS upto, " + below + " AS below FROM audit_log" + where(conds) + ") t " +
		"LEFT JOIN LATERAL (SELECT * FROM audit_log" + where(page) + walk + " LIMIT " + a.add(int64(max(p.Limit, 0))) +
		") e ON true ORDER BY e.id DESC"
	rows, err := s.reads.Query(ctx, sql, a...)
	if err != nil {
		return db.List[*db.AuditEntry]{}, translateIn(ctx, err, "audit log")
	}
	defer rows.Close()
	l := db.List[*db.AuditEntry]{Items: []*db.AuditEntry{}}
	for rows.Next() {
		var total, upto, below int64
		var id *int64
		var at *time.Time
		var actor, action, typ, recordID *string
		var before, after *string
		var orgs []string
		if err := rows.Scan(&total, &upto, &below, &id, &at, &actor, &action, &typ, &recordID, &before, &after, &orgs); err != nil {
			return db.List[*db.AuditEntry]{}, translateIn(ctx, err, "audit log")
		}
		if p.Before == nil {
			below = total
		}
		l.Total = int(total)
		l.Start, _ = p.Bounds(int(total), int(upto), int(below))
		if id == nil {
			continue
		}
		l.Items = append(l.Items, &db.AuditEntry{ID: *id, At: at.UTC(), Actor: *actor, Action: db.Action(*action),
			Type: *typ, RecordID: *recordID, Before: bytesOf(before), After: bytesOf(after)})
		if len(orgs) > 0 {
			l.Items[len(l.Items)-1].Orgs = orgs
		}
	}
	if err := rows.Err(); err != nil {
		return db.List[*db.AuditEntry]{}, translateIn(ctx, err, "audit log")
	}
	return l, nil
}

func bytesOf(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

// sortedIDs returns ids ascending, each once.
func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
