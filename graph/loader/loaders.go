package loader

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/areagraph/areagraph/db"
)

type ctxKey struct{}

// generation holds the batch loaders and what they cached, from the start
// of a request or from its last write on (see Loaders).
type generation struct {
	store db.Reader

	// Records handed out together, whose children load together.
	areaParents, orgParents, initParents groups
	// Ids referenced together, which load together.
	areaRefs, orgRefs groups

	areaByID *batch[*db.Area]
	orgByID  *batch[*db.Organization]

	children  keyed[areaArgs, db.List[*db.Area]]
	areaInits keyed[initArgs, db.List[*db.Initiative]]
	areaOrgs  keyed[orgArgs, db.List[*db.Organization]]
	orgInits  keyed[initArgs, db.List[*db.Initiative]]
	values    keyed[db.ValueFilter, []db.IndicatorValue]
	derived   keyed[db.ValueFilter, []db.Derived]

	defsOnce sync.Once
	defs     []*db.Indicator
	defsErr  error
}

type areaArgs struct {
	F db.AreaFilter
	P db.Page
}
type initArgs struct {
	F db.InitiativeFilter
	P db.Page
}
type orgArgs struct {
	F db.OrganizationFilter
	P db.Page
}

func newGeneration(s db.Reader) *generation {
	l := &generation{store: s}
	l.areaByID = newBatch(&l.areaRefs, func(ctx context.Context, ids []int64) ([]*db.Area, error) {
		areas, err := s.AreasByID(ctx, ids)
		l.Areas(areas)
		return areas, err
	})
	l.orgByID = newBatch(&l.orgRefs, func(ctx context.Context, ids []int64) ([]*db.Organization, error) {
		orgs, err := s.OrganizationsByID(ctx, ids)
		l.Organizations(orgs)
		return orgs, err
	})
	l.children = keyed[areaArgs, db.List[*db.Area]]{groups: &l.areaParents,
		fetch: func(ctx context.Context, a areaArgs, ids []int64) ([]db.List[*db.Area], error) {
			lists, err := s.ChildAreas(ctx, ids, a.F, a.P)
			var all []*db.Area
			for _, l2 := range lists {
				all = append(all, l2.Items...)
			}
			l.Areas(all)
			return lists, err
		}}
	l.areaInits = keyed[initArgs, db.List[*db.Initiative]]{groups: &l.areaParents,
		fetch: func(ctx context.Context, a initArgs, ids []int64) ([]db.List[*db.Initiative], error) {
			lists, err := s.InitiativesByArea(ctx, ids, a.F, a.P)
			l.initiativeLists(lists)
			return lists, err
		}}
	l.orgInits = keyed[initArgs, db.List[*db.Initiative]]{groups: &l.orgParents,
		fetch: func(ctx context.Context, a initArgs, ids []int64) ([]db.List[*db.Initiative], error) {
			lists, err := s.InitiativesByOrganization(ctx, ids, a.F, a.P)
			l.initiativeLists(lists)
			return lists, err
		}}
	l.areaOrgs = keyed[orgArgs, db.List[*db.Organization]]{groups: &l.areaParents,
		fetch: func(ctx context.Context, a orgArgs, ids []int64) ([]db.List[*db.Organization], error) {
			lists, err := s.OrganizationsByArea(ctx, ids, a.F, a.P)
			var all []*db.Organization
			for _, l2 := range lists {
				all = append(all, l2.Items...)
			}
			l.Organizations(all)
			return lists, err
		}}
	l.values = keyed[db.ValueFilter, []db.IndicatorValue]{groups: &l.areaParents,
		fetch: func(ctx context.Context, f db.ValueFilter, ids []int64) ([][]db.IndicatorValue, error) {
			f.AreaIDs = ids
			vals, err := s.IndicatorValues(ctx, f)
			if err != nil {
				return nil, err
			}
			byArea := make(map[int64][]db.IndicatorValue, len(ids))
			for _, v := range vals {
				byArea[v.AreaID] = append(byArea[v.AreaID], v)
			}
			out := make([][]db.IndicatorValue, len(ids))
			for i, id := range ids {
				out[i] = byArea[id]
			}
			return out, nil
		}}
	l.derived = keyed[db.ValueFilter, []db.Derived]{groups: &l.areaParents,
		fetch: func(ctx context.Context, f db.ValueFilter, ids []int64) ([][]db.Derived, error) {
			defs, err := l.Indicators(ctx)
			if err != nil {
				return nil, err
			}
			out, err := db.DerivedValues(ctx, s, defs, ids, f)
			// The statistical areas named in the provenance load together.
			var sources []int64
			seen := map[int64]bool{}
			for _, ds := range out {
				for _, d := range ds {
					for _, src := range d.Provenance.Sources {
						sources = appendNew(sources, seen, src.AreaID)
					}
				}
			}
			l.areaRefs.add(sources)
			return out, err
		}}
	return l
}

// With returns a context that carries l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the loaders of the request in ctx.
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	if l == nil {
		panic("loader: no loaders in the request context")
	}
	return l
}

// Areas registers areas handed out together: their children load together,
// and so do their parents.
func (l *generation) Areas(areas []*db.Area) {
	ids := make([]int64, 0, len(areas))
	var parents []int64
	seen := map[int64]bool{}
	for _, a := range areas {
		if a == nil {
			continue
		}
		ids = append(ids, a.ID)
		if a.ParentID != 0 && !seen[a.ParentID] {
			seen[a.ParentID] = true
			parents = append(parents, a.ParentID)
		}
	}
	l.areaParents.add(ids)
	l.areaRefs.add(parents)
}

// Organizations registers organisations handed out together.
func (l *generation) Organizations(orgs []*db.Organization) {
	ids := make([]int64, 0, len(orgs))
	var areas []int64
	seen := map[int64]bool{}
	for _, o := range orgs {
		if o == nil {
			continue
		}
		ids = append(ids, o.ID)
		areas = appendNew(areas, seen, o.AreaIDs...)
	}
	l.orgParents.add(ids)
	l.areaRefs.add(areas)
}

// Initiatives registers initiatives handed out together: the areas they
// serve and the organisations they involve load together. They may be
// partial, read without the parts their selection does not show
// (db.Page.Omit), so only their ids and references are kept, never the
// records: a cache of initiatives by id would have to key them by parts.
func (l *generation) Initiatives(inits []*db.Initiative) {
	ids := make([]int64, 0, len(inits))
	var areas, orgs []int64
	seenA, seenO := map[int64]bool{}, map[int64]bool{}
	for _, in := range inits {
		if in == nil {
			continue
		}
		ids = append(ids, in.ID)
		areas = appendNew(areas, seenA, in.AreaIDs...)
		if in.LeadID != 0 {
			orgs = appendNew(orgs, seenO, in.LeadID)
		}
		for _, p := range in.Partners {
			orgs = appendNew(orgs, seenO, p.OrganizationID)
		}
	}
	l.initParents.add(ids)
	l.areaRefs.add(areas)
	l.orgRefs.add(orgs)
}

func (l *generation) initiativeLists(lists []db.List[*db.Initiative]) {
	var all []*db.Initiative
	for _, l2 := range lists {
		all = append(all, l2.Items...)
	}
	l.Initiatives(all)
}

func appendNew(dst []int64, seen map[int64]bool, ids ...int64) []int64 {
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			dst = append(dst, id)
		}
	}
	return dst
}

// key is a canonical form of a set of arguments, so that equal arguments
// share one batch. Geometry types are spelled out: JSON alone would not
// tell a Polygon from a MultiLineString.
func key(v any, g any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Arguments are plain data; this cannot happen. An unshared key
		// is still correct, only slower.
		return fmt.Sprintf("%p", &v)
	}
	return fmt.Sprintf("%T|%s", g, b)
}

// Area loads one area by id; nil when there is none.
func (l *generation) Area(ctx context.Context, id int64) (*db.Area, error) {
	return l.areaByID.load(ctx, id)
}

// AreaList loads areas by id in order, skipping missing ones.
func (l *generation) AreaList(ctx context.Context, ids []int64) ([]*db.Area, error) {
	out := make([]*db.Area, 0, len(ids))
	for _, id := range ids {
		a, err := l.areaByID.load(ctx, id)
		if err != nil {
			return nil, err
		}
		if a != nil {
			out = append(out, a)
		}
	}
	return out, nil
}

// Organization loads one organisation by id; nil when there is none.
func (l *generation) Organization(ctx context.Context, id int64) (*db.Organization, error) {
	return l.orgByID.load(ctx, id)
}

// Children loads one page of an area's children.
func (l *generation) Children(ctx context.Context, areaID int64, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	a := areaArgs{f, p}
	return l.children.load(ctx, key(a, f.Intersects), a, areaID)
}

// AreaInitiatives loads one page of the initiatives serving an area.
func (l *generation) AreaInitiatives(ctx context.Context, areaID int64, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	a := initArgs{f, p}
	return l.areaInits.load(ctx, key(a, f.Intersects), a, areaID)
}

// OrganizationInitiatives loads one page of the initiatives an organisation
// leads or joins.
func (l *generation) OrganizationInitiatives(ctx context.Context, orgID int64, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	a := initArgs{f, p}
	return l.orgInits.load(ctx, key(a, f.Intersects), a, orgID)
}

// AreaOrganizations loads one page of the organisations engaged in an area.
func (l *generation) AreaOrganizations(ctx context.Context, areaID int64, f db.OrganizationFilter, p db.Page) (db.List[*db.Organization], error) {
	a := orgArgs{f, p}
	return l.areaOrgs.load(ctx, key(a, f.Intersects), a, areaID)
}

// Values loads an area's indicator values; f.AreaIDs is ignored.
func (l *generation) Values(ctx context.Context, areaID int64, f db.ValueFilter) ([]db.IndicatorValue, error) {
	f.AreaIDs = nil
	return l.values.load(ctx, key(f, nil), f, areaID)
}

// Derived loads the values rolled up for an area from the statistical
// areas it overlaps (db.DerivedValues), for all areas handed out together
// in one batch; f.AreaIDs is ignored.
func (l *generation) Derived(ctx context.Context, areaID int64, f db.ValueFilter) ([]db.Derived, error) {
	f.AreaIDs = nil
	return l.derived.load(ctx, key(f, nil), f, areaID)
}

// Indicators returns all indicator definitions, loaded once per request.
func (l *generation) Indicators(ctx context.Context) ([]*db.Indicator, error) {
	l.defsOnce.Do(func() { l.defs, l.defsErr = l.store.Indicators(ctx, nil) })
	return l.defs, l.defsErr
}
