package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"path"
	"strings"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/obs"
)

// apiRoots are the first path segments of the routes that serve data:
// GraphQL and the map layers. Only they read tokens. The explorer's page
// and assets, GraphiQL's page, health checks and metrics stay open
// whatever the configuration, and a token sent to them is not looked at:
// a probe or a metrics scraper may well send a bearer token of its own,
// meant for a proxy in front, which is none of ours.
var apiRoots = map[string]bool{"graphql": true, "layers": true, "tiles": true}

// rootOf is the first segment of a request path, as the router sees it
// once cleaned ("//graphql" and "/x/../graphql" are "graphql").
func rootOf(p string) string {
	root, _, _ := strings.Cut(strings.TrimPrefix(path.Clean("/"+p), "/"), "/")
	return root
}

// Middleware authenticates each request to the data routes (/graphql,
// /layers/, /tiles/) and serves next with the caller on the request's
// context (WithActor), or with none for an anonymous request. It may wrap
// those routes one by one or a whole mux; other paths pass untouched.
//
//   - no Authorization header: anonymous, or 401 when reads need a token;
//   - "Bearer <API key>" or "Bearer <access token>": the key's or token's
//     caller; a token that is not accepted is 401 for the whole request,
//     never served as anonymous, since a client that sent a token expects
//     to act as its holder and must learn that it does not;
//   - a store or issuer that cannot check the token: 503.
//
// Refusals carry a GraphQL-shaped body, so GraphQL clients show them like
// any other error.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !apiRoots[rootOf(r.URL.Path)] {
			next.ServeHTTP(w, r)
			return
		}
		actor, challenge, err := a.Caller(r.Context(), r.Header.Values("Authorization"))
		if err != nil {
			a.deny(w, r, challenge, err)
			return
		}
		if actor == nil {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithActor(r.Context(), *actor)))
	})
}

// Caller applies Middleware's rules to the values of an Authorization
// header (none, or the one a WebSocket client sends in its
// connection_init message): the caller they stand for, nil for an
// anonymous one that may read, or the refusal with the WWW-Authenticate
// challenge that goes with it. Every transport asks it, so a token is
// held to the same checks however it arrives.
func (a *Authenticator) Caller(ctx context.Context, header []string) (actor *db.Actor, challenge string, err error) {
	if len(header) == 0 {
		if a.cfg.RequireTokenForReads {
			return nil, `Bearer`, db.Errorf(db.EUNAUTHENTICATED,
				"this service needs a bearer token (an API key or an access token) in the Authorization header")
		}
		return nil, "", nil
	}
	token, ok := bearer(header)
	if !ok {
		a.refuse(ctx, "the Authorization header is not one bearer token")
		return nil, `Bearer error="invalid_token"`, errInvalidToken
	}
	who, err := a.Authenticate(ctx, token)
	if err != nil {
		return nil, `Bearer error="invalid_token"`, err
	}
	if a.cfg.RequireTokenForReads && !who.Role.Allows(db.RoleReader) {
		// An access token with no known role: who it is is known, but
		// it was given no right to read.
		return nil, "", db.Errorf(db.EFORBIDDEN, "reading needs the role %s; the token carries no role areagraph knows", db.RoleReader)
	}
	return &who, "", nil
}

// bearer returns the token of a single "Bearer <token>" header. The scheme
// is case-insensitive (RFC 9110); the token must be one word.
func bearer(values []string) (string, bool) {
	if len(values) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// deny answers a refused request: 401 for UNAUTHENTICATED (with the
// challenge), 403 for FORBIDDEN, 503 for UNAVAILABLE.
func (a *Authenticator) deny(w http.ResponseWriter, r *http.Request, challenge string, err error) {
	code := db.ErrorCode(err)
	status := http.StatusUnauthorized
	switch code {
	case db.EFORBIDDEN:
		status = http.StatusForbidden
	case db.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	default:
		w.Header().Set("WWW-Authenticate", challenge)
	}
	if rootOf(r.URL.Path) == "graphql" {
		// The access log and the metrics count GraphQL outcomes by code.
		obs.SetGraphQL(r.Context(), "", code)
	}
	type gqlError struct {
		Message    string            `json:"message"`
		Extensions map[string]string `json:"extensions"`
	}
	body := struct {
		Errors []gqlError `json:"errors"`
	}{[]gqlError{{Message: db.ErrorMessage(err), Extensions: map[string]string{"code": code}}}}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
