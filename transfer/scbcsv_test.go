package transfer

import (
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// readSCBCSV reads all of an SCB export as ReadValuesSCBCSV does, and
// returns the values up to the first error and the skipped cells.
func readSCBCSV(body string, m StatMapping) ([]*db.ValueInput, Skipped, error) {
	var out []*db.ValueInput
	skipped := Skipped{}
	for v, err := range ReadValuesSCBCSV(strings.NewReader(body), "table.csv", m, skipped) {
		if err != nil {
			return out, skipped, err
		}
		out = append(out, v)
	}
	return out, skipped, nil
}

const employmentMeasure = "Andel förvärvsarbetande, procent"

func TestReadValuesSCBCSV(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		m          StatMapping
		want       string
		skipped    string
	}{
		{"SCB's population table, Windows-1252 with semicolons", "BE0101N1.csv",
			StatMapping{Indicator: "population", Fixed: map[string]string{"ålder": "totalt ålder"}},
			"1490,population,2022,56920,MALE,\n1490,population,2023,57210,MALE,\n" +
				"1490,population,2022,57010,FEMALE,\n1490,population,2023,57340,FEMALE,\n", ""},
		{"DeSO, UTF-8 with commas, the measure leading the years", "deso_employment.csv",
			StatMapping{Indicators: map[string]string{employmentMeasure: "employment_rate"}},
			"1490C1010,employment_rate,2022,78.4,TOTAL,\n1490C1010,employment_rate,2023,79.1,TOTAL,\n" +
				"1490C1010,employment_rate,2022,80.2,MALE,\n1490C1010,employment_rate,2023,81,MALE,\n" +
				"1490C1010,employment_rate,2022,76.5,FEMALE,\n1490C1010,employment_rate,2023,77,FEMALE,\n" +
				"1490C1030,employment_rate,2022,69,TOTAL,\n1490C1030,employment_rate,2023,70.2,TOTAL,\n" +
				"1490C1030,employment_rate,2022,71.3,MALE,\n1490C1030,employment_rate,2023,72.5,MALE,\n", `2 marked ".."`},
		{"only totals", "deso_employment.csv", StatMapping{Indicator: "employment_rate", Fixed: map[string]string{"kön": "totalt"}},
			"1490C1010,employment_rate,2022,78.4,TOTAL,\n1490C1010,employment_rate,2023,79.1,TOTAL,\n" +
				"1490C1030,employment_rate,2022,69,TOTAL,\n1490C1030,employment_rate,2023,70.2,TOTAL,\n", ""},
	} {
		got, skipped, err := readSCBCSV(fixture(t, tc.file), tc.m)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if s := valueLines(got); s != tc.want {
			t.Errorf("%s: read\n%s\nwant\n%s", tc.name, s, tc.want)
		}
		if skipped.String() != tc.skipped {
			t.Errorf("%s: skipped %q, want %q", tc.name, skipped, tc.skipped)
		}
	}
	// Decimal commas, PxWeb's "-" for nothing, an edition suffix, no sex
	// column, no title.
	got, skipped, err := readSCBCSV("region;2023\n1490 Borås;4,5\n1490C1010_DeSO2025;-\n1490C1020;\n", StatMapping{Indicator: "unemployment"})
	if s := valueLines(got); err != nil || s != "1490,unemployment,2023,4.5,TOTAL,\n1490C1010,unemployment,2023,0,TOTAL,\n" ||
		skipped.String() != "1 unmarked" {
		t.Errorf("read %s, skipped %s, %v", s, skipped, err)
	}
}

func TestReadValuesSCBCSVRejects(t *testing.T) {
	const head = "\"Titel\"\n\n\"region\",\"kön\",\"2023\"\n"
	m := StatMapping{Indicator: "unemployment"}
	be := fixture(t, "BE0101N1.csv")
	for _, tc := range []struct {
		name, body string
		m          StatMapping
		parts      []string
	}{
		{"a column not fixed", be, m, []string{"table.csv:3: ", `column "ålder"`, "--fix ålder=CATEGORY"}},
		{"a fixed category no row has", be, StatMapping{Indicator: "population", Fixed: map[string]string{"ålder": "20-64 år"}},
			[]string{"table.csv:3: ", `no row has "20-64 år" in column "ålder"`}},
		{"a fixed column that is not there", be, StatMapping{Indicator: "population", Fixed: map[string]string{"alder": "x"}},
			[]string{"table.csv:3: ", "--fix alder", `"region", "ålder", "kön", "2022", "2023"`}},
		{"no measure", fixture(t, "deso_employment.csv"), StatMapping{},
			[]string{"table.csv:3: ", `the measure "Andel förvärvsarbetande, procent"`, "--map-indicator"}},
		{"years without a measure", head, StatMapping{}, []string{"table.csv:3: ", `column "2023", which names no measure`, "--indicator"}},
		{"no region", "\"kommun\",\"2023\"\n", m, []string{"table.csv:1: ", `no column "region"`, "--area-dim"}},
		{"no year", "\"region\",\"kön\"\n", m, []string{"table.csv:1: ", "no column is a year"}},
		{"no header", "\"Titel\"\n", m, []string{"table.csv: no header"}},
		{"an unknown sex", head + "\"1490 Borås\",\"okänt\",1\n", m, []string{"table.csv:4: ", `column "kön"`, `"okänt" is no sex`}},
		{"a bad value", head + "\"1490 Borås\",\"män\",\"4,5\"\n", m, []string{"table.csv:4: ", `column "2023"`, "decimal point"}},
		{"a thousands separator", "region;2023\n1490;1 234\n", m, []string{"table.csv:2: ", `column "2023"`, "thousands separator"}},
		{"a short row", head + "\"1490 Borås\",\"män\"\n", m, []string{"table.csv:4: ", "2 fields", "header has 3"}},
		{"no area code", head + "\"\",\"män\",1\n", m, []string{"table.csv:4: ", `column "region" is empty`}},
		{"a NUL", head + "\"1490\x00\",\"män\",1\n", m, []string{"table.csv:4: ", `column "region"`, "NUL"}},
		{"UTF-8 broken past the first 64 KiB", head + strings.Repeat("\"1490 Borås\",\"män\",1\n", 4000) +
			"\"1490 Bor\xe5s\",\"män\",1\n", m, []string{"table.csv:4004: ", `column "region"`, "UTF-8"}},
		{"a year out of range", "region,1066\n1490,1\n", m, []string{"table.csv:2: ", `column "1066"`, "year out of range"}},
		{"year-dim", head, StatMapping{Indicator: "x", YearDim: "år"}, []string{"--year-dim"}},
	} {
		_, _, err := readSCBCSV(tc.body, tc.m)
		errorSays(t, tc.name, err, tc.parts...)
	}
}

func TestImportValuesSCBCSV(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		src := text("deso_employment.csv", fixture(t, "deso_employment.csv"))
		m := StatMapping{Indicators: map[string]string{employmentMeasure: "employment_rate"}}
		_, err := ImportValuesSCBCSV(t.Context(), s, operator, src, m, nil)
		errorSays(t, "DeSO not imported", err, `deso_employment.csv: line 4, column "Andel förvärvsarbetande, procent 2022": `,
			`area code "1490C1010" does not exist`)
		_, err = ImportValuesSCBCSV(t.Context(), s, operator, src, StatMapping{Indicator: "employment"}, nil)
		errorSays(t, "no definition", err, `indicator "employment" is not defined`, "import definitions")

		deso(t, s)
		got, err := ImportValuesSCBCSV(t.Context(), s, operator, src, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Values != (db.ImportCounts{Added: 10}) || got.Skipped.String() != `2 marked ".."` {
			t.Errorf("imported %+v, skipped %s", got.Values, got.Skipped)
		}
		a, err := s.AreaByCode(t.Context(), "1490C1030")
		if err != nil {
			t.Fatal(err)
		}
		vs, err := s.IndicatorValues(t.Context(), db.ValueFilter{AreaIDs: []int64{a.ID}, Codes: []string{"employment_rate"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 4 || vs[0].Value != 69 || vs[3].Sex != db.SexMale || vs[3].Value != 72.5 {
			t.Errorf("stored %+v", vs)
		}
	})
}

// TestReadValuesSCBCSVCounts reads a share and, led by another measure,
// the number of persons it rests on.
func TestReadValuesSCBCSVCounts(t *testing.T) {
	body := "\"Förvärvsarbetande 20-64 år efter region och år\"\n\n" +
		"\"region\";\"Andel, procent 2022\";\"Antal 2022\";\"Andel, procent 2023\";\"Antal 2023\"\n" +
		"\"1490C1010\";78,4;1210;79,1;1232\n\"1490C1020\";52,3;\"..\";54,8;-\n"
	m := StatMapping{Indicator: "employment_rate", CountMeasure: "Antal"}
	got, _, err := readSCBCSV(body, m)
	if s := valueLines(got); err != nil || s != "1490C1010,employment_rate,2022,78.4,TOTAL,1210\n"+
		"1490C1010,employment_rate,2023,79.1,TOTAL,1232\n1490C1020,employment_rate,2022,52.3,TOTAL,\n"+
		"1490C1020,employment_rate,2023,54.8,TOTAL,0\n" {
		t.Errorf("read\n%s%v", s, err)
	}
	for _, tc := range []struct {
		name, body string
		m          StatMapping
		parts      []string
	}{
		{"a count not whole", strings.Replace(body, "1232", "1232,5", 1), m,
			[]string{"table.csv:4: ", `column "Antal 2023"`, `"1232,5" is no count`}},
		{"no count column", body, StatMapping{Indicator: "employment_rate", CountMeasure: "Antal personer"},
			[]string{"table.csv:3: ", "--count-measure Antal personer", `"Antal personer 2023"`}},
	} {
		_, _, err := readSCBCSV(tc.body, tc.m)
		errorSays(t, tc.name, err, tc.parts...)
	}
}
