package memlimit

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestLimits(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	env := map[string]string{}
	if !Own(func(k string) string { return env[k] }) {
		t.Error("without GOMEMLIMIT the process sets its own limit")
	}
	for _, v := range []string{"400MiB", "off"} {
		env["GOMEMLIMIT"] = v
		if Own(func(k string) string { return env[k] }) {
			t.Errorf("GOMEMLIMIT=%s: the process sets its own limit", v)
		}
	}

	dir := t.TempDir()
	small, large := filepath.Join(dir, "small"), filepath.Join(dir, "large")
	if err := os.WriteFile(small, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(large)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(100 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	debug.SetMemoryLimit(math.MaxInt64)
	Loading(small)
	if got := debug.SetMemoryLimit(-1); got != Min {
		t.Errorf("loading 1 MiB: limit %d, want the least, %d", got, Min)
	}
	Loading(large)
	if got := debug.SetMemoryLimit(-1); got != 500<<20 {
		t.Errorf("loading 100 MiB: limit %d, want five times it", got)
	}
	Loading(filepath.Join(dir, "missing"))
	if got := debug.SetMemoryLimit(-1); got != 500<<20 {
		t.Errorf("a missing file changed the limit to %d", got)
	}
	live, limit := Serving()
	if live <= 0 || limit != max(Min, 2*live) || debug.SetMemoryLimit(-1) != limit {
		t.Errorf("serving: heap %d, limit %d (set %d)", live, limit, debug.SetMemoryLimit(-1))
	}
}
