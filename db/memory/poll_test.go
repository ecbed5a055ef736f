package memory

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/paulmach/orb"
)

// A read whose request has ended returns the context's error at once,
// instead of running its loops to the end for an answer nobody reads.
func TestReadsStopWhenTheirContextEnds(t *testing.T) {
	s := New()
	if err := s.Load(t.Context(), demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	areas := s.areaIDs
	page := db.Page{Limit: 10}
	for name, read := range map[string]func() error{
		"Areas":      func() error { _, err := s.Areas(ctx, db.AreaFilter{}, page); return err },
		"ChildAreas": func() error { _, err := s.ChildAreas(ctx, areas, db.AreaFilter{}, page); return err },
		"AreasAt":    func() error { _, err := s.AreasAt(ctx, orb.Point{12.94, 57.72}, nil, time.Time{}); return err },
		"AreasByID":  func() error { _, err := s.AreasByID(ctx, areas); return err },
		"AreaByCode": func() error { _, err := s.AreaByCode(ctx, "x"); return err },
		"Organizations": func() error {
			_, err := s.Organizations(ctx, db.OrganizationFilter{}, page)
			return err
		},
		"OrganizationsByArea": func() error {
			_, err := s.OrganizationsByArea(ctx, areas, db.OrganizationFilter{}, page)
			return err
		},
		"OrganizationsByID": func() error { _, err := s.OrganizationsByID(ctx, []int64{1}); return err },
		"Initiatives": func() error {
			_, err := s.Initiatives(ctx, db.InitiativeFilter{}, page)
			return err
		},
		"InitiativesByArea": func() error {
			_, err := s.InitiativesByArea(ctx, areas, db.InitiativeFilter{}, page)
			return err
		},
		"InitiativesByOrganization": func() error {
			_, err := s.InitiativesByOrganization(ctx, []int64{1}, db.InitiativeFilter{}, page)
			return err
		},
		"InitiativesByID": func() error { _, err := s.InitiativesByID(ctx, []int64{1}); return err },
		"Coverage":        func() error { _, err := s.Coverage(ctx, db.CoverageFilter{AreaIDs: areas}); return err },
		"Indicators":      func() error { _, err := s.Indicators(ctx, nil); return err },
		"IndicatorValues": func() error { _, err := s.IndicatorValues(ctx, db.ValueFilter{}); return err },
		"AuditLog":        func() error { _, err := s.AuditLog(ctx, db.AuditFilter{}, page); return err },
		"ReadTree": func() error {
			return s.ReadTree(ctx, &db.Tree{RootID: areas[0], Root: db.TreeNode{Type: db.TreeArea}}, io.Discard)
		},
	} {
		if err := read(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s after its context ended: %v, want context.Canceled", name, err)
		}
	}
}

// A loop stops within checkEvery items of its context's end.
func TestPollStopsALoop(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pl := &poll{ctx: ctx}
	for range checkEvery * 3 {
		if err := pl.next(); err != nil {
			t.Fatalf("stopped before the context ended: %v", err)
		}
	}
	cancel()
	n := 0
	for pl.next() == nil {
		n++
		if n > checkEvery {
			t.Fatalf("ran %d items past the context's end", n)
		}
	}
}
