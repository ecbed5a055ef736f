package main

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db/datasetfile"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/internal/memlimit"
)

// TestServeDataSetsItsMemoryLimit: an embedded server with a dataset file
// sets its own soft memory limit and logs it, unless GOMEMLIMIT set one.
func TestServeDataSetsItsMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	path := filepath.Join(t.TempDir(), "demo.agds")
	if err := datasetfile.WriteFile(path, demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	for _, own := range []bool{true, false} {
		debug.SetMemoryLimit(math.MaxInt64)
		var logs bytes.Buffer
		s, _, err := openStore(context.Background(), storeSource{dataFile: path, ownMemoryLimit: own,
			log: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		limit := debug.SetMemoryLimit(-1)
		logged := strings.Contains(logs.String(), "memory limit")
		switch {
		case own && (limit < memlimit.Min || limit == math.MaxInt64 || !logged):
			t.Errorf("without GOMEMLIMIT: limit %d, logged %v: %s", limit, logged, logs.String())
		case !own && (limit != math.MaxInt64 || logged):
			t.Errorf("with GOMEMLIMIT: limit %d, logged %v", limit, logged)
		}
	}
}
