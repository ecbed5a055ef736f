package graph_test

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/server"
)

// onDay runs fn against a server over every backend whose clock reads
// day: the day questions about areas are answered for when they name none.
func onDay(t *testing.T, day time.Time, fn func(t *testing.T, c client, s db.Store)) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			srv := httptest.NewServer(server.New(s, server.Config{Now: func() time.Time { return day }}))
			t.Cleanup(srv.Close)
			fn(t, client{t, srv.URL}, s)
		})
	}
}

type named struct{ Name string }

func names(ns []named) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Name
	}
	return out
}

// The demo's Göta became a priority area on 2023-01-01: on a server whose
// clock reads 2022, every question that names no day leaves it out, and
// one that names a day from 2023 has it.
func TestAreasAreAnsweredForADay(t *testing.T) {
	onDay(t, time.Date(2022, 6, 1, 12, 0, 0, 0, time.UTC), func(t *testing.T, c client, s db.Store) {
		var out struct {
			Areas  struct{ Nodes []named }
			On2023 struct{ Nodes []named }
			Before struct{ Nodes []named }
			Gota   struct {
				LabelPoint struct{ Coordinates []float64 }
			}
			Retired struct{ Nodes []named }
		}
		c.ok(`{ areas(filter: {kinds: [PRIORITY_AREA]}, first: 100) { nodes { name } }
			On2023: areas(filter: {kinds: [PRIORITY_AREA], validAt: "2023-01-01"}, first: 100) { nodes { name } }
			Before: areas(filter: {kinds: [PRIORITY_AREA], validAt: "2022-12-31"}, first: 100) { nodes { name } }
			Gota: area(code: "1490-P05") { labelPoint }
			Retired: areas(filter: {codes: ["1490-P05"]}) { nodes { name } } }`, nil, &out)
		if n := names(out.Areas.Nodes); slices.Contains(n, "Göta") || len(n) != 4 {
			t.Errorf("priority areas today (2022): %v, want the four without Göta", n)
		}
		if n := names(out.On2023.Nodes); !slices.Contains(n, "Göta") || len(n) != 5 {
			t.Errorf("priority areas on 2023-01-01: %v, want five with Göta", n)
		}
		if n := names(out.Before.Nodes); slices.Contains(n, "Göta") {
			t.Errorf("priority areas on 2022-12-31: %v, want no Göta", n)
		}
		if len(out.Retired.Nodes) != 0 {
			t.Errorf("Göta by code today (2022): %v, want none", out.Retired.Nodes)
		}
		pt := out.Gota.LabelPoint.Coordinates
		var at struct{ Today, On2023 []named }
		c.ok(`query($lon: Float!, $lat: Float!) { Today: areasAt(lon: $lon, lat: $lat, kinds: [PRIORITY_AREA]) { name }
			On2023: areasAt(lon: $lon, lat: $lat, kinds: [PRIORITY_AREA], validAt: "2023-06-30") { name } }`,
			map[string]any{"lon": pt[0], "lat": pt[1]}, &at)
		if len(at.Today) != 0 || !slices.Equal(names(at.On2023), []string{"Göta"}) {
			t.Errorf("areasAt Göta's label point: today %v, on 2023-06-30 %v; want none, then Göta", at.Today, at.On2023)
		}

		// Coverage: a priority area not in use is never a white spot.
		var cov struct {
			Today, On2024, Given struct{ WhiteSpots, Cells []struct{ Area named } }
		}
		c.ok(`{ Today: coverage { cells { area { name } } whiteSpots { area { name } } }
			On2024: coverage(validAt: "2024-01-01") { cells { area { name } } whiteSpots { area { name } } }
			Given: coverage(areas: ["Area:17"], validAt: "2022-12-31") { cells { area { name } } whiteSpots { area { name } } } }`,
			nil, &cov)
		has := func(cells []struct{ Area named }, name string) bool {
			return slices.ContainsFunc(cells, func(c struct{ Area named }) bool { return c.Area.Name == name })
		}
		if has(cov.Today.Cells, "Göta") || has(cov.Today.WhiteSpots, "Göta") {
			t.Errorf("coverage today (2022) covers Göta")
		}
		if !has(cov.On2024.Cells, "Göta") {
			t.Errorf("coverage on 2024-01-01 leaves Göta out")
		}
		if len(cov.Given.Cells) != 0 {
			t.Errorf("coverage of a given area not in use: %d cells, want none", len(cov.Given.Cells))
		}

		// A year's comparison is of the areas in use on 1 July of it.
		var cmp struct {
			Y2022, Y2023 struct{ Rows []struct{ Area named } }
		}
		c.ok(`{ Y2022: indicatorComparison(indicator: "unemployment", year: 2022) { rows { area { name } } }
			Y2023: indicatorComparison(indicator: "unemployment", year: 2023) { rows { area { name } } } }`, nil, &cmp)
		if has(cmp.Y2022.Rows, "Göta") || !has(cmp.Y2023.Rows, "Göta") {
			t.Errorf("comparison rows: 2022 %v, 2023 %v; want Göta in 2023 only", cmp.Y2022.Rows, cmp.Y2023.Rows)
		}
	})
}

// A retired area leaves every answer for a day from its validTo on, and
// its children follow the day asked of them.
func TestRetiredAreaLeavesTodaysAnswers(t *testing.T) {
	onDay(t, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), func(t *testing.T, c client, s db.Store) {
		norrby, err := s.AreaByCode(t.Context(), "1490-P01")
		if err != nil {
			t.Fatal(err)
		}
		end := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := s.UpdateArea(t.Context(), cli, norrby.ID, norrby.Version, db.AreaPatch{ValidTo: db.Set(&end)}); err != nil {
			t.Fatal(err)
		}
		var cov struct {
			Today, Last struct{ WhiteSpots, Cells []struct{ Area named } }
		}
		c.ok(`{ Today: coverage { cells { area { name } } whiteSpots { area { name } } }
			Last: coverage(validAt: "2024-12-31") { cells { area { name } } whiteSpots { area { name } } } }`, nil, &cov)
		for _, cl := range slices.Concat(cov.Today.Cells, cov.Today.WhiteSpots) {
			if cl.Area.Name == "Norrby" {
				t.Fatalf("today's coverage has the retired Norrby")
			}
		}
		if !slices.ContainsFunc(cov.Last.Cells, func(c struct{ Area named }) bool { return c.Area.Name == "Norrby" }) {
			t.Errorf("coverage on Norrby's last day leaves it out")
		}
		var kids struct {
			Area struct{ Today, Last struct{ Nodes []named } }
		}
		c.ok(`{ area(code: "1490-D02") { Today: children(filter: {kinds: [PRIORITY_AREA]}) { nodes { name } }
			Last: children(filter: {kinds: [PRIORITY_AREA], validAt: "2024-12-31"}) { nodes { name } } } }`, nil, &kids)
		if slices.Contains(names(kids.Area.Today.Nodes), "Norrby") || !slices.Contains(names(kids.Area.Last.Nodes), "Norrby") {
			t.Errorf("children of Norrby's district: today %v, on 2024-12-31 %v", kids.Area.Today.Nodes, kids.Area.Last.Nodes)
		}
	})
}

// A day out of range is BAD_USER_INPUT with the range in its message,
// on every argument that takes one.
func TestValidAtOutOfRange(t *testing.T) {
	onDay(t, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), func(t *testing.T, c client, _ db.Store) {
		for _, q := range []string{
			`{ areas(filter: {validAt: "0000-01-01"}) { totalCount } }`,
			`{ areasAt(lon: 12.94, lat: 57.72, validAt: "1799-12-31") { name } }`,
			`{ coverage(validAt: "2201-01-01") { cells { initiatives } } }`,
			`{ area(code: "1490") { children(filter: {validAt: "0001-01-01"}) { totalCount } } }`,
		} {
			r := c.query(q, nil)
			if r.code() != "BAD_USER_INPUT" || len(r.Errors) != 1 ||
				!strings.Contains(r.Errors[0].Message, "validAt must be a date from 1800-01-01 to 2200-12-31") {
				t.Errorf("%s: %+v, want one BAD_USER_INPUT error naming the range", q, r.Errors)
			}
		}
		// Year 10000 is not a Date at all.
		r := c.query(`{ areas(filter: {validAt: "10000-01-01"}) { totalCount } }`, nil)
		if r.code() != "BAD_USER_INPUT" {
			t.Errorf("year 10000: %+v, want BAD_USER_INPUT", r.Errors)
		}
	})
}
