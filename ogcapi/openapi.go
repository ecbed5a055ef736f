package ogcapi

import (
	"net/http"
	"strconv"

	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/ogcapi/cql2"
)

// filterDocs describes the layers' filters in the API definition. Those
// named like a property are OGC's property filters, and GDAL treats them
// as such.
var filterDocs = map[string]string{
	"code":         "Areas with these codes (comma-separated)",
	"parent":       "Areas whose parent is one of these areas, by global id (Area:13) or code (comma-separated)",
	"areaType":     "Areas of these area types, 1–5 (comma-separated)",
	"name":         "Records whose name contains this text, case aside",
	"kind":         "Areas of these kinds (comma-separated): MUNICIPALITY, DISTRICT, PRIORITY_AREA, STATISTICAL_AREA",
	"indicator":    "Join this indicator's value of year to every area, as a property named by its code; with year",
	"year":         "The year of the indicator's value; with indicator",
	"zoom":         "Simplify outlines for this web-map zoom level (0–22)",
	"simplify":     "Simplify outlines with this tolerance in metres",
	"near":         "Records within radiusMeters of a point, nearest first: lon,lat,radiusMeters",
	"status":       "Initiatives with these statuses (comma-separated)",
	"focusGroup":   "Initiatives targeting any of these focus groups (comma-separated)",
	"theme":        "Initiatives working with any of these themes (comma-separated)",
	"goalArea":     "Initiatives serving any of these goal areas (comma-separated)",
	"area":         "Records serving or engaging in any of these areas, by global id or code (comma-separated)",
	"organization": "Initiatives led or partnered by any of these organisations, by global id (comma-separated)",
	"title":        "Initiatives whose title contains this text, case aside",
}

type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/parameters/" + name} }

func jsonContent(media, schemaRef string) obj {
	return obj{media: obj{"schema": obj{"$ref": "#/components/schemas/" + schemaRef}}}
}

// errors are the answers every operation may give besides its own.
func withErrors(ok obj) obj {
	exc := obj{"content": jsonContent(typeJSON, "exception")}
	return obj{
		"200": ok,
		"400": withDescription(exc, "A parameter is not valid"),
		"404": withDescription(exc, "No such collection or feature"),
		"406": withDescription(exc, "None of the media types asked for is served"),
		"500": withDescription(exc, "The server failed; the log has the details"),
		"503": withDescription(exc, "The server is busy or the request took too long"),
	}
}

func withDescription(o obj, d string) obj {
	c := obj{"description": d}
	for k, v := range o {
		c[k] = v
	}
	return c
}

func get(id, summary string, params []obj, ok obj) obj {
	op := obj{"operationId": id, "summary": summary, "responses": withErrors(ok)}
	if len(params) > 0 {
		op["parameters"] = params
	}
	return obj{"get": op}
}

// apiDocument is the OpenAPI 3.0 definition of the server at base.
func (h *Handler) apiDocument(base string) obj {
	names := make([]string, len(h.layers))
	for i, l := range h.layers {
		names[i] = l.Name
	}
	itemsParams := []obj{ref("collectionId"), ref("f"), ref("limit"), ref("offset"), ref("after"), ref("before"), ref("bbox"), ref("bbox-crs"), ref("datetime"), ref("crs"), ref("filter"), ref("filter-lang"), ref("filter-crs")}
	paths := obj{
		"/": get("getLandingPage", "The landing page (JSON with f=json or Accept: application/json)", []obj{ref("f")},
			obj{"description": "The landing page", "content": jsonContent(typeJSON, "landingPage")}),
		"/conformance": get("getConformance", "The conformance classes this server passes", []obj{ref("f")},
			obj{"description": "The conformance classes", "content": jsonContent(typeJSON, "confClasses")}),
		"/api": get("getAPI", "This API definition", []obj{ref("f")},
			obj{"description": "The OpenAPI 3.0 document", "content": obj{
				typeOpenAPI: obj{"schema": obj{"type": "object"}},
				typeJSON:    obj{"schema": obj{"type": "object"}},
			}}),
		"/collections": get("getCollections", "The collections: one per map layer", []obj{ref("f")},
			obj{"description": "The collections", "content": jsonContent(typeJSON, "collections")}),
		"/collections/{collectionId}": get("describeCollection", "One collection", []obj{ref("collectionId"), ref("f")},
			obj{"description": "The collection", "content": jsonContent(typeJSON, "collection")}),
		"/collections/{collectionId}/items": get("getFeatures", "The features of a collection, paged", itemsParams,
			obj{"description": "A page of features", "content": jsonContent(typeGeoJSON, "featureCollectionGeoJSON")}),
		"/collections/{collectionId}/queryables": get("getQueryables", "What a filter on the collection may name, as JSON Schema", []obj{ref("collectionId"), ref("f")},
			obj{"description": "The queryables", "content": obj{
				typeSchema: obj{"schema": obj{"type": "object"}},
				typeJSON:   obj{"schema": obj{"type": "object"}},
			}}),
		"/collections/{collectionId}/items/{featureId}": get("getFeature", "One feature",
			[]obj{ref("collectionId"), ref("featureId"), ref("f"), ref("crs")},
			obj{"description": "The feature", "content": jsonContent(typeGeoJSON, "featureGeoJSON")}),
	}
	// Each collection's items with the filters it takes, so that a client
	// (GDAL) learns which properties it may filter on.
	for _, l := range h.layers {
		params := []obj{ref("f"), ref("limit"), ref("offset"), ref("after"), ref("before"), ref("bbox"), ref("bbox-crs"), ref("datetime"), ref("crs"), ref("filter"), ref("filter-lang"), ref("filter-crs")}
		for _, f := range l.Filters {
			params = append(params, obj{
				"name": f, "in": "query", "required": false, "style": "form", "explode": false,
				"description": filterDocs[f], "schema": obj{"type": "string"},
			})
		}
		paths["/collections/"+l.Name+"/items"] = get("getFeatures-"+l.Name, "The features of "+l.Name+", paged", params,
			obj{"description": "A page of features", "content": jsonContent(typeGeoJSON, "featureCollectionGeoJSON")})
	}
	linkSchema := obj{"type": "object", "required": []string{"href", "rel"}, "properties": obj{
		"href": obj{"type": "string"}, "rel": obj{"type": "string"}, "type": obj{"type": "string"}, "title": obj{"type": "string"},
	}}
	links := obj{"type": "array", "items": obj{"$ref": "#/components/schemas/link"}}
	return obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       "areagraph",
			"version":     "1.0.0",
			"description": "The map layers of areagraph as OGC API – Features: priority areas, districts, statistical areas, initiatives, employers and associations.",
		},
		"servers": []obj{{"url": base}},
		"paths":   paths,
		"components": obj{
			"parameters": obj{
				"collectionId": obj{"name": "collectionId", "in": "path", "required": true, "description": "The collection",
					"schema": obj{"type": "string", "enum": names}},
				"featureId": obj{"name": "featureId", "in": "path", "required": true, "description": "The feature's global id (Area:13)",
					"schema": obj{"type": "string"}},
				"f": obj{"name": "f", "in": "query", "required": false, "description": "The format of the answer; JSON is the only one",
					"schema": obj{"type": "string", "enum": []string{"json", "geojson"}}},
				"limit": obj{"name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "The most features a page holds; a larger value is served as " + strconv.Itoa(MaxLimit),
					"schema":      obj{"type": "integer", "minimum": 1, "maximum": MaxLimit, "default": DefaultLimit}},
				"offset": obj{"name": "offset", "in": "query", "required": false, "description": "How many matching features to skip; next and prev links carry after and before instead, which skip nothing when features are added or deleted between pages",
					"schema": obj{"type": "integer", "minimum": 0, "default": 0}},
				"after": obj{"name": "after", "in": "query", "required": false, "description": "An opaque cursor from a next link: the page starts after that feature's place, whatever was written since",
					"schema": obj{"type": "string"}},
				"before": obj{"name": "before", "in": "query", "required": false, "description": "An opaque cursor from a prev link: the page ends before that feature's place",
					"schema": obj{"type": "string"}},
				"bbox": obj{"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "Features that intersect the box: the lower corner, then the upper, in the axis order of bbox-crs (CRS84: minLon,minLat,maxLon,maxLat)",
					"schema":      obj{"type": "array", "minItems": 4, "maxItems": 6, "items": obj{"type": "number"}}},
				"crs": obj{"name": "crs", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "The coordinate reference system of the coordinates written, in its axis order (EPSG:4326 latitude, longitude; EPSG:3006 northing, easting); the Content-Crs header names it",
					"schema":      obj{"type": "string", "format": "uri", "enum": crsURIs(), "default": crs84}},
				"bbox-crs": obj{"name": "bbox-crs", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "The coordinate reference system of bbox, in its axis order",
					"schema":      obj{"type": "string", "format": "uri", "enum": crsURIs(), "default": crs84}},
				"filter": obj{"name": "filter", "in": "query", "required": false,
					"description": "A CQL2 text filter on the collection's queryables: comparisons, AND, OR, NOT, LIKE, BETWEEN, IN, IS NULL, S_INTERSECTS with a WKT geometry or BBOX",
					"schema":      obj{"type": "string", "maxLength": cql2.MaxLength}},
				"filter-lang": obj{"name": "filter-lang", "in": "query", "required": false,
					"description": "The language of filter: cql2-text (cql-text, the draft's name, is taken too)",
					"schema":      obj{"type": "string", "enum": filterLangs, "default": filterLangs[0]}},
				"filter-crs": obj{"name": "filter-crs", "in": "query", "required": false,
					"description": "The coordinate reference system of the filter's geometries, in its axis order",
					"schema":      obj{"type": "string", "format": "uri", "enum": crsURIs(), "default": crs84}},
				"datetime": obj{"name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
					"description": "Areas in use, and initiatives running, on this day or in this interval (start/end, .. for an open end); areas default to those in use today, ../.. shows every edition; organisations have no period",
					"schema":      obj{"type": "string"}},
			},
			"schemas": obj{
				"link": linkSchema,
				"exception": obj{"type": "object", "required": []string{"code"}, "properties": obj{
					"code": obj{"type": "string"}, "description": obj{"type": "string"},
				}},
				"landingPage": obj{"type": "object", "required": []string{"links"}, "properties": obj{
					"title": obj{"type": "string"}, "description": obj{"type": "string"}, "links": links,
				}},
				"confClasses": obj{"type": "object", "required": []string{"conformsTo"}, "properties": obj{
					"conformsTo": obj{"type": "array", "items": obj{"type": "string"}},
				}},
				"collection": obj{"type": "object", "required": []string{"id", "links"}, "properties": obj{
					"id": obj{"type": "string"}, "title": obj{"type": "string"}, "description": obj{"type": "string"},
					"itemType": obj{"type": "string"}, "links": links,
					"crs": obj{"type": "array", "items": obj{"type": "string"}}, "storageCrs": obj{"type": "string"},
				}},
				"collections": obj{"type": "object", "required": []string{"links", "collections"}, "properties": obj{
					"links": links, "collections": obj{"type": "array", "items": obj{"$ref": "#/components/schemas/collection"}},
				}},
				"featureGeoJSON": obj{"type": "object", "required": []string{"type", "geometry", "properties"}, "properties": obj{
					"type":       obj{"type": "string", "enum": []string{"Feature"}},
					"id":         obj{"type": "string"},
					"geometry":   obj{"type": "object", "nullable": true},
					"properties": obj{"type": "object", "nullable": true},
					"links":      links,
				}},
				"featureCollectionGeoJSON": obj{"type": "object", "required": []string{"type", "features"}, "properties": obj{
					"type":           obj{"type": "string", "enum": []string{"FeatureCollection"}},
					"features":       obj{"type": "array", "items": obj{"$ref": "#/components/schemas/featureGeoJSON"}},
					"links":          links,
					"timeStamp":      obj{"type": "string", "format": "date-time"},
					"numberMatched":  obj{"type": "integer", "minimum": 0},
					"numberReturned": obj{"type": "integer", "minimum": 0},
				}},
			},
		},
	}
}

func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	contentType, ok := negotiate(w, r, typeOpenAPI, typeJSON)
	if !ok {
		return
	}
	sendJSON(w, r, h.log, contentType, h.apiDocument(httpx.BaseURL(r)))
}
