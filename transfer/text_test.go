package transfer

import (
	"strings"
	"testing"
)

// Text that is not UTF-8 or holds NUL is refused by every reader with the
// file and the line or feature, instead of being stored mangled (JSON
// decoding turns bad bytes into U+FFFD) or failing at PostGIS without
// them.
func TestImportsRefuseNULAndInvalidUTF8(t *testing.T) {
	const head = "area_code,indicator_code,year,value\n"
	const good = "1490,unemployment,2030,5\n"
	for _, tc := range []struct {
		name, body string
		parts      []string
	}{
		{"CSV: Latin-1 on line 3", head + good + "1490,arbetsl\xf6shet,2030,5\n", []string{"values.csv:3:", `"indicator_code"`, "UTF-8"}},
		{"CSV: NUL on line 2", head + "14\x0090,unemployment,2030,5\n", []string{"values.csv:2:", `"area_code"`, "NUL"}},
		{"CSV: Latin-1 in the header", "area_code,indicator_code,\xe5r,value\n", []string{"values.csv:1:", "UTF-8"}},
	} {
		_, err := readValues(tc.body)
		errorSays(t, tc.name, err, tc.parts...)
	}
	for _, tc := range []struct {
		name, body string
		parts      []string
	}{
		{"GeoJSON: Latin-1 name", collection(district("N1"), feature(`{"code":"N2","name":"Bor`+"\xe5"+`s","kind":"DISTRICT"}`, square)),
			[]string{"areas.geojson", "feature 2", `property "name"`, "UTF-8"}},
		{"GeoJSON: escaped NUL in a code", collection(feature(`{"code":"N\u00001","name":"New","kind":"DISTRICT"}`, square)),
			[]string{"areas.geojson", "feature 1", `property "code"`, "NUL"}},
		{"GeoJSON: NUL in a description", collection(district("N1"), district("N2"),
			feature(`{"code":"N3","name":"New","kind":"DISTRICT","description":"a\u0000b"}`, square)),
			[]string{"areas.geojson", "feature 3", `property "description"`, "NUL"}},
	} {
		_, err := readAreas(tc.body, DefaultAreaMapping)
		errorSays(t, tc.name, err, tc.parts...)
	}
	// The statistics readers: a Windows-1252 SCB export is decoded (see
	// scbcsv.go), so its case is a UTF-8 file broken past the head.
	scb := "region,2023\n" + strings.Repeat("1490,1\n", 11000)
	for _, tc := range []struct {
		name string
		read func() error
		want []string
	}{
		{"JSON-stat: Latin-1 label", func() error {
			_, _, err := readJSONStat(dataset(`,"value":[1,2],"label":"Bor`+"\xe5"+`s"`), StatMapping{Indicator: "population"})
			return err
		}, []string{"table.json: line 1", "UTF-8"}},
		{"JSON-stat: escaped NUL in a year", func() error {
			_, _, err := readJSONStat(strings.Replace(dataset(`,"value":[1,2]`), `"2023"`, `"20\u000023"`, 1), StatMapping{Indicator: "population"})
			return err
		}, []string{"table.json: ", `dimension "Tid"`, "NUL"}},
		{"Kolada: Latin-1 kpi", func() error {
			_, _, err := readKolada(kolada(`{"kpi":"N0094`+"\xe5"+`","municipality":"1490","period":2023,"values":[]}`), StatMapping{Indicator: "population"})
			return err
		}, []string{"N00945.json: record 1", "UTF-8"}},
		{"Kolada: NUL status", func() error {
			_, _, err := readKolada(kolada(`{"kpi":"N00945","municipality":"1490","period":2023,"values":[{"gender":"T","status":"\u0000"}]}`),
				StatMapping{Indicator: "population"})
			return err
		}, []string{"N00945.json: record 1, gender T", `"status"`, "NUL"}},
		{"SCB CSV: Latin-1 on line 11002", func() error {
			_, _, err := readSCBCSV(scb+"Bor\xe5s,1\n", StatMapping{Indicator: "population"})
			return err
		}, []string{"table.csv:11002:", `column "region"`, "UTF-8"}},
		{"SCB CSV: NUL on line 2", func() error {
			_, _, err := readSCBCSV("region,2023\n14\x0090,1\n", StatMapping{Indicator: "population"})
			return err
		}, []string{"table.csv:2:", `column "region"`, "NUL"}},
	} {
		errorSays(t, tc.name, tc.read(), tc.want...)
	}
}
