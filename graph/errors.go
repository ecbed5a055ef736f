package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
	"github.com/vektah/gqlparser/v2/ast"
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
			if dbErr.Field != "" {
				// The input field the error is about, for a form to show
				// the message beside it.
				gqlErr.Extensions["field"] = dbErr.Field
			}
		case errors.Is(err, context.DeadlineExceeded):
			gqlErr.Message = "the request took too long"
			setCode(gqlErr, db.EUNAVAILABLE)
		case errors.Is(err, context.Canceled):
			gqlErr.Message = "the request was cancelled"
			setCode(gqlErr, db.EUNAVAILABLE)
		case isRequestError(gqlErr):
			// Parse and validation errors from gqlgen itself: the query
			// is the client's, and so is the mistake.
			setCode(gqlErr, requestErrorCode(gqlErr))
			explainEnumVariable(gqlErr)
			explainNumberVariable(gqlErr)
			explainOperationNotFound(ctx, gqlErr)
			explainNoOperation(gqlErr)
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

// The codes of errors in the request itself, as Apollo Server and most
// GraphQL servers and clients name them: a query that does not parse, and
// one that parses but does not fit the schema.
const (
	codeParseFailed      = "GRAPHQL_PARSE_FAILED"
	codeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
)

// requestErrorCode is the code of an error in the request itself. Parse
// and validation errors keep the codes GraphQL clients look for (Apollo's
// onError links, urql's exchanges), and a persisted query the server does
// not know keeps the code of that protocol, which its clients wait for to
// send the query's text. A variable whose value does not fit its type is
// BAD_USER_INPUT, as Apollo Server has it and as a bad argument value is
// here: the query is fine, the input is not. gqlgen files variable errors
// under validation; their path starts at "variable".
func requestErrorCode(e *gqlerror.Error) string {
	code, _ := e.Extensions["code"].(string)
	switch {
	case code == persistedQueryNotFound || code == codeParseFailed:
		return code
	case code == codeValidationFailed && !isVariableError(e):
		return code
	default:
		return db.EINVALID
	}
}

func isVariableError(e *gqlerror.Error) bool {
	if len(e.Path) == 0 {
		return false
	}
	name, ok := e.Path[0].(ast.PathName)
	return ok && name == "variable"
}

// isRequestError tells gqlgen's own errors about the request (parse and
// validation) from errors raised while executing it.
func isRequestError(e *gqlerror.Error) bool {
	code, _ := e.Extensions["code"].(string)
	return code == codeParseFailed || code == codeValidationFailed || (e.Err == nil && e.Path == nil)
}

// recoverPanic turns a panic in a resolver into an INTERNAL error for that
// request only, and logs where it happened.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "path", graphql.GetPath(ctx).String())
		return errors.New("panic in resolver")
	}
}
