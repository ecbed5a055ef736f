package httpx

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := &Forwarding{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	for _, c := range []struct {
		name, peer, xff string
		f               *Forwarding
		want            string
	}{
		{"no proxy trusted: the peer", "203.0.113.7:5000", "198.51.100.1", nil, "203.0.113.7"},
		{"an untrusted peer's header is ignored", "203.0.113.7:5000", "198.51.100.1", proxies, "203.0.113.7"},
		{"a trusted proxy names the client", "10.0.0.2:5000", "198.51.100.1", proxies, "198.51.100.1"},
		{"a forged hop before the proxy's own is ignored", "10.0.0.2:5000", "1.2.3.4, 198.51.100.1", proxies, "198.51.100.1"},
		{"proxies in a chain are skipped", "10.0.0.2:5000", "198.51.100.1, 10.0.0.9", proxies, "198.51.100.1"},
		{"garbage stops the walk at the last good hop", "10.0.0.2:5000", "nonsense, 10.0.0.9", proxies, "10.0.0.9"},
		{"a trusted proxy with no header is the client", "10.0.0.2:5000", "", proxies, "10.0.0.2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			if got := ClientIP(r, c.f); got != c.want {
				t.Errorf("ClientIP = %q, want %q", got, c.want)
			}
		})
	}
}
