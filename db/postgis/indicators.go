package postgis

import (
	"context"
	"slices"

	"github.com/areagraph/areagraph/db"
)

// indicatorColumns are the columns indicatorRow reads.
const indicatorColumns = "code, name, name_sv, description, unit, higher_is_better, source, license, attribution, min_count, rollup, weight_indicator, version, updated_at"

type indicatorRow struct{ d db.Indicator }

func newIndicatorRow() scanner[*db.Indicator] { return &indicatorRow{} }

func (r *indicatorRow) dest() []any {
	return []any{&r.d.Code, &r.d.Name, &r.d.NameSv, &r.d.Description, &r.d.Unit, &r.d.HigherIsBetter, &r.d.Source,
		&r.d.License, &r.d.Attribution, &r.d.MinCount, &r.d.Rollup, &r.d.WeightIndicator, &r.d.Version, &r.d.UpdatedAt}
}

func (r *indicatorRow) record() (*db.Indicator, error) {
	d := r.d
	d.UpdatedAt = d.UpdatedAt.UTC()
	return &d, nil
}

// Indicators returns the definitions with the given codes, or all of them,
// ordered by code.
func (s *Store) Indicators(ctx context.Context, codes []string) ([]*db.Indicator, error) {
	var a args
	// The column's "C" collation orders codes byte-wise, as Go does.
	sql := "SELECT " + indicatorColumns + " FROM indicators" +
		where(inSet(&a, "code", "text", codes)) + " ORDER BY code"
	return queryRecords(ctx, s, "indicators", newIndicatorRow, sql, a)
}

type valueRow struct {
	v   db.IndicatorValue
	sex string
}

func newValueRow() scanner[db.IndicatorValue] { return &valueRow{} }

func (r *valueRow) dest() []any {
	return []any{&r.v.AreaID, &r.v.IndicatorCode, &r.v.Year, &r.sex, &r.v.Value, &r.v.Count}
}

func (r *valueRow) record() (db.IndicatorValue, error) {
	v := r.v
	v.Sex = db.Sex(r.sex)
	return v, nil
}

// valueConds are the conditions of a ValueFilter on indicator_values.
func valueConds(a *args, f db.ValueFilter) []string {
	conds := slices.Concat(
		inSet(a, "area_id", "bigint", f.AreaIDs),
		inSet(a, "indicator_code", "text", f.Codes),
		inSet(a, "sex", "text", strs(f.Sexes)),
	)
	if f.FromYear != 0 {
		conds = append(conds, "year >= "+a.add(f.FromYear))
	}
	if f.ToYear != 0 {
		conds = append(conds, "year <= "+a.add(f.ToYear))
	}
	return conds
}

// IndicatorValues returns the values that pass f, ordered by area id, code,
// year and sex (TOTAL, FEMALE, MALE).
func (s *Store) IndicatorValues(ctx context.Context, f db.ValueFilter) ([]db.IndicatorValue, error) {
	var a args
	conds := valueConds(&a, f)
	sql := "SELECT area_id, indicator_code, year, sex, value, count FROM indicator_values" + where(conds) +
		" ORDER BY area_id, indicator_code, year, array_position(" + a.add(strs(db.Sexes)) + "::text[], sex)"
	return queryRecords(ctx, s, "indicator values", newValueRow, sql, a)
}
