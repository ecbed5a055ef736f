package graph_test

import (
	"encoding/json"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// TestSimplifiedNeighboursShareBorders: the demo's districts asked for
// coarsely simplified keep their common borders, overlapping nowhere
// (simplified one by one, two of them overlap by 0.2 km²), and both
// backends answer with the same outlines.
func TestSimplifiedNeighboursShareBorders(t *testing.T) {
	answers := map[string][]json.RawMessage{}
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			Areas struct {
				Nodes []struct {
					ID     string
					Zoom   json.RawMessage
					Metres json.RawMessage
				}
			}
		}
		c.ok(`{ areas(first: 1000, filter: {kinds: [DISTRICT]}) { nodes { id
			zoom: geometry(zoom: 6, precision: 15) metres: geometry(simplifyMeters: 5000, precision: 15) } } }`, nil, &out)
		nodes := out.Areas.Nodes
		if len(nodes) < 10 {
			t.Fatalf("%d districts", len(nodes))
		}
		for _, pick := range []func(i int) json.RawMessage{
			func(i int) json.RawMessage { return nodes[i].Zoom },
			func(i int) json.RawMessage { return nodes[i].Metres },
		} {
			gs := make([]orb.Geometry, len(nodes))
			for i := range nodes {
				g, err := geo.ParseGeoJSON(pick(i))
				if err != nil {
					t.Fatal(err)
				}
				gs[i] = geo.ToSWEREF99TMFromWGS84(g)
				answers[t.Name()] = append(answers[t.Name()], pick(i))
			}
			touching := 0
			for i := range gs {
				for j := i + 1; j < len(gs); j++ {
					if !gs[i].Bound().Intersects(gs[j].Bound()) {
						continue
					}
					touching++
					a, err := geo.IntersectionArea(gs[i], gs[j])
					if err != nil {
						t.Fatal(err)
					}
					if a > 1 {
						t.Errorf("%s and %s overlap by %.3f m²", nodes[i].ID, nodes[j].ID, a)
					}
				}
			}
			if touching == 0 {
				t.Fatal("no two districts are neighbours: the test proves nothing")
			}
		}
	})
	var first []json.RawMessage
	for name, a := range answers {
		if first == nil {
			first = a
			continue
		}
		for i := range a {
			if string(a[i]) != string(first[i]) {
				t.Fatalf("%s answers outline %d otherwise than the first backend:\n%s\n%s", name, i, a[i], first[i])
			}
		}
	}
}
