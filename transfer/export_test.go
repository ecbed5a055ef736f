package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/datasetfile"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
)

// exports writes the areas and the values of s as the exports do.
func exports(t *testing.T, s db.Store) (areas, values string) {
	t.Helper()
	var a, v bytes.Buffer
	if err := ExportAreasGeoJSON(t.Context(), s, db.AreaFilter{}, &a); err != nil {
		t.Fatal(err)
	}
	if err := ExportValuesCSV(t.Context(), s, &v); err != nil {
		t.Fatal(err)
	}
	return a.String(), v.String()
}

// TestExportImportRoundTrip holds the exports and the imports to each
// other: what a store exports imports with the default mapping into an
// empty one that knows the indicators, which exports the same bytes.
func TestExportImportRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		areas, values := exports(t, s)
		ds := demo.Dataset()
		if n := strings.Count(areas, "\n{\"type\":\"Feature\""); n != len(ds.Areas) {
			t.Errorf("export has %d features, want %d", n, len(ds.Areas))
		}
		if n := strings.Count(values, "\n") - 1; n != len(ds.Values) {
			t.Errorf("export has %d values, want %d", n, len(ds.Values))
		}
		// Every value carries its indicator's licence and attribution.
		if !strings.HasPrefix(values, "area_code,indicator_code,year,value,sex,count,license,attribution\n") ||
			strings.Count(values, `,CC BY 4.0,"Demo data, after SCB and Borås Stad"`+"\n") != len(ds.Values) {
			t.Errorf("the values export does not carry the terms on every line:\n%.300s", values)
		}
		var fc struct {
			Type     string            `json:"type"`
			Features []json.RawMessage `json:"features"`
		}
		if err := json.Unmarshal([]byte(areas), &fc); err != nil || fc.Type != "FeatureCollection" {
			t.Fatalf("the export is no FeatureCollection: %v", err)
		}

		fresh := memory.New()
		defer fresh.Close()
		if err := fresh.Load(t.Context(), &db.Dataset{Indicators: ds.Indicators}); err != nil {
			t.Fatal(err)
		}
		// From a file, as the command imports.
		path := filepath.Join(t.TempDir(), "areas.geojson")
		if err := os.WriteFile(path, []byte(areas), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ImportAreasGeoJSON(t.Context(), fresh, operator, File(path), DefaultAreaMapping, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := ImportValuesCSV(t.Context(), fresh, operator, text("values.csv", values), nil); err != nil {
			t.Fatal(err)
		}
		gotAreas, gotValues := exports(t, fresh)
		if gotAreas != areas {
			t.Errorf("areas export of the imported store differs:\n%s", firstDiff(gotAreas, areas))
		}
		if gotValues != values {
			t.Errorf("values export of the imported store differs:\n%s", firstDiff(gotValues, values))
		}

		// A selection by kind names parents outside it by code.
		var priority bytes.Buffer
		if err := ExportAreasGeoJSON(t.Context(), s, db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}}, &priority); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(priority.String(), `"kind":"PRIORITY_AREA"`); n != 5 || strings.Count(priority.String(), `"type":"Feature"`) != 5 {
			t.Errorf("priority areas export has %d priority areas of %d features", n, strings.Count(priority.String(), `"type":"Feature"`))
		}
		if !strings.Contains(priority.String(), `"parent":"`) {
			t.Error("priority areas export names no parent")
		}
	})
}

// TestExportDataset holds the dataset export to the store it was taken
// from: loaded into an empty store, it exports the same areas and values.
func TestExportDataset(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		var b bytes.Buffer
		if err := ExportDataset(t.Context(), s, &b); err != nil {
			t.Fatal(err)
		}
		ds, err := datasetfile.Read(&b)
		if err != nil {
			t.Fatal(err)
		}
		want := demo.Dataset()
		if len(ds.Areas) != len(want.Areas) || len(ds.Organizations) != len(want.Organizations) ||
			len(ds.Initiatives) != len(want.Initiatives) || len(ds.Indicators) != len(want.Indicators) || len(ds.Values) != len(want.Values) {
			t.Errorf("the dataset holds %d areas, %d organisations, %d initiatives, %d indicators and %d values",
				len(ds.Areas), len(ds.Organizations), len(ds.Initiatives), len(ds.Indicators), len(ds.Values))
		}
		loaded := memory.New()
		defer loaded.Close()
		if err := loaded.Load(context.Background(), ds); err != nil {
			t.Fatal(err)
		}
		areas, values := exports(t, s)
		gotAreas, gotValues := exports(t, loaded)
		if gotAreas != areas || gotValues != values {
			t.Errorf("the loaded dataset exports differently:\n%s\n%s", firstDiff(gotAreas, areas), firstDiff(gotValues, values))
		}
	})
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got  %.300s\n want %.300s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}
