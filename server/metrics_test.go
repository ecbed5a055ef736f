package server_test

import (
	"bufio"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/internal/logtest"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/obs"
	"github.com/areagraph/areagraph/server"
)

// scrape returns the samples of /metrics whose line starts with prefix,
// as name{labels} → value text.
func scrape(t *testing.T, base, prefix string) map[string]string {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", res.Status)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, prefix) {
			i := strings.LastIndexByte(line, ' ')
			out[line[:i]] = line[i+1:]
		}
	}
	return out
}

func TestMetrics(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{}))
	defer srv.Close()
	postAs(t, srv.URL, grJSON, `{"query":"query AreaNames { areas { nodes { name } } }"}`)
	postAs(t, srv.URL, grJSON, `{"query":"query AreaNames { areas { nodes { name } } }"}`)
	postAs(t, srv.URL, grJSON, `{"query":"{ area(code: \"nope\") { name } }"}`)
	postAs(t, srv.URL, grJSON, `{"query":"{ nope }"}`)
	for _, path := range []string{"/layers/districts.geojson", "/tiles/districts/10/549/297.mvt", "/tiles/districts.json", "/layers/no-such-layer.geojson"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	got := scrape(t, srv.URL, "areagraph_")
	for _, want := range []string{
		`areagraph_graphql_requests_total{operation="AreaNames",outcome="ok"} 2`,
		`areagraph_graphql_requests_total{operation="anonymous",outcome="NOT_FOUND"} 1`,
		`areagraph_graphql_requests_total{operation="anonymous",outcome="GRAPHQL_VALIDATION_FAILED"} 1`,
		`areagraph_graphql_request_duration_seconds_count{operation="AreaNames",outcome="ok"} 2`,
		`areagraph_http_requests_total{code="200",layer="",route="/graphql"} 3`,
		`areagraph_http_requests_total{code="400",layer="",route="/graphql"} 1`,
		`areagraph_http_requests_total{code="200",layer="districts",route="/layers/{layer}.geojson"} 1`,
		`areagraph_http_requests_total{code="200",layer="districts",route="/tiles/{layer}.json"} 1`,
		`areagraph_http_request_duration_seconds_count{layer="districts",route="/tiles/{layer}/{z}/{x}/{y}.mvt"} 1`,
		// An unknown layer takes no label of its own.
		`areagraph_http_requests_total{code="400",layer="other",route="/layers/{layer}.geojson"} 1`,
		`areagraph_store_call_duration_seconds_count{method="AreaByCode",outcome="NOT_FOUND"} 1`,
		// The scrape itself is in flight.
		`areagraph_http_requests_in_flight 1`,
	} {
		i := strings.LastIndexByte(want, ' ')
		if v := got[want[:i]]; v != want[i+1:] {
			t.Errorf("want %s, got %q", want, v)
		}
	}
	// The map layers call the store as well; every call is timed.
	if _, ok := got[`areagraph_store_call_duration_seconds_count{method="Areas",outcome="ok"}`]; !ok {
		t.Error("no timings of Areas")
	}
	if _, ok := got["areagraph_db_pool_total_connections"]; ok {
		t.Error("pool metrics for a store without a pool")
	}
}

func TestMetricsOff(t *testing.T) {
	srv := httptest.NewServer(server.New(memory.New(), server.Config{DisableMetrics: true}))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics with metrics off: %s", res.Status)
	}
}

// pooledStore has a connection pool to report.
type pooledStore struct{ *memory.Store }

func (pooledStore) PoolStats() (acquired, idle, total int32) { return 2, 3, 5 }

func TestPoolMetrics(t *testing.T) {
	srv := httptest.NewServer(server.New(pooledStore{memory.New()}, server.Config{}))
	defer srv.Close()
	got := scrape(t, srv.URL, "areagraph_db_pool_")
	for name, want := range map[string]string{"acquired": "2", "idle": "3", "total": "5"} {
		if v := got["areagraph_db_pool_"+name+"_connections"]; v != want {
			t.Errorf("%s connections: %q, want %s", name, v, want)
		}
	}
}

func TestRequestIDsAndLogs(t *testing.T) {
	var logs logtest.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	srv := httptest.NewServer(server.New(failingStore{memory.New()}, server.Config{Log: log}))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"query Where { areasAt(lon: 12.9, lat: 57.7) { name } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "req-42")
	a := send(t, req)
	if a.header.Get("X-Request-Id") != "req-42" {
		t.Errorf("X-Request-Id %q, want the client's echoed", a.header.Get("X-Request-Id"))
	}
	// The cause goes to the log with the request id; the client sees
	// neither.
	internal := logs.Records(t, "internal error")
	if len(internal) != 1 || internal[0]["request_id"] != "req-42" || !strings.Contains(internal[0]["error"].(string), "SQLSTATE") {
		t.Errorf("internal error logged as %v, want the cause with request_id req-42", internal)
	}
	access := logs.Records(t, "request")
	if len(access) != 1 {
		t.Fatalf("%d access log lines, want 1", len(access))
	}
	for k, want := range map[string]any{"request_id": "req-42", "method": "POST", "path": "/graphql", "route": "/graphql",
		"status": float64(200), "operation": "Where", "outcome": "INTERNAL"} {
		if access[0][k] != want {
			t.Errorf("access log %s = %v, want %v", k, access[0][k], want)
		}
	}
	if _, ok := access[0]["duration_ms"].(float64); !ok {
		t.Errorf("access log has no duration: %v", access[0])
	}

	// Without an id, or with one that could forge log lines, the server
	// makes one.
	for _, given := range []string{"", "two words", strings.Repeat("x", 200)} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/healthz", nil)
		if given != "" {
			req.Header.Set("X-Request-Id", given)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if id := res.Header.Get("X-Request-Id"); id == "" || id == given {
			t.Errorf("id for %q: %q, want a new one", given, id)
		}
	}
}

// The access log of a probe is at debug level: health checks come every
// few seconds and would drown the rest.
func TestProbesLogQuietly(t *testing.T) {
	var logs logtest.Buffer
	log, err := obs.NewLogger(&logs, obs.FormatJSON, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(memory.New(), server.Config{Log: log}))
	defer srv.Close()
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/graphql?query={__typename}"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	access := logs.Records(t, "request")
	if len(access) != 1 || access[0]["path"] != "/graphql" {
		t.Errorf("logged at info: %v, want only the GraphQL request", access)
	}
}

// The build's identity is a metric, so a dashboard tells which build
// served a series.
func TestBuildInfoMetric(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{}))
	defer srv.Close()
	got := scrape(t, srv.URL, "areagraph_build_info")
	if len(got) != 1 {
		t.Fatalf("areagraph_build_info samples: %v, want one", got)
	}
	for name, v := range got {
		if v != "1" || !strings.Contains(name, `version="`) || !strings.Contains(name, `revision="`) {
			t.Errorf("%s %s: want value 1 with version and revision labels", name, v)
		}
	}
}
