// Package bench measures areagraph end to end on a national-scale dataset:
// the real HTTP server, over loopback, on both backends, against the
// baselines that bound what it could reach on the same machine in the same
// run.
//
// What runs where. The dataset comes from db/synth at a chosen scale; it is
// written to a dataset file (datasetfile.WriteFile) for the embedded store and
// loaded into a schema of its own in PostGIS (kept between runs of the same
// scale and seed, as loading takes minutes). Each server runs as a child
// process, started from the benchmark's own executable (Serve is its main),
// so that its memory can be read from the kernel and its CPU is not shared
// with the load generator's garbage. The load generator is this process: a
// fixed number of workers, each sending one request after another over
// keep-alive connections, cycling through a few hundred prepared requests
// per query.
//
// The baselines, each measured like the servers:
//   - bare HTTP: a net/http handler in a child process that answers every
//     prepared request with the bytes the real server answered, looked up by
//     the request; it bounds what any server can do on this machine;
//   - bare SQL: the statement the PostGIS store sends for the query, run
//     over pgx by as many workers as the HTTP load has, reading every byte
//     of every row; for the nested query, one hand-written statement that
//     builds the whole response tree with json_agg.
//
// Allocations per request come from testing.Benchmark over the same
// handler, in process, with httptest. No figure here is a pass or fail of a
// test: the report states the targets and how far they are met.
package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Backends a run can measure.
const (
	// BackendMemory is the embedded store, loaded from the dataset file.
	BackendMemory = "memory"
	// BackendPostGIS is the PostGIS store with its area replica.
	BackendPostGIS = "postgis"
	// BackendPostGISSQL is the PostGIS store with area_replica=off: every
	// store call is a statement.
	BackendPostGISSQL = "postgis-sql"
)

// Baselines, reported beside the backends.
const (
	baselineHTTP = "bare HTTP"
	baselineSQL  = "bare SQL"
)

// AllBackends lists the backends in the order they are reported.
var AllBackends = []string{BackendMemory, BackendPostGIS, BackendPostGISSQL}

// Config is one run.
type Config struct {
	// Scale sizes the dataset against synth's defaults (6,000 statistical
	// areas, 100,000 initiatives, 20,000 organisations); 1 is national.
	Scale float64
	// Seed selects the dataset and the inputs.
	Seed uint64
	// Duration is how long each server or baseline is measured under
	// each query, in Rounds parts, each after Warmup.
	Duration, Warmup time.Duration
	Rounds           int
	// AtLeastOne makes every worker of every round measure at least one
	// call, started after the warm-up, however long it takes. For smoke
	// runs that check that everything answers; the rates it reports on a
	// slow machine are not comparable.
	AtLeastOne bool
	// Concurrency is the number of requests (or statements) in flight.
	Concurrency int
	// Backends and Queries choose what is measured; empty means all.
	Backends, Queries []string
	// DatabaseURL is the PostGIS database the benchmark schema goes in.
	DatabaseURL string
	// Schema is the schema that holds the dataset; by default one named
	// after the scale and seed, kept for the next run.
	Schema string
	// Dir holds the dataset file.
	Dir string
	// Server is the command that starts a server: the benchmark's own
	// executable with the argument that makes it run Serve. The flags of
	// Serve are appended.
	Server []string
	// MemoryLimit, when set, is the GOMEMLIMIT of the embedded server
	// (e.g. 280MiB): a soft bound on its heap, in place of the one it
	// sets itself (internal/memlimit).
	MemoryLimit string
	// NoAllocs skips the allocation figures (testing.Benchmark runs each
	// for about a second).
	NoAllocs bool
	// Requests is how many distinct requests are prepared per query.
	Requests int
	// Log receives progress; nil discards it.
	Log io.Writer
	// Command is the command line, for the report.
	Command string
	// Peers adds the peers (see peers.go) to the PostGIS measurements:
	// PostGraphile, installed with npm into PeersDir, and the statements
	// of pg_featureserv and pg_tileserv, timed bare.
	Peers    bool
	PeersDir string
	// Cache adds, for every backend, a row of the same requests answered
	// from the response cache and one of them revalidated with their tag
	// (304), beside the row that runs them.
	Cache bool
}

// Defaults of Config.
const (
	DefaultDuration    = 10 * time.Second
	DefaultWarmup      = time.Second
	DefaultRounds      = 3
	DefaultConcurrency = 8
	DefaultRequests    = 256
)

func (c Config) withDefaults() (Config, error) {
	if c.Scale <= 0 {
		c.Scale = 1
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Duration <= 0 {
		c.Duration = DefaultDuration
	}
	if c.Warmup < 0 {
		c.Warmup = 0
	}
	if c.Rounds <= 0 {
		c.Rounds = DefaultRounds
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Requests <= 0 {
		c.Requests = DefaultRequests
	}
	if len(c.Backends) == 0 {
		c.Backends = AllBackends
	}
	if len(c.Queries) == 0 {
		for _, q := range queries {
			c.Queries = append(c.Queries, q.name)
		}
	}
	for _, b := range c.Backends {
		if !slices.Contains(AllBackends, b) {
			return c, fmt.Errorf("unknown backend %q; choose from %s", b, strings.Join(AllBackends, ", "))
		}
	}
	for _, q := range c.Queries {
		if queryNamed(q) == nil {
			var names []string
			for _, q := range queries {
				names = append(names, q.name)
			}
			return c, fmt.Errorf("unknown query %q; choose from %s", q, strings.Join(names, ", "))
		}
	}
	if c.needsPostGIS() && c.DatabaseURL == "" {
		return c, fmt.Errorf("the PostGIS backends need a database URL")
	}
	if len(c.Server) == 0 {
		return c, fmt.Errorf("no command to start a server with")
	}
	if c.Schema == "" {
		c.Schema = "areagraph_bench_s" + scaleTag(c.Scale) + "_" + fmt.Sprint(c.Seed)
	}
	if c.Dir == "" {
		c.Dir = os.TempDir()
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.Peers && !c.needsPostGIS() {
		return c, fmt.Errorf("the peers run on PostGIS: measure a PostGIS backend with them")
	}
	if c.Peers && c.PeersDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return c, fmt.Errorf("no directory to install the peers into: %w", err)
		}
		c.PeersDir = filepath.Join(dir, "areagraph-bench", "peers")
	}
	return c, nil
}

func (c Config) needsPostGIS() bool {
	return slices.Contains(c.Backends, BackendPostGIS) || slices.Contains(c.Backends, BackendPostGISSQL)
}

func (c Config) logf(format string, args ...any) {
	fmt.Fprintf(c.Log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// Run generates and loads the dataset, measures every query on every
// backend and baseline, and returns the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	rep := &Report{Config: cfg, Machine: describeMachine(ctx, cfg.DatabaseURL)}
	env, err := prepare(ctx, cfg, rep)
	if err != nil {
		return nil, err
	}
	defer env.close()

	for _, name := range cfg.Queries {
		q := queryNamed(name)
		in := env.inputs[q.name]
		qr := &QueryReport{Name: q.name, Title: q.title, ResponseBytes: in.meanResponse()}
		rep.Queries = append(rep.Queries, qr)

		cfg.logf("%s", q.name)
		bare, err := env.startBare(ctx, in)
		if err != nil {
			return nil, err
		}
		targets := []*target{env.httpTarget(ctx, baselineHTTP, bare.url, in)}
		for _, b := range cfg.Backends {
			targets = append(targets, env.httpTarget(ctx, b, env.servers[b].url, in))
			if cfg.Cache {
				targets = append(targets, env.cacheTargets(ctx, b, env.servers[b].url, in)...)
			}
		}
		if env.pg != nil && q.sql != nil {
			targets = append(targets, env.sqlTarget(q, in))
			qr.SQLNote = q.sqlNote
		}
		if cfg.Peers {
			peers, err := env.peerTargets(ctx, q, in)
			if err != nil {
				return nil, err
			}
			targets = append(targets, peers...)
		}
		qr.Runs = env.measure(ctx, targets)
		bare.stop()
		for i := range qr.Runs {
			if slices.Contains(cfg.Backends, qr.Runs[i].Name) {
				qr.Runs[i].AllocsPerReq = env.allocs(qr.Runs[i].Name, in)
				env.servers[qr.Runs[i].Name].sample()
			}
		}
		if q.name == queryNested && env.pg != nil {
			qr.Statements, err = env.nestedStatements(ctx, in)
			if err != nil {
				return nil, err
			}
		}
	}
	for _, b := range cfg.Backends {
		if srv := env.servers[b]; srv != nil {
			srv.sample()
			rep.Servers = append(rep.Servers, srv.stats())
		}
	}
	rep.evaluate()
	return rep, nil
}
