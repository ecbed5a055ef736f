package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Report is the outcome of a run.
type Report struct {
	Config      Config
	Machine     Machine
	Dataset     DatasetStats
	BBoxSide    float64
	PostGISLoad time.Duration // 0 when the schema already held the dataset
	Queries     []*QueryReport
	Servers     []ServerStats
	Targets     []Target
}

// Machine is where a run ran.
type Machine struct {
	CPUs                    int
	LSCPU, Memory, LoadAvg  string
	Go, PostgreSQL, PostGIS string
}

// DatasetStats sizes the dataset.
type DatasetStats struct {
	Areas, Organizations, Initiatives, Values, Vertices int
	FileBytes                                           int64
}

// QueryReport is one query on every backend and baseline.
type QueryReport struct {
	Name, Title   string
	ResponseBytes int // mean size of the answers
	Runs          []Load
	SQLNote       string
	// Statements is, per page size, the SQL statements (store calls) the
	// nested query costs.
	Statements map[int]int
}

// Load is one load: a server or baseline under one query.
type Load struct {
	Name             string
	Requests, Errors int
	Mismatches       int // answers that differ from the embedded store's
	IDsDiffer        int // a peer's answers that name other records than areagraph's
	RPS              float64
	P50, P99         time.Duration
	AllocsPerReq     float64 // -1 when not measured
	MeanBytes        int
	FirstError       string
}

// Target is one of the goals, and how far a run met it.
type Target struct {
	What, Want, Got string
	Met             bool
}

func (q *QueryReport) run(name string) *Load {
	for i := range q.Runs {
		if q.Runs[i].Name == name {
			return &q.Runs[i]
		}
	}
	return nil
}

func (r *Report) query(name string) *QueryReport {
	for _, q := range r.Queries {
		if q.Name == name {
			return q
		}
	}
	return nil
}

func (r *Report) server(name string) *ServerStats {
	for i := range r.Servers {
		if r.Servers[i].Name == name {
			return &r.Servers[i]
		}
	}
	return nil
}

// ratio is a/b of two runs' rates, when both ran.
func ratio(q *QueryReport, a, b string) (float64, string, bool) {
	if q == nil {
		return 0, "", false
	}
	ra, rb := q.run(a), q.run(b)
	if ra == nil || rb == nil || rb.RPS == 0 {
		return 0, "", false
	}
	x := ra.RPS / rb.RPS
	return x, fmt.Sprintf("%.0f / %.0f req/s = %s", ra.RPS, rb.RPS, pct(x)), true
}

func pct(x float64) string { return fmt.Sprintf("%.0f %%", 100*x) }

// evaluate states the benchmark's targets and how far the run met them;
// the ones in parentheses are for comparison, not goals.
func (r *Report) evaluate() {
	add := func(what, want string, got string, met bool) {
		r.Targets = append(r.Targets, Target{What: what, Want: want, Got: got, Met: met})
	}
	atLeast := func(what, want string, q *QueryReport, a, b string, min float64) {
		if x, got, ok := ratio(q, a, b); ok {
			add(what, want, got, x >= min)
		}
	}
	point, bbox, nested := r.query(queryPoint), r.query(queryBBox), r.query(queryNested)
	atLeast("PostGIS, point in area, against its bare SQL", "≥ 50 %", point, BackendPostGIS, baselineSQL, 0.5)
	atLeast("PostGIS without the replica, point in area, against its bare SQL", "(≥ 50 %)", point, BackendPostGISSQL, baselineSQL, 0.5)
	atLeast("PostGIS, bbox with geometry, against its bare SQL", "≥ 40 %", bbox, BackendPostGIS, baselineSQL, 0.4)
	if nested != nil && nested.Statements != nil {
		worst := 0
		var parts []string
		for _, first := range sortedKeys(nested.Statements) {
			n := nested.Statements[first]
			worst = max(worst, n)
			parts = append(parts, fmt.Sprintf("%d at first: %d", n, first))
		}
		add("Nested query, SQL statements whatever the page size", "≤ 4", strings.Join(parts, ", "), worst <= 4)
	}
	atLeast("PostGIS, nested query, against one hand-written statement", "≥ 75 %", nested, BackendPostGIS, baselineSQL, 0.75)
	// Against the peers, on both backends: the rows of the comparison
	// the README states.
	near, tile := r.query(queryNear), r.query(queryTile)
	for _, b := range []struct{ name, label string }{{BackendPostGIS, "PostGIS"}, {BackendMemory, "Embedded"}} {
		atLeast(b.label+", nested query, against PostGraphile", "≥ 3×", nested, b.name, peerPostGraphile, 3)
		atLeast(b.label+", nearest, against pg_featureserv's statement alone", "≥ 100 %", near, b.name, peerFeatureserv, 1)
		atLeast(b.label+", bbox outlines (the whole answer), against pg_featureserv's statement alone", "≥ 50 %", bbox, b.name, peerFeatureserv, 0.5)
		atLeast(b.label+", vector tile, against pg_tileserv's ST_AsMVT statement alone", "≥ 1.5×", tile, b.name, peerTileserv, 1.5)
	}
	atLeast("Embedded, point in area, against PostGIS", "≥ 3×", point, BackendMemory, BackendPostGIS, 3)
	atLeast("Embedded, point in area, against PostGIS without the replica", "(≥ 3×)", point, BackendMemory, BackendPostGISSQL, 3)
	atLeast("Embedded, point in area, against bare HTTP", "≥ 40 %", point, BackendMemory, baselineHTTP, 0.4)
	if s := r.server(BackendMemory); s != nil {
		add("Embedded, resident memory holding the dataset, once ready", "< 300 MB",
			fmt.Sprintf("%.0f MB (peak while loading %.0f MB)", mb(s.RSSReady), mb(s.PeakLoading)), s.RSSReady < 300e6)
		add("Embedded, resident memory at most, under the loads above", "(< 300 MB)",
			fmt.Sprintf("%.0f MB (%s)", mb(s.RSSMax), s.Limit()), s.RSSMax < 300e6)
		add("Embedded, ready to serve from the dataset file", "< 3 s",
			fmt.Sprintf("%.2f s (reading the file %.2f s, loading the store %.2f s)",
				s.Startup.Seconds(), s.Read.Seconds(), s.Load.Seconds()), s.Startup < 3*time.Second)
	}
}

func sortedKeys(m map[int]int) []int {
	var out []int
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func mb(b int64) float64 { return float64(b) / 1e6 }

// Markdown writes the report.
func (r *Report) Markdown(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	cfg := r.Config
	p("# Benchmark results\n\n")
	if cfg.Command != "" {
		p("Produced by `%s` on %s.\n\n", cfg.Command, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	}
	p("## Machine\n\n")
	p("- `nproc`: %d; Go %s; %s\n", r.Machine.CPUs, r.Machine.Go, r.Machine.PostgreSQL)
	if r.Machine.PostGIS != "" {
		p("- PostGIS %s\n", r.Machine.PostGIS)
	}
	p("- memory: %s; load average at the start: %s\n", r.Machine.Memory, r.Machine.LoadAvg)
	p("- the machine is shared: other work ran beside the benchmark, so absolute figures are noise; " +
		"the ratios compare runs of the same minutes\n\n")
	if r.Machine.LSCPU != "" {
		p("```\n$ lscpu | head\n%s\n```\n\n", strings.TrimRight(r.Machine.LSCPU, "\n"))
	}
	d := r.Dataset
	p("## Setup\n\n")
	p("- dataset (scale %g, seed %d): %d areas with %d vertices, %d organisations, %d initiatives, %d indicator values; "+
		"dataset file %.1f MB\n", cfg.Scale, cfg.Seed, d.Areas, d.Vertices, d.Organizations, d.Initiatives, d.Values, mb(d.FileBytes))
	switch {
	case r.PostGISLoad > 0:
		p("- loaded into PostGIS in %v\n", r.PostGISLoad.Round(time.Second))
	case cfg.needsPostGIS():
		p("- PostGIS: schema %s held the dataset from an earlier run\n", cfg.Schema)
	}
	p("- load: %d requests in flight (HTTP workers over keep-alive connections, or bare SQL workers with a pool of as many "+
		"connections; the servers' pools have as many); each row is measured for %v in all, in %d rounds that take turns with "+
		"the other rows of its query, each round after %v of warm-up; %d prepared requests per query, in turn\n",
		cfg.Concurrency, cfg.Duration, cfg.Rounds, cfg.Warmup, cfg.Requests)
	p("- every server is a child process (`areagraph-bench serve`: `server.New`, the production handler, its access log " +
		"formatted as JSON and dropped); the load generator is the parent process on the same cores\n")
	p("- allocations per request: `testing.Benchmark` over the same handler in process, less the harness's own\n")
	p("- bbox boxes are %.3f° a side, sized for answers of about 100 KB\n", r.BBoxSide)
	if cfg.MemoryLimit != "" {
		p("- the embedded server ran with GOMEMLIMIT=%s\n", cfg.MemoryLimit)
	}
	p("\n")

	p("## Results\n\n")
	p("| query | server | req/s | p50 | p99 | allocs/req | bytes/resp | notes |\n")
	p("|---|---|--:|--:|--:|--:|--:|---|\n")
	for _, q := range r.Queries {
		for i, run := range q.Runs {
			name := q.Name
			if i > 0 {
				name = ""
			}
			allocs := "–"
			if run.AllocsPerReq >= 0 {
				allocs = fmt.Sprintf("%.0f", run.AllocsPerReq)
			}
			var notes []string
			if run.Errors > 0 {
				notes = append(notes, fmt.Sprintf("%d errors", run.Errors))
			}
			if run.Mismatches > 0 {
				notes = append(notes, fmt.Sprintf("%d answers differ from the embedded store's", run.Mismatches))
			}
			if run.IDsDiffer > 0 {
				notes = append(notes, fmt.Sprintf("%d answers name other records than areagraph's", run.IDsDiffer))
			}
			p("| %s | %s | %.0f | %s | %s | %s | %d | %s |\n", name, run.Name, run.RPS, dur(run.P50), dur(run.P99), allocs,
				run.MeanBytes, strings.Join(notes, "; "))
		}
	}
	p("\nQueries:\n\n")
	for _, q := range r.Queries {
		p("- **%s**: %s", q.Name, q.Title)
		if q.SQLNote != "" {
			p("; bare SQL is %s", q.SQLNote)
		}
		p(".\n")
	}
	p("\n## Targets\n\n| target | want | got | |\n|---|---|---|---|\n")
	for _, t := range r.Targets {
		mark := "met"
		if !t.Met {
			mark = "**missed**"
		}
		p("| %s | %s | %s | %s |\n", t.What, t.Want, t.Got, mark)
	}
	if len(r.Servers) > 0 {
		p("\n## Servers\n\n| server | ready after | resident once ready | peak while starting | most resident after a load | peak | memory limit |\n|---|--:|--:|--:|--:|--:|---|\n")
		for _, s := range r.Servers {
			p("| %s | %.2f s | %.0f MB | %.0f MB | %.0f MB | %.0f MB | %s |\n", s.Name, s.Startup.Seconds(), mb(s.RSSReady),
				mb(s.PeakLoading), mb(s.RSSMax), mb(s.Peak), s.Limit())
		}
	}
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d.Microseconds()))
	default:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
}

// describeMachine gathers what the report says about the machine.
func describeMachine(ctx context.Context, databaseURL string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if out, err := exec.CommandContext(ctx, "lscpu").Output(); err == nil {
		lines := strings.Split(string(out), "\n")
		m.LSCPU = strings.Join(lines[:min(10, len(lines))], "\n")
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && k == "MemTotal" {
				m.Memory = strings.TrimSpace(v) + " total"
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	if databaseURL != "" {
		if c, err := pgx.Connect(ctx, databaseURL); err == nil {
			_ = c.QueryRow(ctx, "SELECT split_part(version(), ' on ', 1)").Scan(&m.PostgreSQL)
			_ = c.QueryRow(ctx, "SELECT postgis_lib_version()").Scan(&m.PostGIS)
			c.Close(ctx)
		}
	}
	return m
}
