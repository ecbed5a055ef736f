package graph_test

import (
	"net/http/httptest"
	"testing"

	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/server"
)

// Values resting on too few persons never leave the server raw: the
// fixture's unemployment has a minimum count of 50, and area 5's 2021
// value rests on 46.
func TestSmallCountsAreSuppressed(t *testing.T) {
	s := memory.New()
	if err := s.Load(t.Context(), dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(s, server.Config{}))
	defer srv.Close()
	c := client{t, srv.URL}
	var out struct {
		Area struct {
			Indicators []struct {
				Indicator struct{ MinCount int }
				Values    []struct {
					Year       int
					Value      *float64
					Suppressed bool
				}
			}
		}
		IndicatorComparison struct {
			Rows []struct {
				Area              struct{ ID string }
				Value             *float64
				Suppressed        bool
				Rank              *int
				GapToMunicipality *float64
			}
		}
	}
	c.ok(`{ area(code: "9999-P2") { indicators(codes: ["unemployment"]) { indicator { minCount } values { year value suppressed } } }
		indicatorComparison(indicator: "unemployment", year: 2021, areas: ["Area:4", "Area:5"]) {
			rows { area { id } value suppressed rank gapToMunicipality } } }`, nil, &out)
	series := out.Area.Indicators
	if len(series) != 1 || series[0].Indicator.MinCount != 50 || len(series[0].Values) != 1 {
		t.Fatalf("series %+v", series)
	}
	if v := series[0].Values[0]; v.Value != nil || !v.Suppressed {
		t.Errorf("2021 value resting on 46 persons: %+v, want null and suppressed", v)
	}
	for _, r := range out.IndicatorComparison.Rows {
		if r.Area.ID == "Area:5" && (r.Value != nil || !r.Suppressed || r.Rank != nil || r.GapToMunicipality != nil) {
			t.Errorf("suppressed row leaks: %+v", r)
		}
	}
}
