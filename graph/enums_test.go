package graph_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/server"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// An enum value in a query is exactly one of its enum's names, or the
// request is refused naming where it was given and what is allowed: in a
// literal, in a variable for the enum itself and inside a variable for the
// whole argument, for every argument and input field of every enum of the
// schema, found by walking the schema (so an enum added tomorrow is tested
// too).
func TestEnumValuesAreExact(t *testing.T) {
	schema := loadSchema(t)
	srv := httptest.NewServer(server.New(backends[0].Open(t), server.Config{}))
	t.Cleanup(srv.Close)
	c := client{t, srv.URL}

	sites := sitesOf(schema, isEnum)
	if len(sites) == 0 {
		t.Fatal("found no enum argument")
	}
	covered := map[string]bool{}
	for _, s := range sites {
		covered[s.usage] = true
		def := s.enum
		allowed := make([]string, len(def.EnumValues))
		for i, v := range def.EnumValues {
			allowed[i] = v.Name
		}
		good := def.EnumValues[0].Name
		for _, bad := range []string{strings.ToLower(good), "NOT_A_" + strings.ToUpper(def.Name)} {
			refused := func(how, q string, vars map[string]any, names string) {
				t.Helper()
				r := c.query(q, vars)
				if want := wantValueCode(how); r.code() != want {
					t.Errorf("%s, %s %q: code %q (%+v), want %s\n%s", s.usage, how, bad, r.code(), r.Errors, want, q)
					return
				}
				msg := r.Errors[0].Message
				if !strings.Contains(msg, names) || !strings.Contains(msg, strings.Join(allowed, ", ")) || !strings.Contains(msg, bad) {
					t.Errorf("%s, %s %q: message %q does not name %s, the value and the allowed values %v", s.usage, how, bad, msg, names, allowed)
				}
			}
			refused("literal", s.query(enumLiteral(bad), ""), nil, s.arg)
			refused("variable", s.query(variable{}, "$v: "+s.typ.String()), map[string]any{"v": s.json(bad)}, "$v")
			if s.whole != nil {
				refused("variable for the argument", s.queryWhole(), map[string]any{"v": s.wholeJSON(bad)}, "$v")
			}
		}
		for how, r := range map[string]response{
			"literal":  c.query(s.query(enumLiteral(good), ""), nil),
			"variable": c.query(s.query(variable{}, "$v: "+s.typ.String()), map[string]any{"v": s.json(good)}),
		} {
			for _, e := range r.Errors {
				if strings.Contains(e.Message, "allowed values") || e.Extensions["code"] == "GRAPHQL_VALIDATION_FAILED" {
					t.Errorf("%s, %s %s: refused: %s", s.usage, how, good, e.Message)
				}
			}
		}
	}
	// Every usage of an enum in an argument or an input field was tried.
	for _, u := range usagesOf(schema, isEnum) {
		if !covered[u] {
			t.Errorf("%s takes an enum and was not tried", u)
		}
	}
	t.Logf("%d enum sites tried", len(sites))
}

func loadSchema(t *testing.T) *ast.Schema {
	src, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gqlErr != nil {
		t.Fatal(gqlErr)
	}
	return schema
}

// Values of a query under construction: rendered as a GraphQL literal
// and, where no variable sits, as JSON.
type (
	enumLiteral string
	rawLiteral  string // as written in the query
	variable    struct{}
	object      []field // in order, for a stable query
	field       struct {
		name  string
		value any
	}
)

func literal(v any) string {
	switch v := v.(type) {
	case enumLiteral, rawLiteral:
		return fmt.Sprint(v)
	case variable:
		return "$v"
	case string:
		return strconv.Quote(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = literal(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case object:
		parts := make([]string, len(v))
		for i, f := range v {
			parts[i] = f.name + ": " + literal(f.value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return fmt.Sprint(v)
	}
}

func toJSON(v any) any {
	switch v := v.(type) {
	case enumLiteral:
		return string(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toJSON(e)
		}
		return out
	case object:
		out := map[string]any{}
		for _, f := range v {
			out[f.name] = toJSON(f.value)
		}
		return out
	default:
		return v
	}
}

// placeholder is a value of typ that passes validation.
func placeholder(schema *ast.Schema, typ *ast.Type) any {
	if typ.Elem != nil {
		return []any{placeholder(schema, typ.Elem)}
	}
	def := schema.Types[typ.Name()]
	switch def.Kind {
	case ast.Enum:
		return enumLiteral(def.EnumValues[0].Name)
	case ast.InputObject:
		return requiredFields(schema, def, "")
	}
	switch def.Name {
	case "Int":
		return 2024 // a year, the only Int given where one is required
	case "Float":
		return 1.5
	case "Boolean":
		return true
	case "ID":
		return "Area:1"
	case "GeoJSON":
		return object{{"type", "Point"}, {"coordinates", []any{12.9, 57.7}}}
	case "Date":
		return "2024-01-01"
	case "DateTime":
		return "2024-01-01T00:00:00Z"
	case "JSON":
		return object{}
	}
	return "x"
}

// requiredFields fills the fields of def that must be given, but skip.
func requiredFields(schema *ast.Schema, def *ast.Definition, skip string) object {
	var o object
	for _, f := range def.Fields {
		if f.Type.NonNull && f.DefaultValue == nil && f.Name != skip {
			o = append(o, field{f.Name, placeholder(schema, f.Type)})
		}
	}
	return o
}

// site is one place an enum can be given: an argument of a field reached
// by path, or an input field inside it.
type site struct {
	schema *ast.Schema
	usage  string // Type.field(arg) or Input.field
	path   []string
	target *ast.FieldDefinition
	arg    string
	enum   *ast.Definition
	typ    *ast.Type // of the enum position
	// value builds the argument with x at the enum position.
	value func(x any) any
	// whole is the argument's type, when the enum sits inside an input
	// object (a variable for the whole argument is another way in).
	whole *ast.Type
	op    string
}

// json is the JSON of a bad or good name at the enum position.
func (s site) json(name string) any {
	if s.typ.Elem != nil {
		return []any{name}
	}
	return name
}

func (s site) at(name string) any {
	if s.typ.Elem != nil {
		return []any{enumLiteral(name)}
	}
	return enumLiteral(name)
}

func (s site) query(x any, vars string) string {
	if name, ok := x.(enumLiteral); ok {
		x = s.at(string(name))
	}
	return s.build(s.arg+": "+literal(s.value(x)), vars)
}

func (s site) queryWhole() string {
	return s.build(s.arg+": $v", "$v: "+s.whole.String())
}

func (s site) wholeJSON(bad string) any {
	return toJSON(s.value(s.at(bad)))
}

func (s site) build(arg, vars string) string {
	args := []string{arg}
	for _, a := range s.target.Arguments {
		if a.Name != s.arg && a.Type.NonNull && a.DefaultValue == nil {
			args = append(args, a.Name+": "+literal(placeholder(s.schema, a.Type)))
		}
	}
	sel := s.target.Name + "(" + strings.Join(args, ", ") + ")"
	if def := s.schema.Types[s.target.Type.Name()]; def.Kind != ast.Scalar && def.Kind != ast.Enum {
		sel += " { __typename }"
	}
	q := s.op
	if vars != "" {
		q += "(" + vars + ")"
	}
	q += " { "
	for _, p := range s.path {
		q += p + " { "
	}
	q += sel + strings.Repeat(" }", len(s.path)+1)
	return q
}

// reachBy names fields whose placeholder arguments would not find data
// to go on from.
var reachBy = map[string]string{"Query.area": `area(code: "1490")`}

// notThrough names fields that reach many types but data of one only:
// node(id: "Area:1") is an area, so a field of an initiative reached
// through it would never run. Those types are reached by their lists.
var notThrough = map[string]bool{"Query.node": true, "Query.nodes": true}

func isEnum(def *ast.Definition) bool { return def.Kind == ast.Enum }

// sitesOf finds every argument and input field of a type that matches,
// with a way to reach it from Query or Mutation.
func sitesOf(schema *ast.Schema, match func(*ast.Definition) bool) []site {
	var sites []site
	type step struct {
		def  *ast.Definition
		path []string
		op   string
	}
	seen := map[string]bool{}
	queue := []step{{schema.Query, nil, "query"}, {schema.Mutation, nil, "mutation"}}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		if st.def == nil || seen[st.def.Name] {
			continue
		}
		seen[st.def.Name] = true
		if st.def.Kind == ast.Interface || st.def.Kind == ast.Union {
			for _, impl := range schema.GetPossibleTypes(st.def) {
				queue = append(queue, step{impl, append(st.path[:len(st.path):len(st.path)], "... on "+impl.Name), st.op})
			}
		}
		for _, f := range st.def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			for _, a := range f.Arguments {
				base := site{schema: schema, path: st.path, target: f, arg: a.Name, op: st.op}
				positions(schema, match, a.Type, func(x any) any { return x }, st.def.Name+"."+f.Name+"("+a.Name+")", map[string]bool{},
					func(usage string, enum *ast.Definition, typ *ast.Type, value func(any) any, nested bool) {
						s := base
						s.usage, s.enum, s.typ, s.value = usage, enum, typ, value
						if nested {
							s.whole = a.Type
						}
						sites = append(sites, s)
					})
			}
			var args []string
			for _, a := range f.Arguments {
				if a.Type.NonNull && a.DefaultValue == nil {
					args = append(args, a.Name+": "+literal(placeholder(schema, a.Type)))
				}
			}
			sel := f.Name
			if by, ok := reachBy[st.def.Name+"."+f.Name]; ok {
				sel = by
			} else if len(args) > 0 {
				sel += "(" + strings.Join(args, ", ") + ")"
			}
			if notThrough[st.def.Name+"."+f.Name] {
				continue
			}
			if next := schema.Types[f.Type.Name()]; next != nil && (next.Kind == ast.Object || next.Kind == ast.Interface || next.Kind == ast.Union) {
				queue = append(queue, step{next, append(st.path[:len(st.path):len(st.path)], sel), st.op})
			}
		}
	}
	return sites
}

// positions calls found for every position of a matching type in a value
// of typ, with the function that puts a value there.
func positions(schema *ast.Schema, match func(*ast.Definition) bool, typ *ast.Type, wrap func(any) any, usage string, inside map[string]bool,
	found func(usage string, enum *ast.Definition, typ *ast.Type, value func(any) any, nested bool)) {
	def := schema.Types[typ.Name()]
	switch {
	case match(def):
		found(usage, def, typ, wrap, len(inside) > 0)
	case def.Kind == ast.InputObject:
		if inside[def.Name] {
			return
		}
		in := map[string]bool{def.Name: true}
		for k := range inside {
			in[k] = true
		}
		for _, f := range def.Fields {
			f := f
			put := func(x any) any {
				o := append(requiredFields(schema, def, f.Name), field{f.Name, x})
				if typ.Elem != nil {
					return wrap([]any{o})
				}
				return wrap(o)
			}
			positions(schema, match, f.Type, put, def.Name+"."+f.Name, in, found)
		}
	}
}

// usagesOf lists every argument and input field of a matching type, as
// sitesOf names them.
func usagesOf(schema *ast.Schema, match func(*ast.Definition) bool) []string {
	var out []string
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if def.Kind == ast.InputObject {
				if match(schema.Types[f.Type.Name()]) {
					out = append(out, name+"."+f.Name)
				}
				continue
			}
			for _, a := range f.Arguments {
				if match(schema.Types[a.Type.Name()]) {
					out = append(out, name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// No String or ID a request gives holds a NUL character: PostGIS cannot
// take one, so the edge refuses it for every backend alike, in literals
// and in variables, wherever the schema takes text (found by walking it).
func TestTextWithNULIsRefused(t *testing.T) {
	schema := loadSchema(t)
	sites := sitesOf(schema, func(d *ast.Definition) bool { return d.Name == "String" || d.Name == "ID" })
	if len(sites) == 0 {
		t.Fatal("found no String argument")
	}
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		for _, s := range sites {
			var lit, js any = rawLiteral(`"Nor\u0000rby"`), "Nor\x00rby"
			if s.typ.Elem != nil {
				lit, js = []any{lit}, []any{js}
			}
			for how, r := range map[string]response{
				"literal":  c.query(s.build(s.arg+": "+literal(s.value(lit)), ""), nil),
				"variable": c.query(s.query(variable{}, "$v: "+s.typ.String()), map[string]any{"v": js}),
			} {
				if want := wantValueCode(how); r.code() != want || !strings.Contains(r.Errors[0].Message, "NUL") {
					t.Errorf("%s, %s: %s (%+v), want %s saying NUL", s.usage, how, r.code(), r.Errors, want)
				}
			}
		}
	})
}

// wantValueCode is the code of a refused value: in the query's text it
// makes the document invalid (GRAPHQL_VALIDATION_FAILED, as Apollo Server
// answers it); in a variable the document is fine and the input is not
// (BAD_USER_INPUT).
func wantValueCode(how string) string {
	if how == "literal" {
		return "GRAPHQL_VALIDATION_FAILED"
	}
	return db.EINVALID
}
