package graph

import (
	"context"
	"fmt"
	"github.com/areagraph/areagraph/db"
	"math"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// gqlparser and gqlgen word some refusals of a request in terms of their
// own workings ("cannot use value 0 as Int" for 1e308, "operation  not
// found" when no operationName was given). These rewordings say what the
// client did wrong and how to put it right; the code stays BAD_USER_INPUT.

// notANumber is gqlparser's refusal of a variable's number: a JSON number
// that does not fit (value 0 is what it made of 1e308), or, inside an
// input object, any number it could not read ("cannot use string as Int").
var notANumber = regexp.MustCompile(`^cannot use (?:value .*|\w+) as (Int|Float)$`)

// numberMeaning says what an Int and a Float are.
var numberMeaning = map[string]string{
	"Int":   fmt.Sprintf("an Int, a whole number from %d to %d", math.MinInt32, math.MaxInt32),
	"Float": "a Float, a finite number",
}

// explainNumberVariable rewords gqlparser's refusal of a number given in a
// variable; other errors it leaves.
func explainNumberVariable(e *gqlerror.Error) {
	if len(e.Path) < 2 || e.Path[0] != ast.PathName("variable") {
		return
	}
	if m := notANumber.FindStringSubmatch(e.Message); m != nil {
		e.Message = fmt.Sprintf("%s: the value is not %s", variableWhere(e.Path), numberMeaning[m[1]])
	}
}

// explainOperationNotFound rewords gqlgen's refusal of a request whose
// operationName names no operation of the document, or that names none
// where the document holds several.
func explainOperationNotFound(ctx context.Context, e *gqlerror.Error) {
	if !graphql.HasOperationContext(ctx) {
		return
	}
	op := graphql.GetOperationContext(ctx)
	if op == nil || op.Doc == nil || e.Message != "operation "+op.OperationName+" not found" {
		return
	}
	names := make([]string, 0, len(op.Doc.Operations))
	for _, o := range op.Doc.Operations {
		// An unnamed operation is only ever alone in a valid document;
		// it is told as such, not as an empty name.
		if o.Name == "" {
			names = append(names, "one unnamed "+string(o.Operation)+": leave operationName out")
			continue
		}
		names = append(names, o.Name)
	}
	switch {
	case len(names) == 0:
		e.Message = "the document holds no operation, only fragments: send a query, mutation or subscription"
	case op.OperationName == "":
		e.Message = fmt.Sprintf("the document holds %d operations (%s): say which one to run in operationName",
			len(names), strings.Join(names, ", "))
	default:
		e.Message = fmt.Sprintf("operationName %q names no operation of the document; it holds %s",
			op.OperationName, strings.Join(names, ", "))
	}
	// The document may be valid; the request's choice of operation in it
	// is what is wrong, an input like any other.
	setCode(e, db.EINVALID)
}

// explainNoOperation rewords gqlgen's refusal of a document that parses
// but holds no operation: only fragments, or only comments.
func explainNoOperation(e *gqlerror.Error) {
	if e.Message == "no operation provided" {
		e.Message = "the document holds no operation, only fragments or comments: send a query, mutation or subscription"
	}
}
