// Package web serves the map explorer: a single page at / that reads the
// public GraphQL API (/graphql) and the map layers (/layers, /tiles) of the
// same server and draws the priority areas and districts as a choropleth,
// with initiatives, employers and associations as points.
//
// The page is built from src/ with npm and esbuild (build.sh) into dist/,
// which is committed and embedded, so a plain go build serves it with no
// Node.js around. dist/SOURCE_HASH records which sources dist was built
// from; a test fails when they have changed since.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/areagraph/areagraph/internal/httpx"
)

//go:embed dist
var dist embed.FS

// configTag is where index.html receives its configuration. The page reads
// it as JSON before the map starts, so the base map needs no extra request.
const configTag = `<script id="areagraph-config" type="application/json">{}</script>`

// Handler serves the explorer's page at / and its assets at /assets/.
type Handler struct {
	index  *file
	assets map[string]*file
	csp    string
}

// file is one response body, with its gzipped form made on first demand:
// the bundle is large and compresses four to one, but a server that never
// serves the page should not pay for compressing it.
type file struct {
	body        []byte
	contentType string
	etag        string
	gzOnce      sync.Once
	gz          []byte
}

// New returns the explorer's handler. A base map template that fails
// Options.Validate is left out (the page then draws none) and logged to
// log (nil means slog.Default()), since the page is still useful without
// it.
func New(opts Options, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	if err := opts.Validate(); err != nil {
		log.Warn("map explorer: base map left out", "error", err)
		opts.BasemapURL = ""
	}
	h, err := newHandler(dist, opts)
	if err != nil {
		// dist is embedded and checked by the tests; a broken one is a
		// broken build, not a runtime condition.
		panic(err)
	}
	return h
}

func newHandler(fsys fs.FS, opts Options) (*Handler, error) {
	page, err := fs.ReadFile(fsys, "dist/index.html")
	if err != nil {
		return nil, err
	}
	if bytes.Count(page, []byte(configTag)) != 1 {
		return nil, fmt.Errorf("dist/index.html must hold %s once", configTag)
	}
	cfg, err := pageConfig(opts)
	if err != nil {
		return nil, err
	}
	page = bytes.Replace(page, []byte(configTag), []byte(strings.Replace(configTag, "{}", string(cfg), 1)), 1)

	h := &Handler{
		index:  newFile(page, "text/html; charset=utf-8"),
		assets: map[string]*file{},
		csp:    contentSecurityPolicy(opts),
	}
	entries, err := fs.ReadDir(fsys, "dist/assets")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := fs.ReadFile(fsys, "dist/assets/"+e.Name())
		if err != nil {
			return nil, err
		}
		h.assets[e.Name()] = newFile(body, contentType(e.Name()))
	}
	return h, nil
}

func newFile(body []byte, contentType string) *file {
	sum := sha256.Sum256(body)
	return &file{body: body, contentType: contentType, etag: base64.RawURLEncoding.EncodeToString(sum[:18])}
}

// pageConfig is what the page learns from the server. encoding/json
// escapes <, > and &, so the JSON cannot close the script element it
// sits in.
func pageConfig(opts Options) ([]byte, error) {
	type basemap struct {
		URL         string `json:"url"`
		Attribution string `json:"attribution,omitempty"`
	}
	var cfg struct {
		Basemap *basemap `json:"basemap"`
	}
	if opts.BasemapURL != "" {
		cfg.Basemap = &basemap{URL: opts.BasemapURL, Attribution: opts.BasemapAttribution}
	}
	return json.Marshal(cfg)
}

// ContentSecurityPolicy is the policy the page must be served under; the
// server sets it, with the headers every page has.
func (h *Handler) ContentSecurityPolicy() string { return h.csp }

// contentSecurityPolicy lets the page load only from this server (and the
// base map's host): the page shows names and descriptions that anyone
// with write access to the data chose, and a policy without inline
// scripts keeps a slip in escaping from becoming script. MapLibre sets
// element styles from script, which style-src does not restrict, and runs
// its worker from this server.
func contentSecurityPolicy(opts Options) string {
	extra := ""
	if origin, err := tileOrigin(opts.BasemapURL); err == nil && opts.BasemapURL != "" {
		extra = " " + origin
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data: blob:" + extra,
		"connect-src 'self'" + extra,
		"worker-src 'self' blob:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// ServeHTTP serves / and /assets/{name}; anything else is not found.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hdr := w.Header()
	if r.URL.Path == "/" {
		// The page names the hashed assets of this build, so browsers
		// must ask again after a release; the ETag keeps that to a 304.
		hdr.Set("Cache-Control", "no-cache")
		h.index.serve(w, r)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, "/assets/")
	f := h.assets[name]
	if !ok || f == nil {
		http.NotFound(w, r)
		return
	}
	// Asset names carry a hash of their content: a name never changes
	// meaning, so it may be kept for good.
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	f.serve(w, r)
}

func (f *file) serve(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", f.contentType)
	httpx.AddVary(hdr, "Accept-Encoding")
	body, etag := f.body, f.etag
	if httpx.AcceptsGzip(r.Header) {
		body, etag = f.gzipped(), f.etag+"-gzip"
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("ETag", `"`+etag+`"`)
	// ServeContent answers If-None-Match with 304 and HEAD without a body.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func (f *file) gzipped() []byte {
	f.gzOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(f.body)
		_ = zw.Close()
		f.gz = buf.Bytes()
	})
	return f.gz
}
