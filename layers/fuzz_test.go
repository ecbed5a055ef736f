package layers

import (
	"math"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// FuzzParseRequest: whatever the query string, a layer request is either
// refused as the client's mistake, with a message, or accepted with every
// value inside the limits the package documents, so what reaches the
// store is never unbounded or out of range.
func FuzzParseRequest(f *testing.F) {
	for _, q := range []string{
		"", "bbox=12.9,57.7,13,57.8", "bbox=13,57.8,12.9,57.7", "bbox=NaN,0,1,1", "bbox=1e400,0,1,1",
		"near=12.94,57.72,500", "near=12.94,57.72,NaN", "near=12.94,57.72,-1", "near=0,0,1e7",
		"limit=0", "limit=10001", "limit=-1&offset=2147483648", "offset=2147483647", "precision=15", "precision=16",
		"simplify=100", "simplify=NaN", "simplify=-1", "zoom=11", "zoom=11&simplify=1", "zoom=23",
		"indicator=unemployment&year=2024", "indicator=&year=2024", "year=2024", "kind=district,priority-area",
		"kind=COUNTY", "status=active,planned", "goalArea=conditions-for-work", "area=Area:1", "area=B1,Area:x",
		"within=Area:1", "parent=Area:1", "name=Norrby", "_=123", "limit=1&limit=2", "unknown=1",
		"bbox=%00", "name=%ff%fe", "area=Area:9223372036854775807", "area=Area:-1",
		"after=aToxOQ", "after=bjo1OjE", "after=xyz", "after=aToxOQ&offset=1",
	} {
		for i := range layerList {
			f.Add(uint8(i), uint8(outFeatures), q)
		}
		f.Add(uint8(0), uint8(outTile), q)
		f.Add(uint8(5), uint8(outTileJSON), q)
	}
	f.Fuzz(func(t *testing.T, layerIdx, outIdx uint8, raw string) {
		l := layerList[int(layerIdx)%len(layerList)]
		out := output(int(outIdx) % 3)
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // the server refuses a malformed query string before any layer sees it
		}
		req, err := parseRequest(l, q, out, time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC))
		if err != nil {
			if db.ErrorCode(err) != db.EINVALID || db.ErrorMessage(err) == "" {
				t.Fatalf("%s %q: refused with %v, want an EINVALID error with a message", l.name, raw, err)
			}
			if req != nil {
				t.Fatalf("%s %q: refused with %v and a request", l.name, raw, err)
			}
			return
		}
		checkRequest(t, l, raw, req)
	})
}

func checkRequest(t *testing.T, l *layer, raw string, req *request) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s %q: "+format, append([]any{l.name, raw}, args...)...)
	}
	if req.layer != l {
		fail("request for layer %s", req.layer.name)
	}
	if req.page.Limit < 0 || req.page.Limit > MaxLimit || req.page.Offset < 0 || req.page.Offset > math.MaxInt32 {
		fail("page %+v out of range", req.page)
	}
	if req.precision < 0 || req.precision > MaxPrecision {
		fail("precision %d", req.precision)
	}
	if req.zoom < -1 || req.zoom > MaxZoom {
		fail("zoom %d", req.zoom)
	}
	if math.IsNaN(req.tolerance) || req.tolerance < 0 || req.tolerance > MaxSimplify {
		fail("tolerance %v", req.tolerance)
	}
	if b := req.spatial.BBox; b != nil {
		if geo.CheckLonLat(b.Min[0], b.Min[1]) != nil || geo.CheckLonLat(b.Max[0], b.Max[1]) != nil ||
			b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
			fail("bbox %v", *b)
		}
	}
	if n := req.spatial.Near; n != nil {
		if geo.CheckLonLat(n.Point[0], n.Point[1]) != nil || !(n.RadiusMeters >= 0 && n.RadiusMeters <= MaxRadius) {
			fail("near %+v", *n)
		}
	}
	if req.indicator != "" && (req.year < db.MinYear || req.year > db.MaxYear) {
		fail("indicator %q with year %d", req.indicator, req.year)
	}
	for _, id := range req.areaRefs.ids {
		if id <= 0 {
			fail("area id %d", id)
		}
	}
	for _, k := range req.area.Kinds {
		if !slices.Contains(db.AreaKinds, k) {
			fail("kind %q", k)
		}
	}
}

// FuzzTileAddress: an accepted tile address lies inside the tile grid of
// its zoom; a refused one says which number is wrong.
func FuzzTileAddress(f *testing.F) {
	for _, s := range [][3]string{
		{"0", "0", "0"}, {"22", "4194303", "4194303"}, {"23", "0", "0"}, {"1", "2", "0"}, {"-1", "0", "0"},
		{"3", "-0", "+7"}, {"64", "0", "0"}, {"11", "1100", "575"}, {"", "", ""}, {"9223372036854775807", "1", "1"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, zs, xs, ys string) {
		z, x, y, err := tileAddress(zs, xs, ys)
		if err != nil {
			if db.ErrorCode(err) != db.EINVALID || db.ErrorMessage(err) == "" {
				t.Fatalf("%s/%s/%s: refused with %v, want an EINVALID error with a message", zs, xs, ys, err)
			}
			return
		}
		if z < 0 || z > MaxZoom || x < 0 || y < 0 || x >= 1<<z || y >= 1<<z {
			t.Fatalf("%s/%s/%s: accepted as %d/%d/%d, outside the grid", zs, xs, ys, z, x, y)
		}
		if v, _ := strconv.Atoi(zs); v != z {
			t.Fatalf("%s: zoom read as %d", zs, z)
		}
	})
}
