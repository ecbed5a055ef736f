package postgis

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/areagraph/areagraph/db/replica"
)

// The store's side of the area replica (db/replica, fed by feed.go): the switch in the
// connection string, the doubts the pool raises, and WaitReplica.
//
// area_replica=off in the database URL turns it off; AreasAt then always
// asks PostGIS.

// replicaParam is the connection string key that turns the replica off
// (area_replica=off); like pool_acquire_timeout it is taken out before pgx
// would send it to the server.
const replicaParam = "area_replica"

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

// replicaTracer tells the replica about connections of the pool that were
// lost (released closed) or could not be had. pgxpool finds its tracers
// on the connection's query tracer, hence the two empty methods.
type replicaTracer struct{ r *replica.Replica }

// withReplicaTracer is the tracer for a pool whose replica is r: a caller's
// own tracer, when there is one, chained with the replica's, so that each
// gets every event it asks for. The one tracer slot of pgx is the caller's
// as much as the replica's, and neither gives up what it learns from it.
func withReplicaTracer(user pgx.QueryTracer, r *replica.Replica) pgx.QueryTracer {
	if user == nil {
		return replicaTracer{r}
	}
	return multitracer.New(user, replicaTracer{r})
}

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
		t.r.Suspect()
	}
}

func (t replicaTracer) TraceRelease(_ *pgxpool.Pool, data pgxpool.TraceReleaseData) {
	// pgx closes a connection on network errors, and also when a query
	// is cancelled; the latter costs one needless round trip.
	if data.Conn.IsClosed() {
		t.r.Suspect()
	}
}

// WaitReplica waits until AreasAt is answered from memory (see db/replica),
// starting the replica if nothing has yet: a server calls it before it
// reports ready, a benchmark before it measures. It fails when ctx ends
// first, and at once when the replica is turned off (area_replica=off).
func (s *Store) WaitReplica(ctx context.Context) error {
	if s.replica == nil {
		return errors.New("postgis: the area replica is off")
	}
	if err := s.replica.Wait(ctx); err != nil {
		return fmt.Errorf("postgis: %w", err)
	}
	return nil
}
