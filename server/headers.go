package server

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
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

// graphiQLOrigin is where gqlgen's GraphiQL page loads React, GraphiQL and
// their styles from (playground.Handler's defaults). Each script and
// style sheet carries a subresource integrity hash, so the CDN can serve
// those files and nothing else that would run.
const graphiQLOrigin = "https://cdn.jsdelivr.net"

// inlineScript matches the page's one script without a src: GraphiQL's
// start-up code.
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// graphiQL returns the GraphiQL page at endpoint with its security
// policy. The start-up script is inline, and allowed by its hash, which
// is taken from the page as gqlgen renders it so an upgrade that changes
// the script changes the hash too. Styles are allowed inline: GraphiQL's
// components insert style elements, and a style cannot run code.
func graphiQL(page http.Handler) http.Handler {
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/graphiql", nil))
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(rec.Body.Bytes(), -1) {
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	csp := strings.Join([]string{
		"default-src 'none'",
		"script-src " + graphiQLOrigin + " " + strings.Join(hashes, " "),
		"style-src " + graphiQLOrigin + " 'unsafe-inline'",
		"font-src " + graphiQLOrigin + " data:",
		"img-src 'self' data:",
		"connect-src 'self'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
	return htmlPage(csp, page)
}
