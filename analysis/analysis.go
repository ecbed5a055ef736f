// Package analysis answers the questions a planner asks of the indicators
// and of the work: how a value moved, how areas rank and how far each is
// from its municipality, and where the initiatives are missing. It works on
// what the store returns and knows nothing of GraphQL.
package analysis

import (
	"cmp"
	"math"
	"slices"

	"github.com/areagraph/areagraph/db"
)

// Suppressed reports whether v must not be shown under def's small-count
// rule. A value whose count is unknown is suppressed too when a rule
// exists: the safe side of "never returned raw".
func Suppressed(def *db.Indicator, v db.IndicatorValue) bool { return def.Suppresses(v) }

// Measured is the provenance of every measured value.
var Measured = db.Provenance{Method: db.RollupNone, Coverage: 1}

// Point is one year of a series, ready to show.
type Point struct {
	Year                    int
	Value                   *float64 // nil when suppressed
	Suppressed              bool
	ChangeSincePreviousYear *float64
	ChangeSinceBaseline     *float64
	// Provenance says how a derived value was made; nil for a measured one.
	Provenance *db.Provenance
}

// visible returns the value if it may be shown.
func visible(def *db.Indicator, v db.IndicatorValue) *float64 {
	if Suppressed(def, v) {
		return nil
	}
	x := v.Value
	return &x
}

// diff is a minus b, rounded to nine decimals: values come with a few
// decimals, and binary floating point would otherwise show 5.8999999999999995
// for 12.6 − 6.7.
func diff(a, b *float64) *float64 {
	if a == nil || b == nil {
		return nil
	}
	d := math.Round((*a-*b)*1e9) / 1e9
	return &d
}

// Series turns one area's values of one indicator and sex (years
// ascending) into points from fromYear to toYear (0: open), each with its
// change since the year before and since baselineYear (0: none). vals may
// reach outside the window, so changes at its edges can be computed.
func Series(def *db.Indicator, vals []db.IndicatorValue, fromYear, toYear, baselineYear int) []Point {
	return DerivedSeries(def, vals, nil, fromYear, toYear, baselineYear)
}

// DerivedSeries is Series over values some of which are derived: prov
// holds their provenance by year. A derived value that rests on a
// suppressed one (Provenance.SuppressedBy) is suppressed, and so are the
// changes to and from it.
func DerivedSeries(def *db.Indicator, vals []db.IndicatorValue, prov map[int]*db.Provenance, fromYear, toYear, baselineYear int) []Point {
	suppressed := func(v db.IndicatorValue) bool {
		return def.Withholds(v, prov[v.Year])
	}
	byYear := make(map[int]*float64, len(vals))
	for _, v := range vals {
		if suppressed(v) {
			byYear[v.Year] = nil
			continue
		}
		x := v.Value
		byYear[v.Year] = &x
	}
	var base *float64
	if baselineYear != 0 {
		base = byYear[baselineYear]
	}
	var out []Point
	for _, v := range vals {
		if (fromYear != 0 && v.Year < fromYear) || (toYear != 0 && v.Year > toYear) {
			continue
		}
		p := Point{Year: v.Year, Value: byYear[v.Year], Suppressed: suppressed(v), Provenance: prov[v.Year]}
		p.ChangeSincePreviousYear = diff(p.Value, byYear[v.Year-1])
		p.ChangeSinceBaseline = diff(p.Value, base)
		out = append(out, p)
	}
	return out
}

// Row is one area in a comparison. Gaps are the area's value minus the
// other's; nil where a value is missing or suppressed.
type Row struct {
	AreaID                      int64
	Value                       *float64
	Suppressed                  bool
	Rank                        int // 0 without a value
	MunicipalityID              int64
	MunicipalityValue           *float64
	GapToMunicipality           *float64
	GapToReference              *float64
	BaselineValue               *float64
	ChangeSinceBaseline         *float64
	GapToMunicipalityAtBaseline *float64
	GapClosing                  *bool
	// Provenance of Value (nil when the area has no value in the year, a
	// measured one's Derived false).
	Provenance *db.Provenance
}

// Comparison is the input of Compare.
type Comparison struct {
	Indicator    *db.Indicator
	Year         int
	BaselineYear int             // 0: none
	AreaIDs      []int64         // the rows, in any order
	Municipality map[int64]int64 // area → its municipality (0: none)
	Reference    int64           // 0: none
	// Values of the indicator and sex for the areas, their municipalities
	// and the reference, in the year and the baseline year: measured ones
	// (nil Provenance) or derived ones (db.ValuesOrDerived).
	Values []db.Derived
}

// Compare ranks the areas, best first by the indicator's direction, equal
// values sharing a rank ("1224"), areas without a value last in id order.
func Compare(c Comparison) []Row {
	type key struct {
		area int64
		year int
	}
	val := map[key]*float64{}
	supp := map[key]bool{}
	prov := map[key]*db.Provenance{}
	for _, d := range c.Values {
		k := key{d.Value.AreaID, d.Value.Year}
		supp[k] = c.Indicator.Withholds(d.Value, d.Provenance)
		if !supp[k] {
			x := d.Value.Value
			val[k] = &x
		}
		prov[k] = d.Provenance
		if prov[k] == nil {
			prov[k] = &Measured
		}
	}
	get := func(area int64, year int) *float64 {
		if area == 0 || year == 0 {
			return nil
		}
		return val[key{area, year}]
	}
	ref := get(c.Reference, c.Year)
	rows := make([]Row, 0, len(c.AreaIDs))
	for _, id := range c.AreaIDs {
		m := c.Municipality[id]
		r := Row{AreaID: id, MunicipalityID: m, Value: get(id, c.Year), Suppressed: supp[key{id, c.Year}], Provenance: prov[key{id, c.Year}]}
		r.MunicipalityValue = get(m, c.Year)
		r.GapToMunicipality = diff(r.Value, r.MunicipalityValue)
		r.GapToReference = diff(r.Value, ref)
		r.BaselineValue = get(id, c.BaselineYear)
		r.ChangeSinceBaseline = diff(r.Value, r.BaselineValue)
		r.GapToMunicipalityAtBaseline = diff(r.BaselineValue, get(m, c.BaselineYear))
		if r.GapToMunicipality != nil && r.GapToMunicipalityAtBaseline != nil {
			closing := abs(*r.GapToMunicipality) < abs(*r.GapToMunicipalityAtBaseline)
			r.GapClosing = &closing
		}
		rows = append(rows, r)
	}
	better := func(a, b float64) int {
		if c.Indicator.HigherIsBetter {
			return cmp.Compare(b, a)
		}
		return cmp.Compare(a, b)
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		switch {
		case a.Value == nil && b.Value == nil:
			return cmp.Compare(a.AreaID, b.AreaID)
		case a.Value == nil:
			return 1
		case b.Value == nil:
			return -1
		}
		return cmp.Or(better(*a.Value, *b.Value), cmp.Compare(a.AreaID, b.AreaID))
	})
	for i := range rows {
		if rows[i].Value == nil {
			break
		}
		rows[i].Rank = i + 1
		if i > 0 && *rows[i-1].Value == *rows[i].Value {
			rows[i].Rank = rows[i-1].Rank
		}
	}
	return rows
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// Matrix fills in the cells a store leaves out: every area × focus group
// (× theme, when themes is not empty), in that order, zero where no
// initiative works. White spots are the cells with no initiative.
func Matrix(areaIDs []int64, themes []db.Theme, found []db.CoverageCell) (cells, whiteSpots []db.CoverageCell) {
	type key struct {
		area  int64
		group db.FocusGroup
		theme db.Theme
	}
	have := make(map[key]db.CoverageCell, len(found))
	for _, c := range found {
		have[key{c.AreaID, c.FocusGroup, c.Theme}] = c
	}
	split := themes
	if len(split) == 0 {
		split = []db.Theme{""}
	}
	for _, a := range areaIDs {
		for _, g := range db.FocusGroups {
			for _, th := range split {
				c, ok := have[key{a, g, th}]
				if !ok {
					c = db.CoverageCell{AreaID: a, FocusGroup: g, Theme: th}
					whiteSpots = append(whiteSpots, c)
				}
				cells = append(cells, c)
			}
		}
	}
	return cells, whiteSpots
}
