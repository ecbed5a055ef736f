package server

import (
	"net/http"
)

// The security headers of every route, in one place (the README lists
// them per route):
//
//   - every response: X-Content-Type-Options: nosniff, so that no browser
//     runs a JSON answer or a tile as script or a page, and
//     Referrer-Policy: strict-origin-when-cross-origin, so that other
//     hosts (the base map's tile server) learn the origin and never the
//     path or query of a page;
//   - HTML pages (the map explorer at /, GraphiQL at /graphiql): a
//     Content-Security-Policy naming exactly what the page loads, with
//     frame-ancestors 'none', and X-Frame-Options: DENY for browsers that
//     predate it, so that no other site can frame them to trick a click.

// withCommonHeaders sets the headers every response carries.
func withCommonHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.ServeHTTP(w, r)
	})
}

// htmlPage serves the page h under csp, which must forbid framing.
func htmlPage(csp string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", csp)
		hdr.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}
