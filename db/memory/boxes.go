package memory

import (
	"slices"
	"sync"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// boxCache keeps, per box, the areas whose outlines meet it, so that a
// client walking the pages of one bbox query (GraphQL's after, the map
// layers' and OGC API's next links) pays for the exact test once, not
// once per page: a page is cut from the whole list, whose total the
// answer carries, so every page needed every outline tested.
//
// Writes keep it true: indexArea and unindexArea call forget, which
// empties it, since any changed outline may enter or leave any box.
// Readers fill it under the store's read lock, which no write holds at
// the same time, so an entry never outlives the outlines it was tested
// on. It has a lock of its own because readers share the store's.
//
// It is bounded in entries and in ids, so a client asking for ever new
// boxes costs it at most maxBoxIDs×8 bytes; the oldest entries go first.
type boxCache struct {
	mu      sync.Mutex
	entries map[orb.Bound][]int64
	order   []orb.Bound // oldest first
	ids     int         // ids held in all entries
	// tested counts the exact box tests run, for the tests that show what
	// the cache saves.
	tested int
}

const (
	maxBoxEntries = 256
	// maxBoxIDs is 2 MiB of ids: a box over the whole national dataset
	// (about 6,000 statistical areas and their parents) fits many times.
	maxBoxIDs = 1 << 18
)

func (c *boxCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.order, c.ids = c.order[:0], 0
}

func (c *boxCache) get(b orb.Bound) ([]int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids, ok := c.entries[b]
	return ids, ok
}

func (c *boxCache) keep(b orb.Bound, ids []int64, tested int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tested += tested
	if len(ids) > maxBoxIDs {
		return
	}
	if _, ok := c.entries[b]; ok {
		return // another reader was quicker
	}
	for len(c.order) > 0 && (len(c.order) >= maxBoxEntries || c.ids+len(ids) > maxBoxIDs) {
		c.ids -= len(c.entries[c.order[0]])
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	if c.entries == nil {
		c.entries = map[orb.Bound][]int64{}
	}
	c.entries[b] = ids
	c.order = append(c.order, b)
	c.ids += len(ids)
}

// BoxTests is how many outlines the store has tested against a bbox
// filter's box.
func (s *Store) BoxTests() int {
	s.boxes.mu.Lock()
	defer s.boxes.mu.Unlock()
	return s.boxes.tested
}

// areasInBox returns, ascending, the areas whose outlines meet b, from the
// cache or tested now. The caller holds the read lock.
func (s *Store) areasInBox(pl *poll, b orb.Bound) ([]int64, error) {
	if ids, ok := s.boxes.get(b); ok {
		return ids, nil
	}
	cand := candidates(db.Spatial{BBox: &b}, s.areaIDs, s.areaIdx.Search)
	ids := []int64{}
	for _, id := range cand {
		if err := pl.next(); err != nil {
			return nil, err
		}
		if g := s.areas[id].Geometry; g != nil && geo.IntersectsBox(g, b) {
			ids = append(ids, id)
		}
	}
	s.boxes.keep(b, slices.Clip(ids), len(cand))
	return ids, nil
}
