package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/internal/logtest"
	"github.com/areagraph/areagraph/server"
)

// CORS through the whole server: what a browser on another origin may do.

// corsQuietLog keeps the access log of these tests out of their output.
var corsQuietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func corsServer(t *testing.T, cfg server.Config) *httptest.Server {
	t.Helper()
	store := memory.New()
	if err := store.Load(context.Background(), demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	if cfg.Log == nil {
		cfg.Log = corsQuietLog
	}
	if cfg.Auth == nil {
		a, err := auth.New(context.Background(), store, auth.Config{Log: corsQuietLog})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Auth = a
	}
	srv := httptest.NewServer(server.New(store, cfg))
	t.Cleanup(srv.Close)
	return srv
}

// corsRequest sends a request from origin and returns the answer's status
// and headers.
func corsRequest(t *testing.T, method, url, origin string, header map[string]string) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header
}

// preflight is what a browser sends before a POST with a bearer token and
// a JSON body.
var preflight = map[string]string{
	"Access-Control-Request-Method":  "POST",
	"Access-Control-Request-Headers": "authorization,content-type",
}

// dataPaths are the routes a page on another origin reads.
var dataPaths = []string{
	"/graphql?query=%7B__typename%7D",
	"/layers/priority-areas.geojson",
	"/tiles/priority-areas.json",
	"/tiles/priority-areas/12/2195/1239.mvt",
}

func listHas(header, want string) bool {
	for v := range strings.SplitSeq(header, ",") {
		if strings.EqualFold(strings.TrimSpace(v), want) {
			return true
		}
	}
	return false
}

func TestCorsAnyOriginReads(t *testing.T) {
	srv := corsServer(t, server.Config{})
	for _, p := range dataPaths {
		status, h := corsRequest(t, http.MethodGet, srv.URL+p, "https://map.example", nil)
		if status != http.StatusOK {
			t.Errorf("GET %s: %d", p, status)
		}
		if got := h.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("GET %s: Allow-Origin %q, want *", p, got)
		}
		if h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("GET %s: credentials allowed for any origin", p)
		}
	}
	// No Origin, no CORS headers: a server-side client is not a browser.
	if _, h := corsRequest(t, http.MethodGet, srv.URL+dataPaths[0], "", nil); h.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS headers without an Origin")
	}
}

func TestCorsPreflight(t *testing.T) {
	srv := corsServer(t, server.Config{})
	for _, p := range []string{"/graphql", "/layers/priority-areas.geojson"} {
		status, h := corsRequest(t, http.MethodOptions, srv.URL+p, "https://map.example", preflight)
		if status != http.StatusNoContent && status != http.StatusOK {
			t.Errorf("preflight %s: %d", p, status)
		}
		if got := h.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("preflight %s: Allow-Origin %q", p, got)
		}
		if got := h.Get("Access-Control-Allow-Methods"); !listHas(got, "POST") {
			t.Errorf("preflight %s: Allow-Methods %q, want POST", p, got)
		}
		got := h.Get("Access-Control-Allow-Headers")
		if !listHas(got, "authorization") || !listHas(got, "content-type") {
			t.Errorf("preflight %s: Allow-Headers %q, want Authorization and Content-Type", p, got)
		}
		if h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("preflight %s: credentials allowed for any origin", p)
		}
		if h.Get("Access-Control-Max-Age") == "" {
			t.Errorf("preflight %s: not cached by the browser", p)
		}
	}
	// A header the server does not take is not allowed.
	_, h := corsRequest(t, http.MethodOptions, srv.URL+"/graphql", "https://map.example",
		map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-secret-sauce"})
	if h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight for an unknown header allowed: %v", h)
	}
}

// Preflights never carry a token, so they must pass even when every read
// needs one; and the 401 of the real request must be readable by the page,
// challenge included.
func TestCorsWithTokensRequired(t *testing.T) {
	store := memory.New()
	a, err := auth.New(context.Background(), store, auth.Config{RequireTokenForReads: true, Log: corsQuietLog})
	if err != nil {
		t.Fatal(err)
	}
	logged := &logtest.Buffer{}
	srv := corsServer(t, server.Config{Auth: a, Log: slog.New(slog.NewTextHandler(logged, nil))})
	status, h := corsRequest(t, http.MethodOptions, srv.URL+"/graphql", "https://map.example", preflight)
	if (status != http.StatusNoContent && status != http.StatusOK) || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight with tokens required: %d %v", status, h)
	}
	status, h = corsRequest(t, http.MethodGet, srv.URL+dataPaths[0], "https://map.example", nil)
	if status != http.StatusUnauthorized || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("401 without CORS headers: %d %v", status, h)
	}
	if !listHas(h.Get("Access-Control-Expose-Headers"), "WWW-Authenticate") {
		t.Errorf("the page cannot read the challenge: Expose-Headers %q", h.Get("Access-Control-Expose-Headers"))
	}
	id := h.Get("X-Request-Id")
	if id == "" {
		t.Error("a refused request has no request id")
	}
	// Refusals are in the access log under their route and request id.
	var line string
	for l := range strings.SplitSeq(logged.String(), "\n") {
		if strings.Contains(l, "request_id="+id) && strings.Contains(l, "msg=request") {
			line = l
		}
	}
	if !strings.Contains(line, "status=401") || !strings.Contains(line, "route=/graphql") || !strings.Contains(line, "outcome=UNAUTHENTICATED") {
		t.Errorf("access log of the refused request: %q", line)
	}
}

func TestCorsAllowListOnly(t *testing.T) {
	listed := []string{"https://partner.example", "http://localhost:5173"}
	srv := corsServer(t, server.Config{AllowedOrigins: listed})
	for _, origin := range append(slices.Clone(listed), "https://evil.example", "https://partner.example.evil.example", "null") {
		ok := slices.Contains(listed, origin)
		for _, p := range dataPaths {
			_, h := corsRequest(t, http.MethodGet, srv.URL+p, origin, nil)
			checkListed(t, "GET "+p, origin, ok, h)
		}
		status, h := corsRequest(t, http.MethodOptions, srv.URL+"/graphql", origin, preflight)
		checkListed(t, "preflight", origin, ok, h)
		if ok {
			if status != http.StatusNoContent && status != http.StatusOK {
				t.Errorf("preflight from %s: %d", origin, status)
			}
			if got := h.Get("Access-Control-Allow-Headers"); !listHas(got, "authorization") || !listHas(got, "content-type") {
				t.Errorf("preflight from %s: Allow-Headers %q", origin, got)
			}
		}
	}
}

func checkListed(t *testing.T, what, origin string, listed bool, h http.Header) {
	t.Helper()
	acao, acac := h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials")
	if listed {
		if acao != origin || acac != "true" {
			t.Errorf("%s from listed %s: Allow-Origin %q, Allow-Credentials %q", what, origin, acao, acac)
		}
		if !listHas(strings.Join(h.Values("Vary"), ","), "Origin") {
			t.Errorf("%s from %s: the answer depends on the origin but does not Vary on it", what, origin)
		}
		return
	}
	if acao != "" || acac != "" || h.Get("Access-Control-Allow-Methods") != "" || h.Get("Access-Control-Allow-Headers") != "" {
		t.Errorf("%s from unlisted %s: CORS headers %q %q", what, origin, acao, acac)
	}
}

// Without an Authenticator everyone is anonymous: a token is not looked
// at, reads work and no request is refused for it.
func TestCorsNoAuthenticator(t *testing.T) {
	store := memory.New()
	srv := httptest.NewServer(server.New(store, server.Config{Log: corsQuietLog}))
	defer srv.Close()
	status, h := corsRequest(t, http.MethodGet, srv.URL+dataPaths[0], "https://map.example",
		map[string]string{"Authorization": "Bearer ag_whatever"})
	if status != http.StatusOK || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("%d %v", status, h)
	}
}

func TestCORSAllowList(t *testing.T) {
	srv := httptest.NewServer(server.New(memory.New(), server.Config{AllowedOrigins: []string{"https://map.example"}}))
	defer srv.Close()
	for origin, want := range map[string]string{"https://map.example": "https://map.example", "https://evil.example": ""} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query={__typename}", nil)
		req.Header.Set("Origin", origin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("origin %s: Allow-Origin %q, want %q", origin, got, want)
		}
		if wantCred := want != ""; (res.Header.Get("Access-Control-Allow-Credentials") == "true") != wantCred {
			t.Errorf("origin %s: credentials %q", origin, res.Header.Get("Access-Control-Allow-Credentials"))
		}
	}
}
