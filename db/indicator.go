package db

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Indicator defines a measure followed per area and year.
type Indicator struct {
	Code           string // unique, e.g. "unemployment"
	Name           string // in English
	NameSv         string // in Swedish, as the source publishes it; "" when not known
	Description    string // what exactly is measured, and for whom
	Unit           string // "%", "persons", …
	HigherIsBetter bool
	Source         string
	License        string
	Attribution    string
	// MinCount protects small counts: a value whose Count is below it is
	// suppressed, never shown raw. 0 sets no rule.
	MinCount int
	// Rollup says how values of statistical areas make a value for an area
	// drawn across them (see rollup.go); RollupNone makes none.
	Rollup Rollup
	// WeightIndicator is, for RollupWeightedMean, the code of a count
	// indicator (e.g. the population) whose values weigh the sources, so
	// that people rather than square metres are weighted; "" weighs by the
	// area of overlap.
	WeightIndicator string
	Version         int64     // as Area.Version
	UpdatedAt       time.Time // as Area.UpdatedAt
}

// Rollup is how an indicator's values of statistical areas are rolled up
// into a value for an area that overlaps them.
type Rollup string

// Roll-up methods.
const (
	// RollupNone: values are only measured, never derived.
	RollupNone Rollup = ""
	// RollupSum: a count; each source adds its value times the share of its
	// area that lies in the target.
	RollupSum Rollup = "SUM"
	// RollupWeightedMean: a rate; the mean of the sources' values, each
	// weighted by its overlap with the target (in square metres, or in
	// persons of the weight indicator).
	RollupWeightedMean Rollup = "WEIGHTED_MEAN"
)

// Rollups lists every method.
var Rollups = []Rollup{RollupNone, RollupSum, RollupWeightedMean}

func (ind *Indicator) version() int64 { return ind.Version }

// Clone returns a copy of ind, as Area.Clone.
func (ind *Indicator) Clone() *Indicator {
	if ind == nil {
		return nil
	}
	c := *ind
	return &c
}

// AuditRef names the indicator in the audit log by its code.
func (ind *Indicator) AuditRef() (typ, id string) {
	return TypeIndicator, TypeIndicator + ":" + ind.Code
}

func (ind *Indicator) auditView() any {
	return struct {
		Code            string `json:"code"`
		Version         int64  `json:"version"`
		Name            string `json:"name"`
		NameSv          string `json:"nameSv"`
		Description     string `json:"description"`
		Unit            string `json:"unit"`
		HigherIsBetter  bool   `json:"higherIsBetter"`
		Source          string `json:"source"`
		License         string `json:"license"`
		Attribution     string `json:"attribution"`
		MinCount        int    `json:"minCount"`
		Rollup          Rollup `json:"rollup"`
		WeightIndicator string `json:"weightIndicator"`
	}{ind.Code, ind.Version, ind.Name, ind.NameSv, ind.Description, ind.Unit, ind.HigherIsBetter, ind.Source, ind.License,
		ind.Attribution, ind.MinCount, ind.Rollup, ind.WeightIndicator}
}

func (ind *Indicator) checkText() error {
	return checkText(text{"code", ind.Code}, text{"name", ind.Name}, text{"Swedish name", ind.NameSv},
		text{"description", ind.Description}, text{"unit", ind.Unit}, text{"source", ind.Source},
		text{"license", ind.License}, text{"attribution", ind.Attribution})
}

// CheckIndicator checks an indicator definition on its own.
func CheckIndicator(ind *Indicator) error {
	if ind == nil {
		return Errorf(EINVALID, "the indicator is missing")
	}
	if ind.Code == "" || ind.Name == "" {
		return Errorf(EINVALID, "code and name are required")
	}
	if !validIndicatorCode(ind.Code) {
		return Errorf(EINVALID, "code %q must be 1–64 lower-case letters, digits, '_' or '-'", ind.Code)
	}
	if ind.Unit == "" {
		return Errorf(EINVALID, "unit is required")
	}
	if err := ind.checkText(); err != nil {
		return Errorf(EINVALID, "%s", err.Error())
	}
	if !fitsInt32(ind.MinCount) {
		return Errorf(EINVALID, "min count must be between 0 and %d", math.MaxInt32)
	}
	if err := ind.checkRollup(); err != nil {
		return Errorf(EINVALID, "%s", err.Error())
	}
	return nil
}

func validIndicatorCode(code string) bool {
	return code != "" && len(code) <= 64 && !strings.ContainsFunc(code, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	})
}

// checkRollup checks the roll-up fields: a known method, and a weight
// indicator only for a weighted mean, spelt as a code and not the
// indicator itself. Whether the weight indicator exists is not checked:
// definitions are written one by one, in any order, and a roll-up whose
// weight has no value for a source leaves that source out and says so in
// its coverage (see rollup.go).
func (ind *Indicator) checkRollup() error {
	if !slices.Contains(Rollups, ind.Rollup) {
		return fmt.Errorf("unknown roll-up %q", ind.Rollup)
	}
	if ind.WeightIndicator == "" {
		return nil
	}
	if ind.Rollup != RollupWeightedMean {
		return fmt.Errorf("a weight indicator weighs a weighted mean only, not the roll-up %q", ind.Rollup)
	}
	if !validIndicatorCode(ind.WeightIndicator) {
		return fmt.Errorf("weight indicator %q is not an indicator code", ind.WeightIndicator)
	}
	if ind.WeightIndicator == ind.Code {
		return fmt.Errorf("an indicator cannot be its own weight")
	}
	return nil
}

// IndicatorPatch is an update of an indicator definition (see Field): the
// fields it sets. A definition's code does not change.
type IndicatorPatch struct {
	Name           Field[string]
	NameSv         Field[string] // "" clears it
	Description    Field[string]
	Unit           Field[string]
	HigherIsBetter Field[bool]
	Source         Field[string]
	License        Field[string]
	Attribution    Field[string]
	MinCount       Field[int] // 0 sets no rule
	Rollup         Field[Rollup]
	// WeightIndicator: "" weighs by area.
	WeightIndicator Field[string]
}

// Patch is the patch that sets every field of ind, for a caller that
// writes a definition whole.
func (ind *Indicator) Patch() IndicatorPatch {
	return IndicatorPatch{Name: Set(ind.Name), NameSv: Set(ind.NameSv), Description: Set(ind.Description),
		Unit: Set(ind.Unit), HigherIsBetter: Set(ind.HigherIsBetter), Source: Set(ind.Source), License: Set(ind.License),
		Attribution: Set(ind.Attribution), MinCount: Set(ind.MinCount), Rollup: Set(ind.Rollup),
		WeightIndicator: Set(ind.WeightIndicator)}
}

// Check checks the patch of the definition with code on its own, as
// CheckIndicator checks a definition whose other fields are valid (step 1).
func (p *IndicatorPatch) Check(code string) error {
	ind := Indicator{Code: code, Name: "-", Unit: "-"}
	p.set(&ind)
	return CheckIndicator(&ind)
}

// Apply sets the fields of p on ind, the stored definition or a copy of
// it, and checks ind as it leaves it.
func (p *IndicatorPatch) Apply(ind *Indicator) error {
	p.set(ind)
	return CheckIndicator(ind)
}

func (p *IndicatorPatch) set(ind *Indicator) {
	p.Name.apply(&ind.Name)
	p.NameSv.apply(&ind.NameSv)
	p.Description.apply(&ind.Description)
	p.Unit.apply(&ind.Unit)
	p.HigherIsBetter.apply(&ind.HigherIsBetter)
	p.Source.apply(&ind.Source)
	p.License.apply(&ind.License)
	p.Attribution.apply(&ind.Attribution)
	p.MinCount.apply(&ind.MinCount)
	p.Rollup.apply(&ind.Rollup)
	p.WeightIndicator.apply(&ind.WeightIndicator)
}

// Sex splits an indicator value; SexTotal is both together.
type Sex string

// Sexes.
const (
	SexTotal  Sex = "TOTAL"
	SexFemale Sex = "FEMALE"
	SexMale   Sex = "MALE"
)

// Sexes lists every sex in the order the values of one area, indicator and
// year come in.
var Sexes = []Sex{SexTotal, SexFemale, SexMale}

// IndicatorValue is one indicator's value for one area, year and sex.
type IndicatorValue struct {
	AreaID        int64
	IndicatorCode string
	Year          int
	Sex           Sex
	Value         float64
	// Count is the number of persons the value rests on (e.g. the
	// denominator of a share), when known; MinCount is checked against it.
	Count *int
}

// Clone returns a copy of v that shares nothing with it, as Area.Clone.
func (v IndicatorValue) Clone() IndicatorValue {
	v.Count = clonePtr(v.Count)
	return v
}

// Equal says whether v and w are the same value: key, value and count. A
// write of a value equal to the stored one changes nothing and is not
// audited.
func (v IndicatorValue) Equal(w IndicatorValue) bool {
	return v.AreaID == w.AreaID && v.IndicatorCode == w.IndicatorCode && v.Year == w.Year && v.Sex == w.Sex &&
		v.Value == w.Value && (v.Count == nil) == (w.Count == nil) && (v.Count == nil || *v.Count == *w.Count)
}

// CompareValues orders values as IndicatorValues lists them: by area id,
// indicator code (byte-wise), year, and sex in the order of Sexes.
func CompareValues(a, b IndicatorValue) int {
	return cmp.Or(
		cmp.Compare(a.AreaID, b.AreaID),
		strings.Compare(a.IndicatorCode, b.IndicatorCode),
		cmp.Compare(a.Year, b.Year),
		cmp.Compare(slices.Index(Sexes, a.Sex), slices.Index(Sexes, b.Sex)),
	)
}

// AuditRef names the value in the audit log by its key.
func (v IndicatorValue) AuditRef() (typ, id string) {
	return TypeIndicatorValue, fmt.Sprintf("%s:%d:%s:%d:%s", TypeIndicatorValue, v.AreaID, v.IndicatorCode, v.Year, v.Sex)
}

func (v IndicatorValue) auditView() any {
	return struct {
		Area      string  `json:"area"`
		Indicator string  `json:"indicator"`
		Year      int     `json:"year"`
		Sex       Sex     `json:"sex"`
		Value     float64 `json:"value"`
		Count     *int    `json:"count"`
	}{GlobalID(TypeArea, v.AreaID), v.IndicatorCode, v.Year, v.Sex, v.Value, v.Count}
}

// ValueFilter selects indicator values.
type ValueFilter struct {
	AreaIDs  []int64
	Codes    []string
	FromYear int // 0: no lower bound
	ToYear   int // 0: no upper bound
	Sexes    []Sex
}

// MaxIndicatorValuesPerWrite caps one PutIndicatorValues call. A year of
// DeSO statistics for one indicator is about 6,000 values × 3 sexes; the
// cap leaves room for that and keeps one request's transaction bounded.
const MaxIndicatorValuesPerWrite = 50_000

// ValueError is the EINVALID error about the item-th value (from 1) of a
// PutIndicatorValues call, named by its key.
func ValueError(item int, v IndicatorValue, format string, args ...any) error {
	return &ItemError{Item: item, Err: Errorf(EINVALID, "value %d (area %d, indicator %q, %d, %s): %s",
		item, v.AreaID, v.IndicatorCode, v.Year, v.Sex, fmt.Sprintf(format, args...))}
}

// CheckIndicatorValues checks a PutIndicatorValues call on its own: the
// cap, every value (the first bad one wins), then keys given twice. Areas
// and indicators that do not exist are the store's to find, in the same
// order, after this.
func CheckIndicatorValues(values []IndicatorValue) error {
	if len(values) > MaxIndicatorValuesPerWrite {
		return Errorf(EINVALID, "%d values in one write; at most %d", len(values), MaxIndicatorValuesPerWrite)
	}
	for i, v := range values {
		if v.AreaID <= 0 {
			return ValueError(i+1, v, "area id must be positive")
		}
		if err := checkValue(v.Sex, v.Value, v.Year, v.Count); err != nil {
			return ValueError(i+1, v, "%s", err.Error())
		}
	}
	type key struct {
		area int64
		code string
		year int
		sex  Sex
	}
	first := make(map[key]int, len(values))
	for i, v := range values {
		k := key{v.AreaID, v.IndicatorCode, v.Year, v.Sex}
		if j, ok := first[k]; ok {
			return ValueError(i+1, v, "the same area, indicator, year and sex appear twice (first as value %d)", j)
		}
		first[k] = i + 1
	}
	return nil
}

// The years an indicator value may have, and so every year a question
// about them may name.
const (
	MinYear = 1800
	MaxYear = 2200
)

// checkValue is what an indicator value must be on its own: the rules
// Dataset.Validate and ValueInput.Check share.
func checkValue(sex Sex, value float64, year int, count *int) error {
	if sex != SexTotal && sex != SexFemale && sex != SexMale {
		return fmt.Errorf("unknown sex %q", sex)
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return fmt.Errorf("value must be a finite number")
	}
	if year < MinYear || year > MaxYear {
		return fmt.Errorf("year out of range")
	}
	if count != nil && !fitsInt32(*count) {
		return fmt.Errorf("count must be between 0 and %d", math.MaxInt32)
	}
	return nil
}

// ValueInput is an indicator value as an import file gives it.
type ValueInput struct {
	AreaCode      string
	IndicatorCode string
	Year          int
	Sex           Sex
	Value         float64
	Count         *int
}

// Check checks the item-th value of an upsert on its own, as
// Dataset.Validate checks a stored one: sex, a finite value, the year and
// the count.
func (v *ValueInput) Check(item int) error {
	if v == nil {
		return ValueItemError(item, &ValueInput{}, "the value is missing")
	}
	if err := checkValue(v.Sex, v.Value, v.Year, v.Count); err != nil {
		return ValueItemError(item, v, "%s", err.Error())
	}
	return nil
}

// Clone returns a copy of v that shares nothing with it, as Area.Clone.
func (v *ValueInput) Clone() *ValueInput {
	if v == nil {
		return nil
	}
	c := *v
	c.Count = clonePtr(v.Count)
	return &c
}

// ValueItemError is the EINVALID error about the item-th value of an
// upsert, named by its key, with a reason.
func ValueItemError(item int, v *ValueInput, format string, args ...any) error {
	return &ItemError{Item: item, Err: Errorf(EINVALID, "value %d (area %q, indicator %q, %d, %s): %s",
		item, v.AreaCode, v.IndicatorCode, v.Year, v.Sex, fmt.Sprintf(format, args...))}
}

// DuplicateValueError is the error about a value whose key an earlier item
// of the same upsert already has.
func DuplicateValueError(item, first int, v *ValueInput) error {
	return ValueItemError(item, v, "the same area, indicator, year and sex appear twice in the import (first as value %d)", first)
}

// UnknownValueAreaError is the error about a value whose area code names no
// stored area.
func UnknownValueAreaError(item int, v *ValueInput) error {
	return ValueItemError(item, v, "area code %q does not exist", v.AreaCode)
}

// UnknownIndicatorError is the error about a value whose indicator is not
// defined.
func UnknownIndicatorError(item int, v *ValueInput) error {
	return ValueItemError(item, v, "indicator %q does not exist", v.IndicatorCode)
}
