package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// TestImportAuditAndKeep runs the imports as an operator does and reads
// what the audit log says of them: an entry per area added or changed,
// one per import of values with the file's SHA-256, all by cli:<user>;
// and a re-import of a partial file keeps what it does not carry unless
// --replace is given.
func TestImportAuditAndKeep(t *testing.T) {
	c := newCLI(t)
	c.must("seed") // Borås, 1490, and its districts
	s := c.store()
	by := cliActor().ID
	square := `{"type":"Polygon","coordinates":[[[12.90,57.70],[12.92,57.70],[12.92,57.72],[12.90,57.72],[12.90,57.70]]]}`
	feature := func(props string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{` + props + `},"geometry":` + square + `}]}`
	}
	full := writeFile(t, "full.geojson", feature(`"code":"1490X1","name":"Test area","kind":"STATISTICAL_AREA",`+
		`"parent":"1490","description":"Drawn for the test.","validFrom":"2020-01-01"`))
	if out := c.must("import", "areas", full); !strings.HasSuffix(out, ": 1 added, 0 changed, 0 unchanged\n") {
		t.Errorf("import said %q", out)
	}
	a, err := s.AreaByCode(t.Context(), "1490X1")
	if err != nil {
		t.Fatal(err)
	}
	entries := func(rec string) []*db.AuditEntry {
		t.Helper()
		l, err := s.AuditLog(t.Context(), db.AuditFilter{RecordID: rec}, db.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	if e := entries(a.NodeID()); len(e) != 1 || e[0].Action != db.ActionCreate || e[0].Actor != by ||
		string(e[0].After) != string(db.AuditJSON(a)) {
		t.Errorf("the entries of the imported area: %+v, want one create by %s", e, by)
	}

	// A file with codes, names and shapes only renames the area and keeps
	// its parent, description and start.
	partial := writeFile(t, "partial.geojson", feature(`"code":"1490X1","name":"Test area, renamed","kind":"STATISTICAL_AREA"`))
	if out := c.must("import", "areas", partial); !strings.HasSuffix(out, ": 0 added, 1 changed, 0 unchanged\n") {
		t.Errorf("import said %q", out)
	}
	b, err := s.AreaByCode(t.Context(), "1490X1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "Test area, renamed" || b.ParentID != a.ParentID || b.Description != a.Description ||
		b.ValidFrom == nil || b.Version != 2 {
		t.Errorf("after a partial import: %+v, want the new name and the rest kept", b)
	}
	if e := entries(a.NodeID()); len(e) != 2 || e[0].Action != db.ActionUpdate ||
		string(e[0].Before) != string(db.AuditJSON(a)) || string(e[0].After) != string(db.AuditJSON(b)) {
		t.Errorf("the entries after a partial import: %d, want an update with before and after", len(e))
	}
	// The same file again changes nothing and is not audited.
	if out := c.must("import", "areas", partial); !strings.HasSuffix(out, ": 0 added, 0 changed, 1 unchanged\n") {
		t.Errorf("import said %q", out)
	}
	// With --replace the file is the whole truth.
	c.must("import", "areas", partial, "--replace")
	r, err := s.AreaByCode(t.Context(), "1490X1")
	if err != nil {
		t.Fatal(err)
	}
	if r.ParentID != 0 || r.Description != "" || r.ValidFrom != nil || r.Version != 3 {
		t.Errorf("after --replace: %+v, want parent, description and start cleared", r)
	}
	if n := len(entries(a.NodeID())); n != 3 {
		t.Errorf("%d entries after --replace, want 3", n)
	}

	// An import of values is one entry, named by the file's SHA-256.
	body := "area_code,indicator_code,year,value\n1490X1,unemployment,2030,5.5\n1490X1,unemployment,2031,6\n"
	path := writeFile(t, "values.csv", body)
	c.must("import", "indicators", path)
	sum := sha256.Sum256([]byte(body))
	e := entries("ValueImport:" + hex.EncodeToString(sum[:]))
	if len(e) != 1 || e[0].Actor != by || e[0].Type != db.TypeValueImport || e[0].Action != db.ActionCreate || e[0].Before != nil {
		t.Fatalf("the entries of the values' import: %+v", e)
	}
	var rec struct {
		File       string   `json:"file"`
		Added      int      `json:"added"`
		Indicators []string `json:"indicators"`
		Years      []int    `json:"years"`
	}
	if err := json.Unmarshal(e[0].After, &rec); err != nil || rec.File != path || rec.Added != 2 ||
		strings.Join(rec.Indicators, ",") != "unemployment" || len(rec.Years) != 2 {
		t.Errorf("the values' import: %s (%v)", e[0].After, err)
	}

	// A failed import leaves no entry.
	before, err := s.AuditLog(t.Context(), db.AuditFilter{}, db.Page{})
	if err != nil {
		t.Fatal(err)
	}
	bad := writeFile(t, "bad.csv", body+"NOWHERE,unemployment,2030,1\n")
	c.fails([]string{"import", "indicators", bad}, "NOWHERE")
	after, err := s.AuditLog(t.Context(), db.AuditFilter{}, db.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != before.Total {
		t.Errorf("a failed import wrote %d audit entries", after.Total-before.Total)
	}
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
}
