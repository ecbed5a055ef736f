// Package outline serves area outlines simplified so that neighbours keep
// their common border: the outlines of a set of areas that tile a region
// are simplified together as one coverage (geo.Coverage), once per
// tolerance, and kept. The map tiles, the GeoJSON layers and GraphQL's
// geometry field all take simplified outlines from here, so a choropleth
// has no slivers or overlaps at any zoom, whichever door it came through.
package outline

import (
	"container/list"
	"context"
	"math"
	"sync"
	"unsafe"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// DefaultBytes is the memory Cache keeps outlines in when New is given
// none: the national set of statistical areas (6,000 DeSO, some 10 MB as
// arcs) and a few zooms of it, the finest of which are nearly as large
// and the rest far smaller. The server keeps one for GraphQL, the map
// layers and OGC API together, so a zoom a map asked for through one
// door is not simplified and held again for another.
const DefaultBytes = 64 << 20

// Cache simplifies area outlines as coverages and keeps the results.
//
// Areas are simplified together with the others of their group: those of
// one kind in use over the same period (DeSO 2018 and DeSO 2025 are two
// groups), which tile their region without overlapping. A group is read
// from the store when one of its areas is first asked for, and read
// again when an area is asked for at a version the group does not hold:
// every write gives an area a new version on both backends (db.Writer),
// so a group never answers with an outline that has changed; an area
// added to a group is not in it, and rebuilds it too.
//
// It is bounded in bytes: the positions each group holds (as arcs, each
// shared border once) and each simplification of it, the least recently used going
// first. A group larger than half the bound is not kept, and its areas
// are simplified one by one (geo.Simplify), as they would be without it.
//
// Tolerances asked in metres are taken down to the nearest of a ladder of
// steps a twentieth of a decade apart (1, 1.12, 1.26, … 10, 11.2, … m,
// round figures such as 100 and 1000 among them), and fractional
// zooms up to the next fifth of a level, never coarser than asked: so a
// client cannot make the cache simplify a group afresh (some 60 ms of CPU
// for 6,000 statistical areas) with every request by asking for ever new
// tolerances; there are some 210 steps from 1 m to 100 km and zoom 0 to
// 22.
type Cache struct {
	store db.AreaReader
	limit int

	mu     sync.Mutex
	groups map[groupKey]*group
	used   int
	lru    list.List // of *simplified, most recent first
	// building are the groups being read and prepared, by key (flight.go).
	building map[groupKey]*flight[*group]
	// watches are the groups being read, told of the areas Forget drops
	// meanwhile, so that a group read before a change is not kept after it.
	watches map[*watch]struct{}
	// builds counts the groups read and prepared, and simplifications the
	// groups simplified, for tests.
	builds, simplifications int
	// follow is the change feed that drops groups (follow.go); nil
	// without one.
	follow *feedFollow
}

// New returns a Cache over store holding at most limit bytes (DefaultBytes
// when limit is not positive).
func New(store db.AreaReader, limit int) *Cache {
	if limit <= 0 {
		limit = DefaultBytes
	}
	return &Cache{store: store, limit: limit, groups: map[groupKey]*group{},
		building: map[groupKey]*flight[*group]{}, watches: map[*watch]struct{}{}}
}

// groupKey names a group: a kind and a period, in Unix seconds, with
// math.MinInt64 and math.MaxInt64 for an open start and end.
type groupKey struct {
	kind     db.AreaKind
	from, to int64
}

func keyOf(a *db.Area) groupKey {
	k := groupKey{kind: a.Kind, from: math.MinInt64, to: math.MaxInt64}
	if a.ValidFrom != nil {
		k.from = a.ValidFrom.Unix()
	}
	if a.ValidTo != nil {
		k.to = a.ValidTo.Unix()
	}
	return k
}

type group struct {
	key      groupKey
	index    map[int64]int // area id → its place
	versions []int64
	cov      *geo.Coverage
	bytes    int
	byTol    map[tolerance]*list.Element
	// pending are the simplifications of the group in progress (flight.go).
	pending map[tolerance]*flight[[]orb.Geometry]
}

// holds is whether g holds a as it is.
func (g *group) holds(a *db.Area) bool {
	i, ok := g.index[a.ID]
	return ok && g.versions[i] == a.Version
}

// watch is a group being read: the areas Forget dropped since the read
// began, or all of them.
type watch struct {
	ids []int64
	all bool
}

// stale is whether Forget dropped an area of g while it was read.
func (w *watch) stale(g *group) bool {
	if w.all {
		return true
	}
	for _, id := range w.ids {
		if _, ok := g.index[id]; ok {
			return true
		}
	}
	return false
}

// tolerance is a zoom (meters 0) or a tolerance in metres (zoom -1).
type tolerance struct {
	zoom   float64
	meters float64
}

type simplified struct {
	g     *group
	tol   tolerance
	geoms []orb.Geometry
	bytes int
}

// Builds is how many groups the cache has read from the store and
// prepared.
func (c *Cache) Builds() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.builds
}

// A nil Cache simplifies every area by itself.

// Zoom returns a's outline simplified for a web map zoom: detail smaller
// than a pixel at the zoom (geo.ToleranceForZoom at the latitude of each
// border) is gone, and every border a shares with an area of its group is
// the same line in both. The geometry is shared: callers must not change
// it.
//
// A fractional zoom is taken up to the next fifth of a zoom level, the
// steps of the ladder of tolerances (see Cache).
func (c *Cache) Zoom(ctx context.Context, a *db.Area, zoom float64) (orb.Geometry, error) {
	return c.at(ctx, a, tolerance{zoom: math.Ceil(max(zoom, 0)*5) / 5})
}

// Meters is Zoom for a tolerance in metres, taken down to the ladder (see
// Cache).
func (c *Cache) Meters(ctx context.Context, a *db.Area, meters float64) (orb.Geometry, error) {
	if !(meters > 0) {
		return a.Geometry, nil
	}
	return c.at(ctx, a, tolerance{zoom: -1, meters: Step(meters)})
}

// Step is the tolerance Meters simplifies with for meters: the largest
// step of the ladder 10^(k/20) m not above it (meters itself below 1 m).
func Step(meters float64) float64 {
	if meters < 1 {
		return meters
	}
	// The nudge keeps a round figure, whose logarithm may come out a
	// hair low, on its own step.
	k := math.Floor(math.Log10(meters)*20 + 1e-9)
	s := math.Pow(10, k/20)
	if s > meters {
		s = math.Pow(10, (k-1)/20)
	}
	return s
}

// ZoomByID is Zoom for an area that may have been read without its
// outline (db.PartGeometry, as a map tile reads its areas): the outline
// is found by a's id and version, its group's as held for that version,
// or else read from the store; a's own Geometry is not looked at. c must
// not be nil.
func (c *Cache) ZoomByID(ctx context.Context, a *db.Area, zoom float64) (orb.Geometry, error) {
	tol := tolerance{zoom: math.Ceil(max(zoom, 0)*5) / 5}
	g, err := c.group(ctx, a)
	if err != nil {
		return nil, err
	}
	if g != nil {
		return c.simplified(ctx, g, g.index[a.ID], tol)
	}
	// The group is too large to keep, or a changed as it was read: its
	// outline as it is now, simplified by itself.
	found, err := c.store.AreasByID(ctx, []int64{a.ID})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 || found[0] == nil || found[0].Geometry == nil {
		return nil, nil
	}
	return c.alone(found[0], tol), nil
}

func (c *Cache) at(ctx context.Context, a *db.Area, tol tolerance) (orb.Geometry, error) {
	if a.Geometry == nil {
		return nil, nil
	}
	if c == nil {
		return c.alone(a, tol), nil
	}
	g, err := c.group(ctx, a)
	if err != nil {
		return nil, err
	}
	if g == nil {
		return c.alone(a, tol), nil
	}
	return c.simplified(ctx, g, g.index[a.ID], tol)
}

// simplified is the outline of the area at place i of group g for tol,
// the group simplified for it first when it is not yet: once, however
// many requests ask for it meanwhile (flight.go).
func (c *Cache) simplified(ctx context.Context, g *group, i int, tol tolerance) (orb.Geometry, error) {
	c.mu.Lock()
	if e, ok := g.byTol[tol]; ok {
		c.lru.MoveToFront(e)
		out := e.Value.(*simplified).geoms[i]
		c.mu.Unlock()
		return out, nil
	}
	c.mu.Unlock()
	geoms, _, err := join(ctx, c, g.pending, tol, func(context.Context) ([]orb.Geometry, error) {
		return c.simplify(g, tol), nil
	})
	if err != nil {
		return nil, err
	}
	return geoms[i], nil
}

// simplify simplifies group g for tol and keeps the result while g is
// kept.
func (c *Cache) simplify(g *group, tol tolerance) []orb.Geometry {
	c.mu.Lock()
	if e, ok := g.byTol[tol]; ok {
		// Kept by a simplification that ended as this one was asked for.
		c.mu.Unlock()
		return e.Value.(*simplified).geoms
	}
	c.mu.Unlock()
	var geoms []orb.Geometry
	if tol.zoom >= 0 {
		geoms = g.cov.SimplifyForZoom(tol.zoom)
	} else {
		geoms = g.cov.Simplify(tol.meters)
	}
	s := &simplified{g: g, tol: tol, geoms: geoms, bytes: 64}
	for _, x := range geoms {
		s.bytes += geometryBytes(x)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.simplifications++
	if c.groups[g.key] == g && g.byTol[tol] == nil {
		c.makeRoom(s.bytes)
		// Room may have been made by dropping the group itself.
		if c.groups[g.key] == g {
			g.byTol[tol] = c.lru.PushFront(s)
			c.used += s.bytes
		}
	}
	return geoms
}

// alone simplifies a by itself, for an area whose group is too large to
// keep.
func (c *Cache) alone(a *db.Area, tol tolerance) orb.Geometry {
	t := tol.meters
	if tol.zoom >= 0 {
		t = geo.ToleranceForZoom(tol.zoom, a.Geometry.Bound().Center()[1])
	}
	return geo.Simplify(a.Geometry, t)
}

// group returns a's group as the cache holds it, reading it anew when it
// is not held or does not hold a as it is; nil when the group is too
// large to keep, or a changed again as it was read. The requests that miss
// the same group at once wait for one read (flight.go).
func (c *Cache) group(ctx context.Context, a *db.Area) (*group, error) {
	k := keyOf(a)
	c.mu.Lock()
	g := c.groups[k]
	c.mu.Unlock()
	if g != nil && g.holds(a) {
		return g, nil
	}
	build := func(ctx context.Context) (*group, error) { return c.build(ctx, k) }
	for try := 0; ; try++ {
		g, started, err := join(ctx, c, c.building, k, build)
		if err != nil || g == nil || g.holds(a) {
			return g, err
		}
		if started || try > 0 {
			// Read after a was: a changed again since. Serve it by
			// itself.
			return nil, nil
		}
		// The read joined may have begun before a's version was
		// written: read again, once, since a read begun now sees it.
	}
}

// build reads the group k and prepares it, and keeps it unless the change
// feed told of a change to one of its areas meanwhile; nil when it is too
// large to keep.
func (c *Cache) build(ctx context.Context, k groupKey) (*group, error) {
	c.startFollowing()
	w := &watch{}
	c.mu.Lock()
	c.watches[w] = struct{}{}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.watches, w)
		c.mu.Unlock()
	}()
	areas, err := c.read(ctx, k)
	if err != nil {
		return nil, err
	}
	g := &group{key: k, index: make(map[int64]int, len(areas)), versions: make([]int64, len(areas)),
		byTol: map[tolerance]*list.Element{}, pending: map[tolerance]*flight[[]orb.Geometry]{}}
	geoms := make([]orb.Geometry, len(areas))
	size := 0
	for i, x := range areas {
		g.index[x.ID] = i
		g.versions[i] = x.Version
		geoms[i] = x.Geometry
		size += geometryBytes(x.Geometry)
	}
	// The arcs hold each shared border once, less than the outlines as
	// read; with the Douglas–Peucker runs they grow to about three times that.
	if size > c.limit/2 {
		return nil, nil
	}
	g.cov = geo.NewCoverage(geoms)
	g.bytes = 3*g.cov.Bytes() + 24*len(areas)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.builds++
	if w.stale(g) {
		// Served to the requests that wait for it, which check their
		// areas' versions, but not kept: what the feed dropped stays
		// dropped.
		return g, nil
	}
	if old := c.groups[k]; old != nil {
		c.drop(old)
	}
	c.makeRoom(g.bytes)
	c.groups[k] = g
	c.used += g.bytes
	return g, nil
}

// read reads every area of a group, in pages.
func (c *Cache) read(ctx context.Context, k groupKey) ([]*db.Area, error) {
	var out []*db.Area
	p := db.Page{Limit: 10_000}
	for {
		l, err := c.store.Areas(ctx, db.AreaFilter{Kinds: []db.AreaKind{k.kind}}, p)
		if err != nil {
			return nil, err
		}
		for _, a := range l.Items {
			if keyOf(a) == k && a.Geometry != nil {
				out = append(out, a)
			}
		}
		if len(l.Items) < p.Limit {
			return out, nil
		}
		p.After = &db.Key{ID: l.Items[len(l.Items)-1].ID}
	}
}

// drop forgets a group and its simplifications; c.mu is held.
func (c *Cache) drop(g *group) {
	for _, e := range g.byTol {
		c.used -= e.Value.(*simplified).bytes
		c.lru.Remove(e)
	}
	clear(g.byTol)
	if c.groups[g.key] == g {
		delete(c.groups, g.key)
	}
	c.used -= g.bytes
}

// makeRoom drops the least recently used simplifications, and then the
// groups left without any, until n more bytes fit; c.mu is held.
func (c *Cache) makeRoom(n int) {
	for c.used+n > c.limit && c.lru.Len() > 0 {
		e := c.lru.Back()
		s := e.Value.(*simplified)
		c.lru.Remove(e)
		delete(s.g.byTol, s.tol)
		c.used -= s.bytes
	}
	for k, g := range c.groups {
		if c.used+n <= c.limit {
			break
		}
		if len(g.byTol) == 0 {
			c.used -= g.bytes
			delete(c.groups, k)
		}
	}
}

// geometryBytes is about what g holds in memory: its positions and a
// slice header per ring and part.
func geometryBytes(g orb.Geometry) int {
	const point = int(unsafe.Sizeof(orb.Point{}))
	const header = int(unsafe.Sizeof([]orb.Point{}))
	n := 16
	switch g := g.(type) {
	case orb.Ring:
		n += header + point*len(g)
	case orb.Polygon:
		for _, r := range g {
			n += header + point*len(r)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			n += header
			for _, r := range p {
				n += header + point*len(r)
			}
		}
	}
	return n
}
