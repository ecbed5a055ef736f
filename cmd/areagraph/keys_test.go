package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
)

// keysCLI runs Main with a fixed environment.
type keysCLI struct {
	t   *testing.T
	env map[string]string
}

func (c keysCLI) run(args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = Main(context.Background(), args, func(k string) string { return c.env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func (c keysCLI) must(args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("%v: %v\n%s", args, err, errOut)
	}
	return out
}

func (c keysCLI) fails(args []string, says string) {
	c.t.Helper()
	_, _, err := c.run(args...)
	if err == nil || !strings.Contains(err.Error(), says) {
		c.t.Errorf("%v: %v, want an error saying %q", args, err, says)
	}
}

var createdKey = regexp.MustCompile(`(?m)^secret: (ag_([a-z2-7]{8})_[A-Za-z0-9_-]{43})$`)

// create makes a key and returns its secret and id.
func (c keysCLI) create(args ...string) (secret, id string) {
	c.t.Helper()
	out := c.must(append([]string{"keys", "create"}, args...)...)
	m := createdKey.FindStringSubmatch(out)
	if m == nil {
		c.t.Fatalf("keys create printed no secret:\n%s", out)
	}
	if !strings.Contains(out, "shown only this once") || !strings.Contains(out, m[2]) {
		c.t.Errorf("keys create does not say the secret is shown once, or the key id:\n%s", out)
	}
	return m[1], m[2]
}

// listed returns the line of id in "keys list".
func (c keysCLI) listed(id string) string {
	c.t.Helper()
	out := c.must("keys", "list")
	if !strings.HasPrefix(out, "ID ") || !strings.Contains(out, "REVOKED") {
		c.t.Errorf("keys list has no header:\n%s", out)
	}
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(l, id+" ") {
			return l
		}
	}
	c.t.Fatalf("key %s is not listed:\n%s", id, out)
	return ""
}

// lifecycle creates, lists and revokes keys through Main.
func lifecycle(t *testing.T, c keysCLI) {
	secret, id := c.create("--name", "Norrby partner portal", "--role", "editor", "--expires", "90d")
	line := c.listed(id)
	for _, want := range []string{`"Norrby partner portal"`, "EDITOR", time.Now().UTC().Format("2006-01-02"),
		time.Now().AddDate(0, 0, 90).UTC().Format("2006-01-02"), "active"} {
		if !strings.Contains(line, want) {
			t.Errorf("keys list line lacks %q: %s", want, line)
		}
	}
	all := c.must("keys", "list")
	sum := authHash(secret)
	if strings.Contains(all, secret) || strings.Contains(all, secret[12:]) || strings.Contains(all, sum) {
		t.Errorf("keys list shows the secret or its hash:\n%s", all)
	}

	_, admin := c.create("--role", "ADMIN", "--name", "ops", "--expires", "2099-01-01")
	if line := c.listed(admin); !strings.Contains(line, "ADMIN") || !strings.Contains(line, "2099-01-01T00:00:00Z") {
		t.Errorf("admin key: %s", line)
	}
	_, reader := c.create("--name", "dashboard", "--role", "reader")
	if line := c.listed(reader); !strings.Contains(line, "READER") || strings.Count(line, " - ") < 2 {
		t.Errorf("reader key without expiry: %s", line)
	}

	out := c.must("keys", "revoke", id)
	if !strings.Contains(out, "revoked key "+id) {
		t.Errorf("keys revoke: %s", out)
	}
	if line := c.listed(id); !strings.Contains(line, "revoked") {
		t.Errorf("revoked key listed as %s", line)
	}
	// Revoking again is harmless; flags may follow the id.
	c.must("keys", "revoke", id, "--database-url", c.env["DATABASE_URL"])
	if line := c.listed(admin); !strings.Contains(line, "active") {
		t.Errorf("revoking one key touched another: %s", line)
	}

	c.fails([]string{"keys", "revoke", "nosuchky"}, "does not exist")
	c.fails([]string{"keys", "revoke"}, "key id")
	c.fails([]string{"keys", "create", "--name", "x", "--role", "owner"}, "--role")
	c.fails([]string{"keys", "create", "--role", "editor"}, "--name")
	c.fails([]string{"keys", "create", "--name", "x", "--role", "editor", "--expires", "2001-01-01"}, "past")
	c.fails([]string{"keys", "create", "--name", "x", "--role", "editor", "--expires", "soon"}, "--expires")
	c.fails([]string{"keys", "rotate"}, "key id")
	c.fails([]string{"keys", "rotate", "nosuchky"}, "does not exist")
	c.fails([]string{"keys", "rotate", id}, "is revoked")
	c.fails([]string{"keys", "renew"}, "keys what")

	// A rotation prints a new secret for the same key, which keeps its
	// role and expiry.
	out = c.must("keys", "rotate", admin)
	if !strings.Contains(out, "rotated key "+admin) || !strings.Contains(out, "secret: ag_"+admin+"_") {
		t.Errorf("keys rotate: %s", out)
	}
	if line := c.listed(admin); !strings.Contains(line, "ADMIN") || !strings.Contains(line, "2099-01-01T00:00:00Z") ||
		!strings.Contains(line, "active") {
		t.Errorf("rotated key listed as %s", line)
	}

	// A partner's key, bound to organisations of the data served (the
	// demo, for the keys file).
	var assoc, employer string
	for _, o := range demo.Dataset().Organizations {
		if o.Kind == db.OrgAssociation && assoc == "" {
			assoc = o.NodeID()
		}
		if o.Kind == db.OrgEmployer && employer == "" {
			employer = o.NodeID()
		}
	}
	out = c.must("keys", "create", "--name", "Norrby partner portal", "--role", "editor", "--org", employer,
		"--org", assoc, "--expires", "90d")
	if !strings.Contains(out, "for "+assoc+", "+employer) {
		t.Errorf("keys create --org: %s", out)
	}
	_, partner := c.create("--name", "Gamma", "--role", "editor", "--org", assoc)
	if line := c.listed(partner); !strings.Contains(line, " "+assoc+" ") {
		t.Errorf("scoped key listed as %s", line)
	}
	if f := strings.Fields(c.listed(admin)); len(f) < 4 || f[2] != "ADMIN" || f[3] != "-" {
		t.Errorf("unscoped key listed as %q", f)
	}
	c.fails([]string{"keys", "create", "--name", "x", "--role", "admin", "--org", assoc}, "only an EDITOR key")
	c.fails([]string{"keys", "create", "--name", "x", "--role", "editor", "--org", "Area:1"}, "not an organisation")
	c.fails([]string{"keys", "create", "--name", "x", "--role", "editor", "--org", "Association:999999"}, "does not exist")
}

func authHash(secret string) string { return hex.EncodeToString(auth.HashSecret(secret)) }

func TestKeysPostGIS(t *testing.T) {
	url := pgtest.SchemaURL(t)
	c := keysCLI{t, map[string]string{"DATABASE_URL": url}}
	c.must("seed") // the demo's organisations, for keys bound to them
	lifecycle(t, c)

	// The audit log names the command line.
	s, err := postgis.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entries, err := s.AuditLog(context.Background(), db.AuditFilter{Actor: cliActor().ID}, db.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries.Items) < 4 {
		t.Errorf("%d audit entries by cli, want the creates and the revoke", len(entries.Items))
	}
	for _, e := range entries.Items {
		if e.Type != db.TypeAPIKey || bytes.Contains(e.After, []byte("hash")) {
			t.Errorf("audit entry %+v", e)
		}
	}
	c.fails([]string{"keys", "list", "--keys-file", filepath.Join(t.TempDir(), "k.json")}, "not both")
}

func TestKeysFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys.json")
	c := keysCLI{t, map[string]string{"AREAGRAPH_KEYS_FILE": file}}
	lifecycle(t, c)
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("keys file mode %v, want 0600", fi.Mode().Perm())
	}
	// --keys-file wins over the variable.
	other := filepath.Join(t.TempDir(), "other.json")
	_, id := c.create("--keys-file", other, "--name", "elsewhere", "--role", "reader")
	if out := c.must("keys", "list"); strings.Contains(out, id) {
		t.Errorf("a key made in %s is listed in %s", other, file)
	}
}

func TestKeysDefaultFile(t *testing.T) {
	home := t.TempDir()
	c := keysCLI{t, map[string]string{"HOME": home}}
	_, id := c.create("--name", "laptop", "--role", "admin")
	want := filepath.Join(home, ".config", "areagraph", "keys.json")
	if _, err := os.Stat(want); err != nil {
		t.Fatalf("the default keys file: %v", err)
	}
	_, stderr, _ := c.run("keys", "list")
	if !strings.Contains(stderr, want) {
		t.Errorf("keys list does not say which file it read: %q", stderr)
	}
	xdg := t.TempDir()
	c.env["XDG_CONFIG_HOME"] = xdg
	c.create("--name", "xdg", "--role", "admin")
	if _, err := os.Stat(filepath.Join(xdg, "areagraph", "keys.json")); err != nil {
		t.Errorf("XDG_CONFIG_HOME is not honoured: %v", err)
	}
	if out := c.must("keys", "list"); strings.Contains(out, id) {
		t.Errorf("listed from the wrong file:\n%s", out)
	}
}

// status posts a query with the bearer token and returns the status code.
func status(t *testing.T, base, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// eventually polls until status answers want, for a server that picks up a
// changed keys file.
func eventually(t *testing.T, base, token string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	got := 0
	for time.Now().Before(deadline) {
		if got = status(t, base, token); got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("status %d, want %d", got, want)
}

func TestServeKeysFromCLI(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		// The default keys file, as "go run ./cmd/areagraph keys create"
		// then "go run ./cmd/areagraph" use it.
		env := map[string]string{"HOME": t.TempDir(), "AREAGRAPH_ADDR": "127.0.0.1:0"}
		c := keysCLI{t, env}
		secret, id := c.create("--name", "before start", "--role", "editor")
		base, stop := serveFor(t, env)
		defer stop()
		if got := status(t, base, secret); got != http.StatusOK {
			t.Errorf("key made before the start: %d", got)
		}
		// Made and revoked while the server runs.
		later, laterID := c.create("--name", "while running", "--role", "reader")
		eventually(t, base, later, http.StatusOK)
		c.must("keys", "revoke", id)
		eventually(t, base, secret, http.StatusUnauthorized)
		c.must("keys", "revoke", laterID)
		eventually(t, base, later, http.StatusUnauthorized)
		if got := status(t, base, ""); got != http.StatusOK {
			t.Errorf("anonymous read: %d", got)
		}
	})
	t.Run("postgis", func(t *testing.T) {
		env := map[string]string{"DATABASE_URL": pgtest.SchemaURL(t), "AREAGRAPH_REQUIRE_TOKEN_FOR_READS": "true"}
		c := keysCLI{t, env}
		c.must("seed")
		secret, id := c.create("--name", "partner", "--role", "reader")
		base, stop := serveFor(t, env, "--addr", "127.0.0.1:0")
		defer stop()
		if got := status(t, base, secret); got != http.StatusOK {
			t.Errorf("key from the CLI: %d", got)
		}
		if got := status(t, base, ""); got != http.StatusUnauthorized {
			t.Errorf("anonymous read with tokens required: %d", got)
		}
		c.must("keys", "revoke", id)
		// Nothing is cached: the next request is refused.
		if got := status(t, base, secret); got != http.StatusUnauthorized {
			t.Errorf("revoked key: %d", got)
		}
	})
}

func TestServeOIDC(t *testing.T) {
	iss := authtest.NewIssuer(t)
	env := map[string]string{
		"AREAGRAPH_ADDR":          "127.0.0.1:0",
		"AREAGRAPH_OIDC_ISSUER":   iss.URL,
		"AREAGRAPH_OIDC_AUDIENCE": iss.Audience,
		"AREAGRAPH_KEYS_FILE":     filepath.Join(t.TempDir(), "keys.json"),
	}
	base, stop := serveFor(t, env, "--require-token-for-reads")
	defer stop()
	if got := status(t, base, iss.Token(t, "alice", db.RoleReader, time.Hour)); got != http.StatusOK {
		t.Errorf("issuer's token: %d", got)
	}
	if got := status(t, base, iss.Token(t, "alice", db.RoleReader, -time.Minute)); got != http.StatusUnauthorized {
		t.Errorf("expired token: %d", got)
	}
	if got := status(t, base, ""); got != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", got)
	}
}

func TestServeAuthConfig(t *testing.T) {
	for _, bad := range []struct {
		env  map[string]string
		args []string
		says string
	}{
		{map[string]string{"AREAGRAPH_OIDC_ISSUER": "https://issuer.example"}, nil, "--oidc-audience"},
		{nil, []string{"--oidc-audience", "areagraph"}, "without --oidc-issuer"},
		{map[string]string{"DATABASE_URL": "postgres://db/x"}, []string{"--keys-file", "k.json"}, "--keys-file"},
		{map[string]string{"AREAGRAPH_REQUIRE_TOKEN_FOR_READS": "perhaps"}, nil, "AREAGRAPH_REQUIRE_TOKEN_FOR_READS"},
		{nil, []string{"--oidc-role-claim", ""}, "--oidc-role-claim"},
	} {
		_, err := loadServeConfig(bad.args, func(k string) string { return bad.env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%v %v: %v, want an error naming %s", bad.env, bad.args, err, bad.says)
		}
	}
	env := map[string]string{
		"AREAGRAPH_REQUIRE_TOKEN_FOR_READS": "true",
		"AREAGRAPH_OIDC_ISSUER":             "https://issuer.example/realms/x",
		"AREAGRAPH_OIDC_AUDIENCE":           "areagraph",
		"AREAGRAPH_OIDC_ROLE_CLAIM":         "realm_access.roles",
		"AREAGRAPH_KEYS_FILE":               "/var/lib/areagraph/keys.json",
	}
	cfg, err := loadServeConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.auth(nil)
	if !a.RequireTokenForReads || a.OIDCIssuer != env["AREAGRAPH_OIDC_ISSUER"] || a.OIDCAudience != "areagraph" ||
		a.OIDCRoleClaim != "realm_access.roles" || cfg.keysFile != env["AREAGRAPH_KEYS_FILE"] {
		t.Errorf("auth configuration %+v, keys file %q", a, cfg.keysFile)
	}
	// Printed at start like every other setting.
	var logged []string
	for _, a := range cfg.logAttrs() {
		logged = append(logged, a.(slog.Attr).String())
	}
	attrs := strings.Join(logged, " ")
	for _, want := range []string{"require-token-for-reads=true", "oidc-issuer=https://issuer.example/realms/x",
		"oidc-audience=areagraph", "oidc-role-claim=realm_access.roles", "keys-file=/var/lib/areagraph/keys.json"} {
		if !strings.Contains(attrs, want) {
			t.Errorf("configuration log lacks %s: %s", want, attrs)
		}
	}
	// The default is read when nothing is given.
	cfg, err = loadServeConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil || cfg.oidcRoleClaim != "areagraph_role" || cfg.requireTokenForReads {
		t.Errorf("defaults: %+v %v", cfg, err)
	}
}
