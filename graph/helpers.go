package graph

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/areagraph/areagraph/analysis"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/graph/loader"
	"github.com/areagraph/areagraph/graph/model"
)

// optional turns an empty string into a null.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// orgAreas loads the areas an organisation engages in.
func orgAreas(ctx context.Context, o model.Organization) ([]*db.Area, error) {
	return loader.For(ctx).AreaList(ctx, o.Record().AreaIDs)
}

// orgInitiatives loads a page of the initiatives an organisation leads or joins.
func orgInitiatives(ctx context.Context, o model.Organization, filter *model.InitiativeFilter, pa pageArgs) (*model.InitiativeConnection, error) {
	f, err := initiativeFilter(ctx, filter)
	if err != nil {
		return nil, err
	}
	return paged(ctx, pa, func(p db.Page) (db.List[*db.Initiative], error) {
		p.Omit = initiativeOmit(ctx)
		return loader.For(ctx).OrganizationInitiatives(ctx, o.Record().ID, f, p)
	}, nil, model.NewInitiativeConnection)
}

// organizations lists organisations of the given kinds at the root.
func organizations[C any](ctx context.Context, s db.OrganizationReader, filter *model.OrganizationFilter, pa pageArgs,
	wrap func(db.List[*db.Organization]) C, kinds ...db.OrgKind) (C, error) {
	f, err := orgFilter(ctx, filter, kinds...)
	if err != nil {
		var zero C
		return zero, err
	}
	return paged(ctx, pa, func(p db.Page) (db.List[*db.Organization], error) {
		return s.Organizations(ctx, f, p)
	}, loader.For(ctx).Organizations, wrap)
}

// paged is the shape of every list field: check the page, load it, let
// the loaders know what was handed out (when the load did not already),
// and wrap it as a connection.
//
// A store need not count every match when the selection does not ask for
// totalCount (db.Page.NoTotal): pageInfo needs only to know whether more
// follow.
func paged[T, C any](ctx context.Context, pa pageArgs, load func(db.Page) (db.List[T], error),
	register func([]T), wrap func(db.List[T]) C) (C, error) {
	var zero C
	p, err := page(pa)
	if err != nil {
		return zero, err
	}
	p.NoTotal = !selectsField(ctx, "totalCount")
	l, err := load(p)
	if err != nil {
		return zero, err
	}
	if register != nil {
		register(l.Items)
	}
	return wrap(l), nil
}

// series groups an area's values into one series per indicator and sex,
// in indicator code order and TOTAL, FEMALE, MALE within an indicator, and
// turns each into points from fromYear to toYear with their changes.
func series(defs []*db.Indicator, vals []db.IndicatorValue, derived []db.Derived, fromYear, toYear, baselineYear int) []*model.IndicatorSeries {
	byCode := make(map[string]*db.Indicator, len(defs))
	for _, d := range defs {
		byCode[d.Code] = d
	}
	type key struct {
		code string
		sex  db.Sex
	}
	// A measured value of the area wins over a derived one (db/rollup.go);
	// derived values fill the other years.
	prov := map[key]map[int]*db.Provenance{}
	if len(derived) > 0 {
		type full struct {
			k    key
			year int
		}
		have := make(map[full]bool, len(vals))
		for _, v := range vals {
			have[full{key{v.IndicatorCode, v.Sex}, v.Year}] = true
		}
		vals = slices.Clone(vals)
		for _, d := range derived {
			k := key{d.Value.IndicatorCode, d.Value.Sex}
			if have[full{k, d.Value.Year}] {
				continue
			}
			vals = append(vals, d.Value)
			if prov[k] == nil {
				prov[k] = map[int]*db.Provenance{}
			}
			prov[k][d.Value.Year] = d.Provenance
		}
		slices.SortFunc(vals, db.CompareValues)
	}
	groups := map[key][]db.IndicatorValue{}
	var keys []key
	for _, v := range vals {
		k := key{v.IndicatorCode, v.Sex}
		if _, ok := groups[k]; !ok && byCode[v.IndicatorCode] != nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], v)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(strings.Compare(a.code, b.code), cmp.Compare(sexRank(a.sex), sexRank(b.sex)))
	})
	out := make([]*model.IndicatorSeries, 0, len(keys))
	for _, k := range keys {
		def := byCode[k.code]
		points := analysis.DerivedSeries(def, groups[k], prov[k], fromYear, toYear, baselineYear)
		if len(points) == 0 {
			continue
		}
		s := &model.IndicatorSeries{Indicator: def, Sex: k.sex, Values: make([]*analysis.Point, len(points))}
		for i := range points {
			s.Values[i] = &points[i]
		}
		out = append(out, s)
	}
	return out
}

func sexRank(s db.Sex) int {
	return slices.Index([]db.Sex{db.SexTotal, db.SexFemale, db.SexMale}, s)
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func derefSex(s *db.Sex) db.Sex {
	if s == nil {
		return db.SexTotal
	}
	return *s
}

// measured is the provenance of every measured value.
var measured = analysis.Measured

// nonNil is l, or an empty list for nil: a non-null list field.
func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// scopeOrganizations loads the organisations of a caller's scope (global
// ids, as db.Actor.Orgs keeps them), in that order. One deleted since the
// key was made, or an id of no organisation, is left out: the scope still
// names it, but there is nothing to show.
func scopeOrganizations(ctx context.Context, gids []string) ([]model.Organization, error) {
	out := []model.Organization{}
	for _, g := range gids {
		typ, id, err := db.ParseGlobalID(g)
		if err != nil || (typ != db.TypeEmployer && typ != db.TypeAssociation) {
			continue
		}
		o, err := loader.For(ctx).Organization(ctx, id)
		if err != nil {
			return nil, err
		}
		if o != nil && o.NodeType() == typ {
			out = append(out, model.NewOrganization(o))
		}
	}
	return out, nil
}

// selectsField reports whether the field being resolved in ctx selects
// name directly; outside a resolver (no field context) it says yes, so
// that nothing is left out.
func selectsField(ctx context.Context, name string) bool {
	if graphql.GetFieldContext(ctx) == nil {
		return true
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// outlinesOmitted registers a page of areas read without their outlines
// (areaOmit): those whose text at one of decimals the cache does not
// hold are the misses, whose outlines then load together, in one store
// call, when areaGeometry asks for the first of them.
func outlinesOmitted(ctx context.Context, texts *outline.Texts, areas []*db.Area, decimals []int) {
	var misses []int64
	for _, a := range areas {
		for _, d := range decimals {
			if !texts.Holds(a, d) {
				misses = append(misses, a.ID)
				break
			}
		}
	}
	loader.For(ctx).OutlinesOmitted(areas, misses)
}
