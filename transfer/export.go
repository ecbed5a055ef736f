package transfer

import (
	"context"
	"time"

	"github.com/areagraph/areagraph/db"
)

// Exports write what import reads, with the default property names and
// columns, so a file exported from one database imports into another
// without flags. They are deterministic: the same data give the same bytes,
// which is what makes an export fit to compare, diff and keep.

// exportPage is how many areas one store call reads; it bounds the memory
// an export holds whatever the size of the database.
const exportPage = 500

// eachAreaPage hands the areas f selects to fn a page at a time, in id
// order.
func eachAreaPage(ctx context.Context, store db.AreaReader, f db.AreaFilter, fn func([]*db.Area) error) error {
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
