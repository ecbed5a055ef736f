package geo

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// DefaultMaxVertices is the vertex cap Validate applies when
// Options.MaxVertices is zero: far above the outline of any district or
// priority area, and low enough that one request cannot make the server
// sweep millions of segments.
const DefaultMaxVertices = 100_000

// Options tunes Validate for one kind of input.
type Options struct {
	// MaxVertices caps the number of positions in the whole geometry.
	// Zero means DefaultMaxVertices; a negative value means no cap, for
	// trusted bulk imports.
	MaxVertices int
	// Allowed lists the GeoJSON type names accepted ("Polygon",
	// "MultiPolygon", …); nil accepts every type. Members of a
	// GeometryCollection must be allowed too. orb.Ring and orb.Bound count
	// as "Polygon", as they are written as one.
	Allowed []string
}

// ValidationError says which part of a geometry is wrong and why. Its
// message is meant for the person who sent the geometry, so it names the
// part the way they would find it in their GeoJSON.
type ValidationError struct {
	// Reason completes a sentence whose subject is Path, starting with a
	// verb: "is not closed: …", "intersects itself near …".
	Reason string
	// Path names the offending part, e.g. "polygon 1, ring 0" or
	// "position 5 of ring 0"; empty for the geometry as a whole. Polygons,
	// rings, lines, points and positions count from 0 as in the GeoJSON
	// arrays.
	Path string
}

// Error joins Path and Reason into one sentence.
func (e *ValidationError) Error() string {
	subject := e.Path
	if subject == "" {
		subject = "geometry"
	}
	return "geo: " + subject + " " + e.Reason
}

func invalid(path, format string, args ...any) *ValidationError {
	return &ValidationError{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks a geometry that came from outside (a client or a file)
// before it is stored or used in a query: present and non-empty, of an
// allowed type, within the vertex cap, with finite coordinates in WGS 84
// range; for areas, closed and simple rings, holes inside their shell and
// not inside each other, MultiPolygon parts that do not overlap, and an
// interior in one piece. Rings may touch one another at single points, as
// OGC Simple Features allow, but not pass through each other there or
// touch in a loop that cuts the interior apart. Repeated consecutive
// positions are tolerated. It returns nil or a *ValidationError.
//
// Topology is decided in exact arithmetic, as GEOS decides it for
// PostGIS's ST_IsValid; testdata/postgis holds thousands of awkward shapes
// on which the two agree, so what one backend accepts the other can store.
// Self-intersection is found by a sweep that is O(n log n) for real
// boundaries; a shape built so that the boxes of most edges overlap is
// refused as too intricate instead of being checked for minutes.
func Validate(g orb.Geometry, opt Options) error {
	if g == nil {
		return invalid("", "is missing")
	}
	if err := checkAllowed(g, "", opt.Allowed); err != nil {
		return err
	}
	limit := opt.MaxVertices
	if limit == 0 {
		limit = DefaultMaxVertices
	}
	if n := CountVertices(g); limit > 0 && n > limit {
		return invalid("", "has %d vertices; the limit is %d", n, limit)
	}
	if isEmpty(g) {
		return invalid("", "is an empty %s", g.GeoJSONType())
	}
	return validate(g, "")
}

func checkAllowed(g orb.Geometry, path string, allowed []string) error {
	if allowed == nil || g == nil {
		return nil
	}
	t := g.GeoJSONType()
	if !slices.Contains(allowed, t) {
		return invalid(path, "is a %s; allowed here: %s", t, strings.Join(allowed, ", "))
	}
	if c, ok := g.(orb.Collection); ok {
		for i, m := range c {
			if err := checkAllowed(m, join(path, "geometry "+strconv.Itoa(i)), allowed); err != nil {
				return err
			}
		}
	}
	return nil
}

// CountVertices counts the positions of g, closing positions of rings
// included, as the vertex cap of Validate counts them.
func CountVertices(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.MultiLineString:
		n := 0
		for _, l := range g {
			n += len(l)
		}
		return n
	case orb.Ring:
		return len(g)
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += CountVertices(p)
		}
		return n
	case orb.Bound:
		return 5
	case orb.Collection:
		n := 0
		for _, m := range g {
			n += CountVertices(m)
		}
		return n
	}
	return 0
}

func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case orb.MultiPoint:
		return len(g) == 0
	case orb.LineString:
		return len(g) == 0
	case orb.MultiLineString:
		return len(g) == 0
	case orb.Ring:
		return len(g) == 0
	case orb.Polygon:
		return len(g) == 0
	case orb.MultiPolygon:
		return len(g) == 0
	case orb.Collection:
		return len(g) == 0
	}
	return false
}

func validate(g orb.Geometry, path string) error {
	switch g := g.(type) {
	case nil:
		return invalid(path, "is missing")
	case orb.Point:
		return checkPosition(g, path)
	case orb.MultiPoint:
		if len(g) == 0 {
			return invalid(path, "is an empty MultiPoint")
		}
		for i, p := range g {
			if !inRange(p) {
				return checkPosition(p, join(path, "point "+strconv.Itoa(i)))
			}
		}
		return nil
	case orb.LineString:
		return checkLine(g, path)
	case orb.MultiLineString:
		if len(g) == 0 {
			return invalid(path, "is an empty MultiLineString")
		}
		for i, l := range g {
			if err := checkLine(l, join(path, "line "+strconv.Itoa(i))); err != nil {
				return err
			}
		}
		return nil
	case orb.Ring:
		return checkPolygons([]orb.Polygon{{g}}, path, false)
	case orb.Polygon:
		return checkPolygons([]orb.Polygon{g}, path, false)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return invalid(path, "is an empty MultiPolygon")
		}
		return checkPolygons(g, path, true)
	case orb.Bound:
		if err := checkPosition(g.Min, join(path, "lower corner")); err != nil {
			return err
		}
		if err := checkPosition(g.Max, join(path, "upper corner")); err != nil {
			return err
		}
		if g.Min[0] >= g.Max[0] || g.Min[1] >= g.Max[1] {
			return invalid(path, "is a box with no area: lower corner %s, upper corner %s",
				fmtPoint(g.Min), fmtPoint(g.Max))
		}
		return nil
	case orb.Collection:
		if len(g) == 0 {
			return invalid(path, "is an empty GeometryCollection")
		}
		for i, m := range g {
			if err := validate(m, join(path, "geometry "+strconv.Itoa(i))); err != nil {
				return err
			}
		}
		return nil
	}
	return invalid(path, "has unsupported type %T", g)
}

func checkPosition(p orb.Point, path string) error {
	if err := checkCoord("longitude", p[0], 180, path); err != nil {
		return err
	}
	return checkCoord("latitude", p[1], 90, path)
}

func checkCoord(name string, v, limit float64, path string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return invalid(path, "has a %s that is not a finite number (%v)", name, v)
	}
	if v < -limit || v > limit {
		return invalid(path, "has %s %s, which is out of range [%g, %g]", name, fmtNum(v), -limit, limit)
	}
	return nil
}

func checkLine(l orb.LineString, path string) error {
	for i, p := range l {
		if !inRange(p) {
			return checkPosition(p, positionPath(i, path))
		}
	}
	if len(l) < 2 {
		return invalid(path, "has %s; a line needs at least 2", plural(len(l), "position"))
	}
	for _, p := range l[1:] {
		if p != l[0] {
			return nil
		}
	}
	return invalid(path, "has no length: all its positions are %s", fmtPoint(l[0]))
}
