// Package obs is how areagraph is watched in production: structured logs
// that carry the request id, one access log line per request, and
// Prometheus metrics for requests, GraphQL operations, store calls and the
// database pool. It knows nothing of GraphQL or the map layers; the graph
// package tells it what a request was through the Request in its context.
package obs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// Log formats.
const (
	FormatAuto = "auto" // text on a terminal, JSON otherwise
	FormatJSON = "json"
	FormatText = "text"
)

// NewLogger returns a logger writing to w in format at level. Auto picks
// text when w is a terminal, where a person reads it, and JSON otherwise,
// where a log collector does. Every record logged with a request's context
// carries its request id.
func NewLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch f := strings.ToLower(format); {
	case f == FormatText || (f == FormatAuto || f == "") && isTerminal(w):
		return slog.New(contextHandler{Handler: slog.NewTextHandler(w, opts)}), nil
	case f == FormatJSON || f == FormatAuto || f == "":
		// The access log writes its lines itself (access.go), to the
		// same writer, one Write at a time with slog's.
		lw := &lockedWriter{w: w}
		return slog.New(contextHandler{Handler: slog.NewJSONHandler(lw, opts), direct: &directJSON{lw}}), nil
	default:
		return nil, fmt.Errorf("unknown log format %q: want auto, json or text", format)
	}
}

// ParseLevel reads debug, info, warn or error (any case).
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("unknown log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// WithRequestIDs returns log with request ids added from the context of
// each record, unless it does that already. Code deep in a request (the
// error presenter, a loader) logs with the request's context and need not
// know about ids.
func WithRequestIDs(log *slog.Logger) *slog.Logger {
	if log == nil {
		log = slog.Default()
	}
	if _, ok := log.Handler().(contextHandler); ok {
		return log
	}
	return slog.New(contextHandler{Handler: log.Handler()})
}

// contextHandler adds the request id to every record; direct, when set,
// is how the access log writes its lines without slog (access.go): only
// a handler as NewLogger made it has one, not one with attributes or
// groups added.
type contextHandler struct {
	slog.Handler
	direct *directJSON
}

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{Handler: h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{Handler: h.Handler.WithGroup(name)}
}
