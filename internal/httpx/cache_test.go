package httpx

import (
	"net/http/httptest"
	"testing"
)

func TestCacheControlKeepsAnswersToATokenPrivate(t *testing.T) {
	r := httptest.NewRequest("GET", "/layers/areas.geojson", nil)
	if got := CacheControl(r); got != "public, max-age=60" {
		t.Errorf("anonymous: %q", got)
	}
	r.Header.Set("Authorization", "Bearer ag_x")
	if got := CacheControl(r); got != "private, max-age=60" {
		t.Errorf("with a token: %q", got)
	}
}
