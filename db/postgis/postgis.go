// Package postgis is the PostGIS storage backend of areagraph, the system of
// record. It speaks to PostgreSQL through a pgx connection pool, keeps its
// schema in embedded migrations, and answers every store call with a single
// SQL statement whose values all travel as $n arguments. Geometry crosses
// the wire as WKB and is decoded into orb types; pgx and pgconn types never
// leave the package, their errors are translated into db errors here.
//
// When the database goes away the store fails fast rather than waiting on
// it: every wait the pool can make is bounded (see the Default constants),
// errors of a lost connection are EUNAVAILABLE, and the pool reconnects by
// itself once the database answers again.
package postgis

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/replica"
)

// Bounds on how long a request waits for the database. Each applies only
// when the connection string does not set its own: connect_timeout (or
// PGCONNECT_TIMEOUT), pool_ping_timeout and pool_acquire_timeout.
const (
	// DefaultConnectTimeout bounds opening a connection: dial, TLS and
	// authentication. A connection opened for a request goes on in the
	// background when the request gives up on it, holding a place in the
	// pool; without this bound a database host that drops packets would
	// hold those places for the kernel's SYN retries, minutes.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultAcquireTimeout bounds the wait for a connection from the pool,
	// within the request's own deadline. When the database stalls, the
	// pool's connections are all stuck in it and requests queue for them;
	// past this bound they fail with UNAVAILABLE while the request timeout
	// still has time left, and a healthy but saturated pool sheds load
	// instead of queueing without end. It is far above what opening a
	// connection or waiting for a busy pool takes when all is well.
	DefaultAcquireTimeout = 3 * time.Second
	// DefaultPingTimeout bounds the liveness check the pool makes on a
	// connection that has been idle a while before handing it out; a
	// connection to a vanished server is dropped after it, and another
	// tried.
	DefaultPingTimeout = 2 * time.Second
)

// TCP settings of every connection, which pgx leaves to Go and the system.
const (
	// An idle connection whose server has vanished without a word is
	// found dead within half a minute (keepAliveIdle, then probes every
	// keepAliveInterval, cut short by userTimeout), not after the two and
	// a half minutes of Go's defaults.
	keepAliveIdle     = 10 * time.Second
	keepAliveInterval = 5 * time.Second
	keepAliveCount    = 3
	// userTimeout drops a connection whose sent data goes unacknowledged
	// this long (TCP_USER_TIMEOUT, Linux only): a write to a server that
	// is gone no longer retransmits for a quarter of an hour. A busy
	// server's kernel still acknowledges at once, so slow queries are not
	// affected.
	userTimeout = 20 * time.Second
)

// acquireTimeoutParam is the connection string key for the acquire bound;
// pgx knows nothing of it, so it is taken out before pgx would send it to
// the server as a setting.
const acquireTimeoutParam = "pool_acquire_timeout"

// Store is a db.Store on a PostGIS database. It is safe for concurrent use.
type Store struct {
	pool *pool
	// replica answers AreasAt, AreasByID and the areas in a box from
	// memory (db/replica); nil when turned off with area_replica=off.
	replica *replica.Replica
	// unsynced counts this store's writes that may have committed and
	// that the replica may not hold yet (write.go, commit): while any is,
	// the replica answers no read, so a writer that lost a race and reads
	// the record again sees the version it lost to, not the one before.
	unsynced atomic.Int64
	// readers routes reads to the read replicas (readers.go); nil
	// without them.
	readers *readers
	// reads serves the store's reads: the readers, or else the pool;
	// authoritative the reads that ask the primary first (key lookups,
	// the migrations check) and a replica only when it is down.
	reads, authoritative querier
	log                  *slog.Logger
	// listener hears the change feed's notifications (changes.go).
	listener *changeListener
	// areaFeeds opens the replica's feeds (feed.go); nil without it.
	areaFeeds *feeds
}

var _ db.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and checks that it answers. The schema is not touched:
// call Migrate for that. An unreachable database is an EUNAVAILABLE error.
//
// Besides what pgx reads from url (pool_max_conns, connect_timeout, …),
// pool_acquire_timeout (a duration such as 3s) bounds the wait for a
// pooled connection, and area_replica=off keeps no copy of the areas in
// memory (see db/replica and feed.go).
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgconn redacts the password from its parse errors.
		return nil, fmt.Errorf("postgis: invalid database URL: %v", err)
	}
	return open(ctx, cfg, opts...)
}

// Option changes how Open opens a store.
type Option func(*options)

type options struct {
	log      *slog.Logger
	replicas ReadReplicas
}

// WithLogger has the store log to log (the area replica's losses and
// reloads, which come during outages, when the log matters most) rather
// than to slog.Default(), so that its lines have the format and level of
// every other line.
func WithLogger(log *slog.Logger) Option {
	return func(o *options) { o.log = log }
}

// open is Open on a parsed configuration, so tests can set runtime
// parameters such as search_path.
func open(ctx context.Context, cfg *pgxpool.Config, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	acquireTimeout, err := failFast(cfg)
	if err != nil {
		return nil, err
	}
	withReplica, err := replicaOption(cfg.ConnConfig.RuntimeParams)
	if err != nil {
		return nil, err
	}
	var r *replica.Replica
	var fs *feeds
	if withReplica {
		fs = newFeeds(cfg.ConnConfig.Copy())
		r = replica.New(fs.dial, o.log)
		cfg.ConnConfig.Tracer = withReplicaTracer(cfg.ConnConfig.Tracer, r)
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: invalid pool configuration: %v", err)
	}
	if o.log == nil {
		o.log = slog.Default()
	}
	s := &Store{pool: &pool{Pool: p, acquireTimeout: acquireTimeout}, replica: r, log: o.log,
		listener: newChangeListener(cfg.ConnConfig.Copy(), o.log)}
	s.reads, s.authoritative = s.pool, s.pool
	if fs != nil {
		fs.pool = s.pool
		s.areaFeeds = fs
	}
	// The pool connects lazily; ping so that a wrong URL fails here and not
	// on the first request. With read replicas, a primary that is down
	// (not one that refuses the login) does not keep the store from
	// opening while a replica serves: an instance started during an
	// outage serves reads, as the running ones do.
	err = s.pingPrimary(ctx)
	if err != nil && (len(o.replicas.URLs) == 0 || db.ErrorCode(err) != db.EUNAVAILABLE) {
		p.Close()
		return nil, err
	}
	if len(o.replicas.URLs) > 0 {
		rs, rerr := openReaders(ctx, s.pool, o.replicas, o.log)
		if rerr != nil {
			p.Close()
			return nil, rerr
		}
		s.readers, s.reads, s.authoritative = rs, rs, primaryFirst{rs}
		if err != nil {
			if !rs.anyUsable() {
				s.Close()
				return nil, err
			}
			o.log.Warn("the primary database does not answer; serving reads from the replicas", "error", err)
		}
	}
	return s, nil
}

// failFast bounds the waits of cfg where the connection string leaves them
// open, and returns the acquire bound.
func failFast(cfg *pgxpool.Config) (time.Duration, error) {
	acquireTimeout := DefaultAcquireTimeout
	params := cfg.ConnConfig.RuntimeParams
	if v, ok := params[acquireTimeoutParam]; ok {
		delete(params, acquireTimeoutParam)
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("postgis: invalid database URL: %s must be a positive duration such as 3s, not %q", acquireTimeoutParam, v)
		}
		acquireTimeout = d
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.PingTimeout == 0 {
		cfg.PingTimeout = DefaultPingTimeout
	}
	dialer := &net.Dialer{
		KeepAliveConfig: net.KeepAliveConfig{
			Enable:   true,
			Idle:     keepAliveIdle,
			Interval: keepAliveInterval,
			Count:    keepAliveCount,
		},
		Control: func(network, _ string, c syscall.RawConn) error {
			if strings.HasPrefix(network, "tcp") {
				setUserTimeout(c, userTimeout)
			}
			return nil
		},
	}
	cfg.ConnConfig.DialFunc = dialer.DialContext
	return acquireTimeout, nil
}

// pool is the pgx pool with the wait for a connection bounded by the
// acquire timeout as well as by the caller's context. Only the calls that
// serve requests are bounded; loads and migrations, run by an operator,
// wait as long as their context lets them.
type pool struct {
	*pgxpool.Pool
	acquireTimeout time.Duration
}

// acquire takes a connection from the pool within the acquire timeout.
// Running out of it while the caller's context is still live means the
// database is not serving, and says so.
func (p *pool) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, p.acquireTimeout)
	defer cancel()
	c, err := p.Acquire(actx)
	if err != nil && actx.Err() != nil && ctx.Err() == nil {
		return nil, errUnavailable(fmt.Errorf("acquire: no connection within %v: %v", p.acquireTimeout, err))
	}
	return c, err
}

// Query is pgxpool.Pool.Query with a bounded wait for the connection; the
// query itself runs under ctx alone.
func (p *pool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		c.Release()
		return nil, err
	}
	return &releasingRows{Rows: rows, conn: c}, nil
}

// releasingRows gives its connection back to the pool once the rows are
// read or closed, as the pool's own rows do.
type releasingRows struct {
	pgx.Rows
	conn *pgxpool.Conn
}

func (r *releasingRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *releasingRows) Scan(dest ...any) error {
	err := r.Rows.Scan(dest...)
	if err != nil {
		r.Close()
	}
	return err
}

func (r *releasingRows) Close() {
	r.Rows.Close()
	if r.conn != nil {
		r.conn.Release()
		r.conn = nil
	}
}

// Ping reports whether the database answers: the primary, or with read
// replicas, one of them when the primary does not (reads are then served).
func (s *Store) Ping(ctx context.Context) error {
	err := s.pingPrimary(ctx)
	if err == nil || s.readers == nil || ctx.Err() != nil {
		return err
	}
	for _, sb := range s.readers.replicas {
		if sb.usable.Load() && s.pingOn(ctx, sb.pool) == nil {
			return nil
		}
	}
	return err
}

// pingPrimary reports whether the primary answers.
func (s *Store) pingPrimary(ctx context.Context) error { return s.pingOn(ctx, s.pool) }

func (s *Store) pingOn(ctx context.Context, p *pool) error {
	c, err := p.acquire(ctx)
	if err != nil {
		return translate(err, "ping")
	}
	defer c.Release()
	return translate(c.Ping(ctx), "ping")
}

// Close stops the area replica and the change feed's listener and closes
// every connection of the pool; it waits for queries in flight.
func (s *Store) Close() {
	s.listener.close()
	if s.replica != nil {
		s.replica.Close()
	}
	if s.readers != nil {
		s.readers.close()
	}
	s.pool.Close()
}

// PoolStats reports the connection pool for the metrics: connections in
// use, idle, and in all.
func (s *Store) PoolStats() (acquired, idle, total int32) {
	st := s.pool.Stat()
	return st.AcquiredConns(), st.IdleConns(), st.TotalConns()
}
