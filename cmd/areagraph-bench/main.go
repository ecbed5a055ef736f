// Command areagraph-bench measures the areagraph server end to end on a
// national-scale dataset, on the embedded store and on PostGIS, against a
// bare net/http handler and bare SQL on the same machine; see package
// bench. scripts/bench runs it with a PostGIS at hand.
//
//	areagraph-bench [-scale 1] [-duration 10s] [-rounds 3] [-concurrency 8] [-backends memory,postgis,postgis-sql]
//	                [-queries point,bbox,near,nested,tile] [-database URL] [-out bench/RESULTS.md] [-peers]
//
// areagraph-bench serve … is the server the benchmark starts as a child
// process; it is not meant to be run by hand.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/areagraph/areagraph/bench"
)

// defaultDatabase is the local PostgreSQL scripts/bench prepares.
const defaultDatabase = "postgres://postgres@127.0.0.1:5432/areagraph_bench?sslmode=disable"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		if err := bench.Serve(ctx, os.Args[2:], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "areagraph-bench serve:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // help asked for and shown: not a failure
		}
		fmt.Fprintln(os.Stderr, "areagraph-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("areagraph-bench", flag.ContinueOnError)
	scale := fs.Float64("scale", 1, "dataset size against the national default (6,000 statistical areas, 100,000 initiatives, 20,000 organisations)")
	duration := fs.Duration("duration", bench.DefaultDuration, "how long each server or baseline is measured per query, in all rounds")
	warmup := fs.Duration("warmup", bench.DefaultWarmup, "how long each round of a load runs before it is measured")
	rounds := fs.Int("rounds", bench.DefaultRounds, "rounds the duration is split into, the servers and baselines taking turns")
	concurrency := fs.Int("concurrency", bench.DefaultConcurrency, "requests or statements in flight")
	backends := fs.String("backends", strings.Join(bench.AllBackends, ","), "backends to measure")
	queries := fs.String("queries", "point,bbox,near,nested,tile", "queries to measure")
	seed := fs.Uint64("seed", 1, "dataset and input seed")
	database := fs.String("database", envOr("AREAGRAPH_BENCH_DATABASE_URL", defaultDatabase), "PostGIS database for the benchmark schema (env AREAGRAPH_BENCH_DATABASE_URL)")
	dir := fs.String("dir", filepath.Join(os.TempDir(), "areagraph-bench"), "directory for the dataset file and the servers' logs")
	out := fs.String("out", "", "also write the report to this file (Markdown)")
	noAllocs := fs.Bool("no-allocs", false, "skip the allocation figures")
	memLimit := fs.String("memlimit", "", "GOMEMLIMIT of the embedded server, e.g. 280MiB (default: none, and the server sets its own limit as areagraph serve does)")
	peers := fs.Bool("peers", false, "also measure the peers on PostGIS: PostGraphile (installed with npm), and pg_featureserv's and pg_tileserv's statements timed bare")
	peersDir := fs.String("peers-dir", "", "where npm installs the peers (default: areagraph-bench/peers in the user's cache directory)")
	cache := fs.Bool("cache", false, "also measure every backend's requests answered from the response cache, and revalidated with their tag (304)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cfg := bench.Config{
		Scale: *scale, Seed: *seed, Duration: *duration, Warmup: *warmup, Rounds: *rounds, Concurrency: *concurrency,
		Backends: split(*backends), Queries: split(*queries), DatabaseURL: *database, Dir: *dir,
		Server: []string{self, "serve"}, NoAllocs: *noAllocs, MemoryLimit: *memLimit, Log: os.Stderr,
		Command: "scripts/bench " + strings.Join(args, " "), Peers: *peers, PeersDir: *peersDir,
		Cache: *cache,
	}
	began := time.Now()
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	rep.Markdown(os.Stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		rep.Markdown(f)
		if err := f.Close(); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "done in %v\n", time.Since(began).Round(time.Second))
	return nil
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
