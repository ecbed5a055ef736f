package layers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"strings"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/paulmach/orb"
)

// mvtType is the media type vector tiles are served as.
const mvtType = "application/vnd.mapbox-vector-tile"

// tileJSONMaxZoom is the deepest zoom TileJSON advertises. At zoom 16 a
// tile unit is about 8 cm at Borås' latitude, finer than any stored
// boundary, so clients do better to overzoom those tiles than to fetch
// deeper ones; tiles down to MaxZoom are still served for clients that
// ask.
const tileJSONMaxZoom = 16

func (h *Handler) serveTile(w http.ResponseWriter, r *http.Request) {
	l, err := findLayer(r.PathValue("layer"))
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	ys, ok := strings.CutSuffix(r.PathValue("y"), ".mvt")
	if !ok {
		h.serveUnknown(w, r)
		return
	}
	z, x, y, err := tileAddress(r.PathValue("z"), r.PathValue("x"), ys)
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	req, err := parseRequest(l, r.URL.Query(), outTile, h.today())
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	if z < l.minZoom {
		// Above the layer's minimum zoom, which its TileJSON names, there
		// is nothing to show, and the store is not asked.
		sendEmpty(w, r)
		return
	}
	bound := tileBound(z, x, y, tileBuffer)
	// The store's box filter selects what reaches into the tile and its
	// buffer; a bbox from the client narrows it further.
	sel := bound
	if b := req.spatial.BBox; b != nil {
		if !bound.Intersects(*b) {
			sendEmpty(w, r)
			return
		}
		sel = orb.Bound{
			Min: orb.Point{max(bound.Min[0], b.Min[0]), max(bound.Min[1], b.Min[1])},
			Max: orb.Point{min(bound.Max[0], b.Max[0]), min(bound.Max[1], b.Max[1])},
		}
	}
	req.spatial.BBox = &sel
	proj := newTileProjection(z, x, y)
	var feats []tileFeature
	var res *result
	if l.source != fromAreas {
		// Points are counted into clusters when there are many, so their
		// locations are read first, every match up to maxClusterScan;
		// the records themselves only when there are few.
		req.locationsOnly = true
		res, err = fetch(r.Context(), h.store, req, db.Page{Limit: maxClusterScan})
		req.locationsOnly = false
		if err == nil && res.total > clusterAbove {
			h.warnCut(r, res, maxClusterScan)
			feats = clusterPoints(res.located, l.source.nodeType(), bound, proj)
		} else if err == nil {
			res, err = fetch(r.Context(), h.store, req, db.Page{Limit: clusterAbove})
		}
	} else {
		// The outlines come simplified from h.outlines, so the areas
		// are read without them.
		req.withoutOutlines = true
		res, err = fetch(r.Context(), h.store, req, db.Page{Limit: MaxLimit})
		if err == nil {
			h.warnCut(r, res, MaxLimit)
		}
	}
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	sc := tileScratches.Get().(*tileScratch)
	defer tileScratches.Put(sc)
	e := &sc.enc
	e.reset()
	for _, f := range feats {
		typ, geom := encodeGeometry(e.geom[:0], f.geom)
		e.geom = geom
		e.feature(f.id, typ, geom, f.props)
	}
	if feats == nil {
		for _, f := range res.features {
			g := f.geom
			if f.area != nil {
				// The store's box filter let only outlines that reach
				// into the tile through.
				if g, err = h.outlines.ZoomByID(r.Context(), f.area, float64(z)); err != nil {
					sendError(w, r, h.log, err)
					return
				}
			}
			sc.props = append(append(sc.props[:0], prop{"id", f.gid}), f.props...)
			// Outlines are drawn straight into the encoder's commands;
			// anything else is cut and projected as a geometry first.
			gw := geomWriter{out: e.geom[:0]}
			typ := mvtPolygon
			if !sc.outlineCommands(&gw, g, bound, proj) {
				if g = tileGeometry(g, bound, proj); g == nil {
					continue // outside the tile, or smaller than its grid
				}
				typ, gw.out = encodeGeometry(gw.out, g)
			}
			e.geom = gw.out
			e.feature(uint64(f.id), typ, gw.out, sc.props)
		}
	}
	if e.empty() {
		sendEmpty(w, r)
		return
	}
	// The body is written from the pooled buffer before it goes back:
	// ResponseWriters copy what they are given.
	sc.body = e.appendLayer(sc.body[:0], l.name)
	send(w, r, mvtType, sc.body)
}

// warnCut logs a tile that shows fewer of its matches than there are.
func (h *Handler) warnCut(r *http.Request, res *result, limit int) {
	if res.total > len(res.features)+len(res.located) {
		h.log.WarnContext(r.Context(), "tile cut at the feature cap", "path", r.URL.Path,
			"matched", res.total, "cap", limit)
	}
}

// tileJSON is a TileJSON 3.0.0 document.
type tileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []vectorLayer `json:"vector_layers"`
}

type vectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

func (h *Handler) serveTileJSON(w http.ResponseWriter, r *http.Request) {
	l, ok := h.layerFile(w, r, r.PathValue("file"), ".json")
	if !ok {
		return
	}
	q := r.URL.Query()
	req, err := parseRequest(l, q, outTileJSON, h.today())
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	// Bounds come from the data the tiles will show, so a client's
	// fitBounds lands on it; MaxLimit records bound the cost.
	res, err := fetch(r.Context(), h.store, req, db.Page{Limit: MaxLimit})
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	doc := tileJSON{
		TileJSON:    "3.0.0",
		Name:        l.name,
		Description: l.description,
		Scheme:      "xyz",
		Tiles:       []string{httpx.BaseURL(r) + "/tiles/" + l.name + "/{z}/{x}/{y}.mvt" + tileQuery(q)},
		MinZoom:     l.minZoom,
		MaxZoom:     tileJSONMaxZoom,
		Bounds:      dataBounds(res),
		VectorLayers: []vectorLayer{{
			ID: l.name, Description: l.description, MinZoom: l.minZoom, MaxZoom: tileJSONMaxZoom,
			Fields: fieldsOf(req, res.indicator),
		}},
	}
	doc.Center = centerOf(doc.Bounds)
	if ind := res.indicator; ind != nil {
		// Map libraries show attribution as HTML, and it comes from
		// imported data: escape it so it can only ever be text.
		text := credit(ind)
		if ind.License != "" {
			text += " (" + ind.License + ")"
		}
		doc.Attribution = html.EscapeString(text)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Tile URLs hold & between parameters; keep them readable.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		sendError(w, r, h.log, err)
		return
	}
	send(w, r, "application/json", buf.Bytes(), httpx.ForwardedHeaders...)
}

// tileQuery carries the filters of a TileJSON request into its tile URLs,
// so one document describes one filtered layer.
func tileQuery(q url.Values) string {
	keep := url.Values{}
	for k, v := range q {
		if !strings.HasPrefix(k, "_") {
			keep[k] = v
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return "?" + keep.Encode()
}

// dataBounds is the box of every feature, or the Web Mercator world when
// there is none.
func dataBounds(res *result) [4]float64 {
	var b orb.Bound
	has := false
	for _, f := range res.features {
		if f.geom == nil {
			continue
		}
		if has {
			b = b.Union(f.geom.Bound())
		} else {
			b, has = f.geom.Bound(), true
		}
	}
	if !has {
		return [4]float64{-180, -maxMercatorLat, 180, maxMercatorLat}
	}
	return [4]float64{b.Min[0], max(b.Min[1], -maxMercatorLat), b.Max[0], min(b.Max[1], maxMercatorLat)}
}

// centerOf is the middle of bounds with the zoom at which it fills about a
// 512-pixel view.
func centerOf(b [4]float64) [3]float64 {
	span := max(b[2]-b[0], (b[3]-b[1])*2, 1e-6)
	z := math.Floor(math.Log2(360 / span))
	return [3]float64{(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, max(0, min(tileJSONMaxZoom, z))}
}

// fieldsOf describes the properties of a layer's tile features.
func fieldsOf(req *request, ind *db.Indicator) map[string]string {
	f := map[string]string{"id": "String: the record's global id, as in the GraphQL API (such as Area:13)"}
	switch req.layer.source {
	case fromAreas:
		f["code"] = "String: the area's code (a municipality, DeSO or programme code)"
		f["name"] = "String: the area's name"
		f["kind"] = "String: MUNICIPALITY, DISTRICT, PRIORITY_AREA or STATISTICAL_AREA"
		f["areaType"] = "Number: the programme's area type, 1–5, 1 = largest socio-economic challenges; absent when not set"
		f["parent"] = "String: the global id of the enclosing area; absent for a root"
		if ind != nil {
			desc := fmt.Sprintf("Number: %s, %d, both sexes", ind.Name, req.year)
			if ind.Unit != "" {
				desc += ", in " + ind.Unit
			}
			if ind.HigherIsBetter {
				desc += "; higher is better"
			} else {
				desc += "; lower is better"
			}
			f[ind.Code] = desc + "; absent where the area has no value or it is suppressed"
			f["suppressed"] = "Boolean: true where the value is withheld to protect small counts"
			f["derived"] = "Boolean: true where the value is rolled up from the statistical areas in use that year, the area having none of its own"
			f["partial"] = "Boolean: true where a derived value's statistical areas cover less than 95 % of the area"
		}
	case fromInitiatives:
		f["title"] = "String: the initiative's title"
		f["status"] = "String: PLANNED, ACTIVE, COMPLETED or CANCELLED"
		f["goalArea"] = "String: the programme goal area it serves"
		f["focusGroups"] = "String: the focus groups it targets, comma-separated"
		f["themes"] = "String: what it works with, comma-separated"
		f["lead"] = "String: the global id of the lead organisation; absent when none is recorded"
		f["leadName"] = "String: the lead organisation's name"
	case fromEmployers:
		f["name"] = "String: the employer's name"
		f["kind"] = "String: EMPLOYER"
		f["industry"] = "String: the employer's industry"
		f["size"] = "String: MICRO, SMALL, MEDIUM or LARGE"
	case fromAssociations:
		f["name"] = "String: the association's name"
		f["kind"] = "String: ASSOCIATION"
		f["activity"] = "String: what the association does"
	}
	if req.spatial.Near != nil {
		f["distanceMeters"] = "Number: distance from the near point, in metres"
	}
	if req.layer.source != fromAreas {
		f["count"] = fmt.Sprintf("Number: in a tile of more than %d matches, points are grouped into cells of %d pixels, and each point stands for count records (its properties then are id, for a count of 1, and count); absent in other tiles", clusterAbove, clusterCell/(tileExtent/256))
	}
	return f
}
