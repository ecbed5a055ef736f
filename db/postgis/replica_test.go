package postgis

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

// openAt opens and migrates a store on url, closed when the test ends.
func openAt(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// waitLive waits until s answers AreasAt from memory.
func waitLive(t *testing.T, s *Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := s.WaitReplica(ctx); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond until it holds, or fails the test after a while.
func eventually(t *testing.T, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fromMemory asks s for the areas at pt and says whether the answer came
// from the replica.
func fromMemory(t *testing.T, s *Store, pt orb.Point) ([]*db.Area, bool) {
	t.Helper()
	before := s.replica.Served()
	got, err := s.AreasAt(t.Context(), pt, nil, time.Time{})
	if err != nil {
		t.Fatalf("areas at %v: %v", pt, err)
	}
	return got, s.replica.Served() > before
}

// sameAsSQL checks an answer against the database's own, asked by sql
// (a store without a replica on the same schema).
func sameAsSQL(ctx context.Context, sql *Store, pt orb.Point, got []*db.Area) error {
	want, err := sql.AreasAt(ctx, pt, nil, time.Time{})
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("at %v: replica %v, database %v", pt, areaNames(got), areaNames(want))
	}
	return nil
}

func areaNames(as []*db.Area) []string {
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%d %s v%d", a.ID, a.Name, a.Version))
	}
	return out
}

func boxWKT(x, y float64) string {
	return fmt.Sprintf("POLYGON((%g %g, %g %g, %g %g, %g %g, %g %g))", x, y, x+1, y, x+1, y+1, x, y+1, x, y)
}

// TestReplicaFollowsOtherProcesses changes areas behind the store's back,
// with plain SQL from another connection and through a second store, and
// waits for each change to show in the answers from memory.
func TestReplicaFollowsOtherProcesses(t *testing.T) {
	ctx := t.Context()
	url := pgtest.SchemaURL(t)
	s := openAt(t, url)
	sql := openAt(t, url+"&"+replicaParam+"=off")
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	waitLive(t, s)
	other, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	exec := func(stmt string, args ...any) {
		t.Helper()
		if _, err := other.Exec(ctx, stmt, args...); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	// shows waits until the replica answers at pt with the ids want,
	// from memory and as the database does.
	shows := func(what string, pt orb.Point, want ...int64) {
		t.Helper()
		eventually(t, what, func() error {
			got, mem := fromMemory(t, s, pt)
			if !mem {
				return errors.New("not answered from memory")
			}
			if g := ids(got); !slices.Equal(g, want) {
				return fmt.Errorf("at %v: %v, want %v", pt, g, want)
			}
			return sameAsSQL(ctx, sql, pt, got)
		})
	}

	exec(`INSERT INTO areas (id, code, name, kind, geom) VALUES (100, 'far', 'Far', 'DISTRICT', ST_GeomFromText($1, 4326))`,
		boxWKT(20, 60))
	shows("an insert", orb.Point{20.5, 60.5}, 100)

	exec(`UPDATE areas SET geom = ST_GeomFromText($1, 4326) WHERE id = 100`, boxWKT(22, 60))
	shows("a move, at the old place", orb.Point{20.5, 60.5})
	shows("a move, at the new place", orb.Point{22.5, 60.5}, 100)

	exec(`UPDATE areas SET name = 'Renamed', area_type = 2 WHERE id = 100`)
	eventually(t, "a rename", func() error {
		got, mem := fromMemory(t, s, orb.Point{22.5, 60.5})
		if !mem || len(got) != 1 || got[0].Name != "Renamed" || got[0].AreaType != 2 {
			return fmt.Errorf("%v (from memory: %v)", areaNames(got), mem)
		}
		return nil
	})

	// Several rows in one statement, and a transaction that rolls back
	// and so announces nothing.
	exec(`INSERT INTO areas (id, code, name, kind, geom)
		SELECT 100 + g, 'far' || g, 'Far ' || g, 'STATISTICAL_AREA', ST_GeomFromText($1, 4326) FROM generate_series(1, 450) g`,
		boxWKT(22, 60))
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM areas WHERE id > 100`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// Statistical areas come before the district 100 around them.
	var want []int64
	for i := int64(101); i <= 550; i++ {
		want = append(want, i)
	}
	want = append(want, 100)
	shows("450 areas in one statement", orb.Point{22.5, 60.5}, want...)

	exec(`DELETE FROM areas WHERE id > 100`)
	shows("a delete", orb.Point{22.5, 60.5}, 100)

	// A second store stands for a second server process.
	second := openAt(t, url)
	code := "imported"
	n, err := second.UpsertAreas(ctx, db.Actor{ID: "cli:test", Role: db.RoleAdmin}, func(yield func(*db.AreaInput, error) bool) {
		yield(&db.AreaInput{Code: code, Name: "Imported", Kind: db.KindPriorityArea, AreaType: 1,
			Geometry: orb.Polygon{{{22.2, 60.2}, {22.4, 60.2}, {22.4, 60.4}, {22.2, 60.4}, {22.2, 60.2}}}}, nil)
	})
	if err != nil || n.Added != 1 {
		t.Fatalf("upsert: %+v, %v", n, err)
	}
	imported, err := sql.AreaByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	shows("an import by another store", orb.Point{22.3, 60.3}, imported.ID, 100)

	loads := s.replica.Loads()
	exec(`TRUNCATE areas CASCADE`)
	shows("a truncate", orb.Point{22.3, 60.3})
	if got := s.replica.Loads(); got <= loads {
		t.Errorf("a truncate did not read everything again (%d loads, %d before)", got, loads)
	}
}

// TestReplicaReadsOwnWrites checks that a write of this store is in the
// answers from memory as soon as it returns: the token that commit
// announces after every write came back through the feed.
func TestReplicaReadsOwnWrites(t *testing.T) {
	ctx := t.Context()
	url := pgtest.SchemaURL(t)
	s := openAt(t, url)
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	waitLive(t, s)

	// Writes straight to the table, each followed by the Sync that commit
	// makes after the store's own writes: a stale replica would answer
	// the old place.
	if _, err := s.pool.Exec(ctx, `INSERT INTO areas (id, code, name, kind, geom)
		VALUES (100, 'moving', 'Moving', 'DISTRICT', ST_GeomFromText($1, 4326))`, boxWKT(20, 60)); err != nil {
		t.Fatal(err)
	}
	s.replica.Sync(ctx)
	for i := range 40 {
		x := 20 + float64(i%10)*2
		if _, err := s.pool.Exec(ctx, `UPDATE areas SET geom = ST_GeomFromText($1, 4326) WHERE id = 100`, boxWKT(x, 60)); err != nil {
			t.Fatal(err)
		}
		s.replica.Sync(ctx)
		got, mem := fromMemory(t, s, orb.Point{x + 0.5, 60.5})
		if !mem {
			t.Fatalf("write %d: not answered from memory", i)
		}
		if !slices.Equal(ids(got), []int64{100}) {
			t.Fatalf("write %d: at the new place %v, want [100]", i, ids(got))
		}
	}

	// The same through the store's write methods.
	admin := db.Actor{ID: "cli:test", Role: db.RoleAdmin}
	a, err := s.CreateArea(ctx, admin, &db.Area{Code: "new", Name: "New", Kind: db.KindDistrict,
		Geometry: orb.Polygon{{{30, 60}, {31, 60}, {31, 61}, {30, 61}, {30, 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, mem := fromMemory(t, s, orb.Point{30.5, 60.5})
	if !mem || !slices.Equal(ids(got), []int64{a.ID}) {
		t.Fatalf("after CreateArea: %v (from memory: %v), want [%d]", ids(got), mem, a.ID)
	}
	a.Name = "Moved"
	a.Geometry = orb.Polygon{{{32, 60}, {33, 60}, {33, 61}, {32, 61}, {32, 60}}}
	moved, err := s.UpdateArea(ctx, admin, a.ID, a.Version, a.Patch())
	if err != nil {
		t.Fatal(err)
	}
	got, mem = fromMemory(t, s, orb.Point{32.5, 60.5})
	if !mem || len(got) != 1 || got[0].Name != "Moved" || got[0].Version != moved.Version {
		t.Fatalf("after UpdateArea: %v (from memory: %v)", areaNames(got), mem)
	}
	if err := s.DeleteArea(ctx, admin, a.ID, moved.Version, false); err != nil {
		t.Fatal(err)
	}
	got, mem = fromMemory(t, s, orb.Point{32.5, 60.5})
	if !mem || len(got) != 0 {
		t.Fatalf("after DeleteArea: %v (from memory: %v), want none", areaNames(got), mem)
	}
}

// TestReplicaListenerCut cuts the store's connections, the listener's
// included, while another process changes an area: the store falls back
// to the database at once (which is down, so the answer is UNAVAILABLE),
// and once the database is back it reads everything again before it
// answers from memory, the change included.
func TestReplicaListenerCut(t *testing.T) {
	ctx := t.Context()
	url := pgtest.SchemaURL(t)
	proxy, proxied := pgtest.NewProxy(t, url)
	s := openAt(t, proxied)
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	waitLive(t, s)
	pt := orb.Point{12.25, 57.75}
	before, mem := fromMemory(t, s, pt)
	if !mem || len(before) == 0 {
		t.Fatalf("before the cut: %v (from memory: %v)", areaNames(before), mem)
	}
	loads := s.replica.Loads()

	proxy.Cut()
	for i := range 5 {
		_, err := s.AreasAt(ctx, pt, nil, time.Time{})
		checkUnavailable(t, fmt.Sprintf("areas at %d while cut", i), err)
	}
	// Another process changes the innermost area meanwhile; the
	// notification goes to nobody.
	other, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if _, err := other.Exec(ctx, `UPDATE areas SET name = 'Changed while cut' WHERE id = $1`, before[0].ID); err != nil {
		t.Fatal(err)
	}

	proxy.Restore()
	// At once from the database, before the replica is back.
	eventually(t, "an answer after the restore", func() error {
		got, err := s.AreasAt(ctx, pt, nil, time.Time{})
		if err != nil {
			return err
		}
		if got[0].Name != "Changed while cut" {
			return fmt.Errorf("got %v", areaNames(got))
		}
		return nil
	})
	waitLive(t, s)
	got, mem := fromMemory(t, s, pt)
	if !mem || got[0].Name != "Changed while cut" {
		t.Fatalf("from memory after the restore: %v (from memory: %v)", areaNames(got), mem)
	}
	if s.replica.Loads() <= loads {
		t.Error("the replica did not read everything again after reconnecting")
	}
}

// TestReplicaNeedsTriggers drops one of the triggers of migration 0004: a
// replica could not follow every change, so it never answers, and AreasAt
// asks the database.
func TestReplicaNeedsTriggers(t *testing.T) {
	ctx := t.Context()
	url := pgtest.SchemaURL(t)
	s := openAt(t, url)
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `DROP TRIGGER areas_notify_update ON areas`); err != nil {
		t.Fatal(err)
	}
	got, mem := fromMemory(t, s, orb.Point{12.25, 57.75})
	if mem || len(got) == 0 {
		t.Fatalf("%v (from memory: %v)", areaNames(got), mem)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := s.WaitReplica(wctx); err == nil {
		t.Fatal("the replica went live without its triggers")
	}
	if _, mem := fromMemory(t, s, orb.Point{12.25, 57.75}); mem {
		t.Fatal("answered from memory without the triggers")
	}
}

func TestReplicaOption(t *testing.T) {
	url := pgtest.SchemaURL(t)
	off := openAt(t, url+"&"+replicaParam+"=off")
	if off.replica != nil || off.WaitReplica(t.Context()) == nil {
		t.Error("area_replica=off left a replica on")
	}
	if _, err := Open(t.Context(), url+"&"+replicaParam+"=sometimes"); err == nil {
		t.Error("area_replica=sometimes opened")
	}
	on := openAt(t, url+"&"+replicaParam+"=on")
	if on.replica == nil {
		t.Error("area_replica=on left the replica off")
	}
}

// memoryFirst is a store whose AreasAt answers come from the replica
// wherever the conformance suite asks them: after a load or an import,
// which the replica has applied before they return, it waits until the
// replica is live (the first load of a store makes it go live).
type memoryFirst struct {
	*Store
	t *testing.T
}

func (m memoryFirst) Load(ctx context.Context, ds *db.Dataset) error {
	err := m.Store.Load(ctx, ds)
	waitLive(m.t, m.Store)
	return err
}

func (m memoryFirst) UpsertAreas(ctx context.Context, by db.Actor, areas iter.Seq2[*db.AreaInput, error]) (db.ImportCounts, error) {
	n, err := m.Store.UpsertAreas(ctx, by, areas)
	waitLive(m.t, m.Store)
	return n, err
}

func (m memoryFirst) AreasAt(ctx context.Context, pt orb.Point, kinds []db.AreaKind, on time.Time) ([]*db.Area, error) {
	before := m.replica.Served()
	found, err := m.Store.AreasAt(ctx, pt, kinds, on)
	if err == nil && m.replica.Served() == before {
		m.t.Errorf("AreasAt(%v, %v) was not answered from memory", pt, kinds)
	}
	return found, err
}

// TestConformanceFromMemory runs the conformance suite with AreasAt
// answered from the replica.
func TestConformanceFromMemory(t *testing.T) {
	dbtest.Run(t, func(t *testing.T) db.Store {
		s, _ := newTestStore(t, nil)
		waitLive(t, s)
		return memoryFirst{Store: s, t: t}
	})
}

// TestReplicaLostConnectionWithUserTracer gives the store a tracer of the
// caller's own. It still sees the store's statements, and the replica
// still hears of a pool connection that the database dropped: it stops
// answering from memory until a token has been round its feed, and goes
// live again without reading everything again.
func TestReplicaLostConnectionWithUserTracer(t *testing.T) {
	ctx := t.Context()
	rec := &recorder{}
	s, url := newTestStore(t, func(cfg *pgxpool.Config) {
		cfg.ConnConfig.Tracer = rec
		// One connection, so that the one the database drops is the next
		// one used.
		cfg.MaxConns = 1
	})
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	waitLive(t, s)
	other, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	loads, doubts := s.replica.Loads(), s.replica.Doubts()

	const whoAmI = "SELECT pg_backend_pid()"
	eventually(t, "the replica hears of the dropped connection", func() error {
		if s.replica.Doubts() > doubts {
			return nil
		}
		var pid int32
		if err := s.pool.QueryRow(ctx, whoAmI).Scan(&pid); err != nil {
			return err
		}
		if _, err := other.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatal(err)
		}
		// The next statement on it fails, and pgx closes it.
		_ = s.Ping(ctx)
		return errors.New("no doubt raised")
	})

	waitLive(t, s)
	if got, mem := fromMemory(t, s, orb.Point{12.25, 57.75}); !mem || len(got) == 0 {
		t.Fatalf("after the doubt: %v (from memory: %v)", areaNames(got), mem)
	}
	if got := s.replica.Loads(); got != loads {
		t.Errorf("a doubt read everything again (%d loads, %d before)", got, loads)
	}
	var seen bool
	for _, q := range rec.take() {
		seen = seen || q.SQL == whoAmI
	}
	if !seen {
		t.Error("the caller's tracer did not see the store's statements")
	}
}

// A read carrying a consistency token is answered from memory only once
// the copy is known to hold the write: a write through another server
// shows there only when its change has been applied, which the token
// alone cannot tell.
func TestReplicaHonoursConsistencyTokens(t *testing.T) {
	ctx := t.Context()
	url := pgtest.SchemaURL(t)
	s := openAt(t, url)
	other := openAt(t, url+"&"+replicaParam+"=off")
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	waitLive(t, s)
	// The write of the other server, and its token.
	wctx, writes := db.WithWrites(ctx)
	if _, err := other.CreateOrganization(wctx, db.Actor{ID: "key:t", Role: db.RoleAdmin},
		&db.Organization{Kind: db.OrgAssociation, Name: "Elsewhere"}); err != nil {
		t.Fatal(err)
	}
	token := writes.Consistency()
	if token == 0 {
		t.Fatal("no token")
	}
	pt := orb.Point{20.5, 60.5}
	before := s.replica.Served()
	if _, err := s.AreasAt(db.WithConsistency(ctx, token), pt, nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AreasByID(db.WithConsistency(ctx, token), []int64{1}); err != nil {
		t.Fatal(err)
	}
	if s.replica.Position() < uint64(token) && s.replica.Served() != before {
		t.Error("a read with a token past the copy's position was answered from memory")
	}
	// A write of this server round-trips a token with a position past
	// the other's: from then on the copy answers.
	if _, err := s.CreateOrganization(ctx, db.Actor{ID: "key:t", Role: db.RoleAdmin},
		&db.Organization{Kind: db.OrgAssociation, Name: "Here"}); err != nil {
		t.Fatal(err)
	}
	if s.replica.Position() < uint64(token) {
		t.Fatalf("position %d after a write of this server, want at least %d", s.replica.Position(), token)
	}
	before = s.replica.Served()
	if _, err := s.AreasAt(db.WithConsistency(ctx, token), pt, nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if s.replica.Served() == before {
		t.Error("a read with a token the copy holds was not answered from memory")
	}
}
