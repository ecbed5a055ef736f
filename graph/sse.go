package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/obs"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// GraphQL over Server-Sent Events, distinct connections mode
// (https://github.com/enisdenjo/graphql-sse/blob/master/PROTOCOL.md): the
// request is a GraphQL-over-HTTP request (POST with JSON, or GET with the
// parameters in the URL, which EventSource can send) that accepts
// text/event-stream. A request that is not well-formed is refused as any
// other, with its status; once it is, the answer is an event stream: each
// result a "next" event, then a "complete" event. Errors found before
// execution (syntax, validation, limits) come as a "next" event too, as
// the protocol says, since EventSource shows nothing of a 400. The client
// ends a subscription by closing the connection.
//
// gqlgen's own SSE transport reads the body without a bound, and writes
// without a deadline from two goroutines; this one reads as the POST
// handler does and writes from one, each write under WriteTimeout.

func (h *graphqlHandler) serveEventStream(w http.ResponseWriter, r *http.Request) {
	var params *graphql.RawParams
	var bad *badRequest
	switch r.Method {
	case http.MethodPost:
		params, bad = h.readPost(w, r)
	case http.MethodGet:
		params, bad = h.readGet(r)
	default:
		w.Header().Set("Allow", "GET, POST")
		h.refuse(w, r, mediaJSON, http.StatusMethodNotAllowed, "Server-Sent Events are served for POST and GET, not %s", r.Method)
		return
	}
	if bad != nil {
		h.refuse(w, r, mediaJSON, bad.status, "%s", bad.message)
		return
	}
	rc := http.NewResponseController(w)
	// The body is read: the server's read deadline, meant for a
	// trickled request, would otherwise end the stream when it passes.
	_ = rc.SetReadDeadline(time.Time{})
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// The request's caller was decided by the server's authentication;
	// the stream's is decided again as it runs.
	ctx = holdCaller(ctx, h.streams, r.Header.Values("Authorization"))
	ctx = graphql.StartOperationTrace(ctx)
	ctx = context.WithValue(ctx, parsedKey{}, new(parsedQuery))
	ctx = withStream(ctx, &stream{})
	if r.Method == http.MethodGet {
		ctx = context.WithValue(ctx, viaGETKey{}, true)
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	// Proxies that buffer answers (nginx) would hold the events back.
	hdr.Set("X-Accel-Buffering", "no")
	out := &eventStream{w: w, rc: rc, timeout: h.streams.WriteTimeout}
	w.WriteHeader(http.StatusOK)
	op, errs := h.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := h.exec.DispatchError(graphql.WithOperationContext(ctx, op), errs)
		obs.SetGraphQL(r.Context(), operationName(op), outcome(resp.Errors))
		if out.next(resp) == nil {
			_ = out.complete()
		}
		return
	}
	obs.SetGraphQL(r.Context(), operationName(op), "ok")
	// Dispatching a subscription starts it; only then do the headers go
	// out, so a client that has them knows that every change from now on
	// will reach it.
	responses, ctx := h.exec.DispatchOperation(ctx, op)
	if out.comment() != nil {
		return
	}
	results := make(chan *graphql.Response)
	go func() {
		defer close(results)
		// Until the end of the source: the gate frees the
		// subscription's slots only then.
		for {
			resp := responses(ctx)
			if resp == nil {
				return
			}
			// The executor writes each result into one buffer, which
			// the next call reuses while this one may still be being
			// written out.
			resp.Data = bytes.Clone(resp.Data)
			select {
			case results <- resp:
			case <-ctx.Done():
			}
		}
	}()
	ping := time.NewTicker(h.streams.KeepAlive)
	defer ping.Stop()
	for {
		select {
		case resp, ok := <-results:
			if !ok {
				_ = out.complete()
				return
			}
			if err := out.next(resp); err != nil {
				h.log.DebugContext(ctx, "event stream dropped", "error", err)
				return
			}
		case <-ping.C:
			if out.comment() != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// eventStream writes the events of one response, each flushed under a
// write deadline: a client that stops reading is dropped when it passes.
type eventStream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (s *eventStream) next(resp *graphql.Response) error {
	body, err := encodeResponse(resp)
	if err != nil {
		body, _ = encodeResponse(&graphql.Response{Errors: gqlerror.List{internalError()}})
	}
	return s.write("event: next\ndata: %s\n\n", body)
}

// complete ends the stream; its empty data line makes EventSource
// dispatch it.
func (s *eventStream) complete() error { return s.write("event: complete\ndata:\n\n") }

// comment is a line every client ignores: it sends the headers at once,
// and keeps proxies from closing a quiet stream.
func (s *eventStream) comment() error { return s.write(":\n\n") }

func (s *eventStream) write(format string, args ...any) error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := fmt.Fprintf(s.w, format, args...); err != nil {
		return err
	}
	return s.rc.Flush()
}
