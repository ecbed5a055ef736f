package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// The read replica topology: a private PostgreSQL primary with a streaming
// standby that scripts/pgcluster builds (scripts/test does, and exports
// their URLs), and two areagraph servers, A and B, each reading from the
// standby and writing to the primary, as two instances behind a load
// balancer would.

// cluster is the topology's database servers.
type cluster struct {
	primary, standby string // URLs of a schema of the test's own
	ctl              []string
}

// run does what scripts/pgcluster's command does to the cluster.
func (c cluster) run(t *testing.T, command string) {
	t.Helper()
	out, err := exec.Command(c.ctl[0], command, c.ctl[1]).CombinedOutput()
	if err != nil {
		t.Fatalf("pgcluster %s: %v\n%s", command, err, out)
	}
}

// newCluster gives the test a schema on the topology's primary, which the
// standby replays, or skips the test when scripts/test did not build one.
func newCluster(t *testing.T) cluster {
	primary, standby := os.Getenv("AREAGRAPH_TEST_PRIMARY_URL"), os.Getenv("AREAGRAPH_TEST_STANDBY_URL")
	ctl := strings.Fields(os.Getenv("AREAGRAPH_TEST_PGCLUSTER"))
	if primary == "" || standby == "" || len(ctl) != 2 {
		t.Skip("no replica topology: scripts/test builds one with scripts/pgcluster and sets AREAGRAPH_TEST_PRIMARY_URL, " +
			"AREAGRAPH_TEST_STANDBY_URL and AREAGRAPH_TEST_PGCLUSTER")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, primary)
	if err != nil {
		t.Fatalf("the topology's primary: %v", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	admin.Close(ctx)
	t.Cleanup(func() {
		admin, err := pgx.Connect(ctx, primary)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	inSchema := func(u string) string {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		q := pu.Query()
		q.Set("search_path", schema+",public")
		pu.RawQuery = q.Encode()
		return pu.String()
	}
	return cluster{primary: inSchema(primary), standby: inSchema(standby), ctl: ctl}
}

// exec runs sql on the server at u.
func execOn(t *testing.T, u, sql string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// caughtUp waits until the standby has replayed all the primary has
// written.
func (c cluster) caughtUp(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	p, err := pgx.Connect(ctx, c.primary)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(ctx)
	var target string
	if err := p.QueryRow(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&target); err != nil {
		t.Fatal(err)
	}
	s, err := pgx.Connect(ctx, c.standby)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	waitFor(t, "the standby to catch up", func() bool {
		var ok bool
		err := s.QueryRow(ctx, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", target).Scan(&ok)
		return err == nil && ok
	})
}

// instance is one areagraph server of the topology.
type instance struct {
	url   string
	store *postgis.Store
}

// checkEvery is how often the instances check the replica: often, so the
// tests wait little for a change to be seen.
const checkEvery = 100 * time.Millisecond

// newInstance serves the topology through a server of its own; the first
// migrates the schema, loads the demo and makes the key secret names.
func (c cluster) newInstance(t *testing.T, cfg postgis.ReadReplicas, first bool, secret *string) instance {
	t.Helper()
	ctx := context.Background()
	cfg.URLs = []string{c.standby}
	if cfg.CheckInterval == 0 {
		cfg.CheckInterval = checkEvery
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := postgis.Open(ctx, c.primary, postgis.WithLogger(quiet), postgis.WithReadReplicas(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if first {
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		storetest.WithDemo(t, s)
		sec, key, err := auth.NewKey("replica test", db.RoleAdmin, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateKey(ctx, db.Actor{ID: "cli:test", Role: db.RoleAdmin}, key); err != nil {
			t.Fatal(err)
		}
		*secret = sec
		c.caughtUp(t)
	}
	authn, err := auth.New(ctx, s, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(s, server.Config{Auth: authn, Log: quiet}))
	t.Cleanup(srv.Close)
	return instance{url: srv.URL, store: s}
}

// gql posts a GraphQL request to the instance, with a key and a token
// when not empty, and returns the answer with its token header.
func (in instance) gql(t *testing.T, secret, token, query string, vars map[string]any) answer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, in.url+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if token != "" {
		req.Header.Set(server.ConsistencyHeader, token)
	}
	return send(t, req)
}

const createAssociation = `mutation($name: String!) { createAssociation(input: {name: $name}) { association { id } } }`

// write creates an association on the instance and returns its id and the
// token its answer carries, in the header and the extensions alike.
func (in instance) write(t *testing.T, secret, name string) (id, token string) {
	t.Helper()
	a := in.gql(t, secret, "", createAssociation, map[string]any{"name": name})
	if a.status != http.StatusOK || len(a.Errors) > 0 {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	var out struct {
		Data struct {
			CreateAssociation struct{ Association struct{ ID string } }
		}
		Extensions struct{ Consistency string }
	}
	if err := json.Unmarshal([]byte(a.raw), &out); err != nil {
		t.Fatal(err)
	}
	token = a.header.Get(server.ConsistencyHeader)
	if token == "" || token != out.Extensions.Consistency {
		t.Fatalf("the write's token: header %q, extensions %q", token, out.Extensions.Consistency)
	}
	return out.Data.CreateAssociation.Association.ID, token
}

// sees reports whether a read on the instance, with token when not empty,
// finds the node id.
func (in instance) sees(t *testing.T, id, token string) bool {
	t.Helper()
	a := in.gql(t, "", token, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
	if a.status != http.StatusOK {
		t.Fatalf("read: %d %s", a.status, a.raw)
	}
	if len(a.Errors) == 1 && a.Errors[0].Extensions["code"] == db.ENOTFOUND {
		return false
	}
	if len(a.Errors) > 0 {
		t.Fatalf("read: %s", a.raw)
	}
	return strings.Contains(string(a.Data), id)
}

// routed is how many reads of the instance went by server and reason.
func (in instance) routed(server, reason string) uint64 {
	for _, r := range in.store.ReplicationStats().Routes {
		if r.Server == server && r.Reason == reason {
			return r.Count
		}
	}
	return 0
}

func TestReadYourWritesAcrossInstances(t *testing.T) {
	c := newCluster(t)
	var secret string
	a := c.newInstance(t, postgis.ReadReplicas{}, true, &secret)
	b := c.newInstance(t, postgis.ReadReplicas{Wait: 2 * time.Second}, false, nil)

	// B waits for the standby to replay A's write.
	id, token := a.write(t, secret, "Läxhjälpen")
	waited, fresh := b.routed("replica", "waited"), b.routed("replica", "fresh")
	if !b.sees(t, id, token) {
		t.Fatal("B did not see A's write with its token")
	}
	if b.routed("replica", "waited")+b.routed("replica", "fresh") == waited+fresh {
		t.Error("the standby did not serve the read with the token")
	}

	// With the standby's replay paused, B sees A's next write only with
	// its token, and then from the primary once the wait is over.
	execOn(t, c.standby, "SELECT pg_wal_replay_pause()")
	t.Cleanup(func() { execOn(t, c.standby, "SELECT pg_wal_replay_resume()") })
	id, token = a.write(t, secret, "Nattvandrarna")
	if b.sees(t, id, "") {
		t.Error("the paused standby served A's write: the test proves nothing")
	}
	// A reads its own writes without a token: every read of a server
	// asks for its latest write.
	if !a.sees(t, id, "") {
		t.Error("A did not see its own write while the standby is paused")
	}
	behind := b.routed("primary", "token_ahead")
	start := time.Now()
	if !b.sees(t, id, token) {
		t.Fatal("B did not see A's write with its token while the standby is paused")
	}
	if b.routed("primary", "token_ahead") != behind+1 {
		t.Error("the read with the token did not fall back to the primary")
	}
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("B answered in %v, before its wait for the standby was over", waited)
	}

	// A token that is not one is refused, before anything is read.
	bad := b.gql(t, "", "not-a-token", `{ __typename }`, nil)
	if bad.status != http.StatusBadRequest || len(bad.Errors) != 1 || bad.Errors[0].Extensions["code"] != db.EINVALID {
		t.Errorf("a malformed token: %d %s", bad.status, bad.raw)
	}
}

func TestKilledStandby(t *testing.T) {
	c := newCluster(t)
	var secret string
	a := c.newInstance(t, postgis.ReadReplicas{}, true, &secret)
	c.run(t, "kill-standby")
	t.Cleanup(func() { c.run(t, "start-standby") })
	// Reads go on at once: the first finds the standby gone and asks the
	// primary, the checks then keep them off it.
	for i := range 5 {
		r := a.gql(t, "", "", `{ areas(first: 3) { totalCount } }`, nil)
		if r.status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("read %d with the standby killed: %d %s", i, r.status, r.raw)
		}
	}
	waitFor(t, "the standby to be set aside", func() bool { return !a.store.ReplicationStats().Replicas[0].Up })
	before := a.routed("primary", "no_replica")
	if r := a.gql(t, "", "", `{ areas(first: 3) { totalCount } }`, nil); r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("read with the standby set aside: %s", r.raw)
	}
	if a.routed("primary", "no_replica") == before {
		t.Error("the read did not go to the primary")
	}
	// Writes carry on, and the standby is used again once it is back.
	a.write(t, secret, "Fritidsgården")
	c.run(t, "start-standby")
	waitFor(t, "the standby to be used again", func() bool { return a.store.ReplicationStats().Replicas[0].Up })
}

func TestStoppedPrimary(t *testing.T) {
	c := newCluster(t)
	var secret string
	a := c.newInstance(t, postgis.ReadReplicas{}, true, &secret)
	c.run(t, "stop-primary")
	t.Cleanup(func() { c.run(t, "start-primary") })
	waitFor(t, "the primary to be seen down", func() bool { return !a.store.ReplicationStats().PrimaryUp })

	// Reads go on from the standby; writes are UNAVAILABLE; the instance
	// stays ready, since it serves reads.
	for i := range 3 {
		r := a.gql(t, "", "", `{ areas(first: 3) { totalCount } }`, nil)
		if r.status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), "totalCount") {
			t.Fatalf("read %d with the primary down: %d %s", i, r.status, r.raw)
		}
	}
	if a.routed("replica", "fresh") == 0 {
		t.Error("no read went to the standby")
	}
	w := a.gql(t, secret, "", createAssociation, map[string]any{"name": "Biblioteket"})
	if len(w.Errors) != 1 || w.Errors[0].Extensions["code"] != db.EUNAVAILABLE {
		t.Errorf("a write with the primary down: %d %s", w.status, w.raw)
	}
	if w.header.Get(server.ConsistencyHeader) != "" {
		t.Error("a failed write answered a consistency token")
	}
	res, err := http.Get(a.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/readyz with the primary down and the standby up: %d", res.StatusCode)
	}

	// An instance started now serves reads too, and finds the schema
	// migrated (on the standby), as serve checks before it starts.
	late := c.newInstance(t, postgis.ReadReplicas{}, false, nil)
	if pending, err := late.store.Pending(context.Background()); err != nil || len(pending) > 0 {
		t.Errorf("migrations pending with the primary down: %v %v", pending, err)
	}
	if r := late.gql(t, "", "", `{ areas(first: 3) { totalCount } }`, nil); r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Errorf("a read on an instance started with the primary down: %d %s", r.status, r.raw)
	}

	// Back up, writes go through again.
	c.run(t, "start-primary")
	waitFor(t, "the primary to be seen up", func() bool { return a.store.ReplicationStats().PrimaryUp })
	a.write(t, secret, "Biblioteket")
}

func TestLaggingReplicaIsSkipped(t *testing.T) {
	c := newCluster(t)
	var secret string
	a := c.newInstance(t, postgis.ReadReplicas{MaxLag: 500 * time.Millisecond}, true, &secret)
	execOn(t, c.standby, "SELECT pg_wal_replay_pause()")
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			execOn(t, c.standby, "SELECT pg_wal_replay_resume()")
		}
	})
	id, _ := a.write(t, secret, "Kvinnojouren")
	waitFor(t, "the lagging standby to be set aside", func() bool { return !a.store.ReplicationStats().Replicas[0].Up })
	// Without a token, reads now go to the primary, and so see the write.
	before := a.routed("primary", "no_replica")
	if !a.sees(t, id, "") {
		t.Error("a read with the standby set aside for its lag missed a write")
	}
	if a.routed("primary", "no_replica") == before {
		t.Error("the read did not go to the primary")
	}
	// The metrics tell the lag and the choice.
	res, err := http.Get(a.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	name := a.store.ReplicationStats().Replicas[0].Name
	for _, want := range []string{
		fmt.Sprintf("areagraph_db_replica_usable{replica=%q} 0", name),
		fmt.Sprintf("areagraph_db_replica_up{replica=%q} 1", name),
		fmt.Sprintf("areagraph_db_replica_lag_seconds{replica=%q}", name),
		`areagraph_db_reads_total{reason="no_replica",server="primary"}`,
		"areagraph_db_primary_up 1",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the metrics lack %s", want)
		}
	}
	execOn(t, c.standby, "SELECT pg_wal_replay_resume()")
	resumed = true
	waitFor(t, "the standby to be used again", func() bool { return a.store.ReplicationStats().Replicas[0].Up })
}

// A consistency token that is not one is refused on every backend, and a
// read changes nothing on a backend without replicas.
func TestConsistencyTokenIsChecked(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		in := instance{url: c.url}
		bad := in.gql(t, "", strings.Repeat("1", 40)+"/1", `{ __typename }`, nil)
		if bad.status != http.StatusBadRequest || len(bad.Errors) != 1 || bad.Errors[0].Extensions["code"] != db.EINVALID {
			t.Errorf("a malformed token: %d %s", bad.status, bad.raw)
		}
		ok := in.gql(t, "", "0/16B3748", `{ areas(first: 1) { totalCount } }`, nil)
		if ok.status != http.StatusOK || len(ok.Errors) > 0 || ok.header.Get(server.ConsistencyHeader) != "" {
			t.Errorf("a read with a token: %d %s, token %q", ok.status, ok.raw, ok.header.Get(server.ConsistencyHeader))
		}
	})
}

// A page on another origin may send a consistency token back and read the
// one a write answers: the header is in CORS's allowed and exposed ones
// (browsers list the headers of a preflight sorted, in lower case).
func TestConsistencyHeaderCrossesOrigins(t *testing.T) {
	srv := corsServer(t, server.Config{})
	_, h := corsRequest(t, http.MethodOptions, srv.URL+"/graphql", "https://map.example",
		map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "areagraph-consistency,content-type"})
	if h.Get("Access-Control-Allow-Origin") != "*" || !listHas(h.Get("Access-Control-Allow-Headers"), "areagraph-consistency") {
		t.Errorf("preflight with the token header: %v", h)
	}
	_, h = corsRequest(t, http.MethodGet, srv.URL+"/graphql?query=%7B__typename%7D", "https://map.example", nil)
	if !listHas(h.Get("Access-Control-Expose-Headers"), server.ConsistencyHeader) {
		t.Errorf("the page cannot read a write's token: Expose-Headers %q", h.Get("Access-Control-Expose-Headers"))
	}
}
