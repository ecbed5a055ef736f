package graph

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/graph/generated"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// documentBytes must count at least what a parsed and validated query
// keeps on the heap, for the densest queries the limits admit, or the
// cache's budget would not bound its memory. Measured on many copies, so
// that the collector's noise averages out.
func TestDocumentBytesIsAnUpperBound(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
	each := func(n int, f func(b *strings.Builder, i int)) string {
		var b strings.Builder
		for i := range n {
			f(&b, i)
		}
		return b.String()
	}
	for name, q := range map[string]string{
		"aliases":     "{" + each(900, func(b *strings.Builder, i int) { fmt.Fprintf(b, " a%d: __typename", i) }) + " }",
		"plain ids":   "{ areas { nodes {" + strings.Repeat(" id", 990) + " } } }",
		"list values": `{ coverage(areas: [` + strings.Repeat(`"1",`, 3000) + `]) { __typename } }`,
		"spreads":     "fragment F on Query { __typename }\n{" + strings.Repeat(" ...F", 990) + " }",
		"arguments":   "{" + each(300, func(b *strings.Builder, i int) { fmt.Fprintf(b, " a%d: areas(first: 1) { totalCount }", i) }) + " }",
	} {
		t.Run(name, func(t *testing.T) {
			const copies = 20
			docs := make([]*ast.QueryDocument, copies)
			texts := make([]string, copies)
			for i := range texts {
				texts[i] = q + fmt.Sprintf(" # %d", i) // each its own text, as cache keys are
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for i := range docs {
				doc, err := parser.ParseQuery(&ast.Source{Input: texts[i]})
				if err != nil {
					t.Fatal(err)
				}
				validator.ValidateWithRules(schema, doc, nil)
				docs[i] = doc
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			kept := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / copies
			estimate := documentBytes(texts[0], docs[0])
			t.Logf("%d bytes kept, %d estimated", kept, estimate)
			if estimate < kept {
				t.Fatalf("documentBytes says %d bytes, the document keeps %d", estimate, kept)
			}
			runtime.KeepAlive(docs)
			runtime.KeepAlive(texts)
		})
	}
}
