package graph

import (
	"slices"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph/generated"
	"github.com/areagraph/areagraph/internal/httpcache"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestEveryTypeSaysWhatItReads fails until a new object, interface or
// union type of the schema is listed in reads (or untaggable): unlisted,
// it is read as every record type, which is never stale but retires
// every kept answer that shows it at each write.
func TestEveryTypeSaysWhatItReads(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") || def.Kind == ast.Scalar || def.Kind == ast.Enum || def.Kind == ast.InputObject {
			continue
		}
		if name == schema.Mutation.Name || schema.Subscription != nil && name == schema.Subscription.Name || strings.HasSuffix(name, "Payload") {
			continue // never tagged: only queries are
		}
		if _, ok := reads[name]; !ok && !untaggable[name] {
			t.Errorf("type %s: say in reads.go which record types its fields read", name)
		}
	}
	for name, types := range reads {
		if schema.Types[name] == nil {
			t.Errorf("reads lists %s, which the schema does not have", name)
		}
		for _, typ := range types {
			if typ != httpcache.All && !slices.Contains(db.ChangeTypes, typ) {
				t.Errorf("reads says %s reads %s, which is no type of the change feed", name, typ)
			}
		}
	}
}

func TestOperationReads(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	for _, c := range []struct {
		query string
		want  []string
		ok    bool
	}{
		{`{ indicators { code name } }`, []string{db.TypeIndicator}, true},
		{`{ initiatives(first: 2) { nodes { id title } } }`, []string{db.TypeInitiative}, true},
		{`{ area(code: "1490") { name initiatives { totalCount } } }`, []string{db.TypeArea, db.TypeInitiative}, true},
		{`{ initiatives { nodes { lead { name } } } }`, []string{db.TypeAssociation, db.TypeEmployer, db.TypeInitiative}, true},
		{`query { ...F } fragment F on Query { indicators { code } }`, []string{db.TypeIndicator}, true},
		{`{ node(id: "Area:1") { ... on Area { name } } }`, []string{db.TypeArea, db.TypeAssociation, db.TypeEmployer, db.TypeIndicator, db.TypeInitiative}, true},
		{`{ auditLog(first: 1) { nodes { at } } }`, []string{httpcache.All}, true},
		{`{ apiKeys { id } }`, nil, false},
		{`{ __typename }`, nil, true},
		{`mutation { deleteArea(input: {id: "Area:1", version: 1}) { __typename } }`, nil, false},
	} {
		doc, errs := gqlparser.LoadQuery(schema, c.query)
		if errs != nil {
			t.Fatalf("%s: %v", c.query, errs)
		}
		got, ok := operationReads(schema, doc, doc.Operations[0])
		slices.Sort(got)
		got = slices.Compact(got)
		if ok != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("%s: reads %v, %v; want %v, %v", c.query, got, ok, c.want, c.ok)
		}
	}
}
