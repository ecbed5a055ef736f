package memory_test

import (
	"context"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
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

// benchInputs is how many inputs a benchmark draws and then cycles
// through, so that drawing stays out of the timed loop.
const benchInputs = 1024

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
	pts := make([]orb.Point, benchInputs)
	for i := range pts {
		pts[i] = sample.Point()
	}
	ctx := context.Background()
	var i, found int
	for b.Loop() {
		got, err := s.AreasAt(ctx, pts[i%len(pts)], nil)
		if err != nil {
			b.Fatal(err)
		}
		found += len(got)
		i++
	}
	b.ReportMetric(float64(found)/float64(i), "areas/op")
}

func BenchmarkAreasBBox(b *testing.B) {
	s, sample := benchStore(b)
	boxes := make([]orb.Bound, benchInputs)
	for i := range boxes {
		boxes[i] = sample.Box(0.05)
	}
	ctx := context.Background()
	var i, found int
	for b.Loop() {
		l, err := s.Areas(ctx, db.AreaFilter{Spatial: db.Spatial{BBox: &boxes[i%len(boxes)]}}, db.Page{Limit: 100})
		if err != nil {
			b.Fatal(err)
		}
		found += len(l.Items)
		i++
	}
	b.ReportMetric(float64(found)/float64(i), "areas/op")
}

func BenchmarkInitiativesNear(b *testing.B) {
	s, sample := benchStore(b)
	pts := make([]orb.Point, benchInputs)
	for i := range pts {
		pts[i] = sample.NearLocation(1000)
	}
	ctx := context.Background()
	var i, found int
	for b.Loop() {
		f := db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: pts[i%len(pts)], RadiusMeters: 1000}}}
		l, err := s.Initiatives(ctx, f, db.Page{Limit: 20})
		if err != nil {
			b.Fatal(err)
		}
		found += len(l.Items)
		i++
	}
	b.ReportMetric(float64(found)/float64(i), "initiatives/op")
}

// BenchmarkInitiativesByArea asks for the first 50 initiatives of each of
// 10 areas at once, as a batch loader does.
func BenchmarkInitiativesByArea(b *testing.B) {
	s, sample := benchStore(b)
	batches := make([][]int64, benchInputs)
	for i := range batches {
		batches[i] = sample.AreaIDs(10)
	}
	ctx := context.Background()
	var i, found int
	for b.Loop() {
		lists, err := s.InitiativesByArea(ctx, batches[i%len(batches)], db.InitiativeFilter{}, db.Page{Limit: 50})
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range lists {
			found += len(l.Items)
		}
		i++
	}
	b.ReportMetric(float64(found)/float64(i), "initiatives/op")
}
