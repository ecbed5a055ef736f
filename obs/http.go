package obs

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// Options configures Middleware.
type Options struct {
	// Log receives one line per request; nil means slog.Default().
	Log *slog.Logger
	// Metrics records requests; nil records none.
	Metrics *Metrics
	// Route names the route that served r, as the router left r, and the
	// map layer it asked for ("" when none). Routes must come from a fixed
	// set; layers are admitted as labels only once one was served well.
	// Nil labels every request by its router pattern.
	Route func(r *http.Request) (route, layer string)
	// Quiet lists routes polled by machines (health probes, scrapes):
	// their successful requests are logged at debug level only.
	Quiet []string
}

// Middleware gives every request an id (the client's X-Request-Id when it
// sent a usable one), echoes it in the response, counts the request in
// flight, and when it is done logs one line and records its metrics. A
// panic that escapes next is logged with the request id and answered with
// 500 when nothing was sent yet.
func Middleware(next http.Handler, opts Options) http.Handler {
	log := WithRequestIDs(opts.Log)
	m := opts.Metrics
	route := opts.Route
	if route == nil {
		route = patternRoute
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// What the middleware keeps of a request, in one allocation.
		st := &served{rec: recorder{ResponseWriter: w}}
		info, rec := &st.info, &st.rec
		info.ID = requestID(r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Request-Id", info.ID)
		st.ctx = requestContext{Context: r.Context(), info: info}
		ctx := context.Context(&st.ctx)
		r = r.WithContext(ctx)
		if m != nil {
			m.inFlight.Inc()
			defer m.inFlight.Dec()
		}
		defer func() {
			p := recover()
			if p != nil {
				if p == http.ErrAbortHandler { //nolint:errorlint // net/http compares it the same way
					panic(p)
				}
				log.ErrorContext(ctx, "panic serving request", "panic", fmt.Sprint(p), "path", r.URL.Path, "stack", string(debug.Stack()))
				if rec.status == 0 {
					rec.Header().Set("Content-Type", "application/json")
					rec.WriteHeader(http.StatusInternalServerError)
					_, _ = rec.Write([]byte(`{"error":{"code":"INTERNAL","message":"internal error"}}` + "\n"))
				}
				rec.status = http.StatusInternalServerError
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK // what net/http sends for a handler that wrote nothing
			}
			// A request that failed because its client left failed no
			// one: it is logged and counted as 499, not as the 503 (or
			// the GraphQL error) the handler wrote to nobody.
			if ClientGone(ctx) && (status >= 500 || info.Outcome == Canceled) {
				status = StatusClientClosedRequest
			}
			end := time.Now()
			elapsed := end.Sub(start)
			routeName, layer := route(r)
			if m != nil {
				layer = m.record(info, routeName, layer, status, elapsed)
			}
			level := slog.LevelInfo
			switch {
			case status >= 500:
				level = slog.LevelWarn
			case status < 400 && slices.Contains(opts.Quiet, routeName):
				level = slog.LevelDebug
			}
			logAccess(ctx, log, level, end, &access{method: r.Method, path: r.URL.Path, route: routeName, status: status,
				elapsed: elapsed, bytes: rec.bytes, layer: layer, graphQL: info.GraphQL, operation: info.Operation,
				outcome: info.Outcome})
		}()
		next.ServeHTTP(rec, r)
	})
}

// record counts a finished request and returns the layer label it used.
func (m *Metrics) record(info *Request, route, layer string, status int, elapsed time.Duration) string {
	if layer != "" {
		// A layer that was served is a real one; an unknown name only
		// ever earns an error, and must not take a label of its own.
		if status < 400 {
			layer = m.layers.value(layer)
		} else {
			layer = m.layers.known(layer)
		}
	}
	seconds := elapsed.Seconds()
	h := m.httpPair(route, layer, status)
	h.requests.Inc()
	h.duration.Observe(seconds)
	if info.GraphQL {
		op := info.Operation
		if op == "" {
			op = Anonymous
		}
		g := m.gqlPair(m.operations.value(op), info.Outcome)
		g.requests.Inc()
		g.duration.Observe(seconds)
	}
	return layer
}

// patternRoute labels a request by the ServeMux pattern that matched it,
// without its method; Other when none did.
func patternRoute(r *http.Request) (string, string) {
	return PatternPath(r.Pattern), ""
}

// PatternPath returns the path of a ServeMux pattern ("GET /{$}" → "/"),
// or Other for the empty pattern of an unmatched request.
func PatternPath(pattern string) string {
	if pattern == "" {
		return Other
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	return strings.TrimSuffix(pattern, "{$}")
}

// served is what Middleware keeps of a request while it is served.
type served struct {
	info Request
	rec  recorder
	ctx  requestContext
}

// recorder notes the status and size of a response on its way out.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Flush lets handlers that stream (and http.ResponseController) reach the
// connection through the recorder.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		if r.status == 0 {
			r.status = http.StatusOK
		}
		f.Flush()
	}
}

// Unwrap serves http.ResponseController.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
