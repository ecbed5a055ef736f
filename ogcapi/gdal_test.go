package ogcapi_test

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// GDAL's OAPIF driver is the client QGIS, FME and the command line share:
// these tests read the collections with ogrinfo and ogr2ogr from a real
// server on 127.0.0.1, on every backend, and hold what they read against
// GraphQL's answers.

// requireTool fails the test, saying how to get it, when a tool is
// missing: a skipped test would hide that nothing was checked.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is missing: install Debian's gdal-bin (scripts/test installs it when missing)", name)
	}
	return path
}

// runGDAL runs a GDAL tool with networking limited to the test server
// and returns its standard output.
func runGDAL(t *testing.T, tool string, args ...string) string {
	t.Helper()
	cmd := exec.Command(requireTool(t, tool), args...)
	// No proxy, no cache of earlier answers between runs.
	cmd.Env = append(cmd.Environ(), "NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1", "GDAL_HTTP_TIMEOUT=30", "CPL_VSIL_CURL_NON_CACHED=/", "GDAL_DISABLE_READDIR_ON_OPEN=YES")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v\n%s", tool, strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

type gdalCollection struct {
	Features []struct {
		Properties map[string]any
		Geometry   json.RawMessage
	}
}

// readWithGDAL copies a collection through ogr2ogr into GeoJSON and
// returns its features by id.
func readWithGDAL(t *testing.T, url, collection string, args ...string) map[string]json.RawMessage {
	t.Helper()
	all := append([]string{"-f", "GeoJSON", "/vsistdout/", "OAPIF:" + url, collection}, args...)
	out := runGDAL(t, "ogr2ogr", all...)
	var fc gdalCollection
	if err := json.Unmarshal([]byte(out), &fc); err != nil {
		t.Fatalf("ogr2ogr wrote no GeoJSON: %v\n%s", err, out)
	}
	got := map[string]json.RawMessage{}
	for _, f := range fc.Features {
		id, _ := f.Properties["id"].(string)
		if _, dup := got[id]; dup || id == "" {
			t.Fatalf("ogr2ogr read the id %q twice or not at all", id)
		}
		got[id] = f.Geometry
	}
	return got
}

// sameCoordinates compares two GeoJSON geometries number by number within
// tol.
func sameCoordinates(a, b json.RawMessage, tol float64) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return sameTree(x, y, tol)
}

func sameTree(x, y any, tol float64) bool {
	switch x := x.(type) {
	case float64:
		y, ok := y.(float64)
		return ok && math.Abs(x-y) <= tol
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameTree(x[i], y[i], tol) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok {
			return false
		}
		return sameTree(x["type"], y["type"], tol) && sameTree(x["coordinates"], y["coordinates"], tol)
	}
	return x == y
}

func TestGDALReadsTheCollections(t *testing.T) {
	requireTool(t, "ogrinfo")
	requireTool(t, "ogr2ogr")
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			var itemsRequests, filterRequests atomic.Int64
			h := server.New(b.Open(t), server.Config{Log: slog.New(slog.DiscardHandler)})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/items") {
					itemsRequests.Add(1)
					if r.URL.Query().Has("filter") {
						filterRequests.Add(1)
					}
				}
				h.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			c := &client{t: t, url: srv.URL}
			url := srv.URL + "/"

			// ogrinfo lists every collection as a layer.
			list := runGDAL(t, "ogrinfo", "-ro", "-q", "OAPIF:"+url)
			var layers []string
			for _, m := range regexp.MustCompile(`(?m)^\d+: ([a-z-]+)`).FindAllStringSubmatch(list, -1) {
				layers = append(layers, m[1])
			}
			want := []string{"areas", "municipalities", "districts", "priority-areas", "statistical-areas", "initiatives", "employers", "associations"}
			if !slices.Equal(layers, want) {
				t.Fatalf("ogrinfo lists %v, want %v:\n%s", layers, want, list)
			}

			// Every feature of a collection of several pages, as GraphQL has them.
			for _, col := range []string{"districts", "employers"} {
				before := itemsRequests.Load()
				got := readWithGDAL(t, url, col, "-oo", "PAGE_SIZE=4")
				pages := itemsRequests.Load() - before
				wantFeatures := graphQLFeatures(t, c, col)
				if len(got) != len(wantFeatures) {
					t.Errorf("%s: GDAL read %d features, GraphQL has %d", col, len(got), len(wantFeatures))
				}
				if min := int64(len(wantFeatures)+3) / 4; pages < min {
					t.Errorf("%s: GDAL asked for %d pages of items, want at least %d", col, pages, min)
				}
				for id, g := range wantFeatures {
					if !sameCoordinates(got[id], json.RawMessage(g), 1e-9) {
						t.Errorf("%s %s: GDAL read\n%s\nGraphQL has\n%s", col, id, got[id], g)
					}
				}
			}

			// Coordinates in SWEREF 99 TM, northing first as EPSG:3006 has
			// them. GDAL 3.6 has no open option for a system yet (3.7 has
			// CRS=); it repeats the parameters of its connection URL on
			// every request, so crs= there reads every page in it.
			sweref := readWithGDAL(t, srv.URL+"/?crs="+epsg3006, "districts", "-oo", "PAGE_SIZE=4")
			full := fullGeometries(t, c, "DISTRICT")
			if len(sweref) != len(full) {
				t.Errorf("EPSG:3006: GDAL read %d districts, GraphQL has %d", len(sweref), len(full))
			}
			for id, g := range full {
				got, err := decodeAny(sweref[id])
				if err != nil || !sameGeometry(got, toAxes(g, epsg3006), 0.001) {
					t.Errorf("EPSG:3006 %s: GDAL read %s (%v)", id, sweref[id], err)
				}
			}

			// A bbox (GDAL's spatial filter) and an attribute filter.
			var bboxAnswer struct {
				Areas struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
			c.graphQL(`{ areas(filter: {kinds: [DISTRICT], bbox: {minLon: 12.93, minLat: 57.72, maxLon: 12.95, maxLat: 57.73}}, first: 100) { edges { node { id } } } }`, &bboxAnswer)
			got := readWithGDAL(t, url, "districts", "-spat", "12.93", "57.72", "12.95", "57.73", "-oo", "PAGE_SIZE=2")
			var wantIDs []string
			for _, e := range bboxAnswer.Areas.Edges {
				wantIDs = append(wantIDs, e.Node.ID)
			}
			if len(wantIDs) == 0 || !sameKeys(got, wantIDs) {
				t.Errorf("bbox: GDAL read %v, GraphQL has %v", keys(got), wantIDs)
			}
			// GDAL turns an attribute filter on the properties the API
			// definition names into CQL2 text, which the server applies.
			before := filterRequests.Load()
			got = readWithGDAL(t, url, "priority-areas", "-where", "areaType = 1 AND name LIKE 'N%'")
			if !sameKeys(got, []string{"Area:13"}) {
				t.Errorf("areaType = 1 AND name LIKE 'N%%': GDAL read %v", keys(got))
			}
			if filterRequests.Load() == before {
				t.Error("GDAL filtered on its side: no request carried a filter")
			}
			got = readWithGDAL(t, url, "priority-areas", "-where", "areaType = 1 OR code = '1490-P05'", "-oo", "PAGE_SIZE=1")
			if !sameKeys(got, []string{"Area:13", "Area:15", "Area:17"}) {
				t.Errorf("areaType = 1 OR code = '1490-P05': GDAL read %v", keys(got))
			}
		})
	}
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sameKeys(m map[string]json.RawMessage, want []string) bool {
	w := slices.Clone(want)
	slices.Sort(w)
	return slices.Equal(keys(m), w)
}
