package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP is the address a request came from, for limits kept per
// client: the peer's, or, when the peer is a trusted proxy (see
// Forwarding), the nearest address in X-Forwarded-For that is not one of
// the trusted proxies. Only proxies the operator names are believed, so a
// client cannot spread itself over many addresses by forging the header.
func ClientIP(r *http.Request, f *Forwarding) string {
	peer := hostOf(r.RemoteAddr)
	if f == nil || !f.trusts(r.RemoteAddr) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// A hop that is not an address was written by someone
			// the proxies do not vouch for: stop at the last one
			// they do.
			break
		}
		peer = a.Unmap().String()
		if !f.trusts(peer) {
			break
		}
	}
	return peer
}

// hostOf strips the port from a RemoteAddr.
func hostOf(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}
