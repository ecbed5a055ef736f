package postgis_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/geo"
)

// distTol is how far the two backends' distances may differ: a
// millimetre, as in the conformance suite. Both find the nearest point on
// the same sphere and measure to it on the WGS 84 ellipsoid, and
// geo.DistanceToGeometry documents agreement with PostGIS well under it for
// the distances drawn here (up to about 30 km).
const distTol = 1e-3

// tieTol is how close two records' distances must be for the backends to
// list them in either order: PostGIS rounds distances to 1e-8 m and the
// memory backend rounds alike, so only values that straddle a rounding
// step can come out a step apart.
const tieTol = 2e-8

// crossConfig is mid-sized: large enough for many shared edges, holes and
// multipolygons, small enough to load twice in a few seconds.
func crossConfig(seed uint64) synth.Config {
	return synth.Config{Seed: seed, StatisticalAreas: 600, Initiatives: 5000, Organizations: 1000, Years: 2}
}

// crossSeed is the run's seed: AREAGRAPH_SEED when set, to replay a run,
// else a fresh one.
func crossSeed(t *testing.T) uint64 {
	if s := os.Getenv("AREAGRAPH_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("AREAGRAPH_SEED=%q: %v", s, err)
		}
		return seed
	}
	return rand.Uint64()
}

// TestCrossBackend loads one generated dataset into both backends and asks
// them thousands of random spatial questions, drawn where they are most
// likely to disagree: on vertices, on shared edges, in holes, on degenerate
// boxes, at records' exact locations, and at radii around them. Both must
// give the same ids in the same order, the same totals and the same
// distances.
func TestCrossBackend(t *testing.T) {
	seed := crossSeed(t)
	t.Logf("seed %d; replay with AREAGRAPH_SEED=%d", seed, seed)
	ctx := t.Context()

	start := time.Now()
	ds := synth.Generate(crossConfig(seed))
	mem := memory.New()
	if err := mem.Load(ctx, ds); err != nil {
		t.Fatalf("memory: load: %v", err)
	}
	url := pgtest.SchemaURL(t)
	pg, err := postgis.Open(ctx, url)
	if err != nil {
		t.Fatalf("postgis: open: %v", err)
	}
	t.Cleanup(pg.Close)
	if err := pg.Migrate(ctx); err != nil {
		t.Fatalf("postgis: migrate: %v", err)
	}
	if err := pg.Load(ctx, ds); err != nil {
		t.Fatalf("postgis: load: %v", err)
	}
	t.Logf("generated and loaded %d areas, %d organisations, %d initiatives in %v",
		len(ds.Areas), len(ds.Organizations), len(ds.Initiatives), time.Since(start).Round(time.Millisecond))

	checkAreasMatchPostGIS(t, url, ds)

	probes := newProber(ds, seed).probes()
	start = time.Now()
	results := runProbes(ctx, probes, mem, pg)
	var mismatches, failed int
	kinds := map[string]int{}
	known := map[string]int{}
	firstKnown := map[string]string{}
	var tolerated tolerance
	for i, r := range results {
		p := probes[i]
		kind := p.op + " " + p.how
		kinds[kind]++
		if _, ok := knownDivergences[kind]; ok && r.diff != "" {
			if known[kind] == 0 {
				firstKnown[kind] = fmt.Sprintf("%s\n  memory:  %s\n  postgis: %s", p.call, r.mem, r.pg)
			}
			known[kind]++
			continue
		}
		switch {
		case r.err != nil:
			failed++
			if failed <= 10 {
				t.Errorf("%s: %v", p.call, r.err)
			}
		case r.diff != "":
			mismatches++
			if mismatches <= 25 {
				t.Errorf("mismatch (%s, %s):\n  probe:   %s\n  memory:  %s\n  postgis: %s\n  %s",
					p.op, p.how, p.call, r.mem, r.pg, r.diff)
			}
		}
		tolerated.add(r.tol)
	}
	if mismatches > 25 || failed > 10 {
		t.Errorf("%d mismatches and %d errors in all; the first are above", mismatches, failed)
	}
	t.Logf("%d probes in %v: %d mismatches, %d errors", len(probes), time.Since(start).Round(time.Millisecond),
		mismatches, failed)
	t.Logf("within tolerance: %d ties reordered, %d records at the radius in one answer only",
		tolerated.ties, tolerated.atRadius)
	if testing.Verbose() {
		for _, k := range slices.Sorted(maps.Keys(kinds)) {
			t.Logf("  %5d %s", kinds[k], k)
		}
	}
	for kind, cause := range knownDivergences {
		switch {
		case known[kind] > 0:
			t.Logf("known divergence, %d of %d probes %q: %s; the first:\n  %s",
				known[kind], kinds[kind], kind, cause, firstKnown[kind])
		case kinds[kind] > 0:
			t.Errorf("%d probes %q agree: the known divergence (%s) is gone; remove it from knownDivergences",
				kinds[kind], kind, cause)
		}
	}
	if len(probes) < 3000 {
		t.Errorf("only %d probes", len(probes))
	}
	if mismatches+failed > 0 {
		t.Logf("replay with AREAGRAPH_SEED=%d go test -run TestCrossBackend ./db/postgis", seed)
	}
}

// knownDivergences are kinds of probe ("op how") on which the backends
// are known to disagree, with the cause. Their mismatches are logged
// rather than failed on, so that every other kind stays guarded; a kind
// that no longer diverges fails the test, so that its entry goes once the
// backend is fixed.
var knownDivergences = map[string]string{}

// probe is one question to both stores. call is Go that asks it again.
type probe struct {
	op   string // the Store method
	how  string // how its input was drawn
	call string
	near *db.Near // set for nearest-first lists
	// within, set for a Within probe, gives a record's distance from the
	// filter's geometry, to allow for a record at the distance itself.
	within func(id int64) (float64, bool)
	meters float64
	full   bool // the page holds every match
	ask    func(ctx context.Context, s db.Store) (answer, error)
}

// answer is what a store said: ids in order, the total and, for Near, the
// distances.
type answer struct {
	ids    []int64
	total  int
	dists  []float64
	wdists []float64 // from a Within geometry
}

func (a answer) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "total %d, ids %v", a.total, short(a.ids))
	if a.dists != nil {
		fmt.Fprintf(&b, ", distances %v", short(a.dists))
	}
	return b.String()
}

func short[T any](s []T) string {
	if len(s) <= 30 {
		return fmt.Sprint(s)
	}
	return strings.TrimSuffix(fmt.Sprint(s[:30]), "]") + fmt.Sprintf(" … (%d more)]", len(s)-30)
}

type result struct {
	mem, pg answer
	diff    string
	err     error
	tol     tolerance
}

// tolerance counts differences that a millimetre explains.
type tolerance struct{ ties, atRadius int }

func (t *tolerance) add(u tolerance) { t.ties += u.ties; t.atRadius += u.atRadius }

// runProbes asks every probe of both stores, a few at a time so that the
// database's round trips overlap.
func runProbes(ctx context.Context, probes []probe, mem, pg db.Store) []result {
	results := make([]result, len(probes))
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range next {
				results[i] = check(ctx, &probes[i], mem, pg)
			}
		})
	}
	for i := range probes {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

func check(ctx context.Context, p *probe, mem, pg db.Store) result {
	var r result
	var errM, errP error
	r.mem, errM = p.ask(ctx, mem)
	r.pg, errP = p.ask(ctx, pg)
	switch {
	case errM != nil || errP != nil:
		if db.ErrorCode(errM) != db.ErrorCode(errP) {
			r.err = fmt.Errorf("memory: %v; postgis: %v", errM, errP)
		}
		return r
	case p.near == nil && p.within != nil:
		r.diff, r.tol = compareWithin(p, r.mem, r.pg)
		return r
	case p.near == nil:
		if !slices.Equal(r.mem.ids, r.pg.ids) || r.mem.total != r.pg.total {
			r.diff = idDiff(r.mem.ids, r.pg.ids)
		}
		return r
	}
	r.diff, r.tol = compareNear(p, r.mem, r.pg)
	return r
}

// checkAreasMatchPostGIS holds geo.GeodesicArea, which areaSquareMeters
// serves from either store, to PostGIS's ST_Area on geography (on the
// WGS 84 ellipsoid, by GeographicLib's geod_polygonarea): within 1e-9
// relative, or 1e-3 m² for the smallest, where the strips that cancel
// down to the area leave that much rounding in either.
func checkAreasMatchPostGIS(t *testing.T, url string, ds *db.Dataset) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("postgis: connect: %v", err)
	}
	defer conn.Close(t.Context())
	rows, err := conn.Query(t.Context(), "SELECT id, ST_Area(geom::geography) FROM areas")
	if err != nil {
		t.Fatalf("postgis: ST_Area: %v", err)
	}
	want := map[int64]float64{}
	for rows.Next() {
		var id int64
		var a float64
		if err := rows.Scan(&id, &a); err != nil {
			t.Fatal(err)
		}
		want[id] = a
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var worst float64
	for _, a := range ds.Areas {
		got, w := geo.GeodesicArea(a.Geometry), want[a.ID]
		diff := math.Abs(got - w)
		rel := diff / w
		if rel > 1e-9 && diff > 1e-3 {
			t.Errorf("area %d: GeodesicArea %.6f m², PostGIS ST_Area %.6f m² (relative %.2g)", a.ID, got, w, rel)
		}
		worst = math.Max(worst, rel)
	}
	if len(want) != len(ds.Areas) {
		t.Errorf("PostGIS has %d areas, the dataset %d", len(want), len(ds.Areas))
	}
	t.Logf("%d areas: largest relative difference from PostGIS's ST_Area %.3g", len(ds.Areas), worst)
}

// compareWithin holds Within answers to the same ids, allowing a record
// within a millimetre of the distance in one answer only.
func compareWithin(p *probe, m, g answer) (string, tolerance) {
	var tol tolerance
	var keepM, keepG []int64
	for _, pair := range []struct {
		ids, other []int64
		keep       *[]int64
	}{{m.ids, g.ids, &keepM}, {g.ids, m.ids, &keepG}} {
		for _, id := range pair.ids {
			if !slices.Contains(pair.other, id) {
				if d, ok := p.within(id); ok && math.Abs(d-p.meters) <= distTol {
					tol.atRadius++
					continue
				}
			}
			*pair.keep = append(*pair.keep, id)
		}
	}
	if !slices.Equal(keepM, keepG) || m.total-g.total != len(m.ids)-len(g.ids) {
		return idDiff(m.ids, g.ids), tol
	}
	// Each record's distance from the geometry, to a millimetre.
	if len(m.wdists) != len(m.ids) || len(g.wdists) != len(g.ids) {
		return fmt.Sprintf("%d ids and %d within distances from memory, %d and %d from postgis",
			len(m.ids), len(m.wdists), len(g.ids), len(g.wdists)), tol
	}
	dg := distances(answer{ids: g.ids, dists: g.wdists})
	for i, id := range m.ids {
		if d, ok := dg[id]; ok && math.Abs(d-m.wdists[i]) > distTol {
			return fmt.Sprintf("id %d at %.6f m from the geometry in memory, %.6f m in postgis", id, m.wdists[i], d), tol
		}
	}
	return "", tol
}

// idDiff says which ids one answer has and the other lacks, or that the
// order differs.
func idDiff(m, g []int64) string {
	onlyM, onlyG := missing(m, g), missing(g, m)
	if len(onlyM)+len(onlyG) == 0 {
		return "same ids in another order, or another total"
	}
	return fmt.Sprintf("only memory: %v; only postgis: %v", short(onlyM), short(onlyG))
}

func missing(a, b []int64) []int64 {
	var out []int64
	for _, id := range a {
		if !slices.Contains(b, id) {
			out = append(out, id)
		}
	}
	return out
}

// compareNear holds Near answers to the same ids, order and distances,
// allowing what rounding explains: a record within a millimetre of the
// radius in one answer only, and records whose distances tie to within
// tieTol in either order. A paged answer gets neither allowance; its
// radius is drawn at random, and the rounding noise that could shift a
// page boundary is what tieTol is about.
func compareNear(p *probe, m, g answer) (string, tolerance) {
	var tol tolerance
	if len(m.ids) != len(m.dists) || len(g.ids) != len(g.dists) {
		return fmt.Sprintf("%d ids and %d distances from memory, %d and %d from postgis",
			len(m.ids), len(m.dists), len(g.ids), len(g.dists)), tol
	}
	dm, dg := distances(m), distances(g)
	var problems []string
	for id, d := range dm {
		if other, ok := dg[id]; ok {
			if math.Abs(d-other) > distTol {
				problems = append(problems, fmt.Sprintf("id %d at %.6f m in memory, %.6f m in postgis", id, d, other))
			}
		} else if p.full && math.Abs(d-p.near.RadiusMeters) <= distTol {
			tol.atRadius++
		} else {
			problems = append(problems, fmt.Sprintf("id %d at %.6f m only in memory", id, d))
		}
	}
	for id, d := range dg {
		if _, ok := dm[id]; ok {
			continue
		}
		if p.full && math.Abs(d-p.near.RadiusMeters) <= distTol {
			tol.atRadius++
		} else {
			problems = append(problems, fmt.Sprintf("id %d at %.6f m only in postgis", id, d))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return strings.Join(problems, "; "), tol
	}
	if m.total-g.total != len(m.ids)-len(g.ids) {
		return fmt.Sprintf("totals %d and %d", m.total, g.total), tol
	}
	// Same ids (give or take the radius); the order may differ only
	// between records the same distance apart.
	common := func(a answer, other map[int64]float64) []int64 {
		var out []int64
		for _, id := range a.ids {
			if _, ok := other[id]; ok {
				out = append(out, id)
			}
		}
		return out
	}
	om, og := common(m, dg), common(g, dm)
	for i := range om {
		if om[i] == og[i] {
			continue
		}
		if math.Abs(dm[om[i]]-dm[og[i]]) > tieTol || math.Abs(dg[om[i]]-dg[og[i]]) > tieTol {
			return fmt.Sprintf("order differs at %d: memory has %d (%.6f m), postgis %d (%.6f m)",
				i, om[i], dm[om[i]], og[i], dg[og[i]]), tol
		}
		tol.ties++
	}
	return "", tol
}

func distances(a answer) map[int64]float64 {
	out := make(map[int64]float64, len(a.ids))
	for i, id := range a.ids {
		out[id] = a.dists[i]
	}
	return out
}

// --- drawing probes ---

// prober draws probes from a dataset's own coordinates.
type prober struct {
	rng       *rand.Rand
	ds        *db.Dataset
	rings     []orb.Ring     // every ring of every area
	stat      []orb.Ring     // outer rings of statistical areas
	axis      [][2]orb.Point // axis-parallel segments of statistical areas
	holes     []orb.Ring
	locations []orb.Point // of initiatives and organisations
	initLocs  []orb.Point
	orgLocs   []orb.Point
}

func newProber(ds *db.Dataset, seed uint64) *prober {
	p := &prober{rng: rand.New(rand.NewPCG(seed, 0xc0ffee)), ds: ds}
	for _, a := range ds.Areas {
		for _, poly := range polygons(a.Geometry) {
			p.rings = append(p.rings, poly...)
			if a.Kind != db.KindStatisticalArea {
				continue
			}
			p.stat = append(p.stat, poly[0])
			p.holes = append(p.holes, poly[1:]...)
			for i := 0; i+1 < len(poly[0]); i++ {
				s, e := poly[0][i], poly[0][i+1]
				if s[0] == e[0] || s[1] == e[1] {
					p.axis = append(p.axis, [2]orb.Point{s, e})
				}
			}
		}
	}
	for _, in := range ds.Initiatives {
		p.initLocs = append(p.initLocs, in.Locations...)
	}
	for _, o := range ds.Organizations {
		if o.Location != nil {
			p.orgLocs = append(p.orgLocs, *o.Location)
		}
	}
	p.locations = slices.Concat(p.initLocs, p.orgLocs)
	return p
}

func polygons(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

func pick[T any](rng *rand.Rand, s []T) T { return s[rng.IntN(len(s))] }

// vertex is a vertex of any ring of any area: shells and holes of every
// kind, most of them shared by several areas.
func (p *prober) vertex() orb.Point {
	r := pick(p.rng, p.rings)
	return r[p.rng.IntN(len(r)-1)]
}

// onAxisEdge is a point exactly on an axis-parallel segment, which is
// shared by neighbours and often by their parents too.
func (p *prober) onAxisEdge() orb.Point {
	s := pick(p.rng, p.axis)
	t := p.rng.Float64()
	return orb.Point{s[0][0] + t*(s[1][0]-s[0][0]), s[0][1] + t*(s[1][1]-s[0][1])}
}

// onSlopedEdge is a point on a segment as closely as float64 allows: on
// it, or a rounding off to either side.
func (p *prober) onSlopedEdge() orb.Point {
	r := pick(p.rng, p.stat)
	i := p.rng.IntN(len(r) - 1)
	a, b := r[i], r[i+1]
	t := p.rng.Float64()
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// inHole is a point inside a hole, near its middle.
func (p *prober) inHole() orb.Point {
	h := pick(p.rng, p.holes)
	return h.Bound().Center()
}

// anywhere is a point in a statistical area's bounding box.
func (p *prober) anywhere() orb.Point {
	b := pick(p.rng, p.stat).Bound()
	return orb.Point{b.Min[0] + p.rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + p.rng.Float64()*(b.Max[1]-b.Min[1])}
}

// point draws from every source above and from records' locations.
func (p *prober) point() (orb.Point, string) {
	switch p.rng.IntN(7) {
	case 0, 1:
		return p.vertex(), "vertex"
	case 2:
		return p.onAxisEdge(), "on an axis-parallel edge"
	case 3:
		return p.onSlopedEdge(), "on a sloped edge"
	case 4:
		return p.inHole(), "in a hole"
	case 5:
		return pick(p.rng, p.locations), "at a location"
	}
	return p.anywhere(), "anywhere"
}

// degrees is a length between 10^lo and 10^hi degrees, spread evenly in
// magnitude.
func (p *prober) degrees(lo, hi float64) float64 {
	return math.Pow(10, lo+p.rng.Float64()*(hi-lo))
}

func (p *prober) kinds() []db.AreaKind {
	if p.rng.IntN(10) < 7 {
		return nil
	}
	var ks []db.AreaKind
	for _, k := range db.AreaKinds {
		if p.rng.IntN(2) == 0 {
			ks = append(ks, k)
		}
	}
	if ks == nil {
		ks = []db.AreaKind{db.KindStatisticalArea}
	}
	return ks
}

// page is everything, now and then a window.
func (p *prober) page() (db.Page, bool) {
	if p.rng.IntN(5) == 0 {
		return db.Page{Offset: p.rng.IntN(8), Limit: 1 + p.rng.IntN(6)}, false
	}
	return db.Page{Limit: 100_000}, true
}

func (p *prober) probes() []probe {
	var out []probe
	for range 1500 {
		pt, how := p.point()
		out = append(out, areasAtProbe(pt, p.kinds(), how))
	}
	for range 700 {
		b, how := p.box()
		pg, full := p.page()
		out = append(out, areasProbe(db.AreaFilter{Kinds: p.kinds(), Spatial: db.Spatial{BBox: &b}}, pg, full, "bbox "+how))
	}
	for range 300 {
		b, how := p.recordBox(p.initLocs)
		pg, full := p.page()
		out = append(out, initiativesProbe(db.InitiativeFilter{Spatial: db.Spatial{BBox: &b}}, pg, full, "bbox "+how))
	}
	for range 300 {
		b, how := p.recordBox(p.orgLocs)
		pg, full := p.page()
		out = append(out, organizationsProbe(db.OrganizationFilter{Spatial: db.Spatial{BBox: &b}}, pg, full, "bbox "+how))
	}
	for range 1000 {
		g, how := p.shape()
		pg, full := p.page()
		sp := db.Spatial{Intersects: g}
		switch p.rng.IntN(3) {
		case 0:
			out = append(out, areasProbe(db.AreaFilter{Kinds: p.kinds(), Spatial: sp}, pg, full, "intersects "+how))
		case 1:
			out = append(out, initiativesProbe(db.InitiativeFilter{Spatial: sp}, pg, full, "intersects "+how))
		default:
			out = append(out, organizationsProbe(db.OrganizationFilter{Spatial: sp}, pg, full, "intersects "+how))
		}
	}
	for range 800 {
		out = append(out, p.nearProbe())
	}
	for range 600 {
		out = append(out, p.withinProbe())
	}
	out = append(out, p.northOfFlatEdges(60)...)
	return out
}

// box draws a bounding box: small to large, with a corner on a vertex, or
// degenerate (a point, or a line along an edge or through a vertex).
func (p *prober) box() (orb.Bound, string) {
	switch p.rng.IntN(6) {
	case 0:
		pt, how := p.point()
		return orb.Bound{Min: pt, Max: pt}, "point " + how
	case 1:
		s := pick(p.rng, p.axis)
		b := orb.Bound{Min: s[0], Max: s[0]}.Extend(s[1])
		// Part of the segment, or past its end.
		if p.rng.IntN(2) == 0 {
			b.Max = orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*p.rng.Float64()*2, b.Min[1] + (b.Max[1]-b.Min[1])*p.rng.Float64()*2}
		}
		return b, "line along an axis-parallel edge"
	case 2:
		v := p.vertex()
		d := p.degrees(-4, -1)
		if p.rng.IntN(2) == 0 {
			return orb.Bound{Min: orb.Point{v[0] - d, v[1]}, Max: orb.Point{v[0] + d, v[1]}}, "horizontal line through a vertex"
		}
		return orb.Bound{Min: orb.Point{v[0], v[1] - d}, Max: orb.Point{v[0], v[1] + d}}, "vertical line through a vertex"
	case 3:
		v := p.vertex()
		d, e := p.degrees(-4, -1), p.degrees(-4, -1)
		switch p.rng.IntN(4) {
		case 0:
			return orb.Bound{Min: v, Max: orb.Point{v[0] + d, v[1] + e}}, "corner on a vertex"
		case 1:
			return orb.Bound{Min: orb.Point{v[0] - d, v[1] - e}, Max: v}, "corner on a vertex"
		case 2:
			return orb.Bound{Min: orb.Point{v[0] - d, v[1]}, Max: orb.Point{v[0], v[1] + e}}, "corner on a vertex"
		}
		return orb.Bound{Min: orb.Point{v[0], v[1] - e}, Max: orb.Point{v[0] + d, v[1]}}, "corner on a vertex"
	}
	c, how := p.point()
	d, e := p.degrees(-4, -0.5), p.degrees(-4, -0.5)
	return orb.Bound{Min: orb.Point{c[0] - d, c[1] - e}, Max: orb.Point{c[0] + d, c[1] + e}}, "around a point " + how
}

// recordBox draws a bounding box for point records: collapsed to one of
// their locations, a line through one, a box with one on its boundary, or
// any box.
func (p *prober) recordBox(locs []orb.Point) (orb.Bound, string) {
	l := pick(p.rng, locs)
	d, e := p.degrees(-6, -2), p.degrees(-6, -2)
	switch p.rng.IntN(4) {
	case 0:
		return orb.Bound{Min: l, Max: l}, "point at a location"
	case 1:
		if p.rng.IntN(2) == 0 {
			return orb.Bound{Min: orb.Point{l[0] - d, l[1]}, Max: orb.Point{l[0] + e, l[1]}}, "line through a location"
		}
		return orb.Bound{Min: orb.Point{l[0], l[1] - d}, Max: orb.Point{l[0], l[1] + e}}, "line through a location"
	case 2:
		x0 := l[0] - d*float64(p.rng.IntN(2))
		return orb.Bound{Min: orb.Point{x0, l[1]}, Max: orb.Point{x0 + d, l[1] + e}}, "location on the boundary"
	}
	return p.box()
}

// shape draws a small geometry to intersect with: a point, a line or a
// polygon, placed on vertices, edges and locations.
func (p *prober) shape() (orb.Geometry, string) {
	switch p.rng.IntN(8) {
	case 0:
		pt, how := p.point()
		return pt, "point " + how
	case 1:
		pt := pick(p.rng, p.locations)
		return pt, "point at a location"
	case 2:
		a, how := p.point()
		d := p.degrees(-5, -1.5)
		ang := p.rng.Float64() * 2 * math.Pi
		return orb.LineString{a, {a[0] + d*math.Cos(ang), a[1] + d*math.Sin(ang)}}, "line from a point " + how
	case 3:
		// A line through a location: the location, as computed, may lie
		// on it or a rounding off it.
		l := pick(p.rng, p.locations)
		d := p.degrees(-5, -2)
		ang := p.rng.Float64() * 2 * math.Pi
		dx, dy := d*math.Cos(ang), d*math.Sin(ang)
		return orb.LineString{{l[0] - dx, l[1] - dy}, {l[0] + dx, l[1] + dy}}, "line through a location"
	case 4:
		s := pick(p.rng, p.axis)
		return orb.LineString{s[0], s[1]}, "line along an axis-parallel edge"
	case 5:
		a, how := p.point()
		d := p.degrees(-4, -1.5)
		ang := p.rng.Float64() * 2 * math.Pi
		b := orb.Point{a[0] + d*math.Cos(ang), a[1] + d*math.Sin(ang)}
		c := orb.Point{a[0] + d*math.Cos(ang+2), a[1] + d*math.Sin(ang+2)}
		return orb.Polygon{{a, b, c, a}}, "triangle on a point " + how
	case 6:
		// A box with a location on its corner or its edge.
		l := pick(p.rng, p.locations)
		d, e := p.degrees(-5, -2), p.degrees(-5, -2)
		x0 := l[0] - d*float64(p.rng.IntN(2))
		return orb.Polygon{{{x0, l[1]}, {x0 + d, l[1]}, {x0 + d, l[1] + e}, {x0, l[1] + e}, {x0, l[1]}}},
			"box with a location on its boundary"
	}
	c, how := p.point()
	d := p.degrees(-3.5, -1)
	r := orb.Ring{}
	for k := range 5 {
		ang := 2 * math.Pi * (float64(k) + p.rng.Float64()*0.8) / 5
		f := 0.3 + 0.7*p.rng.Float64()
		r = append(r, orb.Point{c[0] + f*d*math.Cos(ang), c[1] + f*d*math.Sin(ang)})
	}
	return orb.Polygon{append(r, r[0])}, "pentagon around a point " + how
}

// nearProbe asks for the records near a point, all of them or a page.
func (p *prober) nearProbe() probe {
	var c orb.Point
	var how string
	if p.rng.IntN(3) == 0 {
		c, how = pick(p.rng, p.locations), "at a location"
	} else {
		c, how = p.point()
	}
	n := &db.Near{Point: c, RadiusMeters: math.Round(p.degrees(1, 4.5)*1000) / 1000}
	pg, full := p.page()
	sp := db.Spatial{Near: n}
	switch p.rng.IntN(3) {
	case 0:
		return areasProbe(db.AreaFilter{Kinds: p.kinds(), Spatial: sp}, pg, full, "near "+how)
	case 1:
		return initiativesProbe(db.InitiativeFilter{Spatial: sp}, pg, full, "near "+how)
	}
	return organizationsProbe(db.OrganizationFilter{Spatial: sp}, pg, full, "near "+how)
}

// withinProbe asks for the organisations or initiatives within a distance
// of an area or a drawn shape: 0 m, a random distance, or a location's own
// distance to the millimetre, where the two backends' rounding meets.
func (p *prober) withinProbe() probe {
	var g orb.Geometry
	var how string
	if p.rng.IntN(2) == 0 {
		g, how = pick(p.rng, p.ds.Areas).Geometry, "an area"
	} else {
		g, how = p.shape()
	}
	var m float64
	switch p.rng.IntN(3) {
	case 0:
		how += ", 0 m"
	case 1:
		m = math.Round(p.degrees(1, 4.5)*1000) / 1000
	default:
		m = math.Min(100_000, math.Round(geo.DistanceToGeometry(pick(p.rng, p.locations), g)*1000)/1000)
		how += ", a location's distance"
	}
	w := &db.Within{Geometry: g, Meters: m}
	sp := db.Spatial{Within: w}
	var pr probe
	if p.rng.IntN(2) == 0 {
		locs := map[int64][]orb.Point{}
		for _, in := range p.ds.Initiatives {
			locs[in.ID] = in.Locations
		}
		pr = initiativesProbe(db.InitiativeFilter{Spatial: sp}, db.Page{Limit: 100_000}, true, "within "+how)
		pr.within = func(id int64) (float64, bool) {
			l, ok := locs[id]
			return geo.PointsDistance(l, g), ok
		}
	} else {
		locs := map[int64]orb.Point{}
		for _, o := range p.ds.Organizations {
			if o.Location != nil {
				locs[o.ID] = *o.Location
			}
		}
		pr = organizationsProbe(db.OrganizationFilter{Spatial: sp}, db.Page{Limit: 100_000}, true, "within "+how)
		pr.within = func(id int64) (float64, bool) {
			l, ok := locs[id]
			return geo.DistanceToGeometry(l, g), ok
		}
	}
	pr.meters = m
	return pr
}

// northOfFlatEdges places points due north of areas whose northernmost
// vertices are joined by a flat segment. In degrees the area ends at that
// latitude, but the segment is a great-circle arc that bows north of it,
// so a point just beyond the area's bounding box can still be within the
// radius of the arc. Each probe's radius reaches past the arc's crest
// while the radius's own box, even rounded out to float32 as PostGIS
// rounds boxes, stays clear of the area's box: a prefilter on that box
// alone, without a pad, loses the area.
func (p *prober) northOfFlatEdges(limit int) []probe {
	var out []probe
	const radius = 50.0
	for _, a := range p.ds.Areas {
		top := a.Geometry.Bound().Max[1]
		var best [2]orb.Point
		for _, poly := range polygons(a.Geometry) {
			r := poly[0]
			for i := 0; i+1 < len(r); i++ {
				if r[i][1] == top && r[i+1][1] == top && math.Abs(r[i+1][0]-r[i][0]) > math.Abs(best[1][0]-best[0][0]) {
					best = [2]orb.Point{r[i], r[i+1]}
				}
			}
		}
		if best[0] == best[1] {
			continue
		}
		mid := (best[0][0] + best[1][0]) / 2
		half := math.Abs(best[1][0]-best[0][0]) / 2 * math.Pi / 180
		crest := math.Atan(math.Tan(top*math.Pi/180)/math.Cos(half)) * 180 / math.Pi
		ulp := float64(math.Nextafter32(float32(top), math.MaxFloat32) - float32(top))
		// The radius's box reaches dlat north and south, as
		// geo.RadiusBound draws it.
		dlat := geo.RadiusBound(orb.Point{mid, top}, radius).Max[1] - top
		y := top + dlat + 4*ulp
		if geo.GeodesicDistance(orb.Point{mid, y}, orb.Point{mid, crest}) > radius*0.99 {
			continue // the crest is too low to reach
		}
		n := &db.Near{Point: orb.Point{mid, y}, RadiusMeters: radius}
		out = append(out, areasProbe(db.AreaFilter{Spatial: db.Spatial{Near: n}}, db.Page{Limit: 100_000}, true,
			"near north of a flat northern edge"))
		if len(out) == limit {
			break
		}
	}
	return out
}

// --- probes and the Go that replays them ---

func areasAtProbe(pt orb.Point, kinds []db.AreaKind, how string) probe {
	return probe{op: "AreasAt", how: how, full: true,
		call: fmt.Sprintf("AreasAt(ctx, %s, %s)", lit(pt), kindsLit(kinds)),
		ask: func(ctx context.Context, s db.Store) (answer, error) {
			got, err := s.AreasAt(ctx, pt, kinds, time.Time{})
			var a answer
			for _, x := range got {
				a.ids = append(a.ids, x.ID)
			}
			a.total = len(a.ids)
			return a, err
		}}
}

func areasProbe(f db.AreaFilter, pg db.Page, full bool, how string) probe {
	return probe{op: "Areas", how: how, full: full, near: f.Near,
		call: fmt.Sprintf("Areas(ctx, db.AreaFilter{Kinds: %s, Spatial: %s}, %#v)", kindsLit(f.Kinds), spatialLit(f.Spatial), pg),
		ask: func(ctx context.Context, s db.Store) (answer, error) {
			l, err := s.Areas(ctx, f, pg)
			return listAnswer(l, func(a *db.Area) int64 { return a.ID }), err
		}}
}

func initiativesProbe(f db.InitiativeFilter, pg db.Page, full bool, how string) probe {
	return probe{op: "Initiatives", how: how, full: full, near: f.Near,
		call: fmt.Sprintf("Initiatives(ctx, db.InitiativeFilter{Spatial: %s}, %#v)", spatialLit(f.Spatial), pg),
		ask: func(ctx context.Context, s db.Store) (answer, error) {
			l, err := s.Initiatives(ctx, f, pg)
			return listAnswer(l, func(in *db.Initiative) int64 { return in.ID }), err
		}}
}

func organizationsProbe(f db.OrganizationFilter, pg db.Page, full bool, how string) probe {
	return probe{op: "Organizations", how: how, full: full, near: f.Near,
		call: fmt.Sprintf("Organizations(ctx, db.OrganizationFilter{Spatial: %s}, %#v)", spatialLit(f.Spatial), pg),
		ask: func(ctx context.Context, s db.Store) (answer, error) {
			l, err := s.Organizations(ctx, f, pg)
			return listAnswer(l, func(o *db.Organization) int64 { return o.ID }), err
		}}
}

func listAnswer[T any](l db.List[T], id func(T) int64) answer {
	a := answer{total: l.Total, dists: l.Distances, wdists: l.WithinDistances}
	for _, x := range l.Items {
		a.ids = append(a.ids, id(x))
	}
	return a
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func pointLit(p orb.Point) string { return "{" + num(p[0]) + ", " + num(p[1]) + "}" }

func pointsLit(ps []orb.Point) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = pointLit(p)
	}
	return strings.Join(parts, ", ")
}

// lit writes g as a Go literal that rebuilds it exactly.
func lit(g orb.Geometry) string {
	switch g := g.(type) {
	case orb.Point:
		return "orb.Point" + pointLit(g)
	case orb.LineString:
		return "orb.LineString{" + pointsLit(g) + "}"
	case orb.Polygon:
		rings := make([]string, len(g))
		for i, r := range g {
			rings[i] = "{" + pointsLit(r) + "}"
		}
		return "orb.Polygon{" + strings.Join(rings, ", ") + "}"
	case orb.Bound:
		return "orb.Bound{Min: orb.Point" + pointLit(g.Min) + ", Max: orb.Point" + pointLit(g.Max) + "}"
	}
	return fmt.Sprintf("%#v", g)
}

func kindsLit(ks []db.AreaKind) string {
	if ks == nil {
		return "nil"
	}
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = strconv.Quote(string(k))
	}
	return "[]db.AreaKind{" + strings.Join(parts, ", ") + "}"
}

func spatialLit(sp db.Spatial) string {
	var parts []string
	if sp.BBox != nil {
		parts = append(parts, "BBox: &"+lit(*sp.BBox))
	}
	if sp.Intersects != nil {
		parts = append(parts, "Intersects: "+lit(sp.Intersects))
	}
	if sp.Near != nil {
		parts = append(parts, fmt.Sprintf("Near: &db.Near{Point: %s, RadiusMeters: %s}", lit(sp.Near.Point), num(sp.Near.RadiusMeters)))
	}
	if sp.Within != nil {
		parts = append(parts, fmt.Sprintf("Within: &db.Within{Geometry: %s, Meters: %s}", lit(sp.Within.Geometry), num(sp.Within.Meters)))
	}
	return "db.Spatial{" + strings.Join(parts, ", ") + "}"
}
