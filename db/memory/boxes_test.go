package memory_test

import (
	"context"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/paulmach/orb"
)

// TestBBoxPagesTestOnce: walking the pages of one bbox query tests each
// outline once, and a write that moves an outline is seen by the next
// page.
func TestBBoxPagesTestOnce(t *testing.T) {
	ctx := context.Background()
	ds := synth.Generate(synth.Config{Seed: 3, StatisticalAreas: 400, Initiatives: 10, Organizations: 10, Years: 1})
	s := memory.New()
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	box := ds.Areas[0].Geometry.Bound()
	for _, a := range ds.Areas[1:] {
		if a.Kind == db.KindStatisticalArea {
			box = box.Union(a.Geometry.Bound())
		}
	}
	f := db.AreaFilter{Kinds: []db.AreaKind{db.KindStatisticalArea}, Spatial: db.Spatial{BBox: &box}}

	walk := func() []*db.Area {
		var all []*db.Area
		p := db.Page{Limit: 50}
		for {
			l, err := s.Areas(ctx, f, p)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, l.Items...)
			if len(l.Items) < p.Limit {
				return all
			}
			p.After = &db.Key{ID: l.Items[len(l.Items)-1].ID}
		}
	}
	before := s.BoxTests()
	all := walk()
	if len(all) < 300 {
		t.Fatalf("%d areas in the box, want the 400 statistical areas", len(all))
	}
	tested := s.BoxTests() - before
	if tested > len(ds.Areas) {
		t.Fatalf("%d outlines tested over %d pages of %d areas: each page tested them again", tested, len(all)/50+1, len(ds.Areas))
	}

	// Move the first area far away: the next walk must not see it.
	a := all[0]
	far := orb.Polygon{{{100, 10}, {100.01, 10}, {100.01, 10.01}, {100, 10.01}, {100, 10}}}
	if _, err := s.UpdateArea(ctx, db.Actor{ID: "key:t", Role: db.RoleAdmin}, a.ID, a.Version, db.AreaPatch{Geometry: db.Set[orb.Geometry](far)}); err != nil {
		t.Fatal(err)
	}
	again := walk()
	if len(again) != len(all)-1 || again[0].ID == a.ID {
		t.Fatalf("after moving area %d away: %d areas, first %d; want %d without it", a.ID, len(again), again[0].ID, len(all)-1)
	}
}
