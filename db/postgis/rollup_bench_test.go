package postgis_test

import (
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

// BenchmarkRollup: PostGIS measures the overlaps of the demo's
// municipality, districts and priority areas against its 325 statistical
// areas on every read (db/memory's BenchmarkRollupCold and Warm are the
// embedded store's numbers).
func BenchmarkRollup(b *testing.B) {
	ds := demo.Dataset()
	s, err := postgis.Open(b.Context(), pgtest.SchemaURL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	if err := s.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	var targets []int64
	for _, a := range ds.Areas {
		if a.Kind != db.KindStatisticalArea {
			targets = append(targets, a.ID)
		}
	}
	dbtest.BenchRollup(b, s, ds.Indicators, targets)
}

// BenchmarkRollupLargeTarget: one area over 6,000 statistical areas,
// measured by PostGIS on every read.
func BenchmarkRollupLargeTarget(b *testing.B) {
	ds, target := dbtest.LargeTarget()
	s, err := postgis.Open(b.Context(), pgtest.SchemaURL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	if err := s.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	dbtest.BenchRollupLarge(b, s, ds.Indicators, target)
}
