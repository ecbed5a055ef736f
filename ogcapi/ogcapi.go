// Package ogcapi serves the map layers as OGC API – Features, the
// protocol GIS tools (QGIS, ArcGIS, FME, GDAL's OAPIF driver) speak:
//
//	GET /                                   the landing page, when JSON is asked for
//	GET /conformance                        the conformance classes passed
//	GET /api                                the OpenAPI 3.0 document
//	GET /collections                        the collections: one per map layer
//	GET /collections/{id}                   one collection
//	GET /collections/{id}/items             its features, paged, filtered
//	GET /collections/{id}/items/{featureId} one feature
//	GET /collections/{id}/queryables        what a filter may name (JSON Schema)
//
// The collections are the layers of package layers, with the same
// filters, properties and store calls: this package parses what is OGC's
// own (paging, bbox, f) and writes OGC's documents, and asks layers for
// the features.
package ogcapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/internal/httperr"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/layers"
	"github.com/areagraph/areagraph/ogcapi/cql2"
)

// Media types of the documents served.
const (
	typeJSON    = "application/json"
	typeGeoJSON = "application/geo+json"
	typeOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	typeSchema  = "application/schema+json"
	typeHTML    = "text/html"
)

// Handler serves OGC API – Features over one store. Mount it at /api,
// /conformance, /collections and /collections/; the landing page is
// served by Landing, since / is shared with the map explorer.
type Handler struct {
	// Now is the clock that says which day today is, the day areas are
	// shown for when a request names none; nil means time.Now.
	Now    func() time.Time
	store  db.Reader
	log    *slog.Logger
	mux    *http.ServeMux
	layers []layers.Layer
	// outlines simplifies area outlines as coverages when a request asks
	// for a zoom or a tolerance, so neighbours keep their common border
	// as on the map layers (db/outline).
	outlines *outline.Cache
}

// ShareOutlines makes the handler simplify area outlines with c, a cache
// over the same store that the map layers and GraphQL use too, so each
// group and zoom is simplified and held once for all of them. Call it
// before the handler serves.
func (h *Handler) ShareOutlines(c *outline.Cache) {
	if c != nil {
		h.outlines = c
	}
}

// New returns a Handler over store; log receives internal errors, and nil
// means slog.Default().
func New(store db.Reader, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &Handler{store: store, log: log, mux: http.NewServeMux(), layers: layers.Layers(), outlines: outline.New(store, 0)}
	h.mux.HandleFunc("/{$}", h.serveLanding)
	h.mux.HandleFunc("/conformance", h.serveConformance)
	h.mux.HandleFunc("/api", h.serveAPI)
	h.mux.HandleFunc("/collections", h.serveCollections)
	h.mux.HandleFunc("/collections/{id}", h.serveCollection)
	h.mux.HandleFunc("/collections/{id}/items", h.serveItems)
	h.mux.HandleFunc("/collections/{id}/items/{featureId}", h.serveItem)
	h.mux.HandleFunc("/collections/{id}/queryables", h.serveQueryables)
	h.mux.HandleFunc("/", h.serveUnknown)
	return h
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, r, http.StatusMethodNotAllowed, db.EINVALID, "OGC API – Features is read with GET, not "+r.Method)
		return
	}
	// A query string is bounded like any other part of a request: the
	// longest legitimate one is a filter, bounded on its own far below.
	if len(r.URL.RawQuery) > MaxQueryBytes {
		writeError(w, r, http.StatusRequestURITooLong, db.EINVALID,
			"the query string is longer than "+strconv.Itoa(MaxQueryBytes)+" bytes")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// MaxQueryBytes bounds the query string of a request: room for a filter
// of cql2.MaxLength, escaped.
const MaxQueryBytes = 3*cql2.MaxLength + 4<<10

func (h *Handler) serveUnknown(w http.ResponseWriter, r *http.Request) {
	sendError(w, r, h.log, db.Errorf(db.ENOTFOUND,
		"no such address; OGC API – Features is served at /, /conformance, /api, /collections, /collections/{id}, /collections/{id}/items, /collections/{id}/items/{featureId} and /collections/{id}/queryables"))
}

// WantsJSON reports whether a request to / asks for the landing page
// rather than the map explorer: with f=json, or with an Accept header that
// prefers JSON to HTML. A browser's Accept prefers HTML; GIS tools ask for
// JSON.
func WantsJSON(r *http.Request) bool {
	switch r.URL.Query().Get("f") {
	case "json":
		return true
	case "html":
		return false
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return false
	}
	return quality(accept, typeJSON) > quality(accept, typeHTML)
}

// quality is the q value an Accept header gives a media type: that of the
// most specific range matching it (type/subtype over type/* over */*), 0
// when none does.
func quality(accept, media string) float64 {
	mainType, _, _ := strings.Cut(media, "/")
	best, bestRank := 0.0, -1
	for part := range strings.SplitSeq(accept, ",") {
		fields := strings.Split(part, ";")
		rng := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, p := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
		rank := -1
		switch {
		case rng == media:
			rank = 2
		case rng == mainType+"/*":
			rank = 1
		case rng == "*/*":
			rank = 0
		}
		if rank > bestRank {
			best, bestRank = q, rank
		}
	}
	return best
}

// negotiate picks the media type of the answer among offers (the first
// is the default): f=json picks the first; otherwise the offer the Accept
// header rates highest, ties going to the earlier offer. ok is false, and
// the error already sent, when f names a format not served or Accept
// takes none of the offers.
func negotiate(w http.ResponseWriter, r *http.Request, offers ...string) (string, bool) {
	q := r.URL.Query()
	if fs, given := q["f"]; given {
		for _, f := range fs {
			if f != "json" && f != "geojson" {
				writeError(w, r, http.StatusBadRequest, db.EINVALID, "f: unknown format "+strconv.Quote(f)+"; this server writes json")
				return "", false
			}
		}
		return offers[0], true
	}
	accept := r.Header.Get("Accept")
	if strings.TrimSpace(accept) == "" {
		return offers[0], true
	}
	best, bestQ := "", 0.0
	for _, o := range offers {
		bare, _, _ := strings.Cut(o, ";")
		if q := quality(accept, bare); q > bestQ {
			best, bestQ = o, q
		}
	}
	if best == "" {
		writeError(w, r, http.StatusNotAcceptable, db.EINVALID,
			"none of the media types asked for in Accept is served here; this address serves "+strings.Join(offers, ", "))
		return "", false
	}
	return best, true
}

// gzipMin is the smallest body worth compressing.
const gzipMin = 256

// send writes a successful body, gzipped when the client takes it. The
// body depends on Accept (negotiation) and on the forwarded headers (the
// links), and says so in Vary.
func send(w http.ResponseWriter, r *http.Request, contentType string, body []byte) {
	hdr := w.Header()
	// A minute, as the map layers keep theirs (httpx.CacheControl).
	hdr.Set("Cache-Control", httpx.CacheControl(r))
	httpx.AddVary(hdr, append([]string{"Accept", "Accept-Encoding"}, httpx.ForwardedHeaders...)...)
	hdr.Set("Content-Type", contentType)
	if len(body) >= gzipMin && httpx.AcceptsGzip(r.Header) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = buf.Bytes()
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// sendJSON encodes v and sends it. Links hold & between parameters, which
// are left as they are: the body is JSON, not HTML.
func sendJSON(w http.ResponseWriter, r *http.Request, log *slog.Logger, contentType string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		sendError(w, r, log, err)
		return
	}
	send(w, r, contentType, buf.Bytes())
}

// exception is OGC API's error document: a code and a description.
type exception struct {
	Code        string `json:"code"`
	Description string `json:"description"`
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
	data, _ := json.Marshal(exception{Code: code, Description: msg})
	h := w.Header()
	h.Set("Content-Type", typeJSON)
	// Errors are not cached: the next try may well succeed.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(data, '\n'))
	}
}

func invalid(format string, args ...any) error {
	return db.Errorf(db.EINVALID, format, args...)
}
