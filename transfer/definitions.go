package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/areagraph/areagraph/db"
)

// The definitions file is JSON: one array of objects, one object a line, in
// code order, with the fields of definitionJSON. JSON rather than CSV
// because a definition carries free text (descriptions with commas, quotes
// and line breaks, attributions) and a boolean and a number whose types
// CSV would leave to convention; JSON keeps every field exact through a
// round trip with no quoting rules of its own, and a missing field can be
// told from an empty one.

// definitionJSON is one definition in the file. code, name and unit are
// required; the others may be left out, which means empty, false or 0.
type definitionJSON struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	NameSv         string `json:"nameSv"`
	Description    string `json:"description"`
	Unit           string `json:"unit"`
	HigherIsBetter bool   `json:"higherIsBetter"`
	Source         string `json:"source"`
	License        string `json:"license"`
	Attribution    string `json:"attribution"`
	MinCount       int    `json:"minCount"`
	// The roll-up fields are left out when not set, so a file written
	// before they existed exports again byte for byte.
	Rollup          string `json:"rollup,omitempty"`
	WeightIndicator string `json:"weightIndicator,omitempty"`
}

// maxDefinitionsFile bounds what an import of definitions reads: a country
// has hundreds of indicators, not millions, so the file is read whole.
const maxDefinitionsFile = 16 << 20

// ExportIndicatorDefinitions writes every indicator definition of store to
// w as the definitions file, in code order.
func ExportIndicatorDefinitions(ctx context.Context, store db.IndicatorReader, w io.Writer) error {
	inds, err := store.Indicators(ctx, nil)
	if err != nil {
		return err
	}
	slices.SortFunc(inds, func(a, b *db.Indicator) int { return strings.Compare(a.Code, b.Code) })
	var b bytes.Buffer
	b.WriteString("[")
	for i, ind := range inds {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n")
		line, err := json.Marshal(definitionJSON{ind.Code, ind.Name, ind.NameSv, ind.Description, ind.Unit,
			ind.HigherIsBetter, ind.Source, ind.License, ind.Attribution, ind.MinCount, string(ind.Rollup), ind.WeightIndicator})
		if err != nil {
			return err
		}
		b.Write(line)
	}
	b.WriteString("\n]\n")
	_, err = w.Write(b.Bytes())
	return err
}

// ReadIndicatorDefinitions reads and checks the definitions file in r,
// named name in errors, which give the line and the item: every definition
// on its own (CheckIndicator), no unknown field, no code twice.
func ReadIndicatorDefinitions(r io.Reader, name string) ([]*db.Indicator, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxDefinitionsFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxDefinitionsFile {
		return nil, fmt.Errorf("%s: larger than %d MiB; a definitions file is far smaller", name, maxDefinitionsFile>>20)
	}
	if err := checkText(string(data)); err != nil {
		return nil, fmt.Errorf("%s: the file %s", name, err)
	}
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("%s:%d: want a JSON array of indicator definitions", name, lineAt(dec.InputOffset()))
	}
	var out []*db.Indicator
	first := map[string]int{}
	for dec.More() {
		item := len(out) + 1
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%s:%d: definition %d: %s", name, lineAt(syntaxOffset(err, dec)), item, jsonMessage(err))
		}
		// The line where the item starts, not of the comma before it.
		start := lineAt(dec.InputOffset() - int64(len(raw)))
		var d definitionJSON
		var required struct{ Code, Name, Unit *string }
		if err := json.Unmarshal(raw, &required); err != nil {
			return nil, fmt.Errorf("%s:%d: definition %d: want an object with code, name and unit", name, start, item)
		}
		id := fmt.Sprintf("definition %d", item)
		if required.Code != nil {
			id += fmt.Sprintf(" (%q)", *required.Code)
		}
		strict := json.NewDecoder(bytes.NewReader(raw))
		strict.DisallowUnknownFields()
		if err := strict.Decode(&d); err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %s", name, start, id, jsonMessage(err))
		}
		for _, f := range []struct {
			field string
			v     *string
		}{{"code", required.Code}, {"name", required.Name}, {"unit", required.Unit}} {
			if f.v == nil {
				return nil, fmt.Errorf("%s:%d: %s: %q is missing; code, name and unit are required", name, start, id, f.field)
			}
		}
		ind := &db.Indicator{Code: d.Code, Name: d.Name, NameSv: d.NameSv, Description: d.Description, Unit: d.Unit,
			HigherIsBetter: d.HigherIsBetter, Source: d.Source, License: d.License, Attribution: d.Attribution, MinCount: d.MinCount,
			Rollup: db.Rollup(d.Rollup), WeightIndicator: d.WeightIndicator}
		if err := db.CheckIndicator(ind); err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %s", name, start, id, messageOf(err))
		}
		if j, dup := first[d.Code]; dup {
			return nil, fmt.Errorf("%s:%d: %s: the code appears twice (first as definition %d)", name, start, id, j)
		}
		first[d.Code] = item
		out = append(out, ind)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s:%d: after definition %d: %s", name, lineAt(syntaxOffset(err, dec)), len(out), jsonMessage(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s:%d: text after the array of definitions", name, lineAt(dec.InputOffset()))
	}
	return out, nil
}

// syntaxOffset is where err, from dec, found the file wrong.
func syntaxOffset(err error, dec *json.Decoder) int64 {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Offset
	}
	return dec.InputOffset()
}

// jsonMessage is err from encoding/json without its package's prefix.
func jsonMessage(err error) string {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file ends inside the array"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// DefinitionCounts says what an import of definitions did.
type DefinitionCounts struct {
	Created, Updated, Unchanged int
}

// ImportIndicatorDefinitions imports the definitions file src into store,
// keyed on code: a new code is created, a known one whose fields differ is
// updated whole, an equal one is left alone; definitions the file does not
// name stay. Each write goes through the audited Writer as by, in the
// order of the file. The Writer has no transaction across calls, so the
// whole file is read and checked first and nothing is written unless all of
// it passes; a store error half way (a concurrent edit, a lost connection)
// leaves the definitions before it written, which a second run completes.
func ImportIndicatorDefinitions(ctx context.Context, store db.Store, by db.Actor, src Source, prog io.Writer) (DefinitionCounts, error) {
	var c DefinitionCounts
	f, err := src.Open()
	if err != nil {
		return c, err
	}
	p := newProgress(prog, "checking")
	defs, err := ReadIndicatorDefinitions(p.reader(f), src.Name)
	f.Close()
	p.done(len(defs))
	if err != nil {
		return c, err
	}
	stored, err := store.Indicators(ctx, nil)
	if err != nil {
		return c, err
	}
	byCode := make(map[string]*db.Indicator, len(stored))
	for _, ind := range stored {
		byCode[ind.Code] = ind
	}
	for i, d := range defs {
		old, ok := byCode[d.Code]
		switch {
		case !ok:
			_, err = store.CreateIndicator(ctx, by, d)
			c.Created++
		case sameDefinition(old, d):
			c.Unchanged++
			continue
		default:
			_, err = store.UpdateIndicator(ctx, by, d.Code, old.Version, d.Patch())
			c.Updated++
		}
		if err != nil {
			return c, fmt.Errorf("%s: definition %d (%q): %s", src.Name, i+1, d.Code, db.ErrorMessage(err))
		}
	}
	return c, nil
}

// sameDefinition says whether a and b agree on every field the file holds.
func sameDefinition(a, b *db.Indicator) bool {
	x, y := *a, *b
	x.Version, y.Version = 0, 0
	x.UpdatedAt, y.UpdatedAt = time.Time{}, time.Time{}
	return x == y
}
