// Package archtest holds the tests that keep the package layout honest:
// the arrows of the architecture (cmd → server → graph, layers, web →
// analysis → db → geo) point downhill only. A forbidden import fails here
// with the path that brought it in, long before a reviewer would notice.
package archtest

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/areagraph/areagraph"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// packages lists every package of the module with its imports and its
// transitive dependencies, test files left out: tests may reach further
// than the code they test (graph's tests run a PostGIS store, say).
func packages(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	all := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("go list output: %v", err)
		}
		all[strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")] = p
	}
	return all
}

// rule forbids the packages under from (and from itself) to depend, even
// indirectly, on any package whose path starts with one of the prefixes.
type rule struct {
	from   string
	forbid []string
	why    string
}

var rules = []rule{
	{"geo", []string{"github.com/99designs/gqlgen", "github.com/vektah/gqlparser", module + "/"}, "geo is geometry only: no GraphQL, no domain"},
	{"db", []string{"github.com/99designs/gqlgen", "github.com/vektah/gqlparser", module + "/graph", module + "/server", module + "/layers", module + "/web", module + "/analysis", module + "/auth", module + "/transfer"}, "db is the storage contract: it knows no GraphQL and nothing above it"},
	{"analysis", []string{"github.com/99designs/gqlgen", "github.com/vektah/gqlparser", "github.com/jackc/pgx", module + "/graph", module + "/server", module + "/layers", module + "/web", module + "/db/memory", module + "/db/postgis"}, "analysis works on what the store returns"},
	{"graph", []string{module + "/layers", module + "/web", module + "/server", module + "/db/memory", module + "/db/postgis", "github.com/jackc/pgx", module + "/transfer"}, "graph is GraphQL only: no backend, no other HTTP surface"},
	{"layers", []string{module + "/graph", module + "/web", module + "/server", module + "/ogcapi", module + "/db/memory", module + "/db/postgis", "github.com/jackc/pgx", "github.com/99designs/gqlgen"}, "layers serves plain HTTP over the store contract"},
	{"ogcapi", []string{module + "/graph", module + "/web", module + "/server", module + "/db/memory", module + "/db/postgis", "github.com/jackc/pgx", "github.com/99designs/gqlgen"}, "OGC API serves the layers over the store contract"},
	{"web", []string{module + "/graph", module + "/layers", module + "/server", module + "/db"}, "the explorer is static files"},
	{"transfer", []string{module + "/graph", module + "/server", module + "/layers", module + "/web", module + "/db/memory", module + "/db/postgis", "github.com/99designs/gqlgen"}, "file formats work on the store contract"},
	{"db/memory", []string{module + "/db/postgis", "github.com/jackc/pgx"}, "one backend never imports the other"},
	{"db/postgis", []string{module + "/db/memory"}, "one backend never imports the other"},
}

func TestArrowsPointDownhill(t *testing.T) {
	all := packages(t)
	for _, r := range rules {
		checked := 0
		for name, p := range all {
			if name != r.from && !strings.HasPrefix(name, r.from+"/") {
				continue
			}
			// Test helpers beside a package (dbtest, pgtest, geotest,
			// authtest) serve tests and may reach further.
			if strings.HasSuffix(name, "test") {
				continue
			}
			checked++
			for _, f := range r.forbid {
				// One line per forbidden prefix: the first dependency
				// that matches is enough to find the import.
				for _, d := range p.Deps {
					if strings.HasPrefix(d, f) {
						t.Errorf("%s depends on %s: %s", name, d, r.why)
						break
					}
				}
			}
		}
		if checked == 0 {
			t.Errorf("rule for %s matched no package: is the layout still what the rules say?", r.from)
		}
	}
}
