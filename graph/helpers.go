package graph

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/areagraph/areagraph/db"
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
func orgInitiatives(ctx context.Context, o model.Organization, filter *model.InitiativeFilter, first *int, after *string) (*model.InitiativeConnection, error) {
	f, err := initiativeFilter(filter)
	if err != nil {
		return nil, err
	}
	return paged(first, after, func(p db.Page) (db.List[*db.Initiative], error) {
		return loader.For(ctx).OrganizationInitiatives(ctx, o.Record().ID, f, p)
	}, nil, model.NewInitiativeConnection)
}

// organizations lists organisations of the given kinds at the root.
func organizations[C any](ctx context.Context, s db.Store, filter *model.OrganizationFilter, first *int, after *string,
	wrap func(db.List[*db.Organization], int) C, kinds ...db.OrgKind) (C, error) {
	f, err := orgFilter(filter, kinds...)
	if err != nil {
		var zero C
		return zero, err
	}
	return paged(first, after, func(p db.Page) (db.List[*db.Organization], error) {
		return s.Organizations(ctx, f, p)
	}, loader.For(ctx).Organizations, wrap)
}

// paged is the shape of every list field: check the page, load it, let
// the loaders know what was handed out (when the load did not already),
// and wrap it as a connection.
func paged[T, C any](first *int, after *string, load func(db.Page) (db.List[T], error),
	register func([]T), wrap func(db.List[T], int) C) (C, error) {
	var zero C
	p, err := page(first, after)
	if err != nil {
		return zero, err
	}
	l, err := load(p)
	if err != nil {
		return zero, err
	}
	if register != nil {
		register(l.Items)
	}
	return wrap(l, p.Offset), nil
}

// series groups an area's values into one series per indicator and sex,
// in indicator code order and TOTAL, FEMALE, MALE within an indicator; the
// years inside a series keep the store's ascending order.
func series(defs []*db.Indicator, vals []db.IndicatorValue) []*model.IndicatorSeries {
	byCode := make(map[string]*db.Indicator, len(defs))
	for _, d := range defs {
		byCode[d.Code] = d
	}
	type key struct {
		code string
		sex  db.Sex
	}
	found := map[key]*model.IndicatorSeries{}
	var out []*model.IndicatorSeries
	for _, v := range vals {
		def := byCode[v.IndicatorCode]
		if def == nil {
			continue
		}
		k := key{v.IndicatorCode, v.Sex}
		s := found[k]
		if s == nil {
			s = &model.IndicatorSeries{Indicator: def, Sex: v.Sex}
			found[k] = s
			out = append(out, s)
		}
		s.Values = append(s.Values, &model.IndicatorValue{Year: v.Year, Value: v.Value})
	}
	slices.SortStableFunc(out, func(a, b *model.IndicatorSeries) int {
		return cmp.Or(strings.Compare(a.Indicator.Code, b.Indicator.Code), cmp.Compare(sexRank(a.Sex), sexRank(b.Sex)))
	})
	return out
}

func sexRank(s db.Sex) int {
	return slices.Index([]db.Sex{db.SexTotal, db.SexFemale, db.SexMale}, s)
}
