package dbtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// testReadTree holds tree reads (db.TreeReader) to the answer of the
// store's ordinary reads, field by field: the same records, values, nulls,
// order and counts, member for member in the tree's order, for trees over
// the fixture and over records whose texts JSON must escape.
func testReadTree(t *testing.T, s db.Store) {
	tr, ok := s.(db.TreeReader)
	if !ok {
		t.Fatalf("%T does not read trees", s)
	}
	if err := s.Load(ctx(t), treeFixture()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	every := everyField()
	cases := []struct {
		name string
		tree *db.Tree
	}{
		{"the nested shape", NestedTree(4, 50)},
		{"no initiatives", NestedTree(6, 50)},
		{"an initiative without lead", NestedTree(2, 50)},
		{"no partners, no description, no dates", NestedTree(5, 50)},
		{"every field, texts to escape", areaTree(7, every)},
		{"every field, the whole fixture", areaTree(1, every)},
		{"every field, nulls", areaTree(5, every)},
		{"first 0", NestedTree(7, 0)},
		{"first 1", NestedTree(7, 1)},
		{"first 2", NestedTree(7, 2)},
		{"first as many as exist", NestedTree(7, 3)},
		{"first more than exist", NestedTree(7, 100)},
		{"first 1 without totalCount", nodesOnly(7, 1)},
		{"first 0 without totalCount", nodesOnly(7, 0)},
		{"totalCount alone", &db.Tree{RootID: 7, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
			{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 10},
				Connection: []db.TreeConnectionMember{{Key: "totalCount", TotalCount: true}},
				Node:       db.TreeNode{Type: db.TreeInitiative}}}}}}},
		{"first below 0", NestedTree(7, -1)},
		{"aliases repeated", repeatedTree(7)},
		{"keys and constants to escape", escapedKeys(4)},
		{"empty objects", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
			{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 5},
				Connection: []db.TreeConnectionMember{{Key: "nodes", Nodes: true}},
				Node: db.TreeNode{Type: db.TreeInitiative, Members: []db.TreeMember{
					{Key: "lead", Relation: &db.TreeRelation{Kind: db.RelInitiativeLead, Node: db.TreeNode{Type: db.TreeOrganization}}},
					{Key: "partners", Relation: &db.TreeRelation{Kind: db.RelInitiativePartners, Node: db.TreeNode{Type: db.TreePartnership}}},
				}}}}}}}},
		{"an object of 50 members", wideTree(4, 50)},
		{"an object of 51 members", wideTree(4, 51)},
		{"an object of 100 members", wideTree(4, 100)},
		{"an object of 120 members", wideTree(4, 120)},
		{"a missing area", NestedTree(999, 50)},
		{"an id no record can have", NestedTree(-1, 50)},
		// The nearest initiatives: 1 and 2 tie at one place, 5 (texts
		// to escape) lies some 600 m off, 3 some 60 km.
		{"the nearest query", NearTree(12.3, 57.3, 1000, 20)},
		{"nearest, every field, nodes and edges", nearEvery(every.initiative, 12.3, 57.3, 100_000, 10)},
		{"nearest, first 0", NearTree(12.3, 57.3, 100_000, 0)},
		{"nearest, first 1 of a tie", NearTree(12.3, 57.3, 100_000, 1)},
		{"nearest, first 3", NearTree(12.31, 57.3, 100_000, 3)},
		{"nearest, radius 0 on a place", NearTree(12.3, 57.3, 0, 20)},
		{"nearest, none near", NearTree(0, 0, 1000, 20)},
		{"nearest, distances alone", &db.Tree{Root: db.TreeNode{Type: db.TreeInitiative},
			Near: &db.TreeNear{Near: db.Near{Point: orb.Point{12.3, 57.3}, RadiusMeters: 100_000}, Limit: 5,
				Connection: []db.TreeConnectionMember{{Key: "e", Edges: true, Edge: []db.TreeEdgeMember{{Key: "d", Distance: true}}}}}}},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		if err := tr.ReadTree(ctx(t), c.tree, &buf); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got, err := decodeOrdered(buf.Bytes())
		if err != nil {
			t.Errorf("%s: the answer is not one JSON value (%v):\n%s", c.name, err, buf.Bytes())
			continue
		}
		want := treeWant(t, s, c.tree)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %s\nwant %s", c.name, showJSON(got), showJSON(want))
		}
	}

	// Shapes outside the contract are refused as such, not answered
	// another way, so the caller answers them field by field.
	after := &db.Key{ID: 1}
	name, notUTF8 := "name", "Are\xe5"
	unsupported := []struct {
		name string
		tree *db.Tree
	}{
		{"an offset", pagedTree(db.Page{Offset: 1, Limit: 2})},
		{"after", pagedTree(db.Page{After: after, Limit: 2})},
		{"before", pagedTree(db.Page{Before: after, Limit: 2})},
		{"from the end", pagedTree(db.Page{FromEnd: true, Limit: 2})},
		{"without its total", pagedTree(db.Page{NoTotal: true, Limit: 2})},
		{"an initiative at the root", &db.Tree{RootID: 2, Root: every.initiative}},
		{"an organization at the root", &db.Tree{RootID: 1, Root: every.organization}},
		{"a member of two kinds", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea,
			Members: []db.TreeMember{{Key: "name", Field: db.TreeFieldName, Const: &name}}}}},
		{"a member of none", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{{Key: "name"}}}}},
		{"a count and nodes in one member", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
			{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 1},
				Connection: []db.TreeConnectionMember{{Key: "both", Nodes: true, TotalCount: true}},
				Node:       db.TreeNode{Type: db.TreeInitiative}}}}}}},
		{"a related record of another kind", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
			{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 1},
				Connection: []db.TreeConnectionMember{{Key: "nodes", Nodes: true}},
				Node:       db.TreeNode{Type: db.TreeOrganization}}}}}}},
		{"a page on a relation that is no list", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
			{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 1},
				Connection: []db.TreeConnectionMember{{Key: "nodes", Nodes: true}},
				Node: db.TreeNode{Type: db.TreeInitiative, Members: []db.TreeMember{{Key: "lead",
					Relation: &db.TreeRelation{Kind: db.RelInitiativeLead, Page: db.Page{Limit: 1}, Node: db.TreeNode{Type: db.TreeOrganization}}}}}}}}}}},
		{"a field the records lack, where none is read", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
			{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 1},
				Connection: []db.TreeConnectionMember{{Key: "totalCount", TotalCount: true}},
				Node:       db.TreeNode{Type: db.TreeInitiative, Members: []db.TreeMember{{Key: "code", Field: db.TreeFieldCode}}}}}}}}},
		{"a field deep down the record lacks, under an area without initiatives", func() *db.Tree {
			tr := NestedTree(6, 5)
			tr.Root.Members[2].Relation.Node.Members[0].Field = db.TreeFieldCode
			return tr
		}()},
		{"a field the record does not have", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea,
			Members: []db.TreeMember{{Key: "title", Field: db.TreeFieldTitle}}}}},
		{"a relation from another record", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea,
			Members: []db.TreeMember{{Key: "lead", Relation: &db.TreeRelation{Kind: db.RelInitiativeLead,
				Node: db.TreeNode{Type: db.TreeOrganization}}}}}}},
		// Names and constants are written as JSON strings, and travel to
		// PostgreSQL as text: neither holds these as they are.
		{"a name that is not UTF-8", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea,
			Members: []db.TreeMember{{Key: "na\xffme", Field: db.TreeFieldName}}}}},
		{"a name holding NUL", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea,
			Members: []db.TreeMember{{Key: "na\x00me", Field: db.TreeFieldName}}}}},
		{"a constant that is not UTF-8", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea,
			Members: []db.TreeMember{{Key: "type", Const: &notUTF8}}}}},
		{"nearest with a count", nearWith(func(n *db.TreeNear) { n.Connection[0] = db.TreeConnectionMember{Key: "t", TotalCount: true} })},
		{"nearest with nodes and edges in one member", nearWith(func(n *db.TreeNear) { n.Connection[0].Nodes = true })},
		{"nearest with an edge member of none", nearWith(func(n *db.TreeNear) { n.Connection[0].Edge[0].Distance = false })},
		{"nearest with an edge member of both", nearWith(func(n *db.TreeNear) { n.Connection[0].Edge[0].Node = true })},
		{"nearest with a negative limit", nearWith(func(n *db.TreeNear) { n.Limit = -1 })},
		{"nearest with a radius not a number", nearWith(func(n *db.TreeNear) { n.Near.RadiusMeters = math.NaN() })},
		{"nearest with a latitude out of range", nearWith(func(n *db.TreeNear) { n.Near.Point[1] = 91 })},
		{"nearest areas", func() *db.Tree { t := NearTree(12.3, 57.3, 1000, 5); t.Root.Type = db.TreeArea; return t }()},
		{"nearest with a lead", func() *db.Tree {
			t := NearTree(12.3, 57.3, 1000, 5)
			t.Root.Members = append(t.Root.Members, db.TreeMember{Key: "lead",
				Relation: &db.TreeRelation{Kind: db.RelInitiativeLead, Node: db.TreeNode{Type: db.TreeOrganization}}})
			return t
		}()},
		{"nodes and edges under an area", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
			{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 1},
				Connection: []db.TreeConnectionMember{{Key: "e", Edges: true, Edge: []db.TreeEdgeMember{{Key: "d", Distance: true}}}},
				Node:       db.TreeNode{Type: db.TreeInitiative}}}}}}},
		{"a connection member's name holding NUL", &db.Tree{RootID: 4, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
			{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 1},
				Connection: []db.TreeConnectionMember{{Key: "total\x00", TotalCount: true}},
				Node:       db.TreeNode{Type: db.TreeInitiative}}}}}}},
	}
	for _, c := range unsupported {
		var buf bytes.Buffer
		if err := tr.ReadTree(ctx(t), c.tree, &buf); !errors.Is(err, db.ErrTreeUnsupported) {
			t.Errorf("%s: got %v, want ErrTreeUnsupported", c.name, err)
		}
	}

	cancelled, cancel := context.WithCancel(ctx(t))
	cancel()
	if err := tr.ReadTree(cancelled, NestedTree(4, 50), io.Discard); err == nil {
		t.Error("a cancelled read answered")
	}
}

// NearTree is the tree of the nearest query the load benchmark sends:
//
//	initiatives(first, filter: {near: {lon, lat, radiusMeters}}) {
//	edges { distanceMeters node { id title status } } }
func NearTree(lon, lat, radius float64, first int) *db.Tree {
	return &db.Tree{Root: db.TreeNode{Type: db.TreeInitiative, Members: fields(db.TreeFieldID, db.TreeFieldTitle, db.TreeFieldStatus)},
		Near: &db.TreeNear{Near: db.Near{Point: orb.Point{lon, lat}, RadiusMeters: radius}, Limit: first,
			Connection: []db.TreeConnectionMember{{Key: "edges", Edges: true,
				Edge: []db.TreeEdgeMember{{Key: "distanceMeters", Distance: true}, {Key: "node", Node: true}}}}}}
}

// nearEvery reads n's fields and constants of the nearest under nodes
// and edges, twice each.
func nearEvery(n db.TreeNode, lon, lat, radius float64, first int) *db.Tree {
	t := NearTree(lon, lat, radius, first)
	t.Root = db.TreeNode{Type: n.Type}
	for _, m := range n.Members {
		if m.Relation == nil {
			t.Root.Members = append(t.Root.Members, m)
		}
	}
	t.Near.Connection = []db.TreeConnectionMember{{Key: "nodes", Nodes: true},
		{Key: "edges", Edges: true, Edge: []db.TreeEdgeMember{{Key: "node", Node: true}, {Key: "d", Distance: true},
			{Key: "again", Node: true}, {Key: "d2", Distance: true}}}}
	return t
}

// nearWith is NearTree changed by change.
func nearWith(change func(*db.TreeNear)) *db.Tree {
	t := NearTree(12.3, 57.3, 1000, 5)
	change(t.Near)
	return t
}

// nearest is the answer to a Near root from Initiatives with the Near
// filter alone, and the records by id.
func (w treeRef) nearest(tr *db.Tree) any {
	l := must[db.List[*db.Initiative]](w.t)(w.s.Initiatives(ctx(w.t), db.InitiativeFilter{Spatial: db.Spatial{Near: &tr.Near.Near}},
		db.Page{Limit: tr.Near.Limit}))
	o := object{}
	for _, c := range tr.Near.Connection {
		a := []any{}
		for i, in := range l.Items {
			in = must[[]*db.Initiative](w.t)(w.s.InitiativesByID(ctx(w.t), []int64{in.ID}))[0]
			if c.Nodes {
				a = append(a, w.node(&tr.Root, in))
				continue
			}
			e := object{}
			for _, m := range c.Edge {
				if m.Node {
					e = append(e, member{m.Key, w.node(&tr.Root, in)})
				} else {
					e = append(e, member{m.Key, l.Distances[i]})
				}
			}
			a = append(a, e)
		}
		o = append(o, member{c.Key, a})
	}
	return o
}

// treeFixture is the fixture with an area whose records carry texts that
// JSON must escape, or that a careless writer would mangle: quotes,
// backslashes, control characters, HTML's specials, text beyond ASCII.
func treeFixture() *db.Dataset {
	ds := Fixture()
	const odd = "\"quoted\" back\\slash\\\\ 'single' \t tab\nnewline \x01\x1f\x7f <b>&amp;</b> \u2028 Åäö 北 🌍 $1 '); --"
	ds.Areas = append(ds.Areas, &db.Area{ID: 7, Code: "9999-D3 " + odd, Name: "Odd " + odd, Kind: db.KindDistrict, ParentID: 1,
		Geometry: orb.Polygon{box(13, 57, 13.25, 57.25)}, Description: odd})
	ds.Organizations = append(ds.Organizations,
		&db.Organization{ID: 5, Kind: db.OrgEmployer, Name: "Employer " + odd, OrgNumber: odd, Website: "https://odd.example/?q=" + odd},
		&db.Organization{ID: 6, Kind: db.OrgAssociation, Name: "Association " + odd})
	ds.Initiatives = append(ds.Initiatives,
		&db.Initiative{ID: 5, Title: "Title " + odd, Description: odd, Status: db.StatusCancelled, Locations: []orb.Point{{12.31, 57.3}},
			StartDate: date(2024, 2, 29), EndDate: date(2024, 12, 31), GoalArea: db.GoalHousingLocal,
			AreaIDs: []int64{7}, LeadID: 5,
			Partners: []db.Partner{{OrganizationID: 1, Role: db.RoleCoOrganiser}, {OrganizationID: 4, Role: db.RolePlacements},
				{OrganizationID: 6, Role: db.RoleVenue}}},
		&db.Initiative{ID: 6, Title: "Nothing else", Status: db.StatusPlanned, GoalArea: db.GoalGoodStart, AreaIDs: []int64{3, 7}},
		&db.Initiative{ID: 7, Title: "Led by an association", Status: db.StatusActive, EndDate: date(1999, 1, 1),
			GoalArea: db.GoalConditionsForWork, AreaIDs: []int64{7}, LeadID: 6,
			Partners: []db.Partner{{OrganizationID: 2, Role: db.RoleMentors}, {OrganizationID: 5, Role: db.RoleFunder}}})
	return ds
}

// NestedTree is the tree of the nested query the load benchmark sends:
//
//	area(id) { id name initiatives(first) { totalCount nodes { id title
//	status lead { id name } partners { role organization { id name } } } } }
func NestedTree(areaID int64, first int) *db.Tree {
	org := db.TreeNode{Type: db.TreeOrganization, Members: []db.TreeMember{
		{Key: "id", Field: db.TreeFieldID}, {Key: "name", Field: db.TreeFieldName}}}
	return &db.Tree{RootID: areaID, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
		{Key: "id", Field: db.TreeFieldID},
		{Key: "name", Field: db.TreeFieldName},
		{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: first},
			Connection: []db.TreeConnectionMember{{Key: "totalCount", TotalCount: true}, {Key: "nodes", Nodes: true}},
			Node: db.TreeNode{Type: db.TreeInitiative, Members: []db.TreeMember{
				{Key: "id", Field: db.TreeFieldID},
				{Key: "title", Field: db.TreeFieldTitle},
				{Key: "status", Field: db.TreeFieldStatus},
				{Key: "lead", Relation: &db.TreeRelation{Kind: db.RelInitiativeLead, Node: org}},
				{Key: "partners", Relation: &db.TreeRelation{Kind: db.RelInitiativePartners, Node: db.TreeNode{
					Type: db.TreePartnership, Members: []db.TreeMember{
						{Key: "role", Field: db.TreeFieldRole},
						{Key: "organization", Relation: &db.TreeRelation{Kind: db.RelPartnershipOrganization, Node: org}},
					}}}},
			}}}},
	}}}
}

// nodesOnly is NestedTree without its totalCount.
func nodesOnly(areaID int64, first int) *db.Tree {
	tr := NestedTree(areaID, first)
	r := tr.Root.Members[2].Relation
	r.Connection = r.Connection[1:]
	return tr
}

// pagedTree is NestedTree with another page.
func pagedTree(p db.Page) *db.Tree {
	tr := NestedTree(7, 0)
	tr.Root.Members[2].Relation.Page = p
	return tr
}

// fields is a member for each field, each under its own name.
func fields(fs ...db.TreeField) []db.TreeMember {
	out := make([]db.TreeMember, len(fs))
	for i, f := range fs {
		out[i] = db.TreeMember{Key: string(f), Field: f}
	}
	return out
}

// allFields holds a node of each record with every field it has and
// every relation from it.
type allFields struct {
	organization, partnership, initiative db.TreeNode
}

func everyField() allFields {
	var n allFields
	n.organization = db.TreeNode{Type: db.TreeOrganization, Members: fields(db.TreeFieldID, db.TreeFieldGlobalType,
		db.TreeFieldVersion, db.TreeFieldName, db.TreeFieldWebsite, db.TreeFieldOrgNumber)}
	n.partnership = db.TreeNode{Type: db.TreePartnership, Members: append(fields(db.TreeFieldRole),
		db.TreeMember{Key: "organization", Relation: &db.TreeRelation{Kind: db.RelPartnershipOrganization, Node: n.organization}})}
	n.initiative = db.TreeNode{Type: db.TreeInitiative, Members: append(fields(db.TreeFieldID, db.TreeFieldGlobalType,
		db.TreeFieldVersion, db.TreeFieldTitle, db.TreeFieldDescription, db.TreeFieldStatus, db.TreeFieldStartDate,
		db.TreeFieldEndDate, db.TreeFieldGoalArea),
		db.TreeMember{Key: "lead", Relation: &db.TreeRelation{Kind: db.RelInitiativeLead, Node: n.organization}},
		db.TreeMember{Key: "partners", Relation: &db.TreeRelation{Kind: db.RelInitiativePartners, Node: n.partnership}})}
	return n
}

// areaTree reads every field of an area and of a page of its initiatives.
func areaTree(areaID int64, n allFields) *db.Tree {
	return &db.Tree{RootID: areaID, Root: db.TreeNode{Type: db.TreeArea, Members: append(fields(db.TreeFieldID,
		db.TreeFieldGlobalType, db.TreeFieldVersion, db.TreeFieldName, db.TreeFieldCode, db.TreeFieldKind,
		db.TreeFieldDescription),
		db.TreeMember{Key: "initiatives", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 20},
			Connection: []db.TreeConnectionMember{{Key: "nodes", Nodes: true}, {Key: "totalCount", TotalCount: true}},
			Node:       n.initiative}})}}
}

// repeatedTree asks for the same fields and lists under several keys, as
// GraphQL aliases do, with pages of other sizes side by side.
func repeatedTree(areaID int64) *db.Tree {
	typename := "Area"
	short := db.TreeNode{Type: db.TreeInitiative, Members: []db.TreeMember{
		{Key: "a", Field: db.TreeFieldID}, {Key: "b", Field: db.TreeFieldID}, {Key: "t", Field: db.TreeFieldTitle}}}
	return &db.Tree{RootID: areaID, Root: db.TreeNode{Type: db.TreeArea, Members: []db.TreeMember{
		{Key: "__typename", Const: &typename},
		{Key: "first", Field: db.TreeFieldID},
		{Key: "again", Field: db.TreeFieldID},
		{Key: "label", Field: db.TreeFieldName},
		{Key: "one", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 1},
			Connection: []db.TreeConnectionMember{{Key: "n", Nodes: true}}, Node: short}},
		{Key: "two", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 2},
			Connection: []db.TreeConnectionMember{{Key: "c1", TotalCount: true}, {Key: "n1", Nodes: true},
				{Key: "c2", TotalCount: true}, {Key: "n2", Nodes: true}}, Node: short}},
		{Key: "name", Field: db.TreeFieldName},
	}}}
}

// escapedKeys has member names and constants that would break a
// statement or a JSON text that spliced them in.
func escapedKeys(areaID int64) *db.Tree {
	keys := []string{"", `"`, `\`, `\\`, `'`, `''`, "$1", "'); DROP TABLE areas; --", "\n\t\x01", "<script>&amp;", "Åäö 北 🌍", "\u2028"}
	var ms []db.TreeMember
	for i, k := range keys {
		c := keys[len(keys)-1-i]
		ms = append(ms, db.TreeMember{Key: k, Field: db.TreeFieldName}, db.TreeMember{Key: k + " const", Const: &c})
	}
	ms = append(ms, db.TreeMember{Key: "'); --", Relation: &db.TreeRelation{Kind: db.RelAreaInitiatives, Page: db.Page{Limit: 3},
		Connection: []db.TreeConnectionMember{{Key: `"`, TotalCount: true}, {Key: `\`, Nodes: true}},
		Node:       db.TreeNode{Type: db.TreeInitiative, Members: []db.TreeMember{{Key: "$2", Field: db.TreeFieldTitle}}}}})
	return &db.Tree{RootID: areaID, Root: db.TreeNode{Type: db.TreeArea, Members: ms}}
}

// wideTree is an area object of n members.
func wideTree(areaID int64, n int) *db.Tree {
	ms := make([]db.TreeMember, n)
	for i := range ms {
		ms[i] = db.TreeMember{Key: fmt.Sprintf("m%d", i), Field: []db.TreeField{db.TreeFieldID, db.TreeFieldName, db.TreeFieldCode}[i%3]}
	}
	return &db.Tree{RootID: areaID, Root: db.TreeNode{Type: db.TreeArea, Members: ms}}
}

// The answers are compared decoded, with objects as their members in
// order: the contract fixes the members' order, not the JSON's spelling.

// object is a JSON object, its members in order.
type object []member

type member struct {
	Key   string
	Value any
}

// decodeOrdered decodes one JSON value: objects as object, arrays as
// []any, numbers as float64.
func decodeOrdered(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	v, err := decodeValue(d)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("more after the value (%v)", err)
	}
	return v, nil
}

func decodeValue(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		o := object{}
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeValue(d)
			if err != nil {
				return nil, err
			}
			o = append(o, member{k.(string), v})
		}
		_, err := d.Token()
		return o, err
	case json.Delim('['):
		a := []any{}
		for d.More() {
			v, err := decodeValue(d)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := d.Token()
		return a, err
	}
	return tok, nil
}

// showJSON writes v as JSON, members in order.
func showJSON(v any) string {
	var b bytes.Buffer
	var write func(v any)
	write = func(v any) {
		switch v := v.(type) {
		case object:
			b.WriteByte('{')
			for i, m := range v {
				if i > 0 {
					b.WriteByte(',')
				}
				k, _ := json.Marshal(m.Key)
				b.Write(k)
				b.WriteByte(':')
				write(m.Value)
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, e := range v {
				if i > 0 {
					b.WriteByte(',')
				}
				write(e)
			}
			b.WriteByte(']')
		default:
			j, _ := json.Marshal(v)
			b.Write(j)
		}
	}
	write(v)
	return b.String()
}

// treeWant is the answer to tr built from the store's ordinary reads,
// one call a record, as the field-by-field path reads them.
func treeWant(t *testing.T, s db.Store, tr *db.Tree) any {
	t.Helper()
	w := treeRef{t: t, s: s}
	if tr.Near != nil {
		return w.nearest(tr)
	}
	var rec any
	switch tr.Root.Type {
	case db.TreeArea:
		rec = must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{tr.RootID}))[0]
	case db.TreeInitiative:
		rec = must[[]*db.Initiative](t)(s.InitiativesByID(ctx(t), []int64{tr.RootID}))[0]
	case db.TreeOrganization:
		rec = must[[]*db.Organization](t)(s.OrganizationsByID(ctx(t), []int64{tr.RootID}))[0]
	}
	if reflect.ValueOf(rec).IsNil() {
		return nil
	}
	return w.node(&tr.Root, rec)
}

type treeRef struct {
	t *testing.T
	s db.Store
}

// partnership is an organisation's part in an initiative.
type partnership struct {
	in *db.Initiative
	p  db.Partner
}

// optionalJSON is a text the API gives as null when empty.
func optionalJSON(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func dateJSON(d *time.Time) any {
	if d == nil {
		return nil
	}
	return d.Format(time.DateOnly)
}

func (w treeRef) node(n *db.TreeNode, rec any) object {
	o := object{}
	for _, m := range n.Members {
		var v any
		switch {
		case m.Const != nil:
			v = *m.Const
		case m.Relation != nil:
			v = w.relation(m.Relation, rec)
		default:
			v = w.field(m.Field, rec)
		}
		o = append(o, member{m.Key, v})
	}
	return o
}

func (w treeRef) field(f db.TreeField, rec any) any {
	switch r := rec.(type) {
	case *db.Area:
		switch f {
		case db.TreeFieldID:
			return r.NodeID()
		case db.TreeFieldGlobalType:
			return db.TypeArea
		case db.TreeFieldVersion:
			return float64(r.Version)
		case db.TreeFieldName:
			return r.Name
		case db.TreeFieldCode:
			return r.Code
		case db.TreeFieldKind:
			return string(r.Kind)
		case db.TreeFieldDescription:
			return optionalJSON(r.Description)
		}
	case *db.Initiative:
		switch f {
		case db.TreeFieldID:
			return r.NodeID()
		case db.TreeFieldGlobalType:
			return db.TypeInitiative
		case db.TreeFieldVersion:
			return float64(r.Version)
		case db.TreeFieldTitle:
			return r.Title
		case db.TreeFieldDescription:
			return optionalJSON(r.Description)
		case db.TreeFieldStatus:
			return string(r.Status)
		case db.TreeFieldStartDate:
			return dateJSON(r.StartDate)
		case db.TreeFieldEndDate:
			return dateJSON(r.EndDate)
		case db.TreeFieldGoalArea:
			return string(r.GoalArea)
		}
	case *db.Organization:
		switch f {
		case db.TreeFieldID:
			return r.NodeID()
		case db.TreeFieldGlobalType:
			return r.NodeType()
		case db.TreeFieldVersion:
			return float64(r.Version)
		case db.TreeFieldName:
			return r.Name
		case db.TreeFieldWebsite:
			return optionalJSON(r.Website)
		case db.TreeFieldOrgNumber:
			return optionalJSON(r.OrgNumber)
		}
	case partnership:
		if f == db.TreeFieldRole {
			return string(r.p.Role)
		}
	}
	w.t.Fatalf("no field %q on %T", f, rec)
	return nil
}

func (w treeRef) organization(id int64) *db.Organization {
	o := must[[]*db.Organization](w.t)(w.s.OrganizationsByID(ctx(w.t), []int64{id}))[0]
	if o == nil {
		w.t.Fatalf("organization %d is missing", id)
	}
	return o
}

func (w treeRef) relation(r *db.TreeRelation, rec any) any {
	switch r.Kind {
	case db.RelAreaInitiatives:
		a := rec.(*db.Area)
		l := must[[]db.List[*db.Initiative]](w.t)(w.s.InitiativesByArea(ctx(w.t), []int64{a.ID}, db.InitiativeFilter{},
			db.Page{Limit: r.Page.Limit}))[0]
		o := object{}
		for _, m := range r.Connection {
			if m.TotalCount {
				o = append(o, member{m.Key, float64(l.Total)})
				continue
			}
			nodes := []any{}
			for _, in := range l.Items {
				nodes = append(nodes, w.node(&r.Node, in))
			}
			o = append(o, member{m.Key, nodes})
		}
		return o
	case db.RelInitiativeLead:
		in := rec.(*db.Initiative)
		if in.LeadID == 0 {
			return nil
		}
		return w.node(&r.Node, w.organization(in.LeadID))
	case db.RelInitiativePartners:
		in := rec.(*db.Initiative)
		out := []any{}
		for _, p := range in.Partners {
			out = append(out, w.node(&r.Node, partnership{in, p}))
		}
		return out
	case db.RelPartnershipOrganization:
		return w.node(&r.Node, w.organization(rec.(partnership).p.OrganizationID))
	}
	w.t.Fatalf("no relation %q", r.Kind)
	return nil
}
