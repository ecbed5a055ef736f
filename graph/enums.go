package graph

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph/generated"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Enum values are checked here, once for every enum of the schema, and not
// where gqlgen decodes them. The enums are bound to db's string types
// (db.Sex, db.AreaKind …), and the generated decoders look a name up in a
// map without asking whether it is there: whatever validation lets through
// arrives as "". gqlparser checks literals exactly, but variables only up
// to case ("female" passes as a Sex), and its messages name no allowed
// values. Decoders of our own would mean either GraphQL names in db (which
// knows nothing of GraphQL) or a graph/model twin of every enum with
// conversions in every resolver; a check of the request against the schema
// needs neither, covers every argument and input field of every enum the
// schema will ever have, and refuses before any resolver runs:
//
//   - literals, in the validation rules (validationRules), which are
//     cached with the parsed query;
//   - variables, after gqlparser has coerced them (enumVariables);
//   - and gqlparser's own refusal of an unknown name in a variable is
//     reworded to the same message (explainEnumVariable).
//
// The same walks refuse a NUL character in any String or ID: PostgreSQL's
// text cannot hold one, so a read that passed it on was refused by PostGIS
// and answered by the embedded store; the contract keeps NUL out of
// records (db's checkText), and the edge keeps it out of questions.

// validationRules are gqlparser's rules with the enum literals judged by
// enumLiterals instead of ValuesOfCorrectType.
func validationRules() *rules.Rules {
	r := rules.NewDefaultRules()
	r.ReplaceRule(rules.ValuesOfCorrectTypeRule.Name, enumLiterals)
	return r
}

// ownsEnumLiteral tells the values enumLiterals judges: a single value
// (not a variable, not null) where the schema expects one enum value.
func ownsEnumLiteral(v *ast.Value) bool {
	return v != nil && v.Definition != nil && v.Definition.Kind == ast.Enum &&
		v.ExpectedType != nil && v.ExpectedType.Elem == nil &&
		v.Kind != ast.Variable && v.Kind != ast.NullValue
}

// enumLiterals runs ValuesOfCorrectType for every value but the enum
// values it owns, and judges those itself, naming the argument or input
// field and the allowed values.
func enumLiterals(observers *core.Events, addError core.AddErrFunc) {
	// Handlers of one value run one after the other, ours first: current
	// is the value ValuesOfCorrectType is looking at when it adds an error.
	var current *ast.Value
	observers.OnValue(func(_ *core.Walker, v *ast.Value) { current = v })
	rules.ValuesOfCorrectTypeRule.RuleFunc(observers, func(opts ...core.ErrorOption) {
		if !ownsEnumLiteral(current) {
			addError(opts...)
		}
	})
	// A fragment is walked where it is spread and on its own: each value
	// is judged once.
	seen := map[*ast.Value]bool{}
	check := func(schema *ast.Schema, typ *ast.Type, v *ast.Value, where string) {
		walkLiteral(schema, typ, v, where, func(v *ast.Value, def *ast.Definition, where string) {
			if seen[v] {
				return
			}
			seen[v] = true
			msg := nulMessage(where)
			if def.Kind == ast.Enum {
				msg = enumMessage(where, v.String(), def)
			}
			addError(core.Message("%s", msg), core.At(v.Position))
		})
	}
	observers.OnField(func(w *core.Walker, f *ast.Field) {
		if f.Definition == nil {
			return
		}
		for _, a := range f.Arguments {
			if def := f.Definition.Arguments.ForName(a.Name); def != nil {
				check(w.Schema, def.Type, a.Value, fmt.Sprintf("argument %s of %s", a.Name, f.Name))
			}
		}
	})
	observers.OnDirective(func(w *core.Walker, d *ast.Directive) {
		if d.Definition == nil {
			return
		}
		for _, a := range d.Arguments {
			if def := d.Definition.Arguments.ForName(a.Name); def != nil {
				check(w.Schema, def.Type, a.Value, fmt.Sprintf("argument %s of @%s", a.Name, d.Name))
			}
		}
	})
	observers.OnOperation(func(w *core.Walker, op *ast.OperationDefinition) {
		for _, vd := range op.VariableDefinitions {
			if vd.DefaultValue != nil {
				check(w.Schema, vd.Type, vd.DefaultValue, "the default of variable $"+vd.Variable)
			}
		}
	})
}

// walkLiteral calls bad for every enum position of the literal v, of type
// typ, whose value is not a name of its enum, and for every String or ID
// that holds a NUL character.
func walkLiteral(schema *ast.Schema, typ *ast.Type, v *ast.Value, where string, bad func(*ast.Value, *ast.Definition, string)) {
	if v == nil || typ == nil || v.Kind == ast.Variable || v.Kind == ast.NullValue {
		return
	}
	if typ.Elem != nil {
		if v.Kind != ast.ListValue {
			// One value where a list is expected is a list of one.
			walkLiteral(schema, typ.Elem, v, where, bad)
			return
		}
		for i, c := range v.Children {
			walkLiteral(schema, typ.Elem, c.Value, where+"["+strconv.Itoa(i)+"]", bad)
		}
		return
	}
	def := schema.Types[typ.Name()]
	switch {
	case def == nil:
	case def.Kind == ast.Enum:
		if v.Kind != ast.EnumValue || def.EnumValues.ForName(v.Raw) == nil {
			bad(v, def, where)
		}
	case isText(def):
		if v.Kind == ast.StringValue && strings.IndexByte(v.Raw, 0) >= 0 {
			bad(v, def, where)
		}
	case def.Kind == ast.InputObject && v.Kind == ast.ObjectValue:
		for _, c := range v.Children {
			if f := def.Fields.ForName(c.Name); f != nil {
				walkLiteral(schema, f.Type, c.Value, where+"."+c.Name, bad)
			}
		}
	}
}

// enumMessage says what is wrong with a value given for an enum, and what
// would be right.
func enumMessage(where, got string, def *ast.Definition) string {
	names := make([]string, len(def.EnumValues))
	for i, v := range def.EnumValues {
		names[i] = v.Name
	}
	return fmt.Sprintf("%s: %s is not a value of %s; allowed values (exactly so, in capitals): %s",
		where, got, def.Name, strings.Join(names, ", "))
}

// isText tells the scalars that are text on their way to a store.
func isText(def *ast.Definition) bool {
	return def.Kind == ast.Scalar && (def.Name == "String" || def.Name == "ID")
}

func nulMessage(where string) string {
	return where + ": text must not contain a NUL character"
}

// enumVariables refuses a variable that holds, anywhere, a value for an
// enum that is not exactly one of its names, or text with a NUL character.
type enumVariables struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = enumVariables{}

func (enumVariables) ExtensionName() string                   { return "EnumVariables" }
func (enumVariables) Validate(graphql.ExecutableSchema) error { return nil }

func (enumVariables) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	for _, vd := range op.Operation.VariableDefinitions {
		v, ok := op.Variables[vd.Variable]
		if !ok {
			continue
		}
		if err := checkVariable(theSchema(), vd.Type, v, ast.Path{ast.PathName("variable"), ast.PathName(vd.Variable)}); err != nil {
			return err
		}
	}
	return nil
}

// theSchema is the schema the executor serves, parsed once.
var theSchema = sync.OnceValue(func() *ast.Schema {
	return generated.NewExecutableSchema(generated.Config{}).Schema()
})

// checkVariable walks the coerced value v of type typ, at path, and
// refuses the first enum value that is not exactly a name of its enum, or
// text with a NUL character.
func checkVariable(schema *ast.Schema, typ *ast.Type, v any, path ast.Path) *gqlerror.Error {
	if v == nil || typ == nil {
		return nil
	}
	if typ.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			return checkVariable(schema, typ.Elem, v, path)
		}
		for i, e := range list {
			if err := checkVariable(schema, typ.Elem, e, append(path[:len(path):len(path)], ast.PathIndex(i))); err != nil {
				return err
			}
		}
		return nil
	}
	def := schema.Types[typ.Name()]
	switch {
	case def == nil:
	case def.Kind == ast.Enum:
		s, ok := v.(string)
		if !ok || def.EnumValues.ForName(s) == nil {
			got := fmt.Sprint(v)
			if ok {
				got = strconv.Quote(s)
			}
			e := db.Errorf(db.EINVALID, "%s", enumMessage(variableWhere(path), got, def))
			return &gqlerror.Error{Message: e.Message, Err: e, Path: path}
		}
	case isText(def):
		if s, ok := v.(string); ok && strings.IndexByte(s, 0) >= 0 {
			e := db.Errorf(db.EINVALID, "%s", nulMessage(variableWhere(path)))
			return &gqlerror.Error{Message: e.Message, Err: e, Path: path}
		}
	case def.Kind == ast.InputObject:
		obj, _ := v.(map[string]any)
		for _, f := range def.Fields {
			if err := checkVariable(schema, f.Type, obj[f.Name], append(path[:len(path):len(path)], ast.PathName(f.Name))); err != nil {
				return err
			}
		}
	}
	return nil
}

// variableWhere names a place in a variable as a client wrote it:
// variable $filter.kinds[1] for the path variable.filter.kinds.1.
func variableWhere(path ast.Path) string {
	var b strings.Builder
	b.WriteString("variable $")
	for i, el := range path[1:] {
		switch el := el.(type) {
		case ast.PathName:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(el))
		case ast.PathIndex:
			b.WriteString("[" + strconv.Itoa(int(el)) + "]")
		}
	}
	return b.String()
}

// notAValid is gqlparser's refusal of a name that is no value of the
// variable's enum, even up to case.
var notAValid = regexp.MustCompile(`^(.*) is not a valid (\w+)$`)

// explainEnumVariable rewords gqlparser's refusal of an unknown enum value
// in a variable to the message enumVariables gives a name in the wrong
// case, which says where and what is allowed. Other errors it leaves.
func explainEnumVariable(e *gqlerror.Error) {
	if len(e.Path) < 2 || e.Path[0] != ast.PathName("variable") {
		return
	}
	m := notAValid.FindStringSubmatch(e.Message)
	if m == nil {
		return
	}
	if def := theSchema().Types[m[2]]; def != nil && def.Kind == ast.Enum {
		e.Message = enumMessage(variableWhere(e.Path), strconv.Quote(m[1]), def)
	}
}
