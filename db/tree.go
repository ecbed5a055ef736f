package db

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"unicode/utf8"
)

// A tree read answers a nested selection — a record, lists of related
// records, their related records — as JSON text in one call, so that a
// store can read it at the cost of one statement (PostGIS builds the tree
// with json_agg) or one walk of its maps (the embedded store), instead of a
// call and a record copy per level, parent and field.
//
// The tree names records, their fields and their relations in the store's
// terms; the JSON member names are the caller's. Which selections become
// trees, and that their answer is the one the field-by-field path would
// give, is the caller's business (the GraphQL planner); a store answers
// exactly the tree, or ErrTreeUnsupported for a shape it does not read,
// and the caller then takes the field-by-field path.
//
// Values are written as the API writes them: ids as global ids
// (GlobalID), enums as stored (their names), dates as YYYY-MM-DD, a
// missing optional value as null, text as JSON strings. Whether the JSON
// is spelled byte for byte as another writer would (escapes, spacing) is
// not part of the contract; its value is.

// TreeReader is implemented by stores that answer tree reads.
type TreeReader interface {
	// ReadTree writes the JSON value of t's root to w: an object, or null
	// when the root record does not exist. ctx's deadline bounds it. On
	// an error nothing may have been written that the caller keeps: it
	// writes to w only what it answers, or the caller discards w.
	ReadTree(ctx context.Context, t *Tree, w io.Writer) error
}

// ErrTreeUnsupported is what ReadTree answers for a tree whose shape the
// store does not read; the caller answers the selection another way.
var ErrTreeUnsupported = errors.New("db: tree shape not supported")

// Tree is one nested read, starting at a record given by id, or, with
// Near set, at the nearest initiatives to a point.
type Tree struct {
	Root TreeNode
	// RootID is the key of the root record (not its global id).
	RootID int64
	// Near, when set, makes the root a page of the initiatives nearest a
	// point (TreeNear), Root what is read of each, RootID unused.
	Near *TreeNear
}

// TreeNear is a tree's root that is a page of the initiatives within a
// radius of a point, nearest first by (distance, id): the page
// Initiatives gives for a filter of Near alone and Page{Limit: Limit,
// NoTotal: true}. Its value is an object of the Connection members, each
// Nodes or Edges (no TotalCount: the page has no exact total); the root
// node reads no relation. It is never null.
type TreeNear struct {
	Near       Near
	Limit      int
	Connection []TreeConnectionMember
}

// TreeNode is what is read of one record: its members, in output order.
type TreeNode struct {
	Type    TreeRecord
	Members []TreeMember
}

// TreeRecord names a kind of record a tree reads.
type TreeRecord string

const (
	TreeArea         TreeRecord = "area"
	TreeInitiative   TreeRecord = "initiative"
	TreeOrganization TreeRecord = "organization" // employers and associations alike
	TreePartnership  TreeRecord = "partnership"  // an organisation's part in an initiative
)

// TreeMember is one JSON member of a record's object: a field of the
// record, a constant, or a relation.
type TreeMember struct {
	Key string // the JSON member name, as the caller wants it (an alias)
	// Exactly one of the three below is set.
	Field    TreeField
	Const    *string // a JSON string constant (the record's type name, when it is fixed)
	Relation *TreeRelation
}

// TreeField names a value of a record. Not every field exists on every
// record: the comments say where each does.
type TreeField string

const (
	TreeFieldID          TreeField = "id"          // every record but a partnership: the global id
	TreeFieldGlobalType  TreeField = "globalType"  // every record but a partnership: the type part of its global id ("Area", "Employer", …)
	TreeFieldVersion     TreeField = "version"     // every record but a partnership: a JSON number
	TreeFieldName        TreeField = "name"        // area, organization
	TreeFieldCode        TreeField = "code"        // area
	TreeFieldKind        TreeField = "kind"        // area
	TreeFieldDescription TreeField = "description" // area, initiative: a string or null
	TreeFieldTitle       TreeField = "title"       // initiative
	TreeFieldStatus      TreeField = "status"      // initiative
	TreeFieldStartDate   TreeField = "startDate"   // initiative: YYYY-MM-DD or null
	TreeFieldEndDate     TreeField = "endDate"     // initiative: YYYY-MM-DD or null
	TreeFieldGoalArea    TreeField = "goalArea"    // initiative
	TreeFieldWebsite     TreeField = "website"     // organization: a string or null
	TreeFieldOrgNumber   TreeField = "orgNumber"   // organization: a string or null
	TreeFieldRole        TreeField = "role"        // partnership
)

// TreeRelation is a member whose value comes from related records.
type TreeRelation struct {
	Kind TreeRelationKind
	// Page is the page of a list relation (RelAreaInitiatives): only
	// Limit is taken (the first records in id order); a store answers
	// ErrTreeUnsupported for a page with anything else set.
	Page Page
	// Connection members, for a paged list (RelAreaInitiatives): the
	// JSON object holds these, in order. A member with Nodes true is the
	// array of the page's records; TotalCount true is the count of every
	// record of the list, as a JSON number.
	Connection []TreeConnectionMember
	// Node is what is read of each related record.
	Node TreeNode
}

// TreeConnectionMember is one member of a paged list's object.
type TreeConnectionMember struct {
	Key        string
	Nodes      bool
	TotalCount bool
	// Edges, in a TreeNear's connection alone, is the array of the page's
	// edges, each an object of the Edge members.
	Edges bool
	Edge  []TreeEdgeMember
}

// TreeEdgeMember is one member of an edge's object: exactly one of the
// record (the tree's node) and its distance from the point in metres, a
// JSON number as the API writes a Float (AppendTreeFloat).
type TreeEdgeMember struct {
	Key      string
	Node     bool
	Distance bool
}

// TreeRelationKind names a relation between records.
type TreeRelationKind string

const (
	// RelAreaInitiatives: from an area, a page of the initiatives serving
	// it (InitiativesByArea with no filter), in id order; a connection.
	RelAreaInitiatives TreeRelationKind = "areaInitiatives"
	// RelInitiativeLead: from an initiative, its lead organisation, or
	// null when it has none; an object.
	RelInitiativeLead TreeRelationKind = "initiativeLead"
	// RelInitiativePartners: from an initiative, its partnerships in
	// organisation id order; an array (never null).
	RelInitiativePartners TreeRelationKind = "initiativePartners"
	// RelPartnershipOrganization: from a partnership, its organisation; an
	// object.
	RelPartnershipOrganization TreeRelationKind = "partnershipOrganization"
)

// CheckTree refuses, with ErrTreeUnsupported, a tree of a shape outside
// the contract, before a store reads anything: a root that is not an area,
// a field the record does not have, a relation that does not start from
// the record or reach the record its node names, a page with more than a
// limit, a connection member that is not exactly one of nodes and count, a
// member with not exactly one of field, constant and relation, a name or
// constant that is not UTF-8 or holds NUL (a JSON string holds neither as
// it is, PostgreSQL's text neither at all). Every store calls it first, so
// that they refuse the same trees.
//
// A Near root is refused, as well, for a radius or point the Near filter
// refuses, a negative limit, a connection member
// other than nodes and edges, an edge member not exactly one of node and
// distance, and a node that reads a relation.
func CheckTree(t *Tree) error {
	if t.Near != nil {
		return checkNearTree(t)
	}
	if t.Root.Type != TreeArea {
		return ErrTreeUnsupported
	}
	return checkTreeNode(&t.Root)
}

func checkNearTree(t *Tree) error {
	n := t.Near
	r := n.Near.RadiusMeters
	if t.Root.Type != TreeInitiative || ValidatePoint(n.Near.Point) != nil || !(r >= 0) || math.IsInf(r, 0) || n.Limit < 0 {
		return ErrTreeUnsupported
	}
	for _, m := range n.Connection {
		if m.TotalCount || m.Nodes == m.Edges || !treeText(m.Key) || (m.Nodes && len(m.Edge) > 0) {
			return ErrTreeUnsupported
		}
		for _, e := range m.Edge {
			if e.Node == e.Distance || !treeText(e.Key) {
				return ErrTreeUnsupported
			}
		}
	}
	for i := range t.Root.Members {
		if t.Root.Members[i].Relation != nil {
			return ErrTreeUnsupported
		}
	}
	return checkTreeNode(&t.Root)
}

func checkTreeNode(n *TreeNode) error {
	fields, ok := treeFields[n.Type]
	if !ok {
		return ErrTreeUnsupported
	}
	for i := range n.Members {
		m := &n.Members[i]
		set := 0
		if m.Field != "" {
			set++
			if !fields[m.Field] {
				return ErrTreeUnsupported
			}
		}
		if m.Const != nil {
			set++
			if !treeText(*m.Const) {
				return ErrTreeUnsupported
			}
		}
		if m.Relation != nil {
			set++
			if err := checkTreeRelation(n.Type, m.Relation); err != nil {
				return err
			}
		}
		if set != 1 || !treeText(m.Key) {
			return ErrTreeUnsupported
		}
	}
	return nil
}

func checkTreeRelation(from TreeRecord, r *TreeRelation) error {
	sh, ok := treeRelations[r.Kind]
	if !ok || sh.from != from || sh.to != r.Node.Type {
		return ErrTreeUnsupported
	}
	if sh.paged {
		if r.Page != (Page{Limit: r.Page.Limit}) {
			return ErrTreeUnsupported
		}
		for _, m := range r.Connection {
			if m.Nodes == m.TotalCount || m.Edges || len(m.Edge) > 0 || !treeText(m.Key) {
				return ErrTreeUnsupported
			}
		}
	} else if r.Page != (Page{}) || len(r.Connection) > 0 {
		return ErrTreeUnsupported
	}
	return checkTreeNode(&r.Node)
}

// treeText reports whether s is UTF-8 without NUL.
func treeText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// treeFields are the fields each record has, as TreeField's constants
// say.
var treeFields = map[TreeRecord]map[TreeField]bool{
	TreeArea: {TreeFieldID: true, TreeFieldGlobalType: true, TreeFieldVersion: true,
		TreeFieldName: true, TreeFieldCode: true, TreeFieldKind: true, TreeFieldDescription: true},
	TreeInitiative: {TreeFieldID: true, TreeFieldGlobalType: true, TreeFieldVersion: true,
		TreeFieldTitle: true, TreeFieldDescription: true, TreeFieldStatus: true,
		TreeFieldStartDate: true, TreeFieldEndDate: true, TreeFieldGoalArea: true},
	TreeOrganization: {TreeFieldID: true, TreeFieldGlobalType: true, TreeFieldVersion: true,
		TreeFieldName: true, TreeFieldWebsite: true, TreeFieldOrgNumber: true},
	TreePartnership: {TreeFieldRole: true},
}

// treeRelations are the relations a tree may hold: the record each starts
// from, the record it reaches, and whether it is a paged list, as
// TreeRelationKind's constants say.
var treeRelations = map[TreeRelationKind]struct {
	from, to TreeRecord
	paged    bool
}{
	RelAreaInitiatives:         {TreeArea, TreeInitiative, true},
	RelInitiativeLead:          {TreeInitiative, TreeOrganization, false},
	RelInitiativePartners:      {TreeInitiative, TreePartnership, false},
	RelPartnershipOrganization: {TreePartnership, TreeOrganization, false},
}
