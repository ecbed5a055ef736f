package graph_test

import (
	"testing"

	"github.com/areagraph/areagraph/db"
)

// TestBadInputNamesItsField: a write refused for one input field says which
// in extensions.field, in the input's own terms, whether the resolver or
// the store's check found it, so a form can show the message beside the
// field; an error about no one field names none.
func TestBadInputNamesItsField(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		lead := e.newOrg(db.OrgAssociation)
		in := e.newInitiative(lead.ID)
		create := func(over map[string]any) map[string]any {
			m := map[string]any{"title": "Läxhjälp", "status": "PLANNED", "goalArea": "GOOD_START_IN_LIFE"}
			for k, v := range over {
				m[k] = v
			}
			return m
		}
		update := func(over map[string]any) map[string]any {
			m := map[string]any{"id": in.NodeID(), "version": in.Version}
			for k, v := range over {
				m[k] = v
			}
			return m
		}
		cases := []struct {
			name, field string
			input       map[string]any
			want        string
		}{
			{"a blank title", "createInitiative", create(map[string]any{"title": "  "}), "title"},
			{"an end before the start", "createInitiative", create(map[string]any{"startDate": "2025-05-01", "endDate": "2025-04-01"}), "endDate"},
			{"a lead that is no organisation", "createInitiative", create(map[string]any{"lead": "Area:1"}), "lead"},
			{"a bad area id", "createInitiative", create(map[string]any{"areas": []string{"Area:1", "Employer:1"}}), "areas[1]"},
			{"locations that are a line", "createInitiative", create(map[string]any{"locations": map[string]any{"type": "LineString", "coordinates": [][]float64{{12, 57}, {13, 57}}}}), "locations"},
			{"a location out of range", "createInitiative", create(map[string]any{"locations": map[string]any{"type": "MultiPoint", "coordinates": [][]float64{{12, 57}, {12, 95}}}}), "locations[1]"},
			{"a partner that is no organisation", "createInitiative", create(map[string]any{"partners": []map[string]any{{"organization": "Initiative:1", "role": "VENUE"}}}), "partners[0].organization"},
			{"the lead as a partner", "createInitiative", create(map[string]any{"lead": lead.NodeID(), "partners": []map[string]any{{"organization": lead.NodeID(), "role": "VENUE"}}}), "partners"},
			{"a negative reach", "createInitiative", create(map[string]any{"reach": map[string]any{"participants": -1}}), "reach"},
			{"a null title", "updateInitiative", update(map[string]any{"title": nil}), "title"},
			{"an end before the stored start", "updateInitiative", update(map[string]any{"startDate": "2025-05-01", "endDate": "2025-01-01"}), "endDate"},
			{"an organisation without a name", "createAssociation", map[string]any{"name": " "}, "name"},
			{"an organisation's location out of range", "createEmployer", map[string]any{"name": "X", "location": map[string]any{"type": "Point", "coordinates": []float64{12, 95}}}, "location"},
			{"an organisation's area that is no area", "createAssociation", map[string]any{"name": "X", "areas": []string{"Initiative:1"}}, "areas[0]"},
			{"an organisation's location that is a line", "createAssociation", map[string]any{"name": "X", "location": map[string]any{"type": "LineString", "coordinates": [][]float64{{12, 57}, {13, 57}}}}, "location"},
		}
		for _, c := range cases {
			a := e.editor().mutate(c.field, c.input, "clientMutationId")
			if a.code() != db.EINVALID || a.Errors[0].Extensions["field"] != c.want {
				t.Errorf("%s: %s, want BAD_USER_INPUT on %s", c.name, a.raw, c.want)
			}
		}
		a := e.editor().mutate("updateInitiative", map[string]any{"id": in.NodeID(), "version": in.Version + 1, "title": "X"}, "clientMutationId")
		if _, named := a.Errors[0].Extensions["field"]; a.code() != db.ECONFLICT || named {
			t.Errorf("a stale update: %s, want CONFLICT naming no field", a.raw)
		}
	})
}
