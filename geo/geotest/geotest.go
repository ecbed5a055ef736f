// Package geotest holds the edge-case geometries that every piece of
// geometry handling in areagraph is tested against: the validator, the
// GeoJSON scalar, the predicates, and both storage backends through the
// conformance suite. One shared list means a newly found awkward shape is
// added once and checked everywhere.
package geotest

import (
	"math"

	"github.com/paulmach/orb"
)

// Case is one geometry with the verdict geo.Validate must reach on it.
// Where a case is a question of topology, the verdict is also PostGIS
// 3.3's ST_IsValid; empty geometries and out-of-range coordinates, which
// ST_IsValid accepts, are refused as input here.
type Case struct {
	// Name says what is awkward about the geometry, for subtest names.
	Name string
	// Geometry is the shape itself; nil for the missing geometry.
	Geometry orb.Geometry
	// Valid is whether geo.Validate with default options accepts it.
	Valid bool
	// Reason is a fragment of the error message expected when invalid.
	Reason string
}

// square returns a closed counter-clockwise square ring.
func square(x, y, size float64) orb.Ring {
	return orb.Ring{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}
}

// reversed returns a reversed copy of r.
func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// EdgeCases returns fresh copies of the shared cases, so a test may modify
// what it gets. The coordinates sit around Borås (12.9° E, 57.7° N) where
// the place does not matter.
func EdgeCases() []Case {
	nan := math.NaN()
	return []Case{
		// Missing and empty.
		{Name: "nil", Geometry: nil, Reason: "is missing"},
		{Name: "empty polygon", Geometry: orb.Polygon{}, Reason: "is an empty Polygon"},
		{Name: "nil polygon", Geometry: orb.Polygon(nil), Reason: "is an empty Polygon"},
		{Name: "empty multipolygon", Geometry: orb.MultiPolygon{}, Reason: "is an empty MultiPolygon"},
		{Name: "empty linestring", Geometry: orb.LineString{}, Reason: "is an empty LineString"},
		{Name: "empty multipoint", Geometry: orb.MultiPoint{}, Reason: "is an empty MultiPoint"},
		{Name: "empty collection", Geometry: orb.Collection{}, Reason: "is an empty GeometryCollection"},
		{Name: "polygon with empty ring", Geometry: orb.Polygon{{}}, Reason: "ring 0 has 0 positions"},
		{Name: "multipolygon with empty polygon", Geometry: orb.MultiPolygon{{square(12.9, 57.7, 0.01)}, {}}, Reason: "polygon 1 is empty"},

		// Degenerate rings.
		{Name: "ring with 3 positions", Geometry: orb.Polygon{{{12.9, 57.7}, {12.91, 57.7}, {12.9, 57.7}}}, Reason: "has 3 positions; a closed ring needs at least 4"},
		{Name: "ring of one repeated point", Geometry: orb.Polygon{{{12.9, 57.7}, {12.9, 57.7}, {12.9, 57.7}, {12.9, 57.7}}}, Reason: "has only 1 distinct corner;"},
		{Name: "ring with two distinct corners", Geometry: orb.Polygon{{{12.9, 57.7}, {12.91, 57.7}, {12.91, 57.7}, {12.9, 57.7}}}, Reason: "has only 2 distinct corners;"},
		{Name: "collinear ring", Geometry: orb.Polygon{{{12.9, 57.7}, {12.91, 57.7}, {12.92, 57.7}, {12.9, 57.7}}}, Reason: "doubles back on itself"},
		{Name: "unclosed ring", Geometry: orb.Polygon{{{12.9, 57.7}, {12.91, 57.7}, {12.91, 57.71}, {13, 57.8}}}, Reason: "is not closed: first position [12.9, 57.7] differs from last [13, 57.8]"},

		// Self-intersection.
		{Name: "bow-tie", Geometry: orb.Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}, Reason: "ring 0 intersects itself near [0.5, 0.5] (segments 0 and 2)"},
		{Name: "spike", Geometry: orb.Polygon{{{0, 0}, {2, 0}, {2, 2}, {2, 3}, {2, 2}, {0, 2}, {0, 0}}}, Reason: "ring 0 doubles back on itself near [2, 2] (segments 2 and 3)"},
		{Name: "ring touching itself at a vertex", Geometry: orb.Polygon{{{0, 0}, {2, 0}, {1, 1}, {2, 2}, {0, 2}, {1, 1}, {0, 0}}}, Reason: "ring 0 intersects itself near [1, 1]"},
		{Name: "ring touching itself on an edge", Geometry: orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {2, 0}, {0, 4}, {0, 0}}}, Reason: "ring 0 intersects itself near [2, 0]"},

		// Holes.
		{Name: "hole outside shell", Geometry: orb.Polygon{square(0, 0, 1), reversed(square(2, 2, 1))}, Reason: "ring 1 lies outside its shell"},
		{Name: "hole crossing shell", Geometry: orb.Polygon{square(0, 0, 2), reversed(square(1, 1, 2))}, Reason: "ring 0 crosses ring 1"},
		{Name: "hole sharing an edge with shell", Geometry: orb.Polygon{square(0, 0, 2), reversed(square(0, 0, 1))}, Reason: "ring 0 shares an edge with ring 1"},
		{Name: "nested holes", Geometry: orb.Polygon{square(0, 0, 10), reversed(square(1, 1, 8)), reversed(square(2, 2, 2))}, Reason: "ring 2 lies inside ring 1"},
		{Name: "hole leaving its shell through edge points", Geometry: orb.Polygon{{{0, 0}, {4, 4}, {0, 7}, {0, 0}}, {{1, 1}, {1, 2}, {3, 3}, {10, 0}, {1, 1}}}, Reason: "ring 0 crosses ring 1 near [1, 1]"},
		{Name: "hole touching shell at two points", Geometry: orb.Polygon{square(0, 0, 4), {{0, 2}, {2, 4}, {2, 1}, {0, 2}}}, Reason: "ring 1 touches ring 0 near [2, 4], closing a loop of touching rings"},
		{Name: "hole touching shell at one edge point", Geometry: orb.Polygon{square(0, 0, 4), {{0, 2}, {2, 3}, {2, 1}, {0, 2}}}, Valid: true},
		{Name: "hole touching shell at a vertex", Geometry: orb.Polygon{square(0, 0, 4), {{0, 0}, {1, 2}, {2, 1}, {0, 0}}}, Valid: true},
		{Name: "polygon with hole", Geometry: orb.Polygon{square(12.9, 57.7, 0.1), reversed(square(12.92, 57.72, 0.02))}, Valid: true},

		// MultiPolygon parts.
		{Name: "two disjoint parts", Geometry: orb.MultiPolygon{{square(0, 0, 1)}, {square(2, 0, 1)}}, Valid: true},
		{Name: "parts touching at a corner", Geometry: orb.MultiPolygon{{square(0, 0, 1)}, {square(1, 1, 1)}}, Valid: true},
		{Name: "parts sharing an edge", Geometry: orb.MultiPolygon{{square(0, 0, 1)}, {square(1, 0, 1)}}, Reason: "polygon 0 shares an edge with polygon 1"},
		{Name: "part inside another", Geometry: orb.MultiPolygon{{square(0, 0, 4)}, {square(1, 1, 1)}}, Reason: "polygon 1 lies inside polygon 0"},
		{Name: "part entering another at an edge point", Geometry: orb.MultiPolygon{{square(0, 0, 4)}, {{{4, 2}, {3, 3}, {6, 3}, {4, 2}}}}, Reason: "polygon 0 crosses polygon 1 near [4, 2]"},
		{Name: "part touching another at an edge point", Geometry: orb.MultiPolygon{{square(0, 0, 4)}, {{{4, 2}, {5, 1}, {6, 3}, {4, 2}}}}, Valid: true},
		{Name: "island in a lake", Geometry: orb.MultiPolygon{{square(0, 0, 4), reversed(square(1, 1, 2))}, {square(1.5, 1.5, 1)}}, Valid: true},

		// Coordinates.
		{Name: "latitude out of range", Geometry: orb.Polygon{{{12.9, 57.7}, {12.91, 57.7}, {12.91, 95}, {12.9, 57.7}}}, Reason: "position 2 of ring 0 has latitude 95, which is out of range [-90, 90]"},
		{Name: "longitude out of range", Geometry: orb.Point{180.000001, 0}, Reason: "has longitude 180.000001, which is out of range [-180, 180]"},
		{Name: "latitude below range", Geometry: orb.LineString{{0, 0}, {0, -90.5}}, Reason: "position 1 has latitude -90.5"},
		{Name: "NaN longitude", Geometry: orb.Point{nan, 57.7}, Reason: "has a longitude that is not a finite number (NaN)"},
		{Name: "infinite latitude in ring", Geometry: orb.Polygon{{{12.9, 57.7}, {12.91, math.Inf(1)}, {12.91, 57.71}, {12.9, 57.7}}}, Reason: "position 1 of ring 0 has a latitude that is not a finite number (+Inf)"},
		{Name: "swapped lat/lon out of range", Geometry: orb.Point{57.7, 120}, Reason: "latitude 120"},
		{Name: "corners of the world", Geometry: orb.MultiPoint{{-180, -90}, {180, 90}, {-180, 90}, {180, -90}}, Valid: true},

		// Near the antimeridian: valid in the plane, as PostGIS sees
		// geometry(…, 4326); a polygon "across" it spans the whole globe.
		{Name: "polygon touching the antimeridian", Geometry: orb.Polygon{{{179.5, 65}, {180, 65}, {180, 66}, {179.5, 66}, {179.5, 65}}}, Valid: true},
		{Name: "polygon spanning -179.5 to 179.5", Geometry: orb.Polygon{{{-179.5, 65}, {179.5, 65}, {179.5, 66}, {-179.5, 66}, {-179.5, 65}}}, Valid: true},
		{Name: "polygon past the antimeridian", Geometry: orb.Polygon{{{179.5, 65}, {180.5, 65}, {180.5, 66}, {179.5, 66}, {179.5, 65}}}, Reason: "longitude 180.5"},

		// Ordinary shapes that must pass.
		{Name: "square", Geometry: orb.Polygon{square(12.9, 57.7, 0.01)}, Valid: true},
		{Name: "clockwise shell", Geometry: orb.Polygon{reversed(square(12.9, 57.7, 0.01))}, Valid: true},
		{Name: "repeated consecutive positions", Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 1}, {0, 0}}}, Valid: true},
		{Name: "straight-through vertex", Geometry: orb.Polygon{{{0, 0}, {1, 0}, {2, 0}, {2, 1}, {0, 1}, {0, 0}}}, Valid: true},
		{Name: "point", Geometry: orb.Point{12.94, 57.72}, Valid: true},
		{Name: "linestring", Geometry: orb.LineString{{12.9, 57.7}, {12.95, 57.72}}, Valid: true},
		{Name: "self-crossing linestring", Geometry: orb.LineString{{0, 0}, {1, 1}, {1, 0}, {0, 1}}, Valid: true},
		{Name: "linestring of one point", Geometry: orb.LineString{{12.9, 57.7}}, Reason: "has 1 position; a line needs at least 2"},
		{Name: "linestring with no length", Geometry: orb.LineString{{12.9, 57.7}, {12.9, 57.7}}, Reason: "has no length"},
		{Name: "bound", Geometry: orb.Bound{Min: orb.Point{12.9, 57.7}, Max: orb.Point{13, 57.8}}, Valid: true},
		{Name: "bound with no area", Geometry: orb.Bound{Min: orb.Point{12.9, 57.7}, Max: orb.Point{12.9, 57.8}}, Reason: "is a box with no area"},
		{Name: "collection", Geometry: orb.Collection{orb.Point{12.9, 57.7}, orb.Polygon{square(12.9, 57.7, 0.01)}}, Valid: true},
		{Name: "collection with a bad member", Geometry: orb.Collection{orb.Point{12.9, 57.7}, orb.Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}}, Reason: "geometry 1, ring 0 intersects itself"},
		{Name: "collection with nil member", Geometry: orb.Collection{orb.Point{12.9, 57.7}, nil}, Reason: "geometry 1 is missing"},
	}
}
