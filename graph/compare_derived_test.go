package graph_test

import (
	"math"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/server"
)

type comparedRow struct {
	Area       struct{ ID, Name string }
	Value      *float64
	Suppressed bool
	Rank       *int
	Provenance *struct {
		Derived      bool
		Coverage     float64
		Partial      bool
		SuppressedBy []string
		Sources      []struct {
			Code string
			Area struct{ ID string }
		}
	}
}

const comparedQuery = `query($year: Int!, $areas: [ID!]) {
	indicatorComparison(indicator: "population", year: $year, areas: $areas) {
		rows { area { id name } value suppressed rank
			provenance { derived coverage partial suppressedBy sources { code area { id } } } } }
	areas(first: 100, filter: {kinds: [PRIORITY_AREA]}) { nodes { id
		indicators(codes: ["population"], fromYear: $year, toYear: $year) { values { value suppressed provenance { derived coverage } } } } } }`

type comparedOut struct {
	IndicatorComparison struct{ Rows []comparedRow }
	Areas               struct {
		Nodes []struct {
			ID         string
			Indicators []struct {
				Values []struct {
					Value      *float64
					Suppressed bool
					Provenance struct {
						Derived  bool
						Coverage float64
					}
				}
			}
		}
	}
}

// TestComparisonDerived: a comparison takes each area's measured value,
// else the one rolled up from the statistical areas, by the same rule as
// the area's series, says which it is, and withholds a derived value
// resting on a suppressed one.
func TestComparisonDerived(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, s db.Store) {
		ask := func(year int, areas []string) comparedOut {
			t.Helper()
			var out comparedOut
			vars := map[string]any{"year": year}
			if areas != nil {
				vars["areas"] = areas
			}
			c.ok(comparedQuery, vars, &out)
			return out
		}
		// The demo's priority areas are measured up to 2024 and derived
		// in 2025, and the comparison shows what their series show.
		for _, year := range []int{2024, 2025} {
			out := ask(year, nil)
			series := map[string]float64{}
			for _, a := range out.Areas.Nodes {
				for _, s := range a.Indicators {
					for _, v := range s.Values {
						if v.Value != nil {
							series[a.ID] = *v.Value
						}
					}
				}
			}
			if len(out.IndicatorComparison.Rows) != 5 {
				t.Fatalf("%d: %d rows, want the 5 priority areas", year, len(out.IndicatorComparison.Rows))
			}
			for _, r := range out.IndicatorComparison.Rows {
				want, ok := series[r.Area.ID]
				if !ok || r.Value == nil || math.Abs(*r.Value-want) > 1e-9 || r.Suppressed || r.Rank == nil || r.Provenance == nil {
					t.Fatalf("%d %s: row %+v, series value %v", year, r.Area.Name, r, want)
				}
				if r.Provenance.Derived != (year == 2025) || r.Provenance.Derived != (len(r.Provenance.Sources) > 0) {
					t.Errorf("%d %s: provenance %+v", year, r.Area.Name, r.Provenance)
				}
			}
		}
		// Two priority areas with a statistical area each that the other
		// does not touch: a 2026 value for one, with a count, gives the
		// first area a partial value; one under the rule withholds the
		// second's.
		rows := ask(2025, nil).IndicatorComparison.Rows
		var a, b *comparedRow
		var srcA, srcB string
		var idA, idB int64
		touches := func(r *comparedRow, code string) bool {
			return slices.ContainsFunc(r.Provenance.Sources, func(s struct {
				Code string
				Area struct{ ID string }
			}) bool {
				return s.Code == code
			})
		}
	pick:
		for i := range rows {
			for j := range rows {
				if i == j || len(rows[i].Provenance.Sources) < 2 {
					continue
				}
				ra, rb := &rows[i], &rows[j]
				sa := ra.Provenance.Sources[0]
				sb := rb.Provenance.Sources[0]
				if touches(rb, sa.Code) || touches(ra, sb.Code) {
					continue
				}
				a, b, srcA, srcB = ra, rb, sa.Code, sb.Code
				idA = noErr[int64](t)(db.ParseGlobalIDOf(db.TypeArea, sa.Area.ID))
				idB = noErr[int64](t)(db.ParseGlobalIDOf(db.TypeArea, sb.Area.ID))
				break pick
			}
		}
		if a == nil {
			t.Fatal("no two priority areas with statistical areas of their own")
		}
		defs := noErr[[]*db.Indicator](t)(s.Indicators(t.Context(), []string{"population"}))
		noErr[*db.Indicator](t)(s.UpdateIndicator(t.Context(), cli, "population", defs[0].Version, db.IndicatorPatch{MinCount: db.Set(5)}))
		big, small := 1_000_000, 2
		noErr[int](t)(s.PutIndicatorValues(t.Context(), cli, []db.IndicatorValue{
			{AreaID: idA, IndicatorCode: "population", Year: 2026, Sex: db.SexTotal, Value: 1_000_000, Count: &big},
			{AreaID: idB, IndicatorCode: "population", Year: 2026, Sex: db.SexTotal, Value: 2, Count: &small},
		}))
		out := ask(2026, []string{a.Area.ID, b.Area.ID})
		got := out.IndicatorComparison.Rows
		if len(got) != 2 || got[0].Area.ID != a.Area.ID || got[1].Area.ID != b.Area.ID {
			t.Fatalf("2026 rows %+v, want %s then %s", got, a.Area.Name, b.Area.Name)
		}
		ra, rb := got[0], got[1]
		if ra.Value == nil || ra.Suppressed || ra.Rank == nil || *ra.Rank != 1 || ra.Provenance == nil || !ra.Provenance.Derived ||
			!ra.Provenance.Partial || ra.Provenance.Coverage >= db.CoverageThreshold || len(ra.Provenance.Sources) != 1 || ra.Provenance.Sources[0].Code != srcA {
			t.Errorf("%s 2026: %+v, want a partial value from %s only", a.Area.Name, ra, srcA)
		}
		if rb.Value != nil || !rb.Suppressed || rb.Rank != nil || rb.Provenance == nil || !rb.Provenance.Derived ||
			!slices.Equal(rb.Provenance.SuppressedBy, []string{srcB}) {
			t.Errorf("%s 2026: %+v, want suppressed by %s", b.Area.Name, rb, srcB)
		}
		// The series say the same.
		for _, n := range out.Areas.Nodes {
			for _, s := range n.Indicators {
				for _, v := range s.Values {
					switch n.ID {
					case a.Area.ID:
						if v.Value == nil || *v.Value != *ra.Value || v.Provenance.Coverage != ra.Provenance.Coverage {
							t.Errorf("%s: series %+v, comparison %+v", a.Area.Name, v, ra)
						}
					case b.Area.ID:
						if v.Value != nil || !v.Suppressed {
							t.Errorf("%s: series %+v shows what the comparison withholds", b.Area.Name, v)
						}
					}
				}
			}
		}
	})
}

func noErr[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestComparisonBatched: a comparison's values, derived ones included,
// cost the same store calls whatever the number of areas compared.
func TestComparisonBatched(t *testing.T) {
	s := memory.New()
	if err := s.Load(t.Context(), demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	cs := dbtest.NewCounting(s)
	srv := httptest.NewServer(server.New(cs, server.Config{}))
	defer srv.Close()
	c := client{t, srv.URL}
	var all struct {
		Areas struct{ Nodes []struct{ ID string } }
	}
	c.ok(`{ areas(first: 100, filter: {kinds: [PRIORITY_AREA, DISTRICT]}) { nodes { id } } }`, nil, &all)
	ids := make([]string, len(all.Areas.Nodes))
	for i, n := range all.Areas.Nodes {
		ids[i] = n.ID
	}
	if len(ids) < 10 {
		t.Fatalf("%d areas", len(ids))
	}
	const q = `query($areas: [ID!]) { indicatorComparison(indicator: "unemployment", year: 2025, baselineYear: 2024, areas: $areas) {
		rows { value provenance { derived coverage } } } }`
	var calls []int
	for _, n := range []int{1, 3, len(ids)} {
		cs.Reset()
		var out struct {
			IndicatorComparison struct {
				Rows []struct {
					Value      *float64
					Provenance *struct{ Derived bool }
				}
			}
		}
		c.ok(q, map[string]any{"areas": ids[:n]}, &out)
		rows := out.IndicatorComparison.Rows
		if len(rows) != n || rows[0].Value == nil || rows[0].Provenance == nil || !rows[0].Provenance.Derived {
			t.Fatalf("%d areas: %+v", n, rows)
		}
		calls = append(calls, cs.Reset())
	}
	t.Logf("store calls for 1, 3 and %d areas: %v", len(ids), calls)
	// Definitions, areas, their parents, values, overlaps, the sources'
	// values.
	if calls[0] != calls[1] || calls[1] != calls[2] || calls[0] > 7 {
		t.Errorf("store calls for 1, 3 and %d areas: %v; want the same, at most 7", len(ids), calls)
	}
}
