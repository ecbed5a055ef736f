package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/server"
	"github.com/paulmach/orb"
)

// The write tests run against the real server with authentication on,
// over every backend, with real credentials: API keys stored in the
// backend and access tokens signed by a real OIDC issuer on a local test
// server.

// caller is one kind of credential a request can carry.
type caller string

const (
	anonymous  caller = "anonymous"
	readerKey  caller = "reader key"
	editorKey  caller = "editor key"
	adminKey   caller = "admin key"
	revokedKey caller = "revoked key"
	expiredKey caller = "expired key"
	expiredJWT caller = "expired JWT"
	editorJWT  caller = "editor JWT"
	adminJWT   caller = "admin JWT"
	malformed  caller = "malformed token"
)

var callers = []caller{anonymous, readerKey, editorKey, adminKey, revokedKey, expiredKey, expiredJWT, editorJWT, adminJWT, malformed}

// writeEnv is a server with authentication over one backend, and a token
// for every kind of caller.
type writeEnv struct {
	t      *testing.T
	store  db.Store
	url    string
	issuer *authtest.Issuer
	tokens map[caller]string
	keys   map[caller]*db.APIKey
}

// cli is who the tests' own direct store writes are recorded as.
var cli = db.Actor{ID: "cli:operator", Role: db.RoleAdmin}

// eachWriteBackend runs fn against a server with authentication over
// every backend, each loaded with the demo.
func eachWriteBackend(t *testing.T, fn func(t *testing.T, e *writeEnv)) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, newWriteEnv(t, b.Open(t), server.Config{}))
		})
	}
}

func newWriteEnv(t *testing.T, s db.Store, cfg server.Config) *writeEnv {
	t.Helper()
	iss := authtest.NewIssuer(t)
	acfg := iss.Config()
	acfg.OIDCOrgClaim = orgClaim
	a, err := auth.New(t.Context(), s, acfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Auth = a
	srv := httptest.NewServer(server.New(s, cfg))
	t.Cleanup(srv.Close)
	e := &writeEnv{t: t, store: s, url: srv.URL, issuer: iss, tokens: map[caller]string{}, keys: map[caller]*db.APIKey{}}
	for c, role := range map[caller]db.Role{readerKey: db.RoleReader, editorKey: db.RoleEditor, adminKey: db.RoleAdmin, revokedKey: db.RoleAdmin} {
		e.tokens[c], e.keys[c] = authtest.Key(t, s, role)
	}
	if _, err := s.RevokeKey(t.Context(), cli, e.keys[revokedKey].ID); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	e.tokens[expiredKey], e.keys[expiredKey] = authtest.KeyWith(t, s, "expired", db.RoleAdmin, &past)
	e.tokens[expiredJWT] = iss.Token(t, "expired-admin", db.RoleAdmin, -time.Hour)
	e.tokens[editorJWT] = iss.Token(t, "editor-person", db.RoleEditor, time.Hour)
	e.tokens[adminJWT] = iss.Token(t, "admin-person", db.RoleAdmin, time.Hour)
	e.tokens[malformed] = "not-a-token"
	return e
}

// with returns the environment for a subtest t.
func (e *writeEnv) with(t *testing.T) *writeEnv {
	c := *e
	c.t = t
	return &c
}

// as returns a client that sends the token of c.
func (e *writeEnv) as(c caller) gql {
	return gql{t: e.t, url: e.url, token: e.tokens[c]}
}

// admin and editor are the usual callers of the tests.
func (e *writeEnv) admin() gql  { return e.as(adminKey) }
func (e *writeEnv) editor() gql { return e.as(editorKey) }

// gql posts GraphQL requests with a bearer token ("" for none).
type gql struct {
	t     *testing.T
	url   string
	token string
}

func (c gql) do(q string, vars map[string]any) answer {
	c.t.Helper()
	b, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.url+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return send(c.t, req)
}

// ok runs a request that must succeed and decodes its data into out.
func (c gql) ok(q string, vars map[string]any, out any) {
	c.t.Helper()
	a := c.do(q, vars)
	if a.status != http.StatusOK || len(a.Errors) > 0 {
		c.t.Fatalf("request failed: %d %s", a.status, a.raw)
	}
	if out != nil {
		if err := json.Unmarshal(a.Data, out); err != nil {
			c.t.Fatalf("decode %s: %v", a.Data, err)
		}
	}
}

// fails runs a request that must fail with code and a message holding
// every one of words; it returns the answer.
func (c gql) fails(q string, vars map[string]any, code string, words ...string) answer {
	c.t.Helper()
	a := c.do(q, vars)
	if a.code() != code {
		c.t.Fatalf("got %d %s, want %s", a.status, a.raw, code)
	}
	for _, w := range words {
		if !strings.Contains(a.Errors[0].Message, w) {
			c.t.Errorf("message %q does not say %q", a.Errors[0].Message, w)
		}
	}
	return a
}

// mutate runs one mutation with its input as the variable $input and
// returns the answer; sel is the payload's selection.
func (c gql) mutate(field string, input map[string]any, sel string) answer {
	c.t.Helper()
	return c.do(mutation(field, sel), map[string]any{"input": input})
}

// mutateOK runs one mutation that must succeed and decodes its payload.
func (c gql) mutateOK(field string, input map[string]any, sel string, out any) {
	c.t.Helper()
	var data map[string]json.RawMessage
	c.ok(mutation(field, sel), map[string]any{"input": input}, &data)
	if out != nil {
		if err := json.Unmarshal(data[field], out); err != nil {
			c.t.Fatalf("decode %s: %v", data[field], err)
		}
	}
}

// mutation is the document of one mutation taking $input.
func mutation(field, sel string) string {
	typ := strings.ToUpper(field[:1]) + field[1:] + "Input"
	return fmt.Sprintf("mutation($input: %s!) { %s(input: $input) { %s } }", typ, field, sel)
}

// auditTotal is how many audit entries the store holds.
func (e *writeEnv) auditTotal() int {
	e.t.Helper()
	l, err := e.store.AuditLog(e.t.Context(), db.AuditFilter{}, db.Page{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return l.Total
}

// unchanged runs fn, which must change nothing: the audit log, which
// records every write, must be as long afterwards.
func (e *writeEnv) unchanged(what string, fn func()) {
	e.t.Helper()
	before := e.auditTotal()
	fn()
	if after := e.auditTotal(); after != before {
		e.t.Errorf("%s: the audit log grew from %d to %d entries; a refused write must change nothing", what, before, after)
	}
}

var seq atomic.Int64

// unique returns a code no other record of the test binary has.
func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, seq.Add(1)) }

// square is a small square polygon near Borås as GeoJSON, counter-clockwise.
func square(lon, lat, side float64) map[string]any {
	return map[string]any{"type": "Polygon", "coordinates": [][][]float64{{
		{lon, lat}, {lon + side, lat}, {lon + side, lat + side}, {lon, lat + side}, {lon, lat},
	}}}
}

// Records made straight in the store, as targets of the mutations under
// test.

func (e *writeEnv) newArea(parent int64) *db.Area {
	e.t.Helper()
	a, err := e.store.CreateArea(e.t.Context(), cli, &db.Area{Code: unique("T"), Name: "Test area", Kind: db.KindStatisticalArea,
		ParentID: parent, Geometry: orb.Polygon{{{12.93, 57.72}, {12.931, 57.72}, {12.931, 57.721}, {12.93, 57.721}, {12.93, 57.72}}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *writeEnv) newOrg(kind db.OrgKind) *db.Organization {
	e.t.Helper()
	o, err := e.store.CreateOrganization(e.t.Context(), cli, &db.Organization{Kind: kind, Name: unique("Test organisation")})
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *writeEnv) newInitiative(lead int64) *db.Initiative {
	e.t.Helper()
	in, err := e.store.CreateInitiative(e.t.Context(), cli, &db.Initiative{Title: unique("Test initiative"),
		Status: db.StatusActive, GoalArea: db.GoalConditionsForWork, LeadID: lead})
	if err != nil {
		e.t.Fatal(err)
	}
	return in
}

func (e *writeEnv) newIndicator() *db.Indicator {
	e.t.Helper()
	ind, err := e.store.CreateIndicator(e.t.Context(), cli, &db.Indicator{Code: unique("test"), Name: "Test", Unit: "%"})
	if err != nil {
		e.t.Fatal(err)
	}
	return ind
}

// areaCode returns the id of the demo area with code.
func (e *writeEnv) areaCode(code string) *db.Area {
	e.t.Helper()
	a, err := e.store.AreaByCode(e.t.Context(), code)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}
