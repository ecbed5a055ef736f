package graph_test

import (
	"math"
	"net/http/httptest"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/server"
)

type provenanceJSON struct {
	Derived         bool
	Method          string
	WeightIndicator *string
	Coverage        float64
	Partial         bool
	SuppressedBy    []string
	Sources         []struct {
		Code          string
		Share, Weight float64
		Area          struct{ ID, Kind string }
	}
}

const provenanceQuery = `query($codes: [String!]!) {
	areas(filter: {kinds: [PRIORITY_AREA]}) { nodes { id name
		indicators(codes: $codes, fromYear: 2024) { indicator { code }
			values { year value suppressed changeSincePreviousYear
				provenance { derived method weightIndicator coverage partial suppressedBy
					sources { code share weight area { id kind } } } } } } } }`

// TestProvenance reads the demo's priority areas through GraphQL on every
// backend: the typed-in values of 2024 are measured, those of 2025 derived
// from the statistical areas, with their sources, weights and coverage,
// and the derived population is the sum of the sources' populations times
// their shares, computed here from the sources' own values.
func TestProvenance(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			Areas struct {
				Nodes []struct {
					ID, Name   string
					Indicators []struct {
						Indicator struct{ Code string }
						Values    []struct {
							Year                    int
							Value                   *float64
							Suppressed              bool
							ChangeSincePreviousYear *float64
							Provenance              provenanceJSON
						}
					}
				}
			}
		}
		c.ok(provenanceQuery, map[string]any{"codes": []string{"population", "unemployment"}}, &out)
		if len(out.Areas.Nodes) != 5 {
			t.Fatalf("%d priority areas", len(out.Areas.Nodes))
		}
		sources := map[string]bool{}
		for _, a := range out.Areas.Nodes {
			if len(a.Indicators) != 2 {
				t.Fatalf("%s: %d series", a.Name, len(a.Indicators))
			}
			for _, s := range a.Indicators {
				if len(s.Values) != 2 || s.Values[0].Year != 2024 || s.Values[1].Year != 2025 {
					t.Fatalf("%s %s: %+v", a.Name, s.Indicator.Code, s.Values)
				}
				m, d := s.Values[0], s.Values[1]
				if m.Provenance.Derived || m.Provenance.Method != "NONE" || m.Provenance.Coverage != 1 || len(m.Provenance.Sources) != 0 {
					t.Errorf("%s %s 2024: provenance %+v, want measured", a.Name, s.Indicator.Code, m.Provenance)
				}
				p := d.Provenance
				if !p.Derived || d.Value == nil || p.Partial || math.Abs(p.Coverage-1) > 1e-6 || len(p.Sources) == 0 || p.SuppressedBy == nil {
					t.Errorf("%s %s 2025: %v %+v", a.Name, s.Indicator.Code, d.Value, p)
					continue
				}
				if d.ChangeSincePreviousYear == nil {
					t.Errorf("%s %s: no change from the measured 2024 to the derived 2025", a.Name, s.Indicator.Code)
				}
				var sum float64
				for _, src := range p.Sources {
					sum += src.Weight
					sources[src.Code] = true
					if src.Area.Kind != "STATISTICAL_AREA" || src.Share <= 0 || src.Share > 1 {
						t.Errorf("%s: source %+v", a.Name, src)
					}
				}
				if math.Abs(sum-1) > 1e-9 {
					t.Errorf("%s %s: weights add up to %v", a.Name, s.Indicator.Code, sum)
				}
				switch s.Indicator.Code {
				case "population":
					if p.Method != "SUM" || p.WeightIndicator != nil {
						t.Errorf("%s population: %+v", a.Name, p)
					}
				case "unemployment":
					if p.Method != "WEIGHTED_MEAN" || p.WeightIndicator == nil || *p.WeightIndicator != "population" {
						t.Errorf("%s unemployment: %+v", a.Name, p)
					}
				}
			}
		}
		// The derived population, recomputed from the sources' own values.
		var codes []string
		for code := range sources {
			codes = append(codes, code)
		}
		var src struct {
			Areas struct {
				Nodes []struct {
					Code       string
					Indicators []struct{ Values []struct{ Value float64 } }
				}
			}
		}
		c.ok(`query($codes: [String!]) { areas(first: 100, filter: {codes: $codes}) { nodes { code
			indicators(codes: ["population"], fromYear: 2025, toYear: 2025) { values { value } } } } }`,
			map[string]any{"codes": codes}, &src)
		pop := map[string]float64{}
		for _, n := range src.Areas.Nodes {
			pop[n.Code] = n.Indicators[0].Values[0].Value
		}
		for _, a := range out.Areas.Nodes {
			for _, s := range a.Indicators {
				if s.Indicator.Code != "population" {
					continue
				}
				d := s.Values[1]
				var want float64
				for _, src := range d.Provenance.Sources {
					want += pop[src.Code] * src.Share
				}
				if math.Abs(*d.Value-want) > 1e-6*want {
					t.Errorf("%s: derived population %v, the sources give %v", a.Name, *d.Value, want)
				}
			}
		}
	})
}

// TestProvenanceBatched: the roll-ups of a page of areas cost the same
// store calls whatever the page's size.
func TestProvenanceBatched(t *testing.T) {
	s := memory.New()
	if err := s.Load(t.Context(), demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	cs := dbtest.NewCounting(s)
	srv := httptest.NewServer(server.New(cs, server.Config{}))
	defer srv.Close()
	c := client{t, srv.URL}
	const q = `query($n: Int) { areas(first: $n, filter: {kinds: [PRIORITY_AREA, DISTRICT]}) { nodes {
		indicators(fromYear: 2025) { values { provenance { coverage sources { area { name } } } } } } } }`
	var calls []int
	for _, n := range []int{1, 5, 16} {
		cs.Reset()
		var out struct{ Areas struct{ Nodes []struct{} } }
		c.ok(q, map[string]any{"n": n}, &out)
		if len(out.Areas.Nodes) != n {
			t.Fatalf("first %d: %d areas", n, len(out.Areas.Nodes))
		}
		calls = append(calls, cs.Reset())
	}
	// Areas, definitions, values, overlaps, the sources' values, the
	// sources' areas.
	if calls[0] != calls[1] || calls[1] != calls[2] || calls[0] > 6 {
		t.Errorf("store calls for 1, 5 and 16 areas: %v; want the same, at most 6", calls)
	}
}
