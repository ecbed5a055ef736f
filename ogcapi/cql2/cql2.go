// Package cql2 parses and evaluates filters in CQL2 text (OGC's Common
// Query Language), the filter language of OGC API – Features Part 3:
//
//	areaType = 1 AND name LIKE 'N%'
//	status IN ('ACTIVE', 'PLANNED') AND NOT leadName IS NULL
//	S_INTERSECTS(geometry, POLYGON((12.9 57.7, 13.0 57.7, 13.0 57.8, 12.9 57.7)))
//
// It covers Basic CQL2 (comparisons, AND, OR, NOT, IS NULL, boolean,
// DATE and TIMESTAMP literals), the advanced comparison operators (LIKE,
// BETWEEN, IN) and S_INTERSECTS with every geometry literal, BBOX
// included. A filter is parsed once against the properties that may be
// queried, so an unknown property or a comparison of a number with text
// is refused before any record is read, and then evaluated on each record
// in Go: one evaluation whatever store the records came from.
//
// The parser is a recursive descent with hard bounds, so that a hostile
// filter costs little: MaxLength bytes of text, MaxDepth levels of
// nesting, MaxTerms terms, and MaxVertices positions of geometry.
package cql2

import (
	"fmt"
	"strings"
	"time"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// Bounds of a filter.
const (
	// MaxLength is the longest filter text, in bytes.
	MaxLength = 64 << 10
	// MaxDepth bounds nesting: parentheses, NOT, and geometry literals
	// within collections.
	MaxDepth = 32
	// MaxTerms bounds the predicates and values of a filter.
	MaxTerms = 256
	// MaxVertices bounds the positions of the geometries of a filter, as
	// GraphQL bounds its intersects filter.
	MaxVertices = 10_000
)

// Type is the type of a queryable property.
type Type int

// Types of queryable properties.
const (
	String Type = iota
	Number
	Boolean
	Geometry
	// Instant is the type of DATE and TIMESTAMP literals.
	Instant
)

func (t Type) String() string {
	return [...]string{"text", "a number", "true or false", "a geometry", "a date or time"}[t]
}

// Property is a property a filter may name.
type Property struct {
	Name string
	Type Type
}

// Options are what a filter is parsed against.
type Options struct {
	// Properties are those a filter may name.
	Properties []Property
	// ToWGS84 converts a geometry literal from the filter's coordinate
	// system (filter-crs) to longitude and latitude, or says why it
	// cannot; nil when the literals are longitude and latitude already.
	ToWGS84 func(orb.Geometry) (orb.Geometry, error)
}

// Record is what a filter is evaluated on.
type Record interface {
	// Value returns a property's value: string, int, float64, bool, or
	// nil for null.
	Value(name string) any
	// Geometry returns the record's geometry, nil when it has none.
	Geometry() orb.Geometry
}

// Filter is a parsed filter.
type Filter struct {
	root node
	// bound is the box every matching record's geometry meets, when the
	// filter implies one (an S_INTERSECTS with a literal at its top
	// level), so a store can narrow its candidates.
	bound *orb.Bound
}

// Error is a filter that cannot be parsed or does not fit the
// properties; its text says where and why.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) *Error { return &Error{fmt.Sprintf(format, args...)} }

// Parse parses a filter in CQL2 text.
func Parse(text string, opt Options) (*Filter, error) {
	if len(text) > MaxLength {
		return nil, errorf("the filter is %d bytes long; the limit is %d", len(text), MaxLength)
	}
	p := &parser{lx: lexer{src: text}, opt: opt}
	if err := p.advance(); err != nil {
		return nil, err
	}
	root, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected("AND, OR or the end of the filter")
	}
	f := &Filter{root: root}
	f.bound = impliedBound(root)
	return f, nil
}

// Match reports whether the record passes the filter: true, not false or
// unknown (a comparison with null), as in SQL.
func (f *Filter) Match(r Record) bool { return f.root.eval(r) == yes }

// Bound returns a box every record the filter matches meets, when the
// filter implies one.
func (f *Filter) Bound() (orb.Bound, bool) {
	if f.bound == nil {
		return orb.Bound{}, false
	}
	return *f.bound, true
}

// impliedBound finds an S_INTERSECTS of the geometry with a literal among
// the terms ANDed at the top.
func impliedBound(n node) *orb.Bound {
	switch n := n.(type) {
	case *andNode:
		if b := impliedBound(n.l); b != nil {
			return b
		}
		return impliedBound(n.r)
	case *intersectsNode:
		if n.a.prop != n.b.prop {
			lit := n.a
			if lit.prop {
				lit = n.b
			}
			b := lit.geom.Bound()
			return &b
		}
	}
	return nil
}

// tri is a truth value of SQL's three: a comparison with null is unknown,
// and only true passes.
type tri int8

const (
	no tri = iota
	yes
	unknown
)

func truth(b bool) tri {
	if b {
		return yes
	}
	return no
}

type node interface{ eval(Record) tri }

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ x node }
type constNode struct{ v tri }

func (n *andNode) eval(r Record) tri {
	a := n.l.eval(r)
	if a == no {
		return no
	}
	b := n.r.eval(r)
	switch {
	case b == no:
		return no
	case a == yes && b == yes:
		return yes
	}
	return unknown
}

func (n *orNode) eval(r Record) tri {
	a := n.l.eval(r)
	if a == yes {
		return yes
	}
	b := n.r.eval(r)
	switch {
	case b == yes:
		return yes
	case a == no && b == no:
		return no
	}
	return unknown
}

func (n *notNode) eval(r Record) tri {
	switch n.x.eval(r) {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

func (n *constNode) eval(Record) tri { return n.v }

// scalar is a property or a literal of a comparison.
type scalar struct {
	prop string // the property named, "" for a literal
	typ  Type
	lit  any // string, float64, bool or time.Time
}

func (s scalar) value(r Record) any {
	if s.prop == "" {
		return s.lit
	}
	switch v := r.Value(s.prop).(type) {
	case int:
		return float64(v)
	case int64:
		return float64(v)
	case float64, string, bool, nil:
		return v
	}
	return nil
}

type cmpNode struct {
	op   string
	l, r scalar
}

func (n *cmpNode) eval(r Record) tri {
	a, b := n.l.value(r), n.r.value(r)
	if a == nil || b == nil {
		return unknown
	}
	c, ok := compare(a, b)
	if !ok {
		return unknown
	}
	switch n.op {
	case "=":
		return truth(c == 0)
	case "<>":
		return truth(c != 0)
	case "<":
		return truth(c < 0)
	case "<=":
		return truth(c <= 0)
	case ">":
		return truth(c > 0)
	}
	return truth(c >= 0)
}

// compare orders two values of one type; ok is false for values of two.
func compare(a, b any) (int, bool) {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		switch {
		case !ok:
			return 0, false
		case a < b:
			return -1, true
		case a > b:
			return 1, true
		}
		return 0, true
	case string:
		b, ok := b.(string)
		return strings.Compare(a, b), ok
	case bool:
		b, ok := b.(bool)
		switch {
		case !ok:
			return 0, false
		case a == b:
			return 0, true
		case !a:
			return -1, true
		}
		return 1, true
	case time.Time:
		b, ok := b.(time.Time)
		return a.Compare(b), ok
	}
	return 0, false
}

type betweenNode struct {
	x, lo, hi scalar
}

func (n *betweenNode) eval(r Record) tri {
	x, lo, hi := n.x.value(r), n.lo.value(r), n.hi.value(r)
	if x == nil || lo == nil || hi == nil {
		return unknown
	}
	a, ok1 := compare(lo, x)
	b, ok2 := compare(x, hi)
	if !ok1 || !ok2 {
		return unknown
	}
	return truth(a <= 0 && b <= 0)
}

type inNode struct {
	x    scalar
	list []scalar
}

func (n *inNode) eval(r Record) tri {
	x := n.x.value(r)
	if x == nil {
		return unknown
	}
	res := no
	for _, s := range n.list {
		v := s.value(r)
		if v == nil {
			res = unknown
			continue
		}
		if c, ok := compare(x, v); ok && c == 0 {
			return yes
		}
	}
	return res
}

type isNullNode struct{ x scalar }

func (n *isNullNode) eval(r Record) tri {
	if n.x.typ == Geometry {
		return truth(r.Geometry() == nil)
	}
	return truth(n.x.value(r) == nil)
}

type likeNode struct {
	x       scalar
	pattern []rune
}

func (n *likeNode) eval(r Record) tri {
	v, ok := n.x.value(r).(string)
	if !ok {
		return unknown
	}
	return truth(like([]rune(v), n.pattern))
}

// like matches s against a LIKE pattern: % any run, _ one character, \
// escapes the next. Dynamic programming over the pattern keeps it
// O(len(s)·len(pattern)) whatever the pattern, where backtracking could
// take exponential time on a hostile one.
func like(s, pat []rune) bool {
	type tok struct {
		r    rune
		kind byte // 'c' a character, '%' any run, '_' one character
	}
	var toks []tok
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; {
		case c == '\\' && i+1 < len(pat):
			i++
			toks = append(toks, tok{pat[i], 'c'})
		case c == '%':
			toks = append(toks, tok{0, '%'})
		case c == '_':
			toks = append(toks, tok{0, '_'})
		default:
			toks = append(toks, tok{c, 'c'})
		}
	}
	// cur[j]: the first i characters of s match the first j tokens.
	cur := make([]bool, len(toks)+1)
	next := make([]bool, len(toks)+1)
	cur[0] = true
	for j, t := range toks {
		cur[j+1] = cur[j] && t.kind == '%'
	}
	for _, c := range s {
		next[0] = false
		for j, t := range toks {
			switch t.kind {
			case '%':
				next[j+1] = next[j] || cur[j+1]
			case '_':
				next[j+1] = cur[j]
			default:
				next[j+1] = cur[j] && t.r == c
			}
		}
		cur, next = next, cur
	}
	return cur[len(toks)]
}

// spatial is an operand of S_INTERSECTS: the record's geometry or a
// literal.
type spatial struct {
	prop bool
	geom orb.Geometry
}

func (s spatial) of(r Record) orb.Geometry {
	if s.prop {
		return r.Geometry()
	}
	return s.geom
}

type intersectsNode struct{ a, b spatial }

func (n *intersectsNode) eval(r Record) tri {
	a, b := n.a.of(r), n.b.of(r)
	if a == nil || b == nil {
		return unknown
	}
	return truth(geo.Intersects(a, b))
}
