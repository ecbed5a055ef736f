package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/server"
)

// TestExplorerSignsInWhereReadsNeedAToken: when every read needs a token,
// the explorer's page and assets are still served to anyone, so a visitor
// can sign in; the data routes answer only with the key it then sends, and
// what they answer to a key no shared cache may keep.
func TestExplorerSignsInWhereReadsNeedAToken(t *testing.T) {
	store := memory.New()
	if err := store.Load(context.Background(), demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(context.Background(), store, auth.Config{RequireTokenForReads: true, Log: corsQuietLog})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(store, server.Config{Auth: a, Log: corsQuietLog}))
	t.Cleanup(srv.Close)
	key, _ := authtest.Key(t, store, db.RoleReader)

	get := func(path, token string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(b)
	}

	status, h, page := get("/", "")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("the explorer's page without a token: %d %s", status, h.Get("Content-Type"))
	}
	assets := regexp.MustCompile(`(?:src|href)="(assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(assets) < 2 {
		t.Errorf("the page names %d assets, want its script and its style", len(assets))
	}
	for _, asset := range assets {
		if status, _, _ := get("/"+asset[1], ""); status != http.StatusOK {
			t.Errorf("%s without a token: %d", asset[1], status)
		}
	}
	const layer = "/layers/priority-areas.geojson"
	if status, _, _ := get(layer, ""); status != http.StatusUnauthorized {
		t.Errorf("a layer without a token: %d, want 401", status)
	}
	status, h, _ = get(layer, key)
	if status != http.StatusOK || h.Get("Cache-Control") != "private, max-age=60" {
		t.Errorf("a layer with a key: %d, Cache-Control %q", status, h.Get("Cache-Control"))
	}
	if status, _, body := get("/graphql?query=%7Bviewer%7Brole%7D%7D", key); status != http.StatusOK || !strings.Contains(body, `"role":"READER"`) {
		t.Errorf("viewer with a key: %d %s", status, body)
	}
}
