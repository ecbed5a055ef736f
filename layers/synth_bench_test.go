package layers_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/layers"
)

// The tile benchmarks serve the default synthetic dataset (6,000
// DeSO-like statistical areas, 100,000 initiatives) from the embedded
// store, loaded once.
var synthBench struct {
	once sync.Once
	h    *layers.Handler
	s    db.Store
	ds   *db.Dataset
	err  error
}

func synthHandler(b *testing.B) (*layers.Handler, *db.Dataset) {
	b.Helper()
	synthBench.once.Do(func() {
		synthBench.ds = synth.Generate(synth.Config{Seed: 1})
		s := memory.New()
		synthBench.err = s.Load(context.Background(), synthBench.ds)
		synthBench.s = s
		synthBench.h = layers.New(s, nil)
	})
	if synthBench.err != nil {
		b.Fatal(synthBench.err)
	}
	return synthBench.h, synthBench.ds
}

// tileOf is the address of the tile at zoom z holding lon, lat.
func tileOf(lon, lat float64, z int) (x, y int) {
	n := math.Exp2(float64(z))
	s := math.Sin(lat * math.Pi / 180)
	return int((lon + 180) / 360 * n), int((0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * n)
}

// benchTiles serves the tiles at zoom z in a square of side tiles around
// the middle statistical area, one after the other, and
// reports the bytes of the largest.
func benchTiles(b *testing.B, layer string, z, side int) {
	h, ds := synthHandler(b)
	// The middle statistical area by id, where the grid is full.
	var stat []*db.Area
	for _, a := range ds.Areas {
		if a.Kind == db.KindStatisticalArea {
			stat = append(stat, a)
		}
	}
	c := stat[len(stat)/2].Geometry.Bound().Center()
	cx, cy := tileOf(c[0], c[1], z)
	var reqs []*http.Request
	for dx := range side {
		for dy := range side {
			x, y := cx-side/2+dx, cy-side/2+dy
			path := "/tiles/" + layer + "/" + strconv.Itoa(z) + "/" + strconv.Itoa(x) + "/" + strconv.Itoa(y) + ".mvt"
			reqs = append(reqs, httptest.NewRequest(http.MethodGet, path, nil))
		}
	}
	serveTiles(b, h, reqs)
}

// serveTiles serves reqs in turn and reports the bytes of the largest
// answer.
func serveTiles(b *testing.B, h *layers.Handler, reqs []*http.Request) {
	// Once round before the clock starts: what is measured is a map
	// panning over tiles whose groups of areas are prepared.
	for _, r := range reqs {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	b.ReportAllocs()
	largest, i := 0, 0
	start := cpuTime()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, reqs[i%len(reqs)])
		i++
		if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		largest = max(largest, rec.Body.Len())
	}
	if start >= 0 {
		b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(largest), "max-bytes/tile")
}

// BenchmarkTileStatisticalAreasZ12: 16 z12 tiles of statistical areas in
// turn, as a map pans.
func BenchmarkTileStatisticalAreasZ12(b *testing.B) { benchTiles(b, "statistical-areas", 12, 4) }

// BenchmarkTileStatisticalAreasZ10: z10 tiles of statistical areas around
// random points where the areas are, as the load benchmark asks for them
// (bench/queries.go).
func BenchmarkTileStatisticalAreasZ10(b *testing.B) {
	h, ds := synthHandler(b)
	serveTiles(b, h, z10Tiles(ds))
}

// BenchmarkTileStatisticalAreasZ10PostGIS is BenchmarkTileStatisticalAreasZ10
// over PostGIS, with the area replica live (as a server runs) and turned
// off; cpu-ns/op is this process's alone, not the database's.
func BenchmarkTileStatisticalAreasZ10PostGIS(b *testing.B) {
	ds := synth.Generate(synth.Config{Seed: 1, Initiatives: 1000})
	url := pgtest.SchemaURL(b)
	s := storetest.PostGIS(b, url)
	if err := s.Load(b.Context(), ds); err != nil {
		b.Fatal(err)
	}
	b.Run("replica", func(b *testing.B) {
		if err := s.WaitReplica(b.Context()); err != nil {
			b.Fatal(err)
		}
		serveTiles(b, layers.New(s, nil), z10Tiles(ds))
	})
	b.Run("sql", func(b *testing.B) {
		serveTiles(b, layers.New(storetest.PostGIS(b, url+"&area_replica=off"), nil), z10Tiles(ds))
	})
}

// z10Tiles are 256 requests for the z10 tiles of statistical areas at
// points drawn where ds's areas are.
func z10Tiles(ds *db.Dataset) []*http.Request {
	smp := synth.NewSampler(ds, 1)
	const z = 10
	reqs := make([]*http.Request, 256)
	for i := range reqs {
		p := smp.Point()
		x, y := tileOf(p[0], p[1], z)
		path := "/tiles/statistical-areas/" + strconv.Itoa(z) + "/" + strconv.Itoa(x) + "/" + strconv.Itoa(y) + ".mvt"
		reqs[i] = httptest.NewRequest(http.MethodGet, path, nil)
	}
	return reqs
}

// BenchmarkTileStatisticalAreasZ10AtOnce: 16 requests for the same z10
// tile of statistical areas at once, the first the server is asked for, as
// when a map is shown to many users at the same moment: its group of
// areas is read and simplified once, the other requests waiting for it.
// peak-heap-MB is the most the heap held in use meanwhile beyond what it
// held before.
func BenchmarkTileStatisticalAreasZ10AtOnce(b *testing.B) {
	_, ds := synthHandler(b)
	req := z10Tiles(ds)[0]
	const n = 16
	var peak, builds uint64
	b.ReportAllocs()
	for b.Loop() {
		h := layers.New(synthBench.s, nil)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base, top := ms.HeapInuse, ms.HeapInuse
		stop, sampled := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				runtime.ReadMemStats(&ms)
				top = max(top, ms.HeapInuse)
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req.Clone(context.Background()))
				if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
					b.Errorf("%d %s", rec.Code, rec.Body)
				}
			})
		}
		wg.Wait()
		close(stop)
		<-sampled
		peak = max(peak, top-base)
		builds = max(builds, uint64(h.Outlines().Builds()))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(builds), "builds")
}

// BenchmarkTileInitiativesZ3: the z3 tile over the dataset, which holds
// all of its 100,000 initiatives.
func BenchmarkTileInitiativesZ3(b *testing.B) { benchTiles(b, "initiatives", 3, 1) }
