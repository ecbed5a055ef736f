package graph

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/graph/generated"
	"github.com/areagraph/areagraph/internal/bytecache"
)

const internalTree = `query($id: ID!) { area(id: $id) { id initiatives(first: 2) { nodes { id } } } }`

func operation(t *testing.T, exec *executor.Executor, query string) *graphql.OperationContext {
	t.Helper()
	ctx := graphql.StartOperationTrace(context.Background())
	op, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: map[string]any{"id": "Area:1"}})
	if errs != nil {
		t.Fatal(errs)
	}
	return op
}

// An operation is planned once while the query cache keeps its document.
func TestTreePlansAreKeptPerDocument(t *testing.T) {
	exec := executor.New(generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{Store: memory.New()}}))
	exec.SetQueryCache(bytecache.New(10, 1<<20, documentBytes))
	var plans treePlans
	first := plans.get(operation(t, exec, internalTree))
	if first == nil {
		t.Fatal("not planned as a tree")
	}
	if again := plans.get(operation(t, exec, internalTree)); again != first {
		t.Error("planned again for the same document")
	}
	if p := plans.get(operation(t, exec, `{ area(code: "x") { id } }`)); p != nil {
		t.Errorf("the code: form planned as a tree: %+v", p)
	}
}

// The plans keep no document alive, and leave with theirs.
func TestTreePlansLeaveWithTheirDocuments(t *testing.T) {
	exec := executor.New(generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{Store: memory.New()}}))
	var plans treePlans
	for range 5 {
		plans.get(operation(t, exec, internalTree)) // no query cache: a document each
	}
	held := func() int {
		plans.mu.Lock()
		defer plans.mu.Unlock()
		return len(plans.plans)
	}
	if n := held(); n != 5 {
		t.Fatalf("%d plans held, want 5", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for held() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d plans still held after their documents were dropped", held())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}
