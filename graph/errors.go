package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// presentError gives every error one code from the domain's vocabulary in
// extensions.code. Domain errors keep their message; anything else is
// internal: its detail goes to the log and the client sees only a generic
// message, so no SQL, driver text or stack trace ever leaves the server.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var dbErr *db.Error
		switch {
		case errors.As(err, &dbErr):
			gqlErr.Message = dbErr.Message
			setCode(gqlErr, dbErr.Code)
		case errors.Is(err, context.DeadlineExceeded):
			gqlErr.Message = "the request took too long"
			setCode(gqlErr, db.EUNAVAILABLE)
		case errors.Is(err, context.Canceled):
			gqlErr.Message = "the request was cancelled"
			setCode(gqlErr, db.EUNAVAILABLE)
		case isRequestError(gqlErr):
			// Parse and validation errors from gqlgen itself: the query
			// is the client's, and so is the mistake. A persisted query
			// the server does not know keeps the code of that protocol,
			// which its clients wait for to send the query's text.
			if code, _ := gqlErr.Extensions["code"].(string); code != persistedQueryNotFound {
				setCode(gqlErr, db.EINVALID)
			}
			explainEnumVariable(gqlErr)
			explainNumberVariable(gqlErr)
			explainOperationNotFound(ctx, gqlErr)
		default:
			log.ErrorContext(ctx, "internal error", "error", err, "path", gqlErr.Path.String())
			gqlErr.Message = "internal error"
			gqlErr.Extensions = nil
			setCode(gqlErr, db.EINTERNAL)
		}
		return gqlErr
	}
}

// persistedQueryNotFound is the code of the automatic persisted queries
// protocol for a hash the server has not seen (or has forgotten).
const persistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// isRequestError tells gqlgen's own errors about the request (parse and
// validation) from errors raised while executing it.
func isRequestError(e *gqlerror.Error) bool {
	code, _ := e.Extensions["code"].(string)
	return code == "GRAPHQL_PARSE_FAILED" || code == "GRAPHQL_VALIDATION_FAILED" || (e.Err == nil && e.Path == nil)
}

// recoverPanic turns a panic in a resolver into an INTERNAL error for that
// request only, and logs where it happened.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "path", graphql.GetPath(ctx).String())
		return errors.New("panic in resolver")
	}
}
