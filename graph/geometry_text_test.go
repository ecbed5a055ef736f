package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// TestGeometryWrittenAsRounded: every outline, at the default precision
// and at every precision from 0 to 15, asked for twice (written, then
// kept), is the text of the outline rounded and written as GeoJSON, on
// both backends; outlines asked for simplified are not the kept text.
func TestGeometryWrittenAsRounded(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, s db.Store) {
		var fields strings.Builder
		fields.WriteString("id geometry")
		for d := 0; d <= 15; d++ {
			fmt.Fprintf(&fields, " p%d: geometry(precision: %d)", d, d)
		}
		fields.WriteString(" z: geometry(zoom: 4) m: geometry(simplifyMeters: 2000)")
		q := `{ areas(first: 1000) { nodes { ` + fields.String() + ` } } }`
		var first string
		for round := range 2 {
			var out struct {
				Areas struct{ Nodes []map[string]json.RawMessage }
			}
			c.ok(q, nil, &out)
			if len(out.Areas.Nodes) < 10 {
				t.Fatalf("%d areas", len(out.Areas.Nodes))
			}
			for _, n := range out.Areas.Nodes {
				var gid string
				_ = json.Unmarshal(n["id"], &gid)
				_, id, err := db.ParseGlobalID(gid)
				if err != nil {
					t.Fatal(err)
				}
				found, err := s.AreasByID(context.Background(), []int64{id})
				if err != nil {
					t.Fatal(err)
				}
				want := func(d int) []byte {
					var b bytes.Buffer
					if err := geo.WriteGeoJSON(&b, geo.Round(found[0].Geometry, d)); err != nil {
						t.Fatal(err)
					}
					return b.Bytes()
				}
				if got := n["geometry"]; !bytes.Equal(got, want(6)) {
					t.Fatalf("round %d, %s: geometry\n got %.300s\nwant %.300s", round, gid, got, want(6))
				}
				for d := 0; d <= 15; d++ {
					if got := n[fmt.Sprintf("p%d", d)]; !bytes.Equal(got, want(d)) {
						t.Fatalf("round %d, %s: geometry(precision: %d)\n got %.300s\nwant %.300s", round, gid, d, got, want(d))
					}
				}
				for _, k := range []string{"z", "m"} {
					if bytes.Equal(n[k], n["geometry"]) && len(n[k]) > 1000 {
						t.Errorf("%s: %s is the outline as stored", gid, k)
					}
				}
			}
			got, _ := json.Marshal(out)
			if round == 0 {
				first = string(got)
			} else if string(got) != first {
				t.Error("the second answer differs from the first")
			}
		}
	})
}

// TestOutlineReadAgainWhenNotKept: a list whose nodes ask for no more of
// the outline than its text is read without the outlines (areaOmit), and
// answers each from the text cache or, when the cache does not hold it
// (a first read, another precision), from the area read again by id: the
// same outline, rounded and written, either way, on both backends.
func TestOutlineReadAgainWhenNotKept(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, s db.Store) {
		queries := []struct {
			q    string
			vars map[string]any
		}{
			{`{ areas(first: 1000) { nodes { id name geometry } } }`, nil},                       // every text missing
			{`{ areas(first: 1000) { nodes { id name geometry } } }`, nil},                       // every text kept
			{`{ areas(first: 1000) { nodes { id geometry p3: geometry(precision: 3) } } }`, nil}, // p3 missing
			{`query($p: Int) { areas(first: 1000) { nodes { id p3: geometry(precision: $p) } } }`, map[string]any{"p": 3}},
			{`{ areas(first: 1000) { edges { node { id geometry centroid } } } }`, nil}, // read with the outlines
		}
		for i, q := range queries {
			var out struct {
				Areas struct {
					Nodes []map[string]json.RawMessage
					Edges []struct{ Node map[string]json.RawMessage }
				}
			}
			c.ok(q.q, q.vars, &out)
			nodes := out.Areas.Nodes
			for _, e := range out.Areas.Edges {
				nodes = append(nodes, e.Node)
			}
			if len(nodes) < 10 {
				t.Fatalf("query %d: %d areas", i, len(nodes))
			}
			for _, n := range nodes {
				var gid string
				_ = json.Unmarshal(n["id"], &gid)
				_, id, err := db.ParseGlobalID(gid)
				if err != nil {
					t.Fatal(err)
				}
				found, err := s.AreasByID(context.Background(), []int64{id})
				if err != nil {
					t.Fatal(err)
				}
				for k, d := range map[string]int{"geometry": 6, "p3": 3} {
					got, ok := n[k]
					if !ok {
						continue
					}
					var b bytes.Buffer
					if err := geo.WriteGeoJSON(&b, geo.Round(found[0].Geometry, d)); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, b.Bytes()) {
						t.Fatalf("query %d, %s: %s\n got %.300s\nwant %.300s", i, gid, k, got, b.Bytes())
					}
				}
			}
		}
	})
}
