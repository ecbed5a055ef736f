package graph

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// The caches in front of parsing and of persisted queries are bounded by
// bytes, as bytecache counts them with these estimates: their keys are
// query texts chosen by anonymous clients, and a count of entries alone
// let forty large queries take 300 MiB.

// nodeBytes is what one node of a parsed, validated query keeps on the
// heap, at most: measured (runtime.MemStats after GC, gqlparser 2.5) at
// about 400 bytes for an aliased field, 190 for a plain one, 220 for a
// value in a list and 160 for a fragment spread, with their positions;
// counted with a margin, since the densest queries (all aliases) come
// within a few per cent of it (TestDocumentBytesIsAnUpperBound).
const nodeBytes = 450

// entryBytes is what the cache itself spends on an entry: its list
// element, map slot and key header.
const entryBytes = 128

// documentBytes estimates the heap a parsed query keeps: its text, which
// the positions in the document point into, and its nodes.
func documentBytes(query string, doc *ast.QueryDocument) int64 {
	return int64(len(query)) + entryBytes + nodeBytes*int64(documentNodes(doc))
}

// persistedBytes is what a persisted query keeps: its hash and its text.
func persistedBytes(hash, query string) int64 {
	return int64(len(hash)+len(query)) + entryBytes
}

// documentNodes counts the nodes of a document: operations, fragments,
// variables, directives, selections, arguments and values.
func documentNodes(doc *ast.QueryDocument) int {
	n := 0
	var values func(v *ast.Value)
	values = func(v *ast.Value) {
		if v == nil {
			return
		}
		n++
		for _, c := range v.Children {
			values(c.Value)
		}
	}
	directives := func(ds ast.DirectiveList) {
		for _, d := range ds {
			n++
			for _, a := range d.Arguments {
				n++
				values(a.Value)
			}
		}
	}
	var selections func(set ast.SelectionSet)
	selections = func(set ast.SelectionSet) {
		for _, sel := range set {
			n++
			switch s := sel.(type) {
			case *ast.Field:
				for _, a := range s.Arguments {
					n++
					values(a.Value)
				}
				directives(s.Directives)
				selections(s.SelectionSet)
			case *ast.InlineFragment:
				directives(s.Directives)
				selections(s.SelectionSet)
			case *ast.FragmentSpread:
				directives(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		n++
		for _, v := range op.VariableDefinitions {
			n++
			values(v.DefaultValue)
			directives(v.Directives)
		}
		directives(op.Directives)
		selections(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n++
		directives(f.Directives)
		selections(f.SelectionSet)
	}
	return n
}
