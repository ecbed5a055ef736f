package httpx

import "net/http"

// CacheControl is the Cache-Control of a data answer (a map layer, a tile,
// an OGC API document) to r: kept a minute, since nothing tells a cache
// when an import changed the data, and after the minute the ETag makes
// checking again cost a 304. An answer to a request that carried a
// token is private: a browser may keep it for its user, a shared cache (a
// CDN, a proxy) must not, or under --require-token-for-reads it would hand
// one key holder's answer to anyone who asks. "public" would expressly
// allow that (RFC 9111, 3.5).
func CacheControl(r *http.Request) string {
	if r != nil && r.Header.Get("Authorization") != "" {
		return "private, max-age=60"
	}
	return "public, max-age=60"
}
