package postgis

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/synth"
)

// explain returns the plan of the one statement call sends, with
// sequential scans priced out when forced (the fixture is small enough
// that a scan would otherwise win).
func explain(t *testing.T, s *Store, rec *recorder, forced bool, call func() error) string {
	t.Helper()
	ctx := t.Context()
	rec.take()
	if err := call(); err != nil {
		t.Fatal(err)
	}
	q := rec.take()
	if len(q) != 1 {
		t.Fatalf("%d statements, want 1", len(q))
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if forced {
		if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := tx.Query(ctx, "EXPLAIN "+q[0].SQL, q[0].Args...)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestPlans pins the plans the read paths are built around.
func TestPlans(t *testing.T) {
	s, rec := newRecordedStore(t)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	near := db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: orb.Point{13, 57.5}, RadiusMeters: 5000}}}

	// Nearest first without a total, as the API asks for ids and titles:
	// the GiST index hands the records out in distance order (an index
	// scan with Order By), nothing counts the matches, and the statement
	// is plain: no window, no common table expression, no subquery.
	plan := explain(t, s, rec, true, func() error {
		_, err := s.Initiatives(ctx, near, db.Page{Limit: 20, NoTotal: true, Omit: db.AllParts})
		return err
	})
	if !strings.Contains(plan, "Index Scan using initiatives_locations_idx") || !strings.Contains(plan, "Order By: (locations <->") {
		t.Errorf("nearest without a total is not read in the index's order:\n%s", plan)
	}
	for _, node := range []string{"WindowAgg", "CTE", "SubPlan"} {
		if strings.Contains(plan, node) {
			t.Errorf("nearest without a total is not one plain statement (%s):\n%s", node, plan)
		}
	}
	// With a total, every match in the radius is ranked: still from the
	// index, by its box.
	plan = explain(t, s, rec, true, func() error {
		_, err := s.Initiatives(ctx, near, db.Page{Limit: 20})
		return err
	})
	if !strings.Contains(plan, "initiatives_locations_idx") {
		t.Errorf("nearest with a total does not use the index:\n%s", plan)
	}

	// The children of many parents in one statement, from the link
	// table's index.
	plan = explain(t, s, rec, true, func() error {
		_, err := s.InitiativesByArea(ctx, []int64{2, 3, 4, 5}, db.InitiativeFilter{}, db.Page{Limit: 50})
		return err
	})
	if !strings.Contains(plan, "initiative_areas") || strings.Contains(plan, "Seq Scan on initiative_areas") {
		t.Errorf("initiatives by area do not read the link table's index:\n%s", plan)
	}

	// A tree of the nested shape in one statement: every relation from
	// the index that serves it, no table read whole.
	plan = explain(t, s, rec, true, func() error {
		return s.ReadTree(ctx, dbtest.NestedTree(4, 50), io.Discard)
	})
	for _, index := range []string{"areas_pkey", "initiative_areas_area_id_idx", "initiatives_pkey",
		"initiative_partners_pkey", "organizations_pkey"} {
		if !strings.Contains(plan, index) {
			t.Errorf("the nested tree does not read %s:\n%s", index, plan)
		}
	}
	if strings.Contains(plan, "Seq Scan") {
		t.Errorf("the nested tree reads a table whole:\n%s", plan)
	}

	// A box and a point in an area reach the areas' GiST index.
	box := orb.Bound{Min: orb.Point{12, 57}, Max: orb.Point{12.5, 57.5}}
	plan = explain(t, s, rec, true, func() error {
		_, err := s.Areas(ctx, db.AreaFilter{Spatial: db.Spatial{BBox: &box}}, db.Page{Limit: 100})
		return err
	})
	if !strings.Contains(plan, "areas_geom_idx") {
		t.Errorf("areas in a box do not use the spatial index:\n%s", plan)
	}
}

// TestNearestFallsBack lowers the candidates the index-ordered statement
// reads until they often cannot settle the order, and holds the answers
// to those of the statement that ranks every match: when the candidates
// do not settle it, the store asks again.
func TestNearestFallsBack(t *testing.T) {
	defer func(f, s int) { knnFactor, knnSlack = f, s }(knnFactor, knnSlack)
	knnFactor, knnSlack = 1, 0
	s, rec := newRecordedStore(t)
	ctx := t.Context()
	ds := synth.Generate(synth.Config{Seed: 7, StatisticalAreas: 40, Initiatives: 2000, Organizations: 50, Years: 1})
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	sample := synth.NewSampler(ds, 7)
	again, once := 0, 0
	for i := range 80 {
		f := db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: sample.NearLocation(300), RadiusMeters: 3000}}}
		for _, p := range []db.Page{{Limit: 10}, {Offset: 5, Limit: 3}} {
			want, err := s.Initiatives(ctx, f, p)
			if err != nil {
				t.Fatal(err)
			}
			rec.take()
			p.NoTotal = true
			// Whole records, and the partial ones of a list of ids and
			// titles, whose candidates bring their columns along.
			p.Omit = []db.Parts{0, db.AllParts}[i%2]
			got, err := s.Initiatives(ctx, f, p)
			if err != nil {
				t.Fatal(err)
			}
			ranked := false // by the statement that ranks every match
			for _, q := range rec.take() {
				ranked = ranked || strings.Contains(q.SQL, "PARTITION BY pid")
			}
			if ranked {
				again++
			} else {
				once++
			}
			if !slices.Equal(ids(got.Items), ids(want.Items)) || !slices.Equal(got.Distances, want.Distances) || got.Start != want.Start {
				t.Fatalf("%+v: %v at %v, want %v at %v", p, ids(got.Items), got.Distances, ids(want.Items), want.Distances)
			}
		}
	}
	if again == 0 || once == 0 {
		t.Errorf("%d answers took a second statement, %d one: both paths must be taken", again, once)
	}
}

// TestNearestKeepsItsPlan holds the statement of a nearest list without a
// total to one that PostgreSQL stops planning: the planner prices it alike
// at every point, in a crowd or where there is nothing, so that its
// generic plan is as cheap as a custom one; and after a few executions of
// the prepared statement, it runs the generic plan.
func TestNearestKeepsItsPlan(t *testing.T) {
	rec := &recorder{}
	s, _ := newTestStore(t, func(cfg *pgxpool.Config) {
		cfg.ConnConfig.Tracer = rec
		cfg.MaxConns = 1 // prepared statements and their plans are per connection
	})
	ctx := t.Context()
	ds := synth.Generate(synth.Config{Seed: 5, StatisticalAreas: 40, Initiatives: 4000, Organizations: 50, Years: 1})
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE initiatives"); err != nil {
		t.Fatal(err)
	}
	sample := synth.NewSampler(ds, 5)
	nearest := func(pt orb.Point, radius float64) pgx.TraceQueryStartData {
		t.Helper()
		f := db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: pt, RadiusMeters: radius}}}
		rec.take()
		if _, err := s.Initiatives(ctx, f, db.Page{Limit: 20, NoTotal: true, Omit: db.AllParts}); err != nil {
			t.Fatal(err)
		}
		return rec.take()[0]
	}
	price := func(q pgx.TraceQueryStartData) float64 {
		t.Helper()
		var plan []map[string]map[string]any
		if err := s.pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+q.SQL, q.Args...).Scan(&plan); err != nil {
			t.Fatal(err)
		}
		return plan[0]["Plan"]["Total Cost"].(float64)
	}
	// Within 50 km of a location lies the whole dataset.
	crowd, nowhere := nearest(sample.NearLocation(0), 50000), nearest(orb.Point{-150, -60}, 50000)
	if c, n := price(crowd), price(nowhere); c != n {
		t.Errorf("nearest without a total is priced %g in a crowd and %g where there is nothing: the planner sees the point", c, n)
	}
	for range 10 {
		nearest(sample.NearLocation(300), 1000)
	}
	var generic, custom int64
	if err := s.pool.QueryRow(ctx, "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1", crowd.SQL).
		Scan(&generic, &custom); err != nil {
		t.Fatal(err)
	}
	if generic == 0 {
		t.Errorf("nearest without a total was planned for each of its %d executions:\n%s", custom, crowd.SQL)
	}
}
