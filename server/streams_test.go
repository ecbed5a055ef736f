package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/streamtest"
	"github.com/areagraph/areagraph/server"
	"github.com/coder/websocket"
)

// The streaming transports through the whole server, on every backend:
// what reaches the GraphQL handler, and the bounds of the server's own.

// streamServer serves store with cfg through server.HTTPServer, so the
// connection timeouts of production apply.
func streamServer(t *testing.T, store db.Store, cfg server.Config) string {
	t.Helper()
	if cfg.Log == nil {
		cfg.Log = corsQuietLog
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = server.HTTPServer(server.New(store, cfg), cfg)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

func requireReads(t *testing.T, store db.Store) *auth.Authenticator {
	t.Helper()
	a, err := auth.New(context.Background(), store, auth.Config{RequireTokenForReads: true, Log: corsQuietLog})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestStreamsCarrySubscriptionsOnly(t *testing.T) {
	eachBackend(t, func(t *testing.T, _ client, s db.Store) {
		url := streamServer(t, s, server.Config{})
		ws, _, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ws.Init(nil)
		ws.Subscribe("1", "{ __typename }", nil)
		m := ws.Next()
		if m.Type != "next" || !strings.Contains(string(m.Payload), "only subscriptions are served over a stream") {
			t.Errorf("a query over a socket: got %s %s", m.Type, m.Payload)
		}
		if m := ws.Next(); m.Type != "complete" || m.ID != "1" {
			t.Errorf("got %+v, want complete", m)
		}
		ev := streamtest.Post(t, url+"/graphql", `{"query":"{ __typename }"}`, nil)
		if ct := ev.Response.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("Content-Type %q", ct)
		}
		e := ev.Next()
		if e.Name != "next" || !strings.Contains(e.Data, "only subscriptions") {
			t.Errorf("a query as events: got %+v", e)
		}
		if e := ev.Next(); e.Name != "complete" {
			t.Errorf("got %+v, want complete", e)
		}
		// A syntax error comes as an event too, with its code.
		ev = streamtest.Post(t, url+"/graphql", `{"query":"subscription {"}`, nil)
		e = ev.Next()
		if errs := streamtest.Errors(t, []byte(e.Data)); e.Name != "next" || len(errs) != 1 || errs[0].Extensions["code"] != "GRAPHQL_PARSE_FAILED" && errs[0].Extensions["code"] != db.EINVALID {
			t.Errorf("a syntax error as events: got %+v", e)
		}
		// A subscription is not served as a plain request.
		a := postAs(t, url, grJSON, `{"query":"subscription { changes { id } }"}`)
		if len(a.Errors) == 0 || !strings.Contains(a.raw, "not as a plain request") {
			t.Errorf("a subscription over POST: %d %s", a.status, a.raw)
		}
		// A request that is not GraphQL over HTTP is refused as one.
		ev = streamtest.Post(t, url+"/graphql", `[1]`, nil)
		if ev.Response.StatusCode != http.StatusBadRequest {
			t.Errorf("a body that is not an object: status %d", ev.Response.StatusCode)
		}
	})
}

func TestWebSocketAuthentication(t *testing.T) {
	eachBackend(t, func(t *testing.T, _ client, s db.Store) {
		secret, _ := authtest.Key(t, s, db.RoleReader)
		url := streamServer(t, s, server.Config{Auth: requireReads(t, s)})
		for _, c := range []struct {
			name    string
			payload map[string]any
			header  http.Header
			ok      bool
		}{
			{"no token", nil, nil, false},
			{"a token that is not one", map[string]any{"Authorization": "Bearer agk_nothing"}, nil, false},
			{"not a bearer token", map[string]any{"Authorization": "Basic " + secret}, nil, false},
			{"not a string", map[string]any{"Authorization": 12}, nil, false},
			{"a key in connection_init", map[string]any{"Authorization": "Bearer " + secret}, nil, true},
			{"a key in lower case", map[string]any{"authorization": "Bearer " + secret}, nil, true},
			{"a key on the upgrade", nil, http.Header{"Authorization": {"Bearer " + secret}}, true},
			{"connection_init's token wins", map[string]any{"Authorization": "Bearer agk_nothing"}, http.Header{"Authorization": {"Bearer " + secret}}, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				ws, _, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{Header: c.header})
				if err != nil {
					t.Fatal(err)
				}
				m := map[string]any{"type": "connection_init"}
				if c.payload != nil {
					m["payload"] = c.payload
				}
				if err := ws.Send(m); err != nil {
					t.Fatal(err)
				}
				if c.ok {
					if got := ws.Next(); got.Type != "connection_ack" {
						t.Fatalf("got %+v, want connection_ack", got)
					}
					return
				}
				code, reason := ws.Closed()
				if code != 4403 || reason == "" {
					t.Errorf("closed with %d %q, want 4403 and why", code, reason)
				}
			})
		}
		// Server-Sent Events are requests: the same 401 as any other.
		ev := streamtest.Post(t, url+"/graphql", `{"query":"subscription { __typename }"}`, nil)
		if ev.Response.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous events: status %d", ev.Response.StatusCode)
		}
	})
}

func TestWebSocketOriginFollowsCORS(t *testing.T) {
	s := backends[0].Open(t)
	url := streamServer(t, s, server.Config{AllowedOrigins: []string{"https://maps.example.org", "https://*.city.example"}})
	for origin, ok := range map[string]bool{
		"":                           true, // not a browser
		"https://maps.example.org":   true,
		"https://atlas.city.example": true,
		"https://evil.example":       false,
		"http://maps.example.org":    false,
	} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		_, res, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{Header: h})
		switch {
		case ok && err != nil:
			t.Errorf("origin %q refused: %v", origin, err)
		case !ok && (err == nil || res == nil || res.StatusCode != http.StatusForbidden):
			t.Errorf("origin %q: got %v, want 403", origin, err)
		}
	}
	// The server's own pages may.
	h := http.Header{"Origin": {url}}
	if _, _, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{Header: h}); err != nil {
		t.Errorf("the server's own origin refused: %v", err)
	}
}

func TestWebSocketLimits(t *testing.T) {
	s := backends[0].Open(t)
	url := streamServer(t, s, server.Config{
		Limits:  graph.Limits{MaxBodyBytes: 4 << 10, Timeout: 300 * time.Millisecond},
		Streams: graph.StreamConfig{InitTimeout: 300 * time.Millisecond, KeepAlive: 100 * time.Millisecond},
	})
	t.Run("init timeout", func(t *testing.T) {
		ws, _, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if code, reason := ws.Closed(); !strings.Contains(reason, "initialisation timeout") {
			t.Errorf("closed with %d %q", code, reason)
		}
	})
	t.Run("message size", func(t *testing.T) {
		ws, _, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ws.Init(nil)
		_ = ws.SendRaw([]byte(`{"type":"subscribe","id":"1","payload":{"query":"` + strings.Repeat(" ", 8<<10) + `{ __typename }"}}`))
		if code, _ := ws.Closed(); code != websocket.StatusMessageTooBig {
			t.Errorf("closed with %d, want %d", code, websocket.StatusMessageTooBig)
		}
	})
	t.Run("outlives the request timeout", func(t *testing.T) {
		ws, _, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ws.Init(nil)
		// Past the server's read timeout (300 ms), answering pings.
		time.Sleep(time.Second)
		ws.Subscribe("1", "{ __typename }", nil)
		if m := ws.Next(); m.Type != "next" {
			t.Errorf("after a second: %+v", m)
		}
	})
	t.Run("the older graphql-ws protocol is kept alive", func(t *testing.T) {
		ws, _, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{Subprotocols: []string{"graphql-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		ws.Init(nil)
		for range 3 {
			if m := ws.Next(); m.Type != "ka" {
				t.Fatalf("got %+v, want keep-alive messages", m)
			}
		}
	})
	t.Run("a peer that does not answer pings is dropped", func(t *testing.T) {
		// A raw client that never reads (so never answers).
		c, _, err := websocket.Dial(context.Background(), url+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		if err := c.Write(context.Background(), websocket.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), streamtest.Wait)
		defer cancel()
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				if ctx.Err() != nil {
					t.Fatal("the socket was not dropped")
				}
				return // dropped
			}
			_ = data // pings, not answered
		}
	})
}

func TestStreamsPerClient(t *testing.T) {
	s := backends[0].Open(t)
	url := streamServer(t, s, server.Config{MaxStreamsPerClient: 2})
	for i := range 2 {
		if _, _, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{}); err != nil {
			t.Fatalf("socket %d: %v", i+1, err)
		}
	}
	_, res, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{})
	if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("a third socket: %v", err)
	}
	ev := streamtest.Post(t, url+"/graphql", `{"query":"subscription { __typename }"}`, nil)
	if ev.Response.StatusCode != http.StatusTooManyRequests {
		t.Errorf("events past the bound: status %d", ev.Response.StatusCode)
	}
	// Ordinary requests are not counted with streams.
	if a := postAs(t, url, grJSON, `{"query":"{ __typename }"}`); a.status != http.StatusOK {
		t.Errorf("a query beside the streams: %d %s", a.status, a.raw)
	}
}

func TestWebSocketNeedsAHandshake(t *testing.T) {
	s := backends[0].Open(t)
	url := streamServer(t, s, server.Config{})
	req, _ := http.NewRequest(http.MethodGet, url+"/graphql", nil)
	req.Header.Set("Upgrade", "websocket")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("an upgrade without a handshake: %d", res.StatusCode)
	}
}

func TestSlowStreamIsDropped(t *testing.T) {
	s := backends[0].Open(t)
	cfg := server.Config{Log: corsQuietLog, Streams: graph.StreamConfig{MaxSubscriptions: 1, WriteTimeout: 200 * time.Millisecond}}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = server.HTTPServer(server.New(s, cfg), cfg)
	// Small socket buffers on both ends, and a client that reads
	// nothing: the replay of every change since the demo was loaded (some
	// 100 KB) outgrows what the connection holds.
	srv.Config.ConnState = func(c net.Conn, state http.ConnState) {
		if state == http.StateNew {
			_ = c.(*net.TCPConn).SetWriteBuffer(4 << 10)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	url := srv.URL
	slow := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			_ = c.(*net.TCPConn).SetReadBuffer(4 << 10)
		}
		return c, err
	}}}
	const replay = `subscription { changes(after: 0) { seq type id action version at areas organizations } }`
	t.Run("socket", func(t *testing.T) {
		c, _, err := websocket.Dial(context.Background(), url+"/graphql",
			&websocket.DialOptions{HTTPClient: slow, Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		for _, m := range []string{`{"type":"connection_init"}`, `{"type":"subscribe","id":"1","payload":{"query":"` + replay + `"}}`} {
			if err := c.Write(context.Background(), websocket.MessageText, []byte(m)); err != nil {
				t.Fatal(err)
			}
		}
		waitFreed(t, url)
	})
	t.Run("events", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(`{"query":"`+replay+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		res, err := slow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		waitFreed(t, url)
		// What the slow client gets is cut short: no complete.
		body, _ := io.ReadAll(res.Body)
		if strings.Contains(string(body), "event: complete") || !strings.Contains(string(body), "event: next") {
			t.Errorf("the slow client read %d bytes, ending %q", len(body), body[max(0, len(body)-200):])
		}
	})
}

// waitFreed waits until the server, which runs one subscription, drops
// the slow one and frees its place: another client's is served.
func waitFreed(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(streamtest.Wait)
	for {
		ev := streamtest.Post(t, url+"/graphql", `{"query":"subscription { changes { seq } }"}`, nil)
		e, err := ev.NextWithin(time.Second)
		ev.Close()
		if err == nil && e.Name == "next" && !strings.Contains(e.Data, "as many subscriptions") {
			t.Fatalf("got %+v", e)
		}
		if err != nil && strings.Contains(err.Error(), "no event within") {
			break // running, waiting for changes
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow stream still holds its subscription")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A stream's caller is authenticated again as it runs: a key revoked
// while its streams are open ends them, over both transports.
func TestRevokedKeyEndsItsStreams(t *testing.T) {
	eachBackend(t, func(t *testing.T, _ client, s db.Store) {
		secret, key := authtest.Key(t, s, db.RoleReader)
		cfg := server.Config{Auth: requireReads(t, s)}
		cfg.Streams.RecheckEvery = 50 * time.Millisecond
		url := streamServer(t, s, cfg)
		const sub = "subscription { changes { id } }"

		ws, _, err := streamtest.Dial(t, url+"/graphql", streamtest.DialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.Send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + secret}}); err != nil {
			t.Fatal(err)
		}
		if got := ws.Next(); got.Type != "connection_ack" {
			t.Fatalf("got %+v, want connection_ack", got)
		}
		ws.Subscribe("1", sub, nil)
		ev := streamtest.Post(t, url+"/graphql", `{"query":"`+sub+`"}`, http.Header{"Authorization": {"Bearer " + secret}})
		if ev.Response.StatusCode != http.StatusOK {
			t.Fatalf("events with the key: status %d", ev.Response.StatusCode)
		}
		// Both stay open while the key holds.
		if m, err := ws.NextWithin(300 * time.Millisecond); err == nil && m.Type != "ka" && m.Type != "ping" {
			t.Fatalf("the socket before the revocation: %+v", m)
		}

		if _, err := s.RevokeKey(context.Background(), db.Actor{ID: "test", Role: db.RoleAdmin}, key.ID); err != nil {
			t.Fatal(err)
		}
		ws.Closed() // fails the test if the server keeps the socket
		for {
			e, err := ev.NextWithin(streamtest.Wait)
			if err == io.EOF || err != nil && strings.Contains(err.Error(), "EOF") {
				break
			}
			if err != nil {
				t.Fatalf("the event stream after the revocation: %v", err)
			}
			if e.Name == "next" {
				t.Fatalf("an event after the revocation: %+v", e)
			}
			if e.Name == "complete" {
				break
			}
		}
	})
}
