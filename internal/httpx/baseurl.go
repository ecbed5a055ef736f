package httpx

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Forwarding says whose forwarded headers to believe, and under which path
// the server is reached. Its zero value trusts no one and serves at the
// root: a client cannot make the server write links to a host of its
// choosing by sending X-Forwarded-Host.
type Forwarding struct {
	// TrustedProxies are the peers whose Forwarded, X-Forwarded-Host,
	// X-Forwarded-Proto and X-Forwarded-Prefix headers are taken as the
	// truth about the client's request.
	TrustedProxies []netip.Prefix
	// BasePath is the path the server is reached under ("/areagraph"),
	// which the proxy in front strips; "" for the root. A trusted
	// proxy's X-Forwarded-Prefix overrides it.
	BasePath string
}

// ParseTrustedProxies reads a comma-separated list of CIDRs
// ("10.0.0.0/8") or single addresses.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an IP address", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// CleanBasePath checks a base path and gives it one spelling: "" for the
// root, else a leading slash and no trailing one.
func CleanBasePath(p string) (string, error) {
	p = strings.TrimRight(strings.TrimSpace(p), "/")
	if p == "" {
		return "", nil
	}
	if !strings.HasPrefix(p, "/") || !validPath(p) {
		return "", fmt.Errorf("base path %q must start with / and hold only letters, digits and -._~/", p)
	}
	return p, nil
}

type forwardingKey struct{}

// WithForwarding returns r with f on its context, for BaseURL; the server
// does this for every request.
func WithForwarding(r *http.Request, f *Forwarding) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), forwardingKey{}, f))
}

// BaseURL is the external URL the server is reached at for r, without a
// trailing slash ("https://maps.example.org/areagraph"): every absolute
// link the server writes starts with it. Forwarded headers count only
// from a trusted proxy (see Forwarding); values that cannot be a scheme,
// a host or a path are ignored, so a forged header cannot inject a path
// or markup into links.
func BaseURL(r *http.Request) string {
	f, _ := r.Context().Value(forwardingKey{}).(*Forwarding)
	if f == nil {
		f = &Forwarding{}
	}
	scheme, host, prefix := "http", r.Host, f.BasePath
	if r.TLS != nil {
		scheme = "https"
	}
	if f.trusts(r.RemoteAddr) {
		fwdProto, fwdHost := forwarded(r.Header.Get("Forwarded"))
		if fwdProto == "" {
			fwdProto = firstValue(r.Header.Get("X-Forwarded-Proto"))
		}
		if fwdHost == "" {
			fwdHost = firstValue(r.Header.Get("X-Forwarded-Host"))
		}
		if fwdProto == "http" || fwdProto == "https" {
			scheme = fwdProto
		}
		if fwdHost != "" && validHost(fwdHost) {
			host = fwdHost
		}
		// Paths are case-sensitive: not firstValue, which lowers.
		if v, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Prefix"), ","); strings.TrimSpace(v) != "" {
			if p, err := CleanBasePath(v); err == nil {
				prefix = p
			}
		}
	}
	return scheme + "://" + host + prefix
}

// ForwardedHeaders are the request headers BaseURL may read, for Vary:
// a shared cache must not hand one proxy's links to another.
var ForwardedHeaders = []string{"Forwarded", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix"}

func (f *Forwarding) trusts(remoteAddr string) bool {
	if len(f.TrustedProxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range f.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwarded reads proto and host from the first element of an RFC 7239
// Forwarded header: the one the proxy nearest the client added.
func forwarded(h string) (proto, host string) {
	first, _, _ := strings.Cut(h, ",")
	for _, pair := range strings.Split(first, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "proto":
			proto = strings.ToLower(v)
		case "host":
			host = strings.ToLower(v)
		}
	}
	return proto, host
}

func firstValue(h string) string {
	v, _, _ := strings.Cut(h, ",")
	return strings.ToLower(strings.TrimSpace(v))
}

func validHost(h string) bool {
	for _, c := range h {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.ContainsRune("-.:[]_", c)
		if !ok {
			return false
		}
	}
	return true
}

func validPath(p string) bool {
	for _, c := range p {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.ContainsRune("-._~/", c)
		if !ok {
			return false
		}
	}
	return !strings.Contains(p, "//") && !strings.Contains(p, "/../") && !strings.HasSuffix(p, "/..")
}
