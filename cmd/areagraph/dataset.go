package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/areagraph/areagraph/db/datasetfile"
	"github.com/areagraph/areagraph/db/memory"
)

// A dataset file (datasetfile.WriteFile) is a whole store in one compact
// binary file: "areagraph export dataset" takes it from PostGIS, "serve
// --data" serves it from memory. That is how an embedded server carries a
// national dataset: a read-only copy, loaded in a second or two, that
// needs no database next to it.

// loadDatasetFile loads the dataset file at path into s.
func loadDatasetFile(ctx context.Context, s *memory.Store, path string) error {
	ds, err := datasetfile.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	// Loading builds the store's heap from nothing; at the default GOGC
	// the collector would run about ten times on the way, marking all
	// that is built so far each time. Running it four times less often
	// shortens the start by about a third, for a peak that lasts only
	// while loading (GOMEMLIMIT still bounds it).
	gc := debug.SetGCPercent(400)
	err = s.Load(ctx, ds)
	debug.SetGCPercent(gc)
	if err != nil {
		return fmt.Errorf("loading %s: %w", path, err)
	}
	// The store holds copies of the records: the dataset as read, and the
	// garbage of reading it, go back to the system now rather than
	// whenever the scavenger gets to them.
	ds = nil
	runtime.GC()
	debug.FreeOSMemory()
	return nil
}
