package obs

import (
	"context"
	"errors"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbhook"
)

// InstrumentStore returns store with the latency and outcome of every call
// recorded in m, under the method's name. Close is not measured: it
// happens once, at shutdown.
func InstrumentStore(store db.Store, m *Metrics) db.Store {
	return dbhook.Wrap(store, func(ctx context.Context, method string) func(error) {
		start := time.Now()
		return func(err error) {
			m.observeStore(method, outcome(ctx, err), time.Since(start))
		}
	})
}

// Timeout is the outcome of a store call stopped by its deadline (the
// request timeout): a slow query, not a database that is down.
const Timeout = "timeout"

// Unsupported is the outcome of a tree read the store refused as a shape
// it does not read (db.ErrTreeUnsupported), which the caller answers
// another way: the contract's answer, not a failure.
const Unsupported = "unsupported"

// outcome labels a store call by its error: ok, the error's code,
// Canceled when the caller gave up (its client left), Timeout when its
// deadline passed, Unsupported for a tree refused. UNAVAILABLE is left for
// the database's own failures, so that an alert on it does not fire on
// clients that hang up. A panic is INTERNAL.
func outcome(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, db.ErrTreeUnsupported):
		return Unsupported
	case ClientGone(ctx) && (errors.Is(err, context.Canceled) || db.ErrorCode(err) == db.EUNAVAILABLE):
		// A connection torn down by the cancellation may fail as lost
		// rather than as cancelled; either way the client left first.
		return Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout
	case errors.Is(err, context.Canceled):
		return db.EUNAVAILABLE
	default:
		return db.ErrorCode(err)
	}
}
