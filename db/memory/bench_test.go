package memory_test

import (
	"context"
	"sync"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/synth"
)

// The benchmarks share one store holding the default synthetic dataset
// (6,000 statistical areas, 100,000 initiatives): generating and loading
// it takes seconds, so it is done once, before the first timed loop.
// db/postgis/bench_test.go asks the same questions of PostGIS.
var bench struct {
	once  sync.Once
	ds    *db.Dataset
	store *memory.Store
	err   error
}

func benchStore(b *testing.B) (*memory.Store, *synth.Sampler) {
	b.Helper()
	bench.once.Do(func() {
		bench.ds = synth.Generate(synth.Config{Seed: 1})
		bench.store = memory.New()
		bench.err = bench.store.Load(context.Background(), bench.ds)
	})
	if bench.err != nil {
		b.Fatalf("load the synthetic dataset: %v", bench.err)
	}
	// The same seed as the PostGIS benchmarks, for the same inputs.
	return bench.store, synth.NewSampler(bench.ds, 1)
}

func BenchmarkAreasAt(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchAreasAt(b, s, sample)
}

func BenchmarkAreasBBox(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchAreasBBox(b, s, sample)
}

func BenchmarkInitiativesNear(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchInitiativesNear(b, s, sample)
}

func BenchmarkInitiativesByArea(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchInitiativesByArea(b, s, sample)
}

func BenchmarkInitiativesNearest(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchInitiativesNearest(b, s, sample)
}

func BenchmarkInitiativesByAreaLean(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchInitiativesByAreaLean(b, s, sample)
}

// BenchmarkReadTree reads the nested query's tree of busy areas, as
// db/postgis/bench_test.go does of PostGIS.
func BenchmarkReadTree(b *testing.B) {
	s, _ := benchStore(b)
	dbtest.BenchTree(b, s, bench.ds)
}

// BenchmarkIndicatorValues reads every value of 50 areas, as a choropleth
// of a region's areas does.
func BenchmarkIndicatorValues(b *testing.B) {
	s, _ := benchStore(b)
	var areas []int64
	for _, a := range bench.ds.Areas[len(bench.ds.Areas)-50:] {
		areas = append(areas, a.ID)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.IndicatorValues(ctx, db.ValueFilter{AreaIDs: areas}); err != nil {
			b.Fatal(err)
		}
	}
}
