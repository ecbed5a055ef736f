package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/datasetfile"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/synth"
)

// sampler draws query inputs where the data are (synth.Sampler).
type sampler interface {
	Point() orb.Point
	Box(side float64) orb.Bound
	NearLocation(offset float64) orb.Point
}

// dataset is the generated data and what the queries draw from it.
type dataset struct {
	ds      *db.Dataset
	sampler sampler
	rng     *rand.Rand
	// bboxSide is the side of the bbox query's box, in degrees, chosen so
	// that an answer holds about targetBBoxBytes of GeoJSON.
	bboxSide float64
	// busyAreas have enough initiatives to fill the nested query's page.
	busyAreas []int64
	// file is the dataset file the embedded server loads.
	file      string
	fileBytes int64
}

// synthConfig scales synth's defaults.
func synthConfig(scale float64, seed uint64) synth.Config {
	n := func(def int) int { return max(1, int(math.Round(float64(def)*scale))) }
	return synth.Config{
		Seed:             seed,
		StatisticalAreas: n(synth.DefaultStatisticalAreas),
		Initiatives:      n(synth.DefaultInitiatives),
		Organizations:    n(synth.DefaultOrganizations),
		Years:            synth.DefaultYears,
	}
}

// scaleTag names a scale in file and schema names.
func scaleTag(scale float64) string {
	return strings.ReplaceAll(strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", scale), "0"), "."), ".", "_")
}

func newDataset(cfg Config) (*dataset, error) {
	began := time.Now()
	ds := synth.Generate(synthConfig(cfg.Scale, cfg.Seed))
	d := &dataset{ds: ds, sampler: synth.NewSampler(ds, cfg.Seed), rng: rand.New(rand.NewPCG(cfg.Seed, 0xbe9c4))}
	d.busyAreas = busyAreas(ds, 50, d.rng)
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	d.file = filepath.Join(cfg.Dir, fmt.Sprintf("areagraph-bench-s%s-%d.agds", scaleTag(cfg.Scale), cfg.Seed))
	if err := datasetfile.WriteFile(d.file, ds); err != nil {
		return nil, fmt.Errorf("write the dataset file: %w", err)
	}
	st, err := os.Stat(d.file)
	if err != nil {
		return nil, err
	}
	d.fileBytes = st.Size()
	cfg.logf("dataset: %d areas, %d organisations, %d initiatives, %d values in %v; file %s (%.1f MB)",
		len(ds.Areas), len(ds.Organizations), len(ds.Initiatives), len(ds.Values), time.Since(began).Round(time.Millisecond),
		d.file, float64(d.fileBytes)/1e6)
	return d, nil
}

// datasetKey identifies what a benchmark schema holds; a schema with
// another key is loaded again.
func datasetKey(cfg Config, ds *db.Dataset) string {
	return fmt.Sprintf("areagraph bench v1: scale %g, seed %d: %d areas, %d organisations, %d initiatives, %d values",
		cfg.Scale, cfg.Seed, len(ds.Areas), len(ds.Organizations), len(ds.Initiatives), len(ds.Values))
}

// withParams returns u with query parameters set.
func withParams(u string, kv ...string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	q := p.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	p.RawQuery = q.Encode()
	return p.String(), nil
}

// loadPostGIS makes sure the benchmark schema holds the dataset, and
// returns a URL that works in it. Loading the national dataset takes
// minutes, so a schema that already holds it is kept.
func loadPostGIS(ctx context.Context, cfg Config, ds *db.Dataset) (schemaURL string, loaded time.Duration, err error) {
	schema := cfg.Schema
	schemaURL, err = withParams(cfg.DatabaseURL, "search_path", schema+",public")
	if err != nil {
		return "", 0, fmt.Errorf("database URL: %w", err)
	}
	admin, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return "", 0, fmt.Errorf("connect to PostGIS: %w", err)
	}
	defer admin.Close(ctx)
	key := datasetKey(cfg, ds)
	var stored string
	err = admin.QueryRow(ctx, "SELECT key FROM "+pgx.Identifier{schema, "bench_dataset"}.Sanitize()).Scan(&stored)
	if err == nil && stored == key {
		// Migrations added since the load apply to the data in place.
		s, err := postgis.Open(ctx, schemaURL+"&area_replica=off")
		if err != nil {
			return "", 0, err
		}
		defer s.Close()
		if err := s.Migrate(ctx); err != nil {
			return "", 0, fmt.Errorf("migrate: %w", err)
		}
		if err := settle(ctx, admin, schema); err != nil {
			return "", 0, err
		}
		cfg.logf("postgis: schema %s already holds the dataset", schema)
		return schemaURL, 0, nil
	}
	cfg.logf("postgis: loading the dataset into schema %s", schema)
	began := time.Now()
	id := pgx.Identifier{schema}.Sanitize()
	if _, err := admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+id+" CASCADE; CREATE SCHEMA "+id); err != nil {
		return "", 0, fmt.Errorf("create the schema: %w", err)
	}
	s, err := postgis.Open(ctx, schemaURL+"&area_replica=off")
	if err != nil {
		return "", 0, err
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		return "", 0, fmt.Errorf("migrate: %w", err)
	}
	if err := s.Load(ctx, ds); err != nil {
		return "", 0, fmt.Errorf("load: %w", err)
	}
	if err := settle(ctx, admin, schema); err != nil {
		return "", 0, err
	}
	if _, err := admin.Exec(ctx, "CREATE TABLE "+pgx.Identifier{schema, "bench_dataset"}.Sanitize()+" (key text NOT NULL)"); err != nil {
		return "", 0, err
	}
	if _, err := admin.Exec(ctx, "INSERT INTO "+pgx.Identifier{schema, "bench_dataset"}.Sanitize()+" VALUES ($1)", key); err != nil {
		return "", 0, err
	}
	loaded = time.Since(began)
	cfg.logf("postgis: loaded in %v", loaded.Round(time.Second))
	return schemaURL, loaded, nil
}

// settle vacuums and analyzes the tables of schema, as autovacuum does
// on a production server soon after a bulk load: without it the
// visibility map stays unset and every index-only scan also reads the
// table, which is not what a settled database does (a test server may run
// with autovacuum off). Vacuuming a vacuumed table is cheap.
func settle(ctx context.Context, admin *pgx.Conn, schema string) error {
	rows, err := admin.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", schema)
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, t := range tables {
		// VACUUM cannot run in a transaction, so one statement at a time.
		if _, err := admin.Exec(ctx, "VACUUM (ANALYZE) "+pgx.Identifier{schema, t}.Sanitize()); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}

// targetBBoxBytes is the size of a bbox answer the box is sized for.
const targetBBoxBytes = 100_000

// tuneBBox finds the box side whose answers average targetBBoxBytes, by
// bisection on the sizes the real handler gives for boxes around the
// same centres.
func tuneBBox(d *dataset, centres []orb.Point, size func(boxes []orb.Bound) (float64, error)) error {
	lo, hi := 0.001, 5.0
	for range 14 {
		mid := math.Sqrt(lo * hi)
		boxes := make([]orb.Bound, len(centres))
		for i, c := range centres {
			boxes[i] = orb.Bound{Min: orb.Point{c[0] - mid/2, c[1] - mid/2}, Max: orb.Point{c[0] + mid/2, c[1] + mid/2}}
		}
		s, err := size(boxes)
		if err != nil {
			return err
		}
		if s < targetBBoxBytes {
			lo = mid
		} else {
			hi = mid
		}
	}
	d.bboxSide = math.Sqrt(lo * hi)
	return nil
}
