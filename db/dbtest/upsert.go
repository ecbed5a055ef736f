package dbtest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// seqOf yields items as an upsert reads them, and fails the test if it is
// read twice: an upsert streams from files, which cannot be rewound.
func seqOf[T any](t *testing.T, items ...*T) iter.Seq2[*T, error] {
	t.Helper()
	read := false
	return func(yield func(*T, error) bool) {
		if read {
			t.Error("the sequence was read twice")
			return
		}
		read = true
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}
}

// snapshot is everything an upsert may touch, to show that a failed one
// touched nothing.
type snapshot struct {
	areas  []*db.Area
	values []db.IndicatorValue
}

func snap(t *testing.T, s db.Store) snapshot {
	t.Helper()
	areas := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 1000}))
	values := must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), db.ValueFilter{}))
	return snapshot{areas: areas.Items, values: values}
}

// wantItemError checks that err is an EINVALID error about item whose
// message holds every one of parts.
func wantItemError(t *testing.T, what string, err error, item int, parts ...string) {
	t.Helper()
	wantCode(t, what, err, db.EINVALID)
	var ie *db.ItemError
	if !errors.As(err, &ie) || ie.Item != item {
		t.Errorf("%s: got %v, want an error about item %d", what, err, item)
	}
	for _, p := range parts {
		if !strings.Contains(db.ErrorMessage(err), p) {
			t.Errorf("%s: message %q does not say %q", what, db.ErrorMessage(err), p)
		}
	}
}

func wantUnchanged(t *testing.T, what string, s db.Store, before snapshot) {
	t.Helper()
	wantEqual(t, what+": the store after the failed upsert", snap(t, s), before)
}

// testFile is the file the values of an upsert come from, as the import
// names it in its audit entry.
var testFile = db.ImportFile{Name: "values.csv", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}

func areaIn(code, name string, kind db.AreaKind, parent string, g orb.Geometry) *db.AreaInput {
	return &db.AreaInput{Code: code, Name: name, Kind: kind, ParentCode: parent, Geometry: g}
}

func testUpsertAreasInsert(t *testing.T, s db.Store) {
	loaded(t, s)
	p := &db.AreaInput{Code: "9999-P3", Name: "Priority R", Kind: db.KindPriorityArea, AreaType: 3, ParentCode: "9999-D2",
		Geometry:  orb.MultiPolygon{{box(13.1, 57.1, 13.2, 57.2)}, {box(13.3, 57.1, 13.4, 57.2)}},
		ValidFrom: date(2024, 1, 1), ValidTo: date(2027, 12, 31), Description: "Imported."}
	n := must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf(t,
		areaIn("9999S0002", "Statistical T", db.KindStatisticalArea, "9999-D1", orb.Polygon{box(12.5, 57, 13, 57.5)}),
		p,
	)))
	wantEqual(t, "counts", n, db.ImportCounts{Added: 2})
	// New areas are numbered after the largest id, in import order.
	got := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{Codes: []string{"9999S0002", "9999-P3"}}, db.Page{Limit: 10}))
	wantList(t, "imported areas", got, 2, 7, 8)
	wantEqual(t, "imported priority area", got.Items[1], &db.Area{ID: 8, Code: p.Code, Name: p.Name, Kind: p.Kind,
		AreaType: 3, ParentID: 3, Geometry: p.Geometry, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, Description: p.Description,
		Version: 1})
	if got.Items[0].ParentID != 2 {
		t.Errorf("statistical area's parent: got %d, want 2", got.Items[0].ParentID)
	}
	// The indexes know the new areas.
	wantIDs(t, "areas at a point of the new priority area", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{13.35, 57.15}, nil, anyDay)), 8, 3, 1)
	wantList(t, "children of district B", must[[]db.List[*db.Area]](t)(
		s.ChildAreas(ctx(t), []int64{3}, db.AreaFilter{}, db.Page{Limit: 10}))[0], 2, 5, 8)

	// The caller's records are its own again once the upsert returns.
	p.Geometry.(orb.MultiPolygon)[0][0][0] = orb.Point{0, 0}
	again := must[*db.Area](t)(s.AreaByCode(ctx(t), "9999-P3"))
	if again.Geometry.(orb.MultiPolygon)[0][0][0] != (orb.Point{13.1, 57.1}) {
		t.Error("changing the input after the upsert changed the stored area")
	}

	// An empty sequence writes nothing, and is no error.
	empty := must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf[db.AreaInput](t)))
	wantEqual(t, "counts of an empty upsert", empty, db.ImportCounts{})
}

func testUpsertAreasUpdateInPlace(t *testing.T, s db.Store) {
	loaded(t, s)
	before := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 100}))
	// Statistical S moves from district A to district B and becomes a
	// priority area; district A is renamed and loses its validity period.
	moved := &db.AreaInput{Code: "9999S0001", Name: "Statistical S, moved", Kind: db.KindPriorityArea, AreaType: 4,
		ParentCode: "9999-D2", Geometry: orb.Polygon{box(13.5, 57, 14, 57.25)}}
	renamed := areaIn("9999-D1", "District A, renamed", db.KindDistrict, "9999", orb.Polygon{box(12, 57, 13, 58)})
	n := must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf(t, moved, renamed)))
	wantEqual(t, "counts", n, db.ImportCounts{Changed: 2})
	after := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 100}))
	wantList(t, "areas after the update: same ids, same count", after, before.Total, ids(before.Items)...)
	// An update in place raises the version by one, as UpdateArea does.
	wantEqual(t, "moved area", after.Items[5], &db.Area{ID: 6, Code: moved.Code, Name: moved.Name, Kind: moved.Kind,
		AreaType: 4, ParentID: 3, Geometry: moved.Geometry, Version: 2})
	wantEqual(t, "renamed area", after.Items[1], &db.Area{ID: 2, Code: renamed.Code, Name: renamed.Name,
		Kind: db.KindDistrict, ParentID: 1, Geometry: renamed.Geometry, Version: 2})

	kids := must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{2, 3}, db.AreaFilter{}, db.Page{Limit: 10}))
	wantList(t, "children of A after the move", kids[0], 1, 4)
	wantList(t, "children of B after the move", kids[1], 2, 5, 6)
	wantIDs(t, "at the old place", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{12.1, 57.1}, nil, anyDay)), 2, 1)
	wantIDs(t, "at the new place", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{13.6, 57.1}, nil, anyDay)), 6, 3, 1)
	wantList(t, "priority areas", must[db.List[*db.Area]](t)(s.Areas(ctx(t),
		db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}}, db.Page{Limit: 10})), 3, 4, 5, 6)

	// Importing the same again changes nothing, not even the versions.
	n = must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf(t, moved, renamed)))
	wantEqual(t, "counts of the same import again", n, db.ImportCounts{Unchanged: 2})
	wantEqual(t, "areas after the same import again", must[db.List[*db.Area]](t)(
		s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 100})), after)
}

func testUpsertAreasParentAfterChild(t *testing.T, s db.Store) {
	n := must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf(t,
		areaIn("C", "Child", db.KindDistrict, "M", orb.Polygon{box(12, 57, 13, 58)}),
		areaIn("G", "Grandchild", db.KindStatisticalArea, "C", orb.Polygon{box(12, 57, 12.5, 57.5)}),
		areaIn("M", "Municipality", db.KindMunicipality, "", orb.Polygon{box(12, 57, 14, 58)}),
	)))
	wantEqual(t, "counts", n, db.ImportCounts{Added: 3})
	got := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 10}))
	wantList(t, "areas", got, 3, 1, 2, 3)
	parents := []int64{got.Items[0].ParentID, got.Items[1].ParentID, got.Items[2].ParentID}
	if parents[0] != 3 || parents[1] != 1 || parents[2] != 0 {
		t.Errorf("parents: got %v, want [3 1 0]", parents)
	}
	wantIDs(t, "areas at a point of the grandchild", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{12.25, 57.25}, nil, anyDay)), 2, 1, 3)
}

func testUpsertAreasAllOrNothing(t *testing.T, s db.Store) {
	loaded(t, s)
	before := snap(t, s)
	good := func(i int) *db.AreaInput {
		x := 12 + float64(i)/64
		return areaIn(fmt.Sprintf("N%03d", i), "New", db.KindStatisticalArea, "9999", orb.Polygon{box(x, 57, x+1.0/64, 57.5)})
	}
	cases := []struct {
		name  string
		bad   *db.AreaInput
		parts []string
	}{
		{"unclosed ring", areaIn("BAD", "Bad", db.KindDistrict, "", orb.Polygon{box(12, 57, 13, 58)[:4]}),
			[]string{`area 3 (code "BAD")`, "not closed"}},
		{"no geometry", areaIn("BAD", "Bad", db.KindDistrict, "", nil), []string{`area 3 (code "BAD")`, "geometry is required"}},
		{"out of range", areaIn("BAD", "Bad", db.KindDistrict, "", orb.Polygon{box(377000, 6399000, 378000, 6400000)}),
			[]string{`area 3 (code "BAD")`, "out of range"}},
		{"unknown kind", areaIn("BAD", "Bad", "COUNTY", "", orb.Polygon{box(12, 57, 13, 58)}),
			[]string{`area 3 (code "BAD")`, `unknown kind "COUNTY"`}},
		{"area type 6", &db.AreaInput{Code: "BAD", Name: "Bad", Kind: db.KindPriorityArea, AreaType: 6,
			Geometry: orb.Polygon{box(12, 57, 13, 58)}}, []string{`area 3 (code "BAD")`, "area type 6"}},
		{"no code", areaIn("", "Bad", db.KindDistrict, "", orb.Polygon{box(12, 57, 13, 58)}),
			[]string{`area 3 (code "")`, "code and name are required"}},
		{"no name", areaIn("BAD", "", db.KindDistrict, "", orb.Polygon{box(12, 57, 13, 58)}),
			[]string{"code and name are required"}},
		{"own parent", areaIn("BAD", "Bad", db.KindDistrict, "BAD", orb.Polygon{box(12, 57, 13, 58)}),
			[]string{"cannot be its own parent"}},
		{"ends before it starts", &db.AreaInput{Code: "BAD", Name: "Bad", Kind: db.KindDistrict,
			Geometry: orb.Polygon{box(12, 57, 13, 58)}, ValidFrom: date(2020, 1, 1), ValidTo: date(2019, 1, 1)},
			[]string{"valid to must come after valid from"}},
		{"missing", nil, []string{"area 3", "missing"}},
	}
	for _, c := range cases {
		// The bad item sits between good ones, and after it comes one that
		// would update a stored area: none of them may be written.
		_, err := s.UpsertAreas(ctx(t), testActor, seqOf(t, good(1), good(2), c.bad, good(4),
			areaIn("9999-D1", "District A, renamed", db.KindDistrict, "9999", orb.Polygon{box(12, 57, 13, 58)})))
		wantItemError(t, c.name, err, 3, c.parts...)
		wantUnchanged(t, c.name, s, before)
	}

	_, err := s.UpsertAreas(ctx(t), testActor, seqOf(t, good(1), good(2),
		areaIn("9999-D1", "District A, renamed", db.KindDistrict, "9999", orb.Polygon{box(12, 57, 13, 58)}),
		areaIn("N004", "New", db.KindStatisticalArea, "NOWHERE", orb.Polygon{box(12, 57, 12.1, 57.1)})))
	wantItemError(t, "unknown parent code", err, 4, `area 4 (code "N004")`, `parent "NOWHERE" does not exist`)
	wantUnchanged(t, "unknown parent code", s, before)

	_, err = s.UpsertAreas(ctx(t), testActor, seqOf(t, good(1), good(2), good(3), good(2)))
	wantItemError(t, "a code twice in one import", err, 4, `area 4 (code "N002")`, "appears twice", "first as area 2")
	wantUnchanged(t, "a code twice in one import", s, before)

	// An error of the sequence itself comes back as it is.
	broken := errors.New("the file broke off")
	_, err = s.UpsertAreas(ctx(t), testActor, func(yield func(*db.AreaInput, error) bool) {
		if yield(good(1), nil) {
			yield(nil, broken)
		}
	})
	if !errors.Is(err, broken) {
		t.Errorf("an error of the sequence: got %v, want it back", err)
	}
	wantUnchanged(t, "an error of the sequence", s, before)

	// The first problem in the order the contract sets is the one named:
	// items on their own, then repeated codes, then references.
	_, err = s.UpsertAreas(ctx(t), testActor, seqOf(t,
		areaIn("N001", "New", db.KindStatisticalArea, "NOWHERE", orb.Polygon{box(12, 57, 12.1, 57.1)}),
		good(2), good(2), areaIn("BAD", "Bad", "COUNTY", "", orb.Polygon{box(12, 57, 13, 58)})))
	wantItemError(t, "a bad item after a repeat and a bad reference", err, 4)
	_, err = s.UpsertAreas(ctx(t), testActor, seqOf(t,
		areaIn("N001", "New", db.KindStatisticalArea, "NOWHERE", orb.Polygon{box(12, 57, 12.1, 57.1)}), good(2), good(2)))
	wantItemError(t, "a repeat after a bad reference", err, 3)
	wantUnchanged(t, "after the ordering checks", s, before)
}

func valueIn(area, code string, year int, sex db.Sex, value float64) *db.ValueInput {
	return &db.ValueInput{AreaCode: area, IndicatorCode: code, Year: year, Sex: sex, Value: value}
}

func testUpsertValues(t *testing.T, s db.Store) {
	loaded(t, s)
	v := func(area int64, code string, year int, sex db.Sex, value float64, count *int) db.IndicatorValue {
		return db.IndicatorValue{AreaID: area, IndicatorCode: code, Year: year, Sex: sex, Value: value, Count: count}
	}
	// Two values overwrite stored ones (area 4's, in 2021), three are new,
	// in no particular order.
	counted := valueIn("9999-P1", "unemployment", 2022, db.SexFemale, 33.25)
	counted.Count = intp(812)
	n := must[db.ImportCounts](t)(s.UpsertIndicatorValues(ctx(t), testActor, testFile, seqOf(t,
		valueIn("9999-P1", "unemployment", 2021, db.SexMale, 41),
		counted,
		valueIn("9999-P1", "unemployment", 2022, db.SexTotal, 34.5),
		valueIn("9999-P1", "unemployment", 2021, db.SexTotal, 38.5),
		valueIn("9999-D2", "population", 2021, db.SexTotal, 50000),
	)))
	wantEqual(t, "counts", n, db.ImportCounts{Added: 3, Changed: 2})
	// Values the upsert did not name keep their counts.
	stored := func(year int, sex db.Sex) *int {
		for _, fv := range Fixture().Values {
			if fv.AreaID == 4 && fv.IndicatorCode == "unemployment" && fv.Year == year && fv.Sex == sex {
				return fv.Count
			}
		}
		return nil
	}
	wantEqual(t, "values of area 4", must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), db.ValueFilter{AreaIDs: []int64{4}})),
		[]db.IndicatorValue{
			v(4, "unemployment", 2020, db.SexTotal, 41.25, stored(2020, db.SexTotal)),
			v(4, "unemployment", 2021, db.SexTotal, 38.5, nil),
			v(4, "unemployment", 2021, db.SexFemale, 35.5, stored(2021, db.SexFemale)),
			v(4, "unemployment", 2021, db.SexMale, 41, nil),
			v(4, "unemployment", 2022, db.SexTotal, 34.5, nil),
			v(4, "unemployment", 2022, db.SexFemale, 33.25, intp(812)),
		})
	wantEqual(t, "values of area 3", must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), db.ValueFilter{AreaIDs: []int64{3}})),
		[]db.IndicatorValue{v(3, "population", 2021, db.SexTotal, 50000, nil)})

	// Overwriting replaces the count too, with none when none is given.
	n = must[db.ImportCounts](t)(s.UpsertIndicatorValues(ctx(t), testActor, testFile, seqOf(t, valueIn("9999-P1", "unemployment", 2022, db.SexFemale, 33))))
	wantEqual(t, "counts of the second upsert", n, db.ImportCounts{Changed: 1})
	wantEqual(t, "overwritten value", must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t),
		db.ValueFilter{AreaIDs: []int64{4}, FromYear: 2022, Sexes: []db.Sex{db.SexFemale}})),
		[]db.IndicatorValue{v(4, "unemployment", 2022, db.SexFemale, 33, nil)})
	if total := len(must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), db.ValueFilter{}))); total != 11 {
		t.Errorf("%d values in all, want 11", total)
	}
}

func testUpsertValuesAllOrNothing(t *testing.T, s db.Store) {
	loaded(t, s)
	before := snap(t, s)
	// Many good values, one bad among them, one that would overwrite a
	// stored value after it.
	many := func(bad *db.ValueInput) []*db.ValueInput {
		var vs []*db.ValueInput
		for i := range 500 {
			vs = append(vs, valueIn("9999S0001", "unemployment", 1900+i/3, []db.Sex{db.SexTotal, db.SexFemale, db.SexMale}[i%3], float64(i)))
		}
		vs[249] = bad
		return append(vs, valueIn("9999-P1", "unemployment", 2021, db.SexTotal, 99))
	}
	cases := []struct {
		name  string
		bad   *db.ValueInput
		parts []string
	}{
		{"unknown sex", valueIn("9999-P1", "unemployment", 2023, "X", 1),
			[]string{`value 250 (area "9999-P1", indicator "unemployment", 2023, X)`, `unknown sex "X"`}},
		{"no sex", valueIn("9999-P1", "unemployment", 2023, "", 1), []string{"value 250", `unknown sex ""`}},
		{"not a number", valueIn("9999-P1", "unemployment", 2023, db.SexTotal, math.NaN()), []string{"finite"}},
		{"infinite", valueIn("9999-P1", "unemployment", 2023, db.SexTotal, math.Inf(-1)), []string{"finite"}},
		{"year", valueIn("9999-P1", "unemployment", 1799, db.SexTotal, 1), []string{"year out of range"}},
		{"negative count", &db.ValueInput{AreaCode: "9999-P1", IndicatorCode: "unemployment", Year: 2023,
			Sex: db.SexTotal, Value: 1, Count: intp(-1)}, []string{"count must be between 0 and"}},
		{"unknown area code", valueIn("NOWHERE", "unemployment", 2023, db.SexTotal, 1),
			[]string{"value 250", `area code "NOWHERE" does not exist`}},
		{"unknown indicator", valueIn("9999-P1", "happiness", 2023, db.SexTotal, 1),
			[]string{"value 250", `indicator "happiness" does not exist`}},
		{"the same key twice", valueIn("9999S0001", "unemployment", 1900, db.SexTotal, 1),
			[]string{"value 250", "appear twice", "first as value 1"}},
		{"missing", nil, []string{"value 250", "missing"}},
	}
	for _, c := range cases {
		_, err := s.UpsertIndicatorValues(ctx(t), testActor, testFile, seqOf(t, many(c.bad)...))
		wantItemError(t, c.name, err, 250, c.parts...)
		wantUnchanged(t, c.name, s, before)
	}
	// Items on their own first, then repeated keys, then references.
	_, err := s.UpsertIndicatorValues(ctx(t), testActor, testFile, seqOf(t,
		valueIn("NOWHERE", "unemployment", 2023, db.SexTotal, 1),
		valueIn("9999-P1", "unemployment", 2023, db.SexTotal, 1),
		valueIn("9999-P1", "unemployment", 2023, db.SexTotal, 2),
		valueIn("9999-P1", "unemployment", 2023, "X", 1)))
	wantItemError(t, "a bad item after a repeat and a bad reference", err, 4)
	_, err = s.UpsertIndicatorValues(ctx(t), testActor, testFile, seqOf(t,
		valueIn("NOWHERE", "unemployment", 2023, db.SexTotal, 1),
		valueIn("9999-P1", "unemployment", 2023, db.SexTotal, 1),
		valueIn("9999-P1", "unemployment", 2023, db.SexTotal, 2)))
	wantItemError(t, "a repeat after a bad reference", err, 3)
	_, err = s.UpsertIndicatorValues(ctx(t), testActor, testFile, seqOf(t,
		valueIn("9999-P1", "happiness", 2023, db.SexTotal, 1),
		valueIn("NOWHERE", "unemployment", 2023, db.SexTotal, 1)))
	wantItemError(t, "references in item order", err, 1, `indicator "happiness"`)
	wantUnchanged(t, "after the ordering checks", s, before)
}

// testUpsertAreasConcurrently runs upserts of new areas side by side: each
// must get ids no other took, as two imports started at once would.
func testUpsertAreasConcurrently(t *testing.T, s db.Store) {
	loaded(t, s)
	const workers, each = 4, 25
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			var items []*db.AreaInput
			for i := range each {
				x := 12 + float64(w*each+i)/128
				items = append(items, areaIn(fmt.Sprintf("W%d-%02d", w, i), "New", db.KindStatisticalArea, "9999",
					orb.Polygon{box(x, 57, x+1.0/128, 57.5)}))
			}
			_, errs[w] = s.UpsertAreas(context.Background(), testActor, seqOf(t, items...))
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			t.Errorf("upsert %d: %v", w, err)
		}
	}
	all := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 1000}))
	want := make([]int64, 6+workers*each)
	for i := range want {
		want[i] = int64(i + 1)
	}
	wantList(t, "areas after concurrent upserts", all, len(want), want...)
}
