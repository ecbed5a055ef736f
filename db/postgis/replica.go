package postgis

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/areaindex"
)

// The area replica: AreasAt without a round trip.
//
// "Which areas is this point in" is the commonest question a map asks, and
// its answer needs nothing but the areas' outlines, which change seldom. A
// round trip to PostgreSQL costs more than the whole answer computed in
// process, so the store keeps the areas in memory with an R-tree, as the
// embedded backend does, and answers AreasAt from them. PostGIS stays the
// system of record: the replica is only ever a copy of what is committed,
// and it is never used unless it is known to be complete.
//
// Keeping in step. Triggers on areas (migration 0004) NOTIFY a channel of
// the schema with the ids of every changed row, after commit and in commit
// order. One dedicated connection LISTENs on it, fetches the changed rows
// and applies them in that order. It starts listening before it reads the
// full snapshot, so a change committed in between is in the snapshot or
// announced after it, or both (applying a change twice is harmless: a
// fetch reads the current row).
//
// Reading one's own writes. A write in this process calls areasChanged
// after its commit. That NOTIFYs a token of its own on the same channel and
// waits until the listener has seen it: PostgreSQL delivers notifications
// in commit order, so by then the listener has applied the write's own
// notification, which was committed before. A write from another process
// shows up as soon as its notification has been applied, as it would on a
// read replica of the database.
//
// Never serve a copy that may have missed a change. The replica answers
// only while it is live: loaded, with its listening connection intact, and
// with a token of its own round-tripped through that connection since the
// last doubt. It stops answering, and AreasAt goes to SQL, when
//   - the listening connection fails: it reconnects and reads everything
//     again before it is live again (notifications sent while nobody
//     listened are lost). Every AreasAt asks the kernel whether that
//     connection is still established (one system call), so a reset or a
//     closed connection stops the answers from memory at once, not when
//     the listener has been scheduled to read the error;
//   - a connection of the pool is lost or cannot be had: the database may
//     have restarted or failed over while the listening connection has not
//     noticed yet; one round trip on it shows whether it still works;
//   - a write's token cannot be sent or does not come back in time: the
//     write might be missing, so everything is read again;
//   - the triggers are missing (migration 0004 not applied): it never
//     goes live.
// A health check round-trips a token every replicaHealthInterval while
// idle, so a connection that died without a word is found within seconds.
//
// The replica starts with the first AreasAt (or WaitReplica), so commands
// that never ask (migrate, import, export) never read the areas; until it
// is live, AreasAt asks PostGIS.
//
// Memory: the replica holds every area's outline once more, about 35 MB of
// resident memory for the national benchmark dataset (8,000 areas, 1.2
// million vertices; see bench/RESULTS.md), and reads it in a fraction of a
// second at start and after every reconnect.
// area_replica=off in the database URL turns it off; AreasAt then always
// asks PostGIS.

// replicaParam is the connection string key that turns the replica off
// (area_replica=off); like pool_acquire_timeout it is taken out before pgx
// would send it to the server.
const replicaParam = "area_replica"

// Timing of the replica.
const (
	// replicaHealthInterval is how long the listener waits idle before it
	// round-trips a token to check its connection.
	replicaHealthInterval = 5 * time.Second
	// replicaRoundTrip bounds a token's round trip on the listening
	// connection, and a fetch of changed rows.
	replicaRoundTrip = 5 * time.Second
	// replicaSyncTimeout bounds how long a write waits for the replica to
	// apply it before it gives up and has everything read again.
	replicaSyncTimeout = 5 * time.Second
	// replicaRetryMin and replicaRetryMax bound the wait between attempts
	// to reconnect the listener.
	replicaRetryMin = 50 * time.Millisecond
	replicaRetryMax = 5 * time.Second
	// replicaLoadRetry is how often a replica that cannot load yet (no
	// table or no triggers) tries again when nothing else wakes it.
	replicaLoadRetry = 2 * time.Second
)

// replicaChannel is the channel the triggers of migration 0004 notify for
// the areas table in schema.
func replicaChannel(schema string) string {
	sum := md5.Sum([]byte(schema))
	return "areagraph_areas_" + hex.EncodeToString(sum[:])
}

// replicaOption reads and removes the replica switch from the connection
// parameters: on unless area_replica=off.
func replicaOption(params map[string]string) (bool, error) {
	v, ok := params[replicaParam]
	if !ok {
		return true, nil
	}
	delete(params, replicaParam)
	switch strings.ToLower(v) {
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("postgis: invalid database URL: %s must be on or off, not %q", replicaParam, v)
}

// replica is the in-memory copy of the areas; see the comment above.
type replica struct {
	connConfig *pgx.ConnConfig // for the listening connection
	pool       *pool           // for the tokens of writes
	id         string          // tells this store's tokens from others'
	log        *slog.Logger

	startOnce sync.Once
	ctx       context.Context // ends with Close
	stop      context.CancelFunc
	done      chan struct{} // closed when the listener has ended

	// live says the replica may answer; read without a lock on every
	// AreasAt.
	live atomic.Bool
	// served counts the answers given from memory.
	served atomic.Int64
	// sock is the listening connection's socket, asked on every AreasAt
	// whether the kernel still has it up; nil when it cannot be asked.
	sock atomic.Pointer[syscall.RawConn]

	// mu guards the copy itself.
	mu    sync.RWMutex
	areas map[int64]*db.Area
	index areaindex.Index

	// ctl guards the fields below, the hand-over between the listener and
	// everyone else.
	ctl sync.Mutex
	// channel is the channel being listened on; "" when not listening.
	// Writes send their tokens to it.
	channel string
	waiters map[string]chan struct{} // tokens sent and not yet seen
	tokens  uint64
	// needVerify and needReload are what the listener has been asked to
	// do: a token round trip, or a full read.
	needVerify, needReload bool
	// wake interrupts the listener's wait for a notification.
	wake context.CancelFunc
	// liveCh is closed while the replica is live, for WaitReplica.
	liveCh chan struct{}
	// lastErr is why the replica is not live, for WaitReplica and the log.
	lastErr error
	// loads counts full reads, for the tests.
	loads int
}

func newReplica(cfg *pgx.ConnConfig, p *pool) *replica {
	// The listener's statements are its own business, not a caller's to
	// trace.
	cfg.Tracer = nil
	var b [8]byte
	_, _ = rand.Read(b[:])
	ctx, stop := context.WithCancel(context.Background())
	return &replica{
		connConfig: cfg, pool: p, id: hex.EncodeToString(b[:]), log: slog.Default(),
		ctx: ctx, stop: stop, done: make(chan struct{}),
		areas: map[int64]*db.Area{}, waiters: map[string]chan struct{}{}, liveCh: make(chan struct{}),
		lastErr: errors.New("not loaded yet"),
	}
}

// start launches the listener the first time the replica is needed, so
// that commands which never ask AreasAt (migrate, import, export) never
// read the areas into memory.
func (r *replica) start() {
	r.startOnce.Do(func() { go r.run() })
}

// close stops the listener and waits for it. A replica that never
// started closes done itself, so that it cannot start any more and a
// second close finds done closed as after a run.
func (r *replica) close() {
	r.stop()
	r.startOnce.Do(func() { close(r.done) })
	<-r.done
}

// areasAt answers from the copy; ok is false when the replica is not live
// and the caller must ask the database.
func (r *replica) areasAt(pt orb.Point, kinds []db.AreaKind) (found []*db.Area, ok bool) {
	r.start()
	if !r.live.Load() {
		return nil, false
	}
	// A reset or closed listening connection shows in the kernel at once,
	// while its reader may not have been scheduled yet to notice; the
	// database went away, and the copy is not served a moment longer.
	if c := r.sock.Load(); c != nil && !sockUp(*c) {
		r.suspect()
		return nil, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	found = r.index.At(pt, kinds)
	// nil for none, as the statement's answer is.
	var out []*db.Area
	if len(found) > 0 {
		out = make([]*db.Area, len(found))
	}
	for i, a := range found {
		// Callers own what they get, as they own what a query decodes.
		out[i] = cloneArea(a)
	}
	r.served.Add(1)
	return out, true
}

// setLive changes whether the replica answers; call with ctl held.
func (r *replica) setLiveLocked(live bool, why error) {
	was := r.live.Swap(live)
	switch {
	case live && !was:
		close(r.liveCh)
		r.lastErr = nil
	case !live && was:
		r.liveCh = make(chan struct{})
	}
	if !live && why != nil {
		r.lastErr = why
	}
}

// wakeLocked interrupts the listener's wait; call with ctl held.
func (r *replica) wakeLocked() {
	if r.wake != nil {
		r.wake()
		r.wake = nil
	}
}

// suspect is told that a connection of the pool was lost: the listening
// connection may be broken too without knowing it yet. The replica stops
// answering until a token has come back through it.
func (r *replica) suspect() {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	if !r.live.Load() {
		return
	}
	r.setLiveLocked(false, errors.New("a database connection was lost; checking the listener"))
	r.needVerify = true
	r.wakeLocked()
}

// invalidate stops answering until everything has been read again.
func (r *replica) invalidate(why error) {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	r.setLiveLocked(false, why)
	r.needReload = true
	r.wakeLocked()
}

// newTokenLocked registers a token that the listener will report seeing
// by closing the channel; call with ctl held.
func (r *replica) newTokenLocked() (string, chan struct{}) {
	r.tokens++
	token := "sync:" + r.id + ":" + strconv.FormatUint(r.tokens, 10)
	ch := make(chan struct{})
	r.waiters[token] = ch
	return token, ch
}

// seen reports a token of this store back to whoever waits for it.
func (r *replica) seen(token string) {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	if ch, ok := r.waiters[token]; ok {
		close(ch)
		delete(r.waiters, token)
	}
}

// sync waits until the replica has applied everything committed before
// the call; see "Reading one's own writes".
func (r *replica) sync(ctx context.Context) {
	r.ctl.Lock()
	channel := r.channel
	if channel == "" {
		// Nobody listens: the replica is not live, and it reads
		// everything, this write included, before it is live again.
		r.ctl.Unlock()
		return
	}
	token, ch := r.newTokenLocked()
	r.ctl.Unlock()
	defer func() {
		r.ctl.Lock()
		delete(r.waiters, token)
		r.ctl.Unlock()
	}()

	ctx, cancel := context.WithTimeout(ctx, replicaSyncTimeout)
	defer cancel()
	c, err := r.pool.acquire(ctx)
	if err == nil {
		_, err = c.Exec(ctx, "SELECT pg_notify($1, $2)", channel, token)
		c.Release()
	}
	if err != nil {
		r.invalidate(fmt.Errorf("a write could not be confirmed: %v", err))
		return
	}
	select {
	case <-ch:
		// Seen, or the listener lost its connection and released every
		// waiter: either way the replica holds the write or is not live.
	case <-ctx.Done():
		r.invalidate(errors.New("a write was not confirmed in time"))
	}
}

// dropped is the listener losing its connection: nothing is live, and
// every write waiting for its token is let go (the next load reads it).
func (r *replica) dropped(why error) {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	r.setLiveLocked(false, why)
	r.sock.Store(nil)
	r.channel = ""
	r.wake = nil
	for token, ch := range r.waiters {
		close(ch)
		delete(r.waiters, token)
	}
}

// loadCount is how many times the replica has read every area.
func (r *replica) loadCount() int {
	r.ctl.Lock()
	defer r.ctl.Unlock()
	return r.loads
}

// wait blocks until the replica is live, ctx ends or the store closes.
func (r *replica) wait(ctx context.Context) error {
	r.start()
	for {
		r.ctl.Lock()
		ch, why := r.liveCh, r.lastErr
		r.ctl.Unlock()
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("postgis: area replica not ready (%v): %w", why, ctx.Err())
		case <-r.ctx.Done():
			return errors.New("postgis: store closed")
		}
	}
}

// replicaTracer tells the replica about connections of the pool that were
// lost (released closed) or could not be had. pgxpool finds its tracers
// on the connection's query tracer, hence the two empty methods.
type replicaTracer struct{ r *replica }

var (
	_ pgx.QueryTracer       = replicaTracer{}
	_ pgxpool.AcquireTracer = replicaTracer{}
	_ pgxpool.ReleaseTracer = replicaTracer{}
)

func (replicaTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (replicaTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t replicaTracer) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	return ctx
}

func (t replicaTracer) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, data pgxpool.TraceAcquireEndData) {
	// A caller giving up, or the acquire bound of a busy pool, says
	// nothing about the database; a failed connect does.
	if data.Err != nil && ctx.Err() == nil {
		t.r.suspect()
	}
}

func (t replicaTracer) TraceRelease(_ *pgxpool.Pool, data pgxpool.TraceReleaseData) {
	// pgx closes a connection on network errors, and also when a query
	// is cancelled; the latter costs one needless round trip.
	if data.Conn.IsClosed() {
		t.r.suspect()
	}
}

// areasChanged is called after every committed transaction that wrote
// areas (Load, UpsertAreas, CreateArea, UpdateArea, DeleteArea), before
// the write returns to its caller: it returns once the replica holds the
// write, or is not live.
func (s *Store) areasChanged(ctx context.Context) {
	if s.replica != nil {
		s.replica.sync(ctx)
	}
}

// WaitReplica waits until AreasAt is answered from memory (see replica.go),
// starting the replica if nothing has yet: a server calls it before it
// reports ready, a benchmark before it measures. It fails when ctx ends
// first, and at once when the replica is turned off (area_replica=off).
func (s *Store) WaitReplica(ctx context.Context) error {
	if s.replica == nil {
		return errors.New("postgis: the area replica is off")
	}
	return s.replica.wait(ctx)
}
