package outline

import (
	"context"
	"fmt"
)

// A group is read and prepared, and a simplification of it made, once
// however many requests want it at the same moment: a map shown to many
// users at once asks for the same tiles, and each of a tile's requests
// building the national statistical areas afresh (some 60 ms of CPU and
// tens of MB each) multiplied the server's memory by the requests in
// flight. The first request to miss starts the work; the others that
// miss while it runs wait for it.
//
// The work runs apart from any one request: a request whose context ends
// stops waiting and returns its context's error, and the work goes on for
// the others (and is kept for the next). Only when every request waiting
// for it has gone is it cancelled, so a store read nobody wants does not
// run on. An error is returned to those waiting and not kept: the next
// request tries again.

// flight is work in progress under a key, and once done its result.
type flight[T any] struct {
	done    chan struct{}
	val     T
	err     error
	waiters int
	cancel  context.CancelFunc
}

// join returns the result of the work under key in m, starting work in a
// goroutine of its own when none is in flight (started), and waiting for
// it until ctx ends. work runs under a context that keeps ctx's values but not its
// end, cancelled once every request waiting has gone. c.mu guards m.
func join[K comparable, T any](ctx context.Context, c *Cache, m map[K]*flight[T], key K, work func(context.Context) (T, error)) (v T, started bool, err error) {
	c.mu.Lock()
	f := m[key]
	if f == nil {
		started = true
		wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight[T]{done: make(chan struct{}), cancel: cancel}
		m[key] = f
		go func() {
			defer close(f.done)
			defer cancel()
			v, err := protect(wctx, work)
			c.mu.Lock()
			f.val, f.err = v, err
			if m[key] == f {
				delete(m, key)
			}
			c.mu.Unlock()
		}()
	}
	f.waiters++
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.val, started, f.err
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		if f.waiters == 0 && m[key] == f {
			// Nobody waits: a request that misses later starts afresh.
			delete(m, key)
			f.cancel()
		}
		c.mu.Unlock()
		return v, started, ctx.Err()
	}
}

// protect runs work, a panic in it returned as an error: it runs in a
// goroutine of its own, where no request's recovery would catch it.
func protect[T any](ctx context.Context, work func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("outline: %v", p)
		}
	}()
	return work(ctx)
}
