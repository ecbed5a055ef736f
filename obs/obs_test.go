package obs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/obs"
	dto "github.com/prometheus/client_model/go"
)

// samples returns, for a metric family, the label sets of its series with
// their counts (counters) or sample counts (histograms).
func samples(t *testing.T, m *obs.Metrics, family string) map[string]float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != family {
			continue
		}
		for _, s := range f.GetMetric() {
			var labels []string
			for _, l := range s.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[strings.Join(labels, ",")] = value(s)
		}
	}
	return out
}

func value(s *dto.Metric) float64 {
	switch {
	case s.Counter != nil:
		return s.Counter.GetValue()
	case s.Histogram != nil:
		return float64(s.Histogram.GetSampleCount())
	case s.Gauge != nil:
		return s.Gauge.GetValue()
	}
	return 0
}

// nilStore has no methods of its own: every call panics, which the
// decorator must record and pass on.
type nilStore struct{ db.Store }

// Every method of db.Store is timed under its own name. The decorator
// spells each method out, so this catches a name copied wrong.
func TestInstrumentStoreTimesEveryMethod(t *testing.T) {
	m := obs.NewMetrics()
	s := reflect.ValueOf(obs.InstrumentStore(nilStore{}, m))
	iface := reflect.TypeFor[db.Store]()
	for i := range iface.NumMethod() {
		name := iface.Method(i).Name
		if name == "Close" {
			continue
		}
		method := s.MethodByName(name)
		args := make([]reflect.Value, method.Type().NumIn())
		for j := range args {
			if in := method.Type().In(j); in == reflect.TypeFor[context.Context]() {
				args[j] = reflect.ValueOf(context.Background())
			} else {
				args[j] = reflect.Zero(in)
			}
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: the panic was swallowed", name)
				}
			}()
			method.Call(args)
		}()
		got := samples(t, m, "areagraph_store_call_duration_seconds")
		if got["method="+name+",outcome=INTERNAL"] != 1 {
			t.Errorf("%s: not timed under its name: %v", name, got)
		}
	}
}

func TestInstrumentStoreOutcomes(t *testing.T) {
	m := obs.NewMetrics()
	s := obs.InstrumentStore(memory.New(), m)
	ctx := context.Background()
	_ = s.Ping(ctx)
	_, _ = s.AreaByCode(ctx, "nope")
	// A caller that gave up is not a database that failed, nor is a
	// deadline.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	_, _ = s.Areas(gone, db.AreaFilter{}, db.Page{Limit: 1})
	late, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	_, _ = s.Areas(late, db.AreaFilter{}, db.Page{Limit: 1})
	// A tree the store does not read is refused as the contract has it
	// (db.ErrTreeUnsupported), and answered another way: no failure.
	_ = s.(db.TreeReader).ReadTree(ctx, &db.Tree{Root: db.TreeNode{Type: db.TreeInitiative}}, io.Discard)
	got := samples(t, m, "areagraph_store_call_duration_seconds")
	for _, want := range []string{"method=Ping,outcome=ok", "method=AreaByCode,outcome=NOT_FOUND",
		"method=Areas,outcome=canceled", "method=Areas,outcome=timeout", "method=ReadTree,outcome=unsupported"} {
		if got[want] != 1 {
			t.Errorf("%s: %v", want, got)
		}
	}
}

// serve runs h behind the middleware for one request to target.
func serve(h http.Handler, opts obs.Options, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	obs.Middleware(h, opts).ServeHTTP(rec, req)
	return rec
}

func TestOperationLabelsAreCapped(t *testing.T) {
	m := obs.NewMetrics()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obs.SetGraphQL(r.Context(), r.URL.Query().Get("op"), "ok")
	})
	opts := obs.Options{Metrics: m, Log: slog.New(slog.DiscardHandler)}
	extra := 5
	for i := range obs.MaxOperationLabels + extra {
		serve(h, opts, "/graphql?op=Op"+strconv.Itoa(i))
	}
	serve(h, opts, "/graphql?op=Op0")
	serve(h, opts, "/graphql")
	got := samples(t, m, "areagraph_graphql_requests_total")
	if len(got) != obs.MaxOperationLabels+1 {
		t.Errorf("%d operation series, want %d and other", len(got), obs.MaxOperationLabels)
	}
	for labels, want := range map[string]float64{
		"operation=Op0,outcome=ok":   2,
		"operation=other,outcome=ok": float64(extra + 1), // the anonymous one came after the cap too
	} {
		if got[labels] != want {
			t.Errorf("%s: %v, want %v", labels, got[labels], want)
		}
	}
}

func TestLayerLabels(t *testing.T) {
	m := obs.NewMetrics()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, _ := strconv.Atoi(r.URL.Query().Get("status"))
		w.WriteHeader(status)
	})
	opts := obs.Options{Metrics: m, Log: slog.New(slog.DiscardHandler), Route: func(r *http.Request) (string, string) {
		return "/layers", r.URL.Query().Get("layer")
	}}
	serve(h, opts, "/?layer=bogus&status=404")  // unknown: other
	serve(h, opts, "/?layer=areas&status=200")  // served: admitted
	serve(h, opts, "/?layer=areas&status=400")  // known: keeps its name
	serve(h, opts, "/?layer=bogus2&status=400") // still other
	got := samples(t, m, "areagraph_http_requests_total")
	for labels, want := range map[string]float64{
		"code=404,layer=other,route=/layers": 1,
		"code=200,layer=areas,route=/layers": 1,
		"code=400,layer=areas,route=/layers": 1,
		"code=400,layer=other,route=/layers": 1,
	} {
		if got[labels] != want {
			t.Errorf("%s: %v, want %v (all: %v)", labels, got[labels], want, got)
		}
	}
}

func TestPanicIsAnsweredAndLogged(t *testing.T) {
	var logs bytes.Buffer
	log, _ := obs.NewLogger(&logs, obs.FormatJSON, slog.LevelInfo)
	m := obs.NewMetrics()
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	rec := serve(h, obs.Options{Log: log, Metrics: m}, "/x", "X-Request-Id", "r-1")
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "INTERNAL") || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("answer %d %s, want a bare 500", rec.Code, rec.Body)
	}
	var panicked, access bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		panicked = panicked || r["msg"] == "panic serving request" && r["panic"] == "boom" && r["request_id"] == "r-1"
		access = access || r["msg"] == "request" && r["status"] == float64(500)
	}
	if !panicked || !access {
		t.Errorf("log %s: want the panic with its request id, and the request with 500", logs.String())
	}
	if got := samples(t, m, "areagraph_http_requests_in_flight"); got[""] != 0 {
		t.Errorf("in flight after the panic: %v", got)
	}
}

func TestNewLogger(t *testing.T) {
	for _, tc := range []struct {
		format string
		json   bool
	}{{obs.FormatJSON, true}, {obs.FormatText, false}, {obs.FormatAuto, true}} {
		var b bytes.Buffer
		log, err := obs.NewLogger(&b, tc.format, slog.LevelInfo)
		if err != nil {
			t.Fatal(err)
		}
		log.Debug("hidden")
		log.InfoContext(obs.WithRequest(context.Background(), &obs.Request{ID: "abc"}), "shown")
		out := b.String()
		if strings.Contains(out, "hidden") || !strings.Contains(out, "shown") || !strings.Contains(out, "abc") {
			t.Errorf("%s: %q", tc.format, out)
		}
		if isJSON := json.Valid([]byte(strings.TrimSpace(out))); isJSON != tc.json {
			t.Errorf("%s (not a terminal): JSON %v, want %v: %q", tc.format, isJSON, tc.json, out)
		}
	}
	if _, err := obs.NewLogger(&bytes.Buffer{}, "xml", slog.LevelInfo); err == nil {
		t.Error("format xml accepted")
	}
	for s, want := range map[string]slog.Level{"debug": slog.LevelDebug, "INFO": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := obs.ParseLevel(s); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := obs.ParseLevel("loud"); err == nil {
		t.Error("level loud accepted")
	}
}

func ExamplePatternPath() {
	for _, p := range []string{"GET /{$}", "/graphql", "GET /healthz", ""} {
		fmt.Println(obs.PatternPath(p))
	}
	// Output:
	// /
	// /graphql
	// /healthz
	// other
}
