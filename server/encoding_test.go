package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// Every route that compresses makes the same decision for the same
// Accept-Encoding: the map explorer's page and the map layers once read
// it each their own way, and disagreed on "gzip;q=0" and "*".
func TestOneGzipDecisionForEveryRoute(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{Log: corsQuietLog}))
	defer srv.Close()
	// The transport must not ask for gzip by itself, nor undo it.
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	routes := []string{"/", "/layers/priority-areas.geojson", "/layers/districts.geojson"}
	for _, tc := range []struct {
		header string // "" sends none
		gzip   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"gzip;q=0", false},
		{"gzip;Q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0.5", true},
		{"gzip;q=0.5, identity", false},
		{"identity;q=0, gzip;q=0.1", true},
		{"*", true},
		{"*;q=0", false},
		{"*;q=0, gzip", true},
		{"gzip;q=0, *", false},
		{"deflate, br", false},
		{"gzip;q=abc", false},
	} {
		for _, route := range routes {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+route, nil)
			if tc.header != "" {
				req.Header.Set("Accept-Encoding", tc.header)
			}
			res, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s", route, res.Status)
			}
			if got := res.Header.Get("Content-Encoding") == "gzip"; got != tc.gzip {
				t.Errorf("GET %s with Accept-Encoding %q: gzip %v, want %v", route, tc.header, got, tc.gzip)
			}
		}
	}
}
