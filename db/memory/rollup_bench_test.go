package memory_test

import (
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
)

// rollupTargets are the demo's municipality, districts and priority areas:
// the areas drawn across its 325 statistical areas.
func rollupTargets(ds *db.Dataset) []int64 {
	var ids []int64
	for _, a := range ds.Areas {
		if a.Kind != db.KindStatisticalArea {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// BenchmarkRollupWarm: the overlaps come from the cache, as on every read
// after the first while no area changes.
func BenchmarkRollupWarm(b *testing.B) {
	ds := demo.Dataset()
	s := memory.New()
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	targets := rollupTargets(ds)
	// The first read fills the cache.
	if _, err := s.AreaOverlaps(b.Context(), targets); err != nil {
		b.Fatal(err)
	}
	dbtest.BenchRollup(b, s, ds.Indicators, targets)
}

// BenchmarkRollupCold: every read measures the overlaps anew, as the first
// read after an area was written does.
func BenchmarkRollupCold(b *testing.B) {
	ds := demo.Dataset()
	targets := rollupTargets(ds)
	var overlays int
	for b.Loop() {
		b.StopTimer()
		s := memory.New()
		if err := s.Load(b.Context(), ds); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := db.DerivedValues(b.Context(), s, ds.Indicators, targets, db.ValueFilter{}); err != nil {
			b.Fatal(err)
		}
		overlays = s.Overlays()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(targets))/1e3, "µs/target")
	b.ReportMetric(float64(overlays)/float64(len(targets)), "overlays/target")
}

// BenchmarkRollupLargeTarget: one area over 6,000 statistical areas,
// measured anew on every read (a fresh store each time, loaded outside
// the timer), then from the cache.
func BenchmarkRollupLargeTarget(b *testing.B) {
	ds, target := dbtest.LargeTarget()
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s := memory.New()
			if err := s.Load(b.Context(), ds); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := db.DerivedValues(b.Context(), s, ds.Indicators, []int64{target}, db.ValueFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		s := memory.New()
		if err := s.Load(b.Context(), ds); err != nil {
			b.Fatal(err)
		}
		// The first read fills the cache.
		if _, err := s.AreaOverlaps(b.Context(), []int64{target}); err != nil {
			b.Fatal(err)
		}
		dbtest.BenchRollupLarge(b, s, ds.Indicators, target)
	})
}
