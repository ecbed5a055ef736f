// Package storetest gives the tests above the store (graph, server,
// layers) the demo on every backend, opened the same way everywhere, so
// that a test written against one backend runs against all of them.
package storetest

import (
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

// Backend is a store the tests of every backend run against.
type Backend struct {
	Name string
	Open func(t testing.TB) db.Store
}

// Backends lists every backend, each opened with the demo loaded. The
// embedded store comes first: a test that needs only one store takes it.
var Backends = []Backend{
	{"memory", Demo},
	{"postgis", DemoPostGIS},
}

// Demo is an embedded store loaded with the demo.
func Demo(t testing.TB) db.Store {
	t.Helper()
	return WithDemo(t, memory.New())
}

// DemoPostGIS is a PostGIS store in a schema of the test's own, migrated
// and loaded with the demo, closed when the test ends.
func DemoPostGIS(t testing.TB) db.Store {
	t.Helper()
	return WithDemo(t, PostGIS(t, pgtest.SchemaURL(t)))
}

// PostGIS is a migrated PostGIS store at url, a schema of pgtest's with
// perhaps the pool settings or proxy a test wants, closed when the test
// ends.
func PostGIS(t testing.TB, url string) *postgis.Store {
	t.Helper()
	s, err := postgis.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// WithDemo loads the demo into s and returns s.
func WithDemo[S db.Store](t testing.TB, s S) S {
	t.Helper()
	if err := s.Load(t.Context(), demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	return s
}
