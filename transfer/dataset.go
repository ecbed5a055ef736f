package transfer

import (
	"context"
	"io"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/datasetfile"
)

// ExportDataset writes everything in store as a dataset file to w, reading
// it a page at a time.
func ExportDataset(ctx context.Context, store db.Reader, w io.Writer) error {
	var ds db.Dataset
	err := eachAreaPage(ctx, store, db.AreaFilter{}, func(page []*db.Area) error {
		ds.Areas = append(ds.Areas, page...)
		return nil
	})
	if err != nil {
		return err
	}
	err = eachPage(func(p db.Page) (db.List[*db.Organization], error) {
		return store.Organizations(ctx, db.OrganizationFilter{}, p)
	}, func(page []*db.Organization) { ds.Organizations = append(ds.Organizations, page...) })
	if err != nil {
		return err
	}
	err = eachPage(func(p db.Page) (db.List[*db.Initiative], error) {
		return store.Initiatives(ctx, db.InitiativeFilter{}, p)
	}, func(page []*db.Initiative) { ds.Initiatives = append(ds.Initiatives, page...) })
	if err != nil {
		return err
	}
	if ds.Indicators, err = store.Indicators(ctx, nil); err != nil {
		return err
	}
	if ds.Values, err = store.IndicatorValues(ctx, db.ValueFilter{}); err != nil {
		return err
	}
	return datasetfile.Write(w, &ds)
}

// eachPage hands fn the pages fetch returns, in order, until one is empty.
func eachPage[T any](fetch func(db.Page) (db.List[T], error), fn func([]T)) error {
	for offset := 0; ; offset += exportPage {
		l, err := fetch(db.Page{Offset: offset, Limit: exportPage})
		if err != nil {
			return err
		}
		if len(l.Items) == 0 {
			return nil
		}
		fn(l.Items)
	}
}
