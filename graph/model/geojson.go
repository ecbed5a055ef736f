package model

import (
	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// MarshalGeoJSON writes the GeoJSON scalar (see geo.MarshalGeoJSON).
func MarshalGeoJSON(g orb.Geometry) graphql.Marshaler { return geo.MarshalGeoJSON(g) }

// UnmarshalGeoJSON reads the GeoJSON scalar; what cannot be read is the
// client's mistake, so it is a BAD_USER_INPUT error that says why.
func UnmarshalGeoJSON(v any) (orb.Geometry, error) {
	g, err := geo.UnmarshalGeoJSON(v)
	if err != nil {
		return nil, db.Errorf(db.EINVALID, "%s", err.Error())
	}
	return g, nil
}
