package db

import (
	"math"
	"testing"
	"time"
)

func ip(n int) *int { return &n }

func day(y int) *time.Time { t := time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC); return &t }

// Three sources under a target of 1 km²: a quarter of A, half of B and
// all of C lie in it.
//
//	A: 1,000,000 m², 250,000 shared (share 0.25)
//	B: 1,000,000 m², 500,000 shared (share 0.5)
//	C:   200,000 m², 200,000 shared (share 1), in use from 2025
//
// The target is 1,000,000 m²; the sources cover 950,000 m² of it (95 %)
// from 2025 on, 750,000 (75 %) before.
func handOverlaps() *Overlaps {
	return &Overlaps{TargetID: 9, TargetArea: 1e6, Sources: []Overlap{
		{SourceID: 1, SourceCode: "A", SourceArea: 1e6, Shared: 250e3},
		{SourceID: 2, SourceCode: "B", SourceArea: 1e6, Shared: 500e3},
		{SourceID: 3, SourceCode: "C", SourceArea: 200e3, Shared: 200e3, ValidFrom: day(2025)},
	}}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*max(1, math.Abs(b)) }

func TestRollUpSum(t *testing.T) {
	pop := &Indicator{Code: "population", Rollup: RollupSum}
	vals := []IndicatorValue{
		{AreaID: 1, IndicatorCode: "population", Year: 2024, Sex: SexTotal, Value: 1000},
		{AreaID: 2, IndicatorCode: "population", Year: 2024, Sex: SexTotal, Value: 400},
		{AreaID: 3, IndicatorCode: "population", Year: 2024, Sex: SexTotal, Value: 999}, // C not yet in use
		{AreaID: 1, IndicatorCode: "population", Year: 2025, Sex: SexTotal, Value: 1000},
		{AreaID: 2, IndicatorCode: "population", Year: 2025, Sex: SexTotal, Value: 400},
		{AreaID: 3, IndicatorCode: "population", Year: 2025, Sex: SexTotal, Value: 100},
		{AreaID: 7, IndicatorCode: "population", Year: 2025, Sex: SexTotal, Value: 1e9}, // not a source
	}
	got := RollUp([]*Indicator{pop}, nil, handOverlaps(), vals)
	if len(got) != 2 {
		t.Fatalf("%d values, want 2: %+v", len(got), got)
	}
	// 2024: 1000×0.25 + 400×0.5 = 450, over 75 % of the target.
	d := got[0]
	if d.Value.Year != 2024 || d.Value.AreaID != 9 || !near(d.Value.Value, 450) || d.Value.Count != nil {
		t.Errorf("2024: %+v", d.Value)
	}
	if p := d.Provenance; !p.Derived || p.Method != RollupSum || !near(p.Coverage, 0.75) || !p.Partial || len(p.Sources) != 2 {
		t.Errorf("2024 provenance: %+v", p)
	}
	// Weights: A adds 250, B 200 of 450.
	if s := d.Provenance.Sources; s[0].Code != "A" || !near(s[0].Weight, 250.0/450) || !near(s[0].Share, 0.25) ||
		s[1].Code != "B" || !near(s[1].Weight, 200.0/450) {
		t.Errorf("2024 sources: %+v", s)
	}
	// 2025: 250 + 200 + 100 = 550, over 95 %: not partial.
	d = got[1]
	if d.Value.Year != 2025 || !near(d.Value.Value, 550) || !near(d.Provenance.Coverage, 0.95) || d.Provenance.Partial {
		t.Errorf("2025: %+v %+v", d.Value, d.Provenance)
	}
}

func TestRollUpWeightedMean(t *testing.T) {
	rate := &Indicator{Code: "rate", Rollup: RollupWeightedMean, MinCount: 50}
	vals := []IndicatorValue{
		{AreaID: 1, IndicatorCode: "rate", Year: 2025, Sex: SexTotal, Value: 10, Count: ip(400)},
		{AreaID: 2, IndicatorCode: "rate", Year: 2025, Sex: SexTotal, Value: 20, Count: ip(200)},
		{AreaID: 3, IndicatorCode: "rate", Year: 2025, Sex: SexTotal, Value: 40, Count: ip(100)},
	}
	// By area: weights 250,000, 500,000, 200,000 m².
	got := RollUp([]*Indicator{rate}, nil, handOverlaps(), vals)
	want := (250e3*10 + 500e3*20 + 200e3*40) / 950e3
	if len(got) != 1 || !near(got[0].Value.Value, want) {
		t.Fatalf("by area: %+v, want %v", got, want)
	}
	// Count: 400×0.25 + 200×0.5 + 100×1 = 300.
	if c := got[0].Value.Count; c == nil || *c != 300 {
		t.Errorf("count %v, want 300", c)
	}
	if p := got[0].Provenance; len(p.SuppressedBy) != 0 || p.Sources[0].Code != "B" || !near(p.Sources[0].Weight, 500.0/950) {
		t.Errorf("provenance %+v", p)
	}

	// By persons: the population of A 1000, B 100, C 600 (FEMALE values
	// missing, so TOTAL weighs): persons inside 250, 50, 600.
	rate.WeightIndicator = "population"
	popDef := &Indicator{Code: "population", Rollup: RollupSum}
	vals = append(vals,
		IndicatorValue{AreaID: 1, IndicatorCode: "population", Year: 2025, Sex: SexTotal, Value: 1000},
		IndicatorValue{AreaID: 2, IndicatorCode: "population", Year: 2025, Sex: SexTotal, Value: 100},
		IndicatorValue{AreaID: 3, IndicatorCode: "population", Year: 2025, Sex: SexTotal, Value: 600},
		IndicatorValue{AreaID: 1, IndicatorCode: "rate", Year: 2025, Sex: SexFemale, Value: 30, Count: ip(400)},
	)
	got = RollUp([]*Indicator{rate}, map[string]*Indicator{"population": popDef}, handOverlaps(), vals)
	want = (250*10 + 50*20 + 600*40) / 900.0
	if len(got) != 2 || !near(got[0].Value.Value, want) || got[0].Value.Sex != SexTotal {
		t.Fatalf("by persons: %+v, want %v", got, want)
	}
	if p := got[0].Provenance; p.WeightIndicator != "population" || p.Sources[0].Code != "C" || !near(p.Sources[0].Weight, 600.0/900) {
		t.Errorf("by persons, provenance %+v", p)
	}
	// FEMALE: only A has a value, weighed by TOTAL persons; coverage 25 %.
	if f := got[1]; f.Value.Sex != SexFemale || !near(f.Value.Value, 30) || !near(f.Provenance.Coverage, 0.25) || !f.Provenance.Partial {
		t.Errorf("female: %+v %+v", f.Value, f.Provenance)
	}
	// A source without a weight is left out.
	got = RollUp([]*Indicator{rate}, map[string]*Indicator{"population": popDef}, handOverlaps(), vals[:5])
	if len(got) != 1 || !near(got[0].Value.Value, (250*10+50*20)/300.0) || !near(got[0].Provenance.Coverage, 0.75) {
		t.Errorf("without C's weight: %+v", got)
	}
}

// Rule 1 of the small counts: a value resting on a suppressed source is
// suppressed, whatever its own count; rule 2 is the indicator's own.
func TestRollUpSuppression(t *testing.T) {
	rate := &Indicator{Code: "rate", Rollup: RollupWeightedMean, MinCount: 50}
	vals := []IndicatorValue{
		{AreaID: 1, IndicatorCode: "rate", Year: 2025, Sex: SexTotal, Value: 10, Count: ip(400)},
		{AreaID: 2, IndicatorCode: "rate", Year: 2025, Sex: SexTotal, Value: 20, Count: ip(49)}, // suppressed
		{AreaID: 3, IndicatorCode: "rate", Year: 2025, Sex: SexTotal, Value: 40},                // no count: suppressed
	}
	got := RollUp([]*Indicator{rate}, nil, handOverlaps(), vals)
	if p := got[0].Provenance; len(p.SuppressedBy) != 2 || p.SuppressedBy[0] != "B" || p.SuppressedBy[1] != "C" {
		t.Errorf("suppressed by %v, want B and C", p.SuppressedBy)
	}
	// Count unknown (C has none): the indicator's rule suppresses too.
	if got[0].Value.Count != nil || !rate.Suppresses(got[0].Value) {
		t.Errorf("count %v: not suppressed by the rule", got[0].Value.Count)
	}
	// A small derived count: 400 × 0.25 = 100 from A alone is enough; 150
	// × 0.25 = 38 is not.
	vals = []IndicatorValue{{AreaID: 1, IndicatorCode: "rate", Year: 2025, Sex: SexTotal, Value: 10, Count: ip(150)}}
	got = RollUp([]*Indicator{rate}, nil, handOverlaps(), vals)
	if c := got[0].Value.Count; c == nil || *c != 38 || !rate.Suppresses(got[0].Value) || len(got[0].Provenance.SuppressedBy) != 0 {
		t.Errorf("small count: %+v %+v", got[0].Value, got[0].Provenance)
	}
	// A suppressed weight suppresses too.
	rate.WeightIndicator = "population"
	popDef := &Indicator{Code: "population", Rollup: RollupSum, MinCount: 10}
	vals = []IndicatorValue{
		{AreaID: 1, IndicatorCode: "rate", Year: 2025, Sex: SexTotal, Value: 10, Count: ip(400)},
		{AreaID: 1, IndicatorCode: "population", Year: 2025, Sex: SexTotal, Value: 5, Count: ip(5)},
	}
	got = RollUp([]*Indicator{rate}, map[string]*Indicator{"population": popDef}, handOverlaps(), vals)
	if len(got) != 1 || len(got[0].Provenance.SuppressedBy) != 1 {
		t.Errorf("suppressed weight: %+v", got)
	}
}

func TestRollUpNothing(t *testing.T) {
	none := &Indicator{Code: "x"}
	vals := []IndicatorValue{{AreaID: 1, IndicatorCode: "x", Year: 2025, Sex: SexTotal, Value: 1}}
	if got := RollUp([]*Indicator{none}, nil, handOverlaps(), vals); len(got) != 0 {
		t.Errorf("RollupNone derived %+v", got)
	}
	sum := &Indicator{Code: "x", Rollup: RollupSum}
	if got := RollUp([]*Indicator{sum}, nil, &Overlaps{TargetID: 9, TargetArea: 1}, vals); len(got) != 0 {
		t.Errorf("no sources derived %+v", got)
	}
	if got := RollUp([]*Indicator{sum}, nil, nil, vals); len(got) != 0 {
		t.Errorf("no overlaps derived %+v", got)
	}
	// A mean whose weights are all zero derives nothing, rather than 0/0.
	mean := &Indicator{Code: "x", Rollup: RollupWeightedMean, WeightIndicator: "w"}
	vals = append(vals, IndicatorValue{AreaID: 1, IndicatorCode: "w", Year: 2025, Sex: SexTotal, Value: 0})
	if got := RollUp([]*Indicator{mean}, nil, handOverlaps(), vals); len(got) != 0 {
		t.Errorf("zero weights derived %+v", got)
	}
}

// TestRollUpNoDifferenceReveals pins the complementary case of the
// small-count rule: a district T drawn over sources A, B and C, split into
// two priority areas P (part of A) and Q (the rest). A's value is
// suppressed. Were T published with P suppressed, T − Q would give P; were
// T and Q published, T − Q would reveal A's part. Every area touching A is
// suppressed, so no difference of published values reaches A.
func TestRollUpNoDifferenceReveals(t *testing.T) {
	count := &Indicator{Code: "n", Rollup: RollupSum, MinCount: 10}
	vals := []IndicatorValue{
		{AreaID: 1, IndicatorCode: "n", Year: 2025, Sex: SexTotal, Value: 4, Count: ip(4)}, // A: suppressed
		{AreaID: 2, IndicatorCode: "n", Year: 2025, Sex: SexTotal, Value: 300, Count: ip(300)},
		{AreaID: 3, IndicatorCode: "n", Year: 2025, Sex: SexTotal, Value: 500, Count: ip(500)},
	}
	src := func(id int64, code string, shared float64) Overlap {
		return Overlap{SourceID: id, SourceCode: code, SourceArea: 1e6, Shared: shared}
	}
	targets := map[string]*Overlaps{
		"T": {TargetID: 1, TargetArea: 3e6, Sources: []Overlap{src(1, "A", 1e6), src(2, "B", 1e6), src(3, "C", 1e6)}},
		"P": {TargetID: 2, TargetArea: 4e5, Sources: []Overlap{src(1, "A", 4e5)}},
		"Q": {TargetID: 3, TargetArea: 2.6e6, Sources: []Overlap{src(1, "A", 6e5), src(2, "B", 1e6), src(3, "C", 1e6)}},
		"R": {TargetID: 4, TargetArea: 2e6, Sources: []Overlap{src(2, "B", 1e6), src(3, "C", 1e6)}},
	}
	published := map[string]bool{}
	for name, ov := range targets {
		d := RollUp([]*Indicator{count}, nil, ov, vals)
		if len(d) != 1 {
			t.Fatalf("%s: %+v", name, d)
		}
		published[name] = len(d[0].Provenance.SuppressedBy) == 0 && !count.Suppresses(d[0].Value)
	}
	for _, name := range []string{"T", "P", "Q"} {
		if published[name] {
			t.Errorf("%s rests on A and is published", name)
		}
	}
	// R does not touch A: it is published, and so are B and C, whose sum
	// it is; nothing about A follows from them.
	if !published["R"] {
		t.Error("R, away from A, is suppressed")
	}
}
