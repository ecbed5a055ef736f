package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// TestDatabaseOutage takes PostGIS away from a serving server under a
// steady load of queries, first as a server that died (connections reset)
// and then as a host that stopped answering (connections hang), and gives
// it back. The server must keep answering, report not ready, fail queries
// at once with UNAVAILABLE and no driver text, and serve again by itself
// once the database returns.
func TestDatabaseOutage(t *testing.T) {
	proxy, dbURL := pgtest.NewProxy(t, pgtest.SchemaURL(t))
	// A short acquire bound, so that the hung phase fails many queries
	// quickly; with the request timeout instead it would fail a few.
	store := storetest.WithDemo(t, storetest.PostGIS(t, dbURL+"&pool_acquire_timeout=1s"))
	// The outage logs a warning for every failed readiness probe; they
	// say nothing the assertions below do not.
	srv := httptest.NewServer(server.New(store, server.Config{Log: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)

	l := startLoad(t, srv.URL, 4)
	defer l.stop()

	waitFor(t, "answers before the outage", func() bool { return l.count(phaseUp, true) >= 20 })

	proxy.Cut()
	l.phase.Store(phaseCut)
	waitFor(t, "/readyz to answer 503", func() bool { return l.get("/readyz") == http.StatusServiceUnavailable })
	// Each worker needs 40/4 = 10 failures within the deadline of
	// waitFor: requests that waited for the request timeout, or even for
	// the acquire bound, could not make it.
	waitFor(t, "failed queries while the database is down", func() bool { return l.count(phaseCut, false) >= 40 })
	if got := l.get("/healthz"); got != http.StatusOK {
		t.Errorf("/healthz while the database is down: %d, want 200", got)
	}

	proxy.Stall()
	l.phase.Store(phaseStalled)
	if got := l.get("/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz while the database hangs: %d, want 503", got)
	}
	// 20 failures are 5 per worker: within the deadline of waitFor at
	// the acquire bound of 1 s, not at the request timeout of 10 s.
	waitFor(t, "failed queries while the database hangs", func() bool { return l.count(phaseStalled, false) >= 20 })
	if got := l.get("/healthz"); got != http.StatusOK {
		t.Errorf("/healthz while the database hangs: %d, want 200", got)
	}
	for _, phase := range []int32{phaseCut, phaseStalled} {
		if n := l.count(phase, true); n > 0 {
			t.Errorf("%d queries sent without a database succeeded", n)
		}
	}

	proxy.Restore()
	waitFor(t, "/readyz to answer 200", func() bool { return l.get("/readyz") == http.StatusOK })
	l.phase.Store(phaseBack)
	waitFor(t, "answers after the outage", func() bool { return l.count(phaseBack, true) >= 20 })
	l.stop()

	if n := l.count(phaseBack, false); n > 0 {
		t.Errorf("%d queries sent after /readyz turned 200 again failed", n)
	}
	for _, o := range l.outcomes() {
		if o.err != nil {
			t.Fatalf("the server stopped answering: %v", o.err)
		}
		if o.ok {
			continue
		}
		if o.status != http.StatusOK && o.status != http.StatusServiceUnavailable {
			t.Errorf("status %d for a failed query, want 200 or 503: %s", o.status, o.body)
		}
		for _, e := range o.errors {
			if code, _ := e.Extensions["code"].(string); code != db.EUNAVAILABLE {
				t.Errorf("error code %q, want %s: %s", code, db.EUNAVAILABLE, o.body)
			}
		}
		text, _ := json.Marshal(o.errors)
		for _, w := range []string{"dial", "refused", "reset", "pgconn", "pgx", "sqlstate", "eof", "tcp", "127.0.0.1", "connect"} {
			if strings.Contains(strings.ToLower(string(text)), w) {
				t.Errorf("driver text %q reached the client: %s", w, text)
				break
			}
		}
	}
	t.Logf("%d queries: %d answered before the outage, %d failed while the database was down and %d while it hung, %d answered after it",
		len(l.outcomes()), l.count(phaseUp, true), l.count(phaseCut, false), l.count(phaseStalled, false), l.count(phaseBack, true))
}

// Phases of the outage, by when a request was sent.
const (
	phaseUp int32 = iota
	phaseCut
	phaseStalled
	phaseBack
)

// loadQueries are what the load sends, in turn: a point lookup, and a
// list with a nested list that goes through the loaders.
var loadQueries = []struct {
	query string
	check func(data json.RawMessage) error
}{
	{`{ areasAt(lon: 12.936, lat: 57.729, kinds: [PRIORITY_AREA, DISTRICT, MUNICIPALITY]) { name kind } }`, func(data json.RawMessage) error {
		var d struct{ AreasAt []struct{ Name string } }
		if err := json.Unmarshal(data, &d); err != nil || len(d.AreasAt) == 0 || d.AreasAt[0].Name != "Norrby" {
			return fmt.Errorf("areasAt: %s, want Norrby first", data)
		}
		return nil
	}},
	{`{ areas(filter: {kinds: [PRIORITY_AREA]}) { nodes { name initiatives(first: 5) { totalCount nodes { title } } } } }`, func(data json.RawMessage) error {
		var d struct {
			Areas struct {
				Nodes []struct {
					Initiatives struct{ TotalCount int }
				}
			}
		}
		if err := json.Unmarshal(data, &d); err != nil || len(d.Areas.Nodes) != 5 {
			return fmt.Errorf("areas: %s, want the five priority areas", data)
		}
		total := 0
		for _, a := range d.Areas.Nodes {
			total += a.Initiatives.TotalCount
		}
		if total == 0 {
			return fmt.Errorf("areas: %s, want their initiatives", data)
		}
		return nil
	}},
}

// outcome is what one request of the load got.
type outcome struct {
	phase  int32
	ok     bool
	status int
	errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	body string
	err  error // the request got no answer
}

// load sends queries from a few goroutines until stopped, and keeps what
// each got.
type load struct {
	t      *testing.T
	url    string
	client *http.Client
	phase  atomic.Int32
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup

	mu   sync.Mutex
	seen []outcome
}

func startLoad(t *testing.T, url string, workers int) *load {
	l := &load{
		t:   t,
		url: url,
		// The timeout only keeps a hung request from hanging the test;
		// such a request fails it.
		client: &http.Client{
			Timeout:   30 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: workers + 2},
		},
		done: make(chan struct{}),
	}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := w; ; i++ {
				select {
				case <-l.done:
					return
				default:
				}
				l.record(l.send(loadQueries[i%len(loadQueries)].query, loadQueries[i%len(loadQueries)].check))
				// A steady load, not a flood: failing queries return at
				// once, and the outage must not starve the rest.
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	return l
}

func (l *load) send(query string, check func(json.RawMessage) error) outcome {
	o := outcome{phase: l.phase.Load()}
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, l.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	res, err := l.client.Do(req)
	if err != nil {
		o.err = err
		return o
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		o.err = err
		return o
	}
	o.status, o.body = res.StatusCode, string(raw)
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		o.err = fmt.Errorf("response is not JSON: %v: %s", err, raw)
		return o
	}
	if len(r.Errors) > 0 {
		if err := json.Unmarshal(r.Errors, &o.errors); err != nil || len(o.errors) == 0 {
			o.err = fmt.Errorf("malformed errors: %s", raw)
		}
		return o
	}
	if err := check(r.Data); err != nil {
		o.err = err
		return o
	}
	o.ok = true
	return o
}

func (l *load) record(o outcome) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, o)
}

// count counts the requests sent in phase that succeeded (ok) or got
// errors (!ok).
func (l *load) count(phase int32, ok bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, o := range l.seen {
		if o.phase == phase && o.ok == ok && o.err == nil {
			n++
		}
	}
	return n
}

func (l *load) outcomes() []outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]outcome(nil), l.seen...)
}

// get returns the status of a GET of path, 0 when there is no answer.
func (l *load) get(path string) int {
	res, err := l.client.Get(l.url + path)
	if err != nil {
		l.t.Logf("GET %s: %v", path, err)
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func (l *load) stop() {
	l.once.Do(func() {
		close(l.done)
		l.wg.Wait()
		l.client.CloseIdleConnections()
	})
}

// waitFor polls cond until it holds. Its deadline is only there for the
// test to end when cond never holds; it is far beyond what any step takes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
