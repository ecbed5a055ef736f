package graph_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/server"
	"github.com/paulmach/orb"
)

func b64(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }

// failingStore fails like a broken database would, with driver text that
// must never reach a client.
type failingStore struct{ db.Store }

var errDriver = errors.New(`ERROR: relation "areas" does not exist (SQLSTATE 42P01) at SELECT id FROM areas WHERE`)

func (failingStore) AreasAt(context.Context, orb.Point, []db.AreaKind, time.Time) ([]*db.Area, error) {
	return nil, errDriver
}

func (failingStore) Areas(context.Context, db.AreaFilter, db.Page) (db.List[*db.Area], error) {
	panic("index out of range [3] with length 3")
}

func TestInternalErrorsStayInside(t *testing.T) {
	srv := httptest.NewServer(server.New(failingStore{memory.New()}, server.Config{}))
	defer srv.Close()
	c := client{t, srv.URL}
	for name, q := range map[string]string{
		"driver error": `{ areasAt(lon: 12.9, lat: 57.7) { name } }`,
		"panic":        `{ areas { totalCount } }`,
	} {
		r := c.query(q, nil)
		if r.code() != db.EINTERNAL || r.Errors[0].Message != "internal error" {
			t.Errorf("%s: %+v, want a bare INTERNAL error", name, r.Errors)
		}
		for _, leak := range []string{"SQLSTATE", "SELECT", "index out of range", "goroutine"} {
			if strings.Contains(string(r.Data)+r.Errors[0].Message, leak) {
				t.Errorf("%s: response shows %q", name, leak)
			}
		}
	}
	// The server stays up for the next request.
	var ok struct{ Indicators []struct{ Code string } }
	c.ok(`{ indicators { code } }`, nil, &ok)
}
