package transfer

import "testing"

// Text that is not UTF-8 or holds NUL is refused by both readers with the
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
}
