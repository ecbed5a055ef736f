package postgis_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/db/synth"
)

// TestReplicaMatchesSQL asks the areas at thousands of points, drawn where
// answers are most likely to differ (vertices, shared edges, holes,
// records' locations), from the replica and from PostGIS, and wants the
// same records: ids, order and every field, outline included.
func TestReplicaMatchesSQL(t *testing.T) {
	seed := crossSeed(t)
	t.Logf("seed %d; replay with AREAGRAPH_SEED=%d", seed, seed)
	ctx := t.Context()
	ds, mem, sql := replicaPair(t, seed)

	p := newProber(ds, seed)
	const n = 4000
	served := postgis.ReplicaServed(mem)
	var mismatches, found int
	for range n {
		pt, how := p.point()
		kinds := p.kinds()
		call := fmt.Sprintf("AreasAt(ctx, orb.Point%s, %s) (%s)", pointLit(pt), kindsLit(kinds), how)
		got, err := mem.AreasAt(ctx, pt, kinds, time.Time{})
		if err != nil {
			t.Fatalf("%s: replica: %v", call, err)
		}
		want, err := sql.AreasAt(ctx, pt, kinds, time.Time{})
		if err != nil {
			t.Fatalf("%s: database: %v", call, err)
		}
		found += len(got)
		if !reflect.DeepEqual(got, want) {
			mismatches++
			if mismatches <= 20 {
				t.Errorf("%s:\n  replica:  %v\n  database: %v", call, areaIDs(got), areaIDs(want))
			}
		}
	}
	if got := postgis.ReplicaServed(mem) - served; got != n {
		t.Errorf("%d of %d answers came from memory", got, n)
	}
	if found < n {
		t.Errorf("only %d areas found at %d points: the probes miss the data", found, n)
	}
	if mismatches > 0 {
		t.Errorf("%d of %d answers differ; replay with AREAGRAPH_SEED=%d", mismatches, n, seed)
	}

	// AreasByID from memory: every area, in input order, a repeated id
	// twice, an unknown one nil, records as the database decodes them.
	ids := []int64{-1}
	for _, a := range ds.Areas {
		ids = append(ids, a.ID)
	}
	ids = append(ids, ds.Areas[0].ID, 1<<40)
	served = postgis.ReplicaServed(mem)
	got, err := mem.AreasByID(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sql.AreasByID(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if postgis.ReplicaServed(mem) == served {
		t.Error("AreasByID was not answered from memory")
	}
	if !reflect.DeepEqual(got, want) {
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("AreasByID: id %d: replica %+v, database %+v", ids[i], got[i], want[i])
			}
		}
		t.Fatalf("AreasByID: %d answers from the replica, %d from the database", len(got), len(want))
	}
	if got[len(got)-2] == got[1] {
		t.Error("AreasByID handed out one record twice")
	}
}

// TestReplicaBoxesMatchSQL asks for pages of the areas in boxes drawn
// where answers are most likely to differ (degenerate boxes, corners and
// edges on vertices), with kinds, days and every kind of page, from the
// replica and from PostGIS, and wants the same lists: records, order,
// total and start.
func TestReplicaBoxesMatchSQL(t *testing.T) {
	seed := crossSeed(t)
	t.Logf("seed %d; replay with AREAGRAPH_SEED=%d", seed, seed)
	ctx := t.Context()
	ds, mem, sql := replicaPair(t, seed)
	// Days around the editions' changes, and none.
	days := []time.Time{{}}
	for _, a := range ds.Areas {
		for _, d := range []*time.Time{a.ValidFrom, a.ValidTo} {
			if d != nil && len(days) < 8 {
				days = append(days, *d, d.AddDate(0, 0, -1))
			}
		}
	}
	p := newProber(ds, seed)
	page := func() (db.Page, string) {
		id := func() int64 { return pick(p.rng, ds.Areas).ID + int64(p.rng.IntN(3)) - 1 }
		pg := db.Page{Limit: 1 + p.rng.IntN(40), FromEnd: p.rng.IntN(3) == 0, NoTotal: p.rng.IntN(4) == 0}
		if p.rng.IntN(3) == 0 {
			// As a tile reads its areas: both leave the outlines out.
			pg.Omit = db.PartGeometry
		}
		switch p.rng.IntN(5) {
		case 0:
			pg.Offset = p.rng.IntN(30)
		case 1:
			pg.After = &db.Key{ID: id()}
		case 2:
			pg.Before = &db.Key{ID: id()}
		case 3:
			pg.After, pg.Before = &db.Key{ID: id()}, &db.Key{ID: id()}
		default:
			pg.Limit = 100_000
		}
		return pg, fmt.Sprintf("%+v", pg)
	}
	const n = 1500
	served := postgis.ReplicaServed(mem)
	var mismatches, found int
	for range n {
		b, how := p.box()
		f := db.AreaFilter{Kinds: p.kinds(), ValidOn: pick(p.rng, days), Spatial: db.Spatial{BBox: &b}}
		switch p.rng.IntN(8) {
		case 0:
			f.ParentIDs = []int64{pick(p.rng, ds.Areas).ParentID}
		case 1:
			f.AreaTypes = []int{0, 1 + p.rng.IntN(5)}
		case 2:
			f.Codes = []string{pick(p.rng, ds.Areas).Code}
		}
		pg, pgHow := page()
		call := fmt.Sprintf("Areas(ctx, %+v, %s) (%s)", f, pgHow, how)
		got, err := mem.Areas(ctx, f, pg)
		if err != nil {
			t.Fatalf("%s: replica: %v", call, err)
		}
		want, err := sql.Areas(ctx, f, pg)
		if err != nil {
			t.Fatalf("%s: database: %v", call, err)
		}
		if pg.NoTotal {
			// A store may stop counting past the page: the total need
			// only tell whether records follow it.
			more := func(l db.List[*db.Area]) bool { return l.Total > l.Start+len(l.Items) }
			if more(got) == more(want) {
				got.Total = want.Total
			}
		}
		// Without outlines, the same list less the outlines.
		bareP := pg
		bareP.Omit = db.PartGeometry
		bare, err := mem.Areas(ctx, f, bareP)
		if err != nil {
			t.Fatalf("%s: replica without outlines: %v", call, err)
		}
		if len(bare.Items) != len(got.Items) || bare.Start != got.Start || (!pg.NoTotal && bare.Total != got.Total) {
			t.Fatalf("%s: without outlines: total %d, start %d, %v", call, bare.Total, bare.Start, areaIDs(bare.Items))
		}
		for i, a := range bare.Items {
			whole := *got.Items[i]
			whole.Geometry = nil
			if !reflect.DeepEqual(a, &whole) {
				t.Fatalf("%s: without outlines: %+v, want %+v", call, a, &whole)
			}
		}
		found += len(got.Items)
		if !reflect.DeepEqual(got, want) {
			mismatches++
			if mismatches <= 20 {
				t.Errorf("%s:\n  replica:  total %d, start %d, %v\n  database: total %d, start %d, %v", call,
					got.Total, got.Start, areaIDs(got.Items), want.Total, want.Start, areaIDs(want.Items))
			}
		}
	}
	if got := postgis.ReplicaServed(mem) - served; got != 2*n {
		t.Errorf("%d of %d answers came from memory", got, 2*n)
	}
	if found < n/2 {
		t.Errorf("only %d areas found in %d boxes: the probes miss the data", found, n)
	}
	if mismatches > 0 {
		t.Errorf("%d of %d answers differ; replay with AREAGRAPH_SEED=%d", mismatches, n, seed)
	}

	// A filter the replica does not answer goes to the database.
	b := ds.Areas[0].Geometry.Bound()
	served = postgis.ReplicaServed(mem)
	if _, err := mem.Areas(ctx, db.AreaFilter{NameContains: "a", Spatial: db.Spatial{BBox: &b}}, db.Page{Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if postgis.ReplicaServed(mem) != served {
		t.Error("a name filter was answered from memory")
	}
}

func areaIDs(as []*db.Area) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// replicaPair loads a synthetic dataset of seed into one schema and opens
// it twice: mem with the area replica, live once this returns, and sql
// without it, so that every read of sql asks PostGIS.
func replicaPair(t *testing.T, seed uint64) (ds *db.Dataset, mem, sql *postgis.Store) {
	t.Helper()
	ctx := t.Context()
	ds = synth.Generate(synth.Config{Seed: seed, StatisticalAreas: 600, Initiatives: 600, Organizations: 200, Years: 1})
	url := pgtest.SchemaURL(t)
	open := func(u string) *postgis.Store {
		s, err := postgis.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	}
	mem = open(url)
	sql = open(url + "&area_replica=off")
	if err := mem.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := mem.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := mem.WaitReplica(wctx); err != nil {
		t.Fatal(err)
	}
	return ds, mem, sql
}
