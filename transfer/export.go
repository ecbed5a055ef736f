package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// Exports write what import reads, with the default property names and
// columns, so a file exported from one database imports into another
// without flags. They are deterministic: the same data give the same bytes,
// which is what makes an export fit to compare, diff and keep.

// exportPage is how many areas one store call reads; it bounds the memory
// an export holds whatever the size of the database.
const exportPage = 500

// areaProperties are an exported feature's properties, in this order.
// Every feature has all of them, null where unset, because GIS tools take
// a layer's columns from the first features they read.
type areaProperties struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Kind        db.AreaKind `json:"kind"`
	AreaType    *int        `json:"areaType"`
	Parent      *string     `json:"parent"`
	ValidFrom   *string     `json:"validFrom"`
	ValidTo     *string     `json:"validTo"`
	Description string      `json:"description"`
}

// ExportAreas writes the areas f selects as a FeatureCollection, a page at
// a time.
func ExportAreas(ctx context.Context, store db.Store, f db.AreaFilter, w io.Writer) error {
	if _, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	codes := codeCache{store: store, codes: map[int64]string{}}
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false) // names and descriptions stay readable
	sep := "\n"
	err := eachAreaPage(ctx, store, f, func(page []*db.Area) error {
		for _, a := range page {
			codes.codes[a.ID] = a.Code
		}
		for _, a := range page {
			parent, err := codes.code(ctx, a.ParentID)
			if err != nil {
				return err
			}
			line.Reset()
			line.WriteString(sep + `{"type":"Feature","properties":`)
			if err := enc.Encode(areaProperties{Code: a.Code, Name: a.Name, Kind: a.Kind, AreaType: unlessZero(a.AreaType),
				Parent: unlessZero(parent), ValidFrom: dateText(a.ValidFrom), ValidTo: dateText(a.ValidTo),
				Description: a.Description}); err != nil {
				return err
			}
			line.Truncate(line.Len() - 1) // Encode's newline
			line.WriteString(`,"geometry":`)
			g, err := geo.AppendGeoJSON(line.AvailableBuffer(), a.Geometry)
			if err != nil {
				return fmt.Errorf("area %d (code %q): %w", a.ID, a.Code, err)
			}
			line.Write(g)
			line.WriteByte('}')
			if _, err := w.Write(line.Bytes()); err != nil {
				return err
			}
			sep = ",\n"
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n]}\n")
	return err
}

// eachAreaPage hands the areas f selects to fn a page at a time, in id
// order.
func eachAreaPage(ctx context.Context, store db.Store, f db.AreaFilter, fn func([]*db.Area) error) error {
	for offset := 0; ; offset += exportPage {
		page, err := store.Areas(ctx, f, db.Page{Offset: offset, Limit: exportPage})
		if err != nil {
			return err
		}
		if len(page.Items) == 0 {
			return nil
		}
		if err := fn(page.Items); err != nil {
			return err
		}
	}
}

// codeCache finds the codes of areas by id: those already exported, and
// parents outside the selection, fetched when first needed.
type codeCache struct {
	store db.Store
	codes map[int64]string
}

func (c *codeCache) code(ctx context.Context, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if code, ok := c.codes[id]; ok {
		return code, nil
	}
	got, err := c.store.AreasByID(ctx, []int64{id})
	if err != nil {
		return "", err
	}
	if got[0] == nil {
		return "", fmt.Errorf("area %d is missing", id)
	}
	c.codes[id] = got[0].Code
	return got[0].Code, nil
}

func dateText(t *time.Time) *string {
	if t == nil {
		return nil
	}
	d := t.UTC().Format(time.DateOnly)
	return &d
}

// unlessZero is nil for the zero value, which the domain uses for unset,
// so that it is written as null.
func unlessZero[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// ExportValues writes every indicator value as CSV in the store's order,
// reading the values of one page of areas at a time.
func ExportValues(ctx context.Context, store db.Store, w io.Writer) error {
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
			row = appendCSVField(row[:0], codes[v.AreaID])
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
			row = append(row, '\n')
			if _, err := w.Write(row); err != nil {
				return err
			}
		}
		return nil
	})
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
