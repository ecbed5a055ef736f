package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/logtest"
	"github.com/paulmach/orb"
)

func TestHelpDocumentsEveryFlag(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"serve", "-h"}} {
		var stdout, stderr bytes.Buffer
		if err := Main(context.Background(), args, func(string) string { return "" }, &stdout, &stderr); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		help := stdout.String() + stderr.String()
		for _, s := range serveSettings {
			line := flagLine(help, s.flag)
			if line == "" || !strings.Contains(line, "(env "+s.env+")") {
				t.Errorf("%v: -%s is not documented with its variable %s:\n%s", args, s.flag, s.env, line)
			}
		}
	}
	// Every flag of serve is in the list that the help and the log use.
	fs, _ := serveFlags(io.Discard)
	fs.VisitAll(func(f *flag.Flag) {
		for _, s := range serveSettings {
			if s.flag == f.Name {
				return
			}
		}
		t.Errorf("-%s has no environment variable", f.Name)
	})
}

// flagLine returns the usage of -name: its line and the one below it.
func flagLine(help, name string) string {
	lines := strings.Split(help, "\n")
	for i, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "-"+name && i+1 < len(lines) {
			return l + "\n" + lines[i+1]
		}
	}
	return ""
}

func TestServeConfig(t *testing.T) {
	env := map[string]string{
		"AREAGRAPH_ADDR":                "127.0.0.1:9999",
		"AREAGRAPH_TIMEOUT":             "3s",
		"AREAGRAPH_MAX_DEPTH":           "8",
		"AREAGRAPH_MAX_BODY":            "64KiB",
		"AREAGRAPH_INTROSPECTION":       "false",
		"AREAGRAPH_TREE_READS":          "false",
		"AREAGRAPH_APQ_CACHE":           "0",
		"AREAGRAPH_QUERY_CACHE_BYTES":   "4MiB",
		"AREAGRAPH_CORS_ORIGINS":        "https://a.example, https://b.example",
		"AREAGRAPH_BASEMAP_URL":         "https://tiles.example/{z}/{x}/{y}.png",
		"AREAGRAPH_TRUSTED_PROXIES":     "10.0.0.0/8, 192.0.2.7",
		"AREAGRAPH_BASE_PATH":           "/areagraph/",
		"AREAGRAPH_OUTLINE_CACHE_BYTES": "32MiB",
	}
	cfg, err := loadServeConfig([]string{"--max-depth", "9", "--graphiql=false", "--basemap-attribution", "© T"},
		func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	sc := cfg.server(nil)
	switch {
	case cfg.addr != "127.0.0.1:9999":
		t.Errorf("addr %q from the environment", cfg.addr)
	case sc.Limits.Timeout != 3*time.Second || sc.Limits.MaxBodyBytes != 64<<10:
		t.Errorf("limits %+v", sc.Limits)
	case sc.Limits.MaxDepth != 9:
		t.Errorf("max depth %d: the flag must win over the variable", sc.Limits.MaxDepth)
	case !sc.DisableIntrospection || !sc.DisableGraphiQL || sc.DisableMetrics || !sc.DisableTreeReads:
		t.Errorf("switches %+v", sc)
	case sc.APQCacheSize >= 0:
		t.Errorf("APQ cache %d: 0 on the command line turns them off", sc.APQCacheSize)
	case sc.QueryCacheBytes != 4<<20 || sc.APQCacheBytes != graph.DefaultAPQCacheBytes:
		t.Errorf("cache budgets %d and %d bytes", sc.QueryCacheBytes, sc.APQCacheBytes)
	case sc.OutlineCacheBytes != 32<<20:
		t.Errorf("outline cache budget %d bytes, want 32 MiB from the environment", sc.OutlineCacheBytes)
	case len(sc.AllowedOrigins) != 2 || sc.AllowedOrigins[1] != "https://b.example":
		t.Errorf("origins %q", sc.AllowedOrigins)
	case sc.Explorer.BasemapURL != env["AREAGRAPH_BASEMAP_URL"] || sc.Explorer.BasemapAttribution != "© T":
		t.Errorf("map explorer %+v", sc.Explorer)
	case fmt.Sprint(sc.Forwarding) != "{[10.0.0.0/8 192.0.2.7/32] /areagraph}":
		t.Errorf("forwarding %v", sc.Forwarding)
	}

	for _, bad := range []struct {
		env  map[string]string
		args []string
		says string
	}{
		{map[string]string{"AREAGRAPH_TIMEOUT": "soon"}, nil, "AREAGRAPH_TIMEOUT"},
		{map[string]string{"AREAGRAPH_INTROSPECTION": "maybe"}, nil, "AREAGRAPH_INTROSPECTION"},
		{map[string]string{"AREAGRAPH_MAX_BODY": "lots"}, nil, "AREAGRAPH_MAX_BODY"},
		{nil, []string{"--max-depth", "0"}, "--max-depth must be positive"},
		{nil, []string{"--log-format", "xml"}, "--log-format"},
		{nil, []string{"--log-level", "loud"}, "--log-level"},
		{nil, []string{"--apq-cache", "-1"}, "--apq-cache"},
		{nil, []string{"--query-cache-bytes", "0"}, "--query-cache-bytes must be positive"},
		{nil, []string{"--outline-cache-bytes", "0"}, "--outline-cache-bytes must be positive"},
		{nil, []string{"--geojson-cache-bytes", "0"}, "--geojson-cache-bytes must be positive"},
		{nil, []string{"extra"}, "no arguments"},
		{nil, []string{"--trusted-proxies", "10.0.0.0/33"}, "--trusted-proxies"},
		{map[string]string{"AREAGRAPH_BASE_PATH": "areagraph"}, nil, "--base-path"},
		{nil, []string{"--basemap-url", "https://tiles.example/tile.png"}, "{z}"},
	} {
		_, err := loadServeConfig(bad.args, func(k string) string { return bad.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%v %v: %v, want an error naming %s", bad.env, bad.args, err, bad.says)
		}
	}
}

func TestSplitURLs(t *testing.T) {
	got := splitURLs(" postgres://r1/x?search_path=a,public , postgresql://r2/x,")
	want := []string{"postgres://r1/x?search_path=a,public", "postgresql://r2/x"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("splitURLs = %q, want %q", got, want)
	}
}

func TestMaskSecret(t *testing.T) {
	for in, want := range map[string]string{
		"": "",
		"postgres://alice:s3cret@db:5432/x?sslmode=disable": "postgres://alice:xxxxx@db:5432/x?sslmode=disable",
		"postgresql://alice@db/x":                           "postgresql://alice@db/x",
		"postgres://db/x?user=alice&password=s3cret":        "postgres://db/x?password=xxxxx&user=alice",
		"host=db user=alice password=s3cret dbname=x":       "host=db user=alice password=xxxxx dbname=x",
		"host=db password='s3 cret' dbname=x":               "host=db password=xxxxx dbname=x",
		"postgres://alice:s3cr%t@db/x":                      "postgres://alice:xxxxx@db/x",
		"postgres://a:s1@r1/x,postgres://b:s2@r2/x":         "postgres://a:xxxxx@r1/x,postgres://b:xxxxx@r2/x",
	} {
		if got := maskSecret(in); got != want {
			t.Errorf("maskSecret(%q) = %q, want %q", in, got, want)
		}
	}
	var b byteSize
	for in, want := range map[string]int64{"1048576": 1 << 20, "1MiB": 1 << 20, "64 KiB": 64 << 10, "512B": 512, "1GiB": 1 << 30} {
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("size %q = %d, %v; want %d", in, b, err, want)
		}
	}
}

// The configuration is logged at start, password masked, even when the
// database it names cannot be reached.
func TestConfigurationIsLogged(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":         "postgres://alice:s3cret@127.0.0.1:1/areagraph?sslmode=disable&connect_timeout=5",
		"AREAGRAPH_ADDR":       "127.0.0.1:0",
		"AREAGRAPH_LOG_FORMAT": "json",
	}
	var stderr logtest.Buffer
	err := Main(context.Background(), nil, func(k string) string { return env[k] }, io.Discard, &stderr)
	if err == nil {
		t.Fatal("served from a database that is not there")
	}
	if strings.Contains(stderr.String()+err.Error(), "s3cret") {
		t.Errorf("the password shows:\n%s\n%v", stderr.String(), err)
	}
	var cfg map[string]any
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, `"msg":"configuration"`) {
			if err := json.Unmarshal([]byte(line), &cfg); err != nil {
				t.Fatal(err)
			}
		}
	}
	if cfg["database-url"] != "postgres://alice:xxxxx@127.0.0.1:1/areagraph?sslmode=disable&connect_timeout=5" || cfg["timeout"] != "10s" {
		t.Errorf("configuration logged as %v", cfg)
	}
}

// heldStore holds AreasAt until released, to keep a request in flight.
type heldStore struct {
	db.Store
	entered chan struct{}
	release chan struct{}
}

func (s *heldStore) AreasAt(ctx context.Context, pt orb.Point, kinds []db.AreaKind, on time.Time) ([]*db.Area, error) {
	s.entered <- struct{}{}
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Store.AreasAt(ctx, pt, kinds, on)
}

// SIGTERM (the context's end) stops new work but lets a request in flight
// finish, and then Main returns.
func TestShutdownDrainsRequestsInFlight(t *testing.T) {
	held := &heldStore{entered: make(chan struct{}, 1), release: make(chan struct{})}
	open := openServeStore
	openServeStore = func(ctx context.Context, src storeSource) (db.Store, string, error) {
		s, what, err := open(ctx, src)
		held.Store = s
		return held, what, err
	}
	defer func() { openServeStore = open }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr logtest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, []string{"--addr", "127.0.0.1:0", "--log-format", "json"}, func(string) string { return "" }, &stdout, &stderr)
	}()
	base := waitFor(t, func() string {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			return "http://" + m[1]
		}
		return ""
	}, done)

	type result struct {
		body string
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		res, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"{ areasAt(lon: 12.936, lat: 57.729) { name } }"}`))
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		answered <- result{string(b), err}
	}()
	<-held.entered // the request is in the store
	cancel()       // what SIGTERM does to main's context
	waitFor(t, func() string {
		if strings.Contains(stderr.String(), `"msg":"shutting down"`) {
			return "yes"
		}
		return ""
	}, nil)
	close(held.release)

	r := <-answered
	if r.err != nil || !strings.Contains(r.body, "Norrby") {
		t.Errorf("the request in flight got %q, %v; want its answer", r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("Main: %v", err)
	}
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no stop in the log:\n%s", stderr.String())
	}
}

// waitFor polls cond until it returns something, failing if Main ends
// first (when done is given) or nothing comes within a generous while.
func waitFor(t *testing.T, cond func() string, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if v := cond(); v != "" {
			return v
		}
		select {
		case err := <-done:
			t.Fatalf("Main ended: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("gave up waiting")
	return ""
}
