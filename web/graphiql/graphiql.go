// Package graphiql serves GraphiQL, the in-browser GraphQL IDE, at
// /graphiql with every file it needs: the page, and GraphiQL and React
// bundled into one script and one style sheet (src/, built by build.mjs
// with npm and esbuild into dist/, which is committed and embedded). The
// page loads nothing from another origin, so it works with no internet
// and under a Content-Security-Policy of 'self'.
package graphiql

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/areagraph/areagraph/internal/httpx"
)

//go:embed dist
var dist embed.FS

// ContentSecurityPolicy is the page's policy: its script and style sheet
// from this server, its answers from this server's /graphql. Styles are
// also allowed inline: GraphiQL's editors set style attributes, and a
// style cannot run code. Fonts and icons come as data: URLs inside the
// style sheet.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'none'"

// Handler serves the page at /graphiql and its assets at
// /graphiql/assets/.
type Handler struct {
	index  []byte
	etag   string
	assets http.Handler
}

// New returns GraphiQL's handler.
func New() *Handler {
	index, err := dist.ReadFile("dist/index.html")
	if err != nil {
		panic("graphiql: dist/index.html is not embedded: " + err.Error())
	}
	sum := sha256.Sum256(index)
	sub, err := fs.Sub(dist, "dist/assets")
	if err != nil {
		panic(err)
	}
	return &Handler{
		index:  index,
		etag:   `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
		assets: httpx.Gzip(http.StripPrefix("/graphiql/assets/", assetServer{http.FS(sub)})),
	}
}

// ServeHTTP answers GET and HEAD of the page and its assets.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/graphiql":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page names its assets by hash, so it is the one file that
		// must be asked again after an upgrade.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("ETag", h.etag)
		http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(h.index))
	case strings.HasPrefix(r.URL.Path, "/graphiql/assets/"):
		h.assets.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// assetServer serves the hashed assets, which never change under their
// names, as immutable; a directory listing is never shown.
type assetServer struct{ fs http.FileSystem }

func (a assetServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := path.Clean("/" + r.URL.Path)
	f, err := a.fs.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	// Served whole: a range of a body that may go out gzipped would be a
	// range of the wrong bytes.
	r.Header.Del("Range")
	http.ServeContent(w, r, name, time.Time{}, f)
}
