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
	return dbhook.Wrap(store, func(_ context.Context, method string) func(error) {
		start := time.Now()
		return func(err error) {
			m.storeDuration.WithLabelValues(method, outcome(err)).Observe(time.Since(start).Seconds())
		}
	})
}

// outcome labels a store call by its error: ok, the error's code, or
// UNAVAILABLE when the caller's context ended first. A panic is INTERNAL.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return db.EUNAVAILABLE
	default:
		return db.ErrorCode(err)
	}
}
