package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
	routes := []string{"/", "/layers/priority-areas.geojson", "/layers/districts.geojson",
		"/graphql?query=" + url.QueryEscape("{ areas { nodes { name geometry } } }")}
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

// GraphQL answers are gzipped as the layers are: the body unpacks to the
// very bytes of the plain answer, a POST is compressed as a GET is, and an
// answer too small to gain from it goes out plain with its length.
func TestGraphQLIsGzipped(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{Log: corsQuietLog}))
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	post := func(query, encoding string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"`+query+`"}`))
		req.Header.Set("Content-Type", "application/json")
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	const big = "{ areas { nodes { code name geometry } } }"
	plainRes, plain := post(big, "")
	zipRes, zipped := post(big, "gzip, br")
	if plainRes.Header.Get("Content-Encoding") != "" || zipRes.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding: plain %q, gzip %q", plainRes.Header.Get("Content-Encoding"), zipRes.Header.Get("Content-Encoding"))
	}
	if v := zipRes.Header.Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept-Encoding") {
		t.Errorf("Vary: %q, want Accept-Encoding", v)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unpacked, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unpacked, plain) {
		t.Fatalf("the gzipped answer unpacks to %d bytes other than the plain %d", len(unpacked), len(plain))
	}
	t.Logf("the demo's outlines: %d bytes plain, %d gzipped", len(plain), len(zipped))
	if len(zipped)*2 > len(plain) {
		t.Errorf("gzip saved too little: %d of %d bytes", len(zipped), len(plain))
	}

	smallRes, small := post("{ __typename }", "gzip")
	if smallRes.Header.Get("Content-Encoding") != "" || smallRes.ContentLength != int64(len(small)) {
		t.Errorf("a %d-byte answer: Content-Encoding %q, Content-Length %d; want it plain with its length",
			len(small), smallRes.Header.Get("Content-Encoding"), smallRes.ContentLength)
	}
}
