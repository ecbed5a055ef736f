package obs

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

// TestAccessLineAsSlogWritesIt: the access log's own JSON lines are byte
// for byte what slog's JSON handler writes for the same record, and a line
// with text JSON would escape goes through slog.
func TestAccessLineAsSlogWritesIt(t *testing.T) {
	at := time.Date(2026, 12, 7, 7, 4, 42, 123456789, time.UTC)
	cases := []access{
		{method: "POST", path: "/graphql", route: "/graphql", status: 200, elapsed: 731 * time.Microsecond, bytes: 305,
			graphQL: true, operation: "At", outcome: "ok"},
		{method: "GET", path: "/tiles/areas/12/2200/1200.mvt", route: "/tiles/{layer}/{z}/{x}/{y}.mvt", status: 200,
			elapsed: 12*time.Millisecond + 345*time.Microsecond + 999*time.Nanosecond, bytes: 40123, layer: "areas"},
		{method: "GET", path: "/healthz", route: "/healthz", status: 200, elapsed: 0},
		{method: "GET", path: "/nope", route: "other", status: 404, elapsed: time.Nanosecond, bytes: 19},
		{method: "POST", path: "/graphql", route: "/graphql", status: 499, elapsed: 30 * time.Second, graphQL: true,
			operation: "", outcome: "canceled"},
		{method: "GET", path: "/layers/x.geojson", route: "/layers/{layer}.geojson", status: 503, elapsed: 2*time.Hour + time.Microsecond,
			layer: "other"},
		{method: "GET", path: "/a b/<&>", route: "other", status: 200, elapsed: 999 * time.Millisecond},
	}
	for _, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn} {
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("CET", 3600)} {
			for _, a := range cases {
				var viaSlog, direct bytes.Buffer
				h := slog.NewJSONHandler(&viaSlog, &slog.HandlerOptions{Level: slog.LevelDebug})
				r := slog.NewRecord(at.In(loc), level, "request", 0)
				r.AddAttrs(a.attrs()...)
				r.AddAttrs(slog.String("request_id", "DV2C4P6PTPMLCLF5APIXXBRXSR"))
				if err := h.Handle(context.Background(), r); err != nil {
					t.Fatal(err)
				}
				if !a.plain() {
					t.Fatalf("%+v is not plain", a)
				}
				(&directJSON{&lockedWriter{w: &direct}}).write(level, at.In(loc), &a, "DV2C4P6PTPMLCLF5APIXXBRXSR")
				if direct.String() != viaSlog.String() {
					t.Errorf("%s %+v:\n direct %s slog   %s", level, a, direct.String(), viaSlog.String())
				}
			}
		}
	}

	// Through logAccess: a logger from NewLogger writes plain lines itself
	// and the others through slog, alike to a reader.
	for _, path := range []string{"/graphql", "/sök", "/a\"b\\c", "/\x00\x1f", "/\xff"} {
		var out bytes.Buffer
		log, err := NewLogger(&out, FormatJSON, slog.LevelInfo)
		if err != nil {
			t.Fatal(err)
		}
		ctx := WithRequest(context.Background(), &Request{ID: "r-1"})
		logAccess(ctx, log, slog.LevelInfo, at, &access{method: "GET", path: path, route: "other", status: 404})
		logAccess(ctx, log, slog.LevelDebug, at, &access{method: "GET", path: path, route: "other", status: 200})
		var line map[string]any
		if err := json.Unmarshal(out.Bytes(), &line); err != nil {
			t.Fatalf("%q: %v: %s", path, err, out.String())
		}
		want := path
		if path == "/\xff" {
			want = "/\ufffd"
		}
		if line["path"] != want || line["request_id"] != "r-1" || line["status"] != 404.0 || line["msg"] != "request" {
			t.Errorf("%q: %s", path, out.String())
		}
	}
}

// TestRequestIDs: ids the server makes are 26 characters of base32, as
// crypto/rand.Text's, and differ.
func TestRequestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 10000 {
		id := newRequestID()
		if len(id) != 26 || !plainText(id) {
			t.Fatalf("id %q", id)
		}
		for i := range len(id) {
			if !bytes.ContainsRune([]byte(idAlphabet), rune(id[i])) {
				t.Fatalf("id %q has %q", id, id[i])
			}
		}
		if seen[id] {
			t.Fatalf("id %q twice", id)
		}
		seen[id] = true
	}
}
