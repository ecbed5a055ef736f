// Package authtest gives tests real credentials: API keys stored in a real
// store, and a real OIDC issuer on a local test server (discovery document
// and key set) whose signed tokens the auth package verifies as it would
// a production issuer's.
package authtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// Audience is the audience of the tokens an Issuer signs, unless changed.
const Audience = "areagraph"

// Key stores a new API key with role in store and returns its secret and
// the key as stored.
func Key(t testing.TB, store db.KeyStore, role db.Role) (secret string, key *db.APIKey) {
	t.Helper()
	return KeyWith(t, store, "test key "+string(role), role, nil)
}

// KeyWith is Key with a name and an expiry; an expiry in the past makes an
// expired key.
func KeyWith(t testing.TB, store db.KeyStore, name string, role db.Role, expiresAt *time.Time) (secret string, key *db.APIKey) {
	t.Helper()
	secret, k, err := auth.NewKey(name, role, expiresAt)
	if err != nil {
		t.Fatalf("authtest: new key: %v", err)
	}
	stored, err := store.CreateKey(context.Background(), db.Actor{ID: "test", Role: db.RoleAdmin}, k)
	if err != nil {
		t.Fatalf("authtest: create key: %v", err)
	}
	return secret, stored
}

// ScopedKey stores a new EDITOR key bound to the organisations orgs (global
// ids; they must exist in store) and returns its secret and the key.
func ScopedKey(t testing.TB, store db.KeyStore, orgs ...string) (secret string, key *db.APIKey) {
	t.Helper()
	secret, k, err := auth.NewKey("partner key", db.RoleEditor, nil)
	if err != nil {
		t.Fatalf("authtest: new key: %v", err)
	}
	k.Orgs = orgs
	stored, err := store.CreateKey(context.Background(), db.Actor{ID: "test", Role: db.RoleAdmin}, k)
	if err != nil {
		t.Fatalf("authtest: create key: %v", err)
	}
	return secret, stored
}

// Issuer is an OIDC issuer on a local test server: it serves the discovery
// document and its key set (RS256), and signs tokens.
type Issuer struct {
	// URL is the issuer URL, to give as auth.Config.OIDCIssuer; tokens
	// carry it as "iss".
	URL string
	// Audience is the "aud" of the tokens Token signs.
	Audience string
	// Server serves the issuer; closing it plays an issuer that is down.
	Server *httptest.Server

	keyFetches atomic.Int64
}

const keyID = "authtest-1"

var (
	keysOnce          sync.Once
	signKey, forgeKey *rsa.PrivateKey
)

// keys are made once per test binary: RSA key generation is slow, and
// every issuer has a URL of its own, so tokens never cross issuers anyway.
func keys(t testing.TB) {
	keysOnce.Do(func() {
		var err error
		if signKey, err = rsa.GenerateKey(rand.Reader, 2048); err == nil {
			forgeKey, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err != nil {
			panic("authtest: generating RSA keys: " + err.Error())
		}
	})
}

// NewIssuer starts an issuer that lives until the test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	keys(t)
	i := &Issuer{Audience: Audience}
	s := &oidctest.Server{
		PublicKeys: []oidctest.PublicKey{{PublicKey: signKey.Public(), KeyID: keyID, Algorithm: oidc.RS256}},
		Algorithms: []string{oidc.RS256},
	}
	i.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/keys" {
			i.keyFetches.Add(1)
		}
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(i.Server.Close)
	i.URL = i.Server.URL
	s.SetIssuer(i.URL)
	return i
}

// Config is the auth configuration that accepts this issuer's tokens.
func (i *Issuer) Config() auth.Config {
	return auth.Config{OIDCIssuer: i.URL, OIDCAudience: i.Audience}
}

// KeyFetches counts the requests for the issuer's key set so far.
func (i *Issuer) KeyFetches() int64 { return i.keyFetches.Load() }

// Token signs an access token for subject with role in the claim
// auth.DefaultRoleClaim (none when role is ""), valid for ttl from now; a
// negative ttl gives a token that has already expired.
func (i *Issuer) Token(t testing.TB, subject string, role db.Role, ttl time.Duration) string {
	t.Helper()
	c := i.Claims(subject, ttl)
	if role != "" {
		c[auth.DefaultRoleClaim] = string(role)
	}
	return i.Sign(t, c)
}

// Claims returns the registered claims of a token for subject valid for
// ttl (iss, aud, sub, iat, exp), to change or add to and pass to Sign.
func (i *Issuer) Claims(subject string, ttl time.Duration) map[string]any {
	now := time.Now()
	iat := now
	if ttl < 0 {
		iat = now.Add(ttl - time.Minute)
	}
	return map[string]any{
		"iss": i.URL,
		"aud": i.Audience,
		"sub": subject,
		"iat": iat.Unix(),
		"exp": now.Add(ttl).Unix(),
	}
}

// Sign signs any claims with the issuer's published key.
func (i *Issuer) Sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	return sign(t, signKey, claims)
}

// Forge signs claims with a key the issuer does not publish, under the
// issuer's key id: a token whose signature does not verify.
func (i *Issuer) Forge(t testing.TB, claims map[string]any) string {
	t.Helper()
	keys(t)
	return sign(t, forgeKey, claims)
}

func sign(t testing.TB, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatalf("authtest: claims: %v", err)
	}
	return oidctest.SignIDToken(key, keyID, oidc.RS256, string(b))
}
