package geo

import (
	"container/heap"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// GeodesicArea is the area of g in square metres on the sphere of radius
// EarthRadius, with edges taken as great-circle arcs: what PostGIS gives
// for ST_Area(g::geography, false). Holes subtract, the parts of a
// MultiPolygon and the members of a Collection add up; a Ring counts as a
// polygon's exterior, a Bound as the box; points and lines have no area.
//
// Each edge adds the spherical excess of the strip between it and the
// equator, 2·atan(tan(Δλ/2)·(tan(φ₁/2)+tan(φ₂/2)) / (1+tan(φ₁/2)·tan(φ₂/2))),
// which is exact for great-circle edges and keeps about twelve significant
// digits for a district-sized ring. PostGIS sums the angles of a fan of
// spherical triangles instead, which loses digits for small triangles: for
// Borås' outline the two differ by about 1e-7 of the area (100 m² in
// 966 km²), PostGIS being the less precise. The often-used formula of
// Chamberlain and Duquette (Turf's, among others) takes edges as straight
// lines in a cylindrical equal-area map rather than great circles and
// differs by 1e-5 at that size.
//
// An edge spans the shorter way round the globe, as for geography: one
// from 179.5° to -179.5° is 1° long and crosses the antimeridian. Rings
// must not enclose a pole.
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

// ringArea is the unsigned area of r on the sphere; an unclosed ring is
// taken as closed.
func ringArea(r orb.Ring) float64 {
	n := len(r)
	if n < 3 {
		return 0
	}
	var excess float64
	t1 := math.Tan(rad(r[0][1]) / 2)
	for i := range n {
		a, b := r[i], r[(i+1)%n]
		dlon := b[0] - a[0]
		switch {
		case dlon > 180:
			dlon -= 360
		case dlon < -180:
			dlon += 360
		}
		t2 := math.Tan(rad(b[1]) / 2)
		excess += 2 * math.Atan2(math.Tan(rad(dlon)/2)*(t1+t2), 1+t1*t2)
		t1 = t2
	}
	return math.Abs(excess) * EarthRadius * EarthRadius
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

// vec2 is a position in a local plane, in metres.
type vec2 [2]float64

// plane is an equirectangular projection centred on a polygon's box, in
// metres: a degree of latitude is metresPerDegree and a degree of
// longitude that times the cosine of the centre's latitude. Over a
// district it distorts distances by well under a percent, which a label's
// precision can bear.
type plane struct {
	lon0, lat0 float64
	kx, ky     float64
}

func planeFor(b orb.Bound) plane {
	lat := (b.Min[1] + b.Max[1]) / 2
	return plane{
		lon0: (b.Min[0] + b.Max[0]) / 2,
		lat0: lat,
		kx:   metresPerDegree * math.Cos(rad(lat)),
		ky:   metresPerDegree,
	}
}

func (pl plane) project(p orb.Point) vec2 {
	return vec2{(p[0] - pl.lon0) * pl.kx, (p[1] - pl.lat0) * pl.ky}
}

func (pl plane) unproject(v vec2) orb.Point {
	lon := pl.lon0
	if pl.kx != 0 {
		lon += v[0] / pl.kx
	}
	return orb.Point{lon, pl.lat0 + v[1]/pl.ky}
}

func (pl plane) projectAll(pts []orb.Point) []vec2 {
	out := make([]vec2, len(pts))
	for i, p := range pts {
		out[i] = pl.project(p)
	}
	return out
}

// segDist2 is the squared distance from p to the segment a–b.
func segDist2(p, a, b vec2) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	px, py := p[0]-a[0], p[1]-a[1]
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t := math.Max(0, math.Min(1, (px*dx+py*dy)/l2))
		px, py = px-t*dx, py-t*dy
	}
	return px*px + py*py
}

// labelPrecision is how close, in metres, LabelPoint comes to the point
// farthest from the boundary: 1e-5 degrees of latitude, finer than any map
// places a label. For large areas a ten-thousandth of their size does as
// well and spares the search: an area with a long ridge of equally deep
// points, such as a long rectangle, costs it a cell per precision step
// along the ridge.
const labelPrecision = 1e-5 * metresPerDegree

// labelWork bounds the search in edge distances computed, under a second,
// for polygons whose search would not settle otherwise; the best point
// found by then is still inside.
const labelWork = 50_000_000

// LabelPoint is a point of g to put its label at. For a Polygon it is the
// pole of inaccessibility, the point inside farthest from the boundary,
// found by Mapbox's polylabel search (a grid of cells refined through a
// priority queue) in a plane scaled to metres at the polygon's latitude,
// to within a metre or a ten-thousandth of the polygon's size, whichever
// is more. A polygon of more than 2000 vertices is searched in a copy
// simplified to a two-thousandth of its size. The point found is then
// checked against the polygon itself: it lies in the interior, strictly
// off the boundary, so Covers holds for it, even for C-shapes and rings
// around a hole, where Centroid falls outside. Only a polygon with no
// interior at all gets a position of its boundary.
//
// A MultiPolygon is labelled in its part of largest GeodesicArea, a Ring
// or Bound as a polygon. A LineString gets the point halfway along it
// (the longest line of a MultiLineString), a MultiPoint its member
// nearest to its centroid, a Collection the label of its areas, else of
// its lines, else of its points. A nil or empty geometry gives NaN
// coordinates.
func LabelPoint(g orb.Geometry) orb.Point {
	var ps parts
	ps.add(g)
	switch {
	case len(ps.polys) > 0:
		best, bestArea := ps.polys[0], -1.0
		for _, p := range ps.polys {
			if a := polygonArea(p); a > bestArea {
				best, bestArea = p, a
			}
		}
		return polygonLabel(best)
	case len(ps.lines) > 0:
		best, bestLen := ps.lines[0], -1.0
		for _, l := range ps.lines {
			if d := lineLength(l); d > bestLen {
				best, bestLen = l, d
			}
		}
		return halfway(best, bestLen)
	case len(ps.points) > 0:
		c := Centroid(orb.MultiPoint(ps.points))
		best, bestD := ps.points[0], math.Inf(1)
		for _, p := range ps.points {
			if d := math.Hypot(p[0]-c[0], p[1]-c[1]); d < bestD {
				best, bestD = p, d
			}
		}
		return best
	}
	return orb.Point{math.NaN(), math.NaN()}
}

func lineLength(l orb.LineString) float64 {
	var d float64
	for i := 1; i < len(l); i++ {
		d += Distance(l[i-1], l[i])
	}
	return d
}

func halfway(l orb.LineString, length float64) orb.Point {
	half := length / 2
	for i := 1; i < len(l); i++ {
		d := Distance(l[i-1], l[i])
		if d >= half && d > 0 {
			f := half / d
			a, b := l[i-1], l[i]
			return orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
		}
		half -= d
	}
	return l[len(l)-1]
}

// interior reports whether p lies inside poly and off its boundary both by
// exact arithmetic and by PostGIS's own point-in-polygon arithmetic, so
// that no backend and no later rounding can place it on an edge.
func interior(poly orb.Polygon, p orb.Point) bool {
	return finite(p) && locateInPolygon(poly, p) == inside && pipLocatePolygon(poly, p) == inside
}

// labelSearchVertices is the size above which the label search runs on
// a simplified copy of the polygon, to a two-thousandth of its size: every
// cell of the search measures its distance to every edge, and detail that
// fine does not move a label.
const labelSearchVertices = 2000

func polygonLabel(poly orb.Polygon) orb.Point {
	if len(poly[0]) == 0 {
		return orb.Point{math.NaN(), math.NaN()}
	}
	b := poly[0].Bound()
	pl := planeFor(b)
	size := math.Max((b.Max[0]-b.Min[0])*pl.kx, (b.Max[1]-b.Min[1])*pl.ky)
	precision := math.Max(labelPrecision, size*1e-4)
	c := Centroid(poly)
	search := func(poly orb.Polygon) (orb.Point, bool) {
		if !finite(c) {
			return orb.Point{}, false
		}
		rings := make([][]vec2, len(poly))
		for i, r := range poly {
			rings[i] = pl.projectAll(r)
		}
		p := pl.unproject(polylabel(rings, pl.project(c), precision))
		return p, true
	}
	if CountVertices(poly) > labelSearchVertices {
		if s, ok := Simplify(poly, size/2000).(orb.Polygon); ok {
			if p, ok := search(s); ok && interior(poly, p) {
				return p
			}
		}
	}
	if p, ok := search(poly); ok && interior(poly, p) {
		return p
	}
	if p, ok := scanlineLabel(poly); ok {
		return p
	}
	return poly[0][0]
}

// labelCell is a square of the polylabel search: its centre, half its
// side, the signed distance from the centre to the boundary (positive
// inside) and the most any point of the cell can have.
type labelCell struct {
	c      vec2
	h, d   float64
	bestIn float64
}

func newLabelCell(c vec2, h float64, rings [][]vec2) labelCell {
	d := signedDistance(c, rings)
	return labelCell{c: c, h: h, d: d, bestIn: d + h*math.Sqrt2}
}

type cellQueue []labelCell

func (q cellQueue) Len() int           { return len(q) }
func (q cellQueue) Less(i, j int) bool { return q[i].bestIn > q[j].bestIn }
func (q cellQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *cellQueue) Push(x any)        { *q = append(*q, x.(labelCell)) }
func (q *cellQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// polylabel searches the projected polygon for the point farthest inside
// from its boundary, after Mapbox's polylabel: cover the box with square
// cells, and split the cell that could hold the farthest point until no
// cell could beat the best point found by more than precision. guess (the
// centroid) seeds the search so that a convex area is settled at once.
func polylabel(rings [][]vec2, guess vec2, precision float64) vec2 {
	lo := vec2{math.Inf(1), math.Inf(1)}
	hi := vec2{math.Inf(-1), math.Inf(-1)}
	for _, p := range rings[0] {
		lo = vec2{math.Min(lo[0], p[0]), math.Min(lo[1], p[1])}
		hi = vec2{math.Max(hi[0], p[0]), math.Max(hi[1], p[1])}
	}
	w, h := hi[0]-lo[0], hi[1]-lo[1]
	size := math.Min(w, h)
	if !(size > 0) {
		return lo
	}
	best := newLabelCell(guess, 0, rings)
	if c := newLabelCell(vec2{lo[0] + w/2, lo[1] + h/2}, 0, rings); c.d > best.d {
		best = c
	}
	// A sliver much longer than wide would need a vast number of first
	// cells; beyond a few thousand, coarser ones do, and the search
	// refines them.
	for w/size*h/size > 4096 {
		size *= 2
	}
	edges := 0
	for _, r := range rings {
		edges += len(r)
	}
	probes := max(1000, labelWork/max(edges, 1))
	var q cellQueue
	try := func(c vec2, half float64) {
		probes--
		cell := newLabelCell(c, half, rings)
		if cell.d > best.d {
			best = cell
		}
		if cell.bestIn > best.d+precision {
			heap.Push(&q, cell)
		}
	}
	for x := lo[0]; x < hi[0]; x += size {
		for y := lo[1]; y < hi[1]; y += size {
			try(vec2{x + size/2, y + size/2}, size/2)
		}
	}
	for q.Len() > 0 && probes > 0 {
		cell := heap.Pop(&q).(labelCell)
		if cell.bestIn-best.d <= precision {
			break
		}
		half := cell.h / 2
		for _, off := range [4]vec2{{-half, -half}, {half, -half}, {-half, half}, {half, half}} {
			try(vec2{cell.c[0] + off[0], cell.c[1] + off[1]}, half)
		}
	}
	return best.c
}

// signedDistance is the distance from p to the nearest edge of the
// projected polygon, negative outside it (even–odd over all rings).
func signedDistance(p vec2, rings [][]vec2) float64 {
	in := false
	d2 := math.Inf(1)
	for _, r := range rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			a, b := r[i], r[j]
			if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
				in = !in
			}
			d2 = math.Min(d2, segDist2(p, a, b))
		}
	}
	d := math.Sqrt(d2)
	if !in {
		return -d
	}
	return d
}

// maxScanlines bounds the horizontal lines scanlineLabel tries.
const maxScanlines = 64

// scanlineLabel finds an interior point of a polygon too thin for the
// polylabel search to land a cell centre in: on horizontal lines between
// the levels of its vertices, where no vertex confuses the count, the
// midpoint of the widest stretch inside. The tallest bands go first.
func scanlineLabel(poly orb.Polygon) (orb.Point, bool) {
	var ys []float64
	for _, r := range poly {
		for _, p := range r {
			ys = append(ys, p[1])
		}
	}
	slices.Sort(ys)
	ys = slices.Compact(ys)
	type band struct{ y, h float64 }
	bands := make([]band, 0, len(ys))
	for i := 1; i < len(ys); i++ {
		bands = append(bands, band{(ys[i-1] + ys[i]) / 2, ys[i] - ys[i-1]})
	}
	slices.SortStableFunc(bands, func(a, b band) int {
		switch {
		case a.h > b.h:
			return -1
		case a.h < b.h:
			return 1
		}
		return 0
	})
	var xs []float64
	for _, b := range bands[:min(len(bands), maxScanlines)] {
		xs = xs[:0]
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				a, c := r[i], r[i+1]
				if (a[1] > b.y) != (c[1] > b.y) {
					xs = append(xs, a[0]+(b.y-a[1])*(c[0]-a[0])/(c[1]-a[1]))
				}
			}
		}
		slices.Sort(xs)
		type stretch struct{ mid, w float64 }
		var ss []stretch
		for i := 0; i+1 < len(xs); i += 2 {
			ss = append(ss, stretch{(xs[i] + xs[i+1]) / 2, xs[i+1] - xs[i]})
		}
		slices.SortStableFunc(ss, func(a, b stretch) int {
			switch {
			case a.w > b.w:
				return -1
			case a.w < b.w:
				return 1
			}
			return 0
		})
		for _, s := range ss[:min(len(ss), 4)] {
			if p := (orb.Point{s.mid, b.y}); interior(poly, p) {
				return p, true
			}
		}
	}
	return orb.Point{}, false
}
