package graph

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Subscriptions travel over the two standard streaming transports of
// GraphQL: graphql-transport-ws over a WebSocket (ws.go) and GraphQL over
// Server-Sent Events in its distinct connections mode (sse.go). Both carry
// subscriptions only: a query or a mutation goes as a plain request, under
// the in-flight limit and the deadline of every request, which a
// connection that lives for hours cannot be under. A subscription's
// document passes the same limits as any other (tokens, selections,
// depth, complexity), since it runs through the same executor.
//
// What a stream holds is bounded: the server counts open streams (in
// total and per client address, server/streams.go), and here the
// subscriptions running (in total and per socket). A stream that does not
// read what it is sent within WriteTimeout is closed, not buffered for.

// StreamConfig configures the streaming transports of NewHandler. Its
// zero value takes the defaults and serves everyone as anonymous.
type StreamConfig struct {
	// Authenticate returns ctx with the caller that the values of an
	// Authorization header stand for (as the HTTP server's
	// authentication does), or the refusal. A WebSocket's caller is
	// decided once, from the Authorization member of its connection_init
	// payload or else from the upgrade request's header; nil serves
	// every socket as anonymous. Server-Sent Events are plain requests,
	// which the HTTP server authenticates as any other.
	Authenticate func(ctx context.Context, authorization []string) (context.Context, error)
	// AllowedOrigins lists the origins whose pages may open a WebSocket,
	// as CORS lists those that may read ("https://maps.example.org", one
	// "*" as a wildcard); empty lets any origin, as CORS does. A page of
	// the server's own host may always. Browsers apply no CORS to
	// WebSockets, so the server must.
	AllowedOrigins []string
	// MaxSubscriptions bounds the subscriptions running at once over both
	// transports; 0 means DefaultMaxSubscriptions.
	MaxSubscriptions int
	// MaxSubscriptionsPerSocket bounds those of one WebSocket; 0 means
	// DefaultMaxSubscriptionsPerSocket.
	MaxSubscriptionsPerSocket int
	// InitTimeout is how long a WebSocket may take to send
	// connection_init; 0 means DefaultStreamInitTimeout.
	InitTimeout time.Duration
	// KeepAlive is how often a stream is pinged (a ping message on a
	// WebSocket, which must be answered within twice the interval; a
	// comment line on Server-Sent Events), so that proxies keep it open
	// and a dead peer is found; 0 means DefaultStreamKeepAlive.
	KeepAlive time.Duration
	// WriteTimeout is how long one message may take to be written to a
	// stream before its client is taken for gone and the stream closed;
	// 0 means DefaultStreamWriteTimeout.
	WriteTimeout time.Duration
	// RecheckEvery is how often the caller of a stream opened with a
	// token is authenticated again, so that a revoked or expired key, an
	// expired access token, or a key whose role or organisations changed
	// ends its streams; 0 means DefaultStreamRecheck.
	RecheckEvery time.Duration
}

// Defaults of StreamConfig.
const (
	// DefaultMaxSubscriptions is what the change feed serves without
	// its reads crowding out requests: each write wakes every
	// subscription, which then reads the feed (a few at a time).
	DefaultMaxSubscriptions = 1024
	// DefaultMaxSubscriptionsPerSocket is more than a map page needs
	// (one per layer it shows) and keeps one socket from holding many.
	DefaultMaxSubscriptionsPerSocket = 16
	// DefaultStreamInitTimeout gives a client time to fetch a token
	// before it initialises, and frees a socket that never does.
	DefaultStreamInitTimeout = 10 * time.Second
	// DefaultStreamKeepAlive is below the idle timeouts of common
	// proxies and load balancers (60 s).
	DefaultStreamKeepAlive = 25 * time.Second
	// DefaultStreamWriteTimeout lets a client on a slow link take a
	// page of events, and frees a stream whose client stopped reading.
	DefaultStreamWriteTimeout = 10 * time.Second
	// DefaultStreamRecheck bounds how long a stream outlives the
	// revocation of the key it was opened with, at one key lookup per
	// stream and interval.
	DefaultStreamRecheck = 30 * time.Second
)

func (c StreamConfig) withDefaults() StreamConfig {
	if c.MaxSubscriptions <= 0 {
		c.MaxSubscriptions = DefaultMaxSubscriptions
	}
	if c.MaxSubscriptionsPerSocket <= 0 {
		c.MaxSubscriptionsPerSocket = DefaultMaxSubscriptionsPerSocket
	}
	if c.InitTimeout <= 0 {
		c.InitTimeout = DefaultStreamInitTimeout
	}
	if c.KeepAlive <= 0 {
		c.KeepAlive = DefaultStreamKeepAlive
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultStreamWriteTimeout
	}
	if c.RecheckEvery <= 0 {
		c.RecheckEvery = DefaultStreamRecheck
	}
	return c
}

// holdCaller returns ctx ended once the token a stream was opened with no
// longer stands for the caller it was opened as. A request's caller is
// decided once, for the seconds it runs; a stream lives for hours, and a
// partner's revoked key must not keep receiving what it no longer may
// read. Both transports call it: a WebSocket from its connection_init,
// Server-Sent Events from their request. A check that cannot be made
// (UNAVAILABLE: the key store is down) keeps the stream, as it would not
// refuse a request the store cannot judge either; anonymous streams have
// nothing to revoke.
func holdCaller(ctx context.Context, cfg StreamConfig, authorization []string) context.Context {
	if cfg.Authenticate == nil || len(authorization) == 0 {
		return ctx
	}
	was, _ := auth.ActorFrom(ctx)
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		t := time.NewTicker(cfg.RecheckEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			now, err := cfg.Authenticate(ctx, authorization)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil && db.ErrorCode(err) == db.EUNAVAILABLE:
				continue
			case err != nil:
				cancel(err)
				return
			}
			is, _ := auth.ActorFrom(now)
			if is.ID != was.ID || is.Role != was.Role || !slices.Equal(is.Orgs, was.Orgs) {
				cancel(db.Errorf(db.EUNAUTHENTICATED, "the token now stands for another caller"))
				return
			}
		}
	}()
	return ctx
}

// IsWebSocket and IsEventStream tell whether r opens a stream: a
// WebSocket upgrade, or a request that accepts text/event-stream (as
// GraphQL over SSE clients and EventSource send it). The server serves
// those outside the bounds of ordinary requests (their deadline, the
// in-flight limit, compression) and under its bounds for streams instead.
func IsWebSocket(r *http.Request) bool {
	return headerHasToken(r.Header, "Upgrade", "websocket")
}

// IsEventStream: see IsWebSocket.
func IsEventStream(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			mt, _, _ := strings.Cut(part, ";")
			if strings.EqualFold(strings.TrimSpace(mt), "text/event-stream") {
				return true
			}
		}
	}
	return false
}

// headerHasToken is whether a comma-separated header holds token, in any
// case.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// streamKey keys the *stream an operation arrived on.
type streamKey struct{}

// stream is a WebSocket or a Server-Sent Events response, as the gate
// sees it.
type stream struct {
	// slots bounds the subscriptions of one socket; nil for SSE, which
	// carries one.
	slots chan struct{}
}

func withStream(ctx context.Context, s *stream) context.Context {
	return context.WithValue(ctx, streamKey{}, s)
}

func streamOf(ctx context.Context) *stream {
	s, _ := ctx.Value(streamKey{}).(*stream)
	return s
}

// streamGate lets subscriptions run over streams alone, and only as many
// as the bounds allow; it runs around every operation.
type streamGate struct {
	slots chan struct{} // the whole server's
}

func newStreamGate(max int) *streamGate {
	return &streamGate{slots: make(chan struct{}, max)}
}

func (g *streamGate) around(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	sub := op.Operation != nil && op.Operation.Operation == ast.Subscription
	s := streamOf(ctx)
	switch {
	case s == nil && !sub:
		return next(ctx)
	case s == nil:
		return refuseOperation(db.EINVALID,
			"a subscription is served over a WebSocket (graphql-transport-ws) or as Server-Sent Events (send Accept: text/event-stream), not as a plain request")
	case !sub:
		return refuseOperation(db.EINVALID,
			"only subscriptions are served over a stream: send queries and mutations as plain requests to the same endpoint")
	}
	// One root field, and not __typename: as the GraphQL spec says of a
	// subscription, which gqlgen's executor would fail as internal.
	if fields := graphql.CollectFields(op, op.Operation.SelectionSet, []string{"Subscription"}); len(fields) != 1 || strings.HasPrefix(fields[0].Name, "__") {
		return refuseOperation(db.EINVALID, "a subscription selects exactly one field of Subscription")
	}
	var release []chan struct{}
	free := func() {
		for _, c := range release {
			<-c
		}
	}
	if s.slots != nil {
		select {
		case s.slots <- struct{}{}:
			release = append(release, s.slots)
		default:
			return refuseOperation(db.EUNAVAILABLE,
				"this socket runs as many subscriptions as it may (%d); complete one first, or open another socket", cap(s.slots))
		}
	}
	select {
	case g.slots <- struct{}{}:
		release = append(release, g.slots)
	default:
		free()
		return refuseOperation(db.EUNAVAILABLE,
			"the server runs as many subscriptions as it may; try again later")
	}
	responses := next(ctx)
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		r := responses(ctx)
		if r == nil {
			// The subscription has ended: its stream stopped it, or
			// its source ran dry.
			once.Do(free)
		}
		return r
	}
}

// refuseOperation answers an operation with one error and no data.
func refuseOperation(code, format string, args ...any) graphql.ResponseHandler {
	e := &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{e}})
}
