// Package streamtest holds the clients of the tests of GraphQL's
// streaming transports: a graphql-transport-ws client over a real
// WebSocket, and a GraphQL over SSE client over a real HTTP response.
package streamtest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Wait is how long a test waits for a message that should come.
const Wait = 20 * time.Second

// Message is a graphql-transport-ws message.
type Message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Socket is a graphql-transport-ws client. It answers the server's pings
// itself.
type Socket struct {
	t    testing.TB
	Conn *websocket.Conn
	msgs chan Message
	errs chan error
}

// DialOptions tunes Dial.
type DialOptions struct {
	Header       http.Header
	Subprotocols []string // default graphql-transport-ws
}

// Dial opens a socket to the GraphQL endpoint at url (http:// or ws://).
// The HTTP answer of a refused upgrade is returned with the error.
func Dial(t testing.TB, url string, opts DialOptions) (*Socket, *http.Response, error) {
	t.Helper()
	if opts.Subprotocols == nil {
		opts.Subprotocols = []string{"graphql-transport-ws"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	c, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: opts.Header, Subprotocols: opts.Subprotocols})
	if err != nil {
		return nil, res, err
	}
	c.SetReadLimit(64 << 20)
	s := &Socket{t: t, Conn: c, msgs: make(chan Message, 1024), errs: make(chan error, 1)}
	go s.read()
	t.Cleanup(func() { _ = c.CloseNow() })
	return s, res, nil
}

func (s *Socket) read() {
	for {
		_, data, err := s.Conn.Read(context.Background())
		if err != nil {
			s.errs <- err
			close(s.msgs)
			return
		}
		var m Message
		if err := json.Unmarshal(data, &m); err != nil {
			s.errs <- fmt.Errorf("not a message: %s", data)
			close(s.msgs)
			return
		}
		if m.Type == "ping" {
			// Within Wait, so that a server that stops reading does not
			// hold the reader, and the test sees the socket end.
			ctx, cancel := context.WithTimeout(context.Background(), Wait)
			_ = s.Conn.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
			cancel()
			continue
		}
		s.msgs <- m
	}
}

// Send sends a message.
func (s *Socket) Send(m any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.SendRaw(b)
}

// SendRaw sends bytes as a text message.
func (s *Socket) SendRaw(b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), Wait)
	defer cancel()
	return s.Conn.Write(ctx, websocket.MessageText, b)
}

// Init sends connection_init with payload (nil for none) and waits for
// connection_ack.
func (s *Socket) Init(payload map[string]any) {
	s.t.Helper()
	m := map[string]any{"type": "connection_init"}
	if payload != nil {
		m["payload"] = payload
	}
	if err := s.Send(m); err != nil {
		s.t.Fatal(err)
	}
	if got := s.Next(); got.Type != "connection_ack" {
		s.t.Fatalf("got %+v, want connection_ack", got)
	}
}

// Subscribe starts an operation.
func (s *Socket) Subscribe(id, query string, variables map[string]any) {
	s.t.Helper()
	if err := s.Send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query, "variables": variables}}); err != nil {
		s.t.Fatal(err)
	}
}

// Next is the next message, failing the test when none comes or the
// socket closes.
func (s *Socket) Next() Message {
	s.t.Helper()
	m, err := s.NextWithin(Wait)
	if err != nil {
		s.t.Fatal(err)
	}
	return m
}

// NextWithin is the next message within d, or the error that ended the
// socket, or a timeout error.
func (s *Socket) NextWithin(d time.Duration) (Message, error) {
	select {
	case m, ok := <-s.msgs:
		if !ok {
			return Message{}, <-s.errs
		}
		return m, nil
	case <-time.After(d):
		return Message{}, fmt.Errorf("no message within %v", d)
	}
}

// Closed waits for the server to close the socket, and returns its close
// code and reason (after any messages still in flight).
func (s *Socket) Closed() (websocket.StatusCode, string) {
	s.t.Helper()
	deadline := time.After(Wait)
	for {
		select {
		case _, ok := <-s.msgs:
			if ok {
				continue
			}
			err := <-s.errs
			var ce websocket.CloseError
			if !errors.As(err, &ce) {
				return -1, err.Error()
			}
			return ce.Code, ce.Reason
		case <-deadline:
			s.t.Fatal("the server did not close the socket")
		}
	}
}

// Events is a GraphQL over SSE response being read.
type Events struct {
	t        testing.TB
	Response *http.Response
	events   chan Event
	errs     chan error
	cancel   context.CancelFunc
}

// Event is one server-sent event; comments are not events.
type Event struct {
	Name string
	Data string
}

// Post sends a GraphQL request to url accepting text/event-stream, and
// reads the events of its answer as they come. header may be nil.
func Post(t testing.TB, url, body string, header http.Header) *Events {
	t.Helper()
	return open(t, http.MethodPost, url, strings.NewReader(body), header)
}

// Get sends a GraphQL request in url's query string, as EventSource
// does, and reads the events of its answer.
func Get(t testing.TB, url string, header http.Header) *Events {
	t.Helper()
	return open(t, http.MethodGet, url, nil, header)
}

func open(t testing.TB, method, url string, body io.Reader, header http.Header) *Events {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	e := &Events{t: t, Response: res, events: make(chan Event, 1024), errs: make(chan error, 1), cancel: cancel}
	t.Cleanup(e.Close)
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		go e.read(res.Body)
	}
	return e
}

// Close ends the request, as a client that goes away.
func (e *Events) Close() {
	e.cancel()
	_ = e.Response.Body.Close()
}

func (e *Events) read(body io.Reader) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var ev Event
	var data []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if data != nil {
				ev.Data = strings.Join(data, "\n")
				e.events <- ev
			}
			ev, data = Event{}, nil
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			ev.Name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	err := sc.Err()
	if err == nil {
		err = io.EOF
	}
	e.errs <- err
	close(e.events)
}

// Next is the next event, failing the test when none comes.
func (e *Events) Next() Event {
	e.t.Helper()
	ev, err := e.NextWithin(Wait)
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

// NextWithin is the next event within d, or the error that ended the
// stream (io.EOF when the server ended it), or a timeout error.
func (e *Events) NextWithin(d time.Duration) (Event, error) {
	select {
	case ev, ok := <-e.events:
		if !ok {
			return Event{}, <-e.errs
		}
		return ev, nil
	case <-time.After(d):
		return Event{}, fmt.Errorf("no event within %v", d)
	}
}

// Errors reads the errors of a GraphQL result.
func Errors(t testing.TB, data []byte) []struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
} {
	t.Helper()
	var r struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("not a GraphQL result: %v\n%s", err, data)
	}
	return r.Errors
}
