package model

import (
	"encoding/json"
	"io"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// MarshalGeoJSON writes the GeoJSON scalar: g as an RFC 7946 geometry
// object (see geo.WriteGeoJSON), rings wound the RFC 7946 way whatever the
// stored order. nil, or a geometry that cannot be written (a coordinate
// that is not a finite number), gives JSON null; on a non-null field gqlgen
// then reports the null as an error instead of sending half an object.
// Validate rejects such coordinates at the door, so that last case means
// stored data went bad.
//
// The text goes straight into the writer gqlgen hands over. The geometry
// must not change until the response is written.
func MarshalGeoJSON(g orb.Geometry) graphql.Marshaler {
	if e, ok := g.(*encoded); ok {
		return e
	}
	// Checking up front lets a failure become a clean null.
	if !geo.CanWriteGeoJSON(g) {
		return graphql.Null
	}
	return &geoJSONMarshaler{g}
}

// geoJSONMarshaler writes a geometry geo.CanWriteGeoJSON accepted. It is
// used by pointer, which gqlgen can compare with graphql.Null whatever it
// holds.
type geoJSONMarshaler struct{ g orb.Geometry }

// MarshalGQL implements graphql.Marshaler. gqlgen's writers do not fail,
// and the geometry was checked, so there is no error to act on.
func (m *geoJSONMarshaler) MarshalGQL(w io.Writer) { _ = geo.WriteGeoJSON(w, m.g) }

// Encoded is a geometry whose GeoJSON text is already written: text, what
// MarshalGeoJSON would write for the geometry the field resolves to (an
// outline rounded to a precision, kept by db/outline's Texts). Writing it
// is a copy. g is the geometry text was written from, before rounding;
// it answers the geometry's methods (Bound, GeoJSONType, Dimensions) for
// any caller that asks, and is not written; it is nil for an area read
// without its outline, whose text alone is written. text is shared and must not
// change.
func Encoded(g orb.Geometry, text []byte) orb.Geometry { return &encoded{g, text} }

// encoded is an Encoded geometry. Embedding orb.Geometry, whose method
// set includes an unexported method, is what lets a type outside orb be
// one; it is its own marshaler.
type encoded struct {
	orb.Geometry
	text []byte
}

// MarshalGQL implements graphql.Marshaler; gqlgen's writers do not fail.
func (e *encoded) MarshalGQL(w io.Writer) { _, _ = w.Write(e.text) }

// UnmarshalGeoJSON reads the GeoJSON scalar from a request. gqlgen hands
// over variables as decoded JSON (map[string]any with json.Number values)
// and inline literals as map[string]any with int64 and float64; clients
// that send the geometry as a JSON string, as some tools do for custom
// scalars, are served too. A Feature yields its geometry.
//
// Only the GeoJSON structure is checked here; the resolver runs
// geo.Validate with the options that fit the field. What cannot be read is
// the client's mistake, so it is a BAD_USER_INPUT error that says why.
func UnmarshalGeoJSON(v any) (orb.Geometry, error) {
	var g orb.Geometry
	var err error
	switch v := v.(type) {
	case string:
		g, err = geo.ParseGeoJSON([]byte(v))
	case []byte:
		g, err = geo.ParseGeoJSON(v)
	case json.RawMessage:
		g, err = geo.ParseGeoJSON(v)
	default:
		g, err = geo.DecodeGeoJSON(v)
	}
	if err != nil {
		return nil, db.Errorf(db.EINVALID, "%s", err.Error())
	}
	return g, nil
}
