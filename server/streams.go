package server

import (
	"net/http"
	"sync"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/httpx"
)

// Streams (WebSockets and Server-Sent Events at /graphql) live for hours,
// so they are not served as requests are: no deadline, no share of the
// in-flight limit (a few open maps would take it all), no compression
// (which would hold events back to fill its window). They have bounds of
// their own instead: how many are open on the server, and how many from
// one client address, so that one client cannot take them all.

// Defaults of Config's stream bounds.
const (
	// DefaultMaxStreams is far more map pages than one instance serves,
	// each holding a connection and a goroutine or two (tens of KiB).
	DefaultMaxStreams = 1024
	// DefaultMaxStreamsPerClient is a few browser tabs of one user, or
	// an office behind one address, without one client taking the
	// server's whole share.
	DefaultMaxStreamsPerClient = 16
)

// streamLimit admits at most max streams at once, at most perClient from
// one client address (httpx.ClientIP), answering the one past either
// with 503 or 429 and Retry-After at once. A bound below 0 is no bound.
func streamLimit(max, perClient int, fwd *httpx.Forwarding) func(http.Handler) http.Handler {
	var mu sync.Mutex
	open := 0
	byClient := map[string]int{}
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := httpx.ClientIP(r, fwd)
			mu.Lock()
			switch {
			case max >= 0 && open >= max:
				mu.Unlock()
				refuseStream(w, http.StatusServiceUnavailable, "the server holds as many streams as it may; try again later")
				return
			case perClient >= 0 && byClient[ip] >= perClient:
				mu.Unlock()
				refuseStream(w, http.StatusTooManyRequests,
					"this client address holds as many streams as it may; close one first (one socket carries many subscriptions)")
				return
			}
			open++
			byClient[ip]++
			mu.Unlock()
			defer func() {
				mu.Lock()
				open--
				if byClient[ip]--; byClient[ip] == 0 {
					delete(byClient, ip)
				}
				mu.Unlock()
			}()
			h.ServeHTTP(w, r)
		})
	}
}

func refuseStream(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Retry-After", "5")
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"message":    message,
		"extensions": map[string]string{"code": db.EUNAVAILABLE},
	}}})
}
