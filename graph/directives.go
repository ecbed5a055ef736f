package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
)

// authDirective implements @auth(requires:). gqlgen runs it around the
// field's resolver, after the arguments are read and before the resolver
// is called, so a caller without the role is refused before anything is
// looked up: the refusal is the same whether the record named exists or
// not. NewHandler sets it as the directive's hook; an executor built
// without it fails closed, answering every field that carries @auth with
// "directive auth is not implemented".
func authDirective(ctx context.Context, _ any, next graphql.Resolver, requires db.Role) (any, error) {
	if err := auth.Require(ctx, requires); err != nil {
		return nil, err
	}
	return next(ctx)
}
