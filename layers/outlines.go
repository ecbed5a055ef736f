package layers

import (
	"container/list"
	"sync"
	"unsafe"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// outlineCacheBytes bounds the outlines kept simplified: a few zooms of a
// national set of statistical areas fit, and it stays a small part of
// what the embedded store holds.
const outlineCacheBytes = 32 << 20

// outlineCache keeps area outlines simplified per zoom. Simplifying an
// outline costs its whole length, and every tile it reaches into asked
// for it again (a third to a half of what a tile of areas cost); kept,
// each outline is simplified once per zoom and every tile only cuts out
// its part.
//
// An entry is keyed by the area's id and version, so a write, which gives
// an area a new version on both backends (db.Writer), is never answered
// from the outline it replaced: the new version misses
// and is simplified afresh, and what the old one left is the first to go
// once the cache is full. Nothing needs to tell the cache of writes.
//
// It is bounded in bytes (the positions of the simplified outlines plus a
// fixed overhead per entry) and drops the least recently used first. The
// geometries it hands out are shared: callers must not change them.
type outlineCache struct {
	mu    sync.Mutex
	limit int
	used  int
	lru   list.List // of *outlineEntry, most recent first
	byKey map[outlineKey]*list.Element
	// simplified counts the outlines simplified, for the tests that show
	// what the cache saves.
	simplified int
}

type outlineKey struct {
	id, version int64
	zoom        int
}

type outlineEntry struct {
	key   outlineKey
	g     orb.Geometry
	bytes int
}

func newOutlineCache(limit int) *outlineCache {
	return &outlineCache{limit: limit, byKey: map[outlineKey]*list.Element{}}
}

// at returns outline g of area id at version, simplified for zoom by
// geo.Simplify at the tolerance of a pixel at the outline's latitude.
func (c *outlineCache) at(id, version int64, zoom int, g orb.Geometry) orb.Geometry {
	k := outlineKey{id: id, version: version, zoom: zoom}
	c.mu.Lock()
	if e, ok := c.byKey[k]; ok {
		c.lru.MoveToFront(e)
		s := e.Value.(*outlineEntry).g
		c.mu.Unlock()
		return s
	}
	c.mu.Unlock()
	// Simplified outside the lock: two requests for one outline may both
	// simplify it, which costs less than making every other wait.
	s := geo.Simplify(g, geo.ToleranceForZoom(float64(zoom), g.Bound().Center()[1]))
	n := geometryBytes(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.simplified++
	if _, ok := c.byKey[k]; ok || n > c.limit {
		return s
	}
	for c.used+n > c.limit {
		last := c.lru.Back()
		e := last.Value.(*outlineEntry)
		c.lru.Remove(last)
		delete(c.byKey, e.key)
		c.used -= e.bytes
	}
	c.byKey[k] = c.lru.PushFront(&outlineEntry{key: k, g: s, bytes: n})
	c.used += n
	return s
}

// Simplified is how many outlines the handler has simplified for a zoom,
// for tests.
func (h *Handler) Simplified() int {
	h.outlines.mu.Lock()
	defer h.outlines.mu.Unlock()
	return h.outlines.simplified
}

// geometryBytes is about what g and its cache entry hold in memory: its
// positions, a slice header per ring and part, and the entry itself.
func geometryBytes(g orb.Geometry) int {
	const point = int(unsafe.Sizeof(orb.Point{}))
	const header = int(unsafe.Sizeof([]orb.Point{}))
	n := 256 // the entry, its list element and map slot
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
	default:
		n += 1024 // not polygonal: an estimate is enough
	}
	return n
}
