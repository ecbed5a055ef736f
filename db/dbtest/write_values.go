package dbtest

import (
	"math"
	"strconv"
	"testing"

	"github.com/areagraph/areagraph/db"
)

func val(area int64, code string, year int, sex db.Sex, value float64, count *int) db.IndicatorValue {
	return db.IndicatorValue{AreaID: area, IndicatorCode: code, Year: year, Sex: sex, Value: value, Count: count}
}

func testWriteValues(t *testing.T, s db.Store) {
	loaded(t, s)
	stored := valuesOf(t, s, db.ValueFilter{})
	find := func(area int64, code string, year int, sex db.Sex) db.IndicatorValue {
		for _, v := range stored {
			if v.AreaID == area && v.IndicatorCode == code && v.Year == year && v.Sex == sex {
				return v
			}
		}
		t.Fatalf("no stored value %d %s %d %s", area, code, year, sex)
		return db.IndicatorValue{}
	}
	// In no particular order: three new values, two that change a stored
	// one (its value; only its count) and one equal to what is stored.
	put := []db.IndicatorValue{
		val(6, "population", 2022, db.SexTotal, 2100, nil),
		val(4, "unemployment", 2021, db.SexMale, 41, intp(1460)),
		val(4, "unemployment", 2021, db.SexFemale, 35.5, intp(50)),
		val(1, "unemployment", 2020, db.SexTotal, 8.25, intp(71801)),
		val(4, "unemployment", 2022, db.SexFemale, 33.25, intp(812)),
		val(4, "unemployment", 2022, db.SexTotal, 34.5, nil),
	}
	n := must[int](t)(s.PutIndicatorValues(ctx(t), testActor, put))
	if n != 5 {
		t.Errorf("PutIndicatorValues: %d added or changed, want 5", n)
	}
	wantEqual(t, "values after the put", valuesOf(t, s, db.ValueFilter{}), []db.IndicatorValue{
		find(1, "population", 2021, db.SexTotal),
		put[3],
		find(1, "unemployment", 2021, db.SexTotal),
		find(4, "unemployment", 2020, db.SexTotal),
		find(4, "unemployment", 2021, db.SexTotal),
		put[2],
		put[1],
		put[5],
		put[4],
		find(5, "unemployment", 2021, db.SexTotal),
		put[0],
	})
	// One entry per value added or changed, in key order; the unchanged
	// value has none.
	wantAudit(t, "put", auditAfter(t, s, 0), testActor,
		updated(find(1, "unemployment", 2020, db.SexTotal), put[3]),
		updated(find(4, "unemployment", 2021, db.SexMale), put[1]),
		created(put[5]),
		created(put[4]),
		created(put[0]),
	)

	// The same again changes nothing and is not audited.
	mark := lastAuditID(t, s)
	if n := must[int](t)(s.PutIndicatorValues(ctx(t), otherActor, put)); n != 0 {
		t.Errorf("the same put again: %d added or changed, want 0", n)
	}
	if n := must[int](t)(s.PutIndicatorValues(ctx(t), otherActor, nil)); n != 0 {
		t.Errorf("an empty put: %d added or changed, want 0", n)
	}
	wantAudit(t, "puts that change nothing", auditAfter(t, s, mark), otherActor)

	// A count of 0 is not the same as no count; a caller's count is its own.
	zero := val(6, "population", 2022, db.SexTotal, 2100, intp(0))
	if n := must[int](t)(s.PutIndicatorValues(ctx(t), otherActor, []db.IndicatorValue{zero})); n != 1 {
		t.Errorf("no count to a count of 0: %d changed, want 1", n)
	}
	*zero.Count = 5
	wantEqual(t, "value with a count of 0", valuesOf(t, s, db.ValueFilter{AreaIDs: []int64{6}}),
		[]db.IndicatorValue{val(6, "population", 2022, db.SexTotal, 2100, intp(0))})
	wantAudit(t, "count only", auditAfter(t, s, mark), otherActor,
		updated(put[0], val(6, "population", 2022, db.SexTotal, 2100, intp(0))))
}

func testWriteValuesRejects(t *testing.T, s db.Store) {
	loaded(t, s)
	before := stateOf(t, s)
	// 600 good values with one bad as the 500th, and the last one would
	// overwrite a stored value: none of them may be written.
	batch := func(bad db.IndicatorValue) []db.IndicatorValue {
		var vs []db.IndicatorValue
		for i := range 600 {
			vs = append(vs, val(6, "unemployment", 1900+i/3, []db.Sex{db.SexTotal, db.SexFemale, db.SexMale}[i%3], float64(i), nil))
		}
		vs[499] = bad
		return append(vs, val(4, "unemployment", 2021, db.SexTotal, 99, nil))
	}
	cases := []struct {
		name  string
		bad   db.IndicatorValue
		parts []string
	}{
		{"unknown sex", val(4, "unemployment", 2023, "X", 1, nil),
			[]string{`value 500 (area 4, indicator "unemployment", 2023, X)`, `unknown sex "X"`}},
		{"no sex", val(4, "unemployment", 2023, "", 1, nil), []string{"value 500", `unknown sex ""`}},
		{"not a number", val(4, "unemployment", 2023, db.SexTotal, math.NaN(), nil), []string{"value 500", "finite"}},
		{"infinite", val(4, "unemployment", 2023, db.SexTotal, math.Inf(1), nil), []string{"finite"}},
		{"year", val(4, "unemployment", 2201, db.SexTotal, 1, nil), []string{"year out of range"}},
		{"negative count", val(4, "unemployment", 2023, db.SexTotal, 1, intp(-1)), []string{"count must be between 0 and"}},
		{"area id 0", val(0, "unemployment", 2023, db.SexTotal, 1, nil), []string{"value 500", "area id must be positive"}},
		{"unknown area", val(98, "unemployment", 2023, db.SexTotal, 1, nil), []string{"value 500 (area 98", "does not exist"}},
		{"unknown indicator", val(4, "happiness", 2023, db.SexTotal, 1, nil), []string{`indicator "happiness"`, "does not exist"}},
		{"no indicator", val(4, "", 2023, db.SexTotal, 1, nil), []string{"value 500", "does not exist"}},
		{"the same key twice", val(6, "unemployment", 1900, db.SexTotal, 1, nil), []string{"value 500", "appear twice", "first as value 1"}},
	}
	for _, c := range cases {
		_, err := s.PutIndicatorValues(ctx(t), testActor, batch(c.bad))
		wantItemError(t, c.name, err, 500, c.parts...)
	}

	// The cap, checked before anything else.
	over := make([]db.IndicatorValue, db.MaxIndicatorValuesPerWrite+1)
	for i := range over {
		over[i] = val(98, "happiness", 1800+i%400, db.SexTotal, 1, nil)
	}
	_, err := s.PutIndicatorValues(ctx(t), testActor, over)
	wantRefused(t, "one value over the cap", err, db.EINVALID, strconv.Itoa(db.MaxIndicatorValuesPerWrite))

	// Values on their own first, then repeated keys, then references, in
	// item order.
	_, err = s.PutIndicatorValues(ctx(t), testActor, []db.IndicatorValue{
		val(98, "unemployment", 2023, db.SexTotal, 1, nil),
		val(4, "unemployment", 2023, db.SexTotal, 1, nil),
		val(4, "unemployment", 2023, db.SexTotal, 2, nil),
		val(4, "unemployment", 2023, "X", 1, nil)})
	wantItemError(t, "a bad value after a repeat and a bad reference", err, 4)
	_, err = s.PutIndicatorValues(ctx(t), testActor, []db.IndicatorValue{
		val(98, "unemployment", 2023, db.SexTotal, 1, nil),
		val(4, "unemployment", 2023, db.SexTotal, 1, nil),
		val(4, "unemployment", 2023, db.SexTotal, 2, nil)})
	wantItemError(t, "a repeat after a bad reference", err, 3, "first as value 2")
	_, err = s.PutIndicatorValues(ctx(t), testActor, []db.IndicatorValue{
		val(4, "unemployment", 2023, db.SexTotal, 1, nil),
		val(4, "happiness", 2023, db.SexTotal, 1, nil),
		val(98, "unemployment", 2023, db.SexTotal, 1, nil)})
	wantItemError(t, "references in item order", err, 2, `"happiness"`)
	wantNoChange(t, "refused puts", s, before)
}
