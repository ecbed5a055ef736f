package graph_test

import (
	"math"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/vektah/gqlparser/v2/ast"
)

// Every Int a query takes has a range, checked before the store is asked,
// and a number outside it is refused alike on every backend (PostGIS once
// answered INTERNAL where 1 was taken from the smallest Int). The
// arguments and input fields are found by walking the schema, so a new
// one is tried too. Writes check theirs in db, for both backends.
func TestIntArgumentsAreRangeChecked(t *testing.T) {
	schema := loadSchema(t)
	var sites []site
	for _, s := range sitesOf(schema, func(d *ast.Definition) bool { return d.Name == "Int" }) {
		if s.op == "query" {
			sites = append(sites, s)
		}
	}
	if len(sites) == 0 {
		t.Fatal("found no Int argument")
	}
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		for _, s := range sites {
			name := s.usage[strings.LastIndexAny(s.usage, ".(")+1:]
			name = strings.TrimSuffix(name, ")")
			for _, n := range []int{math.MinInt32, -1, math.MaxInt32} {
				var v any = n
				if s.typ.Elem != nil {
					v = []any{n}
				}
				q := s.build(s.arg+": "+literal(s.value(v)), "")
				r := c.query(q, nil)
				if r.code() != db.EINVALID {
					t.Errorf("%s = %d: code %q (%+v), want %s\n%s", s.usage, n, r.code(), r.Errors, db.EINVALID, q)
					continue
				}
				if msg := r.Errors[0].Message; !strings.Contains(msg, name) {
					t.Errorf("%s = %d: message %q does not name %s", s.usage, n, msg, name)
				}
			}
		}
	})
}
