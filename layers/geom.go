package layers

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/project"
)

// maxMercatorLat is where Web Mercator's square world ends; tiles cannot
// show anything nearer the poles.
const maxMercatorLat = 85.0511287798066

// tileBound returns the WGS 84 box of tile z/x/y widened by pad tile units
// on every side, cut to the world.
func tileBound(z, x, y int, pad float64) orb.Bound {
	n := float64(uint64(1) << z)
	f := pad / tileExtent
	return orb.Bound{
		Min: orb.Point{max(-180, lonAt((float64(x)-f)/n)), latAt((float64(y+1) + f) / n)},
		Max: orb.Point{min(180, lonAt((float64(x+1)+f)/n)), latAt((float64(y) - f) / n)},
	}
}

// lonAt and latAt turn a fraction of the Web Mercator world (0 at the west
// and north edges, 1 at the east and south) into degrees.
func lonAt(u float64) float64 { return u*360 - 180 }
func latAt(v float64) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*v))) * 180 / math.Pi }

// tileProjection maps WGS 84 to the coordinates of one tile: 0–tileExtent
// from its north-west corner, y growing southwards.
type tileProjection struct {
	n, x, y float64
}

func newTileProjection(z, x, y int) tileProjection {
	return tileProjection{n: float64(uint64(1) << z), x: float64(x), y: float64(y)}
}

func (t tileProjection) point(p orb.Point) orb.Point {
	lat := max(-maxMercatorLat, min(maxMercatorLat, p[1]))
	s := math.Sin(lat * math.Pi / 180)
	u := (p[0] + 180) / 360
	v := 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
	return orb.Point{
		math.Round((u*t.n - t.x) * tileExtent),
		math.Round((v*t.n - t.y) * tileExtent),
	}
}

// tileGeometry turns a WGS 84 geometry, an outline already simplified for
// the tile's zoom (outlineCache), into what one tile shows of it: cut to
// the tile and its buffer, projected onto the tile's integer grid and
// cleaned. nil means nothing is left.
//
// The whole outline is simplified before it is cut, once per zoom: that
// keeps a border the same line on both sides of a tile edge, where
// cutting first would have each tile simplify a different piece its own
// way. The tolerance follows the outline's own latitude for the same
// reason.
func tileGeometry(g orb.Geometry, bound orb.Bound, proj tileProjection) orb.Geometry {
	if g == nil || !bound.Intersects(g.Bound()) {
		return nil
	}
	// clip and project work in place, and the geometry is shared (the
	// store's answer, or the cache's outline).
	g = clip.Geometry(bound, orb.Clone(g))
	if g == nil {
		return nil
	}
	// A Ring or Bound is shown as the polygon it stands for; project works
	// in place, on what clip made.
	switch b := g.(type) {
	case orb.Ring:
		g = orb.Polygon{b}
	case orb.Bound:
		g = b.ToPolygon()
	}
	return windForTile(cleanGeometry(project.Geometry(g, proj.point)))
}

// cleanGeometry drops what rounding to the tile grid made degenerate:
// repeated consecutive positions, rings with fewer than three distinct
// corners or less area than one cell of the grid (a 256th of a pixel on a
// 256-pixel tile: what simplification leaves of a shape far smaller than
// the tile), polygons whose exterior went (holes go with it), lines
// shorter than two positions. nil means nothing is left. A multi-geometry
// left with one part becomes that part.
func cleanGeometry(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.MultiPoint:
		return fewestParts(g)
	case orb.LineString:
		l := dedupe(g)
		if len(l) < 2 {
			return nil
		}
		return orb.LineString(l)
	case orb.MultiLineString:
		var out orb.MultiLineString
		for _, l := range g {
			if l := dedupe(l); len(l) >= 2 {
				out = append(out, l)
			}
		}
		return fewestParts(out)
	case orb.Polygon:
		if p := cleanPolygon(g); p != nil {
			return p
		}
		return nil
	case orb.MultiPolygon:
		var out orb.MultiPolygon
		for _, p := range g {
			if p := cleanPolygon(p); p != nil {
				out = append(out, p)
			}
		}
		return fewestParts(out)
	}
	return nil
}

// fewestParts is what a multi-geometry cleanGeometry kept comes to: nil
// when no part is left, the part itself when one is.
func fewestParts[M interface {
	~[]E
	orb.Geometry
}, E orb.Geometry](parts M) orb.Geometry {
	switch len(parts) {
	case 0:
		return nil
	case 1:
		return parts[0]
	}
	return parts
}

func cleanPolygon(p orb.Polygon) orb.Polygon {
	var out orb.Polygon
	for i, r := range p {
		r = dedupe(r)
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(r, r[0])
		}
		// Under 1 is less than one cell of the grid; grid coordinates are
		// integers, so the area is exact.
		if len(r) < 4 || math.Abs(planar.Area(r)) < 1 {
			if i == 0 {
				return nil
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

func dedupe[S ~[]orb.Point](ps S) S {
	return slices.Compact(ps)
}

// windForTile orients rings as the vector tile format defines them:
// exterior rings have a positive signed area (planar.Area) in tile
// coordinates (clockwise on screen, where y grows downwards), holes a
// negative one.
// Readers tell a new polygon from a hole by that sign alone, so a ring
// wound the other way would punch a hole instead of drawing a shape.
func windForTile(g orb.Geometry) orb.Geometry {
	wind := func(p orb.Polygon) {
		for i, r := range p {
			if (i == 0) != (planar.Area(r) > 0) {
				slices.Reverse(r)
			}
		}
	}
	switch g := g.(type) {
	case orb.Polygon:
		wind(g)
	case orb.MultiPolygon:
		for _, p := range g {
			wind(p)
		}
	}
	return g
}
