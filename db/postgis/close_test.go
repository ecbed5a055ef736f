package postgis

import (
	"context"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/paulmach/orb"
)

// Close may be called more than once, as deferred cleanups tend to, with
// the area replica running or not.
func TestCloseTwice(t *testing.T) {
	ctx := context.Background()
	for _, started := range []bool{false, true} {
		s, err := Open(ctx, pgtest.SchemaURL(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if started {
			if _, err := s.AreasAt(ctx, orb.Point{12.9, 57.7}, nil, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		s.Close()
	}
}
