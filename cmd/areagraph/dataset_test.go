package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// A database exported as a dataset file serves from memory as it was:
// the same records, ids and versions.
func TestExportDatasetServeData(t *testing.T) {
	c := newCLI(t)
	c.must("seed")
	ctx := context.Background()
	s := c.store()
	norrby, err := s.AreaByCode(ctx, "1490-P01")
	if err != nil {
		t.Fatal(err)
	}
	norrby.Name = "Norrby centrum"
	if _, err := s.UpdateArea(ctx, db.Actor{ID: "cli", Role: db.RoleAdmin}, norrby.ID, norrby.Version, norrby.Patch()); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "boras.agds")
	if err := os.WriteFile(path, []byte(c.must("export", "dataset")), 0o644); err != nil {
		t.Fatal(err)
	}
	c.fails([]string{"serve", "--data", path}, "--data is for the embedded store")

	base, stop := serveFor(t, map[string]string{
		"AREAGRAPH_ADDR":      "127.0.0.1:0",
		"AREAGRAPH_DATA":      path,
		"AREAGRAPH_KEYS_FILE": filepath.Join(t.TempDir(), "keys.json"),
	})
	defer stop()
	const q = `{ area(code: "1490-P01") { id name version } initiatives { totalCount } employers { totalCount } ` +
		`indicators { code } }`
	got := post(t, base, q)
	for _, want := range []string{`"name":"Norrby centrum"`, `"version":2`, `"id":"` + norrby.NodeID() + `"`} {
		if !strings.Contains(got, want) {
			t.Errorf("served from the file: %s\nwant it to hold %s", got, want)
		}
	}
	all, err := s.Initiatives(ctx, db.InitiativeFilter{}, db.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := `"initiatives":{"totalCount":` + strconv.Itoa(all.Total) + `}`; !strings.Contains(got, want) {
		t.Errorf("served from the file: %s\nwant %s", got, want)
	}
}
