package postgis

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/areagraph/areagraph/db"
)

// encode is the WKB of g for ST_GeomFromWKB; nil stays nil, which is SQL
// NULL.
func encode(g orb.Geometry) ([]byte, error) {
	if g == nil {
		return nil, nil
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, db.Errorf(db.EINVALID, "unsupported geometry %s", g.GeoJSONType())
	}
	return b, nil
}

// decode reads the WKB that ST_AsBinary returns.
func decode(b []byte) (orb.Geometry, error) {
	if b == nil {
		return nil, nil
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("postgis: decode geometry: %w", err)
	}
	return g, nil
}

func decodePoint(b []byte) (*orb.Point, error) {
	g, err := decode(b)
	if g == nil || err != nil {
		return nil, err
	}
	p, ok := g.(orb.Point)
	if !ok {
		return nil, fmt.Errorf("postgis: expected a point, got %s", g.GeoJSONType())
	}
	return &p, nil
}

func decodePoints(b []byte) ([]orb.Point, error) {
	g, err := decode(b)
	if g == nil || err != nil {
		return nil, err
	}
	switch g := g.(type) {
	case orb.MultiPoint:
		return []orb.Point(g), nil
	case orb.Point:
		return []orb.Point{g}, nil
	}
	return nil, fmt.Errorf("postgis: expected a multipoint, got %s", g.GeoJSONType())
}

// checkNear rejects a Near filter that would make PostGIS fail: geography
// casts, and so every distance query, fail outside WGS 84's range.
func checkNear(n *db.Near) error {
	if err := db.ValidatePoint(n.Point); err != nil {
		return db.Errorf(db.EINVALID, "near: %v", err)
	}
	if math.IsNaN(n.RadiusMeters) {
		return db.Errorf(db.EINVALID, "near: radius must be a number")
	}
	return nil
}
