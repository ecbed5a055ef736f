package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// queryBounds refuses, before gqlparser validates it, a query longer than
// maxTokens tokens or with more than maxSelections selections. Parsing is
// linear in the tokens, but validation is not: its rule that fields of one
// name can be merged compares them in pairs, and { __typename ×12000 }
// (132 KB) took 31 s of one core. Counting the selections of the parsed
// document is linear, so refusing costs what parsing does and no more, and
// what is admitted validates in a fraction of a second at worst.
//
// A query the cache holds has passed before and is not looked at again.
// The document parsed here is left on the context for getGuard.
type queryBounds struct {
	cache                    graphql.Cache[*ast.QueryDocument]
	maxTokens, maxSelections int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = queryBounds{}

func (queryBounds) ExtensionName() string                   { return "QueryBounds" }
func (queryBounds) Validate(graphql.ExecutableSchema) error { return nil }

func (b queryBounds) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if _, ok := b.cache.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, b.maxTokens)
	if err != nil {
		if e, ok := err.(*gqlerror.Error); ok && strings.HasPrefix(e.Message, "exceeded token limit") {
			return refusal(nil,
				"the query is longer than the limit of %d tokens (names, values and punctuation); send large values such as geometries as variables",
				b.maxTokens)
		}
		return nil // the executor reports the syntax error
	}
	if n, first := countSelections(doc, b.maxSelections); n > b.maxSelections {
		return refusal(first,
			"the query has more than %d selections, the limit: every field (aliases included), inline fragment and fragment spread counts one; split it into smaller queries",
			b.maxSelections)
	}
	if held, ok := ctx.Value(parsedKey{}).(*parsedQuery); ok {
		held.query, held.doc = p.Query, doc
	}
	return nil
}

// countSelections counts the selections written in doc, in its operations
// and its fragments, stopping past limit; first is where the one past the
// limit stands.
func countSelections(doc *ast.QueryDocument, limit int) (n int, first *ast.Position) {
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			if n > limit {
				return
			}
			n++
			if n > limit {
				first = sel.GetPosition()
				return
			}
			switch s := sel.(type) {
			case *ast.Field:
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet)
	}
	return n, first
}

// parsedKey keys a *parsedQuery on the context of a request, which the
// handler puts there so that the query is parsed once before validation.
type parsedKey struct{}

type parsedQuery struct {
	query string
	doc   *ast.QueryDocument
}

// parsedDocument is the document of query: cached, parsed by queryBounds,
// or parsed now.
func parsedDocument(ctx context.Context, cache graphql.Cache[*ast.QueryDocument], query string) (*ast.QueryDocument, error) {
	if doc, ok := cache.Get(ctx, query); ok {
		return doc, nil
	}
	if held, ok := ctx.Value(parsedKey{}).(*parsedQuery); ok && held.doc != nil && held.query == query {
		return held.doc, nil
	}
	return parser.ParseQuery(&ast.Source{Input: query})
}
