package dbtest

import (
	"context"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/synth"
)

// The benchmarks every backend runs, on a store holding a synthetic
// dataset and with inputs drawn by a sampler seeded alike, so that the
// backends answer the same questions and their numbers compare.

// benchInputs is how many inputs a benchmark draws and then cycles
// through, so that drawing stays out of the timed loop.
const benchInputs = 1024

// BenchAreasAt asks which areas cover a point inside the dataset.
func BenchAreasAt(b *testing.B, s db.Store, sample *synth.Sampler) {
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

// BenchAreasBBox asks for the areas meeting a 0.05° box.
func BenchAreasBBox(b *testing.B, s db.Store, sample *synth.Sampler) {
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

// BenchInitiativesNear asks for the nearest 20 initiatives within 1 km.
func BenchInitiativesNear(b *testing.B, s db.Store, sample *synth.Sampler) {
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

// BenchInitiativesByArea asks for the first 50 initiatives of each of
// 10 areas at once, as a batch loader does.
func BenchInitiativesByArea(b *testing.B, s db.Store, sample *synth.Sampler) {
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
