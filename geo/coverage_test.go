package geo

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// pairOverlaps measures, in square metres in SWEREF 99 TM, the overlap
// of every pair of geometries whose boxes meet, keyed by the pair.
func pairOverlaps(t *testing.T, gs []orb.Geometry) map[[2]int]float64 {
	t.Helper()
	proj := make([]orb.Geometry, len(gs))
	boxes := make([]orb.Bound, len(gs))
	for i, g := range gs {
		proj[i] = ToSWEREF99TMFromWGS84(g)
		boxes[i] = g.Bound()
	}
	out := map[[2]int]float64{}
	for i := range gs {
		for j := i + 1; j < len(gs); j++ {
			if !boxes[i].Intersects(boxes[j]) {
				continue
			}
			a, err := IntersectionArea(proj[i], proj[j])
			if err != nil {
				t.Fatalf("overlap of %d and %d: %v", i, j, err)
			}
			out[[2]int{i, j}] = a
		}
	}
	return out
}

func sum(m map[[2]int]float64) float64 {
	s := 0.0
	for _, v := range m {
		s += v
	}
	return s
}

// shareVertex reports whether a and b have a vertex in common.
func shareVertex(a, b orb.Geometry) bool {
	seen := map[orb.Point]bool{}
	for _, r := range ringsOf(a) {
		for _, p := range r {
			seen[p] = true
		}
	}
	for _, r := range ringsOf(b) {
		for _, p := range r {
			if seen[p] {
				return true
			}
		}
	}
	return false
}

func ringsOf(g orb.Geometry) []orb.Ring {
	switch g := g.(type) {
	case orb.Polygon:
		return g
	case orb.MultiPolygon:
		var out []orb.Ring
		for _, p := range g {
			out = append(out, p...)
		}
		return out
	}
	return nil
}

// checkCoverage simplifies gs one by one and as a coverage at each
// tolerance and holds the coverage to its promise: every pair of
// neighbours overlaps by no more than a square metre beyond what it
// overlapped as given, every outline is valid, and vertices go.
// Pairs that overlap as given by more than a square metre do not share
// their border in the data (it is drawn with different vertices on each
// side), and are counted apart; at most maxFlawed of them are allowed.
func checkCoverage(t *testing.T, gs []orb.Geometry, tolerances []float64, maxFlawed int) {
	given := pairOverlaps(t, gs)
	flawed := map[[2]int]bool{}
	for k, a := range given {
		if a > 1 {
			flawed[k] = true
		}
	}
	if len(flawed) > maxFlawed {
		t.Fatalf("%d pairs overlap as given, more than %d", len(flawed), maxFlawed)
	}
	cov := NewCoverage(gs)
	before := 0
	for _, g := range gs {
		before += countPoints(g)
	}
	for _, tol := range tolerances {
		alone := make([]orb.Geometry, len(gs))
		aloneVertices := 0
		for i, g := range gs {
			alone[i] = Simplify(g, tol)
			aloneVertices += countPoints(alone[i])
		}
		together := cov.Simplify(tol)
		vertices := 0
		for i, g := range together {
			if err := Validate(g, Options{MaxVertices: -1}); err != nil {
				t.Fatalf("tolerance %g: geometry %d invalid: %v", tol, i, err)
			}
			vertices += countPoints(g)
		}
		got := pairOverlaps(t, together)
		worst := 0.0
		for k, a := range got {
			if flawed[k] {
				continue
			}
			if grew := a - given[k]; grew > 1 {
				t.Errorf("tolerance %g m: geometries %d and %d overlap by %.3f m², %.3f m² as given", tol, k[0], k[1], a, given[k])
			} else {
				worst = max(worst, grew)
			}
		}
		t.Logf("tolerance %g m: overlap as given %.0f m², one by one %.0f m², as a coverage %.0f m² (largest growth of a pair of neighbours %.4f m², %d flawed pairs apart); vertices %d given, %d one by one, %d as a coverage; %d arcs",
			tol, sum(given), sum(pairOverlaps(t, alone)), sum(got), worst, len(flawed), before, aloneVertices, vertices, cov.Arcs())
		if vertices >= before {
			t.Errorf("tolerance %g m: %d of %d vertices kept", tol, vertices, before)
		}
	}
}

// TestCoverageKeepsSharedBorders: the 290 municipalities, simplified one
// by one at 1 km, overlap by some 880 km²; as a coverage, neighbours
// overlap no more than as given.
func TestCoverageKeepsSharedBorders(t *testing.T) {
	// A few pairs of the data overlap as given, along borders drawn
	// with different vertices on each side.
	checkCoverage(t, municipalityList(t), []float64{1000, 5000}, 10)
}

// jitteredGrid is a DeSO-like coverage: cols × rows cells near 57.7° N,
// each side a jittered line of k inner vertices shared with the
// neighbour, every tenth cell with a square hole.
func jitteredGrid(cols, rows, k int, seed uint64) []orb.Geometry {
	rng := rand.New(rand.NewPCG(seed, 3))
	const w, h = 0.02, 0.01 // degrees: about 1.2 km by 1.1 km
	node := make([][]orb.Point, cols+1)
	for i := range node {
		node[i] = make([]orb.Point, rows+1)
		for j := range node[i] {
			jx, jy := 0.0, 0.0
			if i > 0 && i < cols && j > 0 && j < rows {
				jx, jy = (rng.Float64()-0.5)*w/5, (rng.Float64()-0.5)*h/5
			}
			node[i][j] = orb.Point{12.9 + float64(i)*w + jx, 57.7 + float64(j)*h + jy}
		}
	}
	// side draws the inner vertices between two nodes, jittered across
	// the line by up to a fortieth of a cell; border sides stay straight.
	side := func(a, b orb.Point, straight bool) []orb.Point {
		out := make([]orb.Point, 0, k)
		for s := 1; s <= k; s++ {
			f := float64(s) / float64(k+1)
			p := orb.Point{a[0] + (b[0]-a[0])*f, a[1] + (b[1]-a[1])*f}
			if !straight {
				d := (rng.Float64() - 0.5) / 20
				p[0] += -(b[1] - a[1]) * d
				p[1] += (b[0] - a[0]) * d
			}
			out = append(out, p)
		}
		return out
	}
	horiz := make([][][]orb.Point, cols)
	for i := range horiz {
		horiz[i] = make([][]orb.Point, rows+1)
		for j := range horiz[i] {
			horiz[i][j] = side(node[i][j], node[i+1][j], j == 0 || j == rows)
		}
	}
	vert := make([][][]orb.Point, cols+1)
	for i := range vert {
		vert[i] = make([][]orb.Point, rows)
		for j := range vert[i] {
			vert[i][j] = side(node[i][j], node[i][j+1], i == 0 || i == cols)
		}
	}
	var out []orb.Geometry
	for i := range cols {
		for j := range rows {
			r := orb.Ring{node[i][j]}
			r = append(r, horiz[i][j]...)
			r = append(r, node[i+1][j])
			r = append(r, vert[i+1][j]...)
			r = append(r, node[i+1][j+1])
			top := slices.Clone(horiz[i][j+1])
			slices.Reverse(top)
			r = append(r, top...)
			r = append(r, node[i][j+1])
			left := slices.Clone(vert[i][j])
			slices.Reverse(left)
			r = append(r, left...)
			r = append(r, node[i][j])
			p := orb.Polygon{r}
			if (i*rows+j)%10 == 0 {
				c := orb.Point{node[i][j][0] + w/2, node[i][j][1] + h/2}
				p = append(p, orb.Ring{{c[0] - w/20, c[1] - h/20}, {c[0] - w/20, c[1] + h/20}, {c[0] + w/20, c[1] + h/20}, {c[0] + w/20, c[1] - h/20}, {c[0] - w/20, c[1] - h/20}})
			}
			out = append(out, p)
		}
	}
	return out
}

// TestCoverageOfGrid: a DeSO-like grid, which overlaps nowhere as given,
// overlaps nowhere simplified as a coverage.
func TestCoverageOfGrid(t *testing.T) {
	gs := jitteredGrid(12, 10, 30, 1)
	for i, g := range gs {
		if err := Validate(g, Options{}); err != nil {
			t.Fatalf("cell %d: %v", i, err)
		}
	}
	checkCoverage(t, gs, []float64{20, 400, 2000}, 0)
}

func municipalityList(t *testing.T) []orb.Geometry {
	m := loadMunicipalities(t)
	var gs []orb.Geometry
	for _, code := range slices.Sorted(maps.Keys(m)) {
		gs = append(gs, m[code])
	}
	return gs
}

func countPoints(g orb.Geometry) int {
	n := 0
	for _, r := range ringsOf(g) {
		n += len(r)
	}
	return n
}
