package server

import (
	"log/slog"
	"net/http"
	"time"
)

// HTTPServer returns the http.Server that serves h with the connection
// timeouts cfg implies, so that a slow or idle client holds a connection
// no longer than a request may take: headers within ReadHeaderTimeout,
// and the whole request, body included, within the request timeout
// (cfg.Limits.Timeout), since a handler blocked reading a trickled body
// does not see its context's deadline. Its errors go to cfg.Log at WARN.
func HTTPServer(h http.Handler, cfg Config) *http.Server {
	cfg = cfg.withDefaults()
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(ReadHeaderTimeout, cfg.Limits.Timeout),
		ReadTimeout:       cfg.Limits.Timeout,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(cfg.Log.Handler(), slog.LevelWarn),
	}
}

// Connection timeouts of HTTPServer.
const (
	// ReadHeaderTimeout bounds the headers of a request, never more than
	// the request timeout.
	ReadHeaderTimeout = 10 * time.Second
	// IdleTimeout closes a kept-alive connection nobody uses.
	IdleTimeout = 2 * time.Minute
)
