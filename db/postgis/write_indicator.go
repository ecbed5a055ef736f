package postgis

import (
	"context"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/areagraph/areagraph/db"
)

// indicatorValues are the columns of an indicator definition a write sets,
// $1 (the code) to $12.
func indicatorValues(d *db.Indicator) []any {
	return []any{d.Code, d.Name, d.NameSv, d.Description, d.Unit, d.HigherIsBetter, d.Source, d.License, d.Attribution,
		int32(d.MinCount), // CheckIndicator bounds it
		string(d.Rollup), d.WeightIndicator}
}

func codeKey(code string) string { return strconv.Quote(code) }

// lockIndicator locks and reads the definition with code; nil when there is
// none. It has no link rows, so one statement does both.
func lockIndicator(ctx context.Context, tx pgx.Tx, code string) (*db.Indicator, error) {
	found, err := queryTx(ctx, tx, newIndicatorRow, "SELECT "+indicatorColumns+" FROM indicators WHERE code = $1 FOR UPDATE", code)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return found[0], nil
}

func readIndicator(ctx context.Context, tx pgx.Tx, code string) (*db.Indicator, error) {
	found, err := queryTx(ctx, tx, newIndicatorRow, "SELECT "+indicatorColumns+" FROM indicators WHERE code = $1", code)
	if err != nil {
		return nil, err
	}
	return found[0], nil
}

// CreateIndicator adds an indicator definition with version 1.
func (s *Store) CreateIndicator(ctx context.Context, by db.Actor, ind *db.Indicator) (*db.Indicator, error) {
	if err := db.CheckUnscoped(by, "indicator definitions"); err != nil {
		return nil, err
	}
	if err := db.CheckIndicator(ind); err != nil {
		return nil, err
	}
	var out *db.Indicator
	err := s.write(ctx, "create indicator", func(tx pgx.Tx) error {
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM indicators WHERE code = $1)`, ind.Code).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return db.Errorf(db.ECONFLICT, "an indicator with the code %q already exists", ind.Code)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO indicators (code, name, name_sv, description, unit, higher_is_better, source,
				license, attribution, min_count, rollup, weight_indicator)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, indicatorValues(ind)...); err != nil {
			return err
		}
		var err error
		if out, err = readIndicator(ctx, tx, ind.Code); err != nil {
			return err
		}
		return audit(ctx, tx, by, created(out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateIndicator applies p to the definition with code if its version is
// version.
func (s *Store) UpdateIndicator(ctx context.Context, by db.Actor, code string, version int64, p db.IndicatorPatch) (*db.Indicator, error) {
	if err := db.CheckUnscoped(by, "indicator definitions"); err != nil {
		return nil, err
	}
	if err := p.Check(code); err != nil {
		return nil, err
	}
	var out *db.Indicator
	err := s.write(ctx, "update indicator", func(tx pgx.Tx) error {
		before, err := lockIndicator(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := db.CheckTarget(db.TypeIndicator, codeKey(code), before, version); err != nil {
			return err
		}
		ind := before.Clone()
		if err := p.Apply(ind); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE indicators SET name = $2, name_sv = $3, description = $4, unit = $5,
				higher_is_better = $6, source = $7, license = $8, attribution = $9, min_count = $10, rollup = $11,
				weight_indicator = $12, version = version + 1
			WHERE code = $1`, indicatorValues(ind)...); err != nil {
			return err
		}
		if out, err = readIndicator(ctx, tx, ind.Code); err != nil {
			return err
		}
		return audit(ctx, tx, by, updated(before, out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteIndicator deletes the definition with code if its version is
// version; its values point at it, and with detach they go with it.
func (s *Store) DeleteIndicator(ctx context.Context, by db.Actor, code string, version int64, detach bool) error {
	if err := db.CheckUnscoped(by, "indicator definitions"); err != nil {
		return err
	}
	return s.write(ctx, "delete indicator", func(tx pgx.Tx) error {
		target, err := lockIndicator(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := db.CheckTarget(db.TypeIndicator, codeKey(code), target, version); err != nil {
			return err
		}
		// With the definition locked no value can be added for it (the
		// foreign key takes a key share lock), so the count is final.
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM indicator_values WHERE indicator_code = $1`, code).Scan(&n); err != nil {
			return err
		}
		if deps := (db.Dependents{Values: n}); deps.Any() && !detach {
			return db.DependentsError(db.TypeIndicator, codeKey(code), deps)
		}
		var old []db.IndicatorValue
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM indicator_values WHERE indicator_code = $1
			RETURNING area_id, indicator_code, year, sex, value, count`, code).Query(func(rows pgx.Rows) error {
			var err error
			old, err = scanRecords(rows, newValueRow)
			return err
		})
		b.Queue(`DELETE FROM indicators WHERE code = $1`, code)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		changes := []change{deleted(target)}
		for _, v := range sortValues(old) {
			changes = append(changes, deleted(v))
		}
		return audit(ctx, tx, by, changes...)
	})
}

func sortValues(vs []db.IndicatorValue) []db.IndicatorValue {
	slices.SortFunc(vs, db.CompareValues)
	return vs
}

type valueKey struct {
	area int64
	code string
	year int
	sex  db.Sex
}

func keyOf(v db.IndicatorValue) valueKey { return valueKey{v.AreaID, v.IndicatorCode, v.Year, v.Sex} }

// PutIndicatorValues adds and replaces values keyed on area, indicator,
// year and sex, leaving alone (and out of the audit log) those equal to
// the stored ones. The whole batch goes in a few statements, whatever its
// size: one to check references and lock the stored values with those
// keys, one to write what changes, one for the audit entries.
func (s *Store) PutIndicatorValues(ctx context.Context, by db.Actor, values []db.IndicatorValue) (int, error) {
	if err := db.CheckUnscoped(by, "indicator values"); err != nil {
		return 0, err
	}
	if err := db.CheckIndicatorValues(values); err != nil {
		return 0, err
	}
	if len(values) == 0 {
		return 0, nil
	}
	areaIDs := column(values, 0, len(values), func(v db.IndicatorValue) int64 { return v.AreaID })
	codes := column(values, 0, len(values), func(v db.IndicatorValue) string { return v.IndicatorCode })
	years := column(values, 0, len(values), func(v db.IndicatorValue) int32 { return int32(v.Year) }) // checked: 1800–2200
	sexes := column(values, 0, len(values), func(v db.IndicatorValue) string { return string(v.Sex) })
	var n int
	err := s.write(ctx, "put indicator values", func(tx pgx.Tx) error {
		n = 0
		missing := struct {
			item   int64
			noArea bool
		}{}
		var stored []db.IndicatorValue
		b := &pgx.Batch{}
		b.Queue(`SELECT u.n, a.id IS NULL
			FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS u(area_id, code, n)
				LEFT JOIN areas a ON a.id = u.area_id
				LEFT JOIN indicators d ON d.code = u.code
			WHERE a.id IS NULL OR d.code IS NULL
			ORDER BY u.n LIMIT 1`, areaIDs, codes).Query(func(rows pgx.Rows) error {
			_, err := pgx.ForEachRow(rows, []any{&missing.item, &missing.noArea}, func() error { return nil })
			return err
		})
		// Locked in key order, so that two puts over the same keys queue
		// rather than deadlock.
		b.Queue(`SELECT v.area_id, v.indicator_code, v.year, v.sex, v.value, v.count
			FROM indicator_values v
				JOIN unnest($1::bigint[], $2::text[], $3::integer[], $4::text[]) AS u(area_id, code, year, sex)
				ON v.area_id = u.area_id AND v.indicator_code = u.code AND v.year = u.year AND v.sex = u.sex
			ORDER BY v.area_id, v.indicator_code, v.year, v.sex
			FOR UPDATE OF v`, areaIDs, codes, years, sexes).Query(func(rows pgx.Rows) error {
			var err error
			stored, err = scanRecords(rows, newValueRow)
			return err
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if missing.item > 0 {
			v := values[missing.item-1]
			if missing.noArea {
				return db.ValueError(int(missing.item), v, "area %d does not exist", v.AreaID)
			}
			return db.ValueError(int(missing.item), v, "indicator %q does not exist", v.IndicatorCode)
		}

		old := make(map[valueKey]db.IndicatorValue, len(stored))
		for _, v := range stored {
			old[keyOf(v)] = v
		}
		var put []db.IndicatorValue
		var fresh []bool
		var changes []change
		for _, v := range sortValues(slices.Clone(values)) {
			o, ok := old[keyOf(v)]
			switch {
			case !ok:
				changes = append(changes, created(v))
			case !o.Equal(v):
				changes = append(changes, updated(o, v))
			default:
				continue
			}
			put = append(put, v)
			fresh = append(fresh, !ok)
		}
		if len(put) == 0 {
			return nil
		}
		var inserted, updatedRows, wantInserted int
		for _, f := range fresh {
			if f {
				wantInserted++
			}
		}
		err := tx.QueryRow(ctx, `WITH u AS (
				SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::double precision[],
					$6::integer[], $7::boolean[]) AS u(area_id, code, year, sex, value, count, fresh)),
			ins AS (
				INSERT INTO indicator_values (area_id, indicator_code, year, sex, value, count)
				SELECT area_id, code, year, sex, value, count FROM u WHERE fresh
				ON CONFLICT DO NOTHING RETURNING 1),
			upd AS (
				UPDATE indicator_values v SET value = u.value, count = u.count FROM u
				WHERE NOT u.fresh AND v.area_id = u.area_id AND v.indicator_code = u.code AND v.year = u.year
					AND v.sex = u.sex
				RETURNING 1)
			SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM upd)`,
			column(put, 0, len(put), func(v db.IndicatorValue) int64 { return v.AreaID }),
			column(put, 0, len(put), func(v db.IndicatorValue) string { return v.IndicatorCode }),
			column(put, 0, len(put), func(v db.IndicatorValue) int32 { return int32(v.Year) }),
			column(put, 0, len(put), func(v db.IndicatorValue) string { return string(v.Sex) }),
			column(put, 0, len(put), func(v db.IndicatorValue) float64 { return v.Value }),
			column(put, 0, len(put), func(v db.IndicatorValue) *int32 { return int32p(v.Count) }),
			fresh,
		).Scan(&inserted, &updatedRows)
		if err != nil {
			return err
		}
		if inserted != wantInserted {
			// A concurrent put added one of these keys after they were
			// looked up: its value is what this one replaces, and the
			// audit entry must say so. Run again, now seeing it.
			return errRetry
		}
		n = len(put)
		return audit(ctx, tx, by, changes...)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
