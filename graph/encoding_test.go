package graph_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestResponsesAsEncodingJSONWritesThem checks that answers go out byte for
// byte as encoding/json would write them: the server wraps gqlgen's data
// as it is when nothing in it needs escaping, which holds only while every
// scalar writes compact JSON. The queries read every kind of scalar, the
// audit log's JSON records included (PostgreSQL keeps those with spaces),
// and text that encoding/json escapes.
func TestResponsesAsEncodingJSONWritesThem(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		a := e.admin()
		title := "Läxhjälp <för> alla & envar\u2028på två rader"
		a.mutateOK("createInitiative", map[string]any{"title": title, "status": "ACTIVE", "goalArea": "GOOD_START_IN_LIFE",
			"startDate": "2025-01-15", "locations": map[string]any{"type": "MultiPoint", "coordinates": [][]float64{{12.94, 57.72}}},
			"reach": map[string]any{"participants": 12}}, "initiative { id }", nil)
		queries := []string{
			`{ areas(first: 20) { totalCount nodes { id name kind code areaType geometry centroid labelPoint bbox areaSquareMeters
				validFrom validTo description parent { id } } pageInfo { hasNextPage endCursor } } }`,
			`{ areas(first: 5, filter: {kinds: [PRIORITY_AREA]}) { nodes { id geometry(zoom: 11) geometry2: geometry(simplifyMeters: 50, precision: 5)
				indicators { indicator { code name unit higherIsBetter } sex values { year value } } } } }`,
			`{ initiatives(first: 100) { edges { cursor node { id title description status startDate endDate goalArea focusGroups themes
				locations reach { participants intoWork intoStudy } lead { id name location } partners { role organization { id name } } } } } }`,
			`{ initiatives(first: 10, filter: {near: {lon: 12.94, lat: 57.72, radiusMeters: 3000}}) { edges { distanceMeters node { id } } } }`,
			`{ employers(first: 20) { nodes { id name industry size location website areas { id } } } }`,
			`{ auditLog(first: 20) { nodes { at actor action recordType recordId before after } } }`,
			`{ areas(first: 1) { nodes { id } } __typename }`,
		}
		escaped := false
		for _, q := range queries {
			ans := a.do(q, nil)
			if len(ans.Errors) > 0 {
				t.Fatalf("%s: %s", q, ans.raw)
			}
			var got struct {
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal([]byte(ans.raw), &got); err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if ans.raw != string(want) {
				t.Errorf("%s:\n got %.400s\nwant %.400s", q, ans.raw, want)
			}
			escaped = escaped || strings.Contains(ans.raw, `\u003cför\u003e alla \u0026 envar\u2028på`)
		}
		if !escaped {
			t.Errorf("no answer holds the title %q as encoding/json escapes it", title)
		}
	})
}
