package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/paulmach/orb"
)

// maxCollectionDepth bounds how deeply GeometryCollections may nest in
// input. Real data never nests; the bound keeps hostile input from
// recursing without end.
const maxCollectionDepth = 16

// MarshalGeoJSON writes g as an RFC 7946 GeoJSON geometry object. With
// UnmarshalGeoJSON it has the shape gqlgen expects for a scalar bound to a
// type it does not own: bind the model ".../geo.GeoJSON", or wrap the
// pair, and gqlgen calls them by name.
//
// Rings are written with RFC 7946 winding whatever the stored order, a Ring
// or Bound is written as a Polygon, and empty geometries keep their type
// with empty coordinates. nil, or a geometry that cannot be written (a
// coordinate that is not a finite number), gives JSON null; on a non-null
// field gqlgen then reports the null as an error. Validate rejects such
// coordinates at the door, so that last case means stored data went bad.
func MarshalGeoJSON(g orb.Geometry) graphql.Marshaler {
	if g == nil {
		return graphql.Null
	}
	// Encoding up front lets a failure become a clean null instead of
	// half an object in the response.
	data, err := AppendGeoJSON(nil, g)
	if err != nil {
		return graphql.Null
	}
	return graphql.WriterFunc(func(w io.Writer) { _, _ = w.Write(data) })
}

// AppendGeoJSON appends g to dst as an RFC 7946 geometry object, the
// encoding MarshalGeoJSON uses, for callers outside GraphQL such as file
// exports and golden tests. It fails for nil, a nil member of a
// Collection, and coordinates that are not finite.
//
// It writes the JSON itself rather than through orb/geojson, which would
// write empty geometries as null and pulls in a BSON library the service
// has no use for; numbers are formatted exactly as encoding/json does.
func AppendGeoJSON(dst []byte, g orb.Geometry) ([]byte, error) {
	if g == nil {
		return dst, errors.New("GeoJSON: cannot write a nil geometry")
	}
	if !wound(g) {
		g = Normalize(g)
	}
	b, err := appendGeometry(dst, g, 0)
	if err != nil {
		return dst, err
	}
	return b, nil
}

func appendGeometry(b []byte, g orb.Geometry, depth int) ([]byte, error) {
	var err error
	open := func(t string) {
		b = append(b, `{"type":"`...)
		b = append(b, t...)
		b = append(b, `","coordinates":`...)
	}
	switch g := g.(type) {
	case nil:
		return b, errors.New("GeoJSON: a GeometryCollection holds a nil geometry")
	case orb.Point:
		open("Point")
		b, err = appendPosition(b, g)
	case orb.MultiPoint:
		open("MultiPoint")
		b, err = appendPositions(b, g)
	case orb.LineString:
		open("LineString")
		b, err = appendPositions(b, g)
	case orb.MultiLineString:
		open("MultiLineString")
		b, err = appendList(b, g, appendPositions)
	case orb.Ring:
		open("Polygon")
		b, err = appendList(b, []orb.Ring{g}, appendPositions)
	case orb.Polygon:
		open("Polygon")
		b, err = appendList(b, g, appendPositions)
	case orb.MultiPolygon:
		open("MultiPolygon")
		b, err = appendList(b, g, func(b []byte, p orb.Polygon) ([]byte, error) {
			return appendList(b, p, appendPositions)
		})
	case orb.Bound:
		open("Polygon")
		b, err = appendList(b, g.ToPolygon(), appendPositions)
	case orb.Collection:
		if depth >= maxCollectionDepth {
			return b, errors.New("GeoJSON: GeometryCollections nest too deeply")
		}
		b = append(b, `{"type":"GeometryCollection","geometries":`...)
		b, err = appendList(b, g, func(b []byte, m orb.Geometry) ([]byte, error) {
			return appendGeometry(b, m, depth+1)
		})
	default:
		return b, fmt.Errorf("GeoJSON: cannot write a %T", g)
	}
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

func appendList[T any](b []byte, list []T, elem func([]byte, T) ([]byte, error)) ([]byte, error) {
	b = append(b, '[')
	for i, e := range list {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = elem(b, e); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

func appendPositions[S ~[]orb.Point](b []byte, ps S) ([]byte, error) {
	return appendList(b, []orb.Point(ps), appendPosition)
}

func appendPosition(b []byte, p orb.Point) ([]byte, error) {
	b = append(b, '[')
	b, err := appendNumber(b, p[0])
	if err != nil {
		return b, err
	}
	b = append(b, ',')
	if b, err = appendNumber(b, p[1]); err != nil {
		return b, err
	}
	return append(b, ']'), nil
}

// appendNumber formats f as encoding/json does: shortest round-trip
// digits, exponent form only for very small or very large magnitudes.
func appendNumber(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("GeoJSON: coordinate %v is not a finite number", f)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Shorten e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// UnmarshalGeoJSON reads the GeoJSON scalar from a GraphQL request. gqlgen
// hands over variables as decoded JSON (map[string]any with json.Number
// values) and inline literals as map[string]any with int64 and float64;
// clients that send the geometry as a JSON string, as some tools do for
// custom scalars, are served too. A Feature yields its geometry.
//
// Only the GeoJSON structure is checked here; the caller runs Validate with
// the options that fit the field.
func UnmarshalGeoJSON(v any) (orb.Geometry, error) {
	switch v := v.(type) {
	case map[string]any:
		g, err := parseObject(v, 0, true)
		if err != nil {
			return nil, fmt.Errorf("GeoJSON: %w", err)
		}
		return g, nil
	case string:
		return ParseGeoJSON([]byte(v))
	case []byte:
		return ParseGeoJSON(v)
	case json.RawMessage:
		return ParseGeoJSON(v)
	}
	return nil, fmt.Errorf("GeoJSON: want a geometry object, got %s", describe(v))
}

// ParseGeoJSON parses data holding one GeoJSON geometry object, or one
// Feature whose geometry it returns. Positions may carry an altitude,
// which is dropped. Errors start with "GeoJSON:" and say what is wrong and
// where, in words a client can act on. The geometry is not validated; see
// Validate.
func ParseGeoJSON(data []byte) (orb.Geometry, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("GeoJSON: input is empty")
		}
		return nil, fmt.Errorf("GeoJSON: not valid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("GeoJSON: unexpected data after the geometry object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("GeoJSON: want a geometry object, got %s", describe(v))
	}
	g, err := parseObject(m, 0, true)
	if err != nil {
		return nil, fmt.Errorf("GeoJSON: %w", err)
	}
	return g, nil
}

// geometryTypes are the RFC 7946 geometry type names, in the order error
// messages list them.
var geometryTypes = []string{
	"Point", "MultiPoint", "LineString", "MultiLineString",
	"Polygon", "MultiPolygon", "GeometryCollection",
}

func parseObject(m map[string]any, depth int, featureOK bool) (orb.Geometry, error) {
	t, err := objectType(m)
	if err != nil {
		return nil, err
	}
	if err := checkCRS(m); err != nil {
		return nil, err
	}
	switch t {
	case "Feature":
		if !featureOK {
			return nil, errors.New("a Feature is not a geometry; put its geometry here")
		}
		gv := m["geometry"]
		if gv == nil {
			return nil, errors.New("the Feature has no geometry")
		}
		gm, ok := gv.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("the Feature's geometry must be an object, got %s", describe(gv))
		}
		g, err := parseObject(gm, depth, false)
		if err != nil {
			return nil, fmt.Errorf("in the Feature's geometry: %w", err)
		}
		return g, nil
	case "FeatureCollection":
		return nil, errors.New("a FeatureCollection is not a geometry; send one geometry or one Feature")
	case "GeometryCollection":
		return parseCollection(m, depth)
	}
	shape, ok := shapes[t]
	if !ok {
		msg := fmt.Sprintf("unknown type %q", t)
		if s := suggest(t); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else {
			msg += "; want one of " + strings.Join(geometryTypes, ", ")
		}
		return nil, errors.New(msg)
	}
	cv, ok := m["coordinates"]
	if !ok || cv == nil {
		return nil, fmt.Errorf("the %s has no coordinates", t)
	}
	g, serr := shape.parse(cv)
	if serr != nil {
		subject := "the value"
		if len(serr.where) > 0 {
			slices.Reverse(serr.where)
			subject = strings.Join(serr.where, ", ")
		}
		return nil, fmt.Errorf("coordinates of a %s must be %s; %s %s", t, shape.want, subject, serr.what)
	}
	return g, nil
}

func objectType(m map[string]any) (string, error) {
	tv, ok := m["type"]
	if !ok {
		return "", errors.New(`object has no "type" member`)
	}
	t, ok := tv.(string)
	if !ok {
		return "", fmt.Errorf(`"type" must be a string, got %s`, describe(tv))
	}
	return t, nil
}

// checkCRS refuses a legacy "crs" member naming anything but WGS 84
// longitude/latitude: the coordinates would be read in the wrong system
// without a word. RFC 7946 dropped the member; old files still carry it.
func checkCRS(m map[string]any) error {
	cv, ok := m["crs"]
	if !ok || cv == nil {
		return nil
	}
	if c, ok := cv.(map[string]any); ok {
		if props, ok := c["properties"].(map[string]any); ok && c["type"] == "name" {
			if name, ok := props["name"].(string); ok && wgs84Names[name] {
				return nil
			}
		}
	}
	return errors.New(`only WGS 84 longitude/latitude coordinates are accepted; remove the "crs" member and send RFC 7946 GeoJSON`)
}

var wgs84Names = map[string]bool{
	"urn:ogc:def:crs:OGC:1.3:CRS84": true,
	"urn:ogc:def:crs:OGC::CRS84":    true,
	"urn:ogc:def:crs:EPSG::4326":    true,
	"EPSG:4326":                     true,
}

func parseCollection(m map[string]any, depth int) (orb.Geometry, error) {
	if depth >= maxCollectionDepth {
		return nil, fmt.Errorf("GeometryCollections nest more than %d deep", maxCollectionDepth)
	}
	gv, ok := m["geometries"]
	if !ok || gv == nil {
		return nil, errors.New(`the GeometryCollection has no "geometries" member`)
	}
	arr, ok := gv.([]any)
	if !ok {
		return nil, fmt.Errorf(`"geometries" must be an array of geometry objects, got %s`, describe(gv))
	}
	c := make(orb.Collection, len(arr))
	for i, e := range arr {
		em, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("geometry %d of the GeometryCollection must be an object, got %s", i, describe(e))
		}
		g, err := parseObject(em, depth+1, false)
		if err != nil {
			return nil, fmt.Errorf("geometry %d of the GeometryCollection: %w", i, err)
		}
		c[i] = g
	}
	return c, nil
}

// shapeError tells where in the coordinates nesting went wrong. where is
// built innermost first as the recursion unwinds.
type shapeError struct {
	where []string
	what  string // a predicate: "is a string", "has 1 number"
}

type shape struct {
	want  string
	parse func(any) (orb.Geometry, *shapeError)
}

const positionWant = "[longitude, latitude]"

var shapes = map[string]shape{
	"Point": {
		"a position " + positionWant,
		func(v any) (orb.Geometry, *shapeError) {
			p, err := parsePosition(v)
			return p, err
		},
	},
	"MultiPoint": {
		"an array of positions " + positionWant,
		func(v any) (orb.Geometry, *shapeError) {
			ps, err := parseArray(v, "position", parsePosition)
			return orb.MultiPoint(ps), err
		},
	},
	"LineString": {
		"an array of positions " + positionWant,
		func(v any) (orb.Geometry, *shapeError) {
			ps, err := parseArray(v, "position", parsePosition)
			return orb.LineString(ps), err
		},
	},
	"MultiLineString": {
		"an array of lines, each an array of positions " + positionWant,
		func(v any) (orb.Geometry, *shapeError) {
			ls, err := parseArray(v, "line", parseLine)
			return orb.MultiLineString(ls), err
		},
	},
	"Polygon": {
		"an array of linear rings, each an array of positions " + positionWant,
		func(v any) (orb.Geometry, *shapeError) {
			p, err := parsePolygon(v)
			return p, err
		},
	},
	"MultiPolygon": {
		"an array of polygons, each an array of linear rings of positions " + positionWant,
		func(v any) (orb.Geometry, *shapeError) {
			ps, err := parseArray(v, "polygon", parsePolygon)
			return orb.MultiPolygon(ps), err
		},
	},
}

func parseLine(v any) (orb.LineString, *shapeError) {
	ps, err := parseArray(v, "position", parsePosition)
	return orb.LineString(ps), err
}

func parseRing(v any) (orb.Ring, *shapeError) {
	ps, err := parseArray(v, "position", parsePosition)
	return orb.Ring(ps), err
}

func parsePolygon(v any) (orb.Polygon, *shapeError) {
	rs, err := parseArray(v, "ring", parseRing)
	return orb.Polygon(rs), err
}

func parseArray[T any](v any, label string, elem func(any) (T, *shapeError)) ([]T, *shapeError) {
	arr, ok := v.([]any)
	if !ok {
		return nil, &shapeError{what: "is " + describe(v)}
	}
	out := make([]T, len(arr))
	for i, e := range arr {
		t, err := elem(e)
		if err != nil {
			err.where = append(err.where, label+" "+strconv.Itoa(i))
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// parsePosition accepts [lon, lat] and [lon, lat, altitude]; RFC 7946
// advises against longer positions and orb has no place for them.
func parsePosition(v any) (orb.Point, *shapeError) {
	arr, ok := v.([]any)
	if !ok {
		return orb.Point{}, &shapeError{what: "is " + describe(v)}
	}
	if len(arr) < 2 || len(arr) > 3 {
		return orb.Point{}, &shapeError{what: fmt.Sprintf("has %d element(s); a position has 2, or 3 with altitude", len(arr))}
	}
	var p orb.Point
	for i, e := range arr {
		f, what, why := number(e)
		if why != "" {
			return orb.Point{}, &shapeError{what: fmt.Sprintf("has %s at index %d, %s", what, i, why)}
		}
		if i < 2 {
			p[i] = f
		}
	}
	return p, nil
}

// number converts the number types gqlgen and encoding/json produce.
// When v is no usable number it says what v is and why it will not do.
func number(v any) (f float64, what, why string) {
	switch n := v.(type) {
	case json.Number:
		x, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return 0, "the number " + string(n), "which is out of range"
			}
			return 0, strconv.Quote(string(n)), "which is not a number"
		}
		f = x
	case float64:
		f = n
	case float32:
		f = float64(n)
	case int:
		f = float64(n)
	case int32:
		f = float64(n)
	case int64:
		f = float64(n)
	case uint64:
		f = float64(n)
	default:
		return 0, describe(v), "not a number"
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Sprint(f), "which is not a finite number"
	}
	return f, "", ""
}

// describe names the JSON kind of a decoded value for error messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		if len(v) > 20 {
			v = v[:20] + "…"
		}
		return fmt.Sprintf("the string %q", v)
	case json.Number, float64, float32, int, int32, int64, uint64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a value of Go type %T", v)
}

// suggest returns the geometry type name closest to a misspelt one, or ""
// if none is close: "polygon" and "Polgon" both mean "Polygon".
func suggest(t string) string {
	best, bestDist := "", 3
	for _, name := range append([]string{"Feature"}, geometryTypes...) {
		if strings.EqualFold(t, name) {
			return name
		}
		if d := editDistance(strings.ToLower(t), strings.ToLower(name)); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in bytes;
// inputs longer than any type name are not worth comparing.
func editDistance(a, b string) int {
	if len(a) > 40 {
		return len(a)
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
