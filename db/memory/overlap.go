package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// overlapCache keeps what AreaOverlaps measured, since an overlay of two
// outlines costs a fraction of a millisecond and a roll-up of a district
// needs dozens. Writes keep it true (indexArea and unindexArea call
// forget): a changed statistical area may change any target's overlaps,
// so it empties the cache; a changed target only drops its own entry.
// Readers fill it under the store's read lock, which no write holds at the
// same time, so an entry never outlives the areas it was measured on. It
// has a lock of its own because readers share the store's.
type overlapCache struct {
	mu        sync.Mutex
	projected map[int64]projected
	byTarget  map[int64]*db.Overlaps
	// measured counts the overlays run, for the tests and benchmarks that
	// show what the cache saves.
	measured int
}

// projected is an outline in SWEREF 99 TM with its planar surface.
type projected struct {
	g    orb.Geometry
	area float64
}

// forget drops what the cache knows of a, which is being written.
func (c *overlapCache) forget(a *db.Area) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.projected, a.ID)
	if a.Kind == db.KindStatisticalArea {
		clear(c.byTarget)
		return
	}
	delete(c.byTarget, a.ID)
}

func (c *overlapCache) project(a *db.Area) projected {
	c.mu.Lock()
	p, ok := c.projected[a.ID]
	c.mu.Unlock()
	if ok {
		return p
	}
	g := geo.ToSWEREF99TMFromWGS84(a.Geometry)
	p = projected{g: g, area: geo.PlanarArea(g)}
	c.mu.Lock()
	if c.projected == nil {
		c.projected = map[int64]projected{}
	}
	c.projected[a.ID] = p
	c.mu.Unlock()
	return p
}

func (c *overlapCache) cached(id int64) (*db.Overlaps, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.byTarget[id]
	return o, ok
}

func (c *overlapCache) keep(o *db.Overlaps, overlays int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byTarget == nil {
		c.byTarget = map[int64]*db.Overlaps{}
	}
	c.byTarget[o.TargetID] = o
	c.measured += overlays
}

// Overlays is how many overlays of two outlines the store has run.
func (s *Store) Overlays() int {
	s.overlaps.mu.Lock()
	defer s.overlaps.mu.Unlock()
	return s.overlaps.measured
}

// AreaOverlaps measures each target against the statistical areas whose
// bounding boxes meet its own (the R-tree), with geo.IntersectionArea in
// SWEREF 99 TM; answers come from the cache while no area has changed.
func (s *Store) AreaOverlaps(ctx context.Context, targetIDs []int64) ([]*db.Overlaps, error) {
	if err := db.CheckOverlapTargets(targetIDs); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	pl := &poll{ctx: ctx}
	out := make([]*db.Overlaps, len(targetIDs))
	for i, id := range targetIDs {
		t := s.areas[id]
		if t == nil {
			continue
		}
		o, ok := s.overlaps.cached(id)
		if !ok {
			var err error
			if o, err = s.measureOverlaps(pl, t); err != nil {
				return nil, err
			}
		}
		out[i] = o.Clone()
	}
	return out, nil
}

func (s *Store) measureOverlaps(pl *poll, t *db.Area) (*db.Overlaps, error) {
	tp := s.overlaps.project(t)
	o := &db.Overlaps{TargetID: t.ID, TargetArea: tp.area}
	if t.Kind == db.KindStatisticalArea {
		s.overlaps.keep(o, 0)
		return o, nil
	}
	var ids []int64
	lo, hi := rect(t.Geometry.Bound())
	s.areaIdx.Search(lo, hi, func(_, _ [2]float64, id int64) bool {
		if a := s.areas[id]; a.Kind == db.KindStatisticalArea {
			ids = append(ids, id)
		}
		return true
	})
	if len(ids) > db.MaxOverlapSources {
		return nil, db.TooManySources(t.ID)
	}
	slices.Sort(ids)
	for _, id := range ids {
		// An overlay is thousands of steps: look at the deadline before
		// each.
		if err := pl.ctx.Err(); err != nil {
			return nil, err
		}
		a := s.areas[id]
		sp := s.overlaps.project(a)
		shared, err := geo.IntersectionArea(tp.g, sp.g)
		if err != nil {
			// Internal: the outlines were valid when stored.
			return nil, fmt.Errorf("memory: overlap of area %s and statistical area %s: %w", t.NodeID(), a.Code, err)
		}
		if shared < db.MinSharedArea {
			continue
		}
		o.Sources = append(o.Sources, db.Overlap{SourceID: id, SourceCode: a.Code, ValidFrom: a.ValidFrom, ValidTo: a.ValidTo,
			SourceArea: sp.area, Shared: shared})
	}
	s.overlaps.keep(o, len(ids))
	return o, nil
}
