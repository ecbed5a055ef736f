package layers

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// prop is one property of a feature. Values are string, int, float64,
// bool, []string or nil; properties keep their order, so output is stable.
type prop struct {
	key string
	val any
}

// feature is a record ready for either output.
type feature struct {
	id int64 // the store key, used as the vector tile feature id
	// area is the area a feature shows, whose outline is simplified
	// with its neighbours' (db/outline); nil for other records.
	area  *db.Area
	key   db.Key       // its place in the list's order, for the next page's after=
	gid   string       // the global id
	geom  orb.Geometry // nil when the record has no location
	props []prop
	// from and to bound the period the record is in use or runs, from
	// the first day to the first day after it (db.InPeriod's rule), nil
	// when open: an area's validity, an initiative's start and end.
	from, to *time.Time
}

// result is one page of features: start of the total matches come
// before it.
type result struct {
	features []feature
	// located are the records of a read of locations only
	// (request.locationsOnly), in place of features.
	located   []db.Located
	total     int
	start     int
	indicator *db.Indicator // the definition asked for with indicator=, if any
	// simplified is set when the outlines are simplified already, with
	// their neighbours (Handler.simplifyAreas).
	simplified bool
	// defs are every indicator's definition when one is asked for: a
	// roll-up weighed by persons needs its weight indicator's too.
	defs []*db.Indicator
}

// fetch runs a request against the store: at most six calls whatever the
// number of features (area codes, the indicator definitions, the records,
// then indicator values, with the overlaps and the statistical areas'
// values to roll up from, or lead organisations for the whole page at
// once).
func fetch(ctx context.Context, store db.Reader, req *request, page db.Page) (*result, error) {
	if err := resolveAreaRefs(ctx, store, req); err != nil {
		return nil, err
	}
	switch req.layer.source {
	case fromAreas:
		return fetchAreas(ctx, store, req, page)
	case fromInitiatives:
		return fetchInitiatives(ctx, store, req, page)
	}
	return fetchOrganizations(ctx, store, req, page)
}

// resolveAreaRefs turns the area codes of a filter into ids with one store
// call. An unknown code is the client's mistake and says so; an unknown id
// simply matches nothing, as in the GraphQL API, since ids are opaque and
// may name a record since removed.
func resolveAreaRefs(ctx context.Context, store db.AreaReader, req *request) error {
	refs := req.areaRefs
	if len(refs.codes) == 0 {
		return nil
	}
	l, err := store.Areas(ctx, db.AreaFilter{Codes: refs.codes}, db.Page{Limit: len(refs.codes)})
	if err != nil {
		return err
	}
	byCode := make(map[string]int64, len(l.Items))
	for _, a := range l.Items {
		byCode[a.Code] = a.ID
	}
	ids := slices.Clone(refs.ids)
	for _, c := range refs.codes {
		id, ok := byCode[c]
		if !ok {
			return invalid("%s: no area has the code %q", refs.param, c)
		}
		ids = append(ids, id)
	}
	switch req.layer.source {
	case fromAreas:
		req.area.ParentIDs = ids
	case fromInitiatives:
		req.init.AreaIDs = ids
	default:
		req.org.AreaIDs = ids
	}
	return nil
}

// dayAfter turns a last day (an initiative's end date) into the first
// day after it, the end of a period by db.InPeriod's rule.
func dayAfter(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := db.Day(*t).AddDate(0, 0, 1)
	return &d
}

// keyOf is the place of item i with id in a list, nearest first when the
// store measured distances.
func keyOf(id int64, distances []float64, i int) db.Key {
	if i < len(distances) {
		return db.Key{ID: id, Dist: distances[i], Near: true}
	}
	return db.Key{ID: id}
}

// withDistance adds the distance from near's point when near is set.
func withDistance(props []prop, distances []float64, i int) []prop {
	if i < len(distances) {
		// Decimetres: finer would only show the backends' last bits.
		props = append(props, prop{"distanceMeters", math.Round(distances[i]*10) / 10})
	}
	return props
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func fetchAreas(ctx context.Context, store db.Reader, req *request, page db.Page) (*result, error) {
	res := &result{}
	if err := lookUpIndicator(ctx, store, req, res); err != nil {
		return nil, err
	}
	f := req.area
	f.Spatial = req.spatial
	if req.withoutOutlines {
		page.Omit |= db.PartGeometry
	}
	l, err := store.Areas(ctx, f, page)
	if err != nil {
		return nil, err
	}
	res.total, res.start = l.Total, l.Start
	if err := areaFeatures(ctx, store, req, res, l.Items, l.Distances); err != nil {
		return nil, err
	}
	return res, nil
}

// lookUpIndicator reads the definition of the indicator asked for, if any.
func lookUpIndicator(ctx context.Context, store db.IndicatorReader, req *request, res *result) error {
	if req.indicator == "" {
		return nil
	}
	defs, err := store.Indicators(ctx, nil)
	if err != nil {
		return err
	}
	for _, d := range defs {
		if d != nil && d.Code == req.indicator {
			res.indicator, res.defs = d, defs
			return nil
		}
	}
	return invalid("indicator: unknown indicator %q", req.indicator)
}

// areaFeatures turns areas into features, with the indicator's values of
// all of them read at once: each area's measured value, else the one
// rolled up from the statistical areas in use that year, by the rule the
// GraphQL API follows (db.ValuesOrDerived).
func areaFeatures(ctx context.Context, store db.Reader, req *request, res *result, areas []*db.Area, distances []float64) error {
	var values map[int64]db.Derived
	if res.indicator != nil && len(areas) > 0 {
		vs, err := db.ValuesOrDerived(ctx, store, res.defs, areas, db.ValueFilter{
			Codes: []string{req.indicator}, FromYear: req.year, ToYear: req.year, Sexes: []db.Sex{db.SexTotal},
		})
		if err != nil {
			return err
		}
		values = make(map[int64]db.Derived, len(vs))
		for _, v := range vs {
			values[v.Value.AreaID] = v
		}
	}
	for i, a := range areas {
		props := []prop{
			{"code", a.Code},
			{"name", a.Name},
			{"kind", string(a.Kind)},
			{"areaType", nil},
			{"parent", nil},
		}
		if a.AreaType != 0 {
			props[3].val = a.AreaType
		}
		if a.ParentID != 0 {
			props[4].val = db.GlobalID(db.TypeArea, a.ParentID)
		}
		if res.indicator != nil {
			// A value under the indicator's small-count rule is withheld
			// here as everywhere else; suppressed tells it apart from a
			// value that is simply missing, so a map can hatch the area
			// rather than leave it blank. A derived value resting on a
			// suppressed one is withheld too (db.Indicator.Withholds);
			// derived and partial say how a value was made, so a map can
			// mark the areas whose figure is rolled up, or stands for part
			// of the area only.
			var val any
			v, ok := values[a.ID]
			hidden := ok && res.indicator.Withholds(v.Value, v.Provenance)
			if ok && !hidden {
				val = v.Value.Value
			}
			derived := ok && v.Provenance != nil
			partial := derived && v.Provenance.Partial
			props = append(props, prop{req.indicator, val}, prop{"suppressed", hidden}, prop{"derived", derived}, prop{"partial", partial})
		}
		res.features = append(res.features, feature{
			id: a.ID, area: a, key: keyOf(a.ID, distances, i), gid: a.NodeID(), geom: a.Geometry, props: withDistance(props, distances, i),
			from: a.ValidFrom, to: a.ValidTo,
		})
	}
	return nil
}

func fetchInitiatives(ctx context.Context, store db.Reader, req *request, page db.Page) (*result, error) {
	f := req.init
	f.Spatial = req.spatial
	if req.locationsOnly {
		// Only ids and points, read as such: a low-zoom tile counts
		// every initiative of the country, and whole records for that
		// cost 116 MB a tile.
		l, err := store.InitiativeLocations(ctx, f, page.Limit)
		if err != nil {
			return nil, err
		}
		return &result{total: l.Total, start: l.Start, located: l.Items}, nil
	}
	l, err := store.Initiatives(ctx, f, page)
	if err != nil {
		return nil, err
	}
	res := &result{total: l.Total, start: l.Start}
	if err := initiativeFeatures(ctx, store, res, l.Items, l.Distances); err != nil {
		return nil, err
	}
	return res, nil
}

// initiativeFeatures turns initiatives into features, with their lead
// organisations read in one call.
func initiativeFeatures(ctx context.Context, store db.OrganizationReader, res *result, items []*db.Initiative, distances []float64) error {
	var leadIDs []int64
	for _, in := range items {
		if in.LeadID != 0 {
			leadIDs = append(leadIDs, in.LeadID)
		}
	}
	slices.Sort(leadIDs)
	leadIDs = slices.Compact(leadIDs)
	leads := map[int64]*db.Organization{}
	if len(leadIDs) > 0 {
		orgs, err := store.OrganizationsByID(ctx, leadIDs)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o != nil {
				leads[o.ID] = o
			}
		}
	}
	for i, in := range items {
		var geom orb.Geometry
		switch len(in.Locations) {
		case 0:
		case 1:
			geom = in.Locations[0]
		default:
			geom = orb.MultiPoint(in.Locations)
		}
		focus := make([]string, len(in.FocusGroups))
		for i, g := range in.FocusGroups {
			focus[i] = string(g)
		}
		themes := make([]string, len(in.Themes))
		for i, t := range in.Themes {
			themes[i] = string(t)
		}
		var lead, leadName any
		if o := leads[in.LeadID]; o != nil {
			lead, leadName = o.NodeID(), o.Name
		}
		props := []prop{
			{"title", in.Title},
			{"status", string(in.Status)},
			{"goalArea", string(in.GoalArea)},
			{"focusGroups", focus},
			{"themes", themes},
			{"lead", lead},
			{"leadName", leadName},
		}
		res.features = append(res.features, feature{
			id: in.ID, key: keyOf(in.ID, distances, i), gid: in.NodeID(), geom: geom, props: withDistance(props, distances, i),
			from: in.StartDate, to: dayAfter(in.EndDate),
		})
	}
	return nil
}

func fetchOrganizations(ctx context.Context, store db.OrganizationReader, req *request, page db.Page) (*result, error) {
	f := req.org
	f.Spatial = req.spatial
	l, err := store.Organizations(ctx, f, page)
	if err != nil {
		return nil, err
	}
	res := &result{total: l.Total, start: l.Start}
	if req.locationsOnly {
		for _, o := range l.Items {
			if o.Location != nil {
				res.located = append(res.located, db.Located{ID: o.ID, Points: []orb.Point{*o.Location}})
			}
		}
		return res, nil
	}
	organizationFeatures(res, l.Items, l.Distances)
	return res, nil
}

// organizationFeatures turns organisations into features.
func organizationFeatures(res *result, items []*db.Organization, distances []float64) {
	for i, o := range items {
		props := []prop{{"name", o.Name}, {"kind", string(o.Kind)}}
		if o.Kind == db.OrgEmployer {
			props = append(props, prop{"industry", orNil(o.Industry)}, prop{"size", orNil(string(o.Size))})
		} else {
			props = append(props, prop{"activity", orNil(o.Activity)})
		}
		var geom orb.Geometry
		if o.Location != nil {
			geom = *o.Location
		}
		res.features = append(res.features, feature{
			id: o.ID, key: keyOf(o.ID, distances, i), gid: o.NodeID(), geom: geom, props: withDistance(props, distances, i),
		})
	}
}
