package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Reading one's own writes across servers.
//
// A store whose reads may be answered by copies of the system of record
// (PostgreSQL streaming replicas, see db/postgis) hands every write a
// Consistency: a position in the record's history at or after the write's
// commit. A client that passes it back with a later read, through any
// server, is answered from a copy that holds that position, or from the
// system of record itself. The token travels in the context: the HTTP
// layer puts the one a request carries there (WithConsistency) and a sink
// for the writes the request makes (WithWrites); the store reads the one
// and fills the other. Neither the resolvers nor the HTTP layer know what
// the position means.

// Consistency is a position in the system of record's history; 0 is none.
// Positions grow with every commit, so a copy that has reached a position
// holds every write committed before it. Its text form is PostgreSQL's for
// a write-ahead log position (pg_lsn): two hexadecimal numbers, the high
// and low 32 bits, split by a slash, as in "16/B374D848".
type Consistency uint64

// String is the text form; "" for none.
func (c Consistency) String() string {
	if c == 0 {
		return ""
	}
	return fmt.Sprintf("%X/%X", uint64(c)>>32, uint64(c)&0xffffffff)
}

// maxConsistencyText bounds the text ParseConsistency reads: two 8-digit
// hexadecimal numbers and the slash.
const maxConsistencyText = 17

// ParseConsistency reads the text form of a Consistency. Anything else,
// the zero position included, is EINVALID: a client sends back what a
// write gave it, or nothing.
func ParseConsistency(s string) (Consistency, error) {
	invalid := Errorf(EINVALID, "a consistency token is two hexadecimal numbers split by a slash, as a write's response gives it")
	hi, lo, ok := strings.Cut(s, "/")
	if !ok || len(s) > maxConsistencyText || hi == "" || lo == "" {
		return 0, invalid
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, invalid
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, invalid
	}
	c := Consistency(h<<32 | l)
	if c == 0 {
		return 0, invalid
	}
	return c, nil
}

type consistencyKey struct{}

// WithConsistency asks the reads made under the returned context to see at
// least position c (the token a client sent back); 0 asks nothing.
func WithConsistency(ctx context.Context, c Consistency) context.Context {
	if c == 0 {
		return ctx
	}
	return context.WithValue(ctx, consistencyKey{}, c)
}

// ConsistencyOf is the position reads under ctx must see: the greater of
// the one asked with WithConsistency and those of the writes already made
// under ctx (a request reads what it wrote). 0 asks nothing.
func ConsistencyOf(ctx context.Context) Consistency {
	c, _ := ctx.Value(consistencyKey{}).(Consistency)
	if w := writesOf(ctx); w != nil {
		c = max(c, w.Consistency())
	}
	return c
}

// Writes collects the positions of the writes made under one context,
// keeping the latest; safe for concurrent use.
type Writes struct {
	mu sync.Mutex
	c  Consistency
}

// Consistency is the position of the latest write noted; 0 for none.
func (w *Writes) Consistency() Consistency {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.c
}

func (w *Writes) note(c Consistency) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.c = max(w.c, c)
}

type writesKey struct{}

// WithWrites gives ctx a sink for the positions of the writes made under
// it, and returns it. A context that has one already keeps it, so the
// HTTP layer and the GraphQL handler below it share one.
func WithWrites(ctx context.Context) (context.Context, *Writes) {
	if w := writesOf(ctx); w != nil {
		return ctx, w
	}
	w := &Writes{}
	return context.WithValue(ctx, writesKey{}, w), w
}

// WritesOf is the sink of ctx; nil when it has none.
func WritesOf(ctx context.Context) *Writes { return writesOf(ctx) }

func writesOf(ctx context.Context) *Writes {
	w, _ := ctx.Value(writesKey{}).(*Writes)
	return w
}

// NoteWrite is what a store calls after a write under ctx committed at or
// before position c; nothing happens when ctx has no sink.
func NoteWrite(ctx context.Context, c Consistency) {
	if w := writesOf(ctx); w != nil && c != 0 {
		w.note(c)
	}
}

// ReplicaStatus is what a store that reads from copies of the system of
// record (read replicas) reports about one of them, for the metrics.
type ReplicaStatus struct {
	// Name tells the copy apart: its host and port, never its password.
	Name string
	// Up is whether reads may go to it: it answers, and lags within the
	// store's bound.
	Up bool
	// Answers is whether it answered its last health check.
	Answers bool
	// Lag is how far behind the system of record it was at its last
	// check: at least this long ago the record held a write the copy has
	// not replayed.
	Lag float64 // seconds
	// LagBytes is how much of the record's history it had yet to replay.
	LagBytes int64
}

// ReadRoute is how many reads went to Server ("primary" or "replica") for
// Reason.
type ReadRoute struct {
	Server, Reason string
	Count          uint64
}

// ReplicationStats is the state of a store's read replicas and where its
// reads went.
type ReplicationStats struct {
	// PrimaryUp is whether the system of record answered its last check.
	PrimaryUp bool
	Replicas  []ReplicaStatus
	Routes    []ReadRoute
}
