package transfer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// readKolada reads all of a Kolada answer as ReadValuesKolada does, and
// returns the values up to the first error and the skipped cells.
func readKolada(body string, m StatMapping) ([]*db.ValueInput, Skipped, error) {
	var out []*db.ValueInput
	skipped := Skipped{}
	for v, err := range ReadValuesKolada(strings.NewReader(body), "N00945.json", m, skipped) {
		if err != nil {
			return out, skipped, err
		}
		out = append(out, v)
	}
	return out, skipped, nil
}

// kolada is a Kolada answer of the records given.
func kolada(records ...string) string {
	return `{"count":` + string(rune('0'+len(records))) + `,"values":[` + strings.Join(records, ",") + `]}`
}

func TestReadValuesKolada(t *testing.T) {
	m := StatMapping{Indicators: map[string]string{"N00945": "unemployment"}}
	for _, tc := range []struct {
		name, body, want, skipped string
	}{
		{"Kolada's answer for Borås", fixture(t, "N00945.json"),
			"1490,unemployment,2022,31.2,FEMALE,\n1490,unemployment,2022,28.4,MALE,\n1490,unemployment,2022,29.8,TOTAL,\n" +
				"1490,unemployment,2023,30.1,TOTAL,\n", `1 unmarked, 1 marked "Missing"`},
		{"the period as a string, members around", `{"next_page":"x","values":[{"kpi":"N00945","municipality":"1490","period":"2021",` +
			`"values":[{"gender":"T","value":-0.5,"count":3}]}],"count":1}`, "1490,unemployment,2021,-0.5,TOTAL,\n", ""},
		{"no records", `{"count":0,"values":[]}`, "", ""},
	} {
		got, skipped, err := readKolada(tc.body, m)
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

func TestReadValuesKoladaRejects(t *testing.T) {
	m := StatMapping{Indicator: "unemployment"}
	rec := func(fields string) string {
		return `{"kpi":"N00945","municipality":"1490","period":2023,` + fields + `}`
	}
	good := rec(`"values":[{"gender":"T","value":1}]`)
	for _, tc := range []struct {
		name, body string
		m          StatMapping
		parts      []string
	}{
		{"a kpi without a code", kolada(good), StatMapping{Indicators: map[string]string{"N00946": "x"}},
			[]string{"record 1: ", `kpi "N00945" maps to no indicator`, "--map-indicator N00945=CODE"}},
		{"an unknown gender", kolada(good, rec(`"values":[{"gender":"F","value":1}]`)), m, []string{"record 2: ", `gender "F"`, "T, K or M"}},
		{"a month", kolada(`{"kpi":"N00945","municipality":"1490","period":"2023M01","values":[]}`), m,
			[]string{"record 1: ", `"period"`, "not a year"}},
		{"no municipality", kolada(`{"kpi":"N00945","period":2023,"values":[]}`), m, []string{"record 1: ", `"municipality" is required`}},
		{"an organisational unit", kolada(`{"kpi":"N15033","ou":"V15E144001301","period":2023,"values":[]}`), m,
			[]string{"record 1: ", "organisational unit"}},
		{"a string value", kolada(rec(`"values":[{"gender":"T","value":"1,5"}]`)), m, []string{"record 1: ", `"values.value"`}},
		{"a huge value", kolada(rec(`"values":[{"gender":"T","value":1e999}]`)), m, []string{"record 1: "}},
		{"a year out of range", kolada(`{"kpi":"N00945","municipality":"1490","period":1066,"values":[{"gender":"T","value":1}]}`), m,
			[]string{"record 1, gender T: ", "year out of range"}},
		{"Latin-1", kolada(good, `{"kpi":"N00945","municipality":"Bor`+"\xe5"+`s","period":2023,"values":[]}`), m,
			[]string{"record 2: ", "UTF-8"}},
		{"an escaped NUL", kolada(`{"kpi":"N00945","municipality":"14\u000090","period":2023,"values":[]}`), m,
			[]string{"record 1: ", `"municipality"`, "NUL"}},
		{"no values", `{"count":0}`, m, []string{`no "values"`}},
		{"JSON-stat", fixture(t, "BE0101N1.json"), m, []string{`no "values"`}},
		{"an array", `[]`, m, []string{"not a JSON object"}},
		{"cut short", `{"values":[` + good, m, []string{"ends early"}},
		{"bad JSON", `{"values":[` + good + `,}`, m, []string{"record 2", "not JSON"}},
	} {
		_, _, err := readKolada(tc.body, tc.m)
		errorSays(t, tc.name, err, append([]string{"N00945.json: "}, tc.parts...)...)
	}
}

func TestImportValuesKolada(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		m := StatMapping{Indicators: map[string]string{"N00945": "unemployment"}}
		// The area is named by its record and gender.
		src := text("N00945.json", kolada(`{"kpi":"N00945","municipality":"1490","period":2030,"values":[{"gender":"T","value":1}]}`,
			`{"kpi":"N00945","municipality":"1491","period":2030,"values":[{"gender":"K","value":null},{"gender":"M","value":2}]}`))
		_, err := ImportValuesKolada(t.Context(), s, operator, src, m, nil)
		errorSays(t, "Ulricehamn", err, "N00945.json: record 2, gender M: ", `area code "1491" does not exist`)

		got, err := ImportValuesKolada(t.Context(), s, operator, text("N00945.json", fixture(t, "N00945.json")), m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Values.Written()+got.Values.Unchanged != 4 || got.Skipped.Total() != 2 {
			t.Errorf("imported %+v, skipped %s", got.Values, got.Skipped)
		}
		boras, err := s.AreaByCode(t.Context(), "1490")
		if err != nil {
			t.Fatal(err)
		}
		vs, err := s.IndicatorValues(t.Context(), db.ValueFilter{AreaIDs: []int64{boras.ID}, Codes: []string{"unemployment"},
			FromYear: 2022, ToYear: 2023})
		if err != nil {
			t.Fatal(err)
		}
		// Kolada's count is not a number of persons: no count is stored.
		var b strings.Builder
		for _, v := range vs {
			fmt.Fprintf(&b, "%d %s %g %v;", v.Year, v.Sex, v.Value, v.Count)
		}
		if s := b.String(); !strings.HasPrefix(s, "2022 TOTAL 29.8 <nil>;2022 FEMALE 31.2 <nil>;2022 MALE 28.4 <nil>;2023 TOTAL 30.1 <nil>;") {
			t.Errorf("stored %s", s)
		}
	})
}
