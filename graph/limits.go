package graph

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits bound what one request may cost. A zero field takes its default.
// Depth, complexity and the page cap are checked on the parsed query,
// before any resolver runs, so a refused request never reaches the store.
type Limits struct {
	// MaxDepth caps how deeply fields nest.
	MaxDepth int
	// MaxComplexity caps a query's complexity: an upper bound of the
	// fields its answer can hold (see complexity).
	MaxComplexity int
	// MaxBodyBytes caps a POST body; a larger one is answered 413.
	MaxBodyBytes int64
	// MaxTokens caps the tokens of a query's text; the parser stops
	// there.
	MaxTokens int
	// MaxSelections caps the selections written in a query: fields
	// (aliases included), inline fragments and fragment spreads. It is
	// checked before validation, whose cost grows with its square.
	MaxSelections int
	// Timeout is the deadline of each request, database queries included.
	// The HTTP server puts it on every request that reads the store;
	// NewHandler leaves it to whoever mounts the handler.
	Timeout time.Duration
}

// Defaults of Limits.
const (
	// DefaultMaxDepth admits the deepest query a map or a report needs
	// (area, its initiatives, their partners, each partner's areas) with
	// room to spare, and stops queries that walk the graph in circles.
	DefaultMaxDepth = 12
	// DefaultMaxComplexity admits 100 areas with 50 initiatives each and a
	// dozen fields per initiative, and refuses a third nested page of 100.
	DefaultMaxComplexity = 250_000
	// DefaultMaxBodyBytes is far beyond any hand-written query, and leaves
	// room for a GeoJSON filter of MaxQueryVertices vertices.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultMaxTokens is eighty times the introspection query GraphiQL
	// sends (180 tokens), and keeps the parsed document of one request to
	// a few MiB. A large geometry goes in a variable, which is not
	// tokenised.
	DefaultMaxTokens = 15_000
	// DefaultMaxSelections is thirteen times the introspection query
	// (77 selections), and what validation checks in a fifth of a second
	// of one core in the worst case measured (a thousand fields of one
	// name, which it compares in pairs).
	DefaultMaxSelections = 1_000
	// DefaultTimeout is how long a request may take, database included.
	DefaultTimeout = 10 * time.Second
)

// The page a paged field returns when neither first nor last is given, as
// page() has it: an area's children come 50 to a page, as a district's
// statistical areas rarely number more; every other list 20.
const (
	defaultPageSize  = 20
	childrenPageSize = 50
)

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxComplexity <= 0 {
		l.MaxComplexity = DefaultMaxComplexity
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if l.MaxTokens <= 0 {
		l.MaxTokens = DefaultMaxTokens
	}
	if l.MaxSelections <= 0 {
		l.MaxSelections = DefaultMaxSelections
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	return l
}

// queryLimits refuses, after validation and before execution, queries too
// deep or too complex, pages beyond MaxFirst, and introspection when it is
// off.
type queryLimits struct {
	maxDepth, maxComplexity int
	introspection           bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = queryLimits{}

func (queryLimits) ExtensionName() string                   { return "QueryLimits" }
func (queryLimits) Validate(graphql.ExecutableSchema) error { return nil }
func (l queryLimits) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	m := measurer{vars: op.Variables, memo: map[fragmentPage]measure{}}
	got := m.selectionSet(op.Operation.SelectionSet, notPaged)
	switch {
	case m.err != nil:
		return m.err
	case m.introspection != nil && !l.introspection:
		return refusal(m.introspection.Position, "introspection is disabled on this server")
	case got.height > l.maxDepth:
		return refusal(op.Operation.Position, "the query nests %d levels deep, more than the depth limit of %d", got.height, l.maxDepth)
	case got.cost > l.maxComplexity:
		return refusal(op.Operation.Position,
			"the query's complexity is %d, more than the complexity limit of %d; every field counts 1 and the items of a page as often as its first asks (or its default), so ask for smaller pages or fewer nested lists",
			got.cost, l.maxComplexity)
	}
	return nil
}

// refusal is a request error: it names the position in the query and
// carries BAD_USER_INPUT through the error presenter.
func refusal(pos *ast.Position, format string, args ...any) *gqlerror.Error {
	e := db.Errorf(db.EINVALID, format, args...)
	g := &gqlerror.Error{Message: e.Message, Err: e}
	if pos != nil {
		g.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	return g
}

// notPaged marks a selection set that is not the inside of a page.
const notPaged = -1

// measure is what a selection set costs and how deep it reaches.
type measure struct {
	cost   int
	height int
}

type fragmentPage struct {
	name string
	page int
}

// measurer walks an operation once for its complexity and depth, checking
// every first on the way.
//
// Complexity is an upper bound of the fields in the answer: every field
// counts 1 plus what its selection costs, and the items of a list count
// once each. A list inside a paged field (the nodes and edges of a
// connection, or a list that takes first itself) has as many items as the
// page asks for; a list without first (an initiative's partners) counts as
// one item, since its length is the data's, not the client's. Fragments
// are measured once per page size, so a query that spreads fragments into
// fragments costs the walk no more than its text.
type measurer struct {
	vars          map[string]any
	memo          map[fragmentPage]measure
	err           *gqlerror.Error
	introspection *ast.Field
}

func (m *measurer) selectionSet(set ast.SelectionSet, page int) measure {
	var total measure
	add := func(got measure) {
		total.cost = saturatingAdd(total.cost, got.cost)
		total.height = max(total.height, got.height)
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			add(m.field(s, page))
		case *ast.InlineFragment:
			add(m.selectionSet(s.SelectionSet, page))
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			key := fragmentPage{s.Name, page}
			got, ok := m.memo[key]
			if !ok {
				got = m.selectionSet(s.Definition.SelectionSet, page)
				m.memo[key] = got
			}
			add(got)
		}
	}
	return total
}

func (m *measurer) field(f *ast.Field, page int) measure {
	if strings.HasPrefix(f.Name, "__") {
		// The schema bounds introspection, and gqlparser's own rule caps
		// its depth; only whether it is asked matters here.
		if f.Name != "__typename" && m.introspection == nil {
			m.introspection = f
		}
		return measure{}
	}
	if f.Definition == nil {
		return measure{cost: 1, height: 1}
	}
	own := notPaged
	if f.Definition.Arguments.ForName("first") != nil {
		own = m.first(f)
	}
	isList := f.Definition.Type.Elem != nil
	items, inner := 1, own
	switch {
	case isList && own != notPaged:
		items, inner = own, notPaged
	case isList && page != notPaged:
		items = page
	}
	children := m.selectionSet(f.SelectionSet, inner)
	return measure{
		cost:   saturatingAdd(1, saturatingMul(items, children.cost)),
		height: 1 + children.height,
	}
}

// first reads the page size a field asks for and checks it against
// MaxFirst, with the words page() uses, so the refusal reads the same
// whether it comes before execution or from a resolver.
func (m *measurer) first(f *ast.Field) int {
	args := f.ArgumentMap(m.vars)
	size, given := 0, false
	for _, name := range []string{"first", "last"} {
		v, set := intValue(args[name])
		if !set {
			continue
		}
		if v < 0 || v > MaxFirst {
			if m.err == nil {
				m.err = refusal(f.Position, "%s must be between 0 and %d, got %d", name, MaxFirst, v)
			}
			return 0
		}
		size, given = max(size, int(v)), true
	}
	if given {
		return size
	}
	if f.Name == "children" {
		return childrenPageSize
	}
	return defaultPageSize
}

// intValue reads an Int argument as the parser or the variable decoder
// left it.
func intValue(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(max(min(n, math.MaxInt32), math.MinInt32)), true
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return math.MaxInt32, true
		}
		return i, true
	}
	return 0, false
}

func saturatingAdd(a, b int) int {
	if a > math.MaxInt32-b {
		return math.MaxInt32
	}
	return a + b
}

func saturatingMul(a, b int) int {
	if a != 0 && b > math.MaxInt32/a {
		return math.MaxInt32
	}
	return a * b
}
