package postgis

import (
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/replica"
)

// The area replica's feed on PostgreSQL: LISTEN/NOTIFY.
//
// Triggers on areas (migration 0004) NOTIFY a channel of the schema with
// the ids of every changed row, after commit and in commit order ("*" for
// a TRUNCATE). One dedicated connection LISTENs on it; it starts listening
// before it reads the snapshot, so a change committed in between is in the
// snapshot or announced after it, or both. Tokens are notifications on the
// same channel with the prefix "sync:": PostgreSQL delivers them in commit
// order with the triggers' own. The feed cannot follow the areas
// (replica.ErrNotReady) while the table or one of its four triggers is missing.
//
// Up asks the kernel whether the listening connection is still
// established (one system call), so a reset or a closed connection stops
// the answers from memory at once.

// tokenPrefix tells a token from a list of ids in a payload.
const tokenPrefix = "sync:"

// replicaChannel is the channel the triggers of migration 0004 notify for
// the areas table in schema.
func replicaChannel(schema string) string {
	sum := md5.Sum([]byte(schema))
	return "areagraph_areas_" + hex.EncodeToString(sum[:])
}

// pgFeed is one listening connection.
type pgFeed struct {
	conn *pgx.Conn
	pool *pool // for the tokens of writes
	// feeds is where the feed was opened from, for its test hook.
	feeds *feeds
	sock  syscall.RawConn
	// queue holds the notifications received and not yet taken by
	// Receive. pgconn appends to it from within the calls the replica's
	// follower makes, so it needs no lock.
	queue []*pgconn.Notification

	// mu guards channel, which Announce reads from the writers'
	// goroutines, and positions.
	mu sync.Mutex
	// channel is the channel being listened on; "" before the first
	// snapshot.
	channel string
	// positions are the primary's WAL positions the tokens received
	// and not yet applied were sent at (replica.Positioned).
	positions map[string]uint64
}

// feeds opens the replica's feeds: a listening connection with cfg, and
// the pool for the tokens of writes.
type feeds struct {
	connConfig *pgx.ConnConfig
	pool       *pool
	// held, when set, holds the replica before it fetches the areas a
	// feed says changed, which keeps every write of the store between its
	// commit and the replica holding it: tests set it to pin what reads
	// do then (replica_hold_test.go). Nil outside them.
	held atomic.Pointer[replicaHold]
}

// replicaHold is a hold on the replica's fetches: reached is closed when
// one waits, release lets them go.
type replicaHold struct {
	reached, release chan struct{}
	once             sync.Once
}

func newFeeds(cfg *pgx.ConnConfig) *feeds {
	// The listener's statements are its own business, not a caller's to
	// trace.
	cfg.Tracer = nil
	return &feeds{connConfig: cfg}
}

// dial is the replica's Dial.
func (fs *feeds) dial(ctx context.Context) (replica.Feed, error) {
	f := &pgFeed{pool: fs.pool, feeds: fs}
	cfg := fs.connConfig.Copy()
	cfg.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) { f.queue = append(f.queue, n) }
	ctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout+replica.RoundTrip)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	f.conn = conn
	f.sock = rawConn(conn.PgConn().Conn())
	return f, nil
}

// Close implements Feed.
func (f *pgFeed) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = f.conn.Close(ctx)
}

// Up implements Feed.
func (f *pgFeed) Up() bool { return f.sock == nil || sockUp(f.sock) }

// Receive implements Feed.
func (f *pgFeed) Receive(ctx context.Context) ([]replica.Change, error) {
	if len(f.queue) == 0 {
		// A wait ended by ctx leaves pgconn's connection usable.
		if err := f.conn.PgConn().WaitForNotification(ctx); err != nil && (f.conn.IsClosed() || ctx.Err() == nil) {
			return nil, err
		}
	}
	var out []replica.Change
	for _, n := range f.queue {
		if n.Channel != f.channel {
			continue
		}
		c, pos := parsePayload(n.Payload)
		if pos > 0 {
			f.reachedAt(c.Token, pos)
		}
		out = append(out, c)
	}
	f.queue = nil
	return out, nil
}

// parsePayload reads one notification: a token, with the position it was
// sent at when it has one, "*" for a TRUNCATE, or comma-separated ids. A
// payload this version cannot read is taken for "everything changed".
func parsePayload(p string) (replica.Change, uint64) {
	if token, ok := strings.CutPrefix(p, tokenPrefix); ok {
		if t, at, ok := strings.Cut(token, "@"); ok {
			if pos, err := strconv.ParseUint(at, 10, 64); err == nil {
				return replica.Change{Token: t}, pos
			}
		}
		return replica.Change{Token: token}, 0
	}
	if p == "*" {
		return replica.Change{All: true}, 0
	}
	var ids []int64
	for f := range strings.SplitSeq(p, ",") {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return replica.Change{All: true}, 0
		}
		ids = append(ids, id)
	}
	return replica.Change{IDs: ids}, 0
}

// Mark implements Feed.
func (f *pgFeed) Mark(ctx context.Context, token string) error {
	var triggers int
	// The triggers are counted in the same statement: dropped triggers
	// would leave the copy silently behind.
	err := f.conn.QueryRow(ctx, "SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('areas') "+
		"AND tgname LIKE 'areas_notify_%' AND tgenabled <> 'D'), "+notifyToken, f.channel, tokenPrefix+token).
		Scan(&triggers, nil)
	if err != nil {
		return err
	}
	if triggers != 4 {
		return replica.ErrNotReady
	}
	return nil
}

// Announce implements Feed.
func (f *pgFeed) Announce(ctx context.Context, token string) error {
	f.mu.Lock()
	channel := f.channel
	f.mu.Unlock()
	c, err := f.pool.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	_, err = c.Exec(ctx, "SELECT "+notifyToken, channel, tokenPrefix+token)
	return err
}

var _ replica.Positioned = (*pgFeed)(nil)

// notifyToken sends the token $2 on the channel $1 with the primary's WAL
// insert position at the statement ("sync:<token>@<position>"), for
// replica.Positioned. A write whose commit record ends at or before that
// position had reserved it before the statement read it, and queued its
// notifications before that (PostgreSQL queues them before it writes the
// commit record), so before the token's, which is queued at the
// statement's own commit: a copy that has applied everything up to the
// token holds every write up to the position. The position travels in
// the payload, so it is known when the token arrives, whoever sent it
// (another server's token tells as much). Notifications are not delivered
// on a standby; the feed is always on the primary.
const notifyToken = "pg_notify($1, $2 || '@' || (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::int8::text)"

// maxPositions bounds the positions kept of tokens not yet applied; past
// it they are dropped, which only keeps the copy's position lower.
const maxPositions = 1024

// reachedAt notes the position of a token received.
func (f *pgFeed) reachedAt(token string, pos uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.positions == nil || len(f.positions) >= maxPositions {
		f.positions = map[string]uint64{}
	}
	f.positions[token] = pos
}

// Position implements replica.Positioned.
func (f *pgFeed) Position(token string) (uint64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	pos, ok := f.positions[token]
	delete(f.positions, token)
	return pos, ok
}

// listen makes sure the connection listens on the channel of the schema
// the areas table is in (or would be created in), before anything is
// read.
func (f *pgFeed) listen(ctx context.Context) error {
	var schema string
	err := f.conn.QueryRow(ctx, `SELECT coalesce(
		(SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass('areas')),
		current_schema())`).Scan(&schema)
	if err != nil {
		return fmt.Errorf("find the areas table: %w", err)
	}
	channel := replicaChannel(schema)
	if channel == f.channel {
		return nil
	}
	if _, err := f.conn.Exec(ctx, "UNLISTEN *; LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	f.mu.Lock()
	f.channel = channel
	f.mu.Unlock()
	return nil
}

// Snapshot implements Feed. It listens first, so nothing committed after
// the snapshot goes unheard.
func (f *pgFeed) Snapshot(ctx context.Context) ([]*db.Area, error) {
	if err := f.listen(ctx); err != nil {
		return nil, err
	}
	var fresh []*db.Area
	err := pgx.BeginTxFunc(ctx, f.conn, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			var triggers int
			var schema *string
			if err := tx.QueryRow(ctx, `SELECT (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
					WHERE c.oid = to_regclass('areas')),
				(SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('areas') AND tgname LIKE 'areas_notify_%'
					AND tgenabled <> 'D')`).Scan(&schema, &triggers); err != nil {
				return err
			}
			if schema == nil || triggers != 4 {
				return replica.ErrNotReady
			}
			if replicaChannel(*schema) != f.channel {
				// Created elsewhere since listen looked: try again.
				return replica.ErrNotReady
			}
			var err error
			fresh, err = fetchAreas(ctx, tx, "SELECT "+areaRecord.cols("")+" FROM areas a")
			return err
		})
	if errors.Is(err, replica.ErrNotReady) {
		return nil, replica.ErrNotReady
	}
	return fresh, err
}

// Fetch implements Feed.
func (f *pgFeed) Fetch(ctx context.Context, ids []int64) ([]*db.Area, error) {
	if h := f.feeds.held.Load(); h != nil {
		h.once.Do(func() { close(h.reached) })
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return fetchAreas(ctx, f.conn, "SELECT "+areaRecord.cols("")+" FROM areas a WHERE a.id = ANY($1::bigint[])", ids)
}

// rawConn is the socket under a connection, for sockUp; nil when there is
// none to ask.
func rawConn(c net.Conn) syscall.RawConn {
	if t, ok := c.(*tls.Conn); ok {
		c = t.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// fetchAreas reads whole area records on a connection or transaction
// of the feed.
func fetchAreas(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string, args ...any) ([]*db.Area, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*db.Area
	for rows.Next() {
		row := newAreaRow()
		if err := rows.Scan(row.dest()...); err != nil {
			return nil, err
		}
		a, err := row.record()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
