package postgis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/db/synth"
)

// newTestStore opens a store in a schema of its own (see pgtest), migrated.
// cfg, when not nil, adjusts the pool configuration first. It returns the
// URL that reaches the schema, for tests that open more connections.
func newTestStore(t *testing.T, cfg func(*pgxpool.Config)) (*Store, string) {
	t.Helper()
	ctx := context.Background()
	u := pgtest.SchemaURL(t)
	poolCfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		cfg(poolCfg)
	}
	s, err := open(ctx, poolCfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s, u
}

func newStore(t *testing.T) db.Store {
	s, _ := newTestStore(t, nil)
	return s
}

func TestConformance(t *testing.T) {
	dbtest.Run(t, newStore)
}

// recorder is a pgx tracer that keeps every statement a store sends.
type recorder struct {
	mu      sync.Mutex
	queries []pgx.TraceQueryStartData
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queries = append(r.queries, data)
	return ctx
}

func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// take returns the statements recorded since the last call.
func (r *recorder) take() []pgx.TraceQueryStartData {
	r.mu.Lock()
	defer r.mu.Unlock()
	q := r.queries
	r.queries = nil
	return q
}

func newRecordedStore(t *testing.T) (*Store, *recorder) {
	rec := &recorder{}
	s, _ := newTestStore(t, func(cfg *pgxpool.Config) { cfg.ConnConfig.Tracer = rec })
	return s, rec
}

func TestMigrateIsIdempotentAndSerialised(t *testing.T) {
	s, url := newTestStore(t, nil)
	ctx := t.Context()
	// A second store on the same schema stands for a second process.
	other, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			if i%2 == 0 {
				errs[i] = s.Migrate(ctx)
			} else {
				errs[i] = other.Migrate(ctx)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate #%d: %v", i, err)
		}
	}
	entries, _ := fs.Glob(migrations, "migrations/*.sql")
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(entries) {
		t.Errorf("schema_migrations has %d rows, want one per migration (%d)", n, len(entries))
	}
}

func TestGeometryRoundTrip(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	square := func(x, y, d float64) orb.Ring {
		return orb.Ring{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}
	}
	hole := func(x, y, d float64) orb.Ring { // clockwise
		return orb.Ring{{x, y}, {x, y + d}, {x + d, y + d}, {x + d, y}, {x, y}}
	}
	multi := orb.MultiPolygon{
		{square(10, 50, 1), hole(10.25, 50.25, 0.25), hole(10.6, 50.6, 0.1)},
		{square(12, 50, 1)},
		{square(14, 50, 1), hole(14.5, 50.5, 0.25)},
	}
	// Locations in an order that is neither sorted nor spatial.
	locations := []orb.Point{{10.9, 50.1}, {-179.5, -89.5}, {10.1, 50.9}, {180, 90}, {10.5, 50.5}, {10.1, 50.9}}
	start := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	ds := &db.Dataset{
		Areas: []*db.Area{
			{ID: 7, Code: "mp", Name: "Multi", Kind: db.KindDistrict, Geometry: multi},
			{ID: 8, Code: "p", Name: "Plain", Kind: db.KindDistrict, Geometry: orb.Polygon{square(-180, -90, 1)}},
		},
		Organizations: []*db.Organization{
			{ID: 3, Kind: db.OrgEmployer, Name: "Located", Location: &orb.Point{-73.985, 40.758}, AreaIDs: []int64{7, 8}},
			{ID: 4, Kind: db.OrgAssociation, Name: "Nowhere"},
		},
		Initiatives: []*db.Initiative{
			{ID: 1, Title: "Many places", Status: db.StatusActive, GoalArea: db.GoalHousingLocal, StartDate: &start,
				Locations: locations, LeadID: 3,
				Themes:      []db.Theme{db.ThemeJobs, db.ThemeHealth, db.ThemeParenting},
				FocusGroups: []db.FocusGroup{db.FocusBornOutsideEurope, db.FocusNoUpperSecondary}},
			{ID: 2, Title: "No place", Status: db.StatusPlanned, GoalArea: db.GoalGoodStart, Locations: []orb.Point{}},
		},
	}
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	areas, err := s.AreasByID(ctx, []int64{7, 8})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(areas[0].Geometry, multi) {
		t.Errorf("multipolygon with holes:\n got  %v\n want %v", areas[0].Geometry, multi)
	}
	if _, ok := areas[1].Geometry.(orb.Polygon); !ok {
		t.Errorf("polygon came back as %T", areas[1].Geometry)
	}
	orgs, err := s.OrganizationsByID(ctx, []int64{3, 4})
	if err != nil {
		t.Fatal(err)
	}
	if orgs[0].Location == nil || *orgs[0].Location != (orb.Point{-73.985, 40.758}) {
		t.Errorf("point: got %v", orgs[0].Location)
	}
	if !slices.Equal(orgs[0].AreaIDs, []int64{7, 8}) {
		t.Errorf("area ids: got %v, want [7 8]", orgs[0].AreaIDs)
	}
	if orgs[1].Location != nil {
		t.Errorf("missing location came back as %v", orgs[1].Location)
	}
	inits, err := s.InitiativesByID(ctx, []int64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(inits[0].Locations, locations) {
		t.Errorf("locations: got %v, want %v in the same order", inits[0].Locations, locations)
	}
	if want := []db.Theme{db.ThemeJobs, db.ThemeHealth, db.ThemeParenting}; !slices.Equal(inits[0].Themes, want) {
		t.Errorf("themes: got %v, want %v", inits[0].Themes, want)
	}
	if want := []db.FocusGroup{db.FocusBornOutsideEurope, db.FocusNoUpperSecondary}; !slices.Equal(inits[0].FocusGroups, want) {
		t.Errorf("focus groups: got %v, want %v", inits[0].FocusGroups, want)
	}
	if d := inits[0].StartDate; d == nil || !d.Equal(start) || d.Location() != time.UTC {
		t.Errorf("start date: got %v, want %v in UTC", d, start)
	}
	if inits[1].Locations != nil {
		t.Errorf("empty locations came back as %v", inits[1].Locations)
	}
	var null bool
	if err := s.pool.QueryRow(ctx, "SELECT locations IS NULL FROM initiatives WHERE id = 2").Scan(&null); err != nil || !null {
		t.Errorf("empty locations are stored as NULL: got %v, %v", null, err)
	}
}

func TestLoadRollsBackWhenTheDatabaseRefuses(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	// The value's key is only known to be taken once the insert reaches
	// the primary key, after the area and the indicator went in.
	ds := &db.Dataset{
		Areas: []*db.Area{{ID: 60, Code: "late", Name: "Late", Kind: db.KindDistrict, ParentID: 1,
			Geometry: orb.Polygon{{{12, 57}, {12.1, 57}, {12.1, 57.1}, {12, 57}}}}},
		Indicators: []*db.Indicator{{Code: "fresh", Name: "Fresh"}},
		Values:     []db.IndicatorValue{dbtest.Fixture().Values[0]},
	}
	err := s.Load(ctx, ds)
	if !errors.Is(err, db.ErrConflict) {
		t.Fatalf("got %v, want a conflict", err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		t.Errorf("a pgconn error leaks out of the package: %v", err)
	}
	if got, _ := s.AreasByID(ctx, []int64{60}); got[0] != nil {
		t.Error("area 60 stayed although its load failed")
	}
	if got, _ := s.Indicators(ctx, []string{"fresh"}); len(got) != 0 {
		t.Error("indicator fresh stayed although its load failed")
	}
}

// db.Validate leaves these to the store: it reads every record, and it does
// not know the width of the reach columns.
func TestLoadInChunks(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	ds := dbtest.Fixture()
	n := 2*chunkSize + 7
	for i := range n {
		id := int64(100 + i)
		ds.Initiatives = append(ds.Initiatives, &db.Initiative{ID: id, Title: "Bulk", Status: db.StatusActive,
			GoalArea: db.GoalConditionsForWork, AreaIDs: []int64{5}, LeadID: 2,
			Partners:  []db.Partner{{OrganizationID: 1, Role: db.RoleFunder}},
			Locations: []orb.Point{{13 + float64(i%100)/100, 57.5}}})
	}
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	byOrg, err := s.InitiativesByOrganization(ctx, []int64{1, 2}, db.InitiativeFilter{}, db.Page{Offset: n, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if byOrg[0].Total != n+2 || byOrg[1].Total != n+2 {
		t.Errorf("totals: got %d and %d, want %d", byOrg[0].Total, byOrg[1].Total, n+2)
	}
	if got := ids(byOrg[1].Items); !slices.Equal(got, []int64{int64(100 + n - 2), int64(100 + n - 1)}) {
		t.Errorf("last page by organization 2: got %v", got)
	}
}

func ids[T interface {
	*db.Area | *db.Organization | *db.Initiative
}](items []T) []int64 {
	var out []int64
	for _, it := range items {
		switch v := any(it).(type) {
		case *db.Area:
			out = append(out, v.ID)
		case *db.Organization:
			out = append(out, v.ID)
		case *db.Initiative:
			out = append(out, v.ID)
		}
	}
	return out
}

// TestOneStatementPerCall holds every read, whatever its number of ids or
// parents, to a single statement: batch loaders rely on it to avoid N+1.
func TestOneStatementPerCall(t *testing.T) {
	// Without the area replica, which answers AreasAt and AreasByID with
	// none once it is live.
	rec := &recorder{}
	s, _ := newTestStore(t, func(cfg *pgxpool.Config) {
		cfg.ConnConfig.Tracer = rec
		cfg.ConnConfig.RuntimeParams[replicaParam] = "off"
	})
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	near := db.Spatial{Near: &db.Near{Point: orb.Point{13, 57.5}, RadiusMeters: 50000}}
	page := db.Page{Offset: 1, Limit: 2}
	calls := map[string]func() error{
		"AreasByID":  func() error { _, err := s.AreasByID(ctx, []int64{1, 2, 3, 4, 5, 6, 2}); return err },
		"AreaByCode": func() error { _, err := s.AreaByCode(ctx, "9999"); return err },
		"Areas":      func() error { _, err := s.Areas(ctx, db.AreaFilter{Spatial: near}, page); return err },
		"AreasAt":    func() error { _, err := s.AreasAt(ctx, orb.Point{12.3, 57.3}, nil, time.Time{}); return err },
		"ChildAreas": func() error {
			_, err := s.ChildAreas(ctx, []int64{1, 2, 3, 4, 1}, db.AreaFilter{Spatial: near}, page)
			return err
		},
		"OrganizationsByID": func() error { _, err := s.OrganizationsByID(ctx, []int64{1, 2, 3, 4}); return err },
		"Organizations": func() error {
			_, err := s.Organizations(ctx, db.OrganizationFilter{Spatial: near}, page)
			return err
		},
		"OrganizationsByArea": func() error {
			_, err := s.OrganizationsByArea(ctx, []int64{2, 3, 4, 5}, db.OrganizationFilter{}, page)
			return err
		},
		"InitiativesByID": func() error { _, err := s.InitiativesByID(ctx, []int64{1, 2, 3, 4}); return err },
		"Initiatives": func() error {
			_, err := s.Initiatives(ctx, db.InitiativeFilter{Spatial: near}, page)
			return err
		},
		"InitiativesByArea": func() error {
			_, err := s.InitiativesByArea(ctx, []int64{2, 4, 5}, db.InitiativeFilter{Spatial: near}, page)
			return err
		},
		"InitiativesByOrganization": func() error {
			_, err := s.InitiativesByOrganization(ctx, []int64{1, 2, 3, 4}, db.InitiativeFilter{}, page)
			return err
		},
		"Indicators":      func() error { _, err := s.Indicators(ctx, nil); return err },
		"IndicatorValues": func() error { _, err := s.IndicatorValues(ctx, db.ValueFilter{}); return err },
		"Coverage": func() error {
			_, err := s.Coverage(ctx, db.CoverageFilter{AreaIDs: []int64{2, 4, 5}, ByTheme: true})
			return err
		},
	}
	for name, call := range calls {
		rec.take()
		if err := call(); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if q := rec.take(); len(q) != 1 {
			t.Errorf("%s sent %d statements, want 1", name, len(q))
		}
	}
}

// TestSpatialFiltersUseTheIndex explains the statements the spatial
// filters produce with sequential scans priced out: each must reach its
// GiST index, or it would read whole tables at scale.
func TestSpatialFiltersUseTheIndex(t *testing.T) {
	s, rec := newRecordedStore(t)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	box := &orb.Bound{Min: orb.Point{12, 57}, Max: orb.Point{12.5, 57.5}}
	near := &db.Near{Point: orb.Point{13, 57.5}, RadiusMeters: 5000}
	within := &db.Within{Geometry: dbtest.Fixture().Areas[3].Geometry, Meters: 500}
	page := db.Page{Limit: 10}
	cases := []struct {
		name, index string
		call        func() error
	}{
		{"areas near", "areas_geom_idx", func() error {
			_, err := s.Areas(ctx, db.AreaFilter{Spatial: db.Spatial{Near: near}}, page)
			return err
		}},
		{"areas in a box", "areas_geom_idx", func() error {
			_, err := s.Areas(ctx, db.AreaFilter{Spatial: db.Spatial{BBox: box}}, page)
			return err
		}},
		{"areas at", "areas_geom_idx", func() error { _, err := s.AreasAt(ctx, orb.Point{12.3, 57.3}, nil, time.Time{}); return err }},
		{"organizations near", "organizations_location_idx", func() error {
			_, err := s.Organizations(ctx, db.OrganizationFilter{Spatial: db.Spatial{Near: near}}, page)
			return err
		}},
		{"initiatives near", "initiatives_locations_idx", func() error {
			_, err := s.Initiatives(ctx, db.InitiativeFilter{Spatial: db.Spatial{Near: near}}, page)
			return err
		}},
		{"initiatives intersecting", "initiatives_locations_idx", func() error {
			_, err := s.Initiatives(ctx, db.InitiativeFilter{Spatial: db.Spatial{Intersects: box.ToPolygon()}}, page)
			return err
		}},
		{"organizations within", "organizations_location_idx", func() error {
			_, err := s.Organizations(ctx, db.OrganizationFilter{Spatial: db.Spatial{Within: within}}, page)
			return err
		}},
		{"initiatives within", "initiatives_locations_idx", func() error {
			_, err := s.Initiatives(ctx, db.InitiativeFilter{Spatial: db.Spatial{Within: within}}, page)
			return err
		}},
	}
	for _, c := range cases {
		wantIndex(t, s, rec, c.name, c.index, true, c.call)
	}
}

// TestPlannerPrefersTheIndex asks the planner itself, with nothing forced,
// on tables large enough that a scan would cost more: the main location
// queries must still choose the GiST indexes.
func TestPlannerPrefersTheIndex(t *testing.T) {
	s, rec := newRecordedStore(t)
	ctx := t.Context()
	ds := synth.Generate(synth.Config{Seed: 7, StatisticalAreas: 2000, Initiatives: 20000, Organizations: 4000, Years: 1})
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	smp := synth.NewSampler(ds, 7)
	box := smp.Box(0.05)
	page := db.Page{Limit: 20}
	cases := []struct {
		name, index string
		call        func() error
	}{
		{"areas at a point", "areas_geom_idx", func() error { _, err := s.AreasAt(ctx, smp.Point(), nil, time.Time{}); return err }},
		{"areas in a box", "areas_geom_idx", func() error {
			_, err := s.Areas(ctx, db.AreaFilter{Spatial: db.Spatial{BBox: &box}}, page)
			return err
		}},
		{"nearest initiatives", "initiatives_locations_idx", func() error {
			_, err := s.Initiatives(ctx, db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: smp.NearLocation(0.001), RadiusMeters: 1000}}}, page)
			return err
		}},
		{"organisations in a box", "organizations_location_idx", func() error {
			_, err := s.Organizations(ctx, db.OrganizationFilter{Spatial: db.Spatial{BBox: &box}}, page)
			return err
		}},
	}
	for _, c := range cases {
		wantIndex(t, s, rec, c.name, c.index, false, c.call)
	}
}

// wantIndex runs call, which must send one statement, and checks that its
// plan uses index. forced turns sequential scans off, which shows that the
// index can serve the statement even on a table too small for the planner
// to bother.
func wantIndex(t *testing.T, s *Store, rec *recorder, name, index string, forced bool, call func() error) {
	t.Helper()
	if plan := explain(t, s, rec, forced, func() error {
		if err := call(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}); !strings.Contains(plan, index) {
		t.Errorf("%s: the plan does not use %s:\n%s", name, index, plan)
	}
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	// Port 1 on the loopback refuses at once.
	_, err := Open(t.Context(), "postgres://postgres:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if !errors.Is(err, db.ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
	if msg := db.ErrorMessage(err); msg != "database unavailable" {
		t.Errorf("client message %q tells more than that the database is unavailable", msg)
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		t.Error("a pgconn error leaks out of the package")
	}
}

func TestTranslate(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"unique", &pgconn.PgError{Code: "23505", ConstraintName: "areas_code_key"}, db.ECONFLICT},
		{"foreign key", &pgconn.PgError{Code: "23503", ConstraintName: "areas_parent_id_fkey"}, db.EINVALID},
		{"check", &pgconn.PgError{Code: "23514", ConstraintName: "areas_kind_check"}, db.EINVALID},
		{"numeric out of range", &pgconn.PgError{Code: "22003"}, db.EINVALID},
		{"shutdown", &pgconn.PgError{Code: "57P01", Message: "terminating connection"}, db.EUNAVAILABLE},
		{"connection lost", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), db.EUNAVAILABLE},
		{"anything else", &pgconn.PgError{Code: "42P01", Message: `relation "x" does not exist`}, db.EINTERNAL},
	}
	for _, c := range cases {
		err := translate(c.err, "test")
		if got := db.ErrorCode(err); got != c.code {
			t.Errorf("%s: got %s (%v), want %s", c.name, got, err, c.code)
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			t.Errorf("%s: the pgconn error is reachable with errors.As", c.name)
		}
		if c.code != db.EINTERNAL && strings.Contains(db.ErrorMessage(err), "terminating") {
			t.Errorf("%s: driver text in the client message %q", c.name, db.ErrorMessage(err))
		}
	}
	if err := translate(fmt.Errorf("query: %w", context.Canceled), "test"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancellation: got %v, want it to stay context.Canceled", err)
	}
}

// TestZeroMeansUnset checks that filtering on 0 finds the rows where the
// domain's 0 (no parent, no area type) is stored as NULL.
func TestZeroMeansUnset(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    db.AreaFilter
		want []int64
	}{
		{"roots", db.AreaFilter{ParentIDs: []int64{0}}, []int64{1}},
		{"roots and children of 3", db.AreaFilter{ParentIDs: []int64{3, 0}}, []int64{1, 5}},
		{"without an area type", db.AreaFilter{AreaTypes: []int{0}}, []int64{1, 2, 3, 6}},
		{"type 1 or none", db.AreaFilter{AreaTypes: []int{1, 0}}, []int64{1, 2, 3, 4, 6}},
	}
	for _, c := range cases {
		got, err := s.Areas(ctx, c.f, db.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if g := ids(got.Items); !slices.Equal(g, c.want) || got.Total != len(c.want) {
			t.Errorf("%s: got %v (total %d), want %v", c.name, g, got.Total, c.want)
		}
	}
}
