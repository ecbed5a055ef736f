package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"unicode/utf8"

	"github.com/areagraph/areagraph/db"
)

// Kolada (https://github.com/Hypergene/kolada) answers a data query
// (/v3/data/kpi/{kpi}/municipality/{id}/year/{years}; version 3 replaced
// version 2 in 2025 with the same answer) with
//
//	{"count": n, "values": [{"kpi": "N00945", "municipality": "1490", "period": 2023,
//	  "values": [{"gender": "T", "count": 1, "status": "", "value": 12.3}, ...]}]}
//
// one record per key figure, municipality and year, holding up to three
// values: gender T (total), K (kvinnor, women) and M (män, men). A value
// may be null. Kolada's count is not a number of persons: it is how many
// members of a municipality group the value averages (1 for a single
// municipality), so it is not the count the small-count rule needs and is
// not imported. An answer is one page of at most 5,000 records; each page
// saved is a file of its own. The records are read one at a time.

// ImportValuesKolada imports the values of the Kolada data answer src,
// its key figures mapped to indicators by m, in two passes.
func ImportValuesKolada(ctx context.Context, store IndicatorImporter, by db.Actor, src Source, m StatMapping,
	prog io.Writer) (StatImport, error) {
	return importStat(ctx, store, by, src, &m, koladaReader(&m), prog)
}

// ReadValuesKolada reads the Kolada data answer in r, named name in
// errors, one value at a time, mapped by m; values that are null are
// counted into skipped (which may be nil).
func ReadValuesKolada(r io.Reader, name string, m StatMapping, skipped Skipped) iter.Seq2[*db.ValueInput, error] {
	return seqOf(koladaReader(&m), r, name, skipped)
}

func koladaReader(m *StatMapping) statReader { return named(eachKolada, m, ": ") }

type koladaRecord struct {
	KPI          string          `json:"kpi"`
	Municipality string          `json:"municipality"`
	OU           *string         `json:"ou"`
	Period       json.RawMessage `json:"period"`
	Values       []struct {
		Gender string   `json:"gender"`
		Value  *float64 `json:"value"`
		Status string   `json:"status"`
	} `json:"values"`
}

// koladaSexes are Kolada's genders.
var koladaSexes = map[string]db.Sex{"T": db.SexTotal, "K": db.SexFemale, "M": db.SexMale}

func eachKolada(r io.Reader, m *StatMapping, skipped Skipped, fn func(string, *db.ValueInput) bool) error {
	dec := json.NewDecoder(r)
	at := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("not JSON at byte %d: %w", se.Offset, err)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("the JSON ends early")
		}
		return err
	}
	if t, err := dec.Token(); err != nil {
		return at(err)
	} else if t != json.Delim('{') {
		return errors.New(`not a Kolada data answer: the file is not a JSON object with "values"`)
	}
	found, n := false, 0
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return at(err)
		}
		if t != "values" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return at(err)
			}
			continue
		}
		found = true
		if t, err := dec.Token(); err != nil {
			return at(err)
		} else if t != json.Delim('[') {
			return errors.New(`"values" must be an array of records`)
		}
		for rec := 1; dec.More(); rec++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fmt.Errorf("record %d: %w", rec, at(err))
			}
			more, err := koladaValues(raw, rec, m, skipped, &n, fn)
			if err != nil {
				return fmt.Errorf("record %d%w", rec, err)
			}
			if !more {
				return nil
			}
		}
		if _, err := dec.Token(); err != nil {
			return at(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return at(err)
	}
	if !found {
		return errors.New(`no "values": not a Kolada data answer (/v3/data/...)`)
	}
	return nil
}

// koladaValues hands the values of one record, raw, the rec-th, to fn; n
// counts the values handed on so far. Its errors begin with what follows
// "record N" in a message.
func koladaValues(raw []byte, rec int, m *StatMapping, skipped Skipped, n *int,
	fn func(string, *db.ValueInput) bool) (bool, error) {
	if !utf8.Valid(raw) {
		return false, errors.New(": is not valid UTF-8; save the file as UTF-8")
	}
	var r koladaRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return false, fmt.Errorf(": field %q: want %s, got JSON %s", te.Field, te.Type, te.Value)
		}
		return false, fmt.Errorf(": %w", err)
	}
	if r.OU != nil {
		return false, errors.New(": holds an organisational unit (ou), not a municipality; import municipality data (/v3/data/...)")
	}
	for _, f := range []struct{ name, s string }{{"kpi", r.KPI}, {"municipality", r.Municipality}} {
		if err := checkText(f.s); err != nil {
			return false, fmt.Errorf(": field %q %s", f.name, err)
		}
		if f.s == "" {
			return false, fmt.Errorf(": field %q is required", f.name)
		}
	}
	period := string(bytes.Trim(r.Period, `"`))
	year, err := parseStatYear(period)
	if err != nil {
		return false, fmt.Errorf(": field \"period\": %w", err)
	}
	code, err := m.indicatorFor(r.KPI, fmt.Sprintf("kpi %q", r.KPI))
	if err != nil {
		return false, fmt.Errorf(": %w", err)
	}
	for _, val := range r.Values {
		where := "record " + strconv.Itoa(rec) + ", gender " + val.Gender
		sex, ok := koladaSexes[val.Gender]
		if !ok {
			return false, fmt.Errorf(": gender %q: want T, K or M", val.Gender)
		}
		if err := checkText(val.Status); err != nil {
			return false, fmt.Errorf(", gender %s: field \"status\" %s", val.Gender, err)
		}
		if val.Value == nil {
			skipped.add(val.Status)
			continue
		}
		v := &db.ValueInput{AreaCode: r.Municipality, IndicatorCode: code, Year: year, Sex: sex, Value: *val.Value}
		*n++
		if err := v.Check(*n); err != nil {
			return false, fmt.Errorf(", gender %s: %s", val.Gender, messageOf(err))
		}
		if !fn(where, v) {
			return false, nil
		}
	}
	return true, nil
}
