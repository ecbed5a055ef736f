package transfer

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// readValues reads all of a CSV text as ReadValuesCSV does, and returns
// the values up to the first error.
func readValues(body string) ([]*db.ValueInput, error) {
	var out []*db.ValueInput
	for v, err := range ReadValuesCSV(strings.NewReader(body), "values.csv") {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func TestReadValuesCSVRejects(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		parts      []string
	}{
		{"unknown column", "area_code,indicator_code,year,vaule\n", []string{":1:", `"vaule"`}},
		{"missing column", "area_code,indicator_code,value\n", []string{":1:", `"year"`}},
		{"a column twice", "area_code,indicator_code,year,value,Year\n", []string{":1:", `"year" appears twice`}},
		{"no header", "", []string{"the header"}},
		{"bad sex on line 3", "area_code,indicator_code,year,value,sex\n1490,unemployment,2030,5,\n1490,unemployment,2031,5,X\n",
			[]string{":3:", `unknown sex "X"`}},
		{"decimal comma", "area_code,indicator_code,year,value\n1490,unemployment,2030,\"5,5\"\n", []string{":2:", "decimal point"}},
		{"bad year", "area_code,indicator_code,year,value\n1490,unemployment,MMXXX,5\n", []string{":2:", "year"}},
		{"short row", "area_code,indicator_code,year,value\n1490,unemployment,2030\n", []string{"line 2", "wrong number of fields"}},
		{"negative count", "area_code,indicator_code,year,value,count\n1490,unemployment,2030,5,-3\n", []string{":2:", "count"}},
		{"no area", "area_code,indicator_code,year,value\n,unemployment,2030,5\n", []string{":2:", "area_code and indicator_code"}},
	} {
		_, err := readValues(tc.body)
		errorSays(t, tc.name, err, append([]string{"values.csv"}, tc.parts...)...)
	}
}

func TestReadValuesCSV(t *testing.T) {
	// A spreadsheet's BOM, columns in any case and order, sex defaulting
	// to TOTAL and an empty count.
	got, err := readValues("\uFEFFArea_Code, indicator_code ,year,value,sex,count\n1490,unemployment,2030,5.5,,1200\n" +
		"1490,unemployment,2030,6,female,\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].AreaCode != "1490" || got[0].IndicatorCode != "unemployment" || got[0].Year != 2030 ||
		got[0].Value != 5.5 || got[0].Sex != db.SexTotal || got[0].Count == nil || *got[0].Count != 1200 ||
		got[1].Sex != db.SexFemale || got[1].Value != 6 || got[1].Count != nil {
		t.Errorf("read %+v", got)
	}
}

// TestImportValuesRejects holds the store's refusals of an import to the
// line of the file they are about, and the import to all or nothing.
func TestImportValuesRejects(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		before, err := s.IndicatorValues(t.Context(), db.ValueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, body string
			parts      []string
		}{
			{"unknown area after a quoted line break", "area_code,indicator_code,year,value\n1490,unemployment,2030,5\n" +
				"\"1490\",\"unemployment\",2031,5\n\"NO\nWHERE\",unemployment,2030,5\n",
				[]string{":4:", `area code "NO\nWHERE" does not exist`}},
			{"unknown indicator", "area_code,indicator_code,year,value\n1490,unemployment,2030,5\n1490,happiness,2030,5\n",
				[]string{":3:", `indicator "happiness" does not exist`}},
			{"a key twice", "sex,area_code,indicator_code,year,value\nTOTAL,1490,unemployment,2030,5\n,1490,unemployment,2030,6\n",
				[]string{":3:", "appear twice", "first as value 1"}},
			{"a bad row after good ones", "area_code,indicator_code,year,value\n1490,unemployment,2030,5\n1490,unemployment,2031,x\n",
				[]string{":3:", "decimal point"}},
		} {
			_, err := ImportValuesCSV(t.Context(), s, operator, text("values.csv", tc.body), nil)
			errorSays(t, tc.name, err, append([]string{"values.csv"}, tc.parts...)...)
		}
		after, err := s.IndicatorValues(t.Context(), db.ValueFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Errorf("failed imports changed the values: %d, were %d", len(after), len(before))
		}

		// The same file without its faults goes in.
		var progress bytes.Buffer
		good := text("values.csv", "area_code,indicator_code,year,value,sex,count\n1490,unemployment,2030,5.5,,1200\n"+
			"1490,unemployment,2030,6,female,\n")
		if n, err := ImportValuesCSV(t.Context(), s, operator, good, &progress); n != (db.ImportCounts{Added: 2}) || err != nil {
			t.Fatalf("import: %+v, %v", n, err)
		}
		// Each pass shows its progress, and ends its line.
		if got := progress.String(); !strings.Contains(got, "\rchecking: 100% (2 records)\n") ||
			!strings.HasSuffix(got, "\rimporting: 100% (2 records)\n") {
			t.Errorf("progress: %q", got)
		}
		boras, err := s.AreaByCode(t.Context(), "1490")
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.IndicatorValues(t.Context(), db.ValueFilter{AreaIDs: []int64{boras.ID}, FromYear: 2030})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Sex != db.SexTotal || got[0].Count == nil || *got[0].Count != 1200 ||
			got[1].Sex != db.SexFemale || got[1].Value != 6 || got[1].Count != nil {
			t.Errorf("imported values: %+v", got)
		}
	})
}

// TestCSVFields holds the values export to what encoding/csv and
// strconv read back: fields quoted only when they must be, numbers in as
// few digits as read back the same.
func TestCSVFields(t *testing.T) {
	for _, s := range []string{"", "1490", "a,b", `say "hi"`, "two\nlines", " lead", "\ttab", "trail "} {
		b := appendCSVField(nil, s)
		rec, err := csv.NewReader(bytes.NewReader(append(b, '\n'))).Read()
		if s == "" {
			if len(b) != 0 {
				t.Errorf("the empty field written as %q", b)
			}
			continue
		}
		if err != nil || len(rec) != 1 || rec[0] != s {
			t.Errorf("%q written as %q, read back as %q (%v)", s, b, rec, err)
		}
		if quoted := len(b) > 0 && b[0] == '"'; quoted != (strings.ContainsAny(s, ",\"\r\n") || s[0] == ' ' || s[0] == '\t') {
			t.Errorf("%q written as %q", s, b)
		}
	}
	for _, tc := range []struct {
		v    float64
		want string
	}{{0, "0"}, {5.5, "5.5"}, {-12, "-12"}, {0.1, "0.1"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"},
		{1e-6, "0.000001"}, {1e-7, "1e-07"}, {1.0 / 3, "0.3333333333333333"}} {
		got := string(appendValue(nil, tc.v))
		if got != tc.want {
			t.Errorf("%v written as %s, want %s", tc.v, got, tc.want)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || back != tc.v {
			t.Errorf("%s reads back as %v (%v)", got, back, err)
		}
	}
}

// TestReadValuesCSVSemicolons holds a file as Swedish Excel writes it (a
// BOM, semicolons, decimal commas) to the same values as the comma file.
func TestReadValuesCSVSemicolons(t *testing.T) {
	comma, err := readValues("area_code,indicator_code,year,value,sex,count\n1490,unemployment,2024,4.5,,1200\n" +
		"1490,unemployment,2024,-6,female,\n1490,\"a;b\",2024,0.25,MALE,3\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		"area_code;indicator_code;year;value;sex;count\n1490;unemployment;2024;4,5;;1200\n" +
			"1490;unemployment;2024;-6;female;\n1490;\"a;b\";2024;0,25;MALE;3\n",
		"\uFEFFarea_code;indicator_code;year;value;sex;count\r\n1490;unemployment;2024;4,5;;1200\r\n" +
			"1490;unemployment;2024;-6;female;\r\n\"1490\";\"a;b\";2024;\"0.25\";MALE;3\r\n",
	} {
		got, err := readValues(body)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if len(got) != len(comma) {
			t.Fatalf("%d values, the comma file has %d", len(got), len(comma))
		}
		for i := range got {
			g, c := got[i], comma[i]
			if g.AreaCode != c.AreaCode || g.IndicatorCode != c.IndicatorCode || g.Year != c.Year ||
				g.Value != c.Value || g.Sex != c.Sex || (g.Count == nil) != (c.Count == nil) ||
				g.Count != nil && *g.Count != *c.Count {
				t.Errorf("value %d: %+v, the comma file's %+v", i, g, c)
			}
		}
	}

	// A BOM before a comma header is skipped too, even before a quote.
	got, err := readValues("\uFEFF\"area_code\",indicator_code,year,value\n1490,unemployment,2024,4.5\n")
	if err != nil || len(got) != 1 || got[0].Value != 4.5 {
		t.Errorf("BOM and a quoted header: %+v, %v", got, err)
	}
	// Only a comma outside quotes makes a header comma-separated, and
	// only the header line counts.
	for _, tc := range []struct {
		head string
		want rune
	}{{"a;b;c", ';'}, {"a,b;c", ','}, {`"a,b";c`, ';'}, {"a", ','}, {"a;b\n1,2", ';'}, {"", ','}} {
		if got := separator([]byte(tc.head)); got != tc.want {
			t.Errorf("separator(%q) = %q, want %q", tc.head, got, tc.want)
		}
	}
}

func TestReadValuesCSVSemicolonsRejects(t *testing.T) {
	head := "area_code;indicator_code;year;value;count\n1490;unemployment;2023;1;\n"
	for _, tc := range []struct {
		name, row string
		parts     []string
	}{
		{"thousands point", "1490;unemployment;2024;1.234,5;\n", []string{":3:", `value "1.234,5"`, "thousands separator"}},
		{"thousands space", "1490;unemployment;2024;1 234,5;\n", []string{":3:", `value "1 234,5"`, "thousands separator"}},
		{"thousands commas", "1490;unemployment;2024;1,234,567;\n", []string{":3:", `value "1,234,567"`, "thousands separator"}},
		{"unquoted semicolon", "1490;a;b;2024;4,5;\n", []string{"line 3", "wrong number of fields"}},
		{"not a number", "1490;unemployment;2024;n/a;\n", []string{":3:", "value", "decimal comma", `"n/a"`}},
		{"count with a comma", "1490;unemployment;2024;4,5;1,5\n", []string{":3:", "count", `"1,5"`}},
		{"bad UTF-8", "1490;unemployment;2024;4,5;\n1490;arbetsl\xf6shet;2024;4,5;\n", []string{":4:", `column "indicator_code"`, "UTF-8"}},
	} {
		_, err := readValues(head + tc.row)
		errorSays(t, tc.name, err, append([]string{"values.csv"}, tc.parts...)...)
	}
}
