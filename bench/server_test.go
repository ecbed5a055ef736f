package bench

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db/datasetfile"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/internal/memlimit"
)

// TestServerSaysItsMemoryLimit: the embedded server child says which soft
// memory limit it serves under, the one it set itself or GOMEMLIMIT's,
// and the report names it beside the memory it measured.
func TestServerSaysItsMemoryLimit(t *testing.T) {
	t.Setenv(serveEnv, "1")
	cfg := testConfig(t, Config{Backends: []string{BackendMemory}})
	file := filepath.Join(cfg.Dir, "demo.agds")
	if err := datasetfile.WriteFile(file, demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		env      []string
		set      string
		limit    int64
		reported string
	}{
		{nil, "self", memlimit.Min, "the limit it set itself, 256 MiB"},
		{[]string{"GOMEMLIMIT=300MiB"}, "GOMEMLIMIT", 300 << 20, "GOMEMLIMIT=300 MiB"},
	} {
		t.Run(c.set, func(t *testing.T) {
			if c.env == nil {
				t.Setenv("GOMEMLIMIT", "")
			}
			s, err := startServer(t.Context(), cfg, BackendMemory, c.env, "-data", file)
			if err != nil {
				t.Fatal(err)
			}
			st := s.stats()
			s.stop()
			if st.MemoryLimitSet != c.set || st.MemoryLimit != c.limit {
				t.Errorf("the server says its limit is %d, set by %q; want %d by %q",
					st.MemoryLimit, st.MemoryLimitSet, c.limit, c.set)
			}
			r := &Report{Servers: []ServerStats{st}}
			r.evaluate()
			var line string
			for _, tg := range r.Targets {
				if strings.Contains(tg.What, "under the loads") {
					line = tg.Got
				}
			}
			if !strings.Contains(line, c.reported) {
				t.Errorf("the report says %q, want it to name %q", line, c.reported)
			}
		})
	}
}
