package obs

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// access is what the access log says of one request, in the order its
// line gives it.
type access struct {
	method, path, route string
	status              int
	elapsed             time.Duration
	bytes               int64
	layer               string // "" for none
	graphQL             bool
	operation, outcome  string
}

// durationMS is the elapsed time as the log gives it: milliseconds to the
// microsecond.
func (a *access) durationMS() float64 { return float64(a.elapsed.Microseconds()) / 1000 }

func (a *access) attrs() []slog.Attr {
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("method", a.method),
		slog.String("path", a.path),
		slog.String("route", a.route),
		slog.Int("status", a.status),
		slog.Float64("duration_ms", a.durationMS()),
		slog.Int64("bytes", a.bytes),
	)
	if a.layer != "" {
		attrs = append(attrs, slog.String("layer", a.layer))
	}
	if a.graphQL {
		attrs = append(attrs, slog.String("operation", a.operation), slog.String("outcome", a.outcome))
	}
	return attrs
}

// logAccess writes the access log line of a request finished at at. It is
// on the path of every request, cheap ones above all, so a logger made by
// NewLogger in JSON, as production runs, gets the line written straight
// into a pooled buffer, byte for byte what slog's JSON handler would
// write; any other logger, or a line with a value that JSON would escape,
// goes through slog. The end time the duration was taken from is the
// line's time, read once.
func logAccess(ctx context.Context, log *slog.Logger, level slog.Level, at time.Time, a *access) {
	if !log.Enabled(ctx, level) {
		return
	}
	if h, ok := log.Handler().(contextHandler); ok && h.direct != nil {
		if id := RequestID(ctx); a.plain() && plainText(id) {
			h.direct.write(level, at, a, id)
			return
		}
	}
	r := slog.NewRecord(at, level, "request", 0)
	r.AddAttrs(a.attrs()...)
	_ = log.Handler().Handle(ctx, r)
}

// plain says whether every text of a is printable ASCII without a quote
// or a backslash, which JSON writes as it is; paths and labels nearly
// always are.
func (a *access) plain() bool {
	return plainText(a.method) && plainText(a.path) && plainText(a.route) && plainText(a.layer) &&
		plainText(a.operation) && plainText(a.outcome)
}

func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// directJSON writes access log lines as slog.JSONHandler does, to the
// writer that handler writes to: lockedWriter keeps the two from
// interleaving.
type directJSON struct{ w *lockedWriter }

// lockedWriter is the writer of a logger from NewLogger: one Write at a
// time, whether slog's handler makes it or directJSON does.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (d *directJSON) write(level slog.Level, at time.Time, a *access, requestID string) {
	bp := lineBuffers.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"time":"`...)
	b = at.Round(0).AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"`...)
	b = append(b, level.String()...)
	b = append(b, `","msg":"request","method":"`...)
	b = append(b, a.method...)
	b = append(b, `","path":"`...)
	b = append(b, a.path...)
	b = append(b, `","route":"`...)
	b = append(b, a.route...)
	b = append(b, `","status":`...)
	b = strconv.AppendInt(b, int64(a.status), 10)
	b = append(b, `,"duration_ms":`...)
	// As encoding/json writes a float64 (which slog calls): 'f' for
	// every value between 1e-6 and 1e21, which a duration in milliseconds
	// to the microsecond always is, or 0.
	b = strconv.AppendFloat(b, a.durationMS(), 'f', -1, 64)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, a.bytes, 10)
	if a.layer != "" {
		b = append(b, `,"layer":"`...)
		b = append(b, a.layer...)
		b = append(b, '"')
	}
	if a.graphQL {
		b = append(b, `,"operation":"`...)
		b = append(b, a.operation...)
		b = append(b, `","outcome":"`...)
		b = append(b, a.outcome...)
		b = append(b, '"')
	}
	if requestID != "" {
		b = append(b, `,"request_id":"`...)
		b = append(b, requestID...)
		b = append(b, '"')
	}
	b = append(b, "}\n"...)
	_, _ = d.w.Write(b)
	if cap(b) <= 16<<10 {
		*bp = b
		lineBuffers.Put(bp)
	}
}
