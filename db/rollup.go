package db

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// The roll-up: values of an indicator for an area drawn across statistical
// areas (a priority area, a district, the municipality), derived from the
// values of the statistical areas it overlaps. The rule lives here, in one
// place; the backends only measure the overlaps (overlap.go), and every
// reader (GraphQL, exports) goes through DerivedValues.
//
// Sources. The sources of a target are the areas of kind
// KindStatisticalArea whose surface it shares (AreaOverlaps), taking for a
// year the edition in use on YearDay(year) (validity.go), so that DeSO 2018
// and DeSO 2025 never both count in one year. A statistical area is never
// a target: its values are measured.
//
// Method (Indicator.Rollup), with share_s the part of source s's surface
// inside the target:
//   - RollupSum, for counts: Σ value_s × share_s. People are assumed spread
//     evenly over a statistical area, the standard areal interpolation.
//   - RollupWeightedMean, for rates: Σ w_s × value_s / Σ w_s, where w_s is
//     the shared surface in m², or, when the indicator names a
//     WeightIndicator (a count such as the population), that count of s
//     in the same year and sex (TOTAL when the sex has none) × share_s:
//     the persons of s inside the target. A source without a weight value
//     is left out, which lowers the coverage.
//
// Count (what the small-count rule is checked against): Σ count_s ×
// share_s, rounded, when every contributing source has a count; else, for
// a mean weighed by persons, the persons weighed; else unknown, which
// suppresses the value where the indicator has a MinCount.
//
// Coverage: the shared surface of the contributing sources over the
// target's surface. Below CoverageThreshold the value is Partial: it
// stands for part of the target only, and says so.
//
// Small counts (see the README's "Statistics for the priority areas"):
//  1. A derived value resting on a suppressed value (a source's value or
//     its weight below its indicator's MinCount, or without a count where
//     a MinCount is set) is suppressed. So every published derived value is
//     a function of published values only, and no sum or difference of
//     published values, however the areas are drawn, can reveal a
//     suppressed one: a target's count minus a sub-area's never uncovers a
//     source that either of them hid, because a target covering a
//     suppressed source is itself suppressed.
//  2. A derived value whose own count is below MinCount is suppressed, as a
//     measured one is (Indicator.Suppresses).
//
// A measured value of the target itself, when there is one, is shown
// instead of the derived one (the caller merges, see graph): someone
// measured that very area, which an interpolation can only approximate.

// CoverageThreshold is the coverage below which a derived value is
// marked Partial.
const CoverageThreshold = 0.95

// Suppresses reports whether v must not be shown under ind's small-count
// rule: a rule exists and v's count is below it or unknown (the safe side
// of "never returned raw").
func (ind *Indicator) Suppresses(v IndicatorValue) bool {
	return ind != nil && ind.MinCount > 0 && (v.Count == nil || *v.Count < ind.MinCount)
}

// Provenance says how a value was made.
type Provenance struct {
	// Derived is false for a value measured for the area itself.
	Derived bool
	// Method and WeightIndicator are the indicator's at the time of the
	// read.
	Method          Rollup
	WeightIndicator string
	// Sources are the statistical areas the value rests on, largest
	// weight first.
	Sources []SourceWeight
	// Coverage is the part of the target's surface the sources cover, 0
	// to 1; 1 for a measured value.
	Coverage float64
	// Partial is Coverage below CoverageThreshold.
	Partial bool
	// SuppressedBy lists the sources whose suppressed values suppress
	// this one (rule 1 above); empty when none does.
	SuppressedBy []string
}

// SourceWeight is one statistical area's part in a derived value.
type SourceWeight struct {
	AreaID int64
	Code   string
	// Share is the part of the source's surface inside the target, 0 to 1.
	Share float64
	// Weight is the source's part of the derived value, 0 to 1, the
	// weights adding up to 1: for a sum its value × share over the total,
	// for a mean w_s / Σ w.
	Weight float64
}

// Derived is a derived value with its provenance. Value.AreaID is the
// target's.
type Derived struct {
	Value      IndicatorValue
	Provenance *Provenance
}

// RollUp derives the values of one target from its overlaps and the
// values of its sources (vals: any codes, years and sexes; the weight
// indicators' among them), for the indicators in defs that roll up; weights
// holds the weight indicators' definitions by code. The answer is in the
// order of CompareValues.
func RollUp(defs []*Indicator, weights map[string]*Indicator, ov *Overlaps, vals []IndicatorValue) []Derived {
	if ov == nil || len(ov.Sources) == 0 {
		return nil
	}
	type key struct {
		code string
		year int
		sex  Sex
	}
	bySource := map[int64]Overlap{}
	for _, o := range ov.Sources {
		bySource[o.SourceID] = o
	}
	at := map[key]map[int64]IndicatorValue{}
	var keys []key
	for _, v := range vals {
		if _, ok := bySource[v.AreaID]; !ok {
			continue
		}
		k := key{v.IndicatorCode, v.Year, v.Sex}
		if at[k] == nil {
			at[k] = map[int64]IndicatorValue{}
			keys = append(keys, k)
		}
		at[k][v.AreaID] = v
	}
	var out []Derived
	for _, def := range defs {
		if def.Rollup == RollupNone {
			continue
		}
		for _, k := range keys {
			if k.code != def.Code {
				continue
			}
			if d, ok := rollUpOne(def, weights[def.WeightIndicator], ov, k.year, k.sex, at[k],
				func(sex Sex) map[int64]IndicatorValue { return at[key{def.WeightIndicator, k.year, sex}] }); ok {
				out = append(out, d)
			}
		}
	}
	slices.SortFunc(out, func(a, b Derived) int { return CompareValues(a.Value, b.Value) })
	return out
}

func rollUpOne(def, weightDef *Indicator, ov *Overlaps, year int, sex Sex, vals map[int64]IndicatorValue,
	weightsOf func(Sex) map[int64]IndicatorValue) (Derived, bool) {
	day := YearDay(year)
	p := &Provenance{Derived: true, Method: def.Rollup, WeightIndicator: def.WeightIndicator}
	var wvals map[int64]IndicatorValue
	if def.WeightIndicator != "" {
		if wvals = weightsOf(sex); wvals == nil {
			wvals = weightsOf(SexTotal)
		}
	}
	type part struct {
		o Overlap
		v IndicatorValue
		w float64
	}
	var parts []part
	for _, o := range ov.Sources {
		v, ok := vals[o.SourceID]
		if !ok || !InPeriod(o.ValidFrom, o.ValidTo, day) {
			continue
		}
		pt := part{o: o, v: v, w: o.Shared}
		if def.WeightIndicator != "" {
			wv, ok := wvals[o.SourceID]
			if !ok {
				continue
			}
			if weightDef.Suppresses(wv) {
				p.SuppressedBy = append(p.SuppressedBy, o.SourceCode)
			}
			pt.w = wv.Value * o.Share()
		}
		if def.Suppresses(v) {
			p.SuppressedBy = append(p.SuppressedBy, o.SourceCode)
		}
		parts = append(parts, pt)
	}
	if len(parts) == 0 {
		return Derived{}, false
	}
	p.SuppressedBy = slices.Compact(p.SuppressedBy)
	var value, sumW, counted, shared float64
	allCounted := true
	for _, pt := range parts {
		share := pt.o.Share()
		shared += pt.o.Shared
		if pt.v.Count == nil {
			allCounted = false
		} else {
			counted += float64(*pt.v.Count) * share
		}
		switch def.Rollup {
		case RollupSum:
			value += pt.v.Value * share
		case RollupWeightedMean:
			value += pt.w * pt.v.Value
			sumW += pt.w
		}
	}
	if def.Rollup == RollupWeightedMean {
		if sumW <= 0 {
			return Derived{}, false
		}
		value /= sumW
	}
	d := Derived{Value: IndicatorValue{AreaID: ov.TargetID, IndicatorCode: def.Code, Year: year, Sex: sex, Value: value},
		Provenance: p}
	switch {
	case allCounted:
		d.Value.Count = roundCount(counted)
	case def.Rollup == RollupWeightedMean && def.WeightIndicator != "":
		d.Value.Count = roundCount(sumW)
	}
	if ov.TargetArea > 0 {
		p.Coverage = min(shared/ov.TargetArea, 1)
	}
	p.Partial = p.Coverage < CoverageThreshold
	var total float64
	for _, pt := range parts {
		total += math.Abs(contribution(def.Rollup, pt.o, pt.v, pt.w))
	}
	for _, pt := range parts {
		sw := SourceWeight{AreaID: pt.o.SourceID, Code: pt.o.SourceCode, Share: pt.o.Share()}
		if total > 0 {
			sw.Weight = math.Abs(contribution(def.Rollup, pt.o, pt.v, pt.w)) / total
		}
		p.Sources = append(p.Sources, sw)
	}
	slices.SortStableFunc(p.Sources, func(a, b SourceWeight) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.AreaID, b.AreaID))
	})
	return d, true
}

// contribution is what a source adds before the weights are normalised.
func contribution(m Rollup, o Overlap, v IndicatorValue, w float64) float64 {
	if m == RollupSum {
		return v.Value * o.Share()
	}
	return w
}

func roundCount(x float64) *int {
	n := int(math.Round(x))
	return &n
}

// DerivedValues derives, for each target in targetIDs, the values f asks
// for (f.AreaIDs is ignored) of the indicators that roll up. defs are every
// definition (the caller has them: a request reads them once); the
// overlaps of all targets are read at once and the values of all their
// sources in one call: a request's roll-ups cost two reads whatever the
// number of targets, none when no indicator asked for rolls up. Targets
// that are statistical areas, or that do not exist, get nothing. The
// answer has one entry per target, in the order of targetIDs.
func DerivedValues(ctx context.Context, r Reader, defs []*Indicator, targetIDs []int64, f ValueFilter) ([][]Derived, error) {
	out := make([][]Derived, len(targetIDs))
	if len(targetIDs) == 0 {
		return out, nil
	}
	byCode := make(map[string]*Indicator, len(defs))
	for _, d := range defs {
		byCode[d.Code] = d
	}
	var rolled []*Indicator
	codes := map[string]bool{}
	var weightCodes []string
	for _, d := range defs {
		if d.Rollup == RollupNone || len(f.Codes) > 0 && !slices.Contains(f.Codes, d.Code) {
			continue
		}
		rolled = append(rolled, d)
		codes[d.Code] = true
		if d.WeightIndicator != "" && !slices.Contains(weightCodes, d.WeightIndicator) {
			weightCodes = append(weightCodes, d.WeightIndicator)
		}
	}
	if len(rolled) == 0 {
		return out, nil
	}
	weights := map[string]*Indicator{}
	for _, c := range weightCodes {
		// A weight indicator that does not exist weighs nothing: its
		// sources are left out (see checkRollup).
		if d := byCode[c]; d != nil {
			weights[c] = d
			codes[c] = true
		}
	}
	ovs, err := r.AreaOverlaps(ctx, targetIDs)
	if err != nil {
		return nil, err
	}
	var sources []int64
	seen := map[int64]bool{}
	for _, o := range ovs {
		if o == nil {
			continue
		}
		for _, s := range o.Sources {
			if !seen[s.SourceID] {
				seen[s.SourceID] = true
				sources = append(sources, s.SourceID)
			}
		}
	}
	if len(sources) == 0 {
		return out, nil
	}
	slices.Sort(sources)
	vf := ValueFilter{AreaIDs: sources, FromYear: f.FromYear, ToYear: f.ToYear}
	for c := range codes {
		vf.Codes = append(vf.Codes, c)
	}
	slices.Sort(vf.Codes)
	if len(f.Sexes) > 0 {
		vf.Sexes = slices.Clone(f.Sexes)
		if len(weightCodes) > 0 && !slices.Contains(vf.Sexes, SexTotal) {
			vf.Sexes = append(vf.Sexes, SexTotal)
		}
	}
	vals, err := r.IndicatorValues(ctx, vf)
	if err != nil {
		return nil, err
	}
	for i, o := range ovs {
		if o == nil {
			continue
		}
		ds := RollUp(rolled, weights, o, vals)
		if len(f.Sexes) > 0 {
			ds = slices.DeleteFunc(ds, func(d Derived) bool { return !slices.Contains(f.Sexes, d.Value.Sex) })
		}
		out[i] = ds
	}
	return out, nil
}

// Withholds reports whether a value with provenance p (nil for a measured
// value) must not be shown: its own count under the small-count rule
// (rule 2 above, Suppresses), or, for a derived value, a suppressed value
// it rests on (rule 1). Every reader that shows derived values asks here.
func (ind *Indicator) Withholds(v IndicatorValue, p *Provenance) bool {
	return ind.Suppresses(v) || p != nil && len(p.SuppressedBy) > 0
}

// ValuesOrDerived reads the values f asks for (f.AreaIDs is ignored) of
// areas: each area's measured value where it has one, else the value
// derived for it (DerivedValues), the measured one winning for the same
// indicator, year and sex. A statistical area is never a target: its
// values are measured. A measured value has a nil Provenance. The answer
// is flat, in the order of CompareValues. It costs one read of values,
// plus DerivedValues' two for every MaxOverlapTargets areas to derive
// (a city has a few dozen areas that are not statistical areas), none
// when every area has a measured value for everything f names.
func ValuesOrDerived(ctx context.Context, r Reader, defs []*Indicator, areas []*Area, f ValueFilter) ([]Derived, error) {
	f.AreaIDs = nil
	for _, a := range areas {
		if a != nil {
			f.AreaIDs = append(f.AreaIDs, a.ID)
		}
	}
	if len(f.AreaIDs) == 0 {
		return nil, nil
	}
	slices.Sort(f.AreaIDs)
	f.AreaIDs = slices.Compact(f.AreaIDs)
	vals, err := r.IndicatorValues(ctx, f)
	if err != nil {
		return nil, err
	}
	type key struct {
		area int64
		code string
		year int
		sex  Sex
	}
	have := make(map[key]bool, len(vals))
	perArea := map[int64]int{}
	out := make([]Derived, 0, len(vals))
	for _, v := range vals {
		have[key{v.AreaID, v.IndicatorCode, v.Year, v.Sex}] = true
		perArea[v.AreaID]++
		out = append(out, Derived{Value: v})
	}
	// When f names every indicator, sex and year, an area holding all of
	// them measured needs no roll-up.
	want := -1
	if len(f.Codes) > 0 && len(f.Sexes) > 0 && f.FromYear != 0 && f.ToYear >= f.FromYear {
		want = len(f.Codes) * len(f.Sexes) * (f.ToYear - f.FromYear + 1)
	}
	var targets []int64
	seen := map[int64]bool{}
	for _, a := range areas {
		if a == nil || a.Kind == KindStatisticalArea || seen[a.ID] || want >= 0 && perArea[a.ID] >= want {
			continue
		}
		seen[a.ID] = true
		targets = append(targets, a.ID)
	}
	for chunk := range slices.Chunk(targets, MaxOverlapTargets) {
		derived, err := DerivedValues(ctx, r, defs, chunk, f)
		if err != nil {
			return nil, err
		}
		for _, ds := range derived {
			for _, d := range ds {
				if !have[key{d.Value.AreaID, d.Value.IndicatorCode, d.Value.Year, d.Value.Sex}] {
					out = append(out, d)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Derived) int { return CompareValues(a.Value, b.Value) })
	return out, nil
}
