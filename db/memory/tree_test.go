package memory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/paulmach/orb"
)

func str(s string) *string { return &s }

// fullTree reads every field of every record the contract names.
func fullTree(id int64, limit int) *db.Tree {
	org := db.TreeNode{Type: db.TreeOrganization, Members: []db.TreeMember{
		{Key: "__typename", Field: db.TreeFieldGlobalType}, {Key: "id", Field: db.TreeFieldID},
		{Key: "version", Field: db.TreeFieldVersion}, {Key: "name", Field: db.TreeFieldName},
		{Key: "website", Field: db.TreeFieldWebsite}, {Key: "organizationNumber", Field: db.TreeFieldOrgNumber}}}
	return &db.Tree{RootID: id, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
		{Key: "__typename", Const: str("Area")}, {Key: "id", Field: db.TreeFieldID},
		{Key: "type", Field: db.TreeFieldGlobalType}, {Key: "version", Field: db.TreeFieldVersion},
		{Key: "code", Field: db.TreeFieldCode}, {Key: "name", Field: db.TreeFieldName},
		{Key: "kind", Field: db.TreeFieldKind}, {Key: "description", Field: db.TreeFieldDescription},
		{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: limit},
			Connection: []db.TreeConnectionMember{{Key: "total", TotalCount: true}, {Key: "nodes", Nodes: true}},
			Node: db.TreeNode{Type: db.TreeInitiative, Members: []db.TreeMember{
				{Key: "id", Field: db.TreeFieldID}, {Key: "t", Field: db.TreeFieldGlobalType},
				{Key: "version", Field: db.TreeFieldVersion}, {Key: "title", Field: db.TreeFieldTitle},
				{Key: "description", Field: db.TreeFieldDescription}, {Key: "status", Field: db.TreeFieldStatus},
				{Key: "startDate", Field: db.TreeFieldStartDate}, {Key: "endDate", Field: db.TreeFieldEndDate},
				{Key: "goalArea", Field: db.TreeFieldGoalArea},
				{Key: "lead", Relation: &db.TreeRelation{Kind: db.RelInitiativeLead, Node: org}},
				{Key: "partners", Relation: &db.TreeRelation{Kind: db.RelInitiativePartners, Node: db.TreeNode{
					Type: db.TreePartnership, Members: []db.TreeMember{{Key: "role", Field: db.TreeFieldRole},
						{Key: "organization", Relation: &db.TreeRelation{Kind: db.RelPartnershipOrganization, Node: org}}}}}},
			}}}},
	}}}
}

// treeFixture has what the field-by-field answers leave null or empty: an
// area without initiatives, an initiative without lead, partners, dates or
// description, text that needs escapes.
func treeFixture() *db.Dataset {
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	sq := func(x float64) orb.Polygon { return orb.Polygon{{{x, 0}, {x + 1, 0}, {x + 1, 1}, {x, 1}, {x, 0}}} }
	return &db.Dataset{
		Areas: []*db.Area{
			{ID: 1, Code: "M1", Name: "Må \"quoted\" <b>&\\ \t\n\x01\u2028", Kind: db.KindMunicipality, Geometry: sq(0), Description: "about"},
			{ID: 2, Code: "M2", Name: "Empty", Kind: db.KindMunicipality, Geometry: sq(1)},
		},
		Organizations: []*db.Organization{
			{ID: 1, Kind: db.OrgEmployer, Name: "E \x1f", OrgNumber: "556000-0001", Website: "https://e.example"},
			{ID: 2, Kind: db.OrgAssociation, Name: "A"},
			{ID: 3, Kind: db.OrgEmployer, Name: "F"},
		},
		Initiatives: []*db.Initiative{
			{ID: 1, Title: "First", Description: "d", Status: db.StatusActive, GoalArea: db.GoalGoodStart,
				StartDate: &day, EndDate: &day, AreaIDs: []int64{1}, LeadID: 2,
				Partners: []db.Partner{{OrganizationID: 1, Role: db.RoleFunder}, {OrganizationID: 3, Role: db.RoleVenue}}},
			{ID: 2, Title: "Bare", Status: db.StatusPlanned, GoalArea: db.GoalHousingLocal, AreaIDs: []int64{1}},
			{ID: 3, Title: "Third", Status: db.StatusCompleted, GoalArea: db.GoalConditionsForWork, AreaIDs: []int64{1}, LeadID: 1},
		},
	}
}

func readTree(t *testing.T, s *memory.Store, tr *db.Tree) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := s.ReadTree(t.Context(), tr, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadTree(t *testing.T) {
	s := memory.New()
	if err := s.Load(t.Context(), treeFixture()); err != nil {
		t.Fatal(err)
	}
	got := readTree(t, s, fullTree(1, 2))
	want := `{"__typename":"Area","id":"Area:1","type":"Area","version":1,"code":"M1",` +
		`"name":"Må \"quoted\" <b>&\\ \t\n\u0001` + "\u2028" + `","kind":"MUNICIPALITY","description":"about",` +
		`"initiatives":{"total":3,"nodes":[` +
		`{"id":"Initiative:1","t":"Initiative","version":1,"title":"First","description":"d","status":"ACTIVE",` +
		`"startDate":"2024-03-01","endDate":"2024-03-01","goalArea":"GOOD_START_IN_LIFE",` +
		`"lead":{"__typename":"Association","id":"Association:2","version":1,"name":"A","website":null,"organizationNumber":null},` +
		`"partners":[{"role":"FUNDER","organization":{"__typename":"Employer","id":"Employer:1","version":1,"name":"E \u001F",` +
		`"website":"https://e.example","organizationNumber":"556000-0001"}},` +
		`{"role":"VENUE","organization":{"__typename":"Employer","id":"Employer:3","version":1,"name":"F","website":null,"organizationNumber":null}}]},` +
		`{"id":"Initiative:2","t":"Initiative","version":1,"title":"Bare","description":null,"status":"PLANNED",` +
		`"startDate":null,"endDate":null,"goalArea":"HOUSING_AND_LOCAL_ENVIRONMENT","lead":null,"partners":[]}]}}`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !json.Valid(got) {
		t.Error("not valid JSON")
	}

	for _, c := range []struct {
		limit int
		want  string
	}{{0, `"nodes":[]`}, {1000, `"Initiative:3"`}} {
		if got := readTree(t, s, fullTree(1, c.limit)); !bytes.Contains(got, []byte(c.want)) {
			t.Errorf("limit %d: %s lacks %s", c.limit, got, c.want)
		}
	}
	if got := string(readTree(t, s, fullTree(2, 50))); !bytes.Contains([]byte(got), []byte(`"initiatives":{"total":0,"nodes":[]}`)) {
		t.Errorf("area without initiatives: %s", got)
	}
	if got := string(readTree(t, s, fullTree(99, 50))); got != "null" {
		t.Errorf("missing area: %s, want null", got)
	}
}

// The page is the one InitiativesByArea gives with no filter.
func TestReadTreeFollowsInitiativesByArea(t *testing.T) {
	s := memory.New()
	if err := s.Load(t.Context(), treeFixture()); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{0, 1, 2, 3, 50} {
		var got struct {
			Initiatives struct {
				Total int
				Nodes []struct{ ID string }
			}
		}
		if err := json.Unmarshal(readTree(t, s, fullTree(1, limit)), &got); err != nil {
			t.Fatal(err)
		}
		l, err := s.InitiativesByArea(t.Context(), []int64{1}, db.InitiativeFilter{}, db.Page{Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, in := range l[0].Items {
			ids = append(ids, in.NodeID())
		}
		var gotIDs []string
		for _, n := range got.Initiatives.Nodes {
			gotIDs = append(gotIDs, n.ID)
		}
		if got.Initiatives.Total != l[0].Total || !reflect.DeepEqual(gotIDs, ids) {
			t.Errorf("limit %d: %d %v, want %d %v", limit, got.Initiatives.Total, gotIDs, l[0].Total, ids)
		}
	}
}

func TestReadTreeRefusesOtherShapes(t *testing.T) {
	s := memory.New()
	if err := s.Load(t.Context(), treeFixture()); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*db.Tree){
		"root not an area":  func(tr *db.Tree) { tr.Root.Type = db.TreeInitiative },
		"field of another":  func(tr *db.Tree) { tr.Root.Members[1].Field = db.TreeFieldTitle },
		"no member value":   func(tr *db.Tree) { tr.Root.Members[1].Field = "" },
		"two member values": func(tr *db.Tree) { tr.Root.Members[1].Const = str("x") },
		"unknown field":     func(tr *db.Tree) { tr.Root.Members[1].Field = "geometry" },
		"after":             func(tr *db.Tree) { tr.Root.Members[8].Relation.Page.After = &db.Key{ID: 1} },
		"before":            func(tr *db.Tree) { tr.Root.Members[8].Relation.Page.Before = &db.Key{ID: 1} },
		"from end":          func(tr *db.Tree) { tr.Root.Members[8].Relation.Page.FromEnd = true },
		"offset":            func(tr *db.Tree) { tr.Root.Members[8].Relation.Page.Offset = 1 },
		"no total":          func(tr *db.Tree) { tr.Root.Members[8].Relation.Page.NoTotal = true },
		"connection member": func(tr *db.Tree) { tr.Root.Members[8].Relation.Connection[0].Nodes = true },
		"relation from another": func(tr *db.Tree) {
			tr.Root.Members[8].Relation.Kind = db.RelInitiativeLead
		},
		"nested field of another": func(tr *db.Tree) {
			tr.Root.Members[8].Relation.Node.Members[0].Field = db.TreeFieldCode
		},
	} {
		tr := fullTree(1, 10)
		edit(tr)
		var b bytes.Buffer
		if err := s.ReadTree(t.Context(), tr, &b); !errors.Is(err, db.ErrTreeUnsupported) || b.Len() > 0 {
			t.Errorf("%s: %v, %q written; want ErrTreeUnsupported and nothing", name, err, b.String())
		}
	}
}

// endsLater is a context that ends after its first look, as one whose
// deadline passes while a read runs.
type endsLater struct {
	context.Context
	looks int
}

func (c *endsLater) Err() error {
	c.looks++
	if c.looks > 1 {
		return context.Canceled
	}
	return nil
}

// A deadline that passes during the walk stops it, with nothing written.
func TestReadTreeStopsAtTheDeadline(t *testing.T) {
	ds := &db.Dataset{Areas: []*db.Area{{ID: 1, Code: "M", Name: "M", Kind: db.KindMunicipality,
		Geometry: orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}}}
	for i := range 2000 {
		ds.Initiatives = append(ds.Initiatives, &db.Initiative{ID: int64(i + 1), Title: "x", Status: db.StatusActive,
			GoalArea: db.GoalGoodStart, AreaIDs: []int64{1}})
	}
	s := memory.New()
	if err := s.Load(t.Context(), ds); err != nil {
		t.Fatal(err)
	}
	ctx := &endsLater{Context: t.Context()}
	var b bytes.Buffer
	if err := s.ReadTree(ctx, fullTree(1, 1000), &b); !errors.Is(err, context.Canceled) || b.Len() > 0 || ctx.looks < 2 {
		t.Errorf("%v, %d bytes written; want context.Canceled and nothing", err, b.Len())
	}
}
