package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// The extent the municipalities are laid out in: Sweden's.
const (
	west, east   = 11.0, 24.0
	south, north = 55.3, 69.0
)

// A municipality is a block of cellCols × cellRows statistical areas.
const (
	cellCols        = 4
	cellRows        = 5
	perMunicipality = cellCols * cellRows
)

// jitter bounds how far an edge's vertices stray from the grid line: at a
// share t of the way along an edge of length L, by at most
// jitter·min(t, 1−t)·L. Each edge then stays within a thin rhombus over
// its grid segment, and rhombi meet only at grid points as long as
// jitter·w < h and jitter·h < w for a cell of w × h; buildMap keeps cells
// within 1:3, so rings drawn along the edges are simple and neighbours
// never overlap.
const jitter = 0.2

// flatShare is the share of edge vertices left on the grid line. Runs of
// them give axis-parallel segments, on which a point can lie exactly.
const flatShare = 0.3

// holeRadius is a hole's largest extent from the cell centre, as a share of
// the cell's width and height. With the 1:3 bound the edges never reach it.
const holeRadius = 0.12

// grid is the lattice of statistical-area cells and the jittered edges
// between them. Column i, row j is the cell [x(i), x(i+1)] × [y(j), y(j+1)].
type grid struct {
	cols, rows int
	w, h       float64
	// hEdges[i+j*cols] runs east from grid point (i, j) to (i+1, j);
	// vEdges[i+j*(cols+1)] runs north from (i, j) to (i, j+1). Both hold
	// their end points.
	hEdges, vEdges [][]orb.Point
}

func (g *grid) x(i int) float64 { return round7(west + float64(i)*g.w) }
func (g *grid) y(j int) float64 { return round7(south + float64(j)*g.h) }

func (g *grid) point(i, j int) orb.Point { return orb.Point{g.x(i), g.y(j)} }

// newGrid draws every edge of a cols × rows grid. Each edge has between
// kmin and kmax vertices between its ends.
func newGrid(cols, rows int, w, h float64, kmin, kmax int, rng *rand.Rand) *grid {
	g := &grid{cols: cols, rows: rows, w: w, h: h}
	g.hEdges = make([][]orb.Point, cols*(rows+1))
	for j := 0; j <= rows; j++ {
		for i := range cols {
			g.hEdges[i+j*cols] = jitteredEdge(g.point(i, j), g.point(i+1, j), 0, kmin, kmax, rng)
		}
	}
	g.vEdges = make([][]orb.Point, (cols+1)*rows)
	for j := range rows {
		for i := 0; i <= cols; i++ {
			g.vEdges[i+j*(cols+1)] = jitteredEdge(g.point(i, j), g.point(i, j+1), 1, kmin, kmax, rng)
		}
	}
	return g
}

// jitteredEdge draws a line from a to b along axis (0: a and b share y, 1:
// they share x) with k interior vertices, moved off the line at random
// within the rhombus jitter allows. Positions along the axis increase
// strictly, so the line never meets itself.
func jitteredEdge(a, b orb.Point, axis, kmin, kmax int, rng *rand.Rand) []orb.Point {
	k := kmin + rng.IntN(kmax-kmin+1)
	along, across := axis, 1-axis
	length := b[along] - a[along]
	pts := make([]orb.Point, 0, k+2)
	pts = append(pts, a)
	for m := range k {
		t := (float64(m) + 1 + (rng.Float64()-0.5)*0.8) / float64(k+1)
		var p orb.Point
		p[along] = round7(a[along] + t*length)
		p[across] = a[across]
		if rng.Float64() >= flatShare {
			p[across] = round7(a[across] + (rng.Float64()*2-1)*jitter*min(t, 1-t)*length)
		}
		pts = append(pts, p)
	}
	return append(pts, b)
}

// blockRing is the counter-clockwise ring around the cells [i0, i1) ×
// [j0, j1), drawn along the shared edges.
func (g *grid) blockRing(i0, j0, i1, j1 int) orb.Ring {
	var r orb.Ring
	add := func(pts []orb.Point, reverse bool) {
		for n := range pts {
			p := pts[n]
			if reverse {
				p = pts[len(pts)-1-n]
			}
			// Each piece starts where the last one ended.
			if n == 0 && len(r) > 0 {
				continue
			}
			r = append(r, p)
		}
	}
	for i := i0; i < i1; i++ {
		add(g.hEdges[i+j0*g.cols], false)
	}
	for j := j0; j < j1; j++ {
		add(g.vEdges[i1+j*(g.cols+1)], false)
	}
	for i := i1 - 1; i >= i0; i-- {
		add(g.hEdges[i+j1*g.cols], true)
	}
	for j := j1 - 1; j >= j0; j-- {
		add(g.vEdges[i0+j*(g.cols+1)], true)
	}
	return r
}

// hole is a clockwise, star-shaped octagon around the centre of cell (i, j).
func (g *grid) hole(i, j int, rng *rand.Rand) orb.Ring {
	cx, cy := g.x(i)+g.w/2, g.y(j)+g.h/2
	const n = 8
	r := make(orb.Ring, 0, n+1)
	for m := range n {
		// Decreasing angles wind clockwise; the jitter keeps them in order.
		a := -2 * math.Pi * (float64(m) + (rng.Float64()-0.5)*0.5) / n
		f := holeRadius * (0.6 + 0.4*rng.Float64())
		r = append(r, orb.Point{round7(cx + f*g.w*math.Cos(a)), round7(cy + f*g.h*math.Sin(a))})
	}
	return append(r, r[0])
}

// inner is the part of cell (i, j) that no edge reaches: a point in it lies
// strictly inside the cell's statistical area, or in its hole.
func (g *grid) inner(i, j int) orb.Bound {
	mx, my := jitter*g.h/2, jitter*g.w/2
	return orb.Bound{
		Min: orb.Point{g.x(i) + mx, g.y(j) + my},
		Max: orb.Point{g.x(i+1) - mx, g.y(j+1) - my},
	}
}

// holeBound holds the hole of cell (i, j), if it has one.
func (g *grid) holeBound(i, j int) orb.Bound {
	cx, cy := g.x(i)+g.w/2, g.y(j)+g.h/2
	dx, dy := holeRadius*g.w*1.01, holeRadius*g.h*1.01
	return orb.Bound{Min: orb.Point{cx - dx, cy - dy}, Max: orb.Point{cx + dx, cy + dy}}
}

// cell is one statistical area and what it belongs to.
type cell struct {
	i, j     int
	sa       *db.Area
	district *db.Area
	priority *db.Area // nil when the cell is in no priority area
	muni     int      // index of the municipality
	hole     orb.Ring // nil when it has none
}

// areaMap is the generated geography: the areas in id order and the cells
// records are placed in.
type areaMap struct {
	g     *grid
	areas []*db.Area
	cells []*cell // the statistical areas, in id order
	munis int     // the number of municipalities
	// byDistrict lists the cells of each district, by district id.
	byDistrict map[int64][]*cell
}

// block is a rectangle of cells.
type block struct{ i0, j0, i1, j1 int }

func (b block) has(i, j int) bool { return i >= b.i0 && i < b.i1 && j >= b.j0 && j < b.j1 }

// buildMap lays out municipalities, districts, priority areas and
// statistical areas, and numbers them.
func buildMap(cfg Config, rng *rand.Rand) *areaMap {
	n := cfg.StatisticalAreas
	munis := (n + perMunicipality - 1) / perMunicipality
	// A degree of longitude is about half a degree of latitude up here, so
	// cells twice as wide as high are roughly square on the ground: with
	// mcols × mrows municipalities, w/h = 2 when mcols² is as below.
	mcols := max(1, int(math.Round(math.Sqrt(float64(munis)*cellRows*(east-west)/(2*cellCols*(north-south))))))
	mrows := max(1, (munis+mcols-1)/mcols)
	w := (east - west) / float64(mcols*cellCols)
	h := (north - south) / float64(mrows*cellRows)
	// Keep cells within 1:3 (see jitter); the grid then leaves part of the
	// extent empty.
	w, h = min(w, 3*h), min(h, 3*w)
	kmin := (cfg.MinVertices - 4 + 3) / 4
	kmax := max(kmin, (cfg.MaxVertices-4)/4)
	g := newGrid(mcols*cellCols, mrows*cellRows, w, h, kmin, kmax, rng)

	m := &areaMap{g: g, munis: munis, byDistrict: map[int64][]*cell{}}
	names := newNamer(rng)
	var municipalities, districts, priorities, statistical []*db.Area
	// Parents get their ids last, so links wait until then.
	type link struct{ child, parent *db.Area }
	var links []link
	var saCount int
	for mi := range munis {
		mi0, mj0 := (mi%mcols)*cellCols, (mi/mcols)*cellRows
		mb := block{mi0, mj0, mi0 + cellCols, mj0 + cellRows}
		code := fmt.Sprintf("X%04d", mi+1)
		name := names.place()
		muni := &db.Area{Code: code, Name: name, Kind: db.KindMunicipality,
			Geometry:    orb.Polygon{g.blockRing(mb.i0, mb.j0, mb.i1, mb.j1)},
			ValidFrom:   day(1971, 1, 1),
			Description: "Synthetic municipality " + name + "."}
		municipalities = append(municipalities, muni)

		// Four districts, split at a random column and row.
		sc, sr := mi0+1+rng.IntN(cellCols-1), mj0+1+rng.IntN(cellRows-1)
		quarters := []struct {
			b    block
			name string
		}{
			{block{mi0, mj0, sc, sr}, "sydväst"},
			{block{sc, mj0, mb.i1, sr}, "sydost"},
			{block{mi0, sr, sc, mb.j1}, "nordväst"},
			{block{sc, sr, mb.i1, mb.j1}, "nordost"},
		}
		var muniCells []*cell
		for di, q := range quarters {
			d := &db.Area{Code: fmt.Sprintf("%s-D%d", code, di+1), Name: name + " " + q.name, Kind: db.KindDistrict,
				Geometry: orb.Polygon{g.blockRing(q.b.i0, q.b.j0, q.b.i1, q.b.j1)}}
			if rng.IntN(4) == 0 {
				d.ValidFrom = day(2000+rng.IntN(20), time.Month(1+rng.IntN(12)), 1)
			}
			districts = append(districts, d)
			links = append(links, link{d, muni})
			parts := priorityBlocks(q.b, rng)
			var pa *db.Area
			if parts != nil {
				pa = &db.Area{Code: fmt.Sprintf("%s-P%d", code, di+1), Name: names.neighbourhood(),
					Kind: db.KindPriorityArea, AreaType: 1 + rng.IntN(5),
					Description: "Synthetic priority area."}
				priorities = append(priorities, pa)
				links = append(links, link{pa, d})
			}
			for j := q.b.j0; j < q.b.j1; j++ {
				for i := q.b.i0; i < q.b.i1; i++ {
					c := &cell{i: i, j: j, district: d, muni: mi}
					for _, p := range parts {
						if p.has(i, j) {
							c.priority = pa
						}
					}
					muniCells = append(muniCells, c)
				}
			}
			if pa != nil {
				var polys orb.MultiPolygon
				for _, p := range parts {
					polys = append(polys, orb.Polygon{g.blockRing(p.i0, p.j0, p.i1, p.j1)})
				}
				// Holes are added below, once the statistical areas have them.
				if len(polys) == 1 {
					pa.Geometry = polys[0]
				} else {
					pa.Geometry = polys
				}
			}
		}
		// Statistical areas in rows from the south-west, as far as they
		// go in a partly covered municipality.
		slices.SortFunc(muniCells, func(a, b *cell) int { return (a.j*g.cols + a.i) - (b.j*g.cols + b.i) })
		for k, c := range muniCells {
			if saCount == n {
				break
			}
			saCount++
			c.sa = &db.Area{Code: fmt.Sprintf("%sS%04d", code, k+1), Name: fmt.Sprintf("%s %04d", name, k+1),
				Kind: db.KindStatisticalArea, Geometry: orb.Polygon{g.blockRing(c.i, c.j, c.i+1, c.j+1)}}
			if cfg.HoleEvery > 0 && saCount%cfg.HoleEvery == 0 {
				c.hole = g.hole(c.i, c.j, rng)
				c.sa.Geometry = append(c.sa.Geometry.(orb.Polygon), c.hole)
				if c.priority != nil {
					addHole(c.priority, c)
				}
			}
			if c.priority != nil {
				c.sa.AreaType = c.priority.AreaType
			}
			links = append(links, link{c.sa, c.district})
			m.cells = append(m.cells, c)
			statistical = append(statistical, c.sa)
		}
	}

	var id int64
	for _, group := range [][]*db.Area{municipalities, districts, priorities, statistical} {
		for _, a := range group {
			id++
			a.ID = id
			m.areas = append(m.areas, a)
		}
	}
	for _, l := range links {
		l.child.ParentID = l.parent.ID
	}
	for _, c := range m.cells {
		m.byDistrict[c.district.ID] = append(m.byDistrict[c.district.ID], c)
	}
	return m
}

// addHole copies the hole of c's statistical area into the part of the
// priority area that holds c.
func addHole(pa *db.Area, c *cell) {
	switch g := pa.Geometry.(type) {
	case orb.Polygon:
		pa.Geometry = append(g, c.hole)
	case orb.MultiPolygon:
		for k, p := range g {
			if p[0].Bound().Contains(c.hole[0]) {
				g[k] = append(p, c.hole)
			}
		}
	}
}

// priorityBlocks picks the cells of a district's priority area: none for
// most districts, else a block of up to 2 × 2 cells, or two single cells a
// column apart, which make a MultiPolygon whose parts do not touch.
func priorityBlocks(d block, rng *rand.Rand) []block {
	if rng.Float64() >= 0.4 {
		return nil
	}
	dw, dh := d.i1-d.i0, d.j1-d.j0
	if dw >= 3 && rng.IntN(3) == 0 {
		i2 := d.i0 + 2 + rng.IntN(dw-2)
		j1, j2 := d.j0+rng.IntN(dh), d.j0+rng.IntN(dh)
		return []block{{d.i0, j1, d.i0 + 1, j1 + 1}, {i2, j2, i2 + 1, j2 + 1}}
	}
	bw, bh := 1+rng.IntN(min(2, dw)), 1+rng.IntN(min(2, dh))
	i0, j0 := d.i0+rng.IntN(dw-bw+1), d.j0+rng.IntN(dh-bh+1)
	return []block{{i0, j0, i0 + bw, j0 + bh}}
}

// pointIn draws a point strictly inside c's statistical area, outside its
// hole.
func (m *areaMap) pointIn(c *cell, rng *rand.Rand) orb.Point {
	in := m.g.inner(c.i, c.j)
	hb := m.g.holeBound(c.i, c.j)
	for {
		p := orb.Point{
			round7(in.Min[0] + rng.Float64()*(in.Max[0]-in.Min[0])),
			round7(in.Min[1] + rng.Float64()*(in.Max[1]-in.Min[1])),
		}
		if c.hole == nil || !hb.Contains(p) {
			return p
		}
	}
}

func day(y int, mo time.Month, d int) *time.Time {
	t := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// namer makes up Swedish-sounding place names.
type namer struct {
	rng   *rand.Rand
	order []int // a permutation of the prefix × suffix pairs
	next  int
}

var (
	namePrefixes = []string{"Norr", "Sö", "Väst", "Öst", "Berg", "Sjö", "Lund", "Ek", "Björk", "Gran", "Lid", "Ås",
		"Hag", "Holm", "Mal", "Kung", "Stor", "Lill", "Hög", "Fors", "Bro", "Dal", "Tall", "Al", "Rönn", "Ulv",
		"Hjo", "Vret", "Ny", "Gam"}
	nameSuffixes = []string{"by", "berg", "sjö", "lund", "dal", "vik", "hult", "ås", "köping", "torp", "red", "hamn",
		"näs", "fors", "holm", "stad", "ryd", "tuna", "mark", "ö"}
	neighbourhoodSuffixes = []string{"gården", "backen", "höjden", "parken", "hagen", "området", "ängen", "staden"}
)

func newNamer(rng *rand.Rand) *namer {
	return &namer{rng: rng, order: rng.Perm(len(namePrefixes) * len(nameSuffixes))}
}

// place is a municipality's name, unique until the pairs run out.
func (n *namer) place() string {
	k := n.order[n.next%len(n.order)]
	name := namePrefixes[k/len(nameSuffixes)] + nameSuffixes[k%len(nameSuffixes)]
	if round := n.next / len(n.order); round > 0 {
		name = fmt.Sprintf("%s %d", name, round+1)
	}
	n.next++
	return name
}

func (n *namer) neighbourhood() string {
	return namePrefixes[n.rng.IntN(len(namePrefixes))] + neighbourhoodSuffixes[n.rng.IntN(len(neighbourhoodSuffixes))]
}
