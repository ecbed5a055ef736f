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
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/areagraph/areagraph/db"
)

// ImportValuesCSV imports the values of the long-format CSV file src by by
// in two passes and returns what it did.
func ImportValuesCSV(ctx context.Context, store db.BulkImporter, by db.Actor, src Source, prog io.Writer) (db.ImportCounts, error) {
	read := func(r io.Reader) iter.Seq2[*db.ValueInput, error] { return ReadValuesCSV(r, src.Name) }
	n, err := twoPasses(ctx, src, prog, read, upsertValues(store, by))
	var ie *db.ItemError
	if errors.As(err, &ie) {
		// The store counts values; people look for lines, which quoted
		// fields spanning lines make differ from the count.
		line, left := 0, ie.Item
		if f, err := src.Open(); err == nil {
			_ = eachValue(f, src.Name, func(l int, _ *db.ValueInput) bool {
				line, left = l, left-1
				return left > 0
			})
			f.Close()
		}
		return db.ImportCounts{}, fmt.Errorf("%s:%d: %s", src.Name, line, db.ErrorMessage(err))
	}
	return n, err
}

// ReadValuesCSV reads the long-format CSV in r one row at a time, parses
// and checks each. It stops at the first error, which names the file
// (name) and the line.
func ReadValuesCSV(r io.Reader, name string) iter.Seq2[*db.ValueInput, error] {
	return func(yield func(*db.ValueInput, error) bool) {
		if err := eachValue(r, name, func(_ int, v *db.ValueInput) bool { return yield(v, nil) }); err != nil {
			yield(nil, err)
		}
	}
}

// valueColumns are the columns of the long format, the required first.
// license and attribution are the value's indicator's, which the export
// writes on every line so that a value keeps its terms however the file
// is cut up; an import reads them as notes and ignores them, since the
// terms belong to the definition (import definitions).
var valueColumns = []string{"area_code", "indicator_code", "year", "value", "sex", "count", "license", "attribution"}

// utf8BOM is the byte order mark spreadsheets (Excel) write at the start
// of a file saved as UTF-8.
var utf8BOM = []byte("\uFEFF")

// separator tells the field separator of a values file from its header
// line (the first line of head): ';' when the header has a semicolon and
// no comma outside quotes, as Swedish (and most European) spreadsheets
// write CSV, else ','.
func separator(head []byte) rune {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	quoted, semicolon := false, false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			return ','
		case c == ';':
			semicolon = true
		}
	}
	if semicolon {
		return ';'
	}
	return ','
}

// eachValue reads the CSV in r one row at a time, parses and checks each,
// and hands it to fn with its line until fn returns false.
func eachValue(in io.Reader, name string, fn func(line int, v *db.ValueInput) bool) error {
	// The header line decides the separator; a header longer than the
	// buffer is cut, which only matters if no comma or semicolon is in it.
	br := bufio.NewReaderSize(in, 64<<10)
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	head, _ := br.Peek(br.Size())
	r := csv.NewReader(br)
	r.Comma = separator(head)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: the header: %w", name, err)
	}
	header = slices.Clone(header) // the reader reuses its record
	col := map[string]int{}
	for i, h := range header {
		if err := checkText(h); err != nil {
			return fmt.Errorf("%s:1: a column name %s", name, err)
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(valueColumns, h) {
			return fmt.Errorf("%s:1: unknown column %q; the columns are %s", name, h, strings.Join(valueColumns, ","))
		}
		if _, dup := col[h]; dup {
			return fmt.Errorf("%s:1: column %q appears twice", name, h)
		}
		col[h] = i
	}
	for _, c := range valueColumns[:4] {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("%s:1: column %q is missing; the header must name %s, and may add sex, count, license and attribution",
				name, c, strings.Join(valueColumns[:4], ","))
		}
	}
	n := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// csv's own errors name the line.
			return fmt.Errorf("%s: %w", name, err)
		}
		n++
		line, _ := r.FieldPos(0)
		if err := checkFields(rec, header); err != nil {
			return fmt.Errorf("%s:%d: %s", name, line, err)
		}
		v, err := parseValue(rec, col, r.Comma)
		if err == nil {
			err = v.Check(n)
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %s", name, line, messageOf(err))
		}
		if !fn(line, v) {
			return nil
		}
	}
	return nil
}

// checkFields checks the text of every field of a row, named by its
// column.
func checkFields(rec, header []string) error {
	for i, f := range rec {
		if err := checkText(f); err != nil {
			return fmt.Errorf("column %q %s", strings.TrimSpace(header[i]), err)
		}
	}
	return nil
}

// parseValue reads one row of the long format, separated by sep.
func parseValue(rec []string, col map[string]int, sep rune) (*db.ValueInput, error) {
	field := func(name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	v := &db.ValueInput{AreaCode: field("area_code"), IndicatorCode: field("indicator_code"), Sex: db.SexTotal}
	if v.AreaCode == "" || v.IndicatorCode == "" {
		return nil, errors.New("area_code and indicator_code are required")
	}
	var err error
	if v.Year, err = strconv.Atoi(field("year")); err != nil {
		return nil, fmt.Errorf("year must be a whole number, got %q", field("year"))
	}
	if sep == ';' {
		if v.Value, err = parseDecimalComma(field("value")); err != nil {
			return nil, err
		}
	} else if v.Value, err = strconv.ParseFloat(field("value"), 64); err != nil {
		return nil, fmt.Errorf("value must be a number with a decimal point, got %q", field("value"))
	}
	if s := field("sex"); s != "" {
		v.Sex = db.Sex(strings.ToUpper(s))
	}
	if s := field("count"); s != "" {
		c, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("count must be a whole number or empty, got %q", s)
		}
		v.Count = &c
	}
	return v, nil
}

// parseDecimalComma reads a value of a semicolon-separated file, where a
// spreadsheet writes a decimal comma (4,5); a decimal point is read too.
// A number with both, or with a mark twice, or with spaces inside, holds
// a thousands separator, which is refused rather than guessed at: 1.234
// is a thousand in German and one and a bit in English.
func parseDecimalComma(s string) (float64, error) {
	commas, points := strings.Count(s, ","), strings.Count(s, ".")
	if commas+points > 1 || strings.ContainsAny(s, " \u00a0\u202f'") {
		return 0, fmt.Errorf("value %q has a thousands separator; write it without one, with at most one decimal comma", s)
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil {
		return 0, fmt.Errorf("value must be a number with a decimal comma or point, got %q", s)
	}
	return f, nil
}

// ExportValuesCSV writes every indicator value in the long format, in the
// store's order, reading the values of one page of areas at a time.
func ExportValuesCSV(ctx context.Context, store db.Reader, w io.Writer) error {
	inds, err := store.Indicators(ctx, nil)
	if err != nil {
		return err
	}
	terms := make(map[string]*db.Indicator, len(inds))
	for _, ind := range inds {
		terms[ind.Code] = ind
	}
	if _, err := io.WriteString(w, strings.Join(valueColumns, ",")+"\n"); err != nil {
		return err
	}
	var row []byte
	return eachAreaPage(ctx, store, db.AreaFilter{}, func(page []*db.Area) error {
		ids := make([]int64, len(page))
		codes := make(map[int64]string, len(page))
		for i, a := range page {
			ids[i] = a.ID
			codes[a.ID] = a.Code
		}
		values, err := store.IndicatorValues(ctx, db.ValueFilter{AreaIDs: ids})
		if err != nil {
			return err
		}
		for _, v := range values {
			var license, attribution string
			if ind := terms[v.IndicatorCode]; ind != nil {
				license, attribution = ind.License, ind.Attribution
			}
			row = appendValueFields(row[:0], &db.ValueInput{AreaCode: codes[v.AreaID], IndicatorCode: v.IndicatorCode,
				Year: v.Year, Sex: v.Sex, Value: v.Value, Count: v.Count})
			row = append(appendTerms(row, license, attribution), '\n')
			if _, err := w.Write(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// appendValueRow appends v as a line of the long format, without the
// licence and attribution.
func appendValueRow(row []byte, v *db.ValueInput) []byte {
	return append(appendValueFields(row, v), '\n')
}

// appendValueFields appends the fields of v in the order of valueColumns,
// up to count, as ReadValuesCSV reads them back.
func appendValueFields(row []byte, v *db.ValueInput) []byte {
	row = appendCSVField(row, v.AreaCode)
	row = append(row, ',')
	row = appendCSVField(row, v.IndicatorCode)
	row = append(row, ',')
	row = strconv.AppendInt(row, int64(v.Year), 10)
	row = append(row, ',')
	row = appendValue(row, v.Value)
	row = append(row, ',')
	row = append(row, v.Sex...)
	row = append(row, ',')
	if v.Count != nil {
		row = strconv.AppendInt(row, int64(*v.Count), 10)
	}
	return row
}

// appendTerms appends the license and attribution columns.
func appendTerms(row []byte, license, attribution string) []byte {
	row = append(row, ',')
	row = appendCSVField(row, license)
	row = append(row, ',')
	return appendCSVField(row, attribution)
}

// appendCSVField quotes a field only when CSV needs it to, as encoding/csv
// does; codes almost never do.
func appendCSVField(b []byte, s string) []byte {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' && s[0] != '\t' {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}

// appendValue writes v in the fewest digits that read back as the same
// number, in plain notation (spreadsheets read it as written) unless the
// magnitude calls for an exponent.
func appendValue(b []byte, v float64) []byte {
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}
