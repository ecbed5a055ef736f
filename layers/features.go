package layers

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/geo"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/paulmach/orb"
)

// geoJSONType is the media type of RFC 7946.
const geoJSONType = "application/geo+json"

func (h *Handler) serveFeatures(w http.ResponseWriter, r *http.Request) {
	l, ok := h.layerFile(w, r, r.PathValue("file"), ".geojson")
	if !ok {
		return
	}
	req, err := parseRequest(l, r.URL.Query(), outFeatures, h.today())
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	res, err := fetch(r.Context(), h.store, req, req.page)
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	if err := h.simplifyAreas(r.Context(), req, res); err != nil {
		sendError(w, r, h.log, err)
		return
	}
	body, err := featureCollection(r, req, res)
	if err != nil {
		sendError(w, r, h.log, err)
		return
	}
	send(w, r, geoJSONType, body, httpx.ForwardedHeaders...)
}

// featureCollection writes a page of features as an RFC 7946
// FeatureCollection with the paging members of OGC API – Features
// (numberMatched, numberReturned, links), so OGC clients page through it
// and plain GeoJSON readers ignore what they do not know. With an
// indicator it carries the indicator's attribution and licence as
// foreign members, as the TileJSON document does.
func featureCollection(r *http.Request, req *request, res *result) ([]byte, error) {
	geoms := make([]orb.Geometry, len(res.features))
	var bbox orb.Bound
	hasBBox := false
	for i, f := range res.features {
		g := f.geom
		if g == nil {
			continue
		}
		if !res.simplified {
			g = simplifyFor(req, g)
		}
		g = geo.Round(g, req.precision)
		geoms[i] = g
		if g == nil {
			continue
		}
		if hasBBox {
			bbox = bbox.Union(g.Bound())
		} else {
			bbox, hasBBox = g.Bound(), true
		}
	}

	b := make([]byte, 0, 4096)
	b = append(b, `{"type":"FeatureCollection","numberMatched":`...)
	b = strconv.AppendInt(b, int64(res.total), 10)
	b = append(b, `,"numberReturned":`...)
	b = strconv.AppendInt(b, int64(len(res.features)), 10)
	b = append(b, `,"links":[`...)
	b = appendLink(b, r, "self", "")
	// The next page starts after this one's last feature by its place,
	// not by a count, so a feature deleted or added meanwhile shifts
	// nothing and the walk hands out every other feature once (db.Page).
	if n := len(res.features); n > 0 && res.start+n < res.total {
		b = append(b, ',')
		b = appendLink(b, r, "next", res.features[n-1].key.Cursor())
	}
	b = append(b, ']')
	if hasBBox {
		b = append(b, `,"bbox":[`...)
		for i, v := range []float64{bbox.Min[0], bbox.Min[1], bbox.Max[0], bbox.Max[1]} {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, v)
		}
		b = append(b, ']')
	}
	if ind := res.indicator; ind != nil {
		// The values come with their terms, so that whoever shows them
		// can credit the source as its licence asks.
		b = append(b, `,"attribution":`...)
		b = appendJSON(b, credit(ind))
		b = append(b, `,"license":`...)
		b = appendJSON(b, ind.License)
	}
	b = append(b, `,"features":[`...)
	for i, f := range res.features {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"Feature","id":`...)
		b = appendJSON(b, f.gid)
		b = append(b, `,"geometry":`...)
		if geoms[i] == nil {
			b = append(b, "null"...)
		} else {
			var err error
			// AppendGeoJSON winds rings counter-clockwise, as RFC 7946 asks.
			if b, err = geo.AppendGeoJSON(b, geoms[i]); err != nil {
				return nil, err
			}
		}
		b = append(b, `,"properties":{`...)
		for j, p := range f.props {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, p.key)
			b = append(b, ':')
			b = appendJSON(b, p.val)
		}
		b = append(b, "}}"...)
	}
	return append(b, "]}"...), nil
}

// credit is whom a layer of indicator values credits: the indicator's
// attribution, or its source when it names none.
func credit(ind *db.Indicator) string {
	if ind.Attribution != "" {
		return ind.Attribution
	}
	return ind.Source
}

// simplifyAreas simplifies the outlines of a page of areas, when the
// request asks for a zoom or a tolerance, with their neighbours' (see
// db/outline), so that borders on the map stay common.
func (h *Handler) simplifyAreas(ctx context.Context, req *request, res *result) error {
	if !req.simplifies() {
		return nil
	}
	for i := range res.features {
		f := &res.features[i]
		if f.area == nil || f.geom == nil {
			continue
		}
		var err error
		if f.geom, err = outlineFor(ctx, h.outlines, req, f.area); err != nil {
			return err
		}
	}
	res.simplified = true
	return nil
}

// simplifies says whether the request asks for simplified outlines.
func (req *request) simplifies() bool { return req.zoom >= 0 || req.tolerance > 0 }

// outlineFor is a's outline simplified for the zoom or tolerance req asks
// for, with the other areas of its group through outlines.
func outlineFor(ctx context.Context, outlines *outline.Cache, req *request, a *db.Area) (orb.Geometry, error) {
	if req.zoom >= 0 {
		return outlines.Zoom(ctx, a, float64(req.zoom))
	}
	return outlines.Meters(ctx, a, req.tolerance)
}

// simplifyFor simplifies an area for the zoom or tolerance asked for.
// Simplify never erases an area, so a small one still shows where it is.
func simplifyFor(req *request, g orb.Geometry) orb.Geometry {
	tol := req.tolerance
	if req.zoom >= 0 {
		tol = geo.ToleranceForZoom(float64(req.zoom), g.Bound().Center()[1])
	}
	if tol <= 0 {
		return g
	}
	return geo.Simplify(g, tol)
}

// appendLink writes an OGC API link to this request, starting after the
// place the cursor after marks when it is given; an offset the request
// carried gives way to it.
func appendLink(b []byte, r *http.Request, rel string, after string) []byte {
	q := r.URL.Query()
	if after != "" {
		q.Del("offset")
		q.Set("after", after)
	}
	href := httpx.BaseURL(r) + r.URL.EscapedPath()
	if enc := q.Encode(); enc != "" {
		href += "?" + enc
	}
	b = append(b, `{"href":`...)
	b = appendJSON(b, href)
	b = append(b, `,"rel":`...)
	b = appendJSON(b, rel)
	b = append(b, `,"type":"application/geo+json"}`...)
	return b
}

// appendJSON appends v as JSON. The values written here (strings, numbers,
// string lists, nil) cannot fail to encode.
func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, v)
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']')
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case bool:
		return strconv.AppendBool(b, v)
	}
	data, _ := json.Marshal(v)
	return append(b, data...)
}

// appendJSONString writes s as a JSON string. Unlike encoding/json it
// leaves <, > and & alone: the body is GeoJSON, not HTML, and links with
// & between parameters should read as written.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20 || r == '\u2028' || r == '\u2029':
			// U+2028 and U+2029 are valid JSON but end a line in
			// JavaScript, which some readers still eval.
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			// Ranging over a string turns invalid UTF-8 into U+FFFD,
			// which is what encoding/json writes for it too.
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
