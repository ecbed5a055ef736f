package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/internal/streamtest"
	"github.com/areagraph/areagraph/server"
)

// Subscriptions through the real server, over both transports and every
// backend: a write made through the API reaches the subscribers whose
// filters it passes, in commit order, once; a subscriber that comes back
// with the last seq it got catches up exactly.

// changesSub is the subscription the tests send: the filters as
// variables, and vars["after"], when given, written into the document as a
// literal (a whole number, as a Sequence may be written).
func changesSub(vars map[string]any) (string, map[string]any) {
	after := ""
	rest := map[string]any{}
	for k, v := range vars {
		if k == "after" {
			after = fmt.Sprintf(", after: %v", v)
			continue
		}
		rest[k] = v
	}
	return `subscription($types: [String!], $areas: [ID!], $orgs: [ID!]) {
  changes(types: $types, areas: $areas, organizations: $orgs` + after + `) {
    seq type id action version at areas organizations
  }
}`, rest
}

// subscribe starts a subscription of changes on a socket.
func subscribe(ws *streamtest.Socket, id string, vars map[string]any) {
	query, rest := changesSub(vars)
	ws.Subscribe(id, query, rest)
}

// seqNum is a seq as the server writes it, a number or a string of one.
type seqNum int64

func (n *seqNum) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	*n = seqNum(v)
	return err
}

// change is a Change as a client reads it.
type change struct {
	Seq           seqNum   `json:"seq"`
	Type          string   `json:"type"`
	ID            string   `json:"id"`
	Action        string   `json:"action"`
	Version       int      `json:"version"`
	At            string   `json:"at"`
	Areas         []string `json:"areas"`
	Organizations []string `json:"organizations"`
}

// changeOf reads the change of a subscription's result, failing on errors.
func changeOf(t *testing.T, payload []byte) change {
	t.Helper()
	var r struct {
		Data struct {
			Changes change `json:"changes"`
		} `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(payload, &r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("not a change: %v %s", err, payload)
	}
	return r.Data.Changes
}

// nextChange is the next change on a socket.
func nextChange(t *testing.T, ws *streamtest.Socket, id string) change {
	t.Helper()
	m := ws.Next()
	if m.Type != "next" || m.ID != id {
		t.Fatalf("got %s %s %s, want next of %s", m.Type, m.ID, m.Payload, id)
	}
	return changeOf(t, m.Payload)
}

// nextEvent is the next change of an event stream.
func nextEvent(t *testing.T, ev *streamtest.Events) change {
	t.Helper()
	e := ev.Next()
	if e.Name != "next" {
		t.Fatalf("got event %q %s, want next", e.Name, e.Data)
	}
	return changeOf(t, []byte(e.Data))
}

// subscribeEvents opens an event stream of changes.
func subscribeEvents(t *testing.T, url string, vars map[string]any) *streamtest.Events {
	t.Helper()
	query, rest := changesSub(vars)
	body, _ := json.Marshal(map[string]any{"query": query, "variables": rest})
	ev := streamtest.Post(t, url+"/graphql", string(body), nil)
	if ev.Response.StatusCode != http.StatusOK {
		t.Fatalf("status %d", ev.Response.StatusCode)
	}
	return ev
}

// renameArea renames an area through the API and returns its new version.
func renameArea(e *writeEnv, id, name string) int {
	e.t.Helper()
	var cur struct {
		Node struct{ Version int } `json:"node"`
	}
	e.admin().ok(`query($id: ID!) { node(id: $id) { ... on Area { version } } }`, map[string]any{"id": id}, &cur)
	var out struct {
		UpdateArea struct {
			Area struct{ Version int } `json:"area"`
		} `json:"updateArea"`
	}
	e.admin().ok(`mutation($id: ID!, $v: Int!, $name: String!) { updateArea(input: {id: $id, version: $v, name: $name}) { area { version } } }`,
		map[string]any{"id": id, "v": cur.Node.Version, "name": name}, &out)
	return out.UpdateArea.Area.Version
}

// newInitiative creates an initiative serving area through the API and
// returns its id.
func newInitiative(e *writeEnv, title, area string) string {
	e.t.Helper()
	var out struct {
		CreateInitiative struct {
			Initiative struct{ ID string } `json:"initiative"`
		} `json:"createInitiative"`
	}
	e.editor().ok(`mutation($title: String!, $area: ID!) {
		createInitiative(input: {title: $title, status: ACTIVE, goalArea: GOOD_START_IN_LIFE, areas: [$area]}) { initiative { id } }
	}`, map[string]any{"title": title, "area": area}, &out)
	return out.CreateInitiative.Initiative.ID
}

// headSeq is the seq of a change made now: every change after it is
// made later.
func headSeq(e *writeEnv) int64 {
	e.t.Helper()
	_, b := twoAreas(e)
	ev := subscribeEvents(e.t, e.url, map[string]any{"types": []string{"Area"}})
	defer ev.Close()
	renameArea(e, b, "Head")
	return int64(nextEvent(e.t, ev).Seq)
}

// twoAreas are two priority areas of the demo.
func twoAreas(e *writeEnv) (string, string) {
	e.t.Helper()
	var out struct {
		Areas struct{ Nodes []struct{ ID string } } `json:"areas"`
	}
	e.admin().ok(`{ areas(first: 2, filter: {kinds: [PRIORITY_AREA]}) { nodes { id } } }`, nil, &out)
	if len(out.Areas.Nodes) < 2 {
		e.t.Fatal("the demo has fewer than two priority areas")
	}
	return out.Areas.Nodes[0].ID, out.Areas.Nodes[1].ID
}

func TestSubscriptionOverWebSocketSeesWritesItsFilterPasses(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		a, b := twoAreas(e)
		ws, _, err := streamtest.Dial(t, e.url+"/graphql", streamtest.DialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ws.Init(map[string]any{"Authorization": "Bearer " + e.tokens[readerKey]})
		// A socket says nothing when a subscription has started: from a
		// seq known before the writes, none of them is missed.
		head := headSeq(e)
		subscribe(ws, "areas", map[string]any{"types": []string{"Area"}, "after": head})
		subscribe(ws, "of-b", map[string]any{"areas": []string{b}, "after": head})
		v := renameArea(e, a, "Live A")
		got := nextChange(t, ws, "areas")
		if got.Type != "Area" || got.ID != a || got.Action != "UPDATED" || got.Version != v || got.Seq <= 0 || got.At == "" {
			t.Errorf("rename of %s: got %+v", a, got)
		}
		in := newInitiative(e, "Homework café", b)
		got = nextChange(t, ws, "of-b")
		if got.Type != "Initiative" || got.ID != in || got.Action != "CREATED" || !contains(got.Areas, b) {
			t.Errorf("initiative in %s: got %+v", b, got)
		}
		// The area filter passes nothing of a; the type filter nothing
		// but areas.
		v = renameArea(e, b, "Live B")
		first, second := ws.Next(), ws.Next()
		ids := map[string]change{first.ID: changeOf(t, first.Payload), second.ID: changeOf(t, second.Payload)}
		if len(ids) != 2 || ids["areas"].ID != b || ids["of-b"].ID != b || ids["areas"].Version != v {
			t.Errorf("rename of %s: got %s %s / %s %s", b, first.ID, first.Payload, second.ID, second.Payload)
		}
		if m, err := ws.NextWithin(300 * time.Millisecond); err == nil {
			t.Errorf("one write, one event per subscription: also got %+v", m)
		}
		// complete stops one subscription; the other goes on.
		if err := ws.Send(map[string]any{"id": "areas", "type": "complete"}); err != nil {
			t.Fatal(err)
		}
		if m := ws.Next(); m.Type != "complete" || m.ID != "areas" {
			t.Errorf("after complete: %+v", m)
		}
		renameArea(e, b, "Live B2")
		if got := nextChange(t, ws, "of-b"); got.ID != b {
			t.Errorf("after complete: %+v", got)
		}
		if m, err := ws.NextWithin(300 * time.Millisecond); err == nil {
			t.Errorf("a completed subscription sent %+v", m)
		}
	})
}

func TestSubscriptionAsServerSentEvents(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		a, b := twoAreas(e)
		ev := subscribeEvents(t, e.url, map[string]any{"areas": []string{a}})
		if ct := ev.Response.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("Content-Type %q", ct)
		}
		renameArea(e, b, "Elsewhere")
		v := renameArea(e, a, "Here")
		if got := nextEvent(t, ev); got.ID != a || got.Version != v {
			t.Errorf("got %+v, want the rename of %s alone", got, a)
		}
		// EventSource sends GET: a subscription may come that way.
		q := "?query=" + url.QueryEscape(`subscription { changes(types: ["Initiative"]) { id action } }`)
		get := streamtest.Get(t, e.url+"/graphql"+q, nil)
		in := newInitiative(e, "Reading circle", a)
		ev2 := get.Next()
		if ev2.Name != "next" || !strings.Contains(ev2.Data, in) {
			t.Errorf("over GET: %+v", ev2)
		}
	})
}

func TestSubscriptionCatchesUpExactly(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		a, b := twoAreas(e)
		ev := subscribeEvents(t, e.url, map[string]any{"types": []string{"Area"}})
		renameArea(e, a, "Before the break")
		seen := nextEvent(t, ev)
		ev.Close()
		// While away: three writes the filter passes, one it does not.
		var want []string
		for i := range 3 {
			v := renameArea(e, []string{a, b}[i%2], fmt.Sprintf("Away %d", i))
			want = append(want, fmt.Sprintf("%s@%d", []string{a, b}[i%2], v))
			if i == 1 {
				newInitiative(e, "Unseen", a)
			}
		}
		for _, transport := range []string{"events", "socket"} {
			vars := map[string]any{"types": []string{"Area"}, "after": seen.Seq}
			var next func() change
			if transport == "events" {
				ev := subscribeEvents(t, e.url, vars)
				next = func() change { return nextEvent(t, ev) }
			} else {
				ws, _, err := streamtest.Dial(t, e.url+"/graphql", streamtest.DialOptions{})
				if err != nil {
					t.Fatal(err)
				}
				ws.Init(nil)
				subscribe(ws, "1", vars)
				next = func() change { return nextChange(t, ws, "1") }
			}
			last := seen.Seq
			for _, w := range want {
				got := next()
				if fmt.Sprintf("%s@%d", got.ID, got.Version) != w || got.Seq <= last {
					t.Errorf("%s: caught up %s@%d (seq %d after %d), want %s", transport, got.ID, got.Version, got.Seq, last, w)
				}
				last = got.Seq
			}
			// Then live, with nothing twice.
			v := renameArea(e, a, "Back "+transport)
			if got := next(); got.ID != a || got.Version != v {
				t.Errorf("%s: after catching up got %+v, want %s@%d", transport, got, a, v)
			}
			want = append(want, fmt.Sprintf("%s@%d", a, v))
		}
	})
}

func TestSubscriptionArgumentsAndLimits(t *testing.T) {
	s := backends[0].Open(t)
	e := newWriteEnv(t, s, server.Config{
		Limits:  graph.Limits{MaxSelections: 30},
		Streams: graph.StreamConfig{MaxSubscriptionsPerSocket: 2, MaxSubscriptions: 3},
	})
	ws, _, err := streamtest.Dial(t, e.url+"/graphql", streamtest.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ws.Init(nil)
	refused := func(id, vars, query, want string) {
		t.Helper()
		var v map[string]any
		_ = json.Unmarshal([]byte(vars), &v)
		if query == "" {
			query, v = changesSub(v)
		}
		ws.Subscribe(id, query, v)
		for {
			m := ws.Next()
			if m.ID != id {
				continue
			}
			if (m.Type != "next" && m.Type != "error") || !strings.Contains(string(m.Payload), want) {
				t.Errorf("%s: got %s %s, want an error saying %q", id, m.Type, m.Payload, want)
			}
			// gqlgen completes after an error message too.
			if m := ws.Next(); m.Type != "complete" || m.ID != id {
				t.Errorf("%s: then %+v, want complete", id, m)
			}
			return
		}
	}
	refused("negative", `{"after": -1}`, "", "0 or")
	refused("type", `{"types": ["Planet"]}`, "", "unknown type of change")
	refused("area", `{"areas": ["Employer:1"]}`, "", "Area")
	refused("selections", `{}`, "subscription { changes { "+strings.Repeat("id ", 40)+"} }", "more than 30 selections")
	refused("two roots", `{}`, `subscription { changes { id } again: changes { id } }`, "a subscription selects exactly one field")
	refused("typename", `{}`, `subscription { __typename }`, "must not select an introspection top level field")

	// Each starts from a change just made, so that its first event says
	// it runs (a socket runs its subscriptions in no set order).
	head := headSeq(e)
	for _, id := range []string{"1", "2"} {
		subscribe(ws, id, map[string]any{"after": head - 1})
		if got := nextChange(t, ws, id); int64(got.Seq) != head {
			t.Fatalf("%s: got %+v, want the change %d", id, got, head)
		}
	}
	refused("3", `{}`, "", "this socket runs as many subscriptions as it may (2)")
	// Another socket may, up to the server's bound.
	ev := subscribeEvents(t, e.url, nil)
	ev2 := subscribeEvents(t, e.url, nil)
	if got := ev2.Next(); got.Name != "next" || !strings.Contains(got.Data, "the server runs as many subscriptions as it may") {
		t.Errorf("past the server's bound: %+v", got)
	}
	// A subscription that ends frees its place.
	ev.Close()
	if err := ws.Send(map[string]any{"id": "1", "type": "complete"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	subscribe(ws, "4", map[string]any{"types": []string{"Area"}})
	a, _ := twoAreas(e)
	renameArea(e, a, "Freed")
	for {
		m := ws.Next()
		if m.ID == "4" {
			if got := changeOf(t, m.Payload); got.ID != a {
				t.Errorf("got %+v", got)
			}
			break
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Two server instances over one database: a subscriber of one sees the
// writes made through the other, since PostgreSQL tells every instance.
func TestSubscriptionSeesWritesOfAnotherInstance(t *testing.T) {
	url := pgtest.SchemaURL(t)
	a := newWriteEnv(t, storetest.WithDemo(t, storetest.PostGIS(t, url)), server.Config{})
	other := httptest.NewServer(server.New(storetest.PostGIS(t, url), server.Config{}))
	t.Cleanup(other.Close)
	area, _ := twoAreas(a)
	ev := subscribeEvents(t, other.URL, map[string]any{"areas": []string{area}})
	v := renameArea(a, area, "Renamed on the first instance")
	if got := nextEvent(t, ev); got.ID != area || got.Version != v {
		t.Errorf("the other instance's subscriber got %+v, want %s@%d", got, area, v)
	}
}
