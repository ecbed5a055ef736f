package transfer

import (
	"io"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/storetest"
)

// operator is who the imports of these tests are by.
var operator = db.Actor{ID: "cli:operator", Role: db.RoleAdmin}

// eachBackend runs test on a store of each backend holding the Borås demo:
// imports write through the store's upsert, and both must take and refuse
// the same files with the same words.
func eachBackend(t *testing.T, test func(t *testing.T, s db.Store)) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { test(t, b.Open(t)) })
	}
}

// text is body as a Source named name.
func text(name, body string) Source {
	return Source{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }}
}

// areaCount is the number of areas in s.
func areaCount(t *testing.T, s db.Store) int {
	t.Helper()
	l, err := s.Areas(t.Context(), db.AreaFilter{}, db.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return l.Total
}

// errorSays fails the test unless err holds every part.
func errorSays(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not say %q", what, err, p)
		}
	}
}
