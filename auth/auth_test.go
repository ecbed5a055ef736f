package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/internal/logtest"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// stores runs f on each backend, with an empty store.
func stores(t *testing.T, f func(t *testing.T, store db.Store)) {
	t.Run("memory", func(t *testing.T) { f(t, memory.New()) })
	t.Run("postgis", func(t *testing.T) { f(t, openPostGIS(t)) })
}

func openPostGIS(t *testing.T) *postgis.Store {
	t.Helper()
	return storetest.PostGIS(t, pgtest.SchemaURL(t))
}

// server is an Authenticator's middleware in front of a handler that
// answers who the caller is.
type server struct {
	h   http.Handler
	log *logtest.Buffer
}

func newServer(t *testing.T, store db.Store, cfg auth.Config) *server {
	t.Helper()
	log := &logtest.Buffer{}
	cfg.Log = slog.New(slog.NewTextHandler(log, nil))
	a, err := auth.New(context.Background(), store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	whoami := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, ok := auth.ActorFrom(r.Context())
		_ = json.NewEncoder(w).Encode(map[string]any{"authenticated": ok, "id": actor.ID, "role": actor.Role})
	})
	return &server{h: a.Middleware(whoami), log: log}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (s *server) do(path string, authorization ...string) answer {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"query":"{ __typename }"}`))
	for _, a := range authorization {
		r.Header.Add("Authorization", a)
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return answer{w.Code, w.Header(), w.Body.String()}
}

// whoami decodes what the inner handler saw.
func (a answer) whoami(t *testing.T) (authenticated bool, id string, role db.Role) {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d, body %s", a.status, a.body)
	}
	var v struct {
		Authenticated bool
		ID            string
		Role          db.Role
	}
	if err := json.Unmarshal([]byte(a.body), &v); err != nil {
		t.Fatalf("%v: %s", err, a.body)
	}
	return v.Authenticated, v.ID, v.Role
}

const invalidBody = `{"errors":[{"message":"invalid or expired token","extensions":{"code":"UNAUTHENTICATED"}}]}` + "\n"

// refused checks the one answer every token that is not accepted gets, so
// that none tells which check failed.
func refused(t *testing.T, a answer, what string) {
	t.Helper()
	if a.status != http.StatusUnauthorized {
		t.Errorf("%s: status %d, want 401; body %s", what, a.status, a.body)
	}
	if got := a.header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
		t.Errorf("%s: WWW-Authenticate %q", what, got)
	}
	if a.body != invalidBody {
		t.Errorf("%s: body %s", what, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
}

func bearer(token string) string { return "Bearer " + token }

func TestNewKey(t *testing.T) {
	exp := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	secret, k, err := auth.NewKey("Norrby partner portal", db.RoleEditor, &exp)
	if err != nil {
		t.Fatal(err)
	}
	form := regexp.MustCompile(`^ag_([a-z2-7]{8})_[A-Za-z0-9_-]{43}$`)
	m := form.FindStringSubmatch(secret)
	if m == nil {
		t.Fatalf("secret %q has not the form ag_<key id>_<43 characters>", secret)
	}
	sum := sha256.Sum256([]byte(secret))
	switch {
	case k.ID != m[1]:
		t.Errorf("key id %q, secret %q", k.ID, secret)
	case !bytes.Equal(k.Hash, sum[:]) || !bytes.Equal(auth.HashSecret(secret), sum[:]):
		t.Errorf("hash is not the secret's SHA-256")
	case k.Name != "Norrby partner portal" || k.Role != db.RoleEditor || k.ExpiresAt == nil || !k.ExpiresAt.Equal(exp):
		t.Errorf("key %+v", k)
	case k.RevokedAt != nil || !k.CreatedAt.IsZero():
		t.Errorf("a new key is neither revoked nor dated before it is stored: %+v", k)
	}
	if err := db.CheckAPIKey(k); err != nil {
		t.Errorf("stores would refuse the key: %v", err)
	}
	seen := map[string]bool{}
	for range 100 {
		s, k, err := auth.NewKey("x", db.RoleReader, nil)
		if err != nil {
			t.Fatal(err)
		}
		if seen[s] || seen[k.ID] {
			t.Fatal("NewKey repeated itself")
		}
		seen[s], seen[k.ID] = true, true
	}
}

func TestRequire(t *testing.T) {
	ctx := context.Background()
	if err := auth.Require(ctx, db.RoleReader); db.ErrorCode(err) != db.EUNAUTHENTICATED {
		t.Errorf("anonymous: %v", err)
	}
	as := func(r db.Role) context.Context { return auth.WithActor(ctx, db.Actor{ID: "key:x", Role: r}) }
	for _, c := range []struct {
		have, need db.Role
		code       string
	}{
		{db.RoleReader, db.RoleReader, ""},
		{db.RoleReader, db.RoleEditor, db.EFORBIDDEN},
		{db.RoleEditor, db.RoleEditor, ""},
		{db.RoleEditor, db.RoleAdmin, db.EFORBIDDEN},
		{db.RoleAdmin, db.RoleAdmin, ""},
		{db.RoleAdmin, db.RoleReader, ""},
		{"", db.RoleReader, db.EFORBIDDEN},
	} {
		err := auth.Require(as(c.have), c.need)
		if db.ErrorCode(err) != c.code {
			t.Errorf("%q needing %s: %v", c.have, c.need, err)
		}
	}
	err := auth.Require(as(""), db.RoleEditor)
	if !strings.Contains(db.ErrorMessage(err), "no role") {
		t.Errorf("a role-less token is not told why: %v", err)
	}
	if a, ok := auth.ActorFrom(as(db.RoleEditor)); !ok || a.ID != "key:x" {
		t.Errorf("ActorFrom: %v %v", a, ok)
	}
}

func TestAPIKeys(t *testing.T) {
	stores(t, func(t *testing.T, store db.Store) {
		s := newServer(t, store, auth.Config{})
		for _, role := range db.Roles {
			secret, k := authtest.Key(t, store, role)
			ok, id, got := s.do("/graphql", bearer(secret)).whoami(t)
			if !ok || id != "key:"+k.ID || got != role {
				t.Errorf("%s key: authenticated %v as %q with %q", role, ok, id, got)
			}
			// The scheme is case-insensitive.
			if ok, _, _ := s.do("/layers/areas.geojson", "bearer "+secret).whoami(t); !ok {
				t.Errorf("%s key with a lower-case scheme refused", role)
			}
		}

		// Revoked: refused from the next request on, nothing cached.
		secret, k := authtest.Key(t, store, db.RoleAdmin)
		if ok, _, _ := s.do("/graphql", bearer(secret)).whoami(t); !ok {
			t.Fatal("key refused before its revocation")
		}
		if _, err := store.RevokeKey(context.Background(), db.Actor{ID: "cli", Role: db.RoleAdmin}, k.ID); err != nil {
			t.Fatal(err)
		}
		refused(t, s.do("/graphql", bearer(secret)), "revoked key")
		if !strings.Contains(s.log.String(), "revoked") || !strings.Contains(s.log.String(), k.ID) {
			t.Errorf("the log does not say which key was refused and why:\n%s", s.log)
		}

		past := time.Now().Add(-time.Minute)
		expired, _ := authtest.KeyWith(t, store, "expired", db.RoleEditor, &past)
		refused(t, s.do("/graphql", bearer(expired)), "expired key")
		future := time.Now().Add(time.Hour)
		later, _ := authtest.KeyWith(t, store, "expires later", db.RoleEditor, &future)
		if ok, _, _ := s.do("/graphql", bearer(later)).whoami(t); !ok {
			t.Error("a key that expires in an hour is refused")
		}

		unknown, _, err := auth.NewKey("never stored", db.RoleAdmin, nil)
		if err != nil {
			t.Fatal(err)
		}
		refused(t, s.do("/graphql", bearer(unknown)), "unknown key")
		// A stored key's id with another key's random part.
		refused(t, s.do("/graphql", bearer(unknown[:3]+k.ID+unknown[11:])), "key id with a foreign secret")
		if log := s.log.String(); strings.Contains(log, unknown) || strings.Contains(log, secret) {
			t.Errorf("a secret reached the log:\n%s", log)
		}

		good, _ := authtest.Key(t, store, db.RoleReader)
		for _, h := range [][]string{
			{"Basic " + good},
			{good},
			{"Bearer"},
			{"Bearer "},
			{"Bearer " + good + " extra"},
			{"Bearer " + good, "Bearer " + good},
			{"Bearer ag_short"},
			{"Bearer " + good[:len(good)-1]},
			{"Bearer " + good + "x"},
			{"Bearer " + strings.ToUpper(good)},
			{"Bearer not-a-token"},
			{"Bearer a.b.c"}, // a JWT, with no issuer configured
		} {
			refused(t, s.do("/graphql", h...), "header "+strings.Join(h, " | "))
		}
		// Refused for the whole request, whatever the route.
		refused(t, s.do("/tiles/areas/11/1096/601.mvt", bearer(unknown)), "unknown key on tiles")
	})
}

func TestAnonymousAndRequireTokenForReads(t *testing.T) {
	stores(t, func(t *testing.T, store db.Store) {
		open := newServer(t, store, auth.Config{})
		if ok, _, _ := open.do("/graphql").whoami(t); ok {
			t.Error("a request without a token is not anonymous")
		}

		closed := newServer(t, store, auth.Config{RequireTokenForReads: true})
		for _, p := range []string{"/graphql", "/layers/areas.geojson", "/tiles/areas.json", "/tiles/areas/1/2/3.mvt", "/layers/", "//graphql", "/x/../graphql"} {
			a := closed.do(p)
			if a.status != http.StatusUnauthorized || a.header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("%s without a token: %d %q", p, a.status, a.header.Get("WWW-Authenticate"))
			}
			var body struct {
				Data   json.RawMessage
				Errors []struct {
					Message    string
					Extensions struct{ Code string }
				}
			}
			if err := json.Unmarshal([]byte(a.body), &body); err != nil || len(body.Errors) != 1 ||
				body.Errors[0].Extensions.Code != db.EUNAUTHENTICATED || body.Data != nil ||
				!strings.Contains(body.Errors[0].Message, "bearer token") || strings.Contains(a.body, `"data"`) {
				t.Errorf("%s without a token: %s", p, a.body)
			}
		}
		// What machines and browsers load without a token stays open, and
		// a token sent there is not looked at.
		for _, p := range []string{"/healthz", "/readyz", "/metrics", "/", "/assets/app.js", "/graphiql", "/favicon.ico"} {
			for _, h := range [][]string{nil, {"Bearer not-ours"}} {
				if ok, _, _ := closed.do(p, h...).whoami(t); ok {
					t.Errorf("%s %v: authenticated", p, h)
				}
			}
		}
		secret, _ := authtest.Key(t, store, db.RoleReader)
		if ok, _, role := closed.do("/graphql", bearer(secret)).whoami(t); !ok || role != db.RoleReader {
			t.Errorf("reader key with RequireTokenForReads: %v %s", ok, role)
		}
	})
}

func TestStoreOutage(t *testing.T) {
	broken, err := postgis.Open(context.Background(), pgtest.SchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	broken.Close()
	s := newServer(t, broken, auth.Config{})
	secret, _, _ := auth.NewKey("x", db.RoleAdmin, nil)
	a := s.do("/graphql", bearer(secret))
	if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, `"code":"UNAVAILABLE"`) || a.header.Get("WWW-Authenticate") != "" {
		t.Errorf("store down: %d %q %s", a.status, a.header.Get("WWW-Authenticate"), a.body)
	}
	if !strings.Contains(s.log.String(), "level=ERROR") {
		t.Errorf("the outage is not logged as an error:\n%s", s.log)
	}
}

func TestOIDC(t *testing.T) {
	iss := authtest.NewIssuer(t)
	store := memory.New()
	s := newServer(t, store, iss.Config())

	for _, role := range db.Roles {
		ok, id, got := s.do("/graphql", bearer(iss.Token(t, "alice", role, time.Hour))).whoami(t)
		if !ok || id != "oidc:alice" || got != role {
			t.Errorf("%s token: %v %q %q", role, ok, id, got)
		}
	}
	if n := iss.KeyFetches(); n != 1 {
		t.Errorf("the issuer's keys were fetched %d times for 3 tokens; they should be cached", n)
	}

	claims := func(f func(c map[string]any)) map[string]any {
		c := iss.Claims("bob", time.Hour)
		f(c)
		return c
	}
	roleOf := func(c map[string]any) db.Role {
		t.Helper()
		ok, id, role := s.do("/graphql", bearer(iss.Sign(t, c))).whoami(t)
		if !ok || id != "oidc:bob" {
			t.Errorf("claims %v: %v %q", c, ok, id)
		}
		return role
	}
	for _, c := range []struct {
		claim any
		want  db.Role
	}{
		{"editor", db.RoleEditor},
		{"Admin", db.RoleAdmin},
		{[]string{"offline_access", "reader", "EDITOR"}, db.RoleEditor},
		{[]string{"admin", "reader"}, db.RoleAdmin},
		{[]string{}, ""},
		{"superuser", ""},
		{42, ""},
	} {
		if got := roleOf(claims(func(m map[string]any) { m[auth.DefaultRoleClaim] = c.claim })); got != c.want {
			t.Errorf("role claim %v: %q, want %q", c.claim, got, c.want)
		}
	}
	// A token without a known role says who the caller is and grants
	// nothing: writes are FORBIDDEN, saying why.
	if got := roleOf(claims(func(map[string]any) {})); got != "" {
		t.Errorf("no role claim: %q", got)
	}

	for what, token := range map[string]string{
		"expired":        iss.Token(t, "alice", db.RoleAdmin, -time.Minute),
		"wrong audience": iss.Sign(t, claims(func(m map[string]any) { m["aud"] = "another-service" })),
		"wrong issuer":   iss.Sign(t, claims(func(m map[string]any) { m["iss"] = "https://issuer.example" })),
		"bad signature":  iss.Forge(t, claims(func(m map[string]any) { m[auth.DefaultRoleClaim] = "ADMIN" })),
		"no subject":     iss.Sign(t, claims(func(m map[string]any) { delete(m, "sub") })),
		"not yet valid":  iss.Sign(t, claims(func(m map[string]any) { m["nbf"] = time.Now().Add(time.Hour).Unix() })),
		"symmetric alg": oidctest.SignIDToken([]byte("a shared secret of thirty-two bytes"), "authtest-1", "HS256",
			string(must(json.Marshal(claims(func(m map[string]any) { m[auth.DefaultRoleClaim] = "ADMIN" }))))),
		"another issuer": authtest.NewIssuer(t).Token(t, "alice", db.RoleAdmin, time.Hour),
		"garbage":        "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
	} {
		refused(t, s.do("/graphql", bearer(token)), what)
	}
	if !strings.Contains(s.log.String(), "expired") || !strings.Contains(s.log.String(), "audience") {
		t.Errorf("the log does not say why tokens were refused:\n%s", s.log)
	}

	// API keys still work next to the issuer.
	secret, k := authtest.Key(t, store, db.RoleEditor)
	if _, id, _ := s.do("/graphql", bearer(secret)).whoami(t); id != "key:"+k.ID {
		t.Errorf("API key next to an issuer: %q", id)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestOIDCRoleClaim(t *testing.T) {
	iss := authtest.NewIssuer(t)
	for _, c := range []struct {
		name  string
		claim string
		set   func(m map[string]any)
		want  db.Role
	}{
		{"flat", "groups", func(m map[string]any) { m["groups"] = []string{"staff", "areagraph-x", "editor"} }, db.RoleEditor},
		{"namespaced URL", "https://areagraph.example/role", func(m map[string]any) { m["https://areagraph.example/role"] = "admin" }, db.RoleAdmin},
		{"nested", "realm_access.roles", func(m map[string]any) {
			m["realm_access"] = map[string]any{"roles": []string{"uma_authorization", "reader"}}
		}, db.RoleReader},
		{"default claim ignored", "groups", func(m map[string]any) { m[auth.DefaultRoleClaim] = "ADMIN" }, ""},
	} {
		cfg := iss.Config()
		cfg.OIDCRoleClaim = c.claim
		s := newServer(t, memory.New(), cfg)
		claims := iss.Claims("carol", time.Hour)
		c.set(claims)
		if ok, _, role := s.do("/graphql", bearer(iss.Sign(t, claims))).whoami(t); !ok || role != c.want {
			t.Errorf("%s: %v %q, want %q", c.name, ok, role, c.want)
		}
	}

	// With reads closed, a token without a known role may not read.
	cfg := iss.Config()
	cfg.RequireTokenForReads = true
	s := newServer(t, memory.New(), cfg)
	a := s.do("/graphql", bearer(iss.Token(t, "dave", "", time.Hour)))
	if a.status != http.StatusForbidden || !strings.Contains(a.body, `"code":"FORBIDDEN"`) {
		t.Errorf("role-less token with RequireTokenForReads: %d %s", a.status, a.body)
	}
	if ok, _, _ := s.do("/graphql", bearer(iss.Token(t, "dave", db.RoleReader, time.Hour))).whoami(t); !ok {
		t.Error("reader token with RequireTokenForReads refused")
	}
}

func TestIssuerOutage(t *testing.T) {
	iss := authtest.NewIssuer(t)
	s := newServer(t, memory.New(), iss.Config())
	token := iss.Token(t, "alice", db.RoleEditor, time.Hour)
	// Down before its keys were ever fetched: the token cannot be checked,
	// which says nothing against it.
	iss.Server.Close()
	a := s.do("/graphql", bearer(token))
	if a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, `"code":"UNAVAILABLE"`) {
		t.Errorf("issuer down: %d %s", a.status, a.body)
	}

	// Once the keys are cached, tokens verify without the issuer.
	iss = authtest.NewIssuer(t)
	s = newServer(t, memory.New(), iss.Config())
	token = iss.Token(t, "alice", db.RoleEditor, time.Hour)
	if ok, _, _ := s.do("/graphql", bearer(token)).whoami(t); !ok {
		t.Fatal("token refused")
	}
	iss.Server.Close()
	if ok, _, _ := s.do("/graphql", bearer(token)).whoami(t); !ok {
		t.Error("cached keys were not used")
	}
}

func TestNewConfig(t *testing.T) {
	store := memory.New()
	iss := authtest.NewIssuer(t)
	ctx := context.Background()
	for what, cfg := range map[string]auth.Config{
		"audience without issuer": {OIDCAudience: "areagraph"},
		"issuer without audience": {OIDCIssuer: iss.URL},
		"issuer not a URL":        {OIDCIssuer: "issuer.example", OIDCAudience: "areagraph"},
		"issuer elsewhere":        {OIDCIssuer: iss.URL + "/realms/other", OIDCAudience: "areagraph"},
	} {
		if _, err := auth.New(ctx, store, cfg); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
	down := authtest.NewIssuer(t)
	down.Server.Close()
	if _, err := auth.New(ctx, store, down.Config()); err == nil || !strings.Contains(err.Error(), down.URL) {
		t.Errorf("unreachable issuer: %v", err)
	}
	if _, err := auth.New(ctx, nil, auth.Config{}); err == nil {
		t.Error("no store accepted")
	}
	a, err := auth.New(ctx, store, auth.Config{RequireTokenForReads: true})
	if err != nil || !a.RequireTokenForReads() {
		t.Errorf("%v %v", a, err)
	}
}

// Authenticate is what the middleware asks; other transports may ask it
// directly.
func TestAuthenticate(t *testing.T) {
	store := memory.New()
	a, err := auth.New(context.Background(), store, auth.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	secret, k := authtest.Key(t, store, db.RoleEditor)
	actor, err := a.Authenticate(context.Background(), secret)
	if err != nil || !reflect.DeepEqual(actor, db.Actor{ID: "key:" + k.ID, Role: db.RoleEditor}) {
		t.Errorf("%v %v", actor, err)
	}
	_, err = a.Authenticate(context.Background(), "nonsense")
	var e *db.Error
	if !errors.As(err, &e) || e.Code != db.EUNAUTHENTICATED || e.Message != "invalid or expired token" {
		t.Errorf("nonsense: %v", err)
	}
}

// TestScopedCallers: a key bound to organisations and a token whose org
// claim names them make callers bound to them; a token whose org claim
// cannot be read gets no role rather than passing for an unscoped one, and
// a partner's token edits at most.
func TestScopedCallers(t *testing.T) {
	store := memory.New()
	ctx := context.Background()
	if err := store.Load(ctx, &db.Dataset{Organizations: []*db.Organization{
		{ID: 35, Kind: db.OrgAssociation, Name: "Gamma IF"}, {ID: 3, Kind: db.OrgEmployer, Name: "Alfa AB"}}}); err != nil {
		t.Fatal(err)
	}
	iss := authtest.NewIssuer(t)
	cfg := iss.Config()
	cfg.OIDCOrgClaim = "areagraph_orgs"
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := auth.New(ctx, store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	secret, k := authtest.ScopedKey(t, store, "Employer:3", "Association:35")
	actor, err := a.Authenticate(ctx, secret)
	want := db.Actor{ID: "key:" + k.ID, Role: db.RoleEditor, Orgs: []string{"Association:35", "Employer:3"}}
	if err != nil || !reflect.DeepEqual(actor, want) {
		t.Errorf("scoped key: %+v %v, want %+v", actor, err, want)
	}
	for _, c := range []struct {
		name string
		role db.Role
		orgs any
		want db.Actor
	}{
		{"no claim", db.RoleAdmin, nil, db.Actor{ID: "oidc:erin", Role: db.RoleAdmin}},
		{"one", db.RoleEditor, "Association:35", db.Actor{ID: "oidc:erin", Role: db.RoleEditor, Orgs: []string{"Association:35"}}},
		{"an admin bound to organisations edits", db.RoleAdmin, []string{"Employer:3", "Association:35"},
			db.Actor{ID: "oidc:erin", Role: db.RoleEditor, Orgs: []string{"Association:35", "Employer:3"}}},
		{"a reader bound to organisations writes nothing", db.RoleReader, []string{"Employer:3"},
			db.Actor{ID: "oidc:erin", Orgs: []string{"Employer:3"}}},
		{"unreadable", db.RoleEditor, []any{"Association:35", 7}, db.Actor{ID: "oidc:erin"}},
		{"not an organisation", db.RoleEditor, "Area:1", db.Actor{ID: "oidc:erin"}},
		{"empty", db.RoleEditor, []string{}, db.Actor{ID: "oidc:erin"}},
	} {
		claims := iss.Claims("erin", time.Hour)
		claims[auth.DefaultRoleClaim] = string(c.role)
		if c.orgs != nil {
			claims["areagraph_orgs"] = c.orgs
		}
		got, err := a.Authenticate(ctx, iss.Sign(t, claims))
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v %v, want %+v", c.name, got, err, c.want)
		}
	}
}
