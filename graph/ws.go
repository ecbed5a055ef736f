package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/areagraph/areagraph/db"
	coderws "github.com/coder/websocket"
)

// GraphQL over WebSocket: gqlgen's transport speaks graphql-transport-ws
// (and the older graphql-ws subprotocol, for the clients that still
// send it); this file gives it the server's checks: the origin, the
// caller, the size of a message, the time to initialise, pings, and a
// deadline on every write.

// wsCloseForbidden and wsCloseTryAgain are the close codes of a refused
// connection_init: 4403 as graphql-transport-ws says for a refused
// caller, 1013 (RFC 6455, try again later) when the token cannot be
// checked now.
const (
	wsCloseForbidden = 4403
	wsCloseTryAgain  = 1013
)

// upgradeAuthKey keys the Authorization values of the upgrade request.
type upgradeAuthKey struct{}

func newWebSocket(cfg StreamConfig, maxMessage int64, log *slog.Logger) transport.Websocket {
	limit := maxMessage
	return transport.Websocket{
		Implementation:   wsAccept{writeTimeout: cfg.WriteTimeout},
		InitTimeout:      cfg.InitTimeout,
		PingPongInterval: cfg.KeepAlive,
		// The older graphql-ws protocol has no ping to answer: its
		// keep-alive messages at least meet the write deadline, so a
		// peer gone quiet is found there.
		KeepAlivePingInterval: cfg.KeepAlive,
		PayloadReadLimit:      &limit,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			return initSocket(ctx, cfg, p)
		},
		ErrorFunc: func(ctx context.Context, err error) {
			// A peer that goes away, or sends what the protocol
			// does not allow, is the peer's affair.
			log.DebugContext(ctx, "websocket", "error", err)
		},
	}
}

// initSocket decides a socket's caller from its connection_init payload,
// else from its upgrade request, and gives it its bound on
// subscriptions.
func initSocket(ctx context.Context, cfg StreamConfig, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	values, _ := ctx.Value(upgradeAuthKey{}).([]string)
	for k, v := range p {
		if !strings.EqualFold(k, "Authorization") {
			continue
		}
		s, ok := v.(string)
		if !ok {
			err := db.Errorf(db.EUNAUTHENTICATED, "Authorization in connection_init must be a string: \"Bearer <token>\"")
			return refuseSocket(ctx, err)
		}
		values = []string{s}
	}
	if cfg.Authenticate != nil {
		authed, err := cfg.Authenticate(ctx, values)
		if err != nil {
			return refuseSocket(ctx, err)
		}
		// gqlgen closes the socket when its context ends.
		ctx = holdCaller(authed, cfg, values)
	}
	return withStream(ctx, &stream{slots: make(chan struct{}, cfg.MaxSubscriptionsPerSocket)}), nil, nil
}

// refuseSocket closes a socket whose caller is refused, with the reason
// (the error's message, cut to what a close frame holds).
func refuseSocket(ctx context.Context, err error) (context.Context, *transport.InitPayload, error) {
	code := wsCloseForbidden
	if db.ErrorCode(err) == db.EUNAVAILABLE {
		code = wsCloseTryAgain
	}
	msg := db.ErrorMessage(err)
	ctx = transport.WithWebsocketCloseCode(ctx, code)
	ctx = transport.AppendCloseReason(ctx, truncateUTF8(msg, 120))
	return ctx, nil, errors.New(msg)
}

// truncateUTF8 cuts s to at most n bytes on a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// serveWebSocket checks an upgrade before gqlgen's transport takes it:
// what is not a WebSocket handshake, or comes from a page of an origin
// not allowed, is refused as a plain request.
func (h *graphqlHandler) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method != http.MethodGet || !headerHasToken(r.Header, "Connection", "upgrade") ||
		r.Header.Get("Sec-WebSocket-Key") == "" || r.Header.Get("Sec-WebSocket-Version") != "13":
		w.Header().Set("Sec-WebSocket-Version", "13")
		h.refuse(w, r, mediaJSON, http.StatusBadRequest,
			"a WebSocket opens with a GET carrying Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Key and Sec-WebSocket-Version: 13")
		return
	case !originAllowed(r, h.streams.AllowedOrigins):
		h.refuse(w, r, mediaJSON, http.StatusForbidden, "pages of the origin %q may not open a WebSocket here", r.Header.Get("Origin"))
		return
	case !headerHasToken(r.Header, "Sec-WebSocket-Protocol", "graphql-transport-ws") &&
		!headerHasToken(r.Header, "Sec-WebSocket-Protocol", "graphql-ws"):
		h.refuse(w, r, mediaJSON, http.StatusBadRequest, "send Sec-WebSocket-Protocol: graphql-transport-ws")
		return
	}
	ctx := context.WithValue(r.Context(), upgradeAuthKey{}, r.Header.Values("Authorization"))
	h.ws.Do(w, r.WithContext(ctx), h.exec)
}

// originAllowed applies the CORS allow-list to a WebSocket's Origin: no
// Origin (not a browser), the server's own host, or an origin listed.
func originAllowed(r *http.Request, allowed []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || len(allowed) == 0 {
		return true
	}
	if _, host, ok := strings.Cut(origin, "://"); ok && strings.EqualFold(host, r.Host) {
		return true
	}
	for _, a := range allowed {
		if a == "*" || strings.EqualFold(a, origin) {
			return true
		}
		if pre, post, ok := strings.Cut(a, "*"); ok && len(origin) >= len(pre)+len(post) &&
			strings.EqualFold(origin[:len(pre)], pre) && strings.EqualFold(origin[len(origin)-len(post):], post) {
			return true
		}
	}
	return false
}

// wsAccept accepts a WebSocket for gqlgen's transport with
// coder/websocket, uncompressed (per-socket compression state costs tens
// of kilobytes a socket, and change events are small).
type wsAccept struct {
	writeTimeout time.Duration
}

func (a wsAccept) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	for k, vs := range opts.ResponseHeader {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	// The HTTP server's deadlines bound a request; the socket it becomes
	// lives on, bounded by its pings and its writes' deadlines instead.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	c, err := coderws.Accept(w, r, &coderws.AcceptOptions{
		Subprotocols: opts.Subprotocols,
		// serveWebSocket checked the origin.
		InsecureSkipVerify: true,
		CompressionMode:    coderws.CompressionDisabled,
	})
	if err != nil {
		return nil, err
	}
	return &wsConn{conn: c, writeTimeout: a.writeTimeout}, nil
}

// wsConn is a socket as gqlgen's transport uses it, every write under a
// deadline: a client that stops reading is dropped, not buffered for.
type wsConn struct {
	conn         *coderws.Conn
	writeTimeout time.Duration

	mu        sync.Mutex
	deadline  *time.Timer
	closing   bool
	closeDone chan struct{}
}

var (
	_ transport.WebsocketConn          = (*wsConn)(nil)
	_ transport.WebsocketReadLimiter   = (*wsConn)(nil)
	_ transport.WebsocketReadDeadliner = (*wsConn)(nil)
)

func (c *wsConn) NextReader() (int, io.Reader, error) {
	typ, data, err := c.conn.Read(context.Background())
	if err != nil {
		switch coderws.CloseStatus(err) {
		case coderws.StatusNormalClosure, coderws.StatusNoStatusRcvd, coderws.StatusGoingAway:
			return int(typ), nil, transport.ErrWebsocketClosed
		}
		return int(typ), nil, err
	}
	return int(typ), bytes.NewReader(data), nil
}

func (c *wsConn) WriteJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	// coder/websocket closes the socket when a write outlives its
	// context.
	ctx, cancel := context.WithTimeout(context.Background(), c.writeTimeout)
	defer cancel()
	return c.conn.Write(ctx, coderws.MessageText, data)
}

// WriteClose starts the closing handshake without waiting for the peer's
// answer (up to 5 s), so a refused or finished socket frees its handler
// at once.
func (c *wsConn) WriteClose(code int, reason string) error {
	c.stopDeadline()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return nil
	}
	c.closing = true
	c.closeDone = make(chan struct{})
	go func() {
		defer close(c.closeDone)
		_ = c.conn.Close(coderws.StatusCode(code), reason)
	}()
	return nil
}

func (c *wsConn) Close() error {
	c.stopDeadline()
	c.mu.Lock()
	closing := c.closing
	c.mu.Unlock()
	if closing {
		return nil // the handshake started by WriteClose closes it
	}
	return c.conn.CloseNow()
}

func (c *wsConn) Subprotocol() string { return c.conn.Subprotocol() }

func (c *wsConn) SetReadLimit(n int64) { c.conn.SetReadLimit(n) }

// SetReadDeadline closes the socket at t unless called again before:
// what gqlgen uses to drop a peer that does not answer its pings.
func (c *wsConn) SetReadDeadline(t time.Time) error {
	c.stopDeadline()
	if t.IsZero() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline = time.AfterFunc(time.Until(t), func() { _ = c.conn.CloseNow() })
	return nil
}

func (c *wsConn) stopDeadline() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deadline != nil {
		c.deadline.Stop()
		c.deadline = nil
	}
}
