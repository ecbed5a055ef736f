package obs

import (
	"context"
	"crypto/rand"
	"errors"
)

// Request is what the access log and the metrics learn about a request
// from the handler that served it. The handler fills it in on the
// request's own goroutine, before it returns, so no lock is needed.
type Request struct {
	ID string
	// GraphQL is set by the GraphQL endpoint, with the operation's name
	// ("" for an anonymous one) and its outcome: "ok" or the error code
	// that best describes what went wrong.
	GraphQL   bool
	Operation string
	Outcome   string
}

// Canceled is the outcome of a request, or of a store call, whose client
// closed its connection (or otherwise gave up) before the answer was
// ready: not a failure of the server, and not to be counted as one.
const Canceled = "canceled"

// StatusClientClosedRequest is the status the access log and the metrics
// give such a request (nginx's 499): no status reached the client.
const StatusClientClosedRequest = 499

// ClientGone tells whether the request ctx belongs to was given up by its
// client: its context was cancelled, not timed out. net/http cancels a
// request's context when the client closes the connection.
func ClientGone(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.Canceled)
}

type requestKey struct{}

// RequestFrom returns the Request of ctx, or nil outside the middleware.
func RequestFrom(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if r := RequestFrom(ctx); r != nil {
		return r.ID
	}
	return ""
}

// SetGraphQL records the operation a request ran and how it ended.
func SetGraphQL(ctx context.Context, operation, outcome string) {
	if r := RequestFrom(ctx); r != nil {
		r.GraphQL, r.Operation, r.Outcome = true, operation, outcome
	}
}

// WithRequest returns ctx carrying r; the middleware does this for every
// request, tests may for a handler they call directly.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// maxRequestIDLen bounds an id taken from a client, which ends up in every
// log line of its request.
const maxRequestIDLen = 128

// requestID keeps the id a client or a proxy in front sent, so one id
// follows a request through every system it passes, unless it is too long
// or holds characters that could forge log lines; then it makes a new one.
func requestID(given string) string {
	if given != "" && len(given) <= maxRequestIDLen {
		ok := true
		for i := 0; i < len(given); i++ {
			if c := given[i]; c <= ' ' || c > '~' || c == '"' || c == '\\' {
				ok = false
				break
			}
		}
		if ok {
			return given
		}
	}
	return rand.Text()
}
