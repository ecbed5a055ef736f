package graph

import (
	"net/http/httptest"
	"testing"
)

func TestOriginAllowed(t *testing.T) {
	allowed := []string{"https://maps.example.org", "https://*.city.example"}
	for origin, want := range map[string]bool{
		"":                              true, // not a browser
		"https://maps.example.org":      true,
		"HTTPS://MAPS.EXAMPLE.ORG":      true,
		"https://atlas.city.example":    true,
		"https://city.example":          false, // the wildcard needs a label
		"https://evil.example":          false,
		"http://maps.example.org":       false,
		"https://maps.example.org.evil": false,
		"http://api.example.org":        true, // the server's own host
	} {
		r := httptest.NewRequest("GET", "http://api.example.org/graphql", nil)
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if got := originAllowed(r, allowed); got != want {
			t.Errorf("origin %q: allowed %v, want %v", origin, got, want)
		}
		if !originAllowed(r, nil) {
			t.Errorf("origin %q refused with no list", origin)
		}
	}
}

func TestIsEventStream(t *testing.T) {
	for accept, want := range map[string]bool{
		"text/event-stream":                         true,
		"application/json, text/event-stream;q=0.9": true,
		"TEXT/EVENT-STREAM":                         true,
		"application/json":                          false,
		"":                                          false,
	} {
		r := httptest.NewRequest("POST", "/graphql", nil)
		r.Header.Set("Accept", accept)
		if got := IsEventStream(r); got != want {
			t.Errorf("Accept %q: %v, want %v", accept, got, want)
		}
	}
}

func TestTruncateUTF8(t *testing.T) {
	if got := truncateUTF8("åäö", 3); got != "å" {
		t.Errorf("got %q", got)
	}
	if got := truncateUTF8("abc", 5); got != "abc" {
		t.Errorf("got %q", got)
	}
}
