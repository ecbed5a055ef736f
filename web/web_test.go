package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// sourceHash is build.mjs's sourceHash: the sources, the locked packages
// and the build script, by path relative to web/ in byte order.
func sourceHash(t *testing.T) string {
	t.Helper()
	files := []string{"build.mjs", "package.json", "package-lock.json"}
	err := filepath.WalkDir("src", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files = append(files, filepath.ToSlash(p))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(filepath.FromSlash(f))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		io.WriteString(h, f+"\x00"+hex.EncodeToString(sum[:])+"\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestDistIsBuiltFromTheSources(t *testing.T) {
	want, err := os.ReadFile("dist/SOURCE_HASH")
	if err != nil {
		t.Fatal(err)
	}
	if got := sourceHash(t); got != strings.TrimSpace(string(want)) {
		t.Fatalf("web/dist is stale: the sources hash to %s, dist was built from %s; run web/build.sh and commit web/dist",
			got, strings.TrimSpace(string(want)))
	}
}

func get(t *testing.T, h http.Handler, method, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var assetRef = regexp.MustCompile(`(?:href|src)="(assets/[^"]+)"`)

func TestPageAndAssets(t *testing.T) {
	h := New(Options{}, nil)
	res := get(t, h, http.MethodGet, "/")
	page := readAll(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(page, `<script id="areagraph-config" type="application/json">{"basemap":null}</script>`) {
		t.Errorf("page lacks its configuration:\n%s", page)
	}
	csp := h.ContentSecurityPolicy()
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "worker-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows unsafe sources", csp)
	}
	if res.Header.Get("Cache-Control") != "no-cache" || res.Header.Get("ETag") == "" {
		t.Errorf("page cache headers: %q, ETag %q", res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
	}
	if res := get(t, h, http.MethodGet, "/", "If-None-Match", res.Header.Get("ETag")); res.StatusCode != http.StatusNotModified {
		t.Errorf("GET / with its ETag: %d, want 304", res.StatusCode)
	}

	refs := assetRef.FindAllStringSubmatch(page, -1)
	if len(refs) != 2 {
		t.Fatalf("page refers to %d assets, want the script and the style sheet", len(refs))
	}
	var app string
	for _, ref := range refs {
		res := get(t, h, http.MethodGet, "/"+ref[1])
		body := readAll(t, res)
		if res.StatusCode != http.StatusOK || len(body) == 0 {
			t.Fatalf("GET /%s: %d", ref[1], res.StatusCode)
		}
		want := map[bool]string{true: "text/javascript; charset=utf-8", false: "text/css; charset=utf-8"}[strings.HasSuffix(ref[1], ".js")]
		if got := res.Header.Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type %q, want %q", ref[1], got, want)
		}
		if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: Cache-Control %q", ref[1], res.Header.Get("Cache-Control"))
		}
		if strings.HasSuffix(ref[1], ".js") {
			app = body
		}
	}
	// The bundle starts MapLibre's worker from a file beside it.
	worker := regexp.MustCompile(`maplibre-gl-worker-[0-9a-f]+\.js`).FindString(app)
	if worker == "" {
		t.Fatal("the bundle names no worker file")
	}
	if res := get(t, h, http.MethodHead, "/assets/"+worker); res.StatusCode != http.StatusOK {
		t.Errorf("HEAD /assets/%s: %d", worker, res.StatusCode)
	}

	// gzip for clients that take it, with its own ETag.
	res = get(t, h, http.MethodGet, "/"+refs[0][1], "Accept-Encoding", "gzip, deflate")
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.HasSuffix(res.Header.Get("ETag"), `-gzip"`) {
		t.Fatalf("gzip: encoding %q, ETag %q", res.Header.Get("Content-Encoding"), res.Header.Get("ETag"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if want := readAll(t, get(t, h, http.MethodGet, "/"+refs[0][1])); string(plain) != want {
		t.Error("gzipped asset differs from the plain one")
	}
	if res := get(t, h, http.MethodGet, "/"+refs[0][1], "Accept-Encoding", "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent to a client that refused it")
	}

	for _, p := range []string{"/assets/", "/assets/nope.js", "/index.html", "/assets/../index.html", "/dist/index.html"} {
		if res := get(t, h, http.MethodGet, p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	if res := get(t, h, http.MethodPost, "/"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", res.StatusCode)
	}
}

func TestBasemap(t *testing.T) {
	h := New(Options{
		BasemapURL:         "https://tiles.example.org/{z}/{x}/{y}.png?key=a&b=c",
		BasemapAttribution: `© Example </script><script>alert(1)</script>`,
	}, nil)
	res := get(t, h, http.MethodGet, "/")
	page := readAll(t, res)
	start := strings.Index(page, `<script id="areagraph-config" type="application/json">`)
	end := strings.Index(page[start:], "</script>")
	if start < 0 || end < 0 {
		t.Fatal("no configuration in the page")
	}
	raw := page[start+len(`<script id="areagraph-config" type="application/json">`) : start+end]
	var cfg struct {
		Basemap struct{ URL, Attribution string }
	}
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatalf("configuration %q: %v", raw, err)
	}
	if cfg.Basemap.URL != "https://tiles.example.org/{z}/{x}/{y}.png?key=a&b=c" || !strings.Contains(cfg.Basemap.Attribution, "</script>") {
		t.Errorf("configuration %+v", cfg)
	}
	if strings.Count(page, "<script") != 2 {
		t.Error("the attribution escaped its script element")
	}
	csp := h.ContentSecurityPolicy()
	if !strings.Contains(csp, "img-src 'self' data: blob: https://tiles.example.org") || !strings.Contains(csp, "connect-src 'self' https://tiles.example.org") {
		t.Errorf("CSP %q does not allow the base map's host", csp)
	}

	// A template that cannot work is left out rather than served, and
	// said so in the log New was given.
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	res = get(t, New(Options{BasemapURL: "https://tiles.example.org/tile.png"}, log), http.MethodGet, "/")
	if page := readAll(t, res); !strings.Contains(page, `{"basemap":null}`) {
		t.Error("an invalid base map was passed to the page")
	}
	if !strings.Contains(logs.String(), `"msg":"map explorer: base map left out"`) {
		t.Errorf("the log New was given: %q", logs.String())
	}
}

func TestOptions(t *testing.T) {
	for _, bad := range []string{
		"tiles.example.org/{z}/{x}/{y}.png",
		"ftp://tiles.example.org/{z}/{x}/{y}.png",
		"https://tiles.example.org/{z}/{x}.png",
		"https://{s}.example.org/{z}/{x}/{y}.png",
		"https:///{z}/{x}/{y}.png",
	} {
		if err := (Options{BasemapURL: bad}).Validate(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := (Options{BasemapURL: "http://localhost:8081/tiles/{z}/{x}/{y}.png"}).Validate(); err != nil {
		t.Error(err)
	}
	if err := (Options{}).Validate(); err != nil {
		t.Error(err)
	}

}

func TestEveryAssetIsReferenced(t *testing.T) {
	// dist holds only what the build wrote: a stray file left by hand
	// would be served for ever.
	page, err := fs.ReadFile(dist, "dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(dist, "dist/assets")
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	all.Write(page)
	for _, e := range entries {
		b, _ := fs.ReadFile(dist, "dist/assets/"+e.Name())
		all.Write(b)
	}
	for _, e := range entries {
		if !bytes.Contains(all.Bytes(), []byte(e.Name())) {
			t.Errorf("dist/assets/%s is not referred to", e.Name())
		}
	}
}
