package layers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/areagraph/areagraph/internal/httperr"
	"github.com/areagraph/areagraph/internal/httpx"
)

// gzipMin is the smallest body worth compressing: below it the gzip
// framing costs about what it saves.
const gzipMin = 256

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// send writes a successful body with its cache headers, answering 304 when
// the client holds the same body and compressing when the client accepts
// gzip. vary lists request headers besides Accept-Encoding that the body
// depends on.
func send(w http.ResponseWriter, r *http.Request, contentType string, body []byte, vary ...string) {
	h := w.Header()
	// A minute, public or private by whether the request carried a token
	// (httpx.CacheControl): a map that pans back and forth, or a crowd
	// opening the same view behind a CDN, is served from cache.
	h.Set("Cache-Control", httpx.CacheControl(r))
	httpx.AddVary(h, append([]string{"Accept-Encoding"}, vary...)...)

	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:18])
	compress := len(body) >= gzipMin && httpx.AcceptsGzip(r.Header)
	// A strong ETag names exact bytes, and the gzipped body is other
	// bytes than the plain one, so each gets its own tag.
	etag := `"` + tag + `"`
	if compress {
		etag = `"` + tag + `-gzip"`
	}
	h.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && matchesETag(inm, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	if compress {
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		gzipWriters.Put(zw)
		body = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// sendEmpty answers 204 for an empty tile. It is cached like any tile:
// most of the world is empty, and a map asks for it again on every pan.
func sendEmpty(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", httpx.CacheControl(r))
	httpx.AddVary(w.Header(), "Accept-Encoding")
	w.WriteHeader(http.StatusNoContent)
}

// matchesETag reports whether an If-None-Match header names the body with
// hash tag in either encoding. If-None-Match compares weakly (RFC 9110
// 13.1.2), so W/ is ignored; * matches any body.
func matchesETag(header, tag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.TrimPrefix(t, "W/")
		t = strings.Trim(t, `"`)
		t = strings.TrimSuffix(t, "-gzip")
		if t == tag {
			return true
		}
	}
	return false
}

// errorBody is the error document, shaped like a GraphQL error's code and
// message so clients handle both alike.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// sendError answers with err's code and client-safe message
// (httperr.Client); an internal error is logged in full.
func sendError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, code, msg, internal := httperr.Client(err)
	if internal {
		log.ErrorContext(r.Context(), "internal error", "error", err, "path", r.URL.Path, "query", r.URL.RawQuery)
	}
	writeError(w, r, status, code, msg)
}

func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	var body errorBody
	body.Error.Code, body.Error.Message = code, msg
	data, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// Errors are not cached: the next try may well succeed.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(data, '\n'))
	}
}
