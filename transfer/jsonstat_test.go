package transfer

import (
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// readJSONStat reads all of a JSON-stat text as ReadValuesJSONStat does,
// and returns the values up to the first error and the skipped cells.
func readJSONStat(body string, m StatMapping) ([]*db.ValueInput, Skipped, error) {
	var out []*db.ValueInput
	skipped := Skipped{}
	for v, err := range ReadValuesJSONStat(strings.NewReader(body), "table.json", m, skipped) {
		if err != nil {
			return out, skipped, err
		}
		out = append(out, v)
	}
	return out, skipped, nil
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/stats/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// valueLines writes values one a line, for comparing.
func valueLines(vs []*db.ValueInput) string {
	var b strings.Builder
	for _, v := range vs {
		b.Write(appendValueRow(nil, v))
	}
	return b.String()
}

func TestReadValuesJSONStat(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		m          StatMapping
		want       string
		skipped    string
	}{
		{"SCB's population table, by the default dimensions", "BE0101N1.json",
			StatMapping{Indicator: "population", Fixed: map[string]string{"Alder": "tot"}},
			"1490,population,2022,56920,MALE,\n1490,population,2023,57210,MALE,\n" +
				"1490,population,2022,57010,FEMALE,\n1490,population,2023,57340,FEMALE,\n", ""},
		{"one year of it, the measure mapped by its code", "BE0101N1.json",
			StatMapping{Indicators: map[string]string{"BE0101N1": "population"}, Fixed: map[string]string{"Alder": "tot", "Tid": "2023"}},
			"1490,population,2023,57210,MALE,\n1490,population,2023,57340,FEMALE,\n", ""},
		{"DeSO with suppressed cells", "deso_employment.json", StatMapping{Indicator: "employment_rate"},
			"1490C1010,employment_rate,2022,78.4,TOTAL,\n1490C1010,employment_rate,2023,79.1,TOTAL,\n" +
				"1490C1010,employment_rate,2022,80.2,MALE,\n1490C1010,employment_rate,2023,81,MALE,\n" +
				"1490C1010,employment_rate,2022,76.5,FEMALE,\n1490C1010,employment_rate,2023,77,FEMALE,\n" +
				"1490C1020,employment_rate,2022,52.3,TOTAL,\n1490C1020,employment_rate,2023,54.8,TOTAL,\n" +
				"1490C1020,employment_rate,2022,55.9,MALE,\n1490C1020,employment_rate,2023,58.1,MALE,\n" +
				"1490C1020,employment_rate,2022,48.6,FEMALE,\n1490C1020,employment_rate,2023,51.4,FEMALE,\n" +
				"1490C1030,employment_rate,2022,69,TOTAL,\n1490C1030,employment_rate,2023,70.2,TOTAL,\n" +
				"1490C1030,employment_rate,2022,71.3,MALE,\n1490C1030,employment_rate,2023,72.5,MALE,\n",
			`2 marked ".."`},
		{"only totals", "deso_employment.json", StatMapping{Indicator: "employment_rate", Fixed: map[string]string{"Kon": "1+2"}},
			"1490C1010,employment_rate,2022,78.4,TOTAL,\n1490C1010,employment_rate,2023,79.1,TOTAL,\n" +
				"1490C1020,employment_rate,2022,52.3,TOTAL,\n1490C1020,employment_rate,2023,54.8,TOTAL,\n" +
				"1490C1030,employment_rate,2022,69,TOTAL,\n1490C1030,employment_rate,2023,70.2,TOTAL,\n", ""},
	} {
		got, skipped, err := readJSONStat(fixture(t, tc.file), tc.m)
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
}

// dataset is a JSON-stat dataset of the dimensions Region (1490, 1490C1010),
// Tid (2023) and ContentsCode (X1), its members past those given by rest.
func dataset(rest string) string {
	return `{"version":"2.0","class":"dataset","id":["Region","Tid","ContentsCode"],"size":[2,1,1],"dimension":{` +
		`"Region":{"category":{"index":["1490","1490C1010"]}},"Tid":{"category":{"index":{"2023":0}}},` +
		`"ContentsCode":{"category":{"label":{"X1":"x"}}}}` + rest + `}`
}

func TestReadValuesJSONStatForms(t *testing.T) {
	m := StatMapping{Indicator: "population"}
	for _, tc := range []struct {
		name, body, want, skipped string
	}{
		{"dense, status as one string", dataset(`,"value":[1,2.5],"status":"p"`),
			"1490,population,2023,1,TOTAL,\n1490C1010,population,2023,2.5,TOTAL,\n", ""},
		{"dense, status as an array", dataset(`,"status":[null,".."],"value":[1,2]`), "1490,population,2023,1,TOTAL,\n", `1 marked ".."`},
		{"sparse, status as an object", dataset(`,"value":{"1":3},"status":{"0":".."}`),
			"1490C1010,population,2023,3,TOTAL,\n", ""},
		{"sparse with a status array", dataset(`,"value":{"1":null,"0":7},"status":["",".."]`),
			"1490,population,2023,7,TOTAL,\n", `1 marked ".."`},
		{"markers as values, no marker", dataset(`,"value":["..",null]`), "", `1 unmarked, 1 marked ".."`},
		{"SCB's edition suffixes", strings.Replace(dataset(`,"value":[1,2]`), `["1490","1490C1010"]`,
			`["1490R001_RegSO2025","1490C1010_DeSO2025"]`, 1),
			"1490R001,population,2023,1,TOTAL,\n1490C1010,population,2023,2,TOTAL,\n", ""},
	} {
		got, skipped, err := readJSONStat(tc.body, m)
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
}

func TestReadValuesJSONStatRejects(t *testing.T) {
	population := StatMapping{Indicator: "population", Fixed: map[string]string{"Alder": "tot"}}
	be := fixture(t, "BE0101N1.json")
	for _, tc := range []struct {
		name, body string
		m          StatMapping
		parts      []string
	}{
		{"a dimension not fixed", be, StatMapping{Indicator: "population"},
			[]string{`dimension "Alder"`, `"tot"`, "--fix Alder=CATEGORY"}},
		{"a measure without a code", be, StatMapping{Fixed: map[string]string{"Alder": "tot"}},
			[]string{`dimension "ContentsCode" category "BE0101N1"`, "--indicator", "--map-indicator BE0101N1=CODE"}},
		{"a fixed category that is not there", be, StatMapping{Indicator: "population", Fixed: map[string]string{"Alder": "20-64"}},
			[]string{"--fix Alder=20-64", `no category "20-64"`, `"tot"`}},
		{"a fixed dimension that is not there", be, StatMapping{Indicator: "population", Fixed: map[string]string{"Ålder": "tot"}},
			[]string{"--fix Ålder", "Region, Alder, Kon, ContentsCode, Tid"}},
		{"an area dimension that is not there", be, StatMapping{Indicator: "population", AreaDim: "Kommun", Fixed: population.Fixed},
			[]string{`no dimension "Kommun"`, "--area-dim"}},
		{"months", strings.Replace(be, `"2023": 1}`, `"2023M10": 1}`, 1), population,
			[]string{`dimension "Tid" category "2023M10" is not a year`}},
		{"an unknown sex", strings.Replace(be, `"2": 1}`, `"3": 1}`, 1), population,
			[]string{`dimension "Kon" category "3"`}},
		{"two measures for one code", `{"class":"dataset","id":["Region","Tid","ContentsCode"],"size":[1,1,2],"dimension":{` +
			`"Region":{"category":{"index":["1490"]}},"Tid":{"category":{"index":["2023"]}},` +
			`"ContentsCode":{"category":{"index":["BE0101N1","BE0101N2"]}}},"value":[1,2]}`, StatMapping{Indicator: "population"},
			[]string{`dimension "ContentsCode" holds 2 measures ("BE0101N1", "BE0101N2")`, "--map-indicator"}},
		{"one dimension for two", dataset(`,"value":[1,2]`), StatMapping{Indicator: "population", IndicatorDim: "Region"},
			[]string{`dimension "Region" is named for both the area code and the measure`}},
		{"JSON-stat 1", `{"dataset":{"dimension":{},"value":[]}}`, population, []string{"1.x bundle", "json-stat2"}},
		{"no class", `{"id":["Region"],"size":[1]}`, population, []string{`class is ""`}},
		{"an array", `[1]`, population, []string{"not a JSON object"}},
		{"sizes and ids", `{"class":"dataset","id":["Region"],"size":[1,2]}`, population, []string{"id names 1", "size gives 2"}},
		{"categories and size", strings.Replace(be, `"size": [1, 1, 2, 1, 2]`, `"size": [1, 1, 2, 1, 3]`, 1), population,
			[]string{`dimension "Tid" has 2 categories and size 3`}},
		{"too few cells", strings.Replace(be, `, 57340]`, `]`, 1), population,
			[]string{"value holds 3 cells", "multiply to 4"}},
		{"too many cells", strings.Replace(be, `57340]`, `57340, 1]`, 1), population, []string{"more than the 4 cells"}},
		{"a string cell", dataset(`,"value":[1,"x"]`), StatMapping{Indicator: "population"}, []string{"value index 1", `"x" is not a number`}},
		{"an object cell", dataset(`,"value":[1,{}]`), StatMapping{Indicator: "population"}, []string{"value index 1", "not a number"}},
		{"a huge cell", dataset(`,"value":[1e999,1]`), StatMapping{Indicator: "population"}, []string{"value index 0", "out of range"}},
		{"a sparse index out of range", dataset(`,"value":{"2":1}`), StatMapping{Indicator: "population"}, []string{`key "2"`}},
		{"no value", dataset(``), StatMapping{Indicator: "population"}, []string{"value must be"}},
		{"syntax on line 3", "{\"class\":\"dataset\",\n\"id\":[\"Region\"],\n\"size\":[1,]}", population, []string{"line 3", "not JSON"}},
		{"Latin-1 on line 2", "{\"class\":\"dataset\",\n\"label\":\"Bor\xe5s\"}", population, []string{"line 2", "UTF-8"}},
		{"an escaped NUL in a category", strings.Replace(be, `"index": {"1490": 0}`, `"index": {"14\u000090": 0}`, 1), population,
			[]string{`dimension "Region"`, "NUL"}},
	} {
		_, _, err := readJSONStat(tc.body, tc.m)
		errorSays(t, tc.name, err, append([]string{"table.json: "}, tc.parts...)...)
	}
}

// deso adds three DeSO areas in Borås to s, for the imports of DeSO tables.
func deso(t *testing.T, s db.Store) {
	t.Helper()
	_, err := s.UpsertAreas(t.Context(), operator, func(yield func(*db.AreaInput, error) bool) {
		for i, code := range []string{"1490C1010", "1490C1020", "1490C1030"} {
			x, y := 12.93+float64(i)*0.01, 57.71
			sq := orb.Polygon{{{x, y}, {x + 0.01, y}, {x + 0.01, y + 0.01}, {x, y + 0.01}, {x, y}}}
			if !yield(&db.AreaInput{Code: code, Name: code, Kind: db.KindStatisticalArea, ParentCode: "1490", Geometry: sq}, nil) {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestImportValuesJSONStat(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		src := text("deso_employment.json", fixture(t, "deso_employment.json"))
		m := StatMapping{Indicators: map[string]string{"0000089Y": "employment_rate"}}

		// Areas that do not exist are named by the cell.
		_, err := ImportValuesJSONStat(t.Context(), s, operator, src, m, nil)
		errorSays(t, "DeSO not imported", err, "deso_employment.json: value index 0: ", `area code "1490C1010" does not exist`)
		// A definition that does not exist is named before the file is read.
		_, err = ImportValuesJSONStat(t.Context(), s, operator, src, StatMapping{Indicator: "employment"}, nil)
		errorSays(t, "no definition", err, "deso_employment.json: ", `indicator "employment" is not defined`, "import definitions")

		deso(t, s)
		got, err := ImportValuesJSONStat(t.Context(), s, operator, src, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Values != (db.ImportCounts{Added: 16}) || got.Skipped.String() != `2 marked ".."` {
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
		// The suppressed women of 1490C1030 have no value.
		if len(vs) != 4 || vs[0].Sex != db.SexTotal || vs[0].Value != 69 || vs[3].Sex != db.SexMale || vs[3].Value != 72.5 ||
			vs[3].Year != 2023 || vs[3].Count != nil {
			t.Errorf("stored %+v", vs)
		}
	})
}

// shareAndCount is a dataset of a share (S) and its count (N) for two
// DeSO and the two sexes, its dimensions in the order of id (every size is
// 2 but the year's); rest ends it.
func shareAndCount(id, rest string) string {
	return `{"class":"dataset","id":` + id + `,"size":[2,2,2,1],"dimension":{` +
		`"Region":{"category":{"index":["1490C1010","1490C1020"]}},"Kon":{"category":{"index":["1","2"]}},` +
		`"ContentsCode":{"category":{"index":["S","N"]}},"Tid":{"category":{"index":["2023"]}}}` + rest + `}`
}

func TestReadValuesJSONStatCounts(t *testing.T) {
	m := StatMapping{Indicator: "employment_rate", CountMeasure: "N"}
	for _, tc := range []struct {
		name, body, want string
	}{
		{"the count beside its share", shareAndCount(`["Region","Kon","ContentsCode","Tid"]`,
			`,"value":[80.5,1200,76,1150,70.1,null,66,980],"status":{"5":".."}`),
			"1490C1010,employment_rate,2023,80.5,MALE,1200\n1490C1010,employment_rate,2023,76,FEMALE,1150\n" +
				"1490C1020,employment_rate,2023,70.1,MALE,\n1490C1020,employment_rate,2023,66,FEMALE,980\n"},
		{"the measures first", shareAndCount(`["ContentsCode","Region","Kon","Tid"]`, `,"value":[80.5,76,70.1,66,1200,1150,900,980]`),
			"1490C1010,employment_rate,2023,80.5,MALE,1200\n1490C1010,employment_rate,2023,76,FEMALE,1150\n" +
				"1490C1020,employment_rate,2023,70.1,MALE,900\n1490C1020,employment_rate,2023,66,FEMALE,980\n"},
		{"sparse", shareAndCount(`["Region","Kon","ContentsCode","Tid"]`, `,"value":{"7":980,"6":66,"0":80.5}`),
			"1490C1020,employment_rate,2023,66,FEMALE,980\n1490C1010,employment_rate,2023,80.5,MALE,\n"},
	} {
		got, _, err := readJSONStat(tc.body, m)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if s := valueLines(got); s != tc.want {
			t.Errorf("%s: read\n%s\nwant\n%s", tc.name, s, tc.want)
		}
	}
	body := shareAndCount(`["Region","Kon","ContentsCode","Tid"]`, `,"value":[80.5,1200.5,76,1150,70.1,null,66,980]`)
	for _, tc := range []struct {
		name, body string
		m          StatMapping
		parts      []string
	}{
		{"a count not whole", body, m, []string{"table.json: value index 1: ", `1200.5 is no count of persons (measure "N")`}},
		{"no such measure", body, StatMapping{Indicator: "employment_rate", CountMeasure: "antal"},
			[]string{"--count-measure antal", `no category "antal"`, `"S", "N"`}},
		{"no measures", `{"class":"dataset","id":["Region","Tid"],"size":[1,1],"dimension":{"Region":{"category":{"index":["1490"]}},` +
			`"Tid":{"category":{"index":["2023"]}}},"value":[1]}`, StatMapping{Indicator: "population", CountMeasure: "N"},
			[]string{"--count-measure N", `no dimension "ContentsCode" of measures`}},
	} {
		_, _, err := readJSONStat(tc.body, tc.m)
		errorSays(t, tc.name, err, tc.parts...)
	}
}

// TestImportValuesJSONStatCounts stores a count read from its measure
// beside the value, on both backends.
func TestImportValuesJSONStatCounts(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		deso(t, s)
		src := text("share.json", shareAndCount(`["Region","Kon","ContentsCode","Tid"]`, `,"value":[80.5,1200,76,1150,70.1,null,66,980]`))
		if _, err := ImportValuesJSONStat(t.Context(), s, operator, src, StatMapping{Indicator: "employment_rate", CountMeasure: "N"}, nil); err != nil {
			t.Fatal(err)
		}
		a, err := s.AreaByCode(t.Context(), "1490C1010")
		if err != nil {
			t.Fatal(err)
		}
		vs, err := s.IndicatorValues(t.Context(), db.ValueFilter{AreaIDs: []int64{a.ID}, Codes: []string{"employment_rate"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[0].Sex != db.SexFemale || vs[0].Count == nil || *vs[0].Count != 1150 ||
			vs[1].Count == nil || *vs[1].Count != 1200 {
			t.Errorf("stored %+v", vs)
		}
	})
}
