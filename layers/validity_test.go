package layers_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/layers"
	"github.com/areagraph/areagraph/server"
)

func tileNames(ls []layers.DecodedLayer) []string {
	var out []string
	for _, l := range ls {
		for _, f := range l.Features {
			out = append(out, f.Properties["name"].(string))
		}
	}
	return out
}

func featureNames(fc collection) []string {
	out := make([]string, len(fc.Features))
	for i, f := range fc.Features {
		out[i] = f.Properties["name"].(string)
	}
	return out
}

// Area layers show the areas in use on one day: datetime when given (an
// OGC API instant), else 1 July of the indicator's year, else today on
// the server's clock. The demo's Göta is a priority area from 2023, and
// here Norrby is retired on 2025-01-01.
func TestLayersAnswerForADay(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			norrby, err := s.AreaByCode(t.Context(), "1490-P01")
			if err != nil {
				t.Fatal(err)
			}
			end := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			if _, err := s.UpdateArea(t.Context(), db.Actor{ID: "cli", Role: db.RoleAdmin}, norrby.ID, norrby.Version,
				db.AreaPatch{ValidTo: db.Set(&end)}); err != nil {
				t.Fatal(err)
			}
			c := newClientWith(t, s, server.Config{Forwarding: trustLoopback,
				Now: func() time.Time { return time.Date(2022, 6, 1, 9, 0, 0, 0, time.UTC) }})
			for _, tc := range []struct {
				query      string
				has, hasNo []string
			}{
				{"", []string{"Norrby"}, []string{"Göta"}}, // today, 2022
				{"?datetime=2023-01-01", []string{"Norrby", "Göta"}, nil},
				{"?datetime=2024-12-31T23:00:00Z", []string{"Norrby", "Göta"}, nil},
				{"?datetime=2025-01-01", []string{"Göta"}, []string{"Norrby"}},
				{"?datetime=2025-01-01T00:30:00%2B01:00", []string{"Norrby", "Göta"}, nil},    // the day in UTC: 2024-12-31
				{"?datetime=2024-12-31T23:30:00-01:00", []string{"Göta"}, []string{"Norrby"}}, // 2025-01-01 in UTC
				{"?indicator=unemployment&year=2024", []string{"Norrby", "Göta"}, nil},
				{"?indicator=unemployment&year=2025", []string{"Göta"}, []string{"Norrby"}},
				{"?indicator=unemployment&year=2025&datetime=2024-06-30", []string{"Norrby", "Göta"}, nil},
			} {
				got := featureNames(c.features("/layers/priority-areas.geojson" + tc.query))
				for _, n := range tc.has {
					if !slices.Contains(got, n) {
						t.Errorf("priority-areas%s: %v, want %s", tc.query, got, n)
					}
				}
				for _, n := range tc.hasNo {
					if slices.Contains(got, n) {
						t.Errorf("priority-areas%s: %v, want no %s", tc.query, got, n)
					}
				}
			}
			// Tiles, and the tile URLs of TileJSON, carry the day.
			if got := tileNames(c.tile("/tiles/priority-areas/" + borasTile + ".mvt?datetime=2025-01-01")); slices.Contains(got, "Norrby") {
				t.Errorf("tile on 2025-01-01: %v, want no Norrby", got)
			}
			if got := tileNames(c.tile("/tiles/priority-areas/" + borasTile + ".mvt?datetime=2024-12-31")); !slices.Contains(got, "Norrby") {
				t.Errorf("tile on 2024-12-31: %v, want Norrby", got)
			}
			r := c.get("/tiles/priority-areas.json?datetime=2025-01-01")
			var doc struct{ Tiles []string }
			if err := json.Unmarshal(r.body, &doc); err != nil || len(doc.Tiles) != 1 || !strings.Contains(doc.Tiles[0], "datetime=2025-01-01") {
				t.Errorf("TileJSON: %s", r.body)
			}
		})
	}
}

func TestLayersRefuseBadDatetime(t *testing.T) {
	c := newClient(t, backends[0].Open(t))
	for _, tc := range []struct{ query, says string }{
		{"datetime=0000-01-01", "datetime must be a date from 1800-01-01 to 2200-12-31, got 0000-01-01"},
		{"datetime=2201-01-01", "datetime must be a date from 1800-01-01 to 2200-12-31"},
		{"datetime=10000-01-01", "datetime: want a date such as 2024-06-30"},
		{"datetime=2024-06-30/2024-07-31", "datetime: intervals are not supported"},
		{"datetime=../2024-07-31", "datetime: intervals are not supported"},
		{"datetime=yesterday", "datetime: want a date such as 2024-06-30"},
		{"datetime=2024-06-30&datetime=2024-07-01", "datetime is given 2 times"},
	} {
		for _, path := range []string{"/layers/areas.geojson?", "/tiles/areas/" + borasTile + ".mvt?", "/tiles/areas.json?"} {
			r := c.get(path + tc.query)
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tc.says) {
				t.Errorf("%s%s: %d %s, want 400 saying %q", path, tc.query, r.status, r.body, tc.says)
			}
		}
	}
	// The point layers have no period: datetime is an unknown parameter.
	if r := c.get("/layers/initiatives.geojson?datetime=2024-06-30"); r.status != http.StatusBadRequest {
		t.Errorf("initiatives with datetime: %d %s", r.status, r.body)
	}
}
