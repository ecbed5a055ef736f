package memory_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/synth"
)

// BenchmarkHeapOfNationalDataset reports the heap the store holds once it
// has loaded the national synthetic dataset and the garbage is collected:
// what an embedded server's memory limit is twice of. The dataset itself
// is dropped first, so only the store is counted.
func BenchmarkHeapOfNationalDataset(b *testing.B) {
	for b.Loop() {
		ds := synth.Generate(synth.Config{Seed: 1})
		s := memory.New()
		if err := s.Load(context.Background(), ds); err != nil {
			b.Fatal(err)
		}
		ds = nil
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "alloc-MiB")
		runtime.KeepAlive(s)
	}
}
