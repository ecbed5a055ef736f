package server

import (
	"encoding/json"
	"net/http"

	"github.com/areagraph/areagraph/db"
)

// ConsistencyHeader carries a consistency token (db.Consistency) both
// ways: a response to a request that wrote names the position its writes
// are at, and a request that sends it back is answered by a database copy
// that holds them (db/postgis, "Read replicas"), whichever server
// instance it reaches. GraphQL also gives it in the response's
// extensions.consistency, for clients that do not read headers.
const ConsistencyHeader = "Areagraph-Consistency"

// withConsistency puts the token a request carries, and a sink for the
// tokens of the writes it makes, in its context, and answers the latest of
// those in the response's header. A token that is not one is refused with
// 400 and INVALID, before anything is read: a client sends back what a
// write gave it, or nothing.
func withConsistency(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if v := r.Header.Get(ConsistencyHeader); v != "" {
			c, err := db.ParseConsistency(v)
			if err != nil {
				refuseToken(w, err)
				return
			}
			ctx = db.WithConsistency(ctx, c)
		}
		ctx, writes := db.WithWrites(ctx)
		h.ServeHTTP(&consistencyWriter{ResponseWriter: w, writes: writes}, r.WithContext(ctx))
	})
}

// refuseToken answers a malformed token, in the shape of a GraphQL error
// so that GraphQL clients read it as they read any other.
func refuseToken(w http.ResponseWriter, err error) {
	type gqlError struct {
		Message    string            `json:"message"`
		Extensions map[string]string `json:"extensions"`
	}
	body := struct {
		Errors []gqlError `json:"errors"`
	}{[]gqlError{{Message: ConsistencyHeader + ": " + db.ErrorMessage(err), Extensions: map[string]string{"code": db.ErrorCode(err)}}}}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(body)
}

// consistencyWriter sets the header when the response starts: every write
// of a request has committed by then, since answers are written after the
// work is done.
type consistencyWriter struct {
	http.ResponseWriter
	writes  *db.Writes
	started bool
}

func (w *consistencyWriter) start() {
	if w.started {
		return
	}
	w.started = true
	if c := w.writes.Consistency(); c != 0 {
		w.Header().Set(ConsistencyHeader, c.String())
	}
}

func (w *consistencyWriter) WriteHeader(code int) {
	w.start()
	w.ResponseWriter.WriteHeader(code)
}

func (w *consistencyWriter) Write(b []byte) (int, error) {
	w.start()
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath (flushes,
// deadlines).
func (w *consistencyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes on, for writers that check for http.Flusher.
func (w *consistencyWriter) Flush() {
	w.start()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
