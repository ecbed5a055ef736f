// Package layers serves areagraph's data as map layers over plain HTTP, for
// map libraries and GIS tools that do not speak GraphQL (MapLibre, Leaflet,
// OpenLayers, QGIS):
//
//	GET /layers/{layer}.geojson        a GeoJSON FeatureCollection, paged
//	GET /tiles/{layer}/{z}/{x}/{y}.mvt a Mapbox Vector Tile
//	GET /tiles/{layer}.json            a TileJSON 3.0.0 document for the tiles
//
// The layers are areas (choose kinds with kind=), municipalities,
// districts, priority-areas, statistical-areas, initiatives, employers and
// associations. Every request takes the domain's filters as query
// parameters and costs a small, fixed number of store calls however many
// features it returns.
package layers

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/outline"
)

// Handler serves the map layers of one store. Mount it at /layers/ and
// /tiles/.
type Handler struct {
	// Now is the clock that says which day today is, the day area layers
	// show when a request names none; nil means time.Now.
	Now   func() time.Time
	store db.Reader
	log   *slog.Logger
	mux   *http.ServeMux
	// outlines simplifies area outlines as coverages, once per zoom or
	// tolerance, for tiles and for collections asked to simplify, so
	// neighbours keep their common border (db/outline).
	outlines *outline.Cache
}

// today is the day the handler's clock reads.
func (h *Handler) today() time.Time {
	if h.Now != nil {
		return db.Today(h.Now())
	}
	return db.Today(time.Now())
}

// New returns a Handler over store; log receives internal errors, and nil
// means slog.Default().
func New(store db.Reader, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &Handler{store: store, log: log, mux: http.NewServeMux(), outlines: outline.New(store, 0)}
	h.mux.HandleFunc("GET /layers/{file}", h.serveFeatures)
	h.mux.HandleFunc("GET /tiles/{file}", h.serveTileJSON)
	h.mux.HandleFunc("GET /tiles/{layer}/{z}/{x}/{y}", h.serveTile)
	h.mux.HandleFunc("/", h.serveUnknown)
	return h
}

// Outlines is the cache the handler simplifies area outlines with.
func (h *Handler) Outlines() *outline.Cache { return h.outlines }

// ShareOutlines makes the handler simplify area outlines with c, a cache
// over the same store that others (GraphQL) use too, so each group and
// zoom is simplified and held once for all of them. Call it before the
// handler serves.
func (h *Handler) ShareOutlines(c *outline.Cache) {
	if c != nil {
		h.outlines = c
	}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mux.ServeHTTP(w, r)
}

// serveUnknown answers what no route takes, in the same JSON as every
// other error, naming the addresses that do exist.
func (h *Handler) serveUnknown(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, r, http.StatusMethodNotAllowed, db.EINVALID, "map layers are read with GET, not "+r.Method)
		return
	}
	sendError(w, r, h.log, db.Errorf(db.ENOTFOUND,
		"no such address; layers are served at /layers/{layer}.geojson, /tiles/{layer}/{z}/{x}/{y}.mvt and /tiles/{layer}.json, for the layers %s",
		layerNames()))
}

// layerFile splits "priority-areas.geojson" into the layer and checks the
// suffix; a wrong suffix is a wrong address, an unknown layer a wrong
// value.
func (h *Handler) layerFile(w http.ResponseWriter, r *http.Request, file, suffix string) (*layer, bool) {
	name, ok := strings.CutSuffix(file, suffix)
	if !ok {
		h.serveUnknown(w, r)
		return nil, false
	}
	l, err := findLayer(name)
	if err != nil {
		sendError(w, r, h.log, err)
		return nil, false
	}
	return l, true
}
