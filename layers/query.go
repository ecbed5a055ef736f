package layers

import (
	"context"
	"net/url"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/paulmach/orb"
)

// What other front doors to the same data (the OGC API – Features of
// package ogcapi) read of the layers: their list and properties, and the
// features of a request, parsed and fetched here, so that every door
// takes the same filters and costs the same store calls.

// Layer describes a layer for another front door.
type Layer struct {
	Name        string
	Description string
	// Points is true for the layers of point locations (initiatives and
	// organisations), false for the areas' polygons.
	Points bool
	// Filters are the query parameters Query takes for the layer.
	Filters []string
	// Fields are the properties every feature carries, in their order;
	// a joined indicator adds its code, suppressed, derived and partial
	// after them.
	Fields []Field
	// Temporal is true when features carry a period (ValidFrom, ValidTo).
	Temporal bool
	// MinZoom is the shallowest zoom with vector tiles of the layer.
	MinZoom int
}

// Field is a property of a layer's features.
type Field struct {
	Name string
	// Type is the property's JSON Schema type: string, integer, number,
	// boolean or array (of strings).
	Type        string
	Nullable    bool
	Enum        []string
	Description string
}

var (
	areaFields = []Field{
		{Name: "code", Type: "string", Description: "The area's code, unique (e.g. a DeSO code)"},
		{Name: "name", Type: "string", Description: "The area's name"},
		{Name: "kind", Type: "string", Enum: names(db.AreaKinds), Description: "What the area is in the programme's hierarchy"},
		{Name: "areaType", Type: "integer", Nullable: true, Description: "The programme's area type 1–5 (1 = largest socio-economic challenges)"},
		{Name: "parent", Type: "string", Nullable: true, Description: "The global id of the parent area"},
	}
	initiativeFields = []Field{
		{Name: "title", Type: "string", Description: "The initiative's title"},
		{Name: "status", Type: "string", Enum: names(statuses), Description: "Where the initiative stands"},
		{Name: "goalArea", Type: "string", Enum: names(goalAreas), Description: "The programme goal area it serves"},
		{Name: "focusGroups", Type: "array", Enum: names(db.FocusGroups), Description: "The focus groups it targets"},
		{Name: "themes", Type: "array", Enum: names(db.Themes), Description: "The themes it works with"},
		{Name: "lead", Type: "string", Nullable: true, Description: "The global id of the lead organisation"},
		{Name: "leadName", Type: "string", Nullable: true, Description: "The lead organisation's name"},
	}
	orgFields = []Field{
		{Name: "name", Type: "string", Description: "The organisation's name"},
		{Name: "kind", Type: "string", Enum: []string{string(db.OrgEmployer), string(db.OrgAssociation)}, Description: "Employer or association"},
	}
	employerFields = append(orgFields[:len(orgFields):len(orgFields)],
		Field{Name: "industry", Type: "string", Nullable: true, Description: "The employer's industry"},
		Field{Name: "size", Type: "string", Nullable: true, Enum: []string{string(db.SizeMicro), string(db.SizeSmall), string(db.SizeMedium), string(db.SizeLarge)}, Description: "The employer's size class by employees"},
	)
	associationFields = append(orgFields[:len(orgFields):len(orgFields)],
		Field{Name: "activity", Type: "string", Nullable: true, Description: "The association's activity"},
	)
)

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Layers lists the layers in the order the GeoJSON routes name them.
func Layers() []Layer {
	out := make([]Layer, len(layerList))
	for i, l := range layerList {
		out[i] = Layer{
			Name:        l.name,
			Description: l.description,
			Points:      l.source != fromAreas,
			Filters:     parameters(l, outQuery),
			Temporal:    l.source == fromAreas || l.source == fromInitiatives,
			MinZoom:     l.minZoom,
		}
		switch l.source {
		case fromAreas:
			out[i].Fields = areaFields
		case fromInitiatives:
			out[i].Fields = initiativeFields
		case fromEmployers:
			out[i].Fields = employerFields
		default:
			out[i].Fields = associationFields
		}
	}
	return out
}

// Query is a checked request for the features of one layer.
type Query struct {
	req *request
}

// ParseQuery checks q against the filters of the named layer. Parameters
// named in own belong to the caller: they are not read here, and a message
// about an unknown parameter lists them among the ones taken.
func ParseQuery(layer string, q url.Values, own ...string) (*Query, error) {
	l, err := findLayer(layer)
	if err != nil {
		return nil, err
	}
	// The day is the caller's to apply (its own datetime): a query holds
	// every edition of the areas, so no clock is read here.
	req, err := parseRequest(l, q, outQuery, time.Time{}, own...)
	if err != nil {
		return nil, err
	}
	return &Query{req: req}, nil
}

// Spatial is the location filter of the query, for the caller to narrow
// (a bounding box, an intersecting geometry) before fetching.
func (q *Query) Spatial() *db.Spatial { return &q.req.spatial }

// ValidOn keeps, in a layer of areas, those in use on day d, by the
// store's own filter (db.AreaFilter.ValidOn, the rule db.InPeriod); a
// layer of other records has no such filter and is left as it is.
func (q *Query) ValidOn(d time.Time) {
	if q.req.layer.source == fromAreas {
		q.req.area.ValidOn = db.Day(d)
	}
}

// SimplifyOutlines simplifies the outlines of the areas among features as
// the query's zoom or simplify asks, in place, each with the other areas
// of its kind and period through outlines (db/outline), so neighbours keep
// their common border as on the map layers; other geometries stay as they
// are. A nil outlines simplifies each area by itself. It is for after any
// test of the geometries: a filter is matched against the outlines as
// they are.
func (q *Query) SimplifyOutlines(ctx context.Context, outlines *outline.Cache, features []Feature) error {
	if !q.req.simplifies() {
		return nil
	}
	for i := range features {
		f := &features[i]
		if f.area == nil || f.Geometry == nil {
			continue
		}
		g, err := outlineFor(ctx, outlines, q.req, f.area)
		if err != nil {
			return err
		}
		f.Geometry = g
	}
	return nil
}

// Feature is a record of a layer, ready for output.
type Feature struct {
	ID         string       // the global id
	Geometry   orb.Geometry // nil when the record has no location
	Properties []Property
	// Key is the feature's place in the layer's order (db.Key), for a
	// link to the page after or before it.
	Key db.Key
	// ValidFrom and ValidTo bound an area's validity or an initiative's
	// run by db.InPeriod's rule: the first day in use and the first day
	// no longer in use (the day after an initiative's end date); nil is
	// open.
	ValidFrom, ValidTo *time.Time
	// area is the area the feature shows, whose outline SimplifyOutlines
	// simplifies with its neighbours'; nil for other records.
	area *db.Area
}

// Property is one property of a feature. Values are string, int,
// float64, bool, []string or nil.
type Property struct {
	Name  string
	Value any
}

// Page is a window of the features a query matches.
type Page struct {
	Features []Feature
	// Total is the number of features the query matches, Start how many
	// of them come before the page.
	Total, Start int
	// Indicator is the indicator whose values the features carry, when
	// the query joins one: whoever shows them credits it (Credit).
	Indicator *db.Indicator
}

// Credit is whom features carrying an indicator's values credit, as its
// licence asks: the indicator's attribution, or its source when it names
// none. Every front door that serves values says the same.
func Credit(ind *db.Indicator) string { return credit(ind) }

// Fetch reads one page of the query's features with the same few store
// calls whatever the page's size.
func (q *Query) Fetch(ctx context.Context, store db.Reader, page db.Page) (*Page, error) {
	res, err := fetch(ctx, store, q.req, page)
	if err != nil {
		return nil, err
	}
	return exported(res), nil
}

// FetchByID reads the feature with global id of the query's layer, with
// the query's indicator joined; an id of another kind of record, or of an
// area of another kind than the layer shows, is ENOTFOUND, as is an id no
// record has.
func (q *Query) FetchByID(ctx context.Context, store db.Reader, id string) (*Feature, error) {
	notFound := db.Errorf(db.ENOTFOUND, "the layer %s has no feature %q", q.req.layer.name, id)
	typ, key, err := db.ParseGlobalID(id)
	if err != nil {
		return nil, notFound
	}
	res := &result{}
	switch q.req.layer.source {
	case fromAreas:
		if typ != db.TypeArea {
			return nil, notFound
		}
		if err := lookUpIndicator(ctx, store, q.req, res); err != nil {
			return nil, err
		}
		as, err := store.AreasByID(ctx, []int64{key})
		if err != nil {
			return nil, err
		}
		if len(as) == 0 || as[0] == nil || (q.req.layer.kinds != nil && !containsKind(q.req.layer.kinds, as[0].Kind)) {
			return nil, notFound
		}
		if err := areaFeatures(ctx, store, q.req, res, as[:1], nil); err != nil {
			return nil, err
		}
	case fromInitiatives:
		if typ != db.TypeInitiative {
			return nil, notFound
		}
		ins, err := store.InitiativesByID(ctx, []int64{key})
		if err != nil {
			return nil, err
		}
		if len(ins) == 0 || ins[0] == nil {
			return nil, notFound
		}
		if err := initiativeFeatures(ctx, store, res, ins[:1], nil); err != nil {
			return nil, err
		}
	default:
		want := db.OrgEmployer
		if q.req.layer.source == fromAssociations {
			want = db.OrgAssociation
		}
		if typ != want.NodeType() {
			return nil, notFound
		}
		os, err := store.OrganizationsByID(ctx, []int64{key})
		if err != nil {
			return nil, err
		}
		if len(os) == 0 || os[0] == nil || os[0].Kind != want {
			return nil, notFound
		}
		organizationFeatures(res, os[:1], nil)
	}
	return &exported(res).Features[0], nil
}

func containsKind(kinds []db.AreaKind, k db.AreaKind) bool {
	for _, kk := range kinds {
		if kk == k {
			return true
		}
	}
	return false
}

func exported(res *result) *Page {
	p := &Page{Features: make([]Feature, len(res.features)), Total: res.total, Start: res.start, Indicator: res.indicator}
	for i, f := range res.features {
		props := make([]Property, len(f.props))
		for j, pr := range f.props {
			props[j] = Property{pr.key, pr.val}
		}
		p.Features[i] = Feature{ID: f.gid, Key: f.key, Geometry: f.geom, Properties: props, ValidFrom: f.from, ValidTo: f.to, area: f.area}
	}
	return p
}
