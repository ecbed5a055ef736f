package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/internal/logtest"
	"github.com/jackc/pgx/v5"
)

var listening = regexp.MustCompile(`http://([^/]+)/`)

// serveFor starts Main with args and returns the base URL it listens on and
// a function that stops it and returns Main's error.
func serveFor(t *testing.T, env map[string]string, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out logtest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, args, func(k string) string { return env[k] }, &out, io.Discard)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			return "http://" + m[1], func() error { cancel(); return <-done }
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatal("server did not start")
	return "", nil
}

func post(t *testing.T, base, query string) string {
	t.Helper()
	res, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":`+quote(query)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestServeDemo(t *testing.T) {
	base, stop := serveFor(t, map[string]string{"AREAGRAPH_ADDR": "127.0.0.1:0"})
	body := post(t, base, `{ area(code: "1490") { name kind } }`)
	if !strings.Contains(body, `"name":"Borås"`) {
		t.Errorf("demo query answered %s", body)
	}
	if err := stop(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func TestSeedAndServePostGIS(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.SchemaURL(t)}
	ctx := context.Background()
	var out bytes.Buffer
	for _, cmd := range []string{"migrate", "migrate", "seed"} {
		if err := Main(ctx, []string{cmd}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	// Seeding again must not double the data.
	err := Main(ctx, []string{"seed"}, func(k string) string { return env[k] }, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("second seed: %v", err)
	}
	base, stop := serveFor(t, env, "serve", "--addr", "127.0.0.1:0")
	defer stop()
	body := post(t, base, `{ areas(filter: {kinds: [PRIORITY_AREA]}) { totalCount } }`)
	if !strings.Contains(body, `"totalCount":5`) {
		t.Errorf("priority areas from PostGIS: %s", body)
	}
	res, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/readyz: %s", res.Status)
	}
}

func TestUsage(t *testing.T) {
	var stderr bytes.Buffer
	if err := Main(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, io.Discard, &stderr); err == nil {
		t.Error("unknown command accepted")
	}
	if !strings.Contains(stderr.String(), "serve") {
		t.Errorf("usage not shown: %q", stderr.String())
	}
	if err := Main(context.Background(), []string{"migrate"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("migrate without a database: %v", err)
	}
}

// version and --version print one line with the build's version and
// revision, and touch nothing else.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		var stdout bytes.Buffer
		if err := Main(context.Background(), args, func(string) string { return "" }, &stdout, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if out := stdout.String(); !strings.HasPrefix(out, "areagraph ") || !strings.Contains(out, "revision ") ||
			strings.Count(out, "\n") != 1 {
			t.Errorf("%v printed %q", args, out)
		}
	}
}

// A binary newer than its database's schema refuses to serve, naming the
// migrations to apply, rather than failing request by request on what
// they add.
func TestServeRefusesAnUnmigratedDatabase(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.SchemaURL(t), "AREAGRAPH_ADDR": "127.0.0.1:0"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	// Were it to serve, it would stop (with no error) when this ends.
	serve := func() error {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return Main(ctx, []string{"serve"}, getenv, io.Discard, io.Discard)
	}
	err := serve()
	if err == nil || !strings.Contains(err.Error(), "0001_init") || !strings.Contains(err.Error(), `run "areagraph migrate" first`) {
		t.Fatalf("serve on an empty schema: %v", err)
	}
	if err := Main(ctx, []string{"migrate"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var last string
	if err := conn.QueryRow(ctx, `DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations) RETURNING version`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	err = serve()
	if err == nil || !strings.Contains(err.Error(), "lacks the migrations "+last+":") {
		t.Fatalf("serve without %s: %v", last, err)
	}
}
