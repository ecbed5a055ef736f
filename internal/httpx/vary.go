package httpx

import (
	"net/http"
	"strings"
)

// AddVary adds request header names to the Vary header of h, keeping it
// one line without repeats, whoever added to it before (CORS adds Origin,
// gzip Accept-Encoding, a handler what it negotiates). Several Vary lines
// mean the same to a cache, but proxies and CDNs that read only the first
// one keep variants apart wrongly.
func AddVary(h http.Header, names ...string) {
	var tokens []string
	seen := func(name string) bool {
		for _, t := range tokens {
			if strings.EqualFold(t, name) {
				return true
			}
		}
		return false
	}
	for _, line := range append(h.Values("Vary"), names...) {
		for t := range strings.SplitSeq(line, ",") {
			if t = strings.TrimSpace(t); t != "" && !seen(t) {
				tokens = append(tokens, t)
			}
		}
	}
	if len(tokens) == 0 {
		return
	}
	// A new slice: a value already there may be shared (rs/cors sets a
	// package-level one).
	h["Vary"] = []string{strings.Join(tokens, ", ")}
}
