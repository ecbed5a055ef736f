package postgis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/areagraph/areagraph/db"
)

// Read replicas: reads from PostgreSQL streaming standbys.
//
// Which connection serves a statement:
//   - a write, and every read inside it, runs in a transaction on the
//     primary (write.go), as do migrations and loads;
//   - a key lookup (KeyByHash, Keys) and the migrations check (Pending)
//     ask the primary first, so a revoked key stops at once and a server
//     started right after a migration sees it, and a replica when the
//     primary does not answer;
//   - every other read goes to a usable replica, in turn; with none usable
//     (all down or lagging past the bound, or none configured) to the
//     primary.
//
// A replica is usable when its last health check (every CheckInterval, in
// the background, never on a request's path) found it answering and
// lagging less than MaxLag. Lag is measured against the primary's history:
// each check also samples the primary's WAL position with the time, and a
// replica that has not replayed the position the primary had reached at
// time t lags at least now - t. A replica whose statement fails for want
// of a connection is set aside at once, until a check finds it again, and
// the read is made on the primary. With the primary down, reads go on from
// the replicas (they keep replaying what they received), and writes answer
// UNAVAILABLE.
//
// Reading one's own writes. After a write commits, its connection asks
// for the primary's WAL write position (pg_current_wal_lsn). COMMIT
// returns only once the commit record is flushed (synchronous_commit on or
// local, PostgreSQL's default; with it off the write may trail the commit
// record, so the insert position is taken instead, which never does); the
// write position is then at or past the end of the commit record. It may
// be further on, past other sessions' later commits: an upper bound costs
// at most a wait, never a stale read. That position is the write's
// db.Consistency. A read whose context asks for a position (the token a
// client sent back, or a write earlier in the same request) goes to a
// usable replica that has replayed that far (pg_last_wal_replay_lsn),
// asking them again every few milliseconds for up to Wait, and else to the
// primary, which holds every commit.
//
// This server's writes. Every read also asks for the position of the
// latest write made through this store, whatever request made it: what
// the server keeps in memory and refills after its own writes (answer
// caches, simplified outlines) is then never read back from a replica
// that has not replayed the write, and a client that wrote reads its
// write on the same server without sending its token. Replicas replay
// within milliseconds, so the reads right after a write wait that long
// (one poll per replica, shared by the reads waiting), and longer only as
// far as Wait.
//
// Change notifications (the area replica's LISTEN) come only from the
// primary: PostgreSQL does not deliver NOTIFY on a standby, and LISTEN
// fails there. The feeds in feed.go dial the primary's configuration, and
// so must any other listener. A read that a notification prompts (the
// records it announces) must read what the notification announced: on
// the primary (s.pool), since a replica may not have replayed the commit
// yet, or with a position the notification carries (as the area
// replica's tokens do, see notifyToken).

// Defaults of ReadReplicas.
const (
	// DefaultReplicaMaxLag is how far behind the primary a replica may be
	// and still serve reads without a token.
	DefaultReplicaMaxLag = 10 * time.Second
	// DefaultConsistencyWait is how long a read carrying a token waits
	// for a replica to replay it before it goes to the primary.
	DefaultConsistencyWait = 500 * time.Millisecond
	// DefaultReplicaCheckInterval is how often the replicas' health and
	// lag, and the primary's position, are checked.
	DefaultReplicaCheckInterval = time.Second
)

// ReadReplicas names the streaming replicas a store reads from.
type ReadReplicas struct {
	// URLs of the replicas, in the form of the primary's.
	URLs []string
	// MaxLag, Wait and CheckInterval: zero takes the Default above. A
	// negative Wait never waits for a replica to replay a token.
	MaxLag, Wait, CheckInterval time.Duration
}

// WithReadReplicas has the store read from replicas (see readers.go).
func WithReadReplicas(r ReadReplicas) Option {
	return func(o *options) { o.replicas = r }
}

// The routes a read can take, as counted for the metrics.
const (
	routeReplica            = iota // a replica, fresh enough at once
	routeReplicaWaited             // a replica, once it had replayed the token
	routePrimaryNoReplica          // the primary: no replica usable (or none configured)
	routePrimaryBehind             // the primary: no replica replayed the token in time
	routePrimaryRetry              // the primary, after the replica chosen failed
	routePrimaryFirst              // the primary, for a read that asks it first (keys)
	routeReplicaPrimaryDown        // a replica, for a read that asks the primary first
	nRoutes
)

var routeLabels = [nRoutes][2]string{
	routeReplica:            {"replica", "fresh"},
	routeReplicaWaited:      {"replica", "waited"},
	routePrimaryNoReplica:   {"primary", "no_replica"},
	routePrimaryBehind:      {"primary", "token_ahead"},
	routePrimaryRetry:       {"primary", "replica_failed"},
	routePrimaryFirst:       {"primary", "primary_first"},
	routeReplicaPrimaryDown: {"replica", "primary_down"},
}

// readers routes the store's reads between the primary and its replicas.
type readers struct {
	primary  *pool
	replicas []*standby
	maxLag   time.Duration
	wait     time.Duration
	interval time.Duration
	log      *slog.Logger

	primaryUp atomic.Bool
	// written is the position of this server's latest write, or of the
	// change feed's heads it last read (changes.go, Heads), which every
	// read asks for (see "This server's writes").
	written atomic.Uint64
	history history
	routes  [nRoutes]atomic.Uint64
	turn    atomic.Uint64

	stop context.CancelFunc
	done chan struct{}
}

// standby is one replica and what its last check found.
type standby struct {
	name     string
	pool     *pool
	answers  atomic.Bool
	usable   atomic.Bool
	replayed atomic.Uint64 // the WAL position replayed, as last seen
	lag      atomic.Int64  // nanoseconds
	lagBytes atomic.Int64
	polling  atomic.Bool
	// mu orders the transitions that are logged.
	mu       sync.Mutex
	reported string
}

// openReaders opens a pool for each replica and starts the checks; the
// replicas need not answer yet.
func openReaders(ctx context.Context, primary *pool, cfg ReadReplicas, log *slog.Logger) (*readers, error) {
	r := &readers{
		primary:  primary,
		maxLag:   cmp(cfg.MaxLag, DefaultReplicaMaxLag),
		wait:     cmp(cfg.Wait, DefaultConsistencyWait),
		interval: cmp(cfg.CheckInterval, DefaultReplicaCheckInterval),
		log:      log,
		done:     make(chan struct{}),
	}
	r.wait = max(r.wait, 0)
	r.history.keep = r.maxLag + 4*r.interval
	for _, u := range cfg.URLs {
		pc, err := pgxpool.ParseConfig(u)
		if err != nil {
			r.closePools()
			return nil, fmt.Errorf("postgis: invalid read replica URL: %v", err)
		}
		// The switch of the area replica means nothing here: the area
		// replica follows the primary.
		if _, err := replicaOption(pc.ConnConfig.RuntimeParams); err != nil {
			r.closePools()
			return nil, err
		}
		acquireTimeout, err := failFast(pc)
		if err != nil {
			r.closePools()
			return nil, err
		}
		p, err := pgxpool.NewWithConfig(ctx, pc)
		if err != nil {
			r.closePools()
			return nil, fmt.Errorf("postgis: invalid read replica pool configuration: %v", err)
		}
		r.replicas = append(r.replicas, &standby{
			name: net.JoinHostPort(pc.ConnConfig.Host, fmt.Sprint(pc.ConnConfig.Port)),
			pool: &pool{Pool: p, acquireTimeout: acquireTimeout},
		})
	}
	r.primaryUp.Store(true)
	// The first check before the first request: a replica is not used
	// until a check has found it answering and caught up.
	r.check(ctx)
	cctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	go r.run(cctx)
	return r, nil
}

func cmp(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}

// close stops the checks and closes the replicas' pools.
func (r *readers) close() {
	r.stop()
	<-r.done
	r.closePools()
}

func (r *readers) closePools() {
	for _, sb := range r.replicas {
		sb.pool.Close()
	}
}

// run checks every interval until ctx ends.
func (r *readers) run(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.check(ctx)
		}
	}
}

// checkTimeout bounds one health check of one server.
func (r *readers) checkTimeout() time.Duration { return max(r.interval, 2*time.Second) }

// The positions, as bigint: pg_lsn minus zero is numeric.
const (
	primaryPositionSQL = `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::int8`
	// A server that is not in recovery (a promoted standby, or the primary
	// named as a replica) holds what it has written.
	replayedPositionSQL = `SELECT (coalesce(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()
		ELSE pg_current_wal_lsn() END, '0/0') - '0/0'::pg_lsn)::int8`
	// The position a write's commit is at or before (see above).
	commitPositionSQL = `SELECT ` + positionExpr
	// positionExpr is that position as an expression, for statements that
	// read it beside their rows: every commit visible to the statement is
	// at or before it.
	positionExpr = `(CASE WHEN current_setting('synchronous_commit') = 'off'
		THEN pg_current_wal_insert_lsn() ELSE pg_current_wal_lsn() END - '0/0'::pg_lsn)::int8`
)

// check samples the primary's position, then each replica's, and decides
// which replicas are usable.
func (r *readers) check(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, r.checkTimeout())
	var pos int64
	err := r.primary.queryRow(cctx, primaryPositionSQL, &pos)
	cancel()
	if ctx.Err() != nil {
		return
	}
	now := time.Now()
	if was := r.primaryUp.Swap(err == nil); was != (err == nil) {
		if err != nil {
			r.log.Warn("primary database down; reads go to the replicas", "error", translate(err, "check"))
		} else {
			r.log.Info("primary database back")
		}
	}
	if err == nil {
		r.history.add(now, uint64(pos))
	}
	var wg sync.WaitGroup
	for _, sb := range r.replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.checkReplica(ctx, sb)
		}()
	}
	wg.Wait()
}

// checkReplica asks one replica how far it has replayed.
func (r *readers) checkReplica(ctx context.Context, sb *standby) {
	cctx, cancel := context.WithTimeout(ctx, r.checkTimeout())
	defer cancel()
	var pos int64
	if err := sb.pool.queryRow(cctx, replayedPositionSQL, &pos); err != nil {
		if ctx.Err() == nil {
			sb.setDown(r.log, translate(err, "check"))
		}
		return
	}
	sb.seen(uint64(pos))
	lag, behind := r.history.lag(sb.replayed.Load(), time.Now())
	sb.lag.Store(int64(lag))
	sb.lagBytes.Store(behind)
	sb.answers.Store(true)
	// With the primary down, a lagging replica still serves: it holds
	// all it will get until the primary is back.
	usable := lag <= r.maxLag || !r.primaryUp.Load()
	sb.usable.Store(usable)
	if usable {
		sb.report(r.log, "up", slog.LevelInfo, "read replica usable", "lag", lag)
	} else {
		sb.report(r.log, "lagging", slog.LevelWarn, "read replica lags past the bound; reads skip it", "lag", lag, "bound", r.maxLag)
	}
}

// seen raises the replayed position to pos; positions only grow, and a
// poll may race a check.
func (sb *standby) seen(pos uint64) { raise(&sb.replayed, pos) }

// raise sets v to pos unless it holds more already.
func raise(v *atomic.Uint64, pos uint64) {
	for {
		old := v.Load()
		if pos <= old || v.CompareAndSwap(old, pos) {
			return
		}
	}
}

// setDown sets the replica aside until a check finds it answering.
func (sb *standby) setDown(log *slog.Logger, err error) {
	sb.answers.Store(false)
	sb.usable.Store(false)
	sb.report(log, "down", slog.LevelWarn, "read replica down; reads skip it", "error", err)
}

// report logs a change of state, once.
func (sb *standby) report(log *slog.Logger, state string, level slog.Level, msg string, attrs ...any) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.reported == state {
		return
	}
	if sb.reported == "" && state == "up" {
		level = slog.LevelInfo
	}
	sb.reported = state
	log.Log(context.Background(), level, msg, append([]any{"replica", sb.name}, attrs...)...)
}

// history holds the primary's positions over the last while, to tell how
// long ago it reached a position.
type history struct {
	mu      sync.Mutex
	keep    time.Duration
	samples []sample
}

type sample struct {
	at  time.Time
	pos uint64
}

func (h *history) add(at time.Time, pos uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.samples = append(h.samples, sample{at, pos})
	i := 0
	for i < len(h.samples)-1 && at.Sub(h.samples[i].at) > h.keep {
		i++
	}
	h.samples = h.samples[i:]
}

// lag is how long ago the primary had reached a position past replayed
// (0 when no sample is past it), and how far its latest position is past
// replayed.
func (h *history) lag(replayed uint64, now time.Time) (time.Duration, int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var lag time.Duration
	for _, s := range h.samples {
		if s.pos > replayed {
			lag = now.Sub(s.at)
			break
		}
	}
	var behind int64
	if n := len(h.samples); n > 0 && h.samples[n-1].pos > replayed {
		behind = int64(h.samples[n-1].pos - replayed)
	}
	return lag, behind
}

// Query runs a read where the routing above sends it.
func (r *readers) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	sb, route := r.pick(ctx)
	if sb != nil {
		rows, err := sb.pool.Query(ctx, sql, args...)
		if err == nil {
			// pgx reports most failures with the rows: read the first
			// row before the answer is given up to.
			rows, err = peek(rows)
		}
		if err == nil || ctx.Err() != nil || !replicaFailed(err) {
			r.routes[route].Add(1)
			return rows, err
		}
		sb.setDown(r.log, translate(err, "read"))
		route = routePrimaryRetry
	}
	r.routes[route].Add(1)
	return r.primary.Query(ctx, sql, args...)
}

// peek reads the first row of rows, and returns rows that give it again,
// or the error that came instead.
func peek(rows pgx.Rows) (pgx.Rows, error) {
	has := rows.Next()
	if !has {
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, err
		}
	}
	return &peekedRows{Rows: rows, pending: true, has: has}, nil
}

// peekedRows are rows whose first row was read by peek.
type peekedRows struct {
	pgx.Rows
	pending, has bool
}

func (p *peekedRows) Next() bool {
	if p.pending {
		p.pending = false
		return p.has
	}
	return p.Rows.Next()
}

// replicaFailed tells the errors of a replica after which the primary
// answers instead: the replica could not be reached, or cancelled the
// statement for a conflict with the WAL it replays.
func replicaFailed(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "40001" {
		return true
	}
	return db.ErrorCode(translate(err, "read")) == db.EUNAVAILABLE
}

// pick chooses the replica for a read under ctx, or nil for the primary,
// and the route that says why.
func (r *readers) pick(ctx context.Context) (*standby, int) {
	var usable []*standby
	for _, sb := range r.replicas {
		if sb.usable.Load() {
			usable = append(usable, sb)
		}
	}
	if len(usable) == 0 {
		return nil, routePrimaryNoReplica
	}
	start := int(r.turn.Add(1) % uint64(len(usable)))
	need := max(uint64(db.ConsistencyOf(ctx)), r.written.Load())
	for i := range usable {
		sb := usable[(start+i)%len(usable)]
		if sb.replayed.Load() >= need {
			return sb, routeReplica
		}
	}
	if sb := r.await(ctx, usable, need); sb != nil {
		return sb, routeReplicaWaited
	}
	return nil, routePrimaryBehind
}

// Polling for a replica to replay a position: the first poll at once,
// then with growing pauses.
const (
	firstPollPause = 2 * time.Millisecond
	maxPollPause   = 25 * time.Millisecond
)

// await asks the replicas how far they have replayed until one has
// reached need or the wait is over. One poll runs per replica at a time;
// reads waiting together share its answer.
func (r *readers) await(ctx context.Context, usable []*standby, need uint64) *standby {
	if r.wait <= 0 {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, r.wait)
	defer cancel()
	pause := firstPollPause
	for {
		for _, sb := range usable {
			sb.poll(wctx)
			if sb.replayed.Load() >= need {
				return sb
			}
		}
		t := time.NewTimer(pause)
		select {
		case <-wctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		pause = min(2*pause, maxPollPause)
	}
}

// poll asks the replica how far it has replayed, unless another read is
// asking already.
func (sb *standby) poll(ctx context.Context) {
	if !sb.polling.CompareAndSwap(false, true) {
		return
	}
	defer sb.polling.Store(false)
	var pos int64
	if err := sb.pool.queryRow(ctx, replayedPositionSQL, &pos); err == nil {
		sb.seen(uint64(pos))
	}
}

// anyUsable reports whether a replica is usable.
func (r *readers) anyUsable() bool {
	for _, sb := range r.replicas {
		if sb.usable.Load() {
			return true
		}
	}
	return false
}

// primaryFirst is the querier of reads that want the primary's answer when
// there is one (key lookups: a revoked key stops at once), and a
// replica's when it is down.
type primaryFirst struct{ r *readers }

func (q primaryFirst) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := q.r.primary.Query(ctx, sql, args...)
	if err == nil {
		rows, err = peek(rows)
	}
	if err == nil || ctx.Err() != nil || db.ErrorCode(translate(err, "read")) != db.EUNAVAILABLE {
		q.r.routes[routePrimaryFirst].Add(1)
		return rows, err
	}
	for _, sb := range q.r.replicas {
		if sb.answers.Load() {
			q.r.routes[routeReplicaPrimaryDown].Add(1)
			return sb.pool.Query(ctx, sql, args...)
		}
	}
	q.r.routes[routePrimaryFirst].Add(1)
	return nil, err
}

// queryRow reads one row on a connection taken within the acquire bound.
func (p *pool) queryRow(ctx context.Context, sql string, dest ...any) error {
	c, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return c.QueryRow(ctx, sql).Scan(dest...)
}

// stats reports the replicas and the routes for the metrics.
func (r *readers) stats() db.ReplicationStats {
	st := db.ReplicationStats{PrimaryUp: r.primaryUp.Load()}
	for _, sb := range r.replicas {
		st.Replicas = append(st.Replicas, db.ReplicaStatus{
			Name:     sb.name,
			Up:       sb.usable.Load(),
			Answers:  sb.answers.Load(),
			Lag:      time.Duration(sb.lag.Load()).Seconds(),
			LagBytes: sb.lagBytes.Load(),
		})
	}
	for i := range r.routes {
		st.Routes = append(st.Routes, db.ReadRoute{Server: routeLabels[i][0], Reason: routeLabels[i][1], Count: r.routes[i].Load()})
	}
	return st
}

// ReplicationStats reports the read replicas and where reads went; the
// zero value without replicas.
func (s *Store) ReplicationStats() db.ReplicationStats {
	if s.readers == nil {
		return db.ReplicationStats{PrimaryUp: true}
	}
	return s.readers.stats()
}
