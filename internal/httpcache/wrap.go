package httpcache

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/areagraph/areagraph/internal/httpx"
)

// Route is a plain-HTTP route Wrap tags: the map layers, the tiles, OGC
// API.
type Route struct {
	// Name labels its hits, misses and 304s in the metrics.
	Name string
	// Reads says which record types the answer to r reads (All for any),
	// or ok false when the answer is not to be tagged at all.
	Reads func(r *http.Request) (types []string, ok bool)
	// Vary names the request headers the answers depend on besides the
	// caller (Accept-Encoding, Accept, the forwarded headers); the tag
	// covers them too.
	Vary []string
}

// keptHeaders are the headers of an answer that are kept with it.
var keptHeaders = []string{"Content-Type", "Content-Encoding", "Content-Crs", "Content-Language", "Link", "Vary"}

// Wrap tags the GET and HEAD answers of h: the tag hashes the route, the
// path and the query parameters (sorted), the base URL the links are
// written for, the headers of route.Vary but Accept-Encoding (a weak tag
// names the data, plain or gzipped), the day, the caller, and the
// heads of the record types route.Reads names. A request that holds the
// tag gets 304 before h runs; an anonymous one gets a kept answer when
// there is one. Only 200 and 204 answers of anonymous GETs are kept;
// errors are h's to mark no-store. Without heads, h answers as it would
// alone.
func (c *Cache) Wrap(route Route, h http.Handler) http.Handler {
	if c == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		heads := c.Heads()
		if heads == nil {
			h.ServeHTTP(w, r)
			return
		}
		types, ok := route.Reads(r)
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		tag := c.Tag(r.Context(), route.Name).Add(r.URL.Path, canonicalQuery(r.URL.RawQuery), httpx.BaseURL(r))
		for _, name := range route.Vary {
			if name == "Accept-Encoding" {
				continue // a weak tag names the data in any coding
			}
			tag.Add(name)
			tag.Add(r.Header.Values(name)...)
		}
		etag := tag.Heads(heads, types).ETag()
		anonymous := Anonymous(r.Context())
		c.SetRead(w.Header(), etag, anonymous, route.Vary...)
		pinned := Pinned(r.Context())
		if !pinned && c.NotModified(w, r, route.Name, etag) {
			return
		}
		// The kept answer's key: the tag, and the coding of its body,
		// since the handler compresses for the clients that accept it.
		key := etag
		if httpx.AcceptsGzip(r.Header) {
			key += "gzip"
		}
		if anonymous && !pinned {
			if e, ok := c.Get(route.Name, key); ok {
				e.Write(w, r)
				return
			}
		}
		if r.Header.Get("If-None-Match") != "" {
			// Another tag: h's own check, by the bytes, must not answer
			// 304 to a tag of another kind.
			r = r.Clone(r.Context())
			r.Header.Del("If-None-Match")
		}
		keep := anonymous && !pinned && r.Method == http.MethodGet && c.Keeps()
		cw := &capture{ResponseWriter: w, c: c, etag: etag, anonymous: anonymous, vary: route.Vary, keep: keep}
		h.ServeHTTP(cw, r)
		if keep && cw.keep && (cw.status == http.StatusOK || cw.status == http.StatusNoContent) {
			c.Put(key, &Entry{Status: cw.status, Header: cw.kept, Body: cw.body.Bytes()})
		}
	})
}

// capture passes an answer on, sets the cache headers of a success again
// over what h set, and copies the body while it may be kept.
type capture struct {
	http.ResponseWriter
	c         *Cache
	etag      string
	anonymous bool
	vary      []string
	keep      bool
	status    int
	kept      http.Header
	body      bytes.Buffer
}

func (cw *capture) WriteHeader(status int) {
	if cw.status != 0 {
		return
	}
	cw.status = status
	h := cw.Header()
	if status == http.StatusOK || status == http.StatusNoContent {
		cw.c.SetRead(h, cw.etag, cw.anonymous, cw.vary...)
		if cw.keep {
			cw.kept = http.Header{}
			for _, k := range keptHeaders {
				if vs := h.Values(k); len(vs) > 0 {
					cw.kept[k] = append([]string(nil), vs...)
				}
			}
		}
	} else {
		cw.keep = false
	}
	cw.ResponseWriter.WriteHeader(status)
}

func (cw *capture) Write(p []byte) (int, error) {
	if cw.status == 0 {
		cw.WriteHeader(http.StatusOK)
	}
	if cw.keep {
		if int64(cw.body.Len()+len(p)) > cw.c.maxEntry() {
			cw.keep = false
			cw.body = bytes.Buffer{}
		} else {
			cw.body.Write(p)
		}
	}
	return cw.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (cw *capture) Unwrap() http.ResponseWriter { return cw.ResponseWriter }

// canonicalQuery is the query string with its parameters sorted, so that
// the same question asked in another order has the same tag.
func canonicalQuery(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "?" + raw
	}
	return q.Encode()
}
