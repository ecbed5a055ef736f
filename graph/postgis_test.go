package graph_test

import (
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

// The end-to-end tests run on PostGIS as well, loaded with the same demo.
func init() {
	backends = append(backends, struct {
		name string
		open func(t *testing.T) db.Store
	}{"postgis", func(t *testing.T) db.Store {
		s, err := postgis.Open(t.Context(), pgtest.SchemaURL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := s.Load(t.Context(), demo.Dataset()); err != nil {
			t.Fatal(err)
		}
		return s
	}})
}
