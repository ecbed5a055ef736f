package obs

import (
	"context"
	"errors"
	"math/rand/v2"
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
	return &requestContext{Context: ctx, info: r}
}

// requestContext carries a Request as context.WithValue would; the
// middleware allocates it with the rest of what it keeps of a request.
type requestContext struct {
	context.Context
	info *Request
}

func (c *requestContext) Value(key any) any {
	if key == (requestKey{}) {
		return c.info
	}
	return c.Context.Value(key)
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
	return newRequestID()
}

// idAlphabet is RFC 4648's base32, the alphabet of crypto/rand.Text, which
// made the ids before.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// newRequestID makes an id of 26 base32 characters, 128 random bits, from
// math/rand/v2's generator (ChaCha8, seeded by the runtime): unique enough
// to tell requests apart across a fleet's logs, and a tenth of the cost of
// reading the operating system's randomness. An id is no secret (a client
// may choose its own), so it need not be unpredictable.
func newRequestID() string {
	var b [26]byte
	x, y := rand.Uint64(), rand.Uint64()
	for i := range 12 {
		b[i], b[12+i] = idAlphabet[x&31], idAlphabet[y&31]
		x >>= 5
		y >>= 5
	}
	// Each word has 4 bits left, one character each: 128 random bits in
	// 26 characters, the last two from the first 16 letters.
	b[24], b[25] = idAlphabet[x&15], idAlphabet[y&15]
	return string(b[:])
}
