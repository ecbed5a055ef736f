package geo

import (
	"container/heap"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

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
	return Finite(p) && locateInPolygon(poly, p) == inside && pipLocatePolygon(poly, p) == inside
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
		if !Finite(c) {
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

func (q cellQueue) Len() int { return len(q) }

func (q cellQueue) Less(i, j int) bool { return q[i].bestIn > q[j].bestIn }

func (q cellQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

func (q *cellQueue) Push(x any) { *q = append(*q, x.(labelCell)) }

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
