package analysis

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/areagraph/areagraph/db"
)

func f(x float64) *float64 { return &x }
func n(i int) *int         { return &i }

func val(area int64, year int, v float64, count *int) db.IndicatorValue {
	return db.IndicatorValue{AreaID: area, IndicatorCode: "u", Year: year, Sex: db.SexTotal, Value: v, Count: count}
}

func TestSuppressed(t *testing.T) {
	open := &db.Indicator{Code: "u"}
	guarded := &db.Indicator{Code: "u", MinCount: 50}
	cases := []struct {
		name string
		def  *db.Indicator
		v    db.IndicatorValue
		want bool
	}{
		{"no rule", open, val(1, 2020, 3, n(2)), false},
		{"enough", guarded, val(1, 2020, 3, n(50)), false},
		{"too few", guarded, val(1, 2020, 3, n(49)), true},
		{"unknown count under a rule", guarded, val(1, 2020, 3, nil), true},
	}
	for _, c := range cases {
		if got := Suppressed(c.def, c.v); got != c.want {
			t.Errorf("%s: Suppressed = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSeries(t *testing.T) {
	def := &db.Indicator{Code: "u", MinCount: 10}
	vals := []db.IndicatorValue{
		val(1, 2018, 40, n(100)),
		val(1, 2019, 38, n(100)),
		val(1, 2020, 41, n(5)), // suppressed
		val(1, 2021, 36, n(100)),
		val(1, 2023, 33, n(100)), // 2022 missing
	}
	got := Series(def, vals, 2019, 2023, 2018)
	want := []Point{
		{Year: 2019, Value: f(38), ChangeSincePreviousYear: f(-2), ChangeSinceBaseline: f(-2)},
		{Year: 2020, Suppressed: true},
		{Year: 2021, Value: f(36), ChangeSinceBaseline: f(-4)},
		{Year: 2023, Value: f(33), ChangeSinceBaseline: f(-7)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Series:\n got  %s\n want %s", show(got), show(want))
	}
	if got := Series(def, vals, 0, 0, 0); len(got) != 5 || got[0].ChangeSinceBaseline != nil {
		t.Errorf("open window without a baseline: %s", show(got))
	}
}

func show(ps []Point) string {
	s := ""
	for _, p := range ps {
		s += fmt.Sprintf("{%d %s prev %s base %s suppressed %v}", p.Year, fs(p.Value), fs(p.ChangeSincePreviousYear), fs(p.ChangeSinceBaseline), p.Suppressed)
	}
	return s
}

func fs(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func measuredValues(vs ...db.IndicatorValue) []db.Derived {
	out := make([]db.Derived, len(vs))
	for i, v := range vs {
		out[i].Value = v
	}
	return out
}

// The planner's question: how far is each priority area from the
// municipality, and is the gap closing?
func TestCompare(t *testing.T) {
	def := &db.Indicator{Code: "u", HigherIsBetter: false, MinCount: 10}
	const mun, norrby, sjobo, hulta, gota, district = 1, 13, 14, 16, 17, 3
	c := Comparison{
		Indicator: def, Year: 2024, BaselineYear: 2015,
		AreaIDs:      []int64{sjobo, norrby, hulta, gota},
		Municipality: map[int64]int64{norrby: mun, sjobo: mun, hulta: mun, gota: mun},
		Reference:    district,
		Values: measuredValues(
			val(mun, 2015, 8, n(1000)), val(mun, 2024, 6.5, n(1000)),
			val(district, 2024, 20, n(1000)),
			val(norrby, 2015, 44, n(500)), val(norrby, 2024, 31, n(500)),
			val(sjobo, 2015, 20, n(500)), val(sjobo, 2024, 14.5, n(500)),
			val(hulta, 2015, 18, n(500)), val(hulta, 2024, 14.5, n(500)),
			val(gota, 2024, 12, n(3)), // suppressed
		),
	}
	rows := Compare(c)
	var order []int64
	for _, r := range rows {
		order = append(order, r.AreaID)
	}
	if !reflect.DeepEqual(order, []int64{sjobo, hulta, norrby, gota}) {
		t.Fatalf("order %v: lowest unemployment first, equal values by id, suppressed last", order)
	}
	ranks := []int{rows[0].Rank, rows[1].Rank, rows[2].Rank, rows[3].Rank}
	if !reflect.DeepEqual(ranks, []int{1, 1, 3, 0}) {
		t.Errorf("ranks %v, want [1 1 3 0]", ranks)
	}
	nr := rows[2]
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || *got != want {
			t.Errorf("Norrby %s = %v, want %v", name, fs(got), want)
		}
	}
	check("gap to municipality", nr.GapToMunicipality, 24.5)
	check("gap to reference", nr.GapToReference, 11)
	check("change since baseline", nr.ChangeSinceBaseline, -13)
	check("gap at baseline", nr.GapToMunicipalityAtBaseline, 36)
	if nr.GapClosing == nil || !*nr.GapClosing {
		t.Errorf("Norrby's gap went from 36 to 24.5: closing")
	}
	g := rows[3]
	if !g.Suppressed || g.Value != nil || g.GapToMunicipality != nil || g.GapClosing != nil {
		t.Errorf("Göta's suppressed value leaked into %+v", g)
	}
}

func TestMatrix(t *testing.T) {
	found := []db.CoverageCell{
		{AreaID: 2, FocusGroup: db.FocusBornOutsideEurope, Initiatives: 3, Organizations: 4, Participants: 50},
		{AreaID: 5, FocusGroup: db.FocusDisability, Initiatives: 1, Organizations: 1},
	}
	cells, white := Matrix([]int64{2, 5}, nil, found)
	if len(cells) != 6 || len(white) != 4 {
		t.Fatalf("%d cells, %d white spots; want 6 and 4", len(cells), len(white))
	}
	if cells[0] != found[0] || cells[4] != found[1] {
		t.Errorf("cells out of order: %+v", cells)
	}
	for _, w := range white {
		if w.Initiatives != 0 {
			t.Errorf("white spot with work: %+v", w)
		}
	}
	cells, white = Matrix([]int64{2}, []db.Theme{db.ThemeJobs, db.ThemeLanguage}, nil)
	if len(cells) != 6 || len(white) != 6 || cells[1].Theme != db.ThemeLanguage {
		t.Errorf("split by theme: %+v", cells)
	}
}
