package transfer

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/internal/storetest"
)

// emptyStore is an empty store of the backend named name.
func emptyStore(t *testing.T, name string) db.Store {
	t.Helper()
	if name == "postgis" {
		return storetest.PostGIS(t, pgtest.SchemaURL(t))
	}
	s := memory.New()
	t.Cleanup(s.Close)
	return s
}

// allExports writes the areas, the definitions and the values of s.
func allExports(t *testing.T, s db.Store) (areas, defs, values string) {
	t.Helper()
	areas, values = exports(t, s)
	var d bytes.Buffer
	if err := ExportIndicatorDefinitions(t.Context(), s, &d); err != nil {
		t.Fatal(err)
	}
	return areas, d.String(), values
}

// TestDefinitionsRoundTrip holds what the exports promise: the demo's
// areas, definitions and values, imported in that order into an empty
// store of the same backend, export again to the same bytes.
func TestDefinitionsRoundTrip(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			areas, defs, values := allExports(t, s)
			inds, err := s.Indicators(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(defs, "\n{\"code\":"); n != len(inds) || n == 0 {
				t.Errorf("the export has %d definitions, want %d:\n%s", n, len(inds), defs)
			}
			fresh := emptyStore(t, b.Name)
			if _, _, err := ImportAreasGeoJSON(t.Context(), fresh, operator, text("areas.geojson", areas), DefaultAreaMapping, nil); err != nil {
				t.Fatal(err)
			}
			c, err := ImportIndicatorDefinitions(t.Context(), fresh, operator, text("definitions.json", defs), nil)
			if err != nil {
				t.Fatal(err)
			}
			if c != (DefinitionCounts{Created: len(inds)}) {
				t.Errorf("first import: %+v, want %d created", c, len(inds))
			}
			if _, err := ImportValuesCSV(t.Context(), fresh, operator, text("values.csv", values), nil); err != nil {
				t.Fatal(err)
			}
			gotAreas, gotDefs, gotValues := allExports(t, fresh)
			for _, f := range []struct{ what, got, want string }{
				{"areas", gotAreas, areas}, {"definitions", gotDefs, defs}, {"values", gotValues, values},
			} {
				if f.got != f.want {
					t.Errorf("%s export of the imported store differs:\n%s", f.what, firstDiff(f.got, f.want))
				}
			}

			// Again: nothing changes. Then one changed field updates one
			// definition, audited as the command line's.
			if c, err := ImportIndicatorDefinitions(t.Context(), fresh, operator, text("definitions.json", defs), nil); err != nil || c != (DefinitionCounts{Unchanged: len(inds)}) {
				t.Errorf("second import: %+v, %v", c, err)
			}
			slices.SortFunc(inds, func(a, b *db.Indicator) int { return strings.Compare(a.Code, b.Code) })
			first := inds[0]
			mc := `"minCount":` + strconv.Itoa(first.MinCount)
			lines := strings.Split(defs, "\n")
			if !strings.Contains(lines[1], mc) {
				t.Fatalf("the first definition %q does not hold %s", lines[1], mc)
			}
			lines[1] = strings.Replace(lines[1], mc, `"minCount":`+strconv.Itoa(first.MinCount+7), 1)
			changed := strings.Join(lines, "\n")
			if c, err := ImportIndicatorDefinitions(t.Context(), fresh, operator, text("definitions.json", changed), nil); err != nil || c != (DefinitionCounts{Updated: 1, Unchanged: len(inds) - 1}) {
				t.Errorf("changed import: %+v, %v", c, err)
			}
			got, err := fresh.Indicators(t.Context(), []string{first.Code})
			if err != nil || len(got) != 1 || got[0].MinCount != first.MinCount+7 || got[0].Name != first.Name {
				t.Errorf("after the changed import: %+v, %v", got, err)
			}
			log, err := fresh.AuditLog(t.Context(), db.AuditFilter{Actor: operator.ID}, db.Page{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			_, ref := first.AuditRef()
			var creates, updates int
			for _, e := range log.Items {
				switch {
				case e.Type == db.TypeIndicator && e.Action == db.ActionCreate:
					creates++
				case e.Type == db.TypeIndicator && e.Action == db.ActionUpdate && e.RecordID == ref && e.Before != nil && e.After != nil:
					updates++
				}
			}
			if creates != len(inds) || updates != 1 {
				t.Errorf("the audit log holds %d creates and %d updates of definitions by %s, want %d and 1",
					creates, updates, operator.ID, len(inds))
			}
		})
	}
}

// TestDefinitionsRefused holds the refusals to naming the file, the line,
// the definition and the reason, and to writing nothing.
func TestDefinitionsRefused(t *testing.T) {
	const ok = `{"code":"fine","name":"Fine","unit":"%"}`
	for _, c := range []struct {
		name, body string
		says       []string
	}{
		{"bad JSON", "[\n" + ok + ",\n{\"code\":\"x\",}\n]\n", []string{"d.json:3", "definition 2"}},
		{"no array", `{"code":"x"}`, []string{"d.json:1", "want a JSON array"}},
		{"missing code", "[\n" + ok + ",\n{\"name\":\"N\",\"unit\":\"%\"}\n]", []string{"d.json:3", "definition 2", `"code" is missing`}},
		{"missing unit", "[\n" + ok + ",\n{\"code\":\"x\",\"name\":\"N\"}\n]", []string{"d.json:3", `definition 2 ("x")`, `"unit" is missing`}},
		{"empty unit", "[\n{\"code\":\"x\",\"name\":\"N\",\"unit\":\"\"}\n]", []string{"d.json:2", `definition 1 ("x")`, "unit is required"}},
		{"unknown field", "[\n{\"code\":\"x\",\"name\":\"N\",\"unit\":\"%\",\"colour\":1}\n]", []string{"d.json:2", `("x")`, `unknown field "colour"`}},
		{"unknown roll-up", "[\n{\"code\":\"x\",\"name\":\"N\",\"unit\":\"%\",\"rollup\":\"MEDIAN\"}\n]", []string{"d.json:2", `("x")`, "roll-up"}},
		{"weight of a sum", "[\n{\"code\":\"x\",\"name\":\"N\",\"unit\":\"%\",\"rollup\":\"SUM\",\"weightIndicator\":\"population\"}\n]", []string{"d.json:2", "weighted mean only"}},
		{"wrong type", "[\n{\"code\":\"x\",\"name\":\"N\",\"unit\":\"%\",\"minCount\":\"5\"}\n]", []string{"d.json:2", `("x")`, "minCount"}},
		{"bad code", "[\n{\"code\":\"Bad Code\",\"name\":\"N\",\"unit\":\"%\"}\n]", []string{"d.json:2", "lower-case"}},
		{"twice", "[\n" + ok + ",\n" + ok + "\n]", []string{"d.json:3", `definition 2 ("fine")`, "twice"}},
		{"truncated", "[\n" + ok + ",\n", []string{"d.json", "ends inside"}},
		{"trailing", "[\n" + ok + "\n] x", []string{"d.json:3", "after the array"}},
		{"NUL", "[\n{\"code\":\"x\",\"name\":\"N\x00\",\"unit\":\"%\"}\n]", []string{"d.json"}},
	} {
		eachBackend(t, func(t *testing.T, s db.Store) {
			before, err := s.Indicators(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ImportIndicatorDefinitions(t.Context(), s, operator, text("d.json", c.body), nil)
			errorSays(t, c.name, err, c.says...)
			after, _ := s.Indicators(t.Context(), nil)
			if len(after) != len(before) {
				t.Errorf("%s: %d definitions before, %d after", c.name, len(before), len(after))
			}
		})
	}
}
