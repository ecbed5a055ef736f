package graph_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// Every mutation through the real HTTP handler on every backend: the happy
// path with its payload and a query after it, input the store refuses
// (nothing changes), a stale version (CONFLICT) and deletes with and
// without detach.

const areaFields = `id version code name kind areaType parent { id } geometry validFrom validTo description`

type areaOut struct {
	ID          string
	Version     int64
	Code        string
	Name        string
	Kind        string
	AreaType    *int
	Parent      *struct{ ID string }
	Geometry    map[string]any
	ValidFrom   *string
	ValidTo     *string
	Description *string
}

type areaPayload struct {
	ClientMutationID *string
	Area             areaOut
}

// bowtie is a polygon whose ring crosses itself.
var bowtie = map[string]any{"type": "Polygon", "coordinates": [][][]float64{{
	{12.90, 57.70}, {12.91, 57.71}, {12.91, 57.70}, {12.90, 57.71}, {12.90, 57.70},
}}}

func TestAreaMutations(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		c := e.admin()
		boras := e.areaCode("1490")
		code := unique("1490-X")

		var created areaPayload
		c.mutateOK("createArea", map[string]any{
			"clientMutationId": "create-1", "code": code, "name": "Testby", "kind": "PRIORITY_AREA", "areaType": 3,
			"parent": boras.NodeID(), "geometry": square(12.90, 57.70, 0.01), "validFrom": "2025-01-01",
			"description": "Drawn for a test",
		}, "clientMutationId area { "+areaFields+" }", &created)
		a := created.Area
		if str(created.ClientMutationID) != "create-1" || a.Version != 1 || a.Code != code || a.Name != "Testby" ||
			a.Kind != "PRIORITY_AREA" || a.AreaType == nil || *a.AreaType != 3 || a.Parent == nil || a.Parent.ID != boras.NodeID() ||
			a.Geometry["type"] != "Polygon" || str(a.ValidFrom) != "2025-01-01" || str(a.Description) != "Drawn for a test" {
			t.Fatalf("created %+v", created)
		}
		var found struct {
			AreasAt []struct{ ID string }
			Area    areaOut
		}
		c.ok(`query($code: String!) { areasAt(lon: 12.905, lat: 57.705, kinds: [PRIORITY_AREA]) { id } area(code: $code) { `+areaFields+` } }`,
			map[string]any{"code": code}, &found)
		if !slices.Contains(found.AreasAt, struct{ ID string }{a.ID}) || found.Area.ID != a.ID || found.Area.Version != 1 {
			t.Errorf("after create: %+v", found)
		}

		t.Run("refused input changes nothing", func(t *testing.T) {
			e, c := e.with(t), c
			c.t = t
			base := func(extra map[string]any) map[string]any {
				in := map[string]any{"code": unique("bad"), "name": "Bad", "kind": "DISTRICT", "geometry": square(12.9, 57.7, 0.01)}
				for k, v := range extra {
					in[k] = v
				}
				return in
			}
			for _, tc := range []struct {
				name  string
				input map[string]any
				code  string
				words []string
			}{
				{"self-intersecting ring", base(map[string]any{"geometry": bowtie}), db.EINVALID, []string{"ring"}},
				{"a point for an outline", base(map[string]any{"geometry": map[string]any{"type": "Point", "coordinates": []float64{12.9, 57.7}}}), db.EINVALID, []string{"Polygon"}},
				{"unknown parent", base(map[string]any{"parent": "Area:999999"}), db.EINVALID, []string{"999999"}},
				{"parent of the wrong type", base(map[string]any{"parent": "Employer:1"}), db.EINVALID, []string{"parent", "Area"}},
				{"area type out of range", base(map[string]any{"areaType": 9}), db.EINVALID, []string{"area type"}},
				// 0 is how the store says none; a client says it with null.
				{"area type 0", base(map[string]any{"areaType": 0}), db.EINVALID, []string{"areaType", "area type 0"}},
				{"negative area type", base(map[string]any{"areaType": -2147483648}), db.EINVALID, []string{"areaType"}},
				{"a code in use", base(map[string]any{"code": "1490"}), db.ECONFLICT, []string{"1490"}},
			} {
				e.unchanged(tc.name, func() {
					a := c.mutate("createArea", tc.input, "area { id }")
					if a.code() != tc.code {
						t.Errorf("%s: %s, want %s", tc.name, a.raw, tc.code)
						return
					}
					for _, w := range tc.words {
						if !strings.Contains(a.Errors[0].Message, w) {
							t.Errorf("%s: message %q does not say %q", tc.name, a.Errors[0].Message, w)
						}
					}
				})
			}
		})

		var updated areaPayload
		c.mutateOK("updateArea", map[string]any{
			"clientMutationId": "update-1", "id": a.ID, "version": 1, "name": "Testby Norra", "areaType": nil, "description": nil,
		}, "clientMutationId area { "+areaFields+" }", &updated)
		u := updated.Area
		if str(updated.ClientMutationID) != "update-1" || u.Version != 2 || u.Name != "Testby Norra" || u.AreaType != nil ||
			u.Description != nil || u.Code != code || u.Parent == nil || str(u.ValidFrom) != "2025-01-01" {
			t.Errorf("updated %+v: the fields left out must stay, the nulls clear", updated)
		}
		c.ok(`query($id: ID!) { area(id: $id) { `+areaFields+` } }`, map[string]any{"id": a.ID}, &found)
		if found.Area.Name != "Testby Norra" || found.Area.Version != 2 {
			t.Errorf("after update: %+v", found.Area)
		}

		t.Run("refused updates change nothing", func(t *testing.T) {
			e, c := e.with(t), c
			c.t = t
			for _, tc := range []struct {
				name  string
				input map[string]any
				code  string
				words []string
			}{
				{"stale version", map[string]any{"id": a.ID, "version": 1, "name": "Lost"}, db.ECONFLICT, []string{"version 2"}},
				{"null name", map[string]any{"id": a.ID, "version": 2, "name": nil}, db.EINVALID, []string{"name"}},
				{"null geometry", map[string]any{"id": a.ID, "version": 2, "geometry": nil}, db.EINVALID, []string{"geometry"}},
				{"wrong id type", map[string]any{"id": "Initiative:1", "version": 2}, db.EINVALID, []string{"Area"}},
				{"bad geometry", map[string]any{"id": a.ID, "version": 2, "geometry": bowtie}, db.EINVALID, []string{"ring"}},
				{"area type 0", map[string]any{"id": a.ID, "version": 2, "areaType": 0}, db.EINVALID, []string{"areaType", "area type 0"}},
				{"unknown area", map[string]any{"id": "Area:999999", "version": 1}, db.ENOTFOUND, nil},
				{"a parent cycle", map[string]any{"id": boras.NodeID(), "version": boras.Version, "parent": a.ID}, db.EINVALID, []string{"parent"}},
			} {
				e.unchanged(tc.name, func() {
					a := c.mutate("updateArea", tc.input, "area { id }")
					if a.code() != tc.code {
						t.Errorf("%s: %s, want %s", tc.name, a.raw, tc.code)
						return
					}
					for _, w := range tc.words {
						if !strings.Contains(a.Errors[0].Message, w) {
							t.Errorf("%s: message %q does not say %q", tc.name, a.Errors[0].Message, w)
						}
					}
				})
			}
		})

		// A district with children cannot go without detach; with it, the
		// children become top-level areas.
		var districts struct {
			Areas struct {
				Nodes []struct {
					ID       string
					Version  int64
					Children struct {
						Nodes []struct{ ID string }
					}
				}
			}
		}
		c.ok(`{ areas(filter: {kinds: [DISTRICT]}) { nodes { id version children { nodes { id } } } } }`, nil, &districts)
		d := districts.Areas.Nodes[0]
		for _, n := range districts.Areas.Nodes {
			if len(n.Children.Nodes) > 0 {
				d = n
				break
			}
		}
		if len(d.Children.Nodes) == 0 {
			t.Fatal("no district with children in the demo")
		}
		e.unchanged("delete without detach", func() {
			c.fails(mutation("deleteArea", "deletedId"), map[string]any{"input": map[string]any{"id": d.ID, "version": d.Version}},
				db.ECONFLICT, "child area", "detach")
		})
		e.unchanged("delete of a stale version", func() {
			c.fails(mutation("deleteArea", "deletedId"), map[string]any{"input": map[string]any{"id": d.ID, "version": d.Version + 1, "detach": true}},
				db.ECONFLICT)
		})
		var deleted struct {
			ClientMutationID *string
			DeletedID        string
		}
		c.mutateOK("deleteArea", map[string]any{"clientMutationId": "delete-1", "id": d.ID, "version": d.Version, "detach": true},
			"clientMutationId deletedId", &deleted)
		if deleted.DeletedID != d.ID || str(deleted.ClientMutationID) != "delete-1" {
			t.Errorf("deleted %+v", deleted)
		}
		c.fails(`query($id: ID!) { area(id: $id) { id } }`, map[string]any{"id": d.ID}, db.ENOTFOUND)
		var child struct{ Area areaOut }
		c.ok(`query($id: ID!) { area(id: $id) { `+areaFields+` } }`, map[string]any{"id": d.Children.Nodes[0].ID}, &child)
		if child.Area.Parent != nil {
			t.Errorf("the deleted district's child still has a parent: %+v", child.Area)
		}
		c.mutateOK("deleteArea", map[string]any{"id": a.ID, "version": 2}, "deletedId", nil)
	})
}

const orgFields = `id version name organizationNumber location website areas { id }`

type orgOut struct {
	ID                 string
	Version            int64
	Name               string
	OrganizationNumber *string
	Location           map[string]any
	Website            *string
	Areas              []struct{ ID string }
	Industry           *string
	Size               *string
	Activity           *string
}

func TestOrganizationMutations(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		c := e.editor()
		norrby := e.areaCode("1490-P01")
		point := map[string]any{"type": "Point", "coordinates": []float64{12.9251, 57.7371}}

		var emp struct {
			ClientMutationID *string
			Employer         orgOut
		}
		c.mutateOK("createEmployer", map[string]any{
			"clientMutationId": "e-1", "name": "Testbolaget AB", "organizationNumber": "556000-0000", "location": point,
			"website": "https://testbolaget.example", "areas": []string{norrby.NodeID(), "Area:1", norrby.NodeID()},
			"industry": "Textiles", "size": "SMALL",
		}, "clientMutationId employer { "+orgFields+" industry size }", &emp)
		o := emp.Employer
		if str(emp.ClientMutationID) != "e-1" || o.Version != 1 || o.Name != "Testbolaget AB" || str(o.Industry) != "Textiles" ||
			str(o.Size) != "SMALL" || o.Location["type"] != "Point" || len(o.Areas) != 2 || o.Areas[0].ID != "Area:1" {
			t.Errorf("created %+v (areas come once each, in id order)", emp)
		}
		var near struct {
			Organizations struct{ Nodes []struct{ ID string } }
		}
		c.ok(`{ organizations(filter: {near: {lon: 12.9251, lat: 57.7371, radiusMeters: 5}}) { nodes { id } } }`, nil, &near)
		if !slices.Contains(near.Organizations.Nodes, struct{ ID string }{o.ID}) {
			t.Errorf("the new employer is not found near its location: %+v", near)
		}

		var assoc struct {
			ClientMutationID *string
			Association      orgOut
		}
		c.mutateOK("createAssociation", map[string]any{"clientMutationId": "a-1", "name": "Testföreningen", "activity": "Homework help"},
			"clientMutationId association { "+orgFields+" activity }", &assoc)
		if str(assoc.ClientMutationID) != "a-1" || assoc.Association.Version != 1 || str(assoc.Association.Activity) != "Homework help" ||
			assoc.Association.Location != nil {
			t.Errorf("created %+v", assoc)
		}
		var byName struct {
			Associations struct {
				Nodes []struct {
					ID       string
					Activity *string
				}
			}
		}
		c.ok(`{ associations(filter: {nameContains: "testföreningen"}) { nodes { id activity } } }`, nil, &byName)
		if len(byName.Associations.Nodes) != 1 || byName.Associations.Nodes[0].ID != assoc.Association.ID {
			t.Errorf("the new association by name: %+v", byName)
		}

		t.Run("refused input changes nothing", func(t *testing.T) {
			e, c := e.with(t), c
			c.t = t
			for _, tc := range []struct {
				name, field string
				input       map[string]any
				code        string
				words       []string
			}{
				{"a polygon for a location", "createEmployer", map[string]any{"name": "X", "location": square(12.9, 57.7, 0.01)}, db.EINVALID, []string{"location", "Point"}},
				{"a location out of range", "createEmployer", map[string]any{"name": "X", "location": map[string]any{"type": "Point", "coordinates": []float64{200, 57}}}, db.EINVALID, []string{"200"}},
				{"unknown area", "createAssociation", map[string]any{"name": "X", "areas": []string{"Area:999999"}}, db.EINVALID, []string{"999999"}},
				{"area of the wrong type", "createAssociation", map[string]any{"name": "X", "areas": []string{"Area:1", "Initiative:1"}}, db.EINVALID, []string{"areas[1]", "Area"}},
				{"no name", "createEmployer", map[string]any{"name": " "}, db.EINVALID, []string{"name"}},
				{"stale version", "updateEmployer", map[string]any{"id": o.ID, "version": 7, "name": "Lost"}, db.ECONFLICT, nil},
				{"an association's number as an employer", "updateEmployer", map[string]any{"id": "Employer:" + idNumber(assoc.Association.ID), "version": 1}, db.ENOTFOUND, nil},
				{"an association id for an employer", "updateEmployer", map[string]any{"id": assoc.Association.ID, "version": 1}, db.EINVALID, []string{"Employer"}},
				{"null name", "updateAssociation", map[string]any{"id": assoc.Association.ID, "version": 1, "name": nil}, db.EINVALID, []string{"name"}},
				{"delete of a stale version", "deleteOrganization", map[string]any{"id": o.ID, "version": 5}, db.ECONFLICT, nil},
				{"delete under the other kind's id", "deleteOrganization", map[string]any{"id": "Association:" + idNumber(o.ID), "version": 1}, db.ENOTFOUND, nil},
				{"delete of an area id", "deleteOrganization", map[string]any{"id": "Area:1", "version": 1}, db.EINVALID, []string{"Employer or Association"}},
			} {
				e.unchanged(tc.name, func() {
					a := c.mutate(tc.field, tc.input, "clientMutationId")
					if a.code() != tc.code {
						t.Errorf("%s: %s, want %s", tc.name, a.raw, tc.code)
						return
					}
					for _, w := range tc.words {
						if !strings.Contains(a.Errors[0].Message, w) {
							t.Errorf("%s: message %q does not say %q", tc.name, a.Errors[0].Message, w)
						}
					}
				})
			}
		})

		c.mutateOK("updateEmployer", map[string]any{"clientMutationId": "e-2", "id": o.ID, "version": 1, "industry": nil,
			"size": "LARGE", "areas": []string{}}, "clientMutationId employer { "+orgFields+" industry size }", &emp)
		o = emp.Employer
		if str(emp.ClientMutationID) != "e-2" || o.Version != 2 || o.Industry != nil || str(o.Size) != "LARGE" || len(o.Areas) != 0 ||
			o.Name != "Testbolaget AB" || str(o.Website) != "https://testbolaget.example" || o.Location == nil {
			t.Errorf("updated %+v", emp)
		}
		c.mutateOK("updateAssociation", map[string]any{"id": assoc.Association.ID, "version": 1, "location": point, "activity": nil},
			"association { "+orgFields+" activity }", &assoc)
		if assoc.Association.Version != 2 || assoc.Association.Activity != nil || assoc.Association.Location == nil {
			t.Errorf("updated %+v", assoc)
		}
		c.ok(`{ associations(filter: {nameContains: "testföreningen"}) { nodes { id activity } } }`, nil, &byName)
		if len(byName.Associations.Nodes) != 1 || byName.Associations.Nodes[0].Activity != nil {
			t.Errorf("the association after update: %+v", byName)
		}
		var node struct {
			Node struct {
				Name     string
				Version  int64
				Industry *string
			}
		}
		c.ok(`query($id: ID!) { node(id: $id) { ... on Employer { name version industry } } }`, map[string]any{"id": o.ID}, &node)
		if node.Node.Version != 2 || node.Node.Industry != nil {
			t.Errorf("after update: %+v", node)
		}

		// An organisation that leads an initiative cannot go without
		// detach; with it, the initiative loses its lead.
		in := e.newInitiative(mustID(t, o.ID))
		e.unchanged("delete without detach", func() {
			c.fails(mutation("deleteOrganization", "deletedId"), map[string]any{"input": map[string]any{"id": o.ID, "version": 2}},
				db.ECONFLICT, "1 initiative", "detach")
		})
		var deleted struct {
			ClientMutationID *string
			DeletedID        string
		}
		c.mutateOK("deleteOrganization", map[string]any{"clientMutationId": "d-1", "id": o.ID, "version": 2, "detach": true},
			"clientMutationId deletedId", &deleted)
		if deleted.DeletedID != o.ID || str(deleted.ClientMutationID) != "d-1" {
			t.Errorf("deleted %+v", deleted)
		}
		var after struct {
			Node struct {
				Version int64
				Lead    *struct{ ID string }
			}
		}
		c.ok(`query($id: ID!) { node(id: $id) { ... on Initiative { version lead { id } } } }`, map[string]any{"id": in.NodeID()}, &after)
		if after.Node.Lead != nil || after.Node.Version != in.Version+1 {
			t.Errorf("the initiative after its lead was deleted: %+v, want no lead and version %d", after.Node, in.Version+1)
		}
		c.fails(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": o.ID}, db.ENOTFOUND)
		c.mutateOK("deleteOrganization", map[string]any{"id": assoc.Association.ID, "version": 2}, "deletedId", nil)
	})
}

const initiativeFields = `id version title description status startDate endDate goalArea focusGroups themes areas { id }
	locations lead { id } partners { role organization { id } } reach { participants intoWork intoStudy }`

type initiativeOut struct {
	ID          string
	Version     int64
	Title       string
	Description *string
	Status      string
	StartDate   *string
	EndDate     *string
	GoalArea    string
	FocusGroups []string
	Themes      []string
	Areas       []struct{ ID string }
	Locations   *struct {
		Type        string
		Coordinates [][]float64
	}
	Lead     *struct{ ID string }
	Partners []struct {
		Role         string
		Organization struct{ ID string }
	}
	Reach struct{ Participants, IntoWork, IntoStudy *int }
}

func TestInitiativeMutations(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		c := e.editor()
		norrby := e.areaCode("1490-P01")
		lead, partner := e.newOrg(db.OrgEmployer), e.newOrg(db.OrgAssociation)

		var created struct {
			ClientMutationID *string
			Initiative       initiativeOut
		}
		c.mutateOK("createInitiative", map[string]any{
			"clientMutationId": "i-1", "title": "Språkcafé Test", "description": "Conversation in Swedish",
			"status": "ACTIVE", "startDate": "2025-02-01", "endDate": "2025-12-31", "goalArea": "CONDITIONS_FOR_WORK",
			"focusGroups": []string{"WITHOUT_UPPER_SECONDARY_EDUCATION", "BORN_OUTSIDE_EUROPE"},
			"themes":      []string{"LANGUAGE", "JOBS"}, "areas": []string{norrby.NodeID()},
			"locations": map[string]any{"type": "MultiPoint", "coordinates": [][]float64{{12.93, 57.74}, {12.94, 57.745}}},
			"lead":      lead.NodeID(), "partners": []map[string]any{{"organization": partner.NodeID(), "role": "MENTORS"}},
			"reach": map[string]any{"participants": 12},
		}, "clientMutationId initiative { "+initiativeFields+" }", &created)
		in := created.Initiative
		if str(created.ClientMutationID) != "i-1" || in.Version != 1 || in.Title != "Språkcafé Test" ||
			!slices.Equal(in.FocusGroups, []string{"BORN_OUTSIDE_EUROPE", "WITHOUT_UPPER_SECONDARY_EDUCATION"}) ||
			!slices.Equal(in.Themes, []string{"JOBS", "LANGUAGE"}) || len(in.Areas) != 1 || in.Areas[0].ID != norrby.NodeID() ||
			in.Locations == nil || len(in.Locations.Coordinates) != 2 || in.Lead == nil || in.Lead.ID != lead.NodeID() ||
			len(in.Partners) != 1 || in.Partners[0].Organization.ID != partner.NodeID() || in.Partners[0].Role != "MENTORS" ||
			in.Reach.Participants == nil || *in.Reach.Participants != 12 || in.Reach.IntoWork != nil {
			t.Fatalf("created %+v", created)
		}
		var list struct {
			Area struct {
				Initiatives struct{ Nodes []struct{ ID string } }
			}
		}
		c.ok(`query($id: ID!, $org: ID!) { area(id: $id) { initiatives(first: 100, filter: {organizations: [$org]}) { nodes { id } } } }`,
			map[string]any{"id": norrby.NodeID(), "org": partner.NodeID()}, &list)
		if len(list.Area.Initiatives.Nodes) != 1 || list.Area.Initiatives.Nodes[0].ID != in.ID {
			t.Errorf("Norrby's initiatives with the partner: %+v", list)
		}

		t.Run("refused input changes nothing", func(t *testing.T) {
			e, c := e.with(t), c
			c.t = t
			base := func(extra map[string]any) map[string]any {
				in := map[string]any{"title": "X", "status": "PLANNED", "goalArea": "GOOD_START_IN_LIFE"}
				for k, v := range extra {
					in[k] = v
				}
				return in
			}
			for _, tc := range []struct {
				name, field string
				input       map[string]any
				code        string
				words       []string
			}{
				{"an area as lead", "createInitiative", base(map[string]any{"lead": "Area:1"}), db.EINVALID, []string{"lead"}},
				{"unknown lead", "createInitiative", base(map[string]any{"lead": "Employer:999999"}), db.EINVALID, []string{"999999"}},
				{"unknown partner", "createInitiative", base(map[string]any{"partners": []map[string]any{{"organization": "Association:999998", "role": "FUNDER"}}}), db.EINVALID, []string{"999998"}},
				{"unknown area", "createInitiative", base(map[string]any{"areas": []string{"Area:999999"}}), db.EINVALID, []string{"999999"}},
				{"the lead as partner", "createInitiative", base(map[string]any{"lead": lead.NodeID(), "partners": []map[string]any{{"organization": lead.NodeID(), "role": "FUNDER"}}}), db.EINVALID, []string{"lead"}},
				{"a polygon for locations", "createInitiative", base(map[string]any{"locations": square(12.9, 57.7, 0.01)}), db.EINVALID, []string{"locations", "MultiPoint"}},
				{"a location out of range", "createInitiative", base(map[string]any{"locations": map[string]any{"type": "MultiPoint", "coordinates": [][]float64{{12.9, 57.7}, {12.9, 95}}}}), db.EINVALID, []string{"location 1"}},
				{"end before start", "createInitiative", base(map[string]any{"startDate": "2025-05-01", "endDate": "2025-04-01"}), db.EINVALID, []string{"end date"}},
				{"empty title", "createInitiative", base(map[string]any{"title": ""}), db.EINVALID, []string{"title"}},
				{"stale version", "updateInitiative", map[string]any{"id": in.ID, "version": 3, "title": "Lost"}, db.ECONFLICT, nil},
				{"null title", "updateInitiative", map[string]any{"id": in.ID, "version": 1, "title": nil}, db.EINVALID, []string{"title"}},
				{"wrong id type", "updateInitiative", map[string]any{"id": "Area:1", "version": 1}, db.EINVALID, []string{"Initiative"}},
				{"unknown initiative", "updateInitiative", map[string]any{"id": "Initiative:999999", "version": 1}, db.ENOTFOUND, nil},
				{"delete of a stale version", "deleteInitiative", map[string]any{"id": in.ID, "version": 2}, db.ECONFLICT, nil},
				{"delete of an area id", "deleteInitiative", map[string]any{"id": "Area:1", "version": 1}, db.EINVALID, []string{"Initiative"}},
			} {
				e.unchanged(tc.name, func() {
					a := c.mutate(tc.field, tc.input, "clientMutationId")
					if a.code() != tc.code {
						t.Errorf("%s: %s, want %s", tc.name, a.raw, tc.code)
						return
					}
					for _, w := range tc.words {
						if !strings.Contains(a.Errors[0].Message, w) {
							t.Errorf("%s: message %q does not say %q", tc.name, a.Errors[0].Message, w)
						}
					}
				})
			}
		})

		var updated struct {
			ClientMutationID *string
			Initiative       initiativeOut
		}
		c.mutateOK("updateInitiative", map[string]any{"clientMutationId": "i-2", "id": in.ID, "version": 1, "status": "COMPLETED",
			"partners": nil, "themes": []string{"HEALTH"}, "locations": map[string]any{"type": "Point", "coordinates": []float64{12.95, 57.75}},
			"reach": map[string]any{"participants": 20, "intoWork": 4}, "endDate": nil},
			"clientMutationId initiative { "+initiativeFields+" }", &updated)
		u := updated.Initiative
		if str(updated.ClientMutationID) != "i-2" || u.Version != 2 || u.Status != "COMPLETED" || len(u.Partners) != 0 ||
			!slices.Equal(u.Themes, []string{"HEALTH"}) || u.Locations == nil || len(u.Locations.Coordinates) != 1 ||
			u.Reach.IntoWork == nil || *u.Reach.IntoWork != 4 || u.EndDate != nil ||
			u.Title != in.Title || str(u.Description) != "Conversation in Swedish" || u.Lead == nil || len(u.FocusGroups) != 2 {
			t.Errorf("updated %+v", u)
		}
		var node struct{ Node initiativeOut }
		c.ok(`query($id: ID!) { node(id: $id) { ... on Initiative { `+initiativeFields+` } } }`, map[string]any{"id": in.ID}, &node)
		if node.Node.Version != 2 || node.Node.Status != "COMPLETED" || len(node.Node.Partners) != 0 {
			t.Errorf("after update: %+v", node.Node)
		}

		var deleted struct {
			ClientMutationID *string
			DeletedID        string
		}
		c.mutateOK("deleteInitiative", map[string]any{"clientMutationId": "i-3", "id": in.ID, "version": 2}, "clientMutationId deletedId", &deleted)
		if deleted.DeletedID != in.ID || str(deleted.ClientMutationID) != "i-3" {
			t.Errorf("deleted %+v", deleted)
		}
		c.fails(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": in.ID}, db.ENOTFOUND)
	})
}

func TestIndicatorMutations(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		admin, editor := e.admin(), e.editor()
		norrby := e.areaCode("1490-P01")
		code := unique("test_rate")

		var created struct {
			ClientMutationID *string
			Indicator        struct {
				Code, Name, Unit string
				NameSv           *string
				Version          int64
				HigherIsBetter   bool
				MinCount         *int
			}
		}
		admin.mutateOK("createIndicator", map[string]any{"clientMutationId": "n-1", "code": code, "name": "Test rate",
			"nameSv": "Testandel", "unit": "%", "higherIsBetter": true, "minCount": 5},
			"clientMutationId indicator { code version name nameSv unit higherIsBetter minCount }", &created)
		ind := created.Indicator
		if str(created.ClientMutationID) != "n-1" || ind.Version != 1 || ind.Code != code || str(ind.NameSv) != "Testandel" ||
			!ind.HigherIsBetter || ind.MinCount == nil || *ind.MinCount != 5 {
			t.Errorf("created %+v", created)
		}
		var defs struct {
			Indicators []struct {
				Code, Name string
				Version    int64
				MinCount   *int
			}
		}
		editor.ok(`query($code: String!) { indicators(codes: [$code]) { code name version minCount } }`, map[string]any{"code": code}, &defs)
		if len(defs.Indicators) != 1 || defs.Indicators[0].Version != 1 || defs.Indicators[0].Name != "Test rate" {
			t.Errorf("after create: %+v", defs)
		}
		e.unchanged("a code in use", func() {
			admin.fails(mutation("createIndicator", "clientMutationId"), map[string]any{"input": map[string]any{
				"code": code, "name": "Again", "unit": "%", "higherIsBetter": true}}, db.ECONFLICT, code)
		})
		e.unchanged("a bad code", func() {
			admin.fails(mutation("createIndicator", "clientMutationId"), map[string]any{"input": map[string]any{
				"code": "Not A Code", "name": "X", "unit": "%", "higherIsBetter": true}}, db.EINVALID, "code")
		})

		values := func(vs ...map[string]any) map[string]any {
			return map[string]any{"clientMutationId": "v", "values": vs}
		}
		v := func(area string, year int, value float64) map[string]any {
			return map[string]any{"area": area, "indicator": code, "year": year, "value": value, "count": 100}
		}
		var put struct {
			ClientMutationID *string
			Written          int
		}
		editor.mutateOK("upsertIndicatorValues", values(v(norrby.NodeID(), 2023, 30.5), v(norrby.NodeID(), 2024, 29.0), v("Area:1", 2024, 8.25)),
			"clientMutationId written", &put)
		if put.Written != 3 || str(put.ClientMutationID) != "v" {
			t.Errorf("first write: %+v, want 3 written", put)
		}
		editor.mutateOK("upsertIndicatorValues", values(v(norrby.NodeID(), 2023, 30.5), v(norrby.NodeID(), 2024, 28.0)), "written", &put)
		if put.Written != 1 {
			t.Errorf("second write: %d written, want 1 (the value equal to the stored one is left alone)", put.Written)
		}
		var series struct {
			Area struct {
				Indicators []struct {
					Values []struct {
						Year  int
						Value float64
					}
				}
			}
		}
		editor.ok(`query($id: ID!, $code: String!) { area(id: $id) { indicators(codes: [$code]) { values { year value } } } }`,
			map[string]any{"id": norrby.NodeID(), "code": code}, &series)
		if len(series.Area.Indicators) != 1 || len(series.Area.Indicators[0].Values) != 2 || series.Area.Indicators[0].Values[1].Value != 28 {
			t.Errorf("Norrby's series: %+v", series)
		}
		for _, tc := range []struct {
			name  string
			input map[string]any
			words []string
		}{
			{"area of the wrong type", values(v("Area:1", 2020, 1), v("Employer:1", 2020, 1)), []string{"value 2", "Area"}},
			{"unknown area", values(v("Area:999999", 2020, 1)), []string{"value 1", "999999"}},
			{"unknown indicator", values(map[string]any{"area": "Area:1", "indicator": "no_such_code", "year": 2020, "value": 1}), []string{"no_such_code"}},
			{"a key twice", values(v("Area:1", 2020, 1), v("Area:1", 2020, 2)), []string{"value 2", "twice"}},
			{"a year out of range", values(v("Area:1", 1700, 1)), []string{"year"}},
		} {
			e.unchanged(tc.name, func() {
				editor.fails(mutation("upsertIndicatorValues", "written"), map[string]any{"input": tc.input}, db.EINVALID, tc.words...)
			})
		}

		var updated struct {
			Indicator struct {
				Version         int64
				Name            string
				NameSv          *string
				MinCount        *int
				Rollup          string
				WeightIndicator *string
			}
		}
		admin.mutateOK("updateIndicator", map[string]any{"code": code, "version": 1, "name": "Test share", "minCount": nil,
			"rollup": "WEIGHTED_MEAN", "weightIndicator": "population"},
			"indicator { version name nameSv minCount rollup weightIndicator }", &updated)
		if updated.Indicator.Version != 2 || updated.Indicator.Name != "Test share" || updated.Indicator.MinCount != nil ||
			str(updated.Indicator.NameSv) != "Testandel" || updated.Indicator.Rollup != "WEIGHTED_MEAN" ||
			str(updated.Indicator.WeightIndicator) != "population" {
			t.Errorf("updated %+v", updated)
		}
		editor.ok(`query($code: String!) { indicators(codes: [$code]) { code name version minCount } }`, map[string]any{"code": code}, &defs)
		if len(defs.Indicators) != 1 || defs.Indicators[0].Version != 2 || defs.Indicators[0].MinCount != nil {
			t.Errorf("after update: %+v", defs)
		}
		e.unchanged("stale version", func() {
			admin.fails(mutation("updateIndicator", "clientMutationId"), map[string]any{"input": map[string]any{"code": code, "version": 1, "name": "Lost"}}, db.ECONFLICT)
		})
		e.unchanged("unknown code", func() {
			admin.fails(mutation("updateIndicator", "clientMutationId"), map[string]any{"input": map[string]any{"code": "no_such_code", "version": 1}}, db.ENOTFOUND)
		})
		e.unchanged("a weight for a sum", func() {
			admin.fails(mutation("updateIndicator", "clientMutationId"), map[string]any{"input": map[string]any{"code": code, "version": 2, "rollup": "SUM"}}, db.EINVALID, "weighted mean only")
		})
		e.unchanged("null unit", func() {
			admin.fails(mutation("updateIndicator", "clientMutationId"), map[string]any{"input": map[string]any{"code": code, "version": 2, "unit": nil}}, db.EINVALID, "unit")
		})
		e.unchanged("delete of a stale version", func() {
			admin.fails(mutation("deleteIndicator", "deletedCode"), map[string]any{"input": map[string]any{"code": code, "version": 1, "detach": true}}, db.ECONFLICT)
		})
		e.unchanged("delete with values", func() {
			admin.fails(mutation("deleteIndicator", "deletedCode"), map[string]any{"input": map[string]any{"code": code, "version": 2}},
				db.ECONFLICT, "3 indicator values", "detach")
		})
		var deleted struct {
			ClientMutationID *string
			DeletedCode      string
		}
		admin.mutateOK("deleteIndicator", map[string]any{"clientMutationId": "n-3", "code": code, "version": 2, "detach": true},
			"clientMutationId deletedCode", &deleted)
		if deleted.DeletedCode != code || str(deleted.ClientMutationID) != "n-3" {
			t.Errorf("deleted %+v", deleted)
		}
		editor.ok(`query($code: String!) { indicators(codes: [$code]) { code name version minCount } }`, map[string]any{"code": code}, &defs)
		values2, err := e.store.IndicatorValues(t.Context(), db.ValueFilter{Codes: []string{code}})
		if err != nil {
			t.Fatal(err)
		}
		if len(defs.Indicators) != 0 || len(values2) != 0 {
			t.Errorf("after delete with detach: %+v and %d values", defs, len(values2))
		}
	})
}

func TestAPIKeyMutations(t *testing.T) {
	eachWriteBackend(t, func(t *testing.T, e *writeEnv) {
		admin := e.admin()
		const keyFields = `id name role createdAt expiresAt revokedAt active`
		type keyOut struct {
			ID, Name, Role, CreatedAt string
			ExpiresAt, RevokedAt      *string
			Active                    bool
		}
		var created struct {
			ClientMutationID *string
			APIKey           keyOut `json:"apiKey"`
			Secret           string
		}
		admin.mutateOK("createApiKey", map[string]any{"clientMutationId": "k-1", "name": "Norrby partner portal", "role": "EDITOR",
			"expiresAt": "2099-01-01T00:00:00Z"}, "clientMutationId apiKey { "+keyFields+" } secret", &created)
		k := created.APIKey
		if str(created.ClientMutationID) != "k-1" || k.Name != "Norrby partner portal" || k.Role != "EDITOR" || !k.Active ||
			str(k.ExpiresAt) != "2099-01-01T00:00:00Z" || k.RevokedAt != nil || created.Secret == "" || k.CreatedAt == "" {
			t.Fatalf("created %+v", created)
		}
		// The secret works, with the key's role and no more.
		holder := gql{t: t, url: e.url, token: created.Secret}
		holder.mutateOK("createAssociation", map[string]any{"name": "Made with the new key"}, "association { id }", nil)
		holder.fails(`{ apiKeys { id } }`, nil, db.EFORBIDDEN)

		var keys struct {
			APIKeys []keyOut `json:"apiKeys"`
		}
		admin.ok(`{ apiKeys { `+keyFields+` } }`, nil, &keys)
		if !slices.ContainsFunc(keys.APIKeys, func(x keyOut) bool { return x.ID == k.ID && x.Active }) {
			t.Errorf("apiKeys does not list the new key: %+v", keys)
		}
		// Keys have no field that shows their hash.
		admin.fails(`{ apiKeys { hash } }`, nil, "GRAPHQL_VALIDATION_FAILED")
		e.unchanged("an expiry in the past", func() {
			admin.fails(mutation("createApiKey", "secret"), map[string]any{"input": map[string]any{"name": "Old", "role": "READER",
				"expiresAt": "2001-01-01T00:00:00Z"}}, db.EINVALID, "expiresAt")
		})
		e.unchanged("an unknown key", func() {
			admin.fails(mutation("revokeApiKey", "clientMutationId"), map[string]any{"input": map[string]any{"id": "k-no-such-key"}}, db.ENOTFOUND)
		})

		var revoked struct {
			ClientMutationID *string
			APIKey           keyOut `json:"apiKey"`
		}
		admin.mutateOK("revokeApiKey", map[string]any{"clientMutationId": "k-2", "id": k.ID}, "clientMutationId apiKey { "+keyFields+" }", &revoked)
		if str(revoked.ClientMutationID) != "k-2" || revoked.APIKey.RevokedAt == nil || revoked.APIKey.Active {
			t.Errorf("revoked %+v", revoked)
		}
		if a := holder.do(`{ areas(first: 1) { totalCount } }`, nil); a.status != 401 || a.code() != db.EUNAUTHENTICATED {
			t.Errorf("a revoked key: %d %s, want 401", a.status, a.raw)
		}
		// Revoking again changes nothing and is no error.
		e.unchanged("revoking twice", func() {
			admin.mutateOK("revokeApiKey", map[string]any{"id": k.ID}, "apiKey { id }", nil)
		})
	})
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// idNumber is the number in a global id.
func idNumber(gid string) string {
	_, id, err := db.ParseGlobalID(gid)
	if err != nil {
		panic(err)
	}
	return strconv.FormatInt(id, 10)
}

func mustID(t *testing.T, gid string) int64 {
	t.Helper()
	_, id, err := db.ParseGlobalID(gid)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
