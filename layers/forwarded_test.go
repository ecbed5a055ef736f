package layers_test

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// TestForwardedLinks: the links the layers write (TileJSON's tile URLs,
// a GeoJSON page's next link) take the host, scheme and path prefix a
// proxy forwards only when the proxy is trusted, and the configured base
// path always.
func TestForwardedLinks(t *testing.T) {
	forged := []string{"X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https",
		"X-Forwarded-Prefix", "/evil", "Forwarded", "proto=https;host=evil.example"}
	for _, tc := range []struct {
		name    string
		fwd     httpx.Forwarding
		headers []string
		base    string // what every link must start with
	}{
		{"no proxy trusted", httpx.Forwarding{}, forged, "http://" + testHost},
		{"another proxy trusted", httpx.Forwarding{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, forged,
			"http://" + testHost},
		{"base path", httpx.Forwarding{BasePath: "/areagraph"}, forged, "http://" + testHost + "/areagraph"},
		{"trusted X-Forwarded-*", trustLoopback,
			[]string{"X-Forwarded-Host", "maps.example.org", "X-Forwarded-Proto", "https", "X-Forwarded-Prefix", "/Area-Graph/"},
			"https://maps.example.org/Area-Graph"},
		{"trusted Forwarded", trustLoopback,
			[]string{"Forwarded", `for=192.0.2.1;proto=https;host="maps.example.org", for=10.0.0.1`, "X-Forwarded-Host", "other.example"},
			"https://maps.example.org"},
		{"trusted prefix over the base path", httpx.Forwarding{TrustedProxies: trustLoopback.TrustedProxies, BasePath: "/areagraph"},
			[]string{"X-Forwarded-Prefix", "/v2"}, "http://" + testHost + "/v2"},
		{"a trusted proxy's bad values are ignored", trustLoopback,
			[]string{"X-Forwarded-Host", "evil.example/<script>", "X-Forwarded-Proto", "javascript", "X-Forwarded-Prefix", "/a/../b"},
			"http://" + testHost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClientWith(t, storetest.Demo(t), server.Config{Forwarding: tc.fwd})
			r := c.get("/tiles/districts.json", tc.headers...)
			var doc struct{ Tiles []string }
			if err := json.Unmarshal(r.body, &doc); err != nil || len(doc.Tiles) != 1 {
				t.Fatalf("TileJSON %d %s", r.status, r.body)
			}
			if want := tc.base + "/tiles/districts/{z}/{x}/{y}.mvt"; doc.Tiles[0] != want {
				t.Errorf("tile URL %q, want %q", doc.Tiles[0], want)
			}
			r = c.get("/layers/initiatives.geojson?limit=1", tc.headers...)
			var fc collection
			if err := json.Unmarshal(r.body, &fc); err != nil {
				t.Fatalf("GeoJSON %d %s", r.status, r.body)
			}
			for _, rel := range []string{"self", "next"} {
				if l := fc.link(rel); !strings.HasPrefix(l, tc.base+"/layers/initiatives.geojson?") {
					t.Errorf("%s link %q, want it under %s", rel, l, tc.base)
				}
			}
			if vary := strings.Join(r.header.Values("Vary"), ","); !strings.Contains(vary, "X-Forwarded-Prefix") || !strings.Contains(vary, "Forwarded") {
				t.Errorf("Vary %q", vary)
			}
		})
	}
}
