// Package lists marshals the lists of a GraphQL response for the
// executor gqlgen generates, which calls it in place of
// graphql.MarshalSliceConcurrently: graph/internal/seqlists rewrites the
// calls after every generation, and says why.
package lists

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// Marshal marshals the elements of a list one after another. The
// generated executor calls it wherever gqlgen's template calls
// graphql.MarshalSliceConcurrently, with the same arguments and the same
// outcome: each element is marshalled under a field context that holds its
// index, and one that panics is null in place, with the panic reported as
// an error of its own path, while the rest of the list goes on. The worker
// limit has no use when nothing runs concurrently.
func Marshal(ctx context.Context, length int, _ int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	if length == 0 {
		return ret
	}
	// One allocation for all the elements' contexts and indices, not two
	// for each.
	fcs := make([]graphql.FieldContext, length)
	index := make([]int, length)
	for i := range length {
		index[i] = i
		fcs[i].Index = &index[i]
		elemCtx := graphql.WithFieldContext(ctx, &fcs[i])
		if omitPanicHandler {
			ret[i] = marshalElement(elemCtx, i)
			continue
		}
		ret[i] = marshalRecovering(elemCtx, i, marshalElement)
	}
	return ret
}

// marshalRecovering marshals element i, turning a panic into a null and an
// error, as gqlgen does for each element it marshals.
func marshalRecovering(ctx context.Context, i int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshalElement(ctx, i)
}
