package postgis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/areaindex"
)

// The listener: one goroutine, one connection, every change in commit
// order. See replica.go for why.

// errNotReady is a database the replica cannot follow yet: no areas table
// or no triggers on it. The listener stays connected and tries again.
var errNotReady = errors.New("the areas table or its change triggers are missing (run Migrate)")

// run keeps a listening session going until the store closes, with a
// growing pause between failed attempts.
func (r *replica) run() {
	defer close(r.done)
	pause := replicaRetryMin
	for r.ctx.Err() == nil {
		began := time.Now()
		err := r.session()
		r.dropped(err)
		if r.ctx.Err() != nil {
			return
		}
		r.log.Warn("area replica: listener lost; AreasAt asks the database until it has reconnected and reloaded",
			"error", err)
		if time.Since(began) > replicaRetryMax {
			pause = replicaRetryMin
		}
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, replicaRetryMax)
	}
}

// listener is one listening session.
type listener struct {
	r       *replica
	conn    *pgx.Conn
	channel string
	// queue holds the notifications received and not yet applied. pgconn
	// appends to it from within the calls this goroutine makes, so it
	// needs no lock.
	queue  []*pgconn.Notification
	loaded bool
}

// session connects, listens, loads, and then applies notifications until
// the connection fails or the store closes.
func (r *replica) session() error {
	l := &listener{r: r}
	cfg := r.connConfig.Copy()
	cfg.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) { l.queue = append(l.queue, n) }
	ctx, cancel := context.WithTimeout(r.ctx, cfg.ConnectTimeout+replicaRoundTrip)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	l.conn = conn
	if c := rawConn(conn.PgConn().Conn()); c != nil {
		r.sock.Store(&c)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(ctx)
	}()

	for {
		r.ctl.Lock()
		reload, verify := r.needReload || !l.loaded, r.needVerify
		r.needReload, r.needVerify = false, false
		r.ctl.Unlock()

		if reload {
			err := l.load()
			switch {
			case errors.Is(err, errNotReady):
				l.loaded = false
				r.ctl.Lock()
				r.lastErr = err
				r.ctl.Unlock()
			case err != nil:
				return err
			default:
				l.loaded, verify = true, true
			}
		}
		if l.loaded && verify {
			// Everything committed before this token is applied once it
			// is back; only then may the copy answer.
			if err := l.roundTrip(); err != nil {
				return err
			}
			r.ctl.Lock()
			// A doubt raised during the round trip waits for the next.
			if !r.needVerify && !r.needReload {
				r.setLiveLocked(true, nil)
			}
			r.ctl.Unlock()
		}

		idle := replicaHealthInterval
		if !l.loaded {
			idle = replicaLoadRetry
		}
		woken, err := l.wait(idle)
		if err != nil {
			return err
		}
		switch {
		case woken:
			// Asked to verify or reload: the loop does it.
		case len(l.queue) == 0 && l.loaded:
			// Idle for a while: check that the connection still works.
			if err := l.roundTrip(); err != nil {
				return err
			}
		}
		if err := l.apply(); err != nil {
			return err
		}
	}
}

// wait blocks until a notification arrives (or one is queued already),
// the replica is asked for something (woken), idle passes, or the
// connection fails.
func (l *listener) wait(idle time.Duration) (woken bool, err error) {
	if len(l.queue) > 0 {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(l.r.ctx, idle)
	defer cancel()
	l.r.ctl.Lock()
	if l.r.needVerify || l.r.needReload {
		l.r.ctl.Unlock()
		return true, nil
	}
	wakeCtx, wake := context.WithCancel(ctx)
	defer wake()
	l.r.wake = wake
	l.r.ctl.Unlock()

	err = l.conn.PgConn().WaitForNotification(wakeCtx)

	l.r.ctl.Lock()
	woken = l.r.wake == nil // wakeLocked clears it
	l.r.wake = nil
	l.r.ctl.Unlock()
	switch {
	case err == nil:
		return woken, nil
	case l.r.ctx.Err() != nil:
		return false, l.r.ctx.Err()
	case l.conn.IsClosed():
		return false, fmt.Errorf("wait for notifications: %w", err)
	}
	// The wait ended by the timer or a wake; a timeout leaves pgconn's
	// connection usable.
	return woken, nil
}

// roundTrip sends a token on the listening connection and applies every
// notification up to it. It shows that the connection works, and that
// every change committed before it has been applied.
func (l *listener) roundTrip() error {
	r := l.r
	r.ctl.Lock()
	token, ch := r.newTokenLocked()
	r.ctl.Unlock()
	defer func() {
		r.ctl.Lock()
		delete(r.waiters, token)
		r.ctl.Unlock()
	}()
	ctx, cancel := context.WithTimeout(r.ctx, replicaRoundTrip)
	defer cancel()
	var triggers int
	// The triggers are counted in the same statement: dropped triggers
	// would leave the copy silently behind.
	err := l.conn.QueryRow(ctx, "SELECT (SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('areas') "+
		"AND tgname LIKE 'areas_notify_%' AND tgenabled <> 'D'), pg_notify($1, $2)", l.channel, token).Scan(&triggers, nil)
	if err != nil {
		return fmt.Errorf("round trip: %w", err)
	}
	if triggers != 4 && l.loaded {
		return fmt.Errorf("round trip: %w", errNotReady)
	}
	for {
		if err := l.apply(); err != nil {
			return err
		}
		select {
		case <-ch:
			return nil
		default:
		}
		if err := l.conn.PgConn().WaitForNotification(ctx); err != nil {
			return fmt.Errorf("round trip: %w", err)
		}
	}
}

// listen makes sure the connection listens on the channel of the schema
// the areas table is in (or would be created in), before anything is
// read.
func (l *listener) listen(ctx context.Context) error {
	var schema string
	err := l.conn.QueryRow(ctx, `SELECT coalesce(
		(SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass('areas')),
		current_schema())`).Scan(&schema)
	if err != nil {
		return fmt.Errorf("find the areas table: %w", err)
	}
	channel := replicaChannel(schema)
	if channel == l.channel {
		return nil
	}
	if _, err := l.conn.Exec(ctx, "UNLISTEN *; LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	l.channel = channel
	l.r.ctl.Lock()
	l.r.channel = channel
	l.r.ctl.Unlock()
	return nil
}

// load reads every area into a new copy and puts it in place of the old.
// It listens first, so nothing committed after the snapshot goes unheard.
func (l *listener) load() error {
	r := l.r
	ctx := r.ctx
	if err := l.listen(ctx); err != nil {
		return err
	}
	began := time.Now()
	var fresh []*db.Area
	err := pgx.BeginTxFunc(ctx, l.conn, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
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
				return errNotReady
			}
			if replicaChannel(*schema) != l.channel {
				// Created elsewhere since listen looked: try again.
				return errNotReady
			}
			var err error
			fresh, err = fetchAreas(ctx, tx, "SELECT "+areaRecord.cols("")+" FROM areas a")
			return err
		})
	if err != nil {
		if errors.Is(err, errNotReady) {
			return errNotReady
		}
		return fmt.Errorf("load: %w", err)
	}
	areas := make(map[int64]*db.Area, len(fresh))
	var index areaindex.Index
	for _, a := range fresh {
		areas[a.ID] = a
		index.Insert(a)
	}
	r.mu.Lock()
	r.areas, r.index = areas, index
	r.mu.Unlock()
	r.ctl.Lock()
	r.loads++
	r.ctl.Unlock()
	r.log.Info("area replica loaded", "areas", len(areas), "duration", time.Since(began).Round(time.Millisecond))
	// Everything queued so far was committed before the snapshot or is
	// re-read by apply: ids are fetched again, tokens reported.
	return nil
}

// apply works through the queued notifications in order: changed ids are
// fetched and put in place, "*" reads everything again, and a token is
// reported only once everything before it is applied. Before the first
// load, any notification is a reason to try the load again, and tokens are
// reported at once: the replica is not live, and the load to come reads
// their writes.
func (l *listener) apply() error {
	for len(l.queue) > 0 {
		batch := l.queue
		l.queue = nil
		changed := map[int64]bool{}
		reload := false
		for _, n := range batch {
			if n.Channel != l.channel {
				continue
			}
			p := n.Payload
			if strings.HasPrefix(p, "sync:") {
				if l.loaded {
					if err := l.fetch(changed); err != nil {
						return err
					}
					clear(changed)
				}
				l.r.seen(p)
				continue
			}
			if !l.loaded {
				reload = true
				continue
			}
			// "*" is a TRUNCATE; a payload this version cannot read is
			// treated alike.
			if p == "*" || !parseIDs(p, changed) {
				clear(changed)
				if err := l.load(); err != nil {
					return err
				}
			}
		}
		if err := l.fetch(changed); err != nil {
			return err
		}
		if reload && !l.loaded {
			switch err := l.load(); {
			case err == nil:
				l.loaded = true
				l.r.ctl.Lock()
				l.r.needVerify = true
				l.r.ctl.Unlock()
			case !errors.Is(err, errNotReady):
				return err
			}
		}
	}
	return nil
}

// parseIDs adds the comma-separated ids of a payload to ids.
func parseIDs(payload string, ids map[int64]bool) bool {
	for f := range strings.SplitSeq(payload, ",") {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return false
		}
		ids[id] = true
	}
	return true
}

// fetch reads the changed areas again and puts them in place; an id no
// longer found was deleted.
func (l *listener) fetch(changed map[int64]bool) error {
	if len(changed) == 0 || !l.loaded {
		return nil
	}
	ids := make([]int64, 0, len(changed))
	for id := range changed {
		ids = append(ids, id)
	}
	ctx, cancel := context.WithTimeout(l.r.ctx, replicaRoundTrip)
	defer cancel()
	found, err := fetchAreas(ctx, l.conn, "SELECT "+areaRecord.cols("")+" FROM areas a WHERE a.id = ANY($1::bigint[])", ids)
	if err != nil {
		return fmt.Errorf("fetch changed areas: %w", err)
	}
	r := l.r
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if old, ok := r.areas[id]; ok {
			r.index.Delete(old)
			delete(r.areas, id)
		}
	}
	for _, a := range found {
		r.areas[a.ID] = a
		r.index.Insert(a)
	}
	return nil
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
// of the listener.
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
