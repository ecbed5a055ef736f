package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/graph/generated"
)

// @auth is a hook of the generated executor, which NewHandler sets. An
// executor built without it must refuse the fields that carry @auth, even
// to an admin, rather than serve them to anyone.
func TestAuthFailsClosedWithoutItsHook(t *testing.T) {
	exec := executor.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{Store: memory.New()}}))
	ctx := auth.WithActor(context.Background(), db.Actor{ID: "admin", Role: db.RoleAdmin})
	ctx = graphql.StartOperationTrace(ctx)
	op, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: `{ apiKeys { name } }`})
	if errs != nil {
		t.Fatal(errs)
	}
	responses, ctx := exec.DispatchOperation(ctx, op)
	resp := responses(ctx)
	if len(resp.Errors) != 1 || !strings.Contains(resp.Errors[0].Message, "directive auth is not implemented") {
		t.Fatalf("errors %v, want the field refused", resp.Errors)
	}
	if string(resp.Data) != `{"apiKeys":null}` {
		t.Errorf("data %s, want apiKeys null", resp.Data)
	}
}
