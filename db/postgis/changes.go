package postgis

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/areagraph/areagraph/db"
)

// The change feed on PostgreSQL (db/changes.go): the table changes of
// migration 0010, written by every write in its transaction, numbered
// under the audit log's lock so that seq ascends in commit order (the
// migration says why), and announced with NOTIFY, which PostgreSQL
// delivers after the commit to every listening connection, whichever
// server instance made the write. Each store keeps one listening
// connection, opened by the first Watch, which hands the seqs it hears to
// the store's watchers. NOTIFY is not delivered on a standby, so the
// listener connects to the primary: the database the store writes to.
//
// A listener that lost its connection connects again (after a pause that
// grows to listenMaxPause) and then announces the head it reads, since a
// commit made while it was away went unheard; it also reads the head
// every listenPoll while nothing is heard, which finds a dead connection
// that TCP has not reported yet and any notification lost with it.

// changesChannel is the channel the trigger of migration 0010 notifies for
// the changes table in schema.
func changesChannel(schema string) string {
	sum := md5.Sum([]byte(schema))
	return "areagraph_changes_" + hex.EncodeToString(sum[:])
}

// feedEvents are the change events of a write's audit entries (see
// db.RecordChange and db.ValueChanges): the records' in the entries' order,
// then one per indicator whose values changed. The organisations an
// initiative names are looked up for their kind, in the transaction;
// those the write deleted are known from its entries.
func feedEvents(ctx context.Context, tx pgx.Tx, changes []change) ([]db.Change, error) {
	kinds := map[int64]string{}
	var ask []int64
	for _, c := range changes {
		for _, r := range []db.Audited{c.was, c.is} {
			switch r := r.(type) {
			case *db.Organization:
				kinds[r.ID] = r.NodeType()
			case *db.Initiative:
				ask = append(ask, db.InitiativeOrgIDs(r)...)
			}
		}
	}
	stored, err := orgKinds(ctx, tx, ask)
	if err != nil {
		return nil, err
	}
	orgType := func(id int64) string {
		if t, ok := kinds[id]; ok {
			return t
		}
		return stored(id)
	}
	var events []db.Change
	var values *db.ValueChanges
	for _, c := range changes {
		was, is := c.was, c.is
		if v, ok := valueOf(was, is); ok {
			if values == nil {
				action := db.ChangeUpdated
				if is == nil {
					action = db.ChangeDeleted
				}
				values = db.NewValueChanges(action)
			}
			values.Add(v.IndicatorCode, v.AreaID)
			continue
		}
		if e, ok := db.RecordChange(was, is, orgType); ok {
			events = append(events, e)
		}
	}
	if values != nil {
		events = append(events, values.Changes()...)
	}
	return events, nil
}

// orgKinds reads the types (db.TypeEmployer, db.TypeAssociation) of the
// stored organisations with the given ids, in a write's transaction. One
// that is not stored is taken for an employer: a write names only stored
// organisations, or those it deletes, which the caller knows.
func orgKinds(ctx context.Context, tx pgx.Tx, ids []int64) (func(id int64) string, error) {
	kinds := map[int64]string{}
	typeOf := func(id int64) string {
		if t, ok := kinds[id]; ok {
			return t
		}
		return db.TypeEmployer
	}
	if len(ids) == 0 {
		return typeOf, nil
	}
	rows, err := tx.Query(ctx, `SELECT id, kind FROM organizations WHERE id = ANY($1::bigint[])`, sortedIDs(ids))
	if err != nil {
		return nil, err
	}
	var id int64
	var kind string
	_, err = pgx.ForEachRow(rows, []any{&id, &kind}, func() error {
		kinds[id] = db.OrgKind(kind).NodeType()
		return nil
	})
	return typeOf, err
}

// valueOf is the indicator value an audit entry is about, if it is one.
func valueOf(was, is db.Audited) (db.IndicatorValue, bool) {
	if is != nil {
		was = is
	}
	v, ok := was.(db.IndicatorValue)
	return v, ok
}

// insertChanges numbers events and stores them, made at at. The caller
// holds the audit log's lock (lockAudit) and keeps it to its commit, which
// is what makes the numbers ascend in commit order: the sequence is moved
// past all of a write's events in one call, each event taking its place
// in the range.
func insertChanges(ctx context.Context, tx pgx.Tx, at time.Time, events []db.Change) error {
	if len(events) == 0 {
		return nil
	}
	var last int64
	if err := tx.QueryRow(ctx, `SELECT setval('changes_seq', nextval('changes_seq') + $1 - 1)`,
		int64(len(events))).Scan(&last); err != nil {
		return err
	}
	first := last - int64(len(events)) + 1
	return insertRows(ctx, tx, `INSERT INTO changes (seq, at, type, record_id, action, version, areas, organizations)
		SELECT $1::bigint + n - 1, $2::timestamptz, type, record_id, action, version,
			coalesce(string_to_array(areas, ' '), '{}'), coalesce(string_to_array(orgs, ' '), '{}')
		FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::integer[], $8::text[], $9::text[])
			AS u(n, type, record_id, action, version, areas, orgs)`,
		len(events), func(lo, hi int) []any {
			ns := make([]int64, hi-lo)
			for i := range ns {
				ns[i] = int64(lo + i + 1)
			}
			return []any{first, at, ns,
				column(events, lo, hi, func(c db.Change) string { return c.Type }),
				column(events, lo, hi, func(c db.Change) string { return c.ID }),
				column(events, lo, hi, func(c db.Change) string { return string(c.Action) }),
				column(events, lo, hi, func(c db.Change) int32 { return int32(c.Version) }),
				// Global ids hold no space: a list travels as one text.
				column(events, lo, hi, func(c db.Change) *string { return spaced(c.Areas) }),
				column(events, lo, hi, func(c db.Change) *string { return spaced(c.Orgs) }),
			}
		})
}

func spaced(ids []string) *string {
	if len(ids) == 0 {
		return nil
	}
	s := ids[0]
	for _, id := range ids[1:] {
		s += " " + id
	}
	return &s
}

// Changes implements db.ChangeFeed. It walks the events from the cursor
// in seq order; a filter by area or organisation may be answered from the
// GIN indexes instead, as the planner finds cheaper.
//
// The feed is read on the primary, not on a read replica: Watch hears of
// a commit from the primary, and a client woken by it that then read a
// replica not yet replayed that far would find nothing new and wait again,
// the change unseen until the next one.
func (s *Store) Changes(ctx context.Context, after int64, f db.ChangeFilter, limit int) ([]db.Change, error) {
	f, err := db.CheckChanges(after, f, limit)
	if err != nil {
		return nil, err
	}
	var a args
	conds := []string{"seq > " + a.add(after)}
	if len(f.Types) > 0 {
		conds = append(conds, "type = ANY("+a.add(f.Types)+"::text[])")
	}
	if len(f.Areas) > 0 {
		conds = append(conds, "areas && "+a.add(f.Areas)+"::text[] COLLATE \"C\"")
	}
	if len(f.Organizations) > 0 {
		conds = append(conds, "organizations && "+a.add(f.Organizations)+"::text[] COLLATE \"C\"")
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, at, type, record_id, action, version, areas, organizations
		FROM changes`+where(conds)+` ORDER BY seq LIMIT `+a.add(int64(limit)), a...)
	if err != nil {
		return nil, translateIn(ctx, err, "changes")
	}
	out := []db.Change{}
	var c db.Change
	var action string
	var version int32
	_, err = pgx.ForEachRow(rows, []any{&c.Seq, &c.At, &c.Type, &c.ID, &action, &version, &c.Areas, &c.Orgs}, func() error {
		c.At, c.Action, c.Version = c.At.UTC(), db.ChangeAction(action), int(version)
		if len(c.Areas) == 0 {
			c.Areas = nil
		}
		if len(c.Orgs) == 0 {
			c.Orgs = nil
		}
		out = append(out, c)
		c = db.Change{}
		return nil
	})
	if err != nil {
		return nil, translateIn(ctx, err, "changes")
	}
	return out, nil
}

// Heads implements db.ChangeFeed from change_heads, which the trigger of
// migration 0010 keeps, on the primary as Changes.
//
// With read replicas, the heads come with the primary's position, taken
// after the commits they name were visible, and every later read of this
// server asks for it (readers.go, "This server's writes"). Whoever tags an
// answer with these heads (internal/httpcache) then never reads it from a
// replica that has not replayed them, which would keep an answer from
// before a write under a tag from after it.
func (s *Store) Heads(ctx context.Context) (map[string]int64, int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT type, seq, `+positionExpr+` FROM change_heads`)
	if err != nil {
		return nil, 0, translateIn(ctx, err, "change heads")
	}
	heads := map[string]int64{}
	var head, seq, pos int64
	var typ string
	if _, err := pgx.ForEachRow(rows, []any{&typ, &seq, &pos}, func() error {
		heads[typ] = seq
		head = max(head, seq)
		return nil
	}); err != nil {
		return nil, 0, translateIn(ctx, err, "change heads")
	}
	if s.readers != nil && pos > 0 {
		raise(&s.readers.written, uint64(pos))
	}
	return heads, head, nil
}

// Watch implements db.ChangeFeed. The first call starts the store's
// listener.
func (s *Store) Watch(ctx context.Context) (<-chan int64, error) {
	s.listener.start()
	return s.listener.hub.Watch(ctx)
}

// Pauses of the listener.
const (
	// listenPoll is how long the listener waits for a notification before
	// it reads the head itself.
	listenPoll = 10 * time.Second
	// listenMinPause and listenMaxPause bound the pause before it
	// connects again after losing its connection.
	listenMinPause = 100 * time.Millisecond
	listenMaxPause = 5 * time.Second
)

// changeListener is the store's one listening connection and the watchers
// it serves.
type changeListener struct {
	cfg *pgx.ConnConfig
	log *slog.Logger
	hub db.ChangeHub

	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func newChangeListener(cfg *pgx.ConnConfig, log *slog.Logger) *changeListener {
	// The listener's statements are its own business, not a caller's to
	// trace.
	cfg.Tracer = nil
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &changeListener{cfg: cfg, log: log, ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// start runs the listener, once.
func (l *changeListener) start() {
	l.once.Do(func() { go l.run() })
}

// close stops the listener and waits for it, if it ever started; a
// second close returns at once.
func (l *changeListener) close() {
	l.cancel()
	// A listener never started has nothing to wait for, and now never
	// starts.
	l.once.Do(func() { close(l.done) })
	<-l.done
}

// run listens until the store closes, connecting again whenever the
// connection is lost.
func (l *changeListener) run() {
	defer close(l.done)
	pause := listenMinPause
	for l.ctx.Err() == nil {
		heard, err := l.listen(l.ctx)
		if l.ctx.Err() != nil {
			return
		}
		if heard {
			pause = listenMinPause
		}
		l.log.Warn("change feed: listening connection lost; connecting again", "err", err, "pause", pause)
		select {
		case <-l.ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(pause*2, listenMaxPause)
	}
}

// listen is one connection's life: LISTEN, announce the head, then every
// seq heard. heard says whether it got as far as listening.
func (l *changeListener) listen(ctx context.Context) (heard bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, l.cfg.ConnectTimeout+listenPoll)
	conn, err := pgx.ConnectConfig(cctx, l.cfg)
	cancel()
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	var schema *string
	if err := conn.QueryRow(ctx, `SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = to_regclass('changes')`).Scan(&schema); err != nil {
		return false, err
	}
	if schema == nil {
		return false, errors.New("the changes table does not exist: migrate the database")
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{changesChannel(*schema)}.Sanitize()); err != nil {
		return false, err
	}
	// Listening now: whatever commits from here on is announced, and what
	// committed before is in the head read next.
	if err := l.announceHead(ctx, conn); err != nil {
		return true, err
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, listenPoll)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return true, ctx.Err()
		case err == nil:
			if seq, perr := strconv.ParseInt(n.Payload, 10, 64); perr == nil {
				l.hub.Publish(seq)
			} else if err := l.announceHead(ctx, conn); err != nil {
				return true, err
			}
		case wctx.Err() != nil && !conn.IsClosed():
			// Nothing heard for a while: read the head, which also
			// shows whether the connection still answers.
			if err := l.announceHead(ctx, conn); err != nil {
				return true, err
			}
		default:
			return true, err
		}
	}
}

// announceHead reads the head and hands it to the watchers.
func (l *changeListener) announceHead(ctx context.Context, conn *pgx.Conn) error {
	qctx, cancel := context.WithTimeout(ctx, listenPoll)
	defer cancel()
	var head int64
	if err := conn.QueryRow(qctx, `SELECT coalesce(max(seq), 0) FROM change_heads`).Scan(&head); err != nil {
		return fmt.Errorf("read the head: %w", err)
	}
	l.hub.Publish(head)
	return nil
}
