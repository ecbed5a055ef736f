package outline_test

import (
	"context"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// The national synthetic set: 6,000 statistical areas.
func benchAreas(b *testing.B) []orb.Geometry {
	ds := synth.Generate(synth.Config{Seed: 1, Initiatives: 10, Organizations: 10, Years: 1})
	var gs []orb.Geometry
	for _, a := range ds.Areas {
		if a.Kind == db.KindStatisticalArea {
			gs = append(gs, a.Geometry)
		}
	}
	return gs
}

func BenchmarkNewCoverage(b *testing.B) {
	gs := benchAreas(b)
	for b.Loop() {
		geo.NewCoverage(gs)
	}
}

func BenchmarkCoverageSimplifyForZoom(b *testing.B) {
	gs := benchAreas(b)
	c := geo.NewCoverage(gs)
	z := 0.0
	for b.Loop() {
		c.SimplifyForZoom(6 + z)
		z = float64(int(z+1) % 8)
	}
}

// BenchmarkFirstOutline: the first outline asked for reads and prepares
// its group.
func BenchmarkFirstOutline(b *testing.B) {
	ds := synth.Generate(synth.Config{Seed: 1, Initiatives: 10, Organizations: 10, Years: 1})
	s := memory.New()
	if err := s.Load(context.Background(), ds); err != nil {
		b.Fatal(err)
	}
	l, err := s.Areas(context.Background(), db.AreaFilter{Kinds: []db.AreaKind{db.KindStatisticalArea}}, db.Page{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c := outline.New(s, 0)
		if _, err := c.Zoom(context.Background(), l.Items[0], 10); err != nil {
			b.Fatal(err)
		}
	}
}
