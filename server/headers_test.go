package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/server"
	"github.com/areagraph/areagraph/web"
)

// TestSecurityHeaders asks every route and checks the headers the README
// promises: nosniff and a referrer policy on every answer, errors and
// preflights included; a policy that forbids framing on the HTML pages,
// and framing headers on them alone.
func TestSecurityHeaders(t *testing.T) {
	srv := corsServer(t, server.Config{Explorer: web.Options{BasemapURL: "https://tiles.example.org/{z}/{x}/{y}.png"}})
	page, _ := getPage(t, srv.URL+"/")
	asset := regexp.MustCompile(`src="(assets/[^"]+)"`).FindStringSubmatch(page)
	if asset == nil {
		t.Fatal("the explorer names no script asset")
	}
	pages := map[string]bool{"/": true, "/graphiql": true}
	for _, rq := range []struct{ method, path string }{
		{"GET", "/"},
		{"GET", "/" + asset[1]},
		{"GET", "/graphiql"},
		{"GET", "/graphql?query=%7B__typename%7D"},
		{"POST", "/graphql"},
		{"OPTIONS", "/graphql"},
		{"GET", "/layers/districts.geojson"},
		{"GET", "/layers/no-such-layer.geojson"},
		{"GET", "/tiles/districts.json"},
		{"GET", "/tiles/districts/10/549/297.mvt"},
		{"GET", "/healthz"},
		{"GET", "/readyz"},
		{"GET", "/metrics"},
		{"GET", "/no-such-page"},
	} {
		origin, header := "", map[string]string(nil)
		if rq.method == "OPTIONS" {
			origin, header = "https://map.example.org", preflight
		}
		status, h := corsRequest(t, rq.method, srv.URL+rq.path, origin, header)
		what := rq.method + " " + rq.path
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "strict-origin-when-cross-origin" {
			t.Errorf("%s (%d): X-Content-Type-Options %q, Referrer-Policy %q", what, status,
				h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
		csp := h.Get("Content-Security-Policy")
		if !pages[rq.path] {
			if csp != "" || h.Get("X-Frame-Options") != "" {
				t.Errorf("%s: page headers on what is not a page: CSP %q, X-Frame-Options %q", what, csp, h.Get("X-Frame-Options"))
			}
			continue
		}
		if h.Get("X-Frame-Options") != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: X-Frame-Options %q, CSP %q: want DENY and a default-deny policy without framing", what, h.Get("X-Frame-Options"), csp)
		}
	}
}

// TestGraphiQLPolicy: the policy of GraphiQL allows what the page loads
// (its scripts and styles from the CDN, its inline start-up script by
// hash) and nothing more: no inline script but that one, no eval.
func TestGraphiQLPolicy(t *testing.T) {
	srv := corsServer(t, server.Config{})
	page, h := getPage(t, srv.URL+"/graphiql")
	directives := map[string][]string{}
	for _, d := range strings.Split(h.Get("Content-Security-Policy"), ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			directives[f[0]] = f[1:]
		}
	}
	allowed := func(directive, url string) bool {
		for _, src := range directives[directive] {
			if strings.HasPrefix(src, "https://") && strings.HasPrefix(url, src+"/") {
				return true
			}
		}
		return false
	}
	for _, m := range regexp.MustCompile(`<script\s+src="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !allowed("script-src", m[1]) {
			t.Errorf("script %s not allowed by script-src %v", m[1], directives["script-src"])
		}
	}
	for _, m := range regexp.MustCompile(`rel="stylesheet"\s+href="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !allowed("style-src", m[1]) {
			t.Errorf("style sheet %s not allowed by style-src %v", m[1], directives["style-src"])
		}
	}
	inline := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if len(inline) == 0 {
		t.Fatal("no inline script in GraphiQL's page: the test no longer looks at the right page")
	}
	for _, m := range inline {
		sum := sha256.Sum256([]byte(m[1]))
		hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(strings.Join(directives["script-src"], " "), hash) {
			t.Errorf("the inline script's hash %s is not in script-src %v", hash, directives["script-src"])
		}
	}
	for _, src := range directives["script-src"] {
		if strings.Contains(src, "unsafe") || src == "*" || src == "https:" {
			t.Errorf("script-src allows %s", src)
		}
	}
	if got := directives["connect-src"]; len(got) != 1 || got[0] != "'self'" {
		t.Errorf("connect-src %v, want 'self' alone (the page talks to /graphql)", got)
	}
}

func getPage(t *testing.T, url string) (string, http.Header) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	return string(b), res.Header
}

// Behind a proxy that serves the server under a base path, GraphiQL posts
// to the GraphQL endpoint under it, and its policy still allows its
// start-up script, which names the endpoint.
func TestGraphiQLUnderBasePath(t *testing.T) {
	srv := corsServer(t, server.Config{Forwarding: httpx.Forwarding{BasePath: "/areagraph"}})
	page, h := getPage(t, srv.URL+"/graphiql")
	if !strings.Contains(page, `"/areagraph/graphql"`) {
		t.Errorf("GraphiQL's endpoint is not under the base path:\n%s", page)
	}
	m := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no inline script")
	}
	sum := sha256.Sum256([]byte(m[1]))
	if !strings.Contains(h.Get("Content-Security-Policy"), "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("the policy does not allow the start-up script: %s", h.Get("Content-Security-Policy"))
	}
}
