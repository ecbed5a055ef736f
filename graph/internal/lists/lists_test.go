package lists

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Marshal stands in for graphql.MarshalSliceConcurrently in the
// generated executor, so it must give the same outcome: every element
// marshalled under its own index, and a panicking one null in place with
// an error on its path, the rest of the list intact.
func TestMarshalList(t *testing.T) {
	// graph's recover function, less its log line.
	recoverPanic := func(context.Context, any) error { return errors.New("panic in resolver") }
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, recoverPanic)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "nodes"}}})
	var paths []string
	got := Marshal(ctx, 4, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		paths = append(paths, graphql.GetPath(ctx).String())
		if i == 2 {
			panic("element 2 is broken")
		}
		return graphql.MarshalInt(i * 10)
	})
	var buf bytes.Buffer
	got.MarshalGQL(&buf)
	if buf.String() != "[0,10,null,30]" {
		t.Errorf("marshalled %s, want [0,10,null,30]", buf.String())
	}
	if want := "[nodes[0] nodes[1] nodes[2] nodes[3]]"; fmt.Sprint(paths) != want {
		t.Errorf("paths %v, want %s", paths, want)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 || errs[0].Path.String() != "nodes[2]" || errs[0].Message != "panic in resolver" {
		t.Errorf("errors %v, want one panic at nodes[2]", errs)
	}
	if n := len(Marshal(ctx, 0, 0, false, nil)); n != 0 {
		t.Errorf("an empty list marshalled to %d elements", n)
	}
}

// An executor run without Buffers keeps a buffer of its own; one run with
// them is lent buffers that Release gives back, and a buffer lent again
// starts empty.
func TestBufferLentAndGivenBack(t *testing.T) {
	own := Buffer(context.Background())
	own.WriteString("kept")
	if Buffer(context.Background()) == own {
		t.Fatal("a buffer without Buffers was shared")
	}
	b := new(Buffers)
	ctx := WithBuffers(context.Background(), b)
	lent := Buffer(ctx)
	lent.WriteString(`{"a":1}`)
	if len(b.lent) != 1 || b.lent[0] != lent {
		t.Fatalf("lent %v, want the buffer given", b.lent)
	}
	b.Release()
	if len(b.lent) != 0 {
		t.Fatalf("after Release, still lent %d", len(b.lent))
	}
	if again := Buffer(ctx); again.Len() != 0 {
		t.Fatalf("a buffer lent again holds %q", again.String())
	}
	if own.String() != "kept" {
		t.Fatalf("the executor's own buffer holds %q", own.String())
	}
}
