package postgis

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strconv"
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
)

var editor = db.Actor{ID: "key:test", Role: db.RoleAdmin}

func square(x, y, d float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}
}

// TestMigrationKeepsExistingData applies the writes migration to a
// database that holds data under the schema before it: rows keep their
// ids and get version 1, and new ids start above the stored ones.
func TestMigrationKeepsExistingData(t *testing.T) {
	ctx := t.Context()
	cfg, err := pgxpool.ParseConfig(pgtest.SchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	slices.Sort(names)
	for _, name := range names {
		version := strings.TrimSuffix(path.Base(name), ".sql")
		if version >= "0003" {
			break
		}
		body, _ := migrations.ReadFile(name)
		if err := s.migrate(ctx, version, string(body)); err != nil {
			t.Fatalf("migrate %s: %v", version, err)
		}
	}
	if _, err := s.pool.Exec(ctx, `
		INSERT INTO areas (id, code, name, kind, geom) VALUES
			(10, 'a10', 'Ten', 'DISTRICT', ST_GeomFromText('POLYGON((12 57, 13 57, 13 58, 12 58, 12 57))', 4326)),
			(40, 'a40', 'Forty', 'DISTRICT', ST_GeomFromText('POLYGON((13 57, 14 57, 14 58, 13 58, 13 57))', 4326));
		INSERT INTO organizations (id, kind, name) VALUES (7, 'EMPLOYER', 'Seven');
		INSERT INTO organization_areas VALUES (7, 40);
		INSERT INTO initiatives (id, title, status, goal_area, lead_id) VALUES (3, 'Three', 'ACTIVE', 'GOOD_START_IN_LIFE', 7);
		INSERT INTO indicators (code, name) VALUES ('x', 'X');
		INSERT INTO indicator_values VALUES (10, 'x', 2020, 'TOTAL', 1.5)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate to the end: %v", err)
	}

	areas, err := s.AreasByID(ctx, []int64{10, 40})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range []int64{10, 40} {
		if areas[i] == nil || areas[i].Version != 1 {
			t.Fatalf("area %d after the migration: %+v, want it with version 1", id, areas[i])
		}
	}
	org, err := s.OrganizationsByID(ctx, []int64{7})
	if err != nil || org[0] == nil || org[0].Version != 1 || !slices.Equal(org[0].AreaIDs, []int64{40}) {
		t.Fatalf("organization 7 after the migration: %+v, %v", org, err)
	}
	inds, err := s.Indicators(ctx, nil)
	if err != nil || len(inds) != 1 || inds[0].Version != 1 {
		t.Fatalf("indicators after the migration: %+v, %v", inds, err)
	}

	a, err := s.CreateArea(ctx, editor, &db.Area{Code: "new", Name: "New", Kind: db.KindDistrict, Geometry: square(12, 57, 0.5)})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != 41 || a.Version != 1 {
		t.Errorf("new area: id %d version %d, want 41 and 1", a.ID, a.Version)
	}
	o, err := s.CreateOrganization(ctx, editor, &db.Organization{Kind: db.OrgAssociation, Name: "New"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.CreateInitiative(ctx, editor, &db.Initiative{Title: "New", Status: db.StatusPlanned, GoalArea: db.GoalGoodStart})
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != 8 || in.ID != 4 {
		t.Errorf("new organization %d and initiative %d, want 8 and 4", o.ID, in.ID)
	}
}

// TestIDsAreNeverReused: ids come after every id loaded, imported or
// handed out, deleted ones included.
func TestIDsAreNeverReused(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	created := 0
	create := func() int64 {
		t.Helper()
		created++
		a, err := s.CreateArea(ctx, editor, &db.Area{Code: "c" + strconv.Itoa(created), Name: "C",
			Kind: db.KindDistrict, Geometry: square(12, 57, 0.5)})
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	if id := create(); id != 7 {
		t.Errorf("first new area after the fixture: %d, want 7", id)
	}
	if err := s.Load(ctx, &db.Dataset{
		Areas:         []*db.Area{{ID: 100, Code: "hundred", Name: "H", Kind: db.KindDistrict, Geometry: square(12, 57, 1), Version: 5}},
		Organizations: []*db.Organization{{ID: 50, Kind: db.OrgEmployer, Name: "Fifty"}},
		Initiatives:   []*db.Initiative{{ID: 60, Title: "Sixty", Status: db.StatusActive, GoalArea: db.GoalGoodStart}},
	}); err != nil {
		t.Fatal(err)
	}
	loaded, _ := s.AreasByID(ctx, []int64{100})
	if loaded[0].Version != 5 {
		t.Errorf("a loaded area keeps its version: got %d, want 5", loaded[0].Version)
	}
	id := create()
	if id != 101 {
		t.Errorf("new area after a load of id 100: %d, want 101", id)
	}
	if err := s.DeleteArea(ctx, editor, id, 1, false); err != nil {
		t.Fatal(err)
	}
	if again := create(); again != 102 {
		t.Errorf("new area after deleting %d: %d, want 102", id, again)
	}
	n, err := s.UpsertAreas(ctx, editor, func(yield func(*db.AreaInput, error) bool) {
		_ = yield(&db.AreaInput{Code: "imported", Name: "I", Kind: db.KindDistrict, Geometry: square(12, 57, 0.25)}, nil) &&
			yield(&db.AreaInput{Code: "hundred", Name: "H2", Kind: db.KindDistrict, Geometry: square(12, 57, 1)}, nil)
	})
	if err != nil || n != (db.ImportCounts{Added: 1, Changed: 1}) {
		t.Fatalf("upsert: %+v, %v", n, err)
	}
	imported, err := s.AreaByCode(ctx, "imported")
	if err != nil || imported.ID != 103 || imported.Version != 1 {
		t.Errorf("imported area: %+v, %v; want id 103, version 1", imported, err)
	}
	updated, err := s.AreaByCode(ctx, "hundred")
	if err != nil || updated.ID != 100 || updated.Version != 6 {
		t.Errorf("area updated by an import: %+v, %v; want id 100, version 6", updated, err)
	}
	if id := create(); id != 104 {
		t.Errorf("new area after an import: %d, want 104", id)
	}
	o, err := s.CreateOrganization(ctx, editor, &db.Organization{Kind: db.OrgEmployer, Name: "Next"})
	if err != nil || o.ID != 51 {
		t.Errorf("new organization after loading 50: %+v, %v", o, err)
	}
	in, err := s.CreateInitiative(ctx, editor, &db.Initiative{Title: "Next", Status: db.StatusActive, GoalArea: db.GoalGoodStart})
	if err != nil || in.ID != 61 {
		t.Errorf("new initiative after loading 60: %+v, %v", in, err)
	}
}

// TestConcurrentUpdatesOneWins: of writes naming the same version at the
// same time exactly one goes through; the others are conflicts, never
// internal errors.
func TestConcurrentUpdatesOneWins(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	const n = 8
	run := func(name string, write func(i int) error, also error) {
		t.Helper()
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = write(i)
			})
		}
		close(start)
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, db.ErrConflict) && (also == nil || !errors.Is(err, also)):
				t.Errorf("%s #%d: got %v (%s), want a conflict", name, i, err, db.ErrorCode(err))
			}
		}
		if wins != 1 {
			t.Errorf("%s: %d writes went through, want 1", name, wins)
		}
	}
	areas, _ := s.AreasByID(ctx, []int64{4})
	run("UpdateArea", func(i int) error {
		a := areas[0].Clone()
		a.Name = "Name " + string(rune('A'+i))
		_, err := s.UpdateArea(ctx, editor, a.ID, a.Version, a.Patch())
		return err
	}, nil)
	orgs, _ := s.OrganizationsByID(ctx, []int64{1})
	run("UpdateOrganization", func(i int) error {
		o := orgs[0].Clone()
		o.AreaIDs = []int64{int64(1 + i%6)}
		_, err := s.UpdateOrganization(ctx, editor, o.Kind, o.ID, o.Version, o.Patch())
		return err
	}, nil)
	// A delete that comes after the one that went through finds nothing.
	run("DeleteInitiative", func(int) error { return s.DeleteInitiative(ctx, editor, 3, 1) }, db.ErrNotFound)

	got, _ := s.AreasByID(ctx, []int64{4})
	if got[0].Version != 2 {
		t.Errorf("area 4 has version %d after one update, want 2", got[0].Version)
	}
	log, err := s.AuditLog(ctx, db.AuditFilter{RecordID: "Area:4"}, db.Page{Limit: 10})
	if err != nil || log.Total != 1 {
		t.Errorf("audit entries of area 4: %d, %v; want 1", log.Total, err)
	}
}

// TestFailedWriteLeavesNothing makes the last statement of writes fail,
// the audit entry, after every record was changed: nothing of them stays.
func TestFailedWriteLeavesNothing(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	snapshot := func() []any {
		areas, _ := s.Areas(ctx, db.AreaFilter{}, db.Page{Limit: 100})
		orgs, _ := s.Organizations(ctx, db.OrganizationFilter{}, db.Page{Limit: 100})
		inits, _ := s.Initiatives(ctx, db.InitiativeFilter{}, db.Page{Limit: 100})
		inds, _ := s.Indicators(ctx, nil)
		values, _ := s.IndicatorValues(ctx, db.ValueFilter{})
		keys, _ := s.Keys(ctx, db.Actor{ID: "test", Role: db.RoleAdmin})
		return []any{areas, orgs, inits, inds, values, keys}
	}
	before := snapshot()
	if _, err := s.pool.Exec(ctx, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION 'refused'; END $$;
		CREATE TRIGGER refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse()`); err != nil {
		t.Fatal(err)
	}
	areas, _ := s.AreasByID(ctx, []int64{4})
	a := areas[0]
	a.Name = "Renamed"
	v := 12.5
	writes := map[string]func() error{
		"DeleteArea with detach": func() error { return s.DeleteArea(ctx, editor, 2, 1, true) },
		"UpdateArea":             func() error { _, err := s.UpdateArea(ctx, editor, a.ID, a.Version, a.Patch()); return err },
		"CreateArea": func() error {
			_, err := s.CreateArea(ctx, editor, &db.Area{Code: "x", Name: "X", Kind: db.KindDistrict, Geometry: square(12, 57, 1)})
			return err
		},
		"DeleteOrganization with detach": func() error { return s.DeleteOrganization(ctx, editor, db.OrgEmployer, 1, 1, true) },
		"DeleteIndicator with detach":    func() error { return s.DeleteIndicator(ctx, editor, "unemployment", 1, true) },
		"PutIndicatorValues": func() error {
			_, err := s.PutIndicatorValues(ctx, editor, []db.IndicatorValue{
				{AreaID: 4, IndicatorCode: "unemployment", Year: 2021, Sex: db.SexTotal, Value: v},
				{AreaID: 4, IndicatorCode: "unemployment", Year: 2030, Sex: db.SexTotal, Value: v}})
			return err
		},
		"CreateKey": func() error {
			h := sha256.Sum256([]byte("secret"))
			_, err := s.CreateKey(ctx, editor, &db.APIKey{ID: "k1", Name: "Test", Role: db.RoleEditor, Hash: h[:]})
			return err
		},
	}
	for name, write := range writes {
		err := write()
		if db.ErrorCode(err) != db.EINTERNAL {
			t.Errorf("%s: got %v, want an internal error", name, err)
		}
		if msg := db.ErrorMessage(err); strings.Contains(msg, "refused") {
			t.Errorf("%s: the cause reaches the client: %q", name, msg)
		}
	}
	if after := snapshot(); !reflect.DeepEqual(after, before) {
		t.Errorf("the store changed with failed writes:\n got  %+v\n want %+v", after, before)
	}
	var entries int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&entries); err != nil || entries != 0 {
		t.Errorf("audit entries after failed writes: %d, %v", entries, err)
	}
}

// TestAuditKeepsTheBytes: entries read back byte for byte as AuditJSON
// rendered them, times to the microsecond, newest first.
func TestAuditKeepsTheBytes(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	areas, _ := s.AreasByID(ctx, []int64{5})
	a := areas[0].Clone()
	a.Description = `Quotes "and" <angles> & unicode: Borås – 100 %`
	after, err := s.UpdateArea(ctx, editor, a.ID, a.Version, a.Patch())
	if err != nil {
		t.Fatal(err)
	}
	log, err := s.AuditLog(ctx, db.AuditFilter{Actor: editor.ID}, db.Page{Limit: 10})
	if err != nil || len(log.Items) != 1 {
		t.Fatalf("audit log: %+v, %v", log, err)
	}
	e := log.Items[0]
	if !bytes.Equal(e.Before, db.AuditJSON(areas[0])) || !bytes.Equal(e.After, db.AuditJSON(after)) {
		t.Errorf("entry:\n before %s\n want   %s\n after  %s\n want   %s", e.Before, db.AuditJSON(areas[0]), e.After, db.AuditJSON(after))
	}
	if e.At.Location() != time.UTC || e.At.Nanosecond()%1000 != 0 || time.Since(e.At) > time.Minute {
		t.Errorf("entry time %v: want a recent UTC time to the microsecond", e.At)
	}
	if e.Action != db.ActionUpdate || e.Type != db.TypeArea || e.RecordID != "Area:5" || e.Actor != editor.ID {
		t.Errorf("entry: %+v", e)
	}
}

// TestPutIndicatorValuesIsBatched: a put costs the same statements for one
// value as for thousands.
func TestPutIndicatorValuesIsBatched(t *testing.T) {
	s, rec := newRecordedStore(t)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	put := func(year, n int) int {
		t.Helper()
		values := make([]db.IndicatorValue, n)
		for i := range values {
			values[i] = db.IndicatorValue{AreaID: int64(1 + i%6), IndicatorCode: "population", Year: year + i/18,
				Sex: []db.Sex{db.SexTotal, db.SexFemale, db.SexMale}[i/6%3], Value: float64(i)}
		}
		rec.take()
		got, err := s.PutIndicatorValues(ctx, editor, values)
		if err != nil || got != n {
			t.Fatalf("put %d values: %d, %v", n, got, err)
		}
		return len(rec.take())
	}
	one, many := put(1900, 1), put(1950, 3000)
	if one != many {
		t.Errorf("a put of 1 value sent %d statements, of 3000 values %d", one, many)
	}
}

// TestConcurrentPutsOfANewKey: when two puts add the same key at once, the
// second replaces the first and its audit entry says what it replaced.
func TestConcurrentPutsOfANewKey(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.PutIndicatorValues(ctx, editor, []db.IndicatorValue{
				{AreaID: 3, IndicatorCode: "population", Year: 2024, Sex: db.SexTotal, Value: float64(i + 1)}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("put #%d: %v", i, err)
		}
	}
	log, err := s.AuditLog(ctx, db.AuditFilter{RecordID: "IndicatorValue:3:population:2024:TOTAL"}, db.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if log.Total != n || log.Items[n-1].Action != db.ActionCreate {
		t.Fatalf("entries: %d, the oldest %s; want %d, the oldest a create", log.Total, log.Items[n-1].Action, n)
	}
	// Newest first: each entry's before is the after of the one before it.
	for i := range n - 1 {
		if e := log.Items[i]; e.Action != db.ActionUpdate || !bytes.Equal(e.Before, log.Items[i+1].After) {
			t.Errorf("entry %d (%s) says it replaced %s; the entry before it wrote %s", e.ID, e.Action, e.Before, log.Items[i+1].After)
		}
	}
}

// TestWriteLookupsUseIndexes: the lookups on the path of every request and
// of the audit log's two views reach their indexes.
func TestWriteLookupsUseIndexes(t *testing.T) {
	s, rec := newRecordedStore(t)
	ctx := t.Context()
	h := sha256.Sum256([]byte("secret"))
	if _, err := s.CreateKey(ctx, editor, &db.APIKey{ID: "k1", Name: "Test", Role: db.RoleEditor, Hash: h[:]}); err != nil {
		t.Fatal(err)
	}
	wantIndex(t, s, rec, "key by hash", "api_keys_hash_key", true, func() error {
		_, err := s.KeyByHash(ctx, h[:])
		return err
	})
	wantIndex(t, s, rec, "audit log of a record", "audit_log_record_id_idx", true, func() error {
		_, err := s.AuditLog(ctx, db.AuditFilter{RecordID: "ApiKey:k1"}, db.Page{Limit: 10})
		return err
	})
	wantIndex(t, s, rec, "audit log of an actor", "audit_log_actor_idx", true, func() error {
		_, err := s.AuditLog(ctx, db.AuditFilter{Actor: editor.ID}, db.Page{Limit: 10})
		return err
	})
}

// TestDeadlocksAreRetried: a write the database aborts as a deadlock runs
// again instead of failing.
func TestDeadlocksAreRetried(t *testing.T) {
	s, _ := newTestStore(t, nil)
	ctx := t.Context()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	calls := 0
	err := s.write(ctx, "test", func(tx pgx.Tx) error {
		calls++
		if calls == 1 {
			return &pgconn.PgError{Code: "40P01"}
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Errorf("got %v after %d runs, want success on the second", err, calls)
	}
	calls = 0
	err = s.write(context.Background(), "test", func(tx pgx.Tx) error { calls++; return errRetry })
	if !errors.Is(err, db.ErrConflict) || calls != maxWriteAttempts {
		t.Errorf("got %v after %d runs, want a conflict after %d", err, calls, maxWriteAttempts)
	}
}

// A write that waits past the request's deadline (here for a row another
// transaction holds) ends as the deadline, which the API reports as "the
// request took too long", never as a database outage or an internal error.
func TestWriteStoppedByTheDeadline(t *testing.T) {
	s, u := newTestStore(t, nil)
	ctx := t.Context()
	a, err := s.CreateArea(ctx, editor, &db.Area{Code: "D1", Name: "Held", Kind: db.KindDistrict,
		Geometry: orb.Polygon{{{12.9, 57.7}, {13.0, 57.7}, {13.0, 57.8}, {12.9, 57.7}}}})
	if err != nil {
		t.Fatal(err)
	}
	holder, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close(ctx)
	tx, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // released at the end either way
	if _, err := tx.Exec(ctx, `SELECT 1 FROM areas WHERE id = $1 FOR UPDATE`, a.ID); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err = s.UpdateArea(short, editor, a.ID, a.Version, db.AreaPatch{Name: db.Set("Renamed")})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a write past its deadline: %v (code %s), want context.DeadlineExceeded", err, db.ErrorCode(err))
	}
}
