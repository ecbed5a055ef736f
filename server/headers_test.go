package server_test

import (
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

// TestGraphiQLPolicy: GraphiQL's page loads its script and style sheet
// from this server and nothing from elsewhere, its policy allows exactly
// that (no inline script, no eval, no other origin), and the assets it
// names are served, as immutable files.
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
	for _, d := range []string{"script-src", "connect-src"} {
		if got := directives[d]; len(got) != 1 || got[0] != "'self'" {
			t.Errorf("%s %v, want 'self' alone", d, got)
		}
	}
	if regexp.MustCompile(`<script>|<script\s+type="module">`).MatchString(page) {
		t.Error("the page has an inline script, which its policy would refuse")
	}
	links := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(links) < 2 {
		t.Fatalf("found %d links in the page, want its script and style sheet:\n%s", len(links), page)
	}
	for _, m := range links {
		if strings.HasPrefix(m[1], "data:") {
			continue
		}
		if strings.Contains(m[1], "//") {
			t.Errorf("the page loads %s from another origin", m[1])
			continue
		}
		// The links are relative to the page at /graphiql.
		res, err := http.Get(srv.URL + "/" + m[1])
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %s, Cache-Control %q; want 200, immutable", m[1], res.Status, res.Header.Get("Cache-Control"))
		}
	}
	res, err := http.Get(srv.URL + "/graphiql/assets/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /graphiql/assets/: %s, want 404 and no listing", res.Status)
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

// Behind a proxy that serves the server under a base path, GraphiQL's
// page links its assets, and its script the GraphQL endpoint, by relative
// URLs, which stay under the base path the browser sees.
func TestGraphiQLUnderBasePath(t *testing.T) {
	srv := corsServer(t, server.Config{Forwarding: httpx.Forwarding{BasePath: "/areagraph"}})
	page, _ := getPage(t, srv.URL+"/graphiql")
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if strings.HasPrefix(m[1], "/") || strings.Contains(m[1], "//") {
			t.Errorf("the page links %s, which would leave the base path", m[1])
		}
	}
}

// The pages name their icon (an empty one), so a browser asks for no
// /favicon.ico, which is not served and would show as an error in its
// console.
func TestPagesNameTheirIcon(t *testing.T) {
	srv := corsServer(t, server.Config{})
	for _, p := range []string{"/", "/graphiql"} {
		page, _ := getPage(t, srv.URL+p)
		if !regexp.MustCompile(`<link rel="icon" href="data:,">`).MatchString(page) {
			t.Errorf("%s names no icon, so browsers fetch /favicon.ico:\n%s", p, page)
		}
	}
}

// TestOneVaryLine: CORS, gzip and each handler add to Vary, and the answer
// still has one Vary line naming each header once, for the proxies and
// CDNs that read only the first line.
func TestOneVaryLine(t *testing.T) {
	srv := corsServer(t, server.Config{})
	for _, path := range []string{
		"/graphql?query=%7B__typename%7D",
		"/layers/districts.geojson",
		"/tiles/districts.json",
		"/tiles/districts/10/549/297.mvt",
		"/collections/districts/items?limit=2",
		"/",
	} {
		_, h := corsRequest(t, "GET", srv.URL+path, "https://map.example.org", map[string]string{"Accept-Encoding": "gzip"})
		lines := h.Values("Vary")
		if len(lines) != 1 {
			t.Errorf("GET %s: %d Vary lines %q, want one", path, len(lines), lines)
			continue
		}
		seen := map[string]bool{}
		for tok := range strings.SplitSeq(lines[0], ",") {
			tok = http.CanonicalHeaderKey(strings.TrimSpace(tok))
			if seen[tok] {
				t.Errorf("GET %s: Vary %q names %s twice", path, lines[0], tok)
			}
			seen[tok] = true
		}
		if !seen["Origin"] {
			t.Errorf("GET %s: Vary %q lacks Origin", path, lines[0])
		}
	}
}
