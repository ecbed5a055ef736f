package graph_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

type changeJSON struct {
	Seq           string   `json:"seq"`
	Type          string   `json:"type"`
	ID            string   `json:"id"`
	Action        string   `json:"action"`
	Version       int      `json:"version"`
	At            string   `json:"at"`
	Areas         []string `json:"areas"`
	Organizations []string `json:"organizations"`
}

type changePageJSON struct {
	Changes []changeJSON `json:"changes"`
	Last    string       `json:"last"`
	HasMore bool         `json:"hasMore"`
}

const changesQuery = `query($after: Sequence!, $types: [String!], $areas: [ID!], $orgs: [ID!], $first: Int) {
	changes(after: $after, types: $types, areas: $areas, organizations: $orgs, first: $first) {
		changes { seq type id action version at areas organizations }
		last hasMore
	}
}`

// A client that keeps the last place of each page reads the whole feed
// exactly once, page by page, and then only what is written after.
func TestChangesCatchUp(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, s db.Store) {
		all, err := s.Changes(t.Context(), 0, db.ChangeFilter{}, db.MaxChanges)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) == 0 || len(all) == db.MaxChanges {
			t.Fatalf("the demo yields %d changes: want some, fewer than a page", len(all))
		}
		var seen []changeJSON
		after := "0"
		for pages := 0; ; pages++ {
			var out struct{ Changes changePageJSON }
			c.ok(changesQuery, map[string]any{"after": after, "first": 7}, &out)
			p := out.Changes
			seen = append(seen, p.Changes...)
			if len(p.Changes) > 0 && p.Last != p.Changes[len(p.Changes)-1].Seq {
				t.Fatalf("last %s, the page ends at %s", p.Last, p.Changes[len(p.Changes)-1].Seq)
			}
			if p.HasMore != (len(p.Changes) == 7) {
				t.Fatalf("hasMore %v with %d changes of 7", p.HasMore, len(p.Changes))
			}
			if len(p.Changes) == 0 && p.Last != after {
				t.Fatalf("an empty page moved the cursor from %s to %s", after, p.Last)
			}
			after = p.Last
			if !p.HasMore {
				break
			}
		}
		if len(seen) != len(all) {
			t.Fatalf("read %d changes, the feed holds %d", len(seen), len(all))
		}
		for i, c := range seen {
			if c.Seq != strconv.FormatInt(all[i].Seq, 10) || c.ID != all[i].ID || c.Type != all[i].Type {
				t.Fatalf("change %d: %+v, the store has %+v", i, c, all[i])
			}
		}

		// A write after the catch-up is the only change that follows.
		a, err := s.CreateArea(t.Context(), db.Actor{ID: "key:test", Role: db.RoleAdmin}, &db.Area{
			Code: "feed-1", Name: "Feed", Kind: db.KindDistrict, Geometry: firstGeometry(t, s)})
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Changes changePageJSON }
		c.ok(changesQuery, map[string]any{"after": after}, &out)
		if got := out.Changes.Changes; len(got) != 1 || got[0].ID != a.NodeID() || got[0].Type != "Area" ||
			got[0].Action != "CREATED" || got[0].Version != 1 || got[0].At == "" ||
			fmt.Sprint(got[0].Areas) != "["+a.NodeID()+"]" || len(got[0].Organizations) != 0 {
			t.Fatalf("after the catch-up: %+v", got)
		}

		// A filter: only initiatives of one organisation.
		var filtered struct{ Changes changePageJSON }
		c.ok(changesQuery, map[string]any{"after": 0, "types": []string{"Initiative"}}, &filtered)
		for _, ch := range filtered.Changes.Changes {
			if ch.Type != "Initiative" {
				t.Errorf("filtered by type: %+v", ch)
			}
		}
	})
}

func firstGeometry(t *testing.T, s db.Store) orb.Geometry {
	t.Helper()
	l, err := s.Areas(t.Context(), db.AreaFilter{}, db.Page{Limit: 1})
	if err != nil || len(l.Items) == 0 {
		t.Fatalf("no area: %v", err)
	}
	return l.Items[0].Geometry
}

// Bad places and filters are refused with BAD_USER_INPUT, naming what is
// wrong.
func TestChangesRefuses(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		for _, v := range []map[string]any{
			{"after": "-1"},
			{"after": -1},
			{"after": "007"},
			{"after": "x"},
			{"after": "99999999999999999999"},
			{"after": 1.5},
			{"after": "0", "first": 0},
			{"after": "0", "first": 1001},
			{"after": "0", "areas": []string{"Employer:1"}},
			{"after": "0", "orgs": []string{"Area:1"}},
			{"after": "0", "types": []string{"Key"}},
		} {
			r := c.query(changesQuery, v)
			if r.code() != db.EINVALID {
				t.Errorf("%v: code %q (%+v), want %s", v, r.code(), r.Errors, db.EINVALID)
			}
		}
	})
}

// Every record type answers updatedAt as the store keeps it.
func TestUpdatedAt(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, s db.Store) {
		areas, err := s.Areas(t.Context(), db.AreaFilter{}, db.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		orgs, err := s.Organizations(t.Context(), db.OrganizationFilter{}, db.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		inits, err := s.Initiatives(t.Context(), db.InitiativeFilter{}, db.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		defs, err := s.Indicators(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		stamp := func(at time.Time) string { return at.UTC().Format("2006-01-02T15:04:05.999999Z07:00") }
		for _, n := range []struct {
			id   string
			want time.Time
		}{{areas.Items[0].NodeID(), areas.Items[0].UpdatedAt}, {orgs.Items[0].NodeID(), orgs.Items[0].UpdatedAt},
			{inits.Items[0].NodeID(), inits.Items[0].UpdatedAt}} {
			var out struct {
				Node struct {
					UpdatedAt string `json:"updatedAt"`
				} `json:"node"`
			}
			c.ok(`query($id: ID!) { node(id: $id) { ... on Area { updatedAt } ... on Organization { updatedAt }
				... on Initiative { updatedAt } } }`, map[string]any{"id": n.id}, &out)
			if n.want.IsZero() || out.Node.UpdatedAt != stamp(n.want) {
				t.Errorf("%s: updatedAt %q, the store has %v", n.id, out.Node.UpdatedAt, n.want)
			}
		}
		var out struct {
			Indicators []struct {
				UpdatedAt string `json:"updatedAt"`
			} `json:"indicators"`
		}
		c.ok(`query($c: [String!]) { indicators(codes: $c) { updatedAt } }`, map[string]any{"c": []string{defs[0].Code}}, &out)
		if len(out.Indicators) != 1 || out.Indicators[0].UpdatedAt != stamp(defs[0].UpdatedAt) {
			t.Errorf("indicator %s: %+v, the store has %v", defs[0].Code, out.Indicators, defs[0].UpdatedAt)
		}
	})
}
