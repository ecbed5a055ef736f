package memory

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// hit is a record that passed a filter, with its distances when the
// filter has a Near or a Within part.
type hit struct {
	id   int64
	dist dists
}

// dists are a record's distances from a filter's Near point and from its
// Within geometry.
type dists struct{ near, within float64 }

// spatialBound is a box every record passing sp must touch, so that the
// R-tree gives the candidates; ok is false when sp sets no location filter.
// A record must touch each filter's box, not their intersection (it may
// reach into both from outside), so the smallest box is the one to use.
func spatialBound(sp db.Spatial) (b orb.Bound, ok bool) {
	add := func(x orb.Bound) {
		if !ok || boundArea(x) < boundArea(b) {
			b, ok = x, true
		}
	}
	if sp.BBox != nil {
		add(*sp.BBox)
	}
	if sp.Intersects != nil {
		add(sp.Intersects.Bound())
	}
	if sp.Near != nil {
		// An edge between two vertices is a great-circle arc, which bows
		// poleward out of the vertices' box; the pad (about 100 m) keeps
		// an area whose arc comes within the radius among the candidates.
		add(geo.RadiusBound(sp.Near.Point, sp.Near.RadiusMeters).Pad(0.001))
	}
	if sp.Within != nil {
		add(sp.Within.Bound())
	}
	return b, ok
}

func boundArea(b orb.Bound) float64 { return (b.Max[0] - b.Min[0]) * (b.Max[1] - b.Min[1]) }

// matchSpatial applies the exact location tests to a geometry; the distance
// is for Near, whose ordering the caller applies.
func matchSpatial(sp db.Spatial, g orb.Geometry) (bool, dists) {
	var d dists
	if g == nil {
		return false, d
	}
	if sp.BBox != nil && !geo.IntersectsBox(g, *sp.BBox) {
		return false, d
	}
	if sp.Intersects != nil && !geo.Intersects(g, sp.Intersects) {
		return false, d
	}
	if sp.Within != nil {
		d.within = withinDistance(g, sp.Within)
		if !(d.within <= sp.Within.Meters) {
			return false, d
		}
		d.within = roundDistance(d.within)
	}
	if sp.Near != nil {
		d.near = roundDistance(geo.DistanceToGeometry(sp.Near.Point, g))
		return d.near <= sp.Near.RadiusMeters, d
	}
	return true, d
}

// roundDistance rounds to 1e-8 m as PostGIS rounds geography distances:
// rounding alike keeps rounding noise (a point on an edge two areas share
// is 0 m from one and 2e-10 m from the other) from ordering ties apart.
func roundDistance(d float64) float64 { return math.Round(d*1e8) / 1e8 }

// withinDistance is the distance of g, a location or the locations of an
// initiative, from w's geometry: that of the nearest point, as PostGIS's
// ST_DWithin and ST_Distance take it.
func withinDistance(g orb.Geometry, w *db.Within) float64 {
	var pts []orb.Point
	switch g := g.(type) {
	case orb.Point:
		pts = []orb.Point{g}
	case orb.MultiPoint:
		pts = g
	}
	return geo.PointsDistance(pts, w.Geometry)
}

func hasSpatial(sp db.Spatial) bool {
	return sp.BBox != nil || sp.Intersects != nil || sp.Near != nil || sp.Within != nil
}

// candidates returns the ids to test, ascending: the R-tree's answer when
// a location filter is set, else all of them.
func candidates(sp db.Spatial, all []int64, search func(lo, hi [2]float64, fn func(lo, hi [2]float64, id int64) bool)) []int64 {
	b, ok := spatialBound(sp)
	if !ok {
		return all
	}
	var ids []int64
	lo, hi := rect(b)
	search(lo, hi, func(_, _ [2]float64, id int64) bool {
		ids = append(ids, id)
		return true
	})
	slices.Sort(ids)
	return slices.Compact(ids) // an initiative has one entry per location
}

// collect runs match over ids, keeping the order the contract asks for.
func collect(pl *poll, ids []int64, near bool, match func(id int64) (bool, dists)) ([]hit, error) {
	var hits []hit
	for _, id := range ids {
		if err := pl.next(); err != nil {
			return nil, err
		}
		if ok, d := match(id); ok {
			hits = append(hits, hit{id, d})
		}
	}
	if near {
		slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(a.dist.near, b.dist.near) })
	}
	return hits, nil
}

// page cuts one page out of hits, which are in the list's order, and
// clones its records. The keys are found by binary search: hits are sorted
// by (distance, id) nearest first, by id otherwise.
func page[T any](hits []hit, p db.Page, sp db.Spatial, get func(int64) T) db.List[T] {
	near, within := sp.Near != nil, sp.Within != nil
	less := func(ad float64, aid int64, bd float64, bid int64) bool { // a comes before b
		if near && ad != bd {
			return ad < bd
		}
		return aid < bid
	}
	upTo, below := 0, len(hits)
	if k := p.After; k != nil { // the first hit after the place
		upTo = sort.Search(len(hits), func(i int) bool { return less(k.Dist, k.ID, hits[i].dist.near, hits[i].id) })
	}
	if k := p.Before; k != nil { // the first hit not before the place
		below = sort.Search(len(hits), func(i int) bool { return !less(hits[i].dist.near, hits[i].id, k.Dist, k.ID) })
	}
	lo, hi := p.Bounds(len(hits), upTo, below)
	l := db.List[T]{Total: len(hits), Start: lo, Items: make([]T, 0, hi-lo)}
	for _, h := range hits[lo:hi] {
		l.Items = append(l.Items, get(h.id))
		if near {
			l.Distances = append(l.Distances, h.dist.near)
		}
		if within {
			l.WithinDistances = append(l.WithinDistances, h.dist.within)
		}
	}
	if near && l.Distances == nil {
		l.Distances = []float64{}
	}
	if within && l.WithinDistances == nil {
		l.WithinDistances = []float64{}
	}
	return l
}

func containsFold(s, sub string) bool {
	return sub == "" || strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func anyOf[T comparable](set, vals []T) bool {
	if len(set) == 0 {
		return true
	}
	for _, v := range vals {
		if slices.Contains(set, v) {
			return true
		}
	}
	return false
}

func oneOf[T comparable](set []T, v T) bool { return len(set) == 0 || slices.Contains(set, v) }

// --- areas ---

func (s *Store) matchArea(f *db.AreaFilter) func(id int64) (bool, dists) {
	return func(id int64) (bool, dists) {
		a := s.areas[id]
		if !oneOf(f.Kinds, a.Kind) || !oneOf(f.Codes, a.Code) || !oneOf(f.ParentIDs, a.ParentID) ||
			!oneOf(f.AreaTypes, a.AreaType) || !containsFold(a.Name, f.NameContains) ||
			(!f.ValidOn.IsZero() && !a.ValidOn(f.ValidOn)) {
			return false, dists{}
		}
		return matchSpatial(f.Spatial, a.Geometry)
	}
}

func (s *Store) getArea(id int64) *db.Area { return s.areas[id].Clone() }

// getAreaWithoutGeometry is getArea without the outline, which it does
// not copy.
func (s *Store) getAreaWithoutGeometry(id int64) *db.Area {
	a := *s.areas[id]
	a.Geometry = nil
	return a.Clone()
}

// Areas implements db.Store.
func (s *Store) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	if err := f.Validate(); err != nil {
		return db.List[*db.Area]{}, err
	}
	if err := ctx.Err(); err != nil {
		return db.List[*db.Area]{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := p.Check(f.Near != nil); err != nil {
		return db.List[*db.Area]{}, err
	}
	pl := &poll{ctx: ctx}
	match := f
	var ids []int64
	if f.BBox != nil {
		// The box's answer is kept for the next page (boxes.go); the
		// other tests are cheap or rare and run as usual.
		var err error
		if ids, err = s.areasInBox(pl, *f.BBox); err != nil {
			return db.List[*db.Area]{}, err
		}
		match.BBox = nil
	} else {
		ids = candidates(f.Spatial, s.areaIDs, s.areaIdx.Search)
	}
	hits, err := collect(pl, ids, f.Near != nil, s.matchArea(&match))
	if err != nil {
		return db.List[*db.Area]{}, err
	}
	get := s.getArea
	if p.Omit.Has(db.PartGeometry) {
		get = s.getAreaWithoutGeometry
	}
	return page(hits, p, f.Spatial, get), nil
}

// ChildAreas implements db.Store.
func (s *Store) ChildAreas(ctx context.Context, parentIDs []int64, f db.AreaFilter, p db.Page) ([]db.List[*db.Area], error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := p.Check(f.Near != nil); err != nil {
		return nil, err
	}
	return byParent(ctx, &s.mu, parentIDs, func(pl *poll, pid int64) (db.List[*db.Area], error) {
		hits, err := collect(pl, s.children[pid], f.Near != nil, s.matchArea(&f))
		return page(hits, p, f.Spatial, s.getArea), err
	})
}

// byParent reads one list per parent under the read lock, stopping when
// ctx ends.
func byParent[T any](ctx context.Context, mu *sync.RWMutex, parents []int64, list func(pl *poll, id int64) (db.List[T], error)) ([]db.List[T], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	mu.RLock()
	defer mu.RUnlock()
	pl := &poll{ctx: ctx}
	out := make([]db.List[T], len(parents))
	for i, id := range parents {
		if err := pl.next(); err != nil {
			return nil, err
		}
		l, err := list(pl, id)
		if err != nil {
			return nil, err
		}
		out[i] = l
	}
	return out, nil
}

// AreasAt implements db.Store.
func (s *Store) AreasAt(ctx context.Context, pt orb.Point, kinds []db.AreaKind, on time.Time) ([]*db.Area, error) {
	if err := db.CheckAreasAt(pt, on); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	found := s.areaIdx.At(pt, kinds, on)
	out := make([]*db.Area, len(found))
	for i, a := range found {
		out[i] = a.Clone()
	}
	return out, nil
}

// --- organisations ---

func (s *Store) matchOrg(f *db.OrganizationFilter) func(id int64) (bool, dists) {
	return func(id int64) (bool, dists) {
		o := s.orgs[id]
		if !oneOf(f.Kinds, o.Kind) || !anyOf(f.AreaIDs, o.AreaIDs) || !containsFold(o.Name, f.NameContains) {
			return false, dists{}
		}
		if !hasSpatial(f.Spatial) {
			return true, dists{}
		}
		if o.Location == nil {
			return false, dists{}
		}
		return matchSpatial(f.Spatial, *o.Location)
	}
}

func (s *Store) getOrg(id int64) *db.Organization { return s.orgs[id].Clone() }

// Organizations implements db.Store.
func (s *Store) Organizations(ctx context.Context, f db.OrganizationFilter, p db.Page) (db.List[*db.Organization], error) {
	if err := f.ValidateWithin(true); err != nil {
		return db.List[*db.Organization]{}, err
	}
	if err := p.Check(f.Near != nil); err != nil {
		return db.List[*db.Organization]{}, err
	}
	if err := ctx.Err(); err != nil {
		return db.List[*db.Organization]{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := candidates(f.Spatial, s.orgIDs, s.orgIdx.Search)
	hits, err := collect(&poll{ctx: ctx}, ids, f.Near != nil, s.matchOrg(&f))
	if err != nil {
		return db.List[*db.Organization]{}, err
	}
	return page(hits, p, f.Spatial, s.getOrg), nil
}

// OrganizationsByArea implements db.Store.
func (s *Store) OrganizationsByArea(ctx context.Context, areaIDs []int64, f db.OrganizationFilter, p db.Page) ([]db.List[*db.Organization], error) {
	if err := f.ValidateWithin(true); err != nil {
		return nil, err
	}
	if err := p.Check(f.Near != nil); err != nil {
		return nil, err
	}
	return byParent(ctx, &s.mu, areaIDs, func(pl *poll, a int64) (db.List[*db.Organization], error) {
		hits, err := collect(pl, s.orgsByArea[a], f.Near != nil, s.matchOrg(&f))
		return page(hits, p, f.Spatial, s.getOrg), err
	})
}

// --- initiatives ---

func (s *Store) matchInitiative(f *db.InitiativeFilter) func(id int64) (bool, dists) {
	return func(id int64) (bool, dists) {
		in := s.inits[id]
		if !oneOf(f.Statuses, in.Status) || !oneOf(f.GoalAreas, in.GoalArea) ||
			!anyOf(f.FocusGroups, in.FocusGroups) || !anyOf(f.Themes, in.Themes) ||
			!anyOf(f.AreaIDs, in.AreaIDs) || !anyOf(f.OrganizationIDs, orgsOf(in)) ||
			!containsFold(in.Title, f.TitleContains) {
			return false, dists{}
		}
		if !hasSpatial(f.Spatial) {
			return true, dists{}
		}
		if len(in.Locations) == 0 {
			return false, dists{}
		}
		return matchSpatial(f.Spatial, orb.MultiPoint(in.Locations))
	}
}

// initiativeGetter copies the initiatives of a page without the parts the
// page omits: a selection of ids and titles clones no locations, lists or
// descriptions.
func (s *Store) initiativeGetter(omit db.Parts) func(id int64) *db.Initiative {
	return func(id int64) *db.Initiative { return s.inits[id].Trimmed(omit) }
}

// Initiatives implements db.Store.
func (s *Store) Initiatives(ctx context.Context, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	if err := f.ValidateWithin(true); err != nil {
		return db.List[*db.Initiative]{}, err
	}
	if err := p.Check(f.Near != nil); err != nil {
		return db.List[*db.Initiative]{}, err
	}
	if err := ctx.Err(); err != nil {
		return db.List[*db.Initiative]{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := candidates(f.Spatial, s.initIDs, s.initIdx.Search)
	hits, err := collect(&poll{ctx: ctx}, ids, f.Near != nil, s.matchInitiative(&f))
	if err != nil {
		return db.List[*db.Initiative]{}, err
	}
	return page(hits, p, f.Spatial, s.initiativeGetter(p.Omit)), nil
}

// InitiativeLocations implements db.Store. The points of the whole
// answer share one array, so reading 85,000 initiatives' locations costs
// a few allocations rather than a clone of every record.
func (s *Store) InitiativeLocations(ctx context.Context, f db.InitiativeFilter, limit int) (db.List[db.Located], error) {
	if err := db.CheckLocationsLimit(limit); err != nil {
		return db.List[db.Located]{}, err
	}
	if err := f.ValidateWithin(true); err != nil {
		return db.List[db.Located]{}, err
	}
	if err := ctx.Err(); err != nil {
		return db.List[db.Located]{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := candidates(f.Spatial, s.initIDs, s.initIdx.Search)
	hits, err := collect(&poll{ctx: ctx}, ids, f.Near != nil, s.matchInitiative(&f))
	if err != nil {
		return db.List[db.Located]{}, err
	}
	n := 0
	for _, h := range hits[:min(limit, len(hits))] {
		n += len(s.inits[h.id].Locations)
	}
	points := make([]orb.Point, 0, n)
	return page(hits, db.Page{Limit: limit}, f.Spatial, func(id int64) db.Located {
		from := len(points)
		points = append(points, s.inits[id].Locations...)
		return db.Located{ID: id, Points: points[from:len(points):len(points)]}
	}), nil
}

// InitiativesByArea implements db.Store.
func (s *Store) InitiativesByArea(ctx context.Context, areaIDs []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	return s.initiativesBy(ctx, s.initsByArea, areaIDs, f, p)
}

// InitiativesByOrganization implements db.Store.
func (s *Store) InitiativesByOrganization(ctx context.Context, orgIDs []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	return s.initiativesBy(ctx, s.initsByOrg, orgIDs, f, p)
}

func (s *Store) initiativesBy(ctx context.Context, index map[int64][]int64, parents []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	if err := f.ValidateWithin(true); err != nil {
		return nil, err
	}
	if err := p.Check(f.Near != nil); err != nil {
		return nil, err
	}
	get := s.initiativeGetter(p.Omit)
	return byParent(ctx, &s.mu, parents, func(pl *poll, id int64) (db.List[*db.Initiative], error) {
		hits, err := collect(pl, index[id], f.Near != nil, s.matchInitiative(&f))
		return page(hits, p, f.Spatial, get), err
	})
}
