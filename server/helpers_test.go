package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
	"github.com/paulmach/orb"
)

// What the tests of the whole house share: a server over the demo on
// every backend, and a client that reads its answers.

const grJSON = "application/graphql-response+json"

// backends lists the stores the tests of every backend run against, each
// loaded with the demo.
var backends = storetest.Backends

// client talks to a real server over HTTP.
type client struct {
	t   *testing.T
	url string
}

// eachBackend runs fn against a server over every backend.
func eachBackend(t *testing.T, fn func(t *testing.T, c client, s db.Store)) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			srv := httptest.NewServer(server.New(s, server.Config{}))
			t.Cleanup(srv.Close)
			fn(t, client{t, srv.URL}, s)
		})
	}
}

// response is a GraphQL response as a client reads it.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// answer is a response with its status.
type answer struct {
	response
	status int
	header http.Header
	raw    string
}

// postAs posts body to /graphql accepting media.
func postAs(t *testing.T, base, media, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", media)
	return send(t, req)
}

func send(t *testing.T, req *http.Request) answer {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &a.response); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	return a
}

// failingStore fails like a broken database would, with driver text that
// must never reach a client.
type failingStore struct{ db.Store }

var errDriver = errors.New(`ERROR: relation "areas" does not exist (SQLSTATE 42P01) at SELECT id FROM areas WHERE`)

func (failingStore) AreasAt(context.Context, orb.Point, []db.AreaKind, time.Time) ([]*db.Area, error) {
	return nil, errDriver
}
