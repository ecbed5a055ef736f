package postgis

import (
	"context"

	"github.com/areagraph/areagraph/db"
)

// The change feed is not kept in PostgreSQL yet: every call says so with
// UNAVAILABLE, so a caller never takes silence for "nothing changed".

func errNoFeed() error {
	return db.Errorf(db.EUNAVAILABLE, "the change feed is not available on the PostGIS store yet")
}

// Changes implements db.ChangeFeed.
func (s *Store) Changes(context.Context, int64, db.ChangeFilter, int) ([]db.Change, error) {
	return nil, errNoFeed()
}

// Heads implements db.ChangeFeed.
func (s *Store) Heads(context.Context) (map[string]int64, int64, error) {
	return nil, 0, errNoFeed()
}

// Watch implements db.ChangeFeed.
func (s *Store) Watch(context.Context) (<-chan int64, error) {
	return nil, errNoFeed()
}
