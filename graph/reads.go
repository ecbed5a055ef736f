package graph

import (
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/httpcache"
	"github.com/vektah/gqlparser/v2/ast"
)

// What an operation reads, for the tags of its answers: the record types
// of the change feed whose writes can change a field of a GraphQL type, or
// a field that returns it. An operation reads the union over the fields
// it selects (through fragments too) of its parent type's and its result
// type's entries. This is coarse by record type: a write to any
// initiative moves the tag of every answer that shows an initiative,
// never an answer that shows none.
var reads = func() map[string][]string {
	areas := []string{db.TypeArea}
	orgs := []string{db.TypeEmployer, db.TypeAssociation}
	initiatives := []string{db.TypeInitiative}
	// Values are measured or rolled up from the statistical areas, whose
	// outlines (areas) decide the shares.
	values := []string{db.TypeIndicator, db.TypeIndicatorValue, db.TypeArea}
	nodes := []string{db.TypeArea, db.TypeEmployer, db.TypeAssociation, db.TypeInitiative, db.TypeIndicator}
	all := []string{httpcache.All}
	return map[string][]string{
		"Query": nil, "PageInfo": nil,
		"Node": nodes,

		"Area": areas, "AreaConnection": areas, "AreaEdge": areas,

		"Initiative": initiatives, "InitiativeConnection": initiatives, "InitiativeEdge": initiatives,
		// A partnership and a reach are parts of their initiative.
		"Partnership": initiatives, "Reach": initiatives,

		"Organization": orgs, "OrganizationConnection": orgs, "OrganizationEdge": orgs,
		"Employer": {db.TypeEmployer}, "EmployerConnection": {db.TypeEmployer}, "EmployerEdge": {db.TypeEmployer},
		"Association": {db.TypeAssociation}, "AssociationConnection": {db.TypeAssociation}, "AssociationEdge": {db.TypeAssociation},

		"Indicator":       {db.TypeIndicator},
		"IndicatorSeries": values, "IndicatorValue": values, "Provenance": values, "ProvenanceSource": values,
		"IndicatorComparison": values, "ComparisonRow": values,

		// Coverage counts the initiatives serving areas and the
		// organisations involved in them.
		"Coverage":     {db.TypeArea, db.TypeInitiative, db.TypeEmployer, db.TypeAssociation},
		"CoverageCell": {db.TypeArea, db.TypeInitiative, db.TypeEmployer, db.TypeAssociation},

		// The caller's role and id are in every tag; its organisations
		// are records.
		"Viewer": orgs,

		// The feed itself: every write yields changes.
		"Change": all, "ChangePage": all,

		// Every write is audited.
		"AuditEntry": all, "AuditEntryConnection": all, "AuditEntryEdge": all,
	}
}()

// untaggable are the types whose answers change without a change event:
// keys yield none, and whether a key is active depends on the clock. An
// operation that reads one is never tagged or kept.
var untaggable = map[string]bool{"ApiKey": true}

// operationReads walks op's selections over schema and returns the record
// types it reads, and false when its answers must not be tagged (a type
// in untaggable, or a mutation or subscription). A type missing from
// reads is read as every type, so a new type is coarse until it is
// listed, never stale.
func operationReads(schema *ast.Schema, doc *ast.QueryDocument, op *ast.OperationDefinition) ([]string, bool) {
	if op.Operation != ast.Query {
		return nil, false
	}
	seen := map[string]bool{}
	var types []string
	ok := true
	addType := func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		if untaggable[name] {
			ok = false
			return
		}
		def := schema.Types[name]
		if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum || def.BuiltIn {
			return
		}
		if r, listed := reads[name]; listed {
			types = append(types, r...)
			return
		}
		types = append(types, httpcache.All)
	}
	visited := map[string]bool{} // fragments spread more than once
	var walk func(parent string, set ast.SelectionSet)
	walk = func(parent string, set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				addType(parent)
				if s.Definition == nil || s.Definition.Type == nil {
					continue // __typename and the like
				}
				addType(s.Definition.Type.Name())
				walk(s.Definition.Type.Name(), s.SelectionSet)
			case *ast.InlineFragment:
				on := s.TypeCondition
				if on == "" {
					on = parent
				}
				addType(on)
				walk(on, s.SelectionSet)
			case *ast.FragmentSpread:
				if visited[s.Name] {
					continue
				}
				visited[s.Name] = true
				if f := doc.Fragments.ForName(s.Name); f != nil {
					addType(f.TypeCondition)
					walk(f.TypeCondition, f.SelectionSet)
				}
			}
		}
	}
	walk(schema.Query.Name, op.SelectionSet)
	return types, ok
}
