package ogcapi

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/layers"
	"github.com/areagraph/areagraph/ogcapi/cql2"
	"github.com/paulmach/orb"
)

// Filtering (OGC API – Features Part 3) with CQL2 text: the filter is
// parsed against the collection's queryables, then evaluated in Go on
// each feature layers fetches, in the same bounded scan as datetime, so
// the embedded store and PostGIS answer alike by construction.

// geometryName is the queryable that stands for a feature's geometry.
const geometryName = "geometry"

// filterLangs are the values filter-lang takes: cql2-text, and cql-text,
// the name of the draft that GDAL up to 3.6 sends for the same language.
var filterLangs = []string{"cql2-text", "cql-text"}

// queryables lists what a filter on layer l may name: its scalar
// properties (lists are not queryable: CQL2's array functions are not
// served), the joined indicator's value, suppressed, derived and partial
// when q joins one,
// distanceMeters with near, and the geometry.
func queryables(l *layers.Layer, q url.Values) []cql2.Property {
	var out []cql2.Property
	for _, f := range l.Fields {
		if t, ok := cqlType(f.Type); ok {
			out = append(out, cql2.Property{Name: f.Name, Type: t})
		}
	}
	if code := strings.TrimSpace(q.Get("indicator")); code != "" {
		out = append(out, cql2.Property{Name: code, Type: cql2.Number}, cql2.Property{Name: "suppressed", Type: cql2.Boolean},
			cql2.Property{Name: "derived", Type: cql2.Boolean}, cql2.Property{Name: "partial", Type: cql2.Boolean})
	}
	if q.Has("near") {
		out = append(out, cql2.Property{Name: "distanceMeters", Type: cql2.Number})
	}
	return append(out, cql2.Property{Name: geometryName, Type: cql2.Geometry})
}

func cqlType(jsonType string) (cql2.Type, bool) {
	switch jsonType {
	case "string":
		return cql2.String, true
	case "integer", "number":
		return cql2.Number, true
	case "boolean":
		return cql2.Boolean, true
	}
	return 0, false
}

// parseFilter reads filter, filter-lang and filter-crs; nil when no
// filter is given.
func parseFilter(l *layers.Layer, q url.Values) (*cql2.Filter, error) {
	text, hasFilter, err := one(q, "filter")
	if err != nil {
		return nil, err
	}
	if !hasFilter {
		for _, p := range []string{"filter-lang", "filter-crs"} {
			if q.Has(p) {
				return nil, invalid("%s is only meaningful with filter", p)
			}
		}
		return nil, nil
	}
	if lang, ok, err := one(q, "filter-lang"); err != nil {
		return nil, err
	} else if ok && lang != filterLangs[0] && lang != filterLangs[1] {
		return nil, invalid("filter-lang: %q is not served; filters are written in cql2-text", lang)
	}
	c, err := crsParam(q, "filter-crs")
	if err != nil {
		return nil, err
	}
	opt := cql2.Options{Properties: queryables(l, q)}
	if c != crsCRS84 {
		opt.ToWGS84 = func(g orb.Geometry) (orb.Geometry, error) {
			if c.geographic {
				return c.toWGS84(g), nil
			}
			if b, ok := g.(orb.Bound); ok {
				// A box in metres is a polygon in degrees.
				g = densify(b)
			}
			g = c.toWGS84(g)
			if !sweden.Contains(g.Bound().Min) || !sweden.Contains(g.Bound().Max) {
				return nil, errors.New("it lies outside the area SWEREF 99 TM is defined for (Sweden and its waters)")
			}
			return g, nil
		}
	}
	f, err := cql2.Parse(text, opt)
	if err != nil {
		return nil, invalid("filter: %v", err)
	}
	return f, nil
}

// record is a feature as a filter reads it.
type record struct{ f *layers.Feature }

func (r record) Value(name string) any {
	for _, p := range r.f.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return nil
}

func (r record) Geometry() orb.Geometry { return r.f.Geometry }

func (h *Handler) serveQueryables(w http.ResponseWriter, r *http.Request) {
	l, ok := h.findLayer(w, r)
	if !ok {
		return
	}
	// GDAL asks for JSON; JSON Schema is JSON.
	contentType, ok := negotiate(w, r, typeSchema, typeJSON)
	if !ok {
		return
	}
	props := map[string]any{}
	geometry := map[string]any{"title": "The feature's geometry", "x-ogc-role": "primary-geometry", "format": "geometry-any"}
	if l.Points {
		geometry["description"] = "A point, or a MultiPoint for an initiative at several locations"
	} else {
		geometry["description"] = "A Polygon or MultiPolygon"
	}
	props[geometryName] = geometry
	for _, f := range l.Fields {
		if _, ok := cqlType(f.Type); !ok {
			continue
		}
		p := map[string]any{"title": f.Description, "type": f.Type}
		if f.Nullable {
			p["type"] = []string{f.Type, "null"}
		}
		if f.Enum != nil {
			p["enum"] = f.Enum
		}
		props[f.Name] = p
	}
	id := httpx.BaseURL(r) + "/collections/" + l.Name + "/queryables"
	sendJSON(w, r, h.log, contentType, map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         id,
		"type":        "object",
		"title":       title(l.Name),
		"description": "What a filter on " + l.Name + " may name; with indicator=, also the indicator's code (a number) and suppressed, with near=, distanceMeters",
		"properties":  props,
		// Other properties exist only with indicator= or near=.
		"additionalProperties": true,
	})
}
