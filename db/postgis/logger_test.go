package postgis

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/internal/logtest"
)

// TestReplicaLogsThroughWithLogger: the area replica logs its load, the
// loss of its feed in an outage and its reload through the logger given
// to Open, so that under a JSON log every one of its lines is JSON.
func TestReplicaLogsThroughWithLogger(t *testing.T) {
	ctx := t.Context()
	var logs logtest.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	proxy, proxied := pgtest.NewProxy(t, pgtest.SchemaURL(t))
	s, err := Open(ctx, proxied, WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	waitLive(t, s)
	proxy.Cut()
	eventually(t, "the replica to log the lost feed", func() error {
		_, _ = s.AreasAt(ctx, orb.Point{12.25, 57.75}, nil, time.Time{})
		if !strings.Contains(logs.String(), "feed lost") {
			return fmt.Errorf("log so far: %s", logs.String())
		}
		return nil
	})
	proxy.Restore()
	waitLive(t, s)

	var loaded, lost int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("a line that is not JSON: %q", line)
			continue
		}
		msg, _ := rec["msg"].(string)
		switch {
		case msg == "area replica loaded":
			loaded++
		case strings.Contains(msg, "feed lost"):
			lost++
			if rec["level"] != "WARN" {
				t.Errorf("the lost feed at level %v, want WARN", rec["level"])
			}
		}
	}
	if loaded < 2 || lost < 1 {
		t.Errorf("%d loads and %d lost feeds logged, want 2 and 1:\n%s", loaded, lost, logs.String())
	}
}
