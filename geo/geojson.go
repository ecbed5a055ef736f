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

	"github.com/paulmach/orb"
)

// maxCollectionDepth bounds how deeply GeometryCollections may nest in
// input. Real data never nests; the bound keeps hostile input from
// recursing without end.
const maxCollectionDepth = 16

// DecodeGeoJSON reads one GeoJSON geometry object, or a Feature whose
// geometry it returns, from a value encoding/json decoded: a map[string]any
// whose numbers may be json.Number, float64 or int64 (decoders of JSON-like
// input build integers as int64). Anything but an object is refused, and
// errors read as ParseGeoJSON's.
//
// Only the GeoJSON structure is checked here; the caller runs Validate with
// the options that fit the input.
func DecodeGeoJSON(v any) (orb.Geometry, error) {
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
	return DecodeGeoJSON(v)
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

// number converts the number types JSON decoders produce (json.Number,
// float64, int64).
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
