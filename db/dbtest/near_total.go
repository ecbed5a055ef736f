package dbtest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/synth"
)

// testNearWithoutTotal holds a list nearest first to the same page when
// the caller needs no total (db.Page.NoTotal), on a dataset dense enough
// that a store which ranks only some candidates must notice when they do
// not settle the order: the same items, distances and start, and a total
// that passes the page's end exactly when the full count does.
func testNearWithoutTotal(t *testing.T, s db.Store) {
	ctx := t.Context()
	ds := synth.Generate(synth.Config{Seed: 11, StatisticalAreas: 60, Initiatives: 3000, Organizations: 100, Years: 1})
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	sample := synth.NewSampler(ds, 11)
	pages := []db.Page{{Limit: 20}, {Limit: 1}, {Offset: 10, Limit: 5}, {Limit: 100}, {Limit: 0}, {Offset: 2990, Limit: 20}}
	for i := range 60 {
		p := sample.NearLocation(500)
		radius := []float64{200, 1000, 5000, 50000}[i%4]
		f := db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: p, RadiusMeters: radius}}}
		for _, pg := range pages {
			call := fmt.Sprintf("Initiatives(near %v within %g m, %+v)", p, radius, pg)
			want, err := s.Initiatives(ctx, f, pg)
			if err != nil {
				t.Fatalf("%s: %v", call, err)
			}
			pg.NoTotal = true
			got, err := s.Initiatives(ctx, f, pg)
			if err != nil {
				t.Fatalf("%s without a total: %v", call, err)
			}
			if !slices.Equal(ids(got.Items), ids(want.Items)) || !slices.Equal(got.Distances, want.Distances) ||
				got.Start != want.Start {
				t.Fatalf("%s without a total: items %v at %v from %d, want %v at %v from %d", call,
					ids(got.Items), got.Distances, got.Start, ids(want.Items), want.Distances, want.Start)
			}
			end := want.Start + len(want.Items)
			if got.Total < end || (got.Total > end) != (want.Total > end) {
				t.Fatalf("%s without a total: total %d, want %d (the page ends at %d)", call, got.Total, want.Total, end)
			}
		}
	}
}
