package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

// serveEnv makes the test binary a server child: the smoke test starts
// its servers from its own executable, as the command does.
const serveEnv = "AREAGRAPH_BENCH_TEST_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		if err := Serve(context.Background(), os.Args[1:], os.Stdin, os.Stdout); err != nil {
			os.Stderr.WriteString("serve: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// benchSchema is a schema of the test database for one test, dropped at
// its end.
func benchSchema(t *testing.T) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), pgtest.DatabaseURL())
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// testConfig completes cfg for tests that call the parts of a run.
func testConfig(t *testing.T, cfg Config) Config {
	t.Helper()
	cfg.Server = []string{os.Args[0]}
	cfg.Dir = t.TempDir()
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestSmoke runs the whole benchmark on a tiny dataset for a moment:
// every query on every backend and baseline, through server children.
// It checks that everything answers, not how fast.
func TestSmoke(t *testing.T) {
	t.Setenv(serveEnv, "1")
	var log bytes.Buffer
	cfg := Config{
		// One short round per target, every worker measuring at least one
		// call: on a loaded machine (a CI runner with -race) one request
		// can outlast the round, and the test asks for answers, not speed.
		Scale: 0.01, Seed: 3, Duration: 300 * time.Millisecond, Rounds: 1, Warmup: 20 * time.Millisecond, Concurrency: 2, Requests: 6, AtLeastOne: true,
		DatabaseURL: pgtest.DatabaseURL(), Schema: benchSchema(t), Dir: t.TempDir(),
		Server: []string{os.Args[0]}, NoAllocs: true, Log: &log,
	}
	rep, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if len(rep.Queries) != len(queries) {
		t.Fatalf("%d queries reported, want %d", len(rep.Queries), len(queries))
	}
	for _, q := range rep.Queries {
		want := []string{baselineHTTP, BackendMemory, BackendPostGIS, BackendPostGISSQL, baselineSQL}
		var got []string
		for _, r := range q.Runs {
			got = append(got, r.Name)
			if r.Requests == 0 || r.Errors > 0 || r.Mismatches > 0 {
				t.Errorf("%s on %s: %d requests, %d errors (%s), %d answers unlike the embedded store's",
					q.Name, r.Name, r.Requests, r.Errors, r.FirstError, r.Mismatches)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: runs %v, want %v", q.Name, got, want)
		}
	}
	nested := rep.query(queryNested)
	if len(nested.Statements) == 0 {
		t.Error("no statements counted for the nested query")
	}
	for first, n := range nested.Statements {
		if n > 4 {
			t.Errorf("the nested query costs %d statements at first: %d", n, first)
		}
	}
	if s := rep.server(BackendMemory); s == nil || s.RSSReady == 0 || s.Startup == 0 {
		t.Errorf("no figures for the embedded server: %+v", s)
	}
	var md bytes.Buffer
	rep.Markdown(&md)
	for _, want := range []string{"| point |", "bare SQL", "Targets", "lscpu"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the report has no %q:\n%s", want, md.String())
		}
	}
}

// TestBareSQLIsTheStoresSQL checks the written-out statements against
// the store: the same records, in the same order, with the same totals,
// and for the nested query the same JSON as the server's.
func TestBareSQLIsTheStoresSQL(t *testing.T) {
	ctx := t.Context()
	cfg := testConfig(t, Config{Scale: 0.02, Seed: 5, DatabaseURL: pgtest.DatabaseURL(), Schema: benchSchema(t)})
	d, err := newDataset(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.bboxSide = 0.2
	schemaURL, _, err := loadPostGIS(ctx, cfg, d.ds)
	if err != nil {
		t.Fatal(err)
	}
	store, err := postgis.Open(ctx, schemaURL+"&area_replica=off")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pool, err := pgxpool.New(ctx, schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	mem := memory.New()
	if err := mem.Load(ctx, d.ds); err != nil {
		t.Fatal(err)
	}
	h := quietServer(mem)

	ids := func(q *query, r *request, idCol int) []int64 {
		t.Helper()
		sql, args := q.sql(r)
		rows, err := pool.Query(ctx, sql, args...)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			v, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			// Paged statements keep the first row of a page past the end
			// for its total; its geometry is NULL.
			if idCol > 0 && v[2].(int64) < 1 {
				continue
			}
			out = append(out, v[idCol].(int64))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	listIDs := func(as []*db.Area) []int64 {
		var out []int64
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	for _, r := range queryNamed(queryPoint).build(d, 20) {
		want, err := store.AreasAt(ctx, r.point, nil, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(queryNamed(queryPoint), r, 0); !slices.Equal(got, listIDs(want)) {
			t.Errorf("point %v: bare SQL %v, store %v", r.point, got, listIDs(want))
		}
	}
	boxQueries := []struct {
		q     *query
		kinds []db.AreaKind
		limit int
	}{
		{queryNamed(queryBBox), nil, bboxPage},
		{queryNamed(queryTile), []db.AreaKind{db.KindStatisticalArea}, tileFeatureCap},
	}
	for _, c := range boxQueries {
		for _, r := range c.q.build(d, 20) {
			l, err := store.Areas(ctx, db.AreaFilter{Kinds: c.kinds, Spatial: db.Spatial{BBox: &r.box}}, db.Page{Limit: c.limit})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(c.q, r, 4); !slices.Equal(got, listIDs(l.Items)) {
				t.Errorf("%s %v: bare SQL %v, store %v", c.q.name, r.box, got, listIDs(l.Items))
			}
		}
	}
	for _, r := range queryNamed(queryNear).build(d, 20) {
		l, err := store.Initiatives(ctx, db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: r.point, RadiusMeters: 1000}}},
			db.Page{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, in := range l.Items {
			want = append(want, in.ID)
		}
		if got := ids(queryNamed(queryNear), r, 4); !slices.Equal(got, want) {
			t.Errorf("near %v: bare SQL %v, store %v", r.point, got, want)
		}
	}
	nested := queryNamed(queryNested)
	for _, r := range nested.build(d, 5) {
		var text string
		sql, args := nested.sql(r)
		if err := pool.QueryRow(ctx, sql, args...).Scan(&text); err != nil {
			t.Fatal(err)
		}
		w := serveInProcess(h, r)
		var got, want any
		if err := json.Unmarshal([]byte(text), &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(w.Body.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("nested, area %d: the statement builds\n%.600s\nthe server answers\n%.600s", r.areaID, text, w.Body.Bytes())
		}
	}
}

func TestAllocsPerRequest(t *testing.T) {
	d, err := newDataset(testConfig(t, Config{Scale: 0.01, Seed: 2, Backends: []string{BackendMemory}}))
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.New()
	if err := mem.Load(t.Context(), d.ds); err != nil {
		t.Fatal(err)
	}
	in := &inputs{q: queryNamed(queryPoint), reqs: queryNamed(queryPoint).build(d, 4)}
	if n := allocsPerRequest(quietServer(mem), in); n <= 0 {
		t.Errorf("%v allocations per request", n)
	}
}

func TestScaleTag(t *testing.T) {
	for scale, want := range map[float64]string{1: "1", 0.01: "0_01", 2.5: "2_5"} {
		if got := scaleTag(scale); got != want {
			t.Errorf("scaleTag(%g) = %q, want %q", scale, got, want)
		}
	}
	x, y := tileOf(orb.Point{12.94, 57.72}, 10)
	if b := tileBound(10, x, y, 0); !b.Contains(orb.Point{12.94, 57.72}) {
		t.Errorf("tile %d/%d at zoom 10 does not hold its point: %v", x, y, b)
	}
}

// TestPeerStatementsNameTheSameRecords checks the statements timed for
// pg_featureserv and pg_tileserv against areagraph's answers: a peer's
// rate counts only if it answers the same question.
func TestPeerStatementsNameTheSameRecords(t *testing.T) {
	ctx := t.Context()
	cfg := testConfig(t, Config{Scale: 0.02, Seed: 5, DatabaseURL: pgtest.DatabaseURL(), Schema: benchSchema(t)})
	d, err := newDataset(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.bboxSide = 0.2
	schemaURL, _, err := loadPostGIS(ctx, cfg, d.ds)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, schemaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := installPeerFunctions(ctx, pool); err != nil {
		t.Fatal(err)
	}
	mem := memory.New()
	if err := mem.Load(ctx, d.ds); err != nil {
		t.Fatal(err)
	}
	h := quietServer(mem)
	for _, name := range []string{queryBBox, queryNear, queryTile} {
		q, st := queryNamed(name), peerStatements[name]
		named := 0
		for _, r := range q.build(d, 20) {
			w := serveInProcess(h, r)
			if err := answer(r, w); err != nil {
				t.Fatal(err)
			}
			r.response = w.Body.Bytes()
			sql, args := st.sql(r)
			got, err := statementIDs(ctx, pool, sql, args)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := answerIDs(r)
			if len(want) > 0 {
				named++
			}
			if !sameIDs(name, got, want) {
				t.Errorf("%s %s %s: %s names %v, areagraph %v", name, r.path, r.body, st.name, got, want)
			}
		}
		if named == 0 {
			t.Errorf("%s: no answer names a record, so nothing was compared", name)
		}
	}
}

func TestIDsOfAnswers(t *testing.T) {
	doc := `{"data":{"area":{"id":"Area:3","name":"x","initiatives":{"totalCount":2,"nodes":[` +
		`{"id":"Initiative:5","lead":null,"partners":[{"role":"R","organization":{"id":"Employer:7"}}]},` +
		`{"id":"Initiative:6","lead":{"id":"Association:8","name":"id"},"partners":[]}]}}}}`
	if got, want := jsonIDs([]byte(doc)), []int64{3, 5, 7, 6, 8}; !slices.Equal(got, want) {
		t.Errorf("jsonIDs = %v, want %v", got, want)
	}
	pg := `{"data":{"areaById":{"id":"3","x":[{"id":"5"}]}}}`
	if got, want := jsonIDs([]byte(pg)), []int64{3, 5}; !slices.Equal(got, want) {
		t.Errorf("jsonIDs = %v, want %v", got, want)
	}
}
