package geo_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// These benchmarks run on the areas of a generated dataset, whose rings
// have the size and shape of real statistical areas and districts (a few
// hundred vertices, seven decimals), rather than on one huge ring: the
// hot paths of the server meet thousands of small geometries.
var synthBench struct {
	once sync.Once
	ds   *db.Dataset
}

func synthAreas(b *testing.B) *db.Dataset {
	b.Helper()
	synthBench.once.Do(func() {
		synthBench.ds = synth.Generate(synth.Config{Seed: 1, StatisticalAreas: 1000, Initiatives: -1, Organizations: -1})
	})
	return synthBench.ds
}

// BenchmarkCoversSynth asks Covers what AreasAt asks it: for sampled
// points, every area whose box holds the point, as an R-tree hands them
// over.
func BenchmarkCoversSynth(b *testing.B) {
	ds := synthAreas(b)
	type pair struct {
		g orb.Geometry
		p orb.Point
	}
	sample := synth.NewSampler(ds, 1)
	var pairs []pair
	for range 1000 {
		p := sample.Point()
		for _, a := range ds.Areas {
			if a.Geometry.Bound().Contains(p) {
				pairs = append(pairs, pair{a.Geometry, p})
			}
		}
	}
	i := 0
	for b.Loop() {
		geo.Covers(pairs[i%len(pairs)].g, pairs[i%len(pairs)].p)
		i++
	}
}

// BenchmarkValidateSynth validates every area outline of the dataset, as
// loading a dataset file does.
func BenchmarkValidateSynth(b *testing.B) {
	ds := synthAreas(b)
	vertices := 0
	for _, a := range ds.Areas {
		switch g := a.Geometry.(type) {
		case orb.Polygon:
			vertices += len(g[0])
		case orb.MultiPolygon:
			for _, p := range g {
				vertices += len(p[0])
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, a := range ds.Areas {
			if err := geo.Validate(a.Geometry, geo.Options{Allowed: []string{"Polygon", "MultiPolygon"}}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(vertices), "vertices")
}

// BenchmarkWriteGeoJSONSynth writes 100 outlines into one response
// buffer, as a bbox query with geometry does.
func BenchmarkWriteGeoJSONSynth(b *testing.B) {
	ds := synthAreas(b)
	var gs []orb.Geometry
	for _, a := range ds.Areas[len(ds.Areas)-100:] {
		gs = append(gs, a.Geometry)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		for _, g := range gs {
			if err := geo.WriteGeoJSON(&buf, g); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.SetBytes(int64(buf.Len()))
}
