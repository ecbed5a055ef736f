package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbhook"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/geo"
	httpserver "github.com/areagraph/areagraph/server"
)

// inputs are a query's prepared requests.
type inputs struct {
	q    *query
	reqs []*request
}

func (in *inputs) meanResponse() int {
	var n int
	for _, r := range in.reqs {
		n += len(r.response)
	}
	return n / max(1, len(in.reqs))
}

// env is what a run has set up: the dataset, in-process handlers for the
// allocation figures, the server children and the bare SQL pool.
type env struct {
	cfg      Config
	data     *dataset
	inputs   map[string]*inputs
	servers  map[string]*server
	handlers map[string]http.Handler
	closers  []func()
	pg       *pgxpool.Pool
	pgStore  *postgis.Store
	// postGraphile is the PostGraphile peer, when peers are measured.
	postGraphile *postGraphile
	// noop is the allocation count of the harness alone, taken off the
	// handlers' figures.
	noop float64
}

func (e *env) close() {
	for _, s := range e.servers {
		s.stop()
	}
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

// quietServer is the real HTTP surface with its log formatted and dropped.
func quietServer(s db.Store) http.Handler {
	return httpserver.New(s, httpserver.Config{Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
}

// serveInProcess runs one request through h.
func serveInProcess(h http.Handler, r *request) *httptest.ResponseRecorder {
	req := httptest.NewRequest(r.method, r.path, bytes.NewReader(r.body))
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// answer checks an in-process answer: a GraphQL one must have no errors.
func answer(r *request, w *httptest.ResponseRecorder) error {
	switch {
	case w.Code == http.StatusNoContent && r.method == http.MethodGet:
		return nil
	case w.Code != http.StatusOK:
		return fmt.Errorf("%s %s: status %d: %.300s", r.method, r.path, w.Code, w.Body.Bytes())
	case r.path == "/graphql" && bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)):
		return fmt.Errorf("%s %s: %.300s", r.method, r.body, w.Body.Bytes())
	}
	return nil
}

func prepare(ctx context.Context, cfg Config, rep *Report) (_ *env, err error) {
	e := &env{cfg: cfg, inputs: map[string]*inputs{}, servers: map[string]*server{}, handlers: map[string]http.Handler{}}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	if e.data, err = newDataset(cfg); err != nil {
		return nil, err
	}
	ds := e.data.ds
	rep.Dataset = DatasetStats{Areas: len(ds.Areas), Organizations: len(ds.Organizations), Initiatives: len(ds.Initiatives),
		Values: len(ds.Values), FileBytes: e.data.fileBytes}
	for _, a := range ds.Areas {
		rep.Dataset.Vertices += geo.CountVertices(a.Geometry)
	}

	// The embedded store in process: the answers every backend is held
	// to, the box size, and its allocation figures.
	mem := memory.New()
	if err := mem.Load(ctx, ds); err != nil {
		return nil, err
	}
	memHandler := quietServer(mem)
	e.handlers[BackendMemory] = memHandler
	centres := make([]orb.Point, 32)
	for i := range centres {
		centres[i] = e.data.sampler.Point()
	}
	err = tuneBBox(e.data, centres, func(boxes []orb.Bound) (float64, error) {
		var n int
		for _, b := range boxes {
			r := queryNamed(queryBBox).build(&dataset{sampler: fixedBox(b)}, 1)[0]
			w := serveInProcess(memHandler, r)
			if err := answer(r, w); err != nil {
				return 0, err
			}
			n += w.Body.Len()
		}
		return float64(n) / float64(len(boxes)), nil
	})
	if err != nil {
		return nil, err
	}
	rep.BBoxSide = e.data.bboxSide
	for _, name := range cfg.Queries {
		q := queryNamed(name)
		in := &inputs{q: q, reqs: q.build(e.data, cfg.Requests)}
		for _, r := range in.reqs {
			w := serveInProcess(memHandler, r)
			if err := answer(r, w); err != nil {
				return nil, fmt.Errorf("%s: the embedded store: %w", name, err)
			}
			r.response, r.contentType = w.Body.Bytes(), w.Header().Get("Content-Type")
		}
		e.inputs[name] = in
	}

	// The embedded server first, alone, so that its start is timed on an
	// idle machine.
	if slices.Contains(cfg.Backends, BackendMemory) {
		cfg.logf("starting the embedded server")
		var env []string
		if cfg.MemoryLimit != "" {
			env = append(env, "GOMEMLIMIT="+cfg.MemoryLimit)
		}
		s, err := startServer(ctx, cfg, BackendMemory, env, "-data", e.data.file)
		if err != nil {
			return nil, err
		}
		e.servers[BackendMemory] = s
		cfg.logf("embedded server ready in %v, %.0f MB resident", s.startup.Round(time.Millisecond), float64(s.rssReady)/1e6)
	}

	if cfg.needsPostGIS() {
		schemaURL, loaded, err := loadPostGIS(ctx, cfg, ds)
		if err != nil {
			return nil, err
		}
		rep.PostGISLoad = loaded
		// The servers' pools are as large as the load's concurrency, as
		// the bare SQL's is.
		conns := fmt.Sprint(cfg.Concurrency)
		serverURL, err := withParams(schemaURL, "pool_max_conns", conns)
		if err != nil {
			return nil, err
		}
		sqlURL, _ := withParams(serverURL, "area_replica", "off")
		for _, b := range []struct{ name, url string }{{BackendPostGIS, serverURL}, {BackendPostGISSQL, sqlURL}} {
			if !slices.Contains(cfg.Backends, b.name) {
				continue
			}
			st, err := postgis.Open(ctx, b.url)
			if err != nil {
				return nil, err
			}
			e.closers = append(e.closers, st.Close)
			if b.name == BackendPostGIS {
				wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
				err := st.WaitReplica(wctx)
				cancel()
				if err != nil {
					return nil, err
				}
				e.pgStore = st
			}
			e.handlers[b.name] = quietServer(st)
			cfg.logf("starting the %s server", b.name)
			srv, err := startServer(ctx, cfg, b.name, nil, "-database", b.url)
			if err != nil {
				return nil, err
			}
			e.servers[b.name] = srv
		}
		poolCfg, err := pgxpool.ParseConfig(schemaURL)
		if err != nil {
			return nil, err
		}
		poolCfg.MaxConns = int32(cfg.Concurrency)
		if e.pg, err = pgxpool.NewWithConfig(ctx, poolCfg); err != nil {
			return nil, err
		}
		e.closers = append(e.closers, e.pg.Close)
		if cfg.Peers {
			if err := installPeerFunctions(ctx, e.pg); err != nil {
				return nil, err
			}
			cfg.logf("starting PostGraphile")
			if e.postGraphile, err = startPostGraphile(ctx, cfg, cfg.DatabaseURL, cfg.Schema, cfg.Concurrency); err != nil {
				return nil, err
			}
			e.closers = append(e.closers, e.postGraphile.stop)
		}
	}

	if !cfg.NoAllocs {
		e.noop = allocsPerRequest(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), e.inputs[cfg.Queries[0]])
	}
	return e, nil
}

// fixedBox is a sampler stand-in that draws one box, for tuneBBox.
func fixedBox(b orb.Bound) boxSampler { return boxSampler{b} }

type boxSampler struct{ b orb.Bound }

func (s boxSampler) Point() orb.Point               { return s.b.Center() }
func (s boxSampler) Box(float64) orb.Bound          { return s.b }
func (s boxSampler) NearLocation(float64) orb.Point { return s.b.Center() }

// startBare starts a bare HTTP server that knows the answers of in.
func (e *env) startBare(ctx context.Context, in *inputs) (*server, error) {
	path := filepath.Join(e.cfg.Dir, "areagraph-bench-bare-"+in.q.name+".gob")
	if err := writeBare(path, in); err != nil {
		return nil, err
	}
	defer os.Remove(path)
	return startServer(ctx, e.cfg, "bare-"+in.q.name, nil, "-bare", path)
}

// op sends the i-th request of a load and returns the bytes it read.
type op func(ctx context.Context, i int) (int, error)

// target is a server or baseline to load: newOp gives each worker its
// own sender.
type target struct {
	name       string
	newOp      func() op
	mismatches int
	// idsDiffer counts a peer's answers that name other records than
	// areagraph's.
	idsDiffer int
	close     func()
	samples   sample
}

// httpTarget checks that the server at base answers every prepared
// request as the embedded store does, and returns it ready to load.
func (e *env) httpTarget(ctx context.Context, name, base string, in *inputs) *target {
	tr := &http.Transport{MaxIdleConns: e.cfg.Concurrency, MaxIdleConnsPerHost: e.cfg.Concurrency, DisableCompression: true}
	client := &http.Client{Transport: tr}
	send := func(ctx context.Context, r *request, buf *bytes.Buffer) (int, error) {
		req, err := http.NewRequestWithContext(ctx, r.method, base+r.path, bytes.NewReader(r.body))
		if err != nil {
			return 0, err
		}
		if r.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range r.header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		buf.Reset()
		n, err := buf.ReadFrom(resp.Body)
		if err != nil {
			return int(n), err
		}
		if r.notModified {
			if resp.StatusCode != http.StatusNotModified {
				return int(n), fmt.Errorf("status %d, want 304: %.200s", resp.StatusCode, buf.Bytes())
			}
			return int(n), nil
		}
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
			return int(n), fmt.Errorf("status %d: %.200s", resp.StatusCode, buf.Bytes())
		}
		return int(n), nil
	}
	t := &target{name: name, close: tr.CloseIdleConnections}
	var firstMismatch string
	var buf bytes.Buffer
	for _, r := range in.reqs {
		if _, err := send(ctx, r, &buf); err != nil || !sameAnswer(buf.Bytes(), r.response) {
			if t.mismatches == 0 {
				firstMismatch = fmt.Sprintf("%s %s %.200s: got %.300s (%v), want %.300s", r.method, r.path, r.body, buf.Bytes(), err, r.response)
			}
			t.mismatches++
		}
	}
	if t.mismatches > 0 {
		e.cfg.logf("%s: %d of %d answers differ from the embedded store's; the first: %s", name, t.mismatches, len(in.reqs), firstMismatch)
	}
	t.newOp = func() op {
		var buf bytes.Buffer
		return func(ctx context.Context, i int) (int, error) { return send(ctx, in.reqs[i%len(in.reqs)], &buf) }
	}
	return t
}

// sqlTarget loads PostGIS with the bare statement of each request,
// reading every byte of every row, as many at once as the HTTP loads.
func (e *env) sqlTarget(q *query, in *inputs) *target {
	return &target{name: baselineSQL, close: func() {}, newOp: func() op {
		return func(ctx context.Context, i int) (int, error) {
			sql, args := q.sql(in.reqs[i%len(in.reqs)])
			rows, err := e.pg.Query(ctx, sql, args...)
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				for _, v := range rows.RawValues() {
					n += len(v)
				}
			}
			return n, rows.Err()
		}
	}}
}

// measure loads the targets in turn, round after round, each for its
// share of the duration, the order turning by one each round: the load
// on the shared machine drifts, and every target gets its part of each
// stretch of it.
func (e *env) measure(ctx context.Context, targets []*target) []Load {
	share := e.cfg.Duration / time.Duration(e.cfg.Rounds)
	for round := range e.cfg.Rounds {
		for k := range targets {
			t := targets[(k+round)%len(targets)]
			t.samples.add(runLoad(ctx, e.cfg, t.newOp, share))
		}
	}
	out := make([]Load, len(targets))
	for i, t := range targets {
		out[i] = t.samples.summary(t.name, e.cfg.Duration)
		out[i].Mismatches = t.mismatches
		out[i].IDsDiffer = t.idsDiffer
		if out[i].Errors > 0 {
			e.cfg.logf("  %s: %d errors; the first: %s", t.name, out[i].Errors, out[i].FirstError)
		}
		e.cfg.logf("  %s: %.0f requests/s, p50 %v, p99 %v", t.name, out[i].RPS, out[i].P50, out[i].P99)
		t.close()
	}
	return out
}

// sameAnswer compares two answers: the same bytes, or the same JSON with
// numbers equal to within rounding. Distances are rounded to 1e-8 m on
// both backends, but a value that straddles a rounding step may come out
// a step apart (see db/postgis/crossbackend_test.go).
func sameAnswer(got, want []byte) bool {
	if bytes.Equal(got, want) {
		return true
	}
	var g, w any
	if json.Unmarshal(got, &g) != nil || json.Unmarshal(want, &w) != nil {
		return false
	}
	return sameJSON(g, w)
}

func sameJSON(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && math.Abs(a-b) <= 1e-7*max(1, math.Abs(b))
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if !sameJSON(v, b[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// sample is what loads measured: every latency, the errors and the
// bytes read.
type sample struct {
	lat      []time.Duration
	errs     int
	bytes    int64
	firstErr error
}

func (s *sample) add(o sample) {
	s.lat = append(s.lat, o.lat...)
	s.errs += o.errs
	s.bytes += o.bytes
	if s.firstErr == nil {
		s.firstErr = o.firstErr
	}
}

// summary is the sample as a row of the report; d is the time it was
// measured over.
func (s *sample) summary(name string, d time.Duration) Load {
	lat := s.lat
	slices.Sort(lat)
	l := Load{Name: name, Requests: len(lat), Errors: s.errs, RPS: float64(len(lat)) / d.Seconds(), AllocsPerReq: -1}
	if len(lat) > 0 {
		l.P50 = lat[len(lat)/2]
		l.P99 = lat[min(len(lat)-1, len(lat)*99/100)]
		l.MeanBytes = int(s.bytes / int64(len(lat)))
	}
	if s.firstErr != nil {
		l.FirstError = s.firstErr.Error()
	}
	return l
}

// runLoad runs an op per worker, cfg.Concurrency of them, each calling
// it again as soon as it returns, and measures the calls that start after
// the warm-up and end within d.
func runLoad(ctx context.Context, cfg Config, newOp func() op, d time.Duration) sample {
	var next atomic.Int64
	start := time.Now()
	from := start.Add(cfg.Warmup)
	end := from.Add(d)
	ctx, cancel := context.WithDeadline(ctx, end.Add(30*time.Second))
	defer cancel()
	samples := make([]sample, cfg.Concurrency)
	var wg sync.WaitGroup
	for w := range cfg.Concurrency {
		wg.Go(func() {
			op := newOp()
			s := &samples[w]
			for ctx.Err() == nil {
				t0 := time.Now()
				// A smoke run (AtLeastOne) checks answers, not speed: a
				// worker that has measured nothing yet goes on past the
				// end, and its call counts however long it took, so a
				// slow first call on a loaded machine is not "no answer".
				owed := cfg.AtLeastOne && len(s.lat)+s.errs == 0
				if !t0.Before(end) && !owed {
					return
				}
				n, err := op(ctx, int(next.Add(1)-1))
				t1 := time.Now()
				if t0.Before(from) || (t1.After(end) && !owed) {
					continue
				}
				if err != nil {
					s.errs++
					if s.firstErr == nil {
						s.firstErr = err
					}
					continue
				}
				s.lat = append(s.lat, t1.Sub(t0))
				s.bytes += int64(n)
			}
		})
	}
	wg.Wait()
	var all sample
	for _, s := range samples {
		all.add(s)
	}
	return all
}

// allocs is the allocations per request of the backend's handler, in
// process, less those of the harness; -1 when not measured.
func (e *env) allocs(backend string, in *inputs) float64 {
	h := e.handlers[backend]
	if e.cfg.NoAllocs || h == nil {
		return -1
	}
	return max(0, allocsPerRequest(h, in)-e.noop)
}

// allocsPerRequest runs testing.Benchmark over h with the prepared
// requests in turn.
func allocsPerRequest(h http.Handler, in *inputs) float64 {
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			serveInProcess(h, in.reqs[i%len(in.reqs)])
			i++
		}
	})
	if res.N == 0 {
		return -1
	}
	return float64(res.MemAllocs) / float64(res.N)
}

// nestedStatements counts the store calls the nested query makes at
// several page sizes. On PostGIS each read is one SQL statement (db/postgis
// answers every read with one), so the count is the statements a request
// costs; AreasAt answered by the area replica is counted though it costs
// none.
func (e *env) nestedStatements(ctx context.Context, in *inputs) (map[int]int, error) {
	var c dbhook.Counter
	h := quietServer(dbhook.Wrap(e.pgStore, c.Hook))
	out := map[int]int{}
	area := in.reqs[0].areaID
	for _, first := range []int{1, 10, 50, 100} {
		r := nestedRequest(area, first)
		c.Reset()
		w := serveInProcess(h, r)
		if err := answer(r, w); err != nil {
			return nil, err
		}
		out[first] = c.Reset()
	}
	return out, nil
}
