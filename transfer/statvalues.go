package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/areagraph/areagraph/db"
)

// The statistics formats (JSON-stat from SCB's PxWeb API, SCB's CSV
// export, Kolada's JSON) lay values out the publisher's way: a measure
// code of theirs (SCB's ContentsCode, Kolada's kpi), their sex codes, and
// cells the publisher left empty. A StatMapping turns them into the long
// format's values; every reader yields *db.ValueInput as the long CSV
// does and goes through the same two passes.
//
// A cell without a value (null in JSON, ".." and other dots in SCB's
// files) is not imported: the publisher has suppressed it or has none, and
// the store keeps no value for it, which readers see as missing. The
// import counts such cells by their marker and says so.

// StatMapping says how the dimensions (or columns) of a statistics file
// become indicator values.
type StatMapping struct {
	// The dimensions holding the area code, the year, the sex and the
	// measure; "" is the format's default (SCB's Region, Tid, Kon and
	// ContentsCode). A sex or measure dimension left at its default may be
	// absent: every value is then TOTAL, or of the one --indicator.
	AreaDim, YearDim, SexDim, IndicatorDim string
	// Fixed keeps, of each dimension named, the cells of the one category
	// given. Every dimension not mapped above must be fixed; a mapped one
	// may be, to import part of a file (one year, only totals).
	Fixed map[string]string
	// Indicator is the areagraph code of every measure in the file, for a
	// file of one measure.
	Indicator string
	// Indicators maps a measure code of the publisher (ContentsCode, kpi)
	// to an areagraph indicator code.
	Indicators map[string]string
	// CountMeasure is a measure of a JSON-stat file whose cells are not
	// values but the number of persons the other measures' cells of the
	// same area, year and sex rest on (SCB tables often give a share and
	// its count side by side): the count the small-count rule and the
	// weighted roll-ups read.
	CountMeasure string
}

// indicatorFor is the areagraph indicator of the publisher's measure code
// src, named what in errors (e.g. `ContentsCode category "BE0101N1"`).
func (m *StatMapping) indicatorFor(src, what string) (string, error) {
	if c, ok := m.Indicators[src]; ok {
		return c, nil
	}
	if m.Indicator != "" {
		return m.Indicator, nil
	}
	return "", fmt.Errorf("%s maps to no indicator; pass --indicator CODE (one measure) or --map-indicator %s=CODE", what, src)
}

// codes lists the areagraph indicator codes the mapping can give, sorted.
func (m *StatMapping) codes() []string {
	set := map[string]bool{}
	if m.Indicator != "" {
		set[m.Indicator] = true
	}
	for _, c := range m.Indicators {
		set[c] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// Skipped counts the cells of a statistics file that hold no value, by
// the marker the file gives them ("" for none).
type Skipped map[string]int

func (s Skipped) add(marker string) {
	if s != nil {
		s[marker]++
	}
}

// Total is the number of cells skipped.
func (s Skipped) Total() int {
	n := 0
	for _, c := range s {
		n += c
	}
	return n
}

// String says how many cells were skipped by which marker, as
// `3 marked "..", 1 unmarked`.
func (s Skipped) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(s)) {
		if k == "" {
			parts = append(parts, fmt.Sprintf("%d unmarked", s[k]))
		} else {
			parts = append(parts, fmt.Sprintf("%d marked %q", s[k], k))
		}
	}
	return strings.Join(parts, ", ")
}

// StatImport is what a statistics import did.
type StatImport struct {
	Values  db.ImportCounts // values added, changed and left as stored
	Skipped Skipped         // cells without a value, not imported
}

// IndicatorImporter is what a statistics import needs of a store: the
// upsert, and the definitions, which must exist before their values.
type IndicatorImporter interface {
	db.BulkImporter
	db.IndicatorReader
}

// statReader is a statistics reader: it hands each value to fn with where
// it is in the file, as a person would look for it ("value index 17",
// "record 3, gender K"), counts the cells without value into skipped, and
// returns the first error, which names the file and the place.
type statReader func(r io.Reader, name string, skipped Skipped, fn func(where string, v *db.ValueInput) bool) error

// named makes a format's reading of values, each, a statReader whose
// errors start with the file's name, then sep (": ", or ":" before a
// line:column), as every reader's errors do.
func named(each func(io.Reader, *StatMapping, Skipped, func(string, *db.ValueInput) bool) error, m *StatMapping,
	sep string) statReader {
	return func(r io.Reader, name string, skipped Skipped, fn func(string, *db.ValueInput) bool) error {
		if err := each(r, m, skipped, fn); err != nil {
			return fmt.Errorf("%s%s%w", name, sep, err)
		}
		return nil
	}
}

// seqOf turns a statReader into the sequence twoPasses reads.
func seqOf(each statReader, r io.Reader, name string, skipped Skipped) iter.Seq2[*db.ValueInput, error] {
	return func(yield func(*db.ValueInput, error) bool) {
		if err := each(r, name, skipped, func(_ string, v *db.ValueInput) bool { return yield(v, nil) }); err != nil {
			yield(nil, err)
		}
	}
}

// importStat imports src, read by each under m, by by in two passes.
func importStat(ctx context.Context, store IndicatorImporter, by db.Actor, src Source, m *StatMapping, each statReader,
	prog io.Writer) (StatImport, error) {
	if err := checkDefined(ctx, store, m.codes()); err != nil {
		return StatImport{}, fmt.Errorf("%s: %w", src.Name, err)
	}
	skipped := Skipped{}
	read := func(r io.Reader) iter.Seq2[*db.ValueInput, error] {
		return func(yield func(*db.ValueInput, error) bool) {
			clear(skipped) // each pass counts the whole file
			for v, err := range seqOf(each, r, src.Name, skipped) {
				if !yield(v, err) {
					return
				}
			}
		}
	}
	n, err := twoPasses(ctx, src, prog, read, upsertValues(store, by))
	var ie *db.ItemError
	if errors.As(err, &ie) {
		// The store counts values; name the cell the person can find.
		where, left := "", ie.Item
		if f, err := src.Open(); err == nil {
			_ = each(f, src.Name, nil, func(w string, _ *db.ValueInput) bool {
				where, left = w, left-1
				return left > 0
			})
			f.Close()
		}
		return StatImport{}, fmt.Errorf("%s: %s: %s", src.Name, where, db.ErrorMessage(err))
	}
	if err != nil {
		return StatImport{}, err
	}
	return StatImport{Values: n, Skipped: skipped}, nil
}

// checkDefined refuses codes that name no indicator definition, before a
// file is read: values need their definition, and the store's own error
// would come later and without the remedy.
func checkDefined(ctx context.Context, store db.IndicatorReader, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	defs, err := store.Indicators(ctx, codes)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, d := range defs {
		have[d.Code] = true
	}
	for _, c := range codes {
		if !have[c] {
			return fmt.Errorf("indicator %q is not defined; import its definition first (areagraph import definitions FILE.json)", c)
		}
	}
	return nil
}

// parseStatYear reads a period of a statistics file as a year: SCB's Tid
// of a yearly table ("2023") or Kolada's period. Months and quarters
// ("2023M10", "2023K4") are refused: values are yearly.
func parseStatYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 {
		return 0, fmt.Errorf("%q is not a year; values are yearly, so choose a yearly table or fix the period to one", s)
	}
	return y, nil
}

// scbSex is the sex of SCB's Kon codes: 1 men, 2 women, 1+2 both.
func scbSex(code string) (db.Sex, bool) {
	switch code {
	case "1+2":
		return db.SexTotal, true
	case "1":
		return db.SexMale, true
	case "2":
		return db.SexFemale, true
	}
	return "", false
}

// editionSuffix is the suffix SCB's API puts on a DeSO or RegSO code to
// name the edition of the division: 1490C1010_DeSO2025, 1490R001_RegSO2025.
var editionSuffix = regexp.MustCompile(`_(?:DeSO|RegSO)\d{4}$`)

// scbAreaCode is the area code of SCB's region code s: the code without
// an edition suffix, as SCB's GeoPackages of DeSO and RegSO write it and
// as areas are imported. An area's code is unique in the store, so one
// edition at a time is loaded; the areas' validity periods say which.
func scbAreaCode(s string) string {
	if loc := editionSuffix.FindStringIndex(s); loc != nil && loc[0] > 0 {
		return s[:loc[0]]
	}
	return s
}

// isDots reports whether s is one of the dot markers SCB and PxWeb put in
// a cell without a value: "." (cannot occur), ".." (not available or too
// uncertain to give), and longer runs a table may define.
func isDots(s string) bool {
	return s != "" && strings.Trim(s, ".") == ""
}
