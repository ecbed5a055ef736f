package postgis

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

// A server that is not in recovery, named as a read replica, holds all it
// has written: enough to run every read of the conformance suite through
// the routing. The topology with a real streaming standby is tested in
// replication_test.go.
func TestConformanceThroughReadReplicas(t *testing.T) {
	dbtest.Run(t, func(t *testing.T) db.Store {
		u := pgtest.SchemaURL(t)
		s, err := Open(context.Background(), u, WithReadReplicas(ReadReplicas{URLs: []string{u}, CheckInterval: 50 * time.Millisecond}))
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(s.Close)
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// route is the count of reads that went by one route.
func route(st db.ReplicationStats, server, reason string) uint64 {
	for _, r := range st.Routes {
		if r.Server == server && r.Reason == reason {
			return r.Count
		}
	}
	return 0
}

func TestReadsFollowTheReplicasHealth(t *testing.T) {
	ctx := context.Background()
	u := pgtest.SchemaURL(t)
	proxy, viaProxy := pgtest.NewProxy(t, u)
	s, err := Open(ctx, u, WithReadReplicas(ReadReplicas{URLs: []string{viaProxy}, CheckInterval: 50 * time.Millisecond}))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st := s.ReplicationStats()
	if !st.PrimaryUp || len(st.Replicas) != 1 || !st.Replicas[0].Up || st.Replicas[0].Name != hostOf(t, viaProxy) {
		t.Fatalf("after open: %+v", st)
	}

	// A write hands the request's sink its token; a read in the same
	// request asks for it, and the replica, which has it, serves.
	wctx, writes := db.WithWrites(ctx)
	o, err := s.CreateOrganization(wctx, db.Actor{ID: "key:t", Role: db.RoleAdmin}, &db.Organization{Kind: db.OrgAssociation, Name: "Föreningen"})
	if err != nil {
		t.Fatal(err)
	}
	token := writes.Consistency()
	if token == 0 {
		t.Fatal("a write noted no consistency token")
	}
	if _, err := db.ParseConsistency(token.String()); err != nil {
		t.Fatalf("token %q does not read back: %v", token, err)
	}
	before := s.ReplicationStats()
	got, err := s.OrganizationsByID(db.WithConsistency(ctx, token), []int64{o.ID})
	if err != nil || len(got) != 1 || got[0] == nil {
		t.Fatalf("read with the token: %v %v", got, err)
	}
	after := s.ReplicationStats()
	if route(after, "replica", "fresh")+route(after, "replica", "waited") !=
		route(before, "replica", "fresh")+route(before, "replica", "waited")+1 {
		t.Errorf("the read with the token did not go to the replica: %+v", after.Routes)
	}

	// A token past anything written waits its bound, then the primary
	// answers.
	far := db.WithConsistency(ctx, token+1<<40)
	if _, err := s.OrganizationsByID(far, []int64{o.ID}); err != nil {
		t.Fatal(err)
	}
	if n := route(s.ReplicationStats(), "primary", "token_ahead"); n != 1 {
		t.Errorf("reads sent to the primary for a token ahead: %d, want 1", n)
	}

	// The replica dies: the next read goes to the primary at once, and
	// the checks keep it aside until it is back.
	proxy.Cut()
	if _, err := s.OrganizationsByID(ctx, []int64{o.ID}); err != nil {
		t.Fatalf("read with the replica cut: %v", err)
	}
	waitFor(t, "the replica set aside", func() bool { return !s.ReplicationStats().Replicas[0].Up })
	n := route(s.ReplicationStats(), "primary", "no_replica")
	if _, err := s.OrganizationsByID(ctx, []int64{o.ID}); err != nil {
		t.Fatal(err)
	}
	if route(s.ReplicationStats(), "primary", "no_replica") != n+1 {
		t.Error("a read with the replica down did not go to the primary")
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping with the primary up and the replica down: %v", err)
	}
	proxy.Restore()
	waitFor(t, "the replica back", func() bool { return s.ReplicationStats().Replicas[0].Up })
}

func hostOf(t *testing.T, u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return pu.Host
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually(t, what, func() error {
		if cond() {
			return nil
		}
		return errors.New("not yet")
	})
}

func TestReplicaLagFromThePrimarysHistory(t *testing.T) {
	var h history
	h.keep = time.Minute
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h.add(t0, 100)
	h.add(t0.Add(time.Second), 100)
	h.add(t0.Add(2*time.Second), 300)
	h.add(t0.Add(3*time.Second), 500)
	now := t0.Add(4 * time.Second)
	for _, c := range []struct {
		replayed uint64
		lag      time.Duration
		bytes    int64
	}{
		{500, 0, 0},
		{600, 0, 0},
		{300, time.Second, 200},
		{299, 2 * time.Second, 201},
		{50, 4 * time.Second, 450},
	} {
		lag, bytes := h.lag(c.replayed, now)
		if lag != c.lag || bytes != c.bytes {
			t.Errorf("replayed %d: lag %v, %d bytes; want %v, %d", c.replayed, lag, bytes, c.lag, c.bytes)
		}
	}
	// Samples older than the window go, but the latest stays.
	h.add(t0.Add(2*time.Minute), 500)
	if len(h.samples) != 1 {
		t.Errorf("%d samples kept, want 1", len(h.samples))
	}
}

func TestTokenPayloads(t *testing.T) {
	for p, want := range map[string]struct {
		token string
		pos   uint64
	}{
		"sync:ab:1@1234": {"ab:1", 1234},
		"sync:ab:2":      {"ab:2", 0}, // an older server's token
		"sync:ab:3@x":    {"ab:3@x", 0},
	} {
		c, pos := parsePayload(p)
		if c.Token != want.token || pos != want.pos {
			t.Errorf("parsePayload(%q) = %q, %d; want %q, %d", p, c.Token, pos, want.token, want.pos)
		}
	}
}

// Heads read with read replicas make every later read of the server ask
// for a position past the commits they name: an answer tagged with them
// is then never read from a replica that has not replayed those commits.
// A write made through another server (here a second store) is the case
// that matters: this server learns of it only from the heads.
func TestHeadsRaiseThePositionReadsAskFor(t *testing.T) {
	ctx := context.Background()
	u := pgtest.SchemaURL(t)
	reader, err := Open(ctx, u, WithReadReplicas(ReadReplicas{URLs: []string{u}, CheckInterval: 50 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reader.Close)
	if err := reader.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	writer, err := Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(writer.Close)
	if _, err := writer.CreateOrganization(ctx, db.Actor{ID: "test", Role: db.RoleAdmin}, &db.Organization{Kind: db.OrgAssociation, Name: "Läxhjälpen"}); err != nil {
		t.Fatal(err)
	}
	var after int64
	if err := writer.pool.QueryRow(ctx, commitPositionSQL).Scan(&after); err != nil {
		t.Fatal(err)
	}
	before := reader.readers.written.Load()
	if _, head, err := reader.Heads(ctx); err != nil || head == 0 {
		t.Fatalf("heads: %d, %v", head, err)
	}
	if got := reader.readers.written.Load(); got < uint64(after) || got <= before {
		t.Errorf("after the heads, reads ask for position %d (before %d); the write's commit is at or before %d", got, before, after)
	}
}
