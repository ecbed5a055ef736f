package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// TestOGCAPIInTheHouse: OGC API – Features is served behind the same
// CORS, headers and metrics as every other route, its routes labelled by
// their form and collection.
func TestOGCAPIInTheHouse(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{}))
	defer srv.Close()
	for _, path := range []string{"/collections", "/collections/districts", "/collections/districts/items", "/collections/districts/items/Area:2",
		"/collections/districts/queryables", "/conformance", "/api", "/collections/no-such/items"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Origin", "https://gis.example")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: CORS %q, nosniff %q", path, h.Get("Access-Control-Allow-Origin"), h.Get("X-Content-Type-Options"))
		}
		if strings.HasSuffix(path, "/items") && res.StatusCode == 200 && !listHas(h.Get("Access-Control-Expose-Headers"), "Content-Crs") {
			t.Errorf("%s: a page cannot read Content-Crs: Expose-Headers %q", path, h.Get("Access-Control-Expose-Headers"))
		}
	}
	got := scrape(t, srv.URL, "areagraph_http_requests_total")
	for _, want := range []string{
		`areagraph_http_requests_total{code="200",layer="",route="/collections"} 1`,
		`areagraph_http_requests_total{code="200",layer="districts",route="/collections/{id}"} 1`,
		`areagraph_http_requests_total{code="200",layer="districts",route="/collections/{id}/items"} 1`,
		`areagraph_http_requests_total{code="200",layer="districts",route="/collections/{id}/items/{featureId}"} 1`,
		`areagraph_http_requests_total{code="200",layer="districts",route="/collections/{id}/queryables"} 1`,
		`areagraph_http_requests_total{code="200",layer="",route="/conformance"} 1`,
		`areagraph_http_requests_total{code="200",layer="",route="/api"} 1`,
		`areagraph_http_requests_total{code="404",layer="other",route="/collections/{id}/items"} 1`,
	} {
		i := strings.LastIndexByte(want, ' ')
		if v := got[want[:i]]; v != want[i+1:] {
			t.Errorf("want %s, got %q", want, v)
		}
	}
}
