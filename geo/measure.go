package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// GeodesicArea is the area of g in square metres on the WGS 84
// ellipsoid, with edges taken as geodesics: what PostGIS gives for
// ST_Area(g::geography) and GeographicLib's Planimeter for each ring, to
// about twelve significant digits. Holes subtract, the parts of a
// MultiPolygon and the members of a Collection add up; a Ring counts as a
// polygon's exterior, a Bound as the box; points and lines have no area.
//
// On the sphere of the mean radius an area comes out some 0.5 % smaller
// at Swedish latitudes (966.0 km² for Borås against 971.0 km² here), the
// ellipsoid being flatter there; GIS tools and PostGIS geography measure
// on the ellipsoid. The computation is in geodesic_area.go.
//
// An edge spans the shorter way round the globe, as for geography: one
// from 179.5° to -179.5° is 1° long and crosses the antimeridian. A ring
// may enclose a pole; of the two parts of the globe a ring divides it
// into, the smaller is its area.
func GeodesicArea(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Ring:
		return ringArea(g)
	case orb.Polygon:
		return polygonArea(g)
	case orb.MultiPolygon:
		var a float64
		for _, p := range g {
			a += polygonArea(p)
		}
		return a
	case orb.Bound:
		if g.Min[0] >= g.Max[0] || g.Min[1] >= g.Max[1] {
			return 0
		}
		return ringArea(g.ToRing())
	case orb.Collection:
		var a float64
		for _, m := range g {
			a += GeodesicArea(m)
		}
		return a
	}
	return 0
}

func polygonArea(p orb.Polygon) float64 {
	if len(p) == 0 {
		return 0
	}
	a := ringArea(p[0])
	for _, h := range p[1:] {
		a -= ringArea(h)
	}
	return a
}

// Centroid is the centre of mass of g in the plane of longitude and
// latitude, as PostGIS's ST_Centroid gives for geometry(…, 4326): of the
// areas when g has any, holes taken away; else of the lines, weighted by
// length; else the mean of the points. The parts of a MultiPolygon weigh
// by area, so the centroid of an area in several pieces, or of a C-shaped
// one, may lie outside it: LabelPoint gives a point inside. A nil or empty
// geometry has no centroid and gives NaN coordinates.
func Centroid(g orb.Geometry) orb.Point {
	var c centroidSum
	c.add(g)
	return c.result()
}

// centroidSum gathers the moments of areas, lines and points at once, as
// GEOS does, so that a geometry whose areas are all degenerate falls back
// to its lines and then to its points. Coordinates are taken relative to
// the first position seen, which keeps the cross products of nearby
// positions from cancelling away their digits.
type centroidSum struct {
	origin  orb.Point
	started bool
	area    float64 // twice the area
	ax, ay  float64 // area moments, times 6
	length  float64
	lx, ly  float64
	points  float64
	px, py  float64
}

func (c *centroidSum) rel(p orb.Point) (float64, float64) {
	if !c.started {
		c.origin, c.started = p, true
	}
	return p[0] - c.origin[0], p[1] - c.origin[1]
}

func (c *centroidSum) add(g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		c.addPoint(g)
	case orb.MultiPoint:
		for _, p := range g {
			c.addPoint(p)
		}
	case orb.LineString:
		c.addLine(g)
	case orb.MultiLineString:
		for _, l := range g {
			c.addLine(l)
		}
	case orb.Ring:
		c.addPolygon(orb.Polygon{g})
	case orb.Polygon:
		c.addPolygon(g)
	case orb.MultiPolygon:
		for _, p := range g {
			c.addPolygon(p)
		}
	case orb.Bound:
		c.addPolygon(g.ToPolygon())
	case orb.Collection:
		for _, m := range g {
			c.add(m)
		}
	}
}

func (c *centroidSum) addPoint(p orb.Point) {
	x, y := c.rel(p)
	c.points++
	c.px += x
	c.py += y
}

func (c *centroidSum) addLine(l []orb.Point) {
	for i, p := range l {
		c.addPoint(p)
		if i == 0 {
			continue
		}
		x0, y0 := c.rel(l[i-1])
		x1, y1 := c.rel(p)
		d := math.Hypot(x1-x0, y1-y0)
		c.length += d
		c.lx += d * (x0 + x1) / 2
		c.ly += d * (y0 + y1) / 2
	}
}

// addPolygon adds the shell with positive and the holes with negative
// area, whichever way each is wound.
func (c *centroidSum) addPolygon(p orb.Polygon) {
	for i, r := range p {
		c.addLine(r)
		var a2, mx, my float64
		for j := 0; j+1 < len(r); j++ {
			x0, y0 := c.rel(r[j])
			x1, y1 := c.rel(r[j+1])
			cr := x0*y1 - x1*y0
			a2 += cr
			mx += (x0 + x1) * cr
			my += (y0 + y1) * cr
		}
		if (a2 < 0) == (i == 0) {
			a2, mx, my = -a2, -mx, -my
		}
		c.area += a2
		c.ax += mx
		c.ay += my
	}
}

func (c *centroidSum) result() orb.Point {
	var x, y float64
	switch {
	case c.area != 0:
		x, y = c.ax/(3*c.area), c.ay/(3*c.area)
	case c.length > 0:
		x, y = c.lx/c.length, c.ly/c.length
	case c.points > 0:
		x, y = c.px/c.points, c.py/c.points
	default:
		return orb.Point{math.NaN(), math.NaN()}
	}
	return orb.Point{c.origin[0] + x, c.origin[1] + y}
}
