package postgis_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/db/synth"
)

// The benchmarks share one store holding the default synthetic dataset
// (6,000 statistical areas, 100,000 initiatives) in a schema of its own.
// Loading it takes a while, so it happens once per test binary, before
// the first timed loop, and TestMain drops the schema at the end: a
// schema from pgtest.SchemaURL would go with the first benchmark. The
// questions are those of db/memory/bench_test.go.
var bench struct {
	once   sync.Once
	ds     *db.Dataset
	store  *postgis.Store
	schema string // set once created, for TestMain to drop
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if err := dropBenchSchema(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func benchStore(b *testing.B) (*postgis.Store, *synth.Sampler) {
	b.Helper()
	bench.once.Do(func() { bench.err = loadBench(context.Background()) })
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	// The same seed as the memory benchmarks, for the same inputs.
	return bench.store, synth.NewSampler(bench.ds, 1)
}

// loadBench creates the schema, loads the dataset into it and gathers
// statistics, so that the planner sees the tables as a long-running
// database would.
func loadBench(ctx context.Context) error {
	admin, err := pgx.Connect(ctx, pgtest.DatabaseURL())
	if err != nil {
		return fmt.Errorf("cannot reach the PostGIS test database (%v); run scripts/test, which starts it, "+
			"or point AREAGRAPH_TEST_DATABASE_URL at one", err)
	}
	defer admin.Close(ctx)
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	bench.schema = schema
	u, err := url.Parse(pgtest.DatabaseURL())
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	if bench.store, err = postgis.Open(ctx, u.String()); err != nil {
		return err
	}
	if err := bench.store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	bench.ds = synth.Generate(synth.Config{Seed: 1})
	if err := bench.store.Load(ctx, bench.ds); err != nil {
		return fmt.Errorf("load the synthetic dataset: %w", err)
	}
	tables, err := admin.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(tables, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, t := range names {
		if _, err := admin.Exec(ctx, "ANALYZE "+pgx.Identifier{schema, t}.Sanitize()); err != nil {
			return fmt.Errorf("analyze %s: %w", t, err)
		}
	}
	return nil
}

func dropBenchSchema() error {
	if bench.store != nil {
		bench.store.Close()
	}
	if bench.schema == "" {
		return nil
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.DatabaseURL())
	if err != nil {
		return fmt.Errorf("drop schema %s: %w", bench.schema, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{bench.schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("drop schema %s: %w", bench.schema, err)
	}
	return nil
}

func BenchmarkAreasAt(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchAreasAt(b, s, sample)
}

func BenchmarkAreasBBox(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchAreasBBox(b, s, sample)
}

func BenchmarkInitiativesNear(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchInitiativesNear(b, s, sample)
}

func BenchmarkInitiativesByArea(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchInitiativesByArea(b, s, sample)
}

func BenchmarkInitiativesNearest(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchInitiativesNearest(b, s, sample)
}

func BenchmarkInitiativesByAreaLean(b *testing.B) {
	s, sample := benchStore(b)
	dbtest.BenchInitiativesByAreaLean(b, s, sample)
}

func BenchmarkTree(b *testing.B) {
	s, _ := benchStore(b)
	dbtest.BenchTree(b, s, bench.ds)
}

func BenchmarkTreeCalls(b *testing.B) {
	s, _ := benchStore(b)
	dbtest.BenchTreeCalls(b, s, bench.ds)
}
