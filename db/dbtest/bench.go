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

// benchDay is the day the area benchmarks ask for, as the API always
// names one (today by default), so the validity test is in the timing.
var benchDay = db.YearDay(2025)

// BenchAreasAt asks which areas cover a point inside the dataset.
func BenchAreasAt(b *testing.B, s db.Store, sample *synth.Sampler) {
	benchQueries(b, "areas", sample.Point, func(ctx context.Context, p orb.Point) (int, error) {
		got, err := s.AreasAt(ctx, p, nil, benchDay)
		return len(got), err
	})
}

// BenchAreasBBox asks for the areas meeting a 0.05° box.
func BenchAreasBBox(b *testing.B, s db.Store, sample *synth.Sampler) {
	// Boxes are drawn as pointers, so the filter takes them without an
	// allocation of its own in the timed loop.
	box := func() *orb.Bound { bb := sample.Box(0.05); return &bb }
	benchQueries(b, "areas", box, func(ctx context.Context, bb *orb.Bound) (int, error) {
		l, err := s.Areas(ctx, db.AreaFilter{ValidOn: benchDay, Spatial: db.Spatial{BBox: bb}}, db.Page{Limit: 100})
		if err != nil {
			return 0, err
		}
		return len(l.Items), nil
	})
}

// BenchInitiativesNear asks for the nearest 20 initiatives within 1 km.
func BenchInitiativesNear(b *testing.B, s db.Store, sample *synth.Sampler) {
	near := func() orb.Point { return sample.NearLocation(1000) }
	benchQueries(b, "initiatives", near, func(ctx context.Context, p orb.Point) (int, error) {
		f := db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: p, RadiusMeters: 1000}}}
		l, err := s.Initiatives(ctx, f, db.Page{Limit: 20})
		if err != nil {
			return 0, err
		}
		return len(l.Items), nil
	})
}

// BenchInitiativesNearest asks what BenchInitiativesNear asks as the API
// asks it for a selection of ids, titles and statuses: no total, every
// costly part of the records omitted.
func BenchInitiativesNearest(b *testing.B, s db.Store, sample *synth.Sampler) {
	near := func() orb.Point { return sample.NearLocation(1000) }
	benchQueries(b, "initiatives", near, func(ctx context.Context, p orb.Point) (int, error) {
		f := db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: p, RadiusMeters: 1000}}}
		l, err := s.Initiatives(ctx, f, db.Page{Limit: 20, NoTotal: true, Omit: db.AllParts})
		if err != nil {
			return 0, err
		}
		return len(l.Items), nil
	})
}

// BenchInitiativesByAreaLean is BenchInitiativesByArea for a selection
// of ids, titles and statuses, as the nested query asks it of a store
// (its lead and partners then come by id).
func BenchInitiativesByAreaLean(b *testing.B, s db.Store, sample *synth.Sampler) {
	batch := func() []int64 { return sample.AreaIDs(10) }
	benchQueries(b, "initiatives", batch, func(ctx context.Context, ids []int64) (int, error) {
		lists, err := s.InitiativesByArea(ctx, ids, db.InitiativeFilter{}, db.Page{Limit: 50, Omit: db.AllParts &^ db.PartPartners})
		found := 0
		for _, l := range lists {
			found += len(l.Items)
		}
		return found, err
	})
}

// BenchInitiativesByArea asks for the first 50 initiatives of each of
// 10 areas at once, as a batch loader does.
func BenchInitiativesByArea(b *testing.B, s db.Store, sample *synth.Sampler) {
	batch := func() []int64 { return sample.AreaIDs(10) }
	benchQueries(b, "initiatives", batch, func(ctx context.Context, ids []int64) (int, error) {
		lists, err := s.InitiativesByArea(ctx, ids, db.InitiativeFilter{}, db.Page{Limit: 50})
		found := 0
		for _, l := range lists {
			found += len(l.Items)
		}
		return found, err
	})
}

// benchQueries draws benchInputs inputs, then times query over them in
// turn and reports how many records (of unit) a call finds on average.
func benchQueries[T any](b *testing.B, unit string, draw func() T, query func(context.Context, T) (int, error)) {
	inputs := make([]T, benchInputs)
	for i := range inputs {
		inputs[i] = draw()
	}
	ctx := context.Background()
	var i, found int
	for b.Loop() {
		n, err := query(ctx, inputs[i%len(inputs)])
		if err != nil {
			b.Fatal(err)
		}
		found += n
		i++
	}
	b.ReportMetric(float64(found)/float64(i), unit+"/op")
}

// BenchRollup derives every indicator of every year for the targets at
// once, as a request's loader does, and reports the time per target.
func BenchRollup(b *testing.B, s db.Reader, defs []*db.Indicator, targets []int64) {
	b.Helper()
	ctx := b.Context()
	var n int
	for b.Loop() {
		got, err := db.DerivedValues(ctx, s, defs, targets, db.ValueFilter{})
		if err != nil {
			b.Fatal(err)
		}
		n = 0
		for _, g := range got {
			n += len(g)
		}
	}
	if n == 0 {
		b.Fatal("nothing derived")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(targets))/1e3, "µs/target")
}

// LargeTarget is a generated dataset of 6,000 statistical areas whose
// population sums and unemployment is a mean weighed by it, with one more
// area, a district drawn over all of them: the target with thousands of
// sources that a roll-up must still answer within a request's limits.
func LargeTarget() (*db.Dataset, int64) {
	ds := synth.Generate(synth.Config{Seed: 3, StatisticalAreas: 6000, Initiatives: 1, Organizations: 1, Years: 1})
	for _, d := range ds.Indicators {
		switch d.Code {
		case "population":
			d.Rollup = db.RollupSum
		case "unemployment":
			d.Rollup, d.WeightIndicator = db.RollupWeightedMean, "population"
		}
	}
	var b orb.Bound
	var maxID int64
	for i, a := range ds.Areas {
		if i == 0 {
			b = a.Geometry.Bound()
		}
		b = b.Union(a.Geometry.Bound())
		maxID = max(maxID, a.ID)
	}
	id := maxID + 1
	ds.Areas = append(ds.Areas, &db.Area{ID: id, Code: "LARGE", Name: "Over everything", Kind: db.KindDistrict,
		Geometry: b.Pad(-1e-4).ToPolygon()})
	return ds, id
}

// BenchRollupLarge derives the large target's values; it reports the
// sources it rests on.
func BenchRollupLarge(b *testing.B, s db.Reader, defs []*db.Indicator, target int64) {
	b.Helper()
	var sources int
	for b.Loop() {
		got, err := db.DerivedValues(b.Context(), s, defs, []int64{target}, db.ValueFilter{Codes: []string{"population", "unemployment"}})
		if err != nil {
			b.Fatal(err)
		}
		if len(got[0]) == 0 {
			b.Fatal("nothing derived")
		}
		sources = len(got[0][0].Provenance.Sources)
	}
	b.ReportMetric(float64(sources), "sources")
}
