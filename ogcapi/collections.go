package ogcapi

import (
	"net/http"
	"strings"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/layers"
)

// link is a link of OGC API's documents.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// conformance lists the classes this server passes, and only those: a
// client trusts the list to decide what it may ask.
var conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
}

// Landing serves the landing page; the server routes / here when the
// client asks for JSON (see WantsJSON).
func (h *Handler) Landing(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }

func (h *Handler) serveLanding(w http.ResponseWriter, r *http.Request) {
	if _, ok := negotiate(w, r, typeJSON); !ok {
		return
	}
	base := httpx.BaseURL(r)
	sendJSON(w, r, h.log, typeJSON, map[string]any{
		"title":       "areagraph",
		"description": "Priority areas, initiatives, employers and associations of the city's area-development programme, as OGC API – Features",
		"links": []link{
			// / serves the map explorer to browsers; f=json keeps this
			// document.
			{base + "/?f=json", "self", typeJSON, "This document"},
			{base + "/api", "service-desc", typeOpenAPI, "The API definition"},
			{base + "/conformance", "conformance", typeJSON, "The conformance classes passed"},
			{base + "/collections", "data", typeJSON, "The collections: one per map layer"},
		},
	})
}

func (h *Handler) serveConformance(w http.ResponseWriter, r *http.Request) {
	if _, ok := negotiate(w, r, typeJSON); !ok {
		return
	}
	sendJSON(w, r, h.log, typeJSON, map[string]any{"conformsTo": conformance})
}

// collectionDoc is the description of one collection.
type collectionDoc struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	ItemType    string   `json:"itemType"`
	Links       []link   `json:"links"`
	CRS         []string `json:"crs"`
	StorageCRS  string   `json:"storageCrs"`
}

func (h *Handler) collection(r *http.Request, l *layers.Layer) collectionDoc {
	base := httpx.BaseURL(r) + "/collections/" + l.Name
	return collectionDoc{
		ID:          l.Name,
		Title:       title(l.Name),
		Description: l.Description,
		ItemType:    "feature",
		Links: []link{
			{base, "self", typeJSON, "This collection"},
			{base + "/items", "items", typeGeoJSON, "Its features"},
			{base + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", typeSchema, "What a filter may name"},
		},
		CRS:        crsURIs(),
		StorageCRS: crs84,
	}
}

// crs84 is longitude/latitude on WGS 84, GeoJSON's coordinates.
const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// title makes "priority-areas" read "Priority areas".
func title(name string) string {
	s := strings.ReplaceAll(name, "-", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

func (h *Handler) serveCollections(w http.ResponseWriter, r *http.Request) {
	if _, ok := negotiate(w, r, typeJSON); !ok {
		return
	}
	docs := make([]collectionDoc, len(h.layers))
	for i := range h.layers {
		docs[i] = h.collection(r, &h.layers[i])
	}
	base := httpx.BaseURL(r)
	sendJSON(w, r, h.log, typeJSON, map[string]any{
		"links": []link{
			{base + "/collections", "self", typeJSON, "This document"},
		},
		"collections": docs,
	})
}

func (h *Handler) serveCollection(w http.ResponseWriter, r *http.Request) {
	l, ok := h.findLayer(w, r)
	if !ok {
		return
	}
	if _, ok := negotiate(w, r, typeJSON); !ok {
		return
	}
	sendJSON(w, r, h.log, typeJSON, h.collection(r, l))
}

// findLayer reads the collection of the path; an unknown one is a 404
// that names those there are.
func (h *Handler) findLayer(w http.ResponseWriter, r *http.Request) (*layers.Layer, bool) {
	id := r.PathValue("id")
	names := make([]string, len(h.layers))
	for i := range h.layers {
		if h.layers[i].Name == id {
			return &h.layers[i], true
		}
		names[i] = h.layers[i].Name
	}
	sendError(w, r, h.log, db.Errorf(db.ENOTFOUND, "no collection %q; the collections are %s", id, strings.Join(names, ", ")))
	return nil, false
}
