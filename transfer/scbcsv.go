package transfer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/areagraph/areagraph/db"
)

// SCB's statistical database exports a table as CSV with the years as
// columns:
//
//	"Folkmängden per region, ålder och kön. År 2022 - 2023"
//
//	"region","ålder","kön","2022","2023"
//	"1490 Borås","totalt ålder","män",56920,57210
//
// a title line (and perhaps notes) first, then a header of the table's
// dimensions by their labels and one column a year, its label perhaps
// led by the measure ("Folkmängd 2022" when a table holds more than one).
// Regions are a code and a name; sexes are labels (män, kvinnor, totalt);
// a cell without value holds ".." or another dot marker, and "-" is
// PxWeb's mark for exactly nothing, read as 0. The export is semicolon-
// separated with decimal commas ("Semikolonavgränsad") or comma-separated,
// and older exports are in Windows-1252 rather than UTF-8: a file whose
// first 64 KiB are not UTF-8 is decoded as Windows-1252, which every byte
// sequence is, so the file's own text is kept. The rows are read one at a
// time.

// DefaultSCBCSVMapping holds the labels of SCB's Swedish export.
var DefaultSCBCSVMapping = StatMapping{AreaDim: "region", SexDim: "kön"}

// ImportValuesSCBCSV imports the values of SCB's CSV export src, mapped
// by m, in two passes.
func ImportValuesSCBCSV(ctx context.Context, store IndicatorImporter, by db.Actor, src Source, m StatMapping,
	prog io.Writer) (StatImport, error) {
	return importStat(ctx, store, by, src, &m, scbCSVReader(&m), prog)
}

// ReadValuesSCBCSV reads SCB's CSV export in r, named name in errors, one
// value at a time, mapped by m; cells without a value are counted into
// skipped (which may be nil).
func ReadValuesSCBCSV(r io.Reader, name string, m StatMapping, skipped Skipped) iter.Seq2[*db.ValueInput, error] {
	return seqOf(scbCSVReader(&m), r, name, skipped)
}

func scbCSVReader(m *StatMapping) statReader { return named(eachSCBCSV, m, ":") }

// yearColumn is a header of a year column: the year, perhaps led by the
// measure.
var yearColumn = regexp.MustCompile(`^(?:(.*\S)\s+)?(\d{4})$`)

// scbSexLabels are the sexes as SCB's exports label them, in Swedish and
// English, and as codes.
var scbSexLabels = map[string]db.Sex{
	"totalt": db.SexTotal, "män och kvinnor": db.SexTotal, "båda könen": db.SexTotal, "total": db.SexTotal,
	"both sexes": db.SexTotal, "1+2": db.SexTotal,
	"män": db.SexMale, "men": db.SexMale, "1": db.SexMale,
	"kvinnor": db.SexFemale, "women": db.SexFemale, "2": db.SexFemale,
}

// scbColumn is what a column of the export is.
type scbColumn struct {
	role      dimRole // roleYear for a value column
	keep      string  // the category kept of a fixed column
	year      int
	indicator string
	count     int // of a value column: the column of its count, or -1
}

func eachSCBCSV(in io.Reader, m *StatMapping, skipped Skipped, fn func(string, *db.ValueInput) bool) error {
	br := bufio.NewReaderSize(in, 64<<10)
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	head, _ := br.Peek(br.Size())
	var r io.Reader = br
	cut := 0 // a character the peek may have cut at its end
	if len(head) == br.Size() {
		cut = utf8.UTFMax - 1
	}
	if firstInvalidUTF8(head) < len(head)-cut {
		r = charmap.Windows1252.NewDecoder().Reader(br)
	}
	c := csv.NewReader(r)
	c.Comma = separator(headerLine(head))
	c.FieldsPerRecord = -1 // titles and notes have one field
	c.ReuseRecord = true
	var header []string
	for header == nil {
		rec, err := c.Read()
		if errors.Is(err, io.EOF) {
			return errors.New(" no header: SCB's export has a line of column names with a column a year")
		}
		if err != nil {
			return fmt.Errorf(" %w", err)
		}
		if len(rec) > 1 {
			header = slices.Clone(rec)
		}
	}
	headerAt, _ := c.FieldPos(0)
	cols, err := scbColumns(header, m, headerAt)
	if err != nil {
		return err
	}
	area := slices.IndexFunc(cols, func(c scbColumn) bool { return c.role == roleArea })
	sexCol := slices.IndexFunc(cols, func(c scbColumn) bool { return c.role == roleSex })
	kept := map[int]bool{}
	n := 0
rows:
	for {
		rec, err := c.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf(" %w", err)
		}
		line, _ := c.FieldPos(0)
		if len(rec) == 1 {
			continue // a note
		}
		if len(rec) != len(header) {
			return fmt.Errorf("%d: %d fields, and the header has %d", line, len(rec), len(header))
		}
		if err := checkFields(rec, header); err != nil {
			return fmt.Errorf("%d: %s", line, err)
		}
		for i, col := range cols {
			if col.role == roleFixed && strings.TrimSpace(rec[i]) != col.keep {
				continue rows
			}
		}
		for i, col := range cols {
			if col.role == roleFixed {
				kept[i] = true
			}
		}
		code, _, _ := strings.Cut(strings.TrimSpace(rec[area]), " ")
		code = scbAreaCode(code)
		if code == "" {
			return fmt.Errorf("%d: column %q is empty; it holds the area code (and name, as 1490 Borås)", line, header[area])
		}
		sex := db.SexTotal
		if sexCol >= 0 {
			var ok bool
			if sex, ok = scbSexLabels[strings.ToLower(strings.TrimSpace(rec[sexCol]))]; !ok {
				return fmt.Errorf("%d: column %q: %q is no sex; want män, kvinnor or totalt (or 1, 2, 1+2)",
					line, header[sexCol], rec[sexCol])
			}
		}
		for i, col := range cols {
			if col.role != roleYear {
				continue
			}
			s := strings.TrimSpace(rec[i])
			if s == "" || isDots(s) {
				skipped.add(s)
				continue
			}
			v := &db.ValueInput{AreaCode: code, IndicatorCode: col.indicator, Year: col.year, Sex: sex}
			if col.count >= 0 {
				if v.Count, err = scbCount(rec[col.count]); err != nil {
					return fmt.Errorf("%d: column %q: %s", line, header[col.count], err)
				}
			}
			switch {
			case s == "-" || s == "–":
				v.Value = 0
			case c.Comma == ';':
				v.Value, err = parseDecimalComma(s)
			default:
				if v.Value, err = strconv.ParseFloat(s, 64); err != nil {
					err = fmt.Errorf("value must be a number with a decimal point, \"..\" or \"-\", got %q", s)
				}
			}
			if err == nil {
				n++
				err = v.Check(n)
			}
			if err != nil {
				return fmt.Errorf("%d: column %q: %s", line, header[i], messageOf(err))
			}
			if !fn(fmt.Sprintf("line %d, column %q", line, header[i]), v) {
				return nil
			}
		}
	}
	for i, col := range cols {
		if col.role == roleFixed && !kept[i] {
			return fmt.Errorf("%d: --fix %s=%s: no row has %q in column %q", headerAt, header[i], col.keep, col.keep, header[i])
		}
	}
	return nil
}

// scbColumns tells what each column of the header is, by m.
func scbColumns(header []string, m *StatMapping, line int) ([]scbColumn, error) {
	areaDim, sexDim := cmpOr(m.AreaDim, DefaultSCBCSVMapping.AreaDim), cmpOr(m.SexDim, DefaultSCBCSVMapping.SexDim)
	if m.YearDim != "" || m.IndicatorDim != "" {
		return nil, fmt.Errorf("%d: SCB's CSV has a column a year, the measure leading the year; --year-dim and --indicator-dim "+
			"are for JSON-stat", line)
	}
	cols := make([]scbColumn, len(header))
	fixed := map[string]bool{}
	var names []string
	var unfixed error // a column neither mapped nor fixed, told after the flags' faults
	for i, h := range header {
		if err := checkText(h); err != nil {
			return nil, fmt.Errorf("%d: a column name %s", line, err)
		}
		h = strings.TrimSpace(h)
		header[i] = h
		if slices.Contains(header[:i], h) {
			return nil, fmt.Errorf("%d: column %q appears twice", line, h)
		}
		names = append(names, strconv.Quote(h))
		if g := yearColumn.FindStringSubmatch(h); g != nil {
			y, _ := strconv.Atoi(g[2])
			measure := g[1]
			what := fmt.Sprintf("the measure %q of column %q", measure, h)
			if measure == "" {
				what = fmt.Sprintf("column %q, which names no measure,", h)
			}
			if measure != "" && measure == m.CountMeasure {
				cols[i] = scbColumn{role: roleCount, year: y, count: -1}
				continue
			}
			code, err := m.indicatorFor(measure, what)
			if err != nil {
				return nil, fmt.Errorf("%d: %w", line, err)
			}
			cols[i] = scbColumn{role: roleYear, year: y, indicator: code, count: -1}
			if keep, ok := m.Fixed[h]; ok {
				return nil, fmt.Errorf("%d: --fix %s=%s: column %q is a year of values, not a dimension", line, h, keep, h)
			}
			continue
		}
		keep, isFixed := m.Fixed[h]
		fixed[h] = isFixed
		switch {
		case strings.EqualFold(h, areaDim):
			cols[i].role = roleArea
		case strings.EqualFold(h, sexDim):
			cols[i].role = roleSex
		case !isFixed && unfixed == nil:
			unfixed = fmt.Errorf("%d: column %q is neither region, sex nor a year; keep one of its categories with --fix %s=CATEGORY",
				line, h, h)
		}
		if isFixed {
			cols[i] = scbColumn{role: roleFixed, keep: keep}
		}
	}
	for k := range m.Fixed {
		if _, ok := fixed[k]; !ok && !slices.Contains(header, k) {
			return nil, fmt.Errorf("%d: --fix %s: no such column; the columns are %s", line, k, strings.Join(names, ", "))
		}
	}
	if !slices.ContainsFunc(cols, func(c scbColumn) bool { return c.role == roleArea }) {
		return nil, fmt.Errorf("%d: no column %q for the area; the columns are %s; name one with --area-dim", line, areaDim,
			strings.Join(names, ", "))
	}
	if !slices.ContainsFunc(cols, func(c scbColumn) bool { return c.role == roleYear }) {
		return nil, fmt.Errorf("%d: no column is a year; SCB's export has the years as columns (\"2022\", \"2023\")", line)
	}
	if m.SexDim != "" && !slices.ContainsFunc(cols, func(c scbColumn) bool { return c.role == roleSex }) {
		return nil, fmt.Errorf("%d: no column %q for the sex; the columns are %s", line, m.SexDim, strings.Join(names, ", "))
	}
	if unfixed != nil {
		return nil, unfixed
	}
	if m.CountMeasure != "" {
		// Each value counts by the count column of its year.
		found := false
		for i := range cols {
			for j, c := range cols {
				if cols[i].role == roleYear && c.role == roleCount && c.year == cols[i].year {
					cols[i].count, found = j, true
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("%d: --count-measure %s: no year column is led by it (as %q); the columns are %s",
				line, m.CountMeasure, m.CountMeasure+" 2023", strings.Join(names, ", "))
		}
	}
	return cols, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// scbCount reads a cell of a count column: a whole number of persons, or
// nil where the cell has no value; "-" is none.
func scbCount(s string) (*int, error) {
	switch s = strings.TrimSpace(s); {
	case s == "" || isDots(s):
		return nil, nil
	case s == "-" || s == "–":
		return new(0), nil
	}
	c, err := strconv.Atoi(s)
	if err != nil || c < 0 {
		return nil, fmt.Errorf("%q is no count of persons; a count is a whole number from 0, without separators", s)
	}
	return &c, nil
}

// headerLine is the first line of head with a comma or semicolon outside
// quotes: the header, past the title, which tells the separator.
func headerLine(head []byte) []byte {
	for line := range bytes.Lines(head) {
		quoted := false
		for _, c := range line {
			if c == '"' {
				quoted = !quoted
			} else if !quoted && (c == ',' || c == ';') {
				return line
			}
		}
	}
	return head
}
