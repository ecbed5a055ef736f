package db_test

import (
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db"
)

func TestIndicatorValueEqual(t *testing.T) {
	zero, one, one2 := 0, 1, 1
	v := db.IndicatorValue{AreaID: 1, IndicatorCode: "x", Year: 2020, Sex: db.SexTotal, Value: 2, Count: &one}
	same := v
	same.Count = &one2
	if !v.Equal(same) {
		t.Error("equal counts behind different pointers are not equal")
	}
	for what, w := range map[string]db.IndicatorValue{
		"value": {AreaID: 1, IndicatorCode: "x", Year: 2020, Sex: db.SexTotal, Value: 3, Count: &one},
		"count": {AreaID: 1, IndicatorCode: "x", Year: 2020, Sex: db.SexTotal, Value: 2, Count: &zero},
		"nil":   {AreaID: 1, IndicatorCode: "x", Year: 2020, Sex: db.SexTotal, Value: 2},
		"sex":   {AreaID: 1, IndicatorCode: "x", Year: 2020, Sex: db.SexMale, Value: 2, Count: &one},
	} {
		if v.Equal(w) || w.Equal(v) {
			t.Errorf("a different %s is equal", what)
		}
	}
}

func TestCompareValues(t *testing.T) {
	want := []db.IndicatorValue{
		{AreaID: 1, IndicatorCode: "a", Year: 2020, Sex: db.SexTotal},
		{AreaID: 1, IndicatorCode: "a", Year: 2020, Sex: db.SexFemale},
		{AreaID: 1, IndicatorCode: "a", Year: 2020, Sex: db.SexMale},
		{AreaID: 1, IndicatorCode: "a", Year: 2021, Sex: db.SexTotal},
		{AreaID: 1, IndicatorCode: "b", Year: 2019, Sex: db.SexTotal},
		{AreaID: 2, IndicatorCode: "a", Year: 2019, Sex: db.SexMale},
	}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortFunc(got, db.CompareValues)
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
