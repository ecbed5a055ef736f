package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
)

// A dataset file (db.WriteDatasetFile) is a whole store in one compact
// binary file: "areagraph export dataset" takes it from PostGIS, "serve
// --data" serves it from memory. That is how an embedded server carries a
// national dataset: a read-only copy, loaded in a second or two, that
// needs no database next to it.

// loadDatasetFile loads the dataset file at path into s.
func loadDatasetFile(ctx context.Context, s *memory.Store, path string) error {
	ds, err := db.ReadDatasetFile(path)
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

// exportDataset writes everything in store as a dataset file to w, reading
// it a page at a time.
func exportDataset(ctx context.Context, store db.Store, w io.Writer) error {
	var ds db.Dataset
	err := eachAreaPage(ctx, store, db.AreaFilter{}, func(page []*db.Area) error {
		ds.Areas = append(ds.Areas, page...)
		return nil
	})
	if err != nil {
		return err
	}
	err = eachPage(func(p db.Page) (db.List[*db.Organization], error) {
		return store.Organizations(ctx, db.OrganizationFilter{}, p)
	}, func(page []*db.Organization) { ds.Organizations = append(ds.Organizations, page...) })
	if err != nil {
		return err
	}
	err = eachPage(func(p db.Page) (db.List[*db.Initiative], error) {
		return store.Initiatives(ctx, db.InitiativeFilter{}, p)
	}, func(page []*db.Initiative) { ds.Initiatives = append(ds.Initiatives, page...) })
	if err != nil {
		return err
	}
	if ds.Indicators, err = store.Indicators(ctx, nil); err != nil {
		return err
	}
	if ds.Values, err = store.IndicatorValues(ctx, db.ValueFilter{}); err != nil {
		return err
	}
	return db.WriteDataset(w, &ds)
}

// eachPage hands fn the pages fetch returns, in order, until one is empty.
func eachPage[T any](fetch func(db.Page) (db.List[T], error), fn func([]T)) error {
	for offset := 0; ; offset += exportPage {
		l, err := fetch(db.Page{Offset: offset, Limit: exportPage})
		if err != nil {
			return err
		}
		if len(l.Items) == 0 {
			return nil
		}
		fn(l.Items)
	}
}
