package auth

import (
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
		header := r.Header.Values("Authorization")
		if len(header) == 0 {
			if a.cfg.RequireTokenForReads {
				a.deny(w, r, `Bearer`, db.Errorf(db.EUNAUTHENTICATED,
					"this service needs a bearer token (an API key or an access token) in the Authorization header"))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		token, ok := bearer(header)
		if !ok {
			a.refuse(r.Context(), "the Authorization header is not one bearer token", "path", r.URL.Path)
			a.deny(w, r, `Bearer error="invalid_token"`, errInvalidToken)
			return
		}
		actor, err := a.Authenticate(r.Context(), token)
		if err != nil {
			a.deny(w, r, `Bearer error="invalid_token"`, err)
			return
		}
		if a.cfg.RequireTokenForReads && !actor.Role.Allows(db.RoleReader) {
			// An access token with no known role: who it is is known, but
			// it was given no right to read.
			a.deny(w, r, "", db.Errorf(db.EFORBIDDEN, "reading needs the role %s; the token carries no role areagraph knows", db.RoleReader))
			return
		}
		next.ServeHTTP(w, r.WithContext(WithActor(r.Context(), actor)))
	})
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
