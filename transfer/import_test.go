package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// TestImportNamesItsFile pins what an import of values tells the store of
// its file, and that a file changed between the two passes is refused with
// nothing written.
func TestImportNamesItsFile(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		body := "area_code,indicator_code,year,value\n1490,unemployment,2030,5.5\n"
		if _, err := ImportValuesCSV(t.Context(), s, operator, text("values.csv", body), nil); err != nil {
			t.Fatal(err)
		}
		l, err := s.AuditLog(t.Context(), db.AuditFilter{Actor: operator.ID}, db.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(body))
		want := `{"file":"values.csv","sha256":"` + hex.EncodeToString(sum[:]) +
			`","added":1,"changed":0,"unchanged":0,"indicators":["unemployment"],"years":[2030]}`
		if len(l.Items) != 1 || string(l.Items[0].After) != want {
			t.Fatalf("the import's entries: %d, first %s; want one, %s", len(l.Items), l.Items[0].After, want)
		}

		// The second pass reads a file that differs from the first's.
		opened := 0
		changing := Source{Name: "changing.csv", Open: func() (io.ReadCloser, error) {
			opened++
			b := body
			if opened > 1 {
				b += "1490,unemployment,2031,7\n"
			}
			return io.NopCloser(strings.NewReader(b)), nil
		}}
		before, err := s.IndicatorValues(t.Context(), db.ValueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = ImportValuesCSV(t.Context(), s, operator, changing, nil)
		errorSays(t, "a file changed between the passes", err, "changing.csv", "changed while it was imported")
		after, err := s.IndicatorValues(t.Context(), db.ValueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("a refused import wrote %d values", len(after)-len(before))
		}
		if l, _ := s.AuditLog(t.Context(), db.AuditFilter{Actor: operator.ID}, db.Page{}); l.Total != 1 {
			t.Errorf("%d entries after a refused import, want 1", l.Total)
		}
	})
}

// TestReadAreasMarksAbsentFields pins which fields a feature does not
// carry: a property missing from it, or one the mapping does not read;
// null and "" are carried (and clear). With Replace, none is absent.
func TestReadAreasMarksAbsentFields(t *testing.T) {
	geom := `{"type":"Polygon","coordinates":[[[12.90,57.70],[12.92,57.70],[12.92,57.72],[12.90,57.72],[12.90,57.70]]]}`
	read := func(m AreaMapping, props string) db.AreaFields {
		t.Helper()
		body := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A","name":"A",` +
			`"kind":"DISTRICT"` + props + `},"geometry":` + geom + `}]}`
		for a, err := range ReadAreasGeoJSON(strings.NewReader(body), "a.geojson", &m) {
			if err != nil {
				t.Fatal(err)
			}
			return a.Absent
		}
		t.Fatal("no area read")
		return 0
	}
	all := db.AllOptionalAreaFields
	for _, c := range []struct {
		name  string
		m     AreaMapping
		props string
		want  db.AreaFields
	}{
		{"none given", DefaultAreaMapping, ``, all},
		{"all given", DefaultAreaMapping, `,"parent":"1490","areaType":2,"validFrom":"2020-01-01","validTo":"2030-12-31","description":"D"`, 0},
		{"null and empty are given", DefaultAreaMapping, `,"parent":null,"areaType":null,"validFrom":"","validTo":null,"description":""`, 0},
		{"some given", DefaultAreaMapping, `,"description":"D","parent":"1490"`, db.FieldAreaType | db.FieldValidFrom | db.FieldValidTo},
		{"a property not read", AreaMapping{CodeProp: "code", NameProp: "name", KindProp: "kind", ParentProp: "parent"},
			`,"parent":"1490","description":"D"`, all &^ db.FieldParent},
		{"replace", AreaMapping{CodeProp: "code", NameProp: "name", KindProp: "kind", Replace: true}, ``, 0},
	} {
		if got := read(c.m, c.props); got != c.want {
			t.Errorf("%s: absent %05b, want %05b", c.name, got, c.want)
		}
	}
}
