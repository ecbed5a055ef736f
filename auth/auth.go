// Package auth decides who is calling: it reads the bearer token of a
// request (an API key or, when an issuer is configured, an OIDC/JWT access
// token), puts the caller on the request's context, and answers whether
// that caller may do what an operation needs. Reads are public unless the
// configuration requires a token; writes always need one.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/obs"
	"github.com/coreos/go-oidc/v3/oidc"
)

type actorKey struct{}

// WithActor returns ctx with the authenticated caller on it.
func WithActor(ctx context.Context, a db.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the caller of ctx; ok is false for an anonymous one.
func ActorFrom(ctx context.Context) (a db.Actor, ok bool) {
	a, ok = ctx.Value(actorKey{}).(db.Actor)
	return a, ok
}

// Require answers whether the caller of ctx may do what needs the role
// need: UNAUTHENTICATED without a caller, FORBIDDEN with too small a role.
// It is asked before the target of a write is looked up, so neither answer
// says whether the target exists.
func Require(ctx context.Context, need db.Role) error {
	a, ok := ActorFrom(ctx)
	if !ok {
		return db.Errorf(db.EUNAUTHENTICATED, "this operation needs a bearer token (an API key or an access token) with the role %s", need)
	}
	if !a.Role.Allows(need) {
		if a.Role.Rank() < 0 {
			// An access token whose role claim names no role of ours:
			// say so, since it is the issuer's setup that must change.
			return db.Errorf(db.EFORBIDDEN, "this operation needs the role %s; the token carries no role areagraph knows", need)
		}
		return db.Errorf(db.EFORBIDDEN, "this operation needs the role %s; the token has %s", need, a.Role)
	}
	return nil
}

// Authenticator reads bearer tokens: API keys from the key store, and access
// tokens from the configured OIDC issuer. It keeps no state about keys
// between requests, so a revoked key stops working with the next request,
// on every instance of the service.
type Authenticator struct {
	store    db.KeyStore
	cfg      Config
	log      *slog.Logger
	verifier *oidc.IDTokenVerifier // nil without an issuer
}

// Config configures an Authenticator.
type Config struct {
	// RequireTokenForReads refuses anonymous reads too.
	RequireTokenForReads bool
	// OIDCIssuer is the issuer URL whose access tokens are accepted; ""
	// accepts API keys only.
	OIDCIssuer string
	// OIDCAudience is the audience those tokens must name; required with
	// an issuer, since without it a token minted for any other service of
	// the same issuer would be accepted here.
	OIDCAudience string
	// OIDCRoleClaim is the claim that carries the caller's role;
	// "" means DefaultRoleClaim. See roleFromClaims for the forms it may
	// take.
	OIDCRoleClaim string
	// OIDCOrgClaim is the claim that carries the organisations a caller
	// speaks for (global ids such as "Association:35", a string or an
	// array): a token with it is a partner's, bound to them as a key with
	// organisations is (db/scope.go). "" reads no such claim.
	OIDCOrgClaim string
	// Log receives why a token was refused, which the client is never
	// told; nil means slog.Default().
	Log *slog.Logger
	// HTTPClient fetches the issuer's discovery document and keys; nil
	// means a client with a 10-second timeout.
	HTTPClient *http.Client
}

// DefaultRoleClaim is the claim read for the role when Config names none.
const DefaultRoleClaim = "areagraph_role"

// New returns an Authenticator over store. With an issuer it fetches the
// issuer's discovery document now, so that a wrong issuer URL stops the
// service at start rather than refusing every token later; the issuer's
// keys are fetched when the first token arrives, cached, and fetched again
// when a token names a key the cache does not hold (key rotation).
func New(ctx context.Context, store db.KeyStore, cfg Config) (*Authenticator, error) {
	if store == nil {
		return nil, errors.New("auth: no store")
	}
	if cfg.OIDCRoleClaim == "" {
		cfg.OIDCRoleClaim = DefaultRoleClaim
	}
	// Refusals are logged with the request id, to be found from the
	// client's X-Request-Id.
	a := &Authenticator{store: store, cfg: cfg, log: obs.WithRequestIDs(cfg.Log)}
	if cfg.OIDCIssuer == "" {
		if cfg.OIDCAudience != "" {
			return nil, errors.New("auth: an OIDC audience is set without an issuer")
		}
		return a, nil
	}
	if u, err := url.Parse(cfg.OIDCIssuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("auth: OIDC issuer %q is not an http(s) URL", cfg.OIDCIssuer)
	}
	if cfg.OIDCAudience == "" {
		return nil, errors.New("auth: an OIDC issuer needs an audience (the audience its access tokens name for this service)")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	// Refusals by the issuer's server count as failures to reach it, so
	// that they are told apart from bad tokens (see outageKeySet).
	client = &http.Client{
		Transport:     issuerTransport{base: client.Transport},
		Timeout:       client.Timeout,
		CheckRedirect: client.CheckRedirect,
		Jar:           client.Jar,
	}
	octx := oidc.ClientContext(ctx, client)
	provider, err := oidc.NewProvider(octx, cfg.OIDCIssuer)
	if err != nil {
		return nil, fmt.Errorf("auth: OIDC discovery at %s: %w", cfg.OIDCIssuer, err)
	}
	var meta struct {
		JWKSURL string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := provider.Claims(&meta); err != nil || meta.JWKSURL == "" {
		return nil, fmt.Errorf("auth: the OIDC issuer %s names no jwks_uri", cfg.OIDCIssuer)
	}
	// The library's remote key set caches the keys; it only gets wrapped
	// to tell an unreachable issuer from a bad signature. Its context
	// carries the client and outlives ctx (the library drops the cancel).
	keys := outageKeySet{oidc.NewRemoteKeySet(octx, meta.JWKSURL)}
	a.verifier = oidc.NewVerifier(cfg.OIDCIssuer, keys, &oidc.Config{
		ClientID:             cfg.OIDCAudience,
		SupportedSigningAlgs: supportedAlgs(meta.Algs),
	})
	return a, nil
}

// supportedAlgs keeps the asymmetric algorithms an issuer announces: a
// symmetric one (HS256) would need a shared secret, which the key set of a
// discovery document cannot hold, so such tokens are never valid here.
// Without any, RS256, the one every OIDC issuer must support.
func supportedAlgs(announced []string) []string {
	known := map[string]bool{
		oidc.RS256: true, oidc.RS384: true, oidc.RS512: true,
		oidc.ES256: true, oidc.ES384: true, oidc.ES512: true,
		oidc.PS256: true, oidc.PS384: true, oidc.PS512: true, oidc.EdDSA: true,
	}
	var out []string
	for _, alg := range announced {
		if known[alg] {
			out = append(out, alg)
		}
	}
	if len(out) == 0 {
		out = []string{oidc.RS256}
	}
	return out
}

// RequireTokenForReads reports whether anonymous callers are refused.
func (a *Authenticator) RequireTokenForReads() bool { return a.cfg.RequireTokenForReads }

// errInvalidToken is what a client learns about any token that is not
// accepted: which check failed stays in the log, so that probing with
// made-up or stolen tokens teaches nothing.
var errInvalidToken = db.Errorf(db.EUNAUTHENTICATED, "invalid or expired token")

// Authenticate returns the caller a bearer token stands for, without the
// "Bearer " prefix. A token that is not accepted is errInvalidToken
// (UNAUTHENTICATED); a store or issuer that cannot be asked is
// UNAVAILABLE. The detail is logged with ctx.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (db.Actor, error) {
	if strings.HasPrefix(token, secretPrefix) {
		return a.authenticateKey(ctx, token)
	}
	if a.verifier != nil && strings.Count(token, ".") == 2 {
		return a.authenticateJWT(ctx, token)
	}
	a.refuse(ctx, "the token is neither an API key nor a JWT", "oidc", a.verifier != nil)
	return db.Actor{}, errInvalidToken
}

func (a *Authenticator) authenticateKey(ctx context.Context, secret string) (db.Actor, error) {
	id, ok := parseSecret(secret)
	if !ok {
		a.refuse(ctx, "malformed API key")
		return db.Actor{}, errInvalidToken
	}
	// One indexed lookup by the hash of the whole secret; comparing the
	// secret itself never happens, so no timing leaks it.
	k, err := a.store.KeyByHash(ctx, HashSecret(secret))
	switch {
	case errors.Is(err, db.ErrNotFound):
		a.refuse(ctx, "unknown API key", "key", id)
		return db.Actor{}, errInvalidToken
	case err != nil:
		a.log.ErrorContext(ctx, "cannot look up an API key", "key", id, "error", err)
		return db.Actor{}, db.Errorf(db.EUNAVAILABLE, "the token cannot be checked right now; try again shortly")
	case k.ID != id:
		a.refuse(ctx, "API key id does not match its secret", "key", id, "stored", k.ID)
		return db.Actor{}, errInvalidToken
	case k.RevokedAt != nil:
		a.refuse(ctx, "revoked API key", "key", id, "revoked_at", k.RevokedAt.UTC())
		return db.Actor{}, errInvalidToken
	case k.ExpiresAt != nil && !time.Now().Before(*k.ExpiresAt):
		a.refuse(ctx, "expired API key", "key", id, "expired_at", k.ExpiresAt.UTC())
		return db.Actor{}, errInvalidToken
	}
	return db.Actor{ID: "key:" + k.ID, Role: k.Role, Orgs: k.Orgs}, nil
}

func (a *Authenticator) authenticateJWT(ctx context.Context, raw string) (db.Actor, error) {
	var outage error
	tok, err := a.verifier.Verify(withOutage(ctx, &outage), raw)
	if outage != nil {
		a.log.ErrorContext(ctx, "cannot fetch the OIDC issuer's keys", "issuer", a.cfg.OIDCIssuer, "error", outage)
		return db.Actor{}, db.Errorf(db.EUNAVAILABLE, "the token cannot be checked right now; try again shortly")
	}
	if err != nil {
		a.refuse(ctx, "access token not accepted", "error", err)
		return db.Actor{}, errInvalidToken
	}
	if tok.Subject == "" {
		a.refuse(ctx, "access token without a subject")
		return db.Actor{}, errInvalidToken
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		a.refuse(ctx, "access token claims unreadable", "error", err)
		return db.Actor{}, errInvalidToken
	}
	role := roleFromClaims(claims, a.cfg.OIDCRoleClaim)
	if role == "" {
		// A valid token without a role we know still says who the caller
		// is: the caller is served as authenticated with no role, so a
		// write answers FORBIDDEN saying that the token carries no known
		// role. Refusing the token with 401 instead would send whoever
		// debugs it after the token's signature and expiry, when what
		// needs fixing is the issuer's role mapping; and a role-less
		// actor is granted nothing by Role.Allows.
		a.log.InfoContext(ctx, "access token carries no known role", "subject", tok.Subject, "claim", a.cfg.OIDCRoleClaim)
	}
	actor := db.Actor{ID: "oidc:" + tok.Subject, Role: role}
	if a.cfg.OIDCOrgClaim != "" {
		orgs, present := claimStrings(claims, a.cfg.OIDCOrgClaim)
		orgs = db.NormalizeOrgs(orgs)
		if err := db.CheckOrgs(orgs); present && (err != nil || len(orgs) == 0) {
			// A partner's token whose organisations cannot be read must
			// not pass for an unscoped one: it gets no role, as a token
			// without a known role does, and the issuer's setup is what
			// needs fixing.
			a.log.InfoContext(ctx, "access token names no organisations areagraph can read", "subject", tok.Subject,
				"claim", a.cfg.OIDCOrgClaim)
			return db.Actor{ID: actor.ID}, nil
		}
		if len(orgs) > 0 {
			// A partner edits at most: the audit log and keys stay with
			// the city, as for a key with organisations.
			actor.Orgs = orgs
			if actor.Role.Allows(db.RoleEditor) {
				actor.Role = db.RoleEditor
			} else {
				actor.Role = ""
			}
		}
	}
	return actor, nil
}

// roleFromClaims reads the role from the claim named claim: a string, or
// an array of strings of which the highest known role counts (issuers
// often put every group of a user there). Case does not matter. A name
// with dots that is no claim itself is read as a path into nested
// objects, e.g. "realm_access.roles". "" when no known role is found.
func roleFromClaims(claims map[string]any, claim string) db.Role {
	names, _ := claimStrings(claims, claim)
	var best db.Role
	for _, n := range names {
		r := db.Role(strings.ToUpper(strings.TrimSpace(n)))
		if r.Rank() > best.Rank() {
			best = r
		}
	}
	return best
}

// claimStrings reads the claim named claim as roleFromClaims does: a
// string or an array of strings, a dotted name a path into nested objects.
// present says whether the claim is there at all; an array's entries that
// are not strings are kept as "" so that a check of them fails.
func claimStrings(claims map[string]any, claim string) (names []string, present bool) {
	v, ok := claims[claim]
	if !ok && strings.Contains(claim, ".") {
		var cur any = claims
		for part := range strings.SplitSeq(claim, ".") {
			m, isMap := cur.(map[string]any)
			if !isMap {
				cur = nil
				break
			}
			cur = m[part]
		}
		v = cur
	}
	switch v := v.(type) {
	case nil:
		return nil, false
	case string:
		return []string{v}, true
	case []any:
		for _, e := range v {
			s, _ := e.(string)
			names = append(names, s)
		}
		return names, true
	}
	return []string{""}, true
}

func (a *Authenticator) refuse(ctx context.Context, why string, attrs ...any) {
	a.log.WarnContext(ctx, "bearer token refused: "+why, attrs...)
}
