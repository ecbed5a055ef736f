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
	ds := synth.Generate(synth.Config{Seed: seed, StatisticalAreas: 600, Initiatives: 600, Organizations: 200, Years: 1})
	url := pgtest.SchemaURL(t)
	open := func(u string) *postgis.Store {
		s, err := postgis.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		return s
	}
	mem := open(url)
	sql := open(url + "&area_replica=off")
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

func areaIDs(as []*db.Area) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}
