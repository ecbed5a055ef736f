package cql2

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuoted // a "quoted" property name
	tString
	tNumber
	tOp
	tLParen
	tRParen
	tComma
)

type token struct {
	kind tokKind
	text string // the identifier, the string's value, the number or operator as written
	num  float64
	pos  int // byte offset, for messages
}

type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		l.pos += n
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	switch {
	case c == '(':
		l.pos++
		return token{kind: tLParen, text: "(", pos: start}, nil
	case c == ')':
		l.pos++
		return token{kind: tRParen, text: ")", pos: start}, nil
	case c == ',':
		l.pos++
		return token{kind: tComma, text: ",", pos: start}, nil
	case c == '=':
		l.pos++
		return token{kind: tOp, text: "=", pos: start}, nil
	case c == '<' || c == '>':
		l.pos++
		op := string(c)
		if l.pos < len(l.src) && (l.src[l.pos] == '=' || (c == '<' && l.src[l.pos] == '>')) {
			op += string(l.src[l.pos])
			l.pos++
		}
		return token{kind: tOp, text: op, pos: start}, nil
	case c == '\'':
		var b strings.Builder
		l.pos++
		for {
			if l.pos >= len(l.src) {
				return token{}, errorf("the text starting at position %d has no closing quote", start+1)
			}
			if l.src[l.pos] == '\'' {
				if l.pos+1 < len(l.src) && l.src[l.pos+1] == '\'' {
					b.WriteByte('\'')
					l.pos += 2
					continue
				}
				l.pos++
				return token{kind: tString, text: b.String(), pos: start}, nil
			}
			b.WriteByte(l.src[l.pos])
			l.pos++
		}
	case c == '"':
		end := strings.IndexByte(l.src[l.pos+1:], '"')
		if end < 0 {
			return token{}, errorf("the property name starting at position %d has no closing quote", start+1)
		}
		l.pos += end + 2
		return token{kind: tQuoted, text: l.src[start+1 : l.pos-1], pos: start}, nil
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		l.pos++
		for l.pos < len(l.src) {
			d := l.src[l.pos]
			if (d >= '0' && d <= '9') || d == '.' || d == 'e' || d == 'E' ||
				((d == '-' || d == '+') && (l.src[l.pos-1] == 'e' || l.src[l.pos-1] == 'E')) {
				l.pos++
				continue
			}
			break
		}
		text := l.src[start:l.pos]
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return token{}, errorf("%q at position %d is not a number", text, start+1)
		}
		return token{kind: tNumber, text: text, num: f, pos: start}, nil
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	if r == '_' || unicode.IsLetter(r) {
		for l.pos < len(l.src) {
			r, n := utf8.DecodeRuneInString(l.src[l.pos:])
			if r != '_' && r != '.' && r != ':' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			l.pos += n
		}
		return token{kind: tIdent, text: l.src[start:l.pos], pos: start}, nil
	}
	return token{}, errorf("unexpected %q at position %d", string(r), start+1)
}

type parser struct {
	lx       lexer
	tok      token
	opt      Options
	depth    int
	terms    int
	vertices int
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// is reports whether the current token is the keyword kw, case aside.
func (p *parser) is(kw string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, kw)
}

func (p *parser) describe() string {
	switch p.tok.kind {
	case tEOF:
		return "the end of the filter"
	case tString:
		return "'" + p.tok.text + "'"
	case tQuoted:
		return `"` + p.tok.text + `"`
	}
	return strconv.Quote(p.tok.text)
}

func (p *parser) unexpected(want string) error {
	if p.tok.kind == tEOF {
		return errorf("expected %s, found the end of the filter", want)
	}
	return errorf("expected %s at position %d, found %s", want, p.tok.pos+1, p.describe())
}

func (p *parser) expect(kind tokKind, want string) error {
	if p.tok.kind != kind {
		return p.unexpected(want)
	}
	return p.advance()
}

func (p *parser) expectKeyword(kw string) error {
	if !p.is(kw) {
		return p.unexpected(kw)
	}
	return p.advance()
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return errorf("the filter nests deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *parser) term() error {
	p.terms++
	if p.terms > MaxTerms {
		return errorf("the filter has more than %d terms", MaxTerms)
	}
	return nil
}

func (p *parser) orExpr() (node, error) {
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.is("OR") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		l = &orNode{l, r}
	}
	return l, nil
}

func (p *parser) andExpr() (node, error) {
	l, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	for p.is("AND") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		l = &andNode{l, r}
	}
	return l, nil
}

func (p *parser) notExpr() (node, error) {
	if !p.is("NOT") {
		return p.primary()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	p.depth--
	return &notNode{x}, nil
}

func (p *parser) primary() (node, error) {
	if p.tok.kind == tLParen {
		if err := p.enter(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen, "a closing parenthesis"); err != nil {
			return nil, err
		}
		p.depth--
		return x, nil
	}
	if p.is("S_INTERSECTS") {
		return p.intersects()
	}
	if err := p.term(); err != nil {
		return nil, err
	}
	x, err := p.scalar()
	if err != nil {
		return nil, err
	}
	return p.predicate(x)
}

// predicate reads what follows the first operand of a predicate.
func (p *parser) predicate(x scalar) (node, error) {
	if p.tok.kind == tOp {
		op := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		y, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if err := sameType(op, x, y); err != nil {
			return nil, err
		}
		if x.typ == Geometry {
			return nil, errorf("a geometry is not compared with %s; use S_INTERSECTS", op)
		}
		return &cmpNode{op, x, y}, nil
	}
	negate := false
	if p.is("IS") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.is("NOT") {
			negate = true
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		if err := p.expectKeyword("NULL"); err != nil {
			return nil, err
		}
		if x.prop == "" {
			return nil, errorf("IS NULL applies to a property, not to a value")
		}
		return maybeNot(&isNullNode{x}, negate), nil
	}
	if p.is("NOT") {
		negate = true
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	var n node
	var err error
	switch {
	case p.is("LIKE"):
		n, err = p.likeRest(x)
	case p.is("BETWEEN"):
		n, err = p.betweenRest(x)
	case p.is("IN"):
		n, err = p.inRest(x)
	default:
		if negate {
			return nil, p.unexpected("LIKE, BETWEEN or IN after NOT")
		}
		if x.typ == Boolean {
			// A boolean on its own is a predicate: TRUE, FALSE, or a
			// property that is true.
			return &cmpNode{"=", x, scalar{typ: Boolean, lit: true}}, nil
		}
		return nil, p.unexpected("a comparison (=, <>, <, <=, >, >=), LIKE, BETWEEN, IN or IS NULL")
	}
	if err != nil {
		return nil, err
	}
	return maybeNot(n, negate), nil
}

func maybeNot(n node, negate bool) node {
	if negate {
		return &notNode{n}
	}
	return n
}

func sameType(op string, x, y scalar) error {
	if x.typ == y.typ {
		return nil
	}
	name := func(s scalar) string {
		if s.prop != "" {
			return s.prop + " is " + s.typ.String()
		}
		return "the value is " + s.typ.String()
	}
	return errorf("%s compares %s with %s: %s, %s", op, what(x), what(y), name(x), name(y))
}

func what(s scalar) string {
	if s.prop != "" {
		return s.prop
	}
	switch v := s.lit.(type) {
	case string:
		return "'" + v + "'"
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strings.ToUpper(strconv.FormatBool(v))
	case time.Time:
		return v.Format(time.RFC3339)
	}
	return "a value"
}

func (p *parser) likeRest(x scalar) (node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	if x.typ != String {
		return nil, errorf("LIKE matches text; %s is %s", what(x), x.typ)
	}
	if p.tok.kind != tString {
		return nil, p.unexpected("a pattern in quotes after LIKE")
	}
	pat := []rune(p.tok.text)
	if err := p.advance(); err != nil {
		return nil, err
	}
	return &likeNode{x, pat}, nil
}

func (p *parser) betweenRest(x scalar) (node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	lo, err := p.scalar()
	if err != nil {
		return nil, err
	}
	if err := p.expectKeyword("AND"); err != nil {
		return nil, err
	}
	hi, err := p.scalar()
	if err != nil {
		return nil, err
	}
	for _, s := range []scalar{x, lo, hi} {
		if s.typ != Number {
			return nil, errorf("BETWEEN compares numbers; %s is %s", what(s), s.typ)
		}
	}
	return &betweenNode{x, lo, hi}, nil
}

func (p *parser) inRest(x scalar) (node, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tLParen, "a parenthesised list after IN"); err != nil {
		return nil, err
	}
	n := &inNode{x: x}
	for {
		if err := p.term(); err != nil {
			return nil, err
		}
		v, err := p.scalar()
		if err != nil {
			return nil, err
		}
		if err := sameType("IN", x, v); err != nil {
			return nil, err
		}
		n.list = append(n.list, v)
		if p.tok.kind != tComma {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if err := p.expect(tRParen, "a comma or the closing parenthesis of the IN list"); err != nil {
		return nil, err
	}
	return n, nil
}

// scalar reads a property or a literal.
func (p *parser) scalar() (scalar, error) {
	t := p.tok
	switch t.kind {
	case tString:
		return scalar{typ: String, lit: t.text}, p.advance()
	case tNumber:
		return scalar{typ: Number, lit: t.num}, p.advance()
	case tQuoted:
		return p.property(t.text)
	case tIdent:
		switch strings.ToUpper(t.text) {
		case "TRUE", "FALSE":
			return scalar{typ: Boolean, lit: strings.EqualFold(t.text, "TRUE")}, p.advance()
		case "DATE", "TIMESTAMP":
			return p.instant()
		case "AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL":
			return scalar{}, p.unexpected("a property or a value")
		}
		return p.property(t.text)
	}
	return scalar{}, p.unexpected("a property or a value")
}

func (p *parser) property(name string) (scalar, error) {
	for _, q := range p.opt.Properties {
		if q.Name == name {
			return scalar{prop: name, typ: q.Type}, p.advance()
		}
	}
	names := make([]string, len(p.opt.Properties))
	for i, q := range p.opt.Properties {
		names[i] = q.Name
	}
	return scalar{}, errorf("unknown property %q at position %d; the queryables are %s", name, p.tok.pos+1, strings.Join(names, ", "))
}

// instant reads DATE('2024-05-01') or TIMESTAMP('2024-05-01T12:00:00Z').
func (p *parser) instant() (scalar, error) {
	kw := strings.ToUpper(p.tok.text)
	if err := p.advance(); err != nil {
		return scalar{}, err
	}
	if err := p.expect(tLParen, "( after "+kw); err != nil {
		return scalar{}, err
	}
	if p.tok.kind != tString {
		return scalar{}, p.unexpected("a quoted " + strings.ToLower(kw))
	}
	layout := time.DateOnly
	if kw == "TIMESTAMP" {
		layout = time.RFC3339Nano
	}
	t, err := time.Parse(layout, p.tok.text)
	if err != nil {
		return scalar{}, errorf("%s('%s'): not a %s", kw, p.tok.text, map[string]string{"DATE": "date (2024-05-01)", "TIMESTAMP": "timestamp (2024-05-01T12:00:00Z)"}[kw])
	}
	if err := p.advance(); err != nil {
		return scalar{}, err
	}
	return scalar{typ: Instant, lit: t.UTC()}, p.expect(tRParen, ") after the "+strings.ToLower(kw))
}

// intersects reads S_INTERSECTS(a, b).
func (p *parser) intersects() (node, error) {
	if err := p.term(); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tLParen, "( after S_INTERSECTS"); err != nil {
		return nil, err
	}
	a, err := p.spatialOperand()
	if err != nil {
		return nil, err
	}
	if err := p.expect(tComma, "a comma between the geometries of S_INTERSECTS"); err != nil {
		return nil, err
	}
	b, err := p.spatialOperand()
	if err != nil {
		return nil, err
	}
	if err := p.expect(tRParen, ") after the geometries of S_INTERSECTS"); err != nil {
		return nil, err
	}
	return &intersectsNode{a, b}, nil
}

func (p *parser) spatialOperand() (spatial, error) {
	if p.tok.kind == tQuoted || (p.tok.kind == tIdent && !isGeometryKeyword(p.tok.text)) {
		s, err := p.scalar()
		if err != nil {
			return spatial{}, err
		}
		if s.typ != Geometry {
			return spatial{}, errorf("S_INTERSECTS takes geometries; %s is %s", s.prop, s.typ)
		}
		return spatial{prop: true}, nil
	}
	if p.tok.kind != tIdent {
		return spatial{}, p.unexpected("the geometry property or a geometry (POINT, POLYGON, BBOX …)")
	}
	start := p.tok.pos
	g, err := p.geometry()
	if err != nil {
		return spatial{}, err
	}
	if p.opt.ToWGS84 != nil {
		if g, err = p.opt.ToWGS84(g); err != nil {
			return spatial{}, errorf("the geometry at position %d: %v", start+1, err)
		}
	}
	if b, ok := g.(orb.Bound); ok {
		for _, pt := range []orb.Point{b.Min, b.Max} {
			if err := geo.CheckLonLat(pt[0], pt[1]); err != nil {
				return spatial{}, errorf("the BBOX at position %d: %v", start+1, err)
			}
		}
	} else if err := geo.Validate(g, geo.Options{MaxVertices: MaxVertices}); err != nil {
		return spatial{}, errorf("the geometry at position %d: %v", start+1, strings.TrimPrefix(err.Error(), "geo: "))
	}
	return spatial{geom: g}, nil
}

func isGeometryKeyword(s string) bool {
	switch strings.ToUpper(s) {
	case "POINT", "MULTIPOINT", "LINESTRING", "MULTILINESTRING", "POLYGON", "MULTIPOLYGON", "GEOMETRYCOLLECTION", "BBOX":
		return true
	}
	return false
}

// geometry reads a WKT geometry or a BBOX.
func (p *parser) geometry() (orb.Geometry, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	kw := strings.ToUpper(p.tok.text)
	if !isGeometryKeyword(kw) {
		return nil, p.unexpected("a geometry (POINT, MULTIPOINT, LINESTRING, MULTILINESTRING, POLYGON, MULTIPOLYGON, GEOMETRYCOLLECTION, BBOX)")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tLParen, "( after "+kw); err != nil {
		return nil, err
	}
	var g orb.Geometry
	var err error
	switch kw {
	case "POINT":
		g, err = p.position()
	case "MULTIPOINT":
		g, err = p.multiPoint()
	case "LINESTRING":
		var l []orb.Point
		l, err = p.positions()
		g = orb.LineString(l)
	case "MULTILINESTRING":
		var ml orb.MultiLineString
		err = p.list(func() error {
			l, err := p.parenthesised(p.positions)
			ml = append(ml, l)
			return err
		})
		g = ml
	case "POLYGON":
		g, err = p.polygon()
	case "MULTIPOLYGON":
		var mp orb.MultiPolygon
		err = p.list(func() error {
			if err := p.expect(tLParen, "( before a polygon's rings"); err != nil {
				return err
			}
			pg, err := p.polygon()
			if err != nil {
				return err
			}
			mp = append(mp, pg)
			return p.expect(tRParen, ") after a polygon's rings")
		})
		g = mp
	case "GEOMETRYCOLLECTION":
		var c orb.Collection
		err = p.list(func() error {
			m, err := p.geometry()
			c = append(c, m)
			return err
		})
		g = c
	case "BBOX":
		g, err = p.bbox()
	}
	if err != nil {
		return nil, err
	}
	return g, p.expect(tRParen, ") after the "+strings.ToLower(kw)+"'s coordinates")
}

// list reads items separated by commas.
func (p *parser) list(item func() error) error {
	for {
		if err := item(); err != nil {
			return err
		}
		if p.tok.kind != tComma {
			return nil
		}
		if err := p.advance(); err != nil {
			return err
		}
	}
}

func (p *parser) parenthesised(inner func() ([]orb.Point, error)) ([]orb.Point, error) {
	if err := p.expect(tLParen, "( before a list of positions"); err != nil {
		return nil, err
	}
	pts, err := inner()
	if err != nil {
		return nil, err
	}
	return pts, p.expect(tRParen, ") after a list of positions")
}

func (p *parser) number() (float64, error) {
	if p.tok.kind != tNumber {
		return 0, p.unexpected("a number")
	}
	v := p.tok.num
	return v, p.advance()
}

// position reads "x y", or "x y z" whose height is dropped: the data has
// none.
func (p *parser) position() (orb.Point, error) {
	p.vertices++
	if p.vertices > MaxVertices {
		return orb.Point{}, errorf("the filter's geometries have more than %d positions", MaxVertices)
	}
	x, err := p.number()
	if err != nil {
		return orb.Point{}, err
	}
	y, err := p.number()
	if err != nil {
		return orb.Point{}, err
	}
	if p.tok.kind == tNumber {
		if err := p.advance(); err != nil {
			return orb.Point{}, err
		}
	}
	return orb.Point{x, y}, nil
}

func (p *parser) positions() ([]orb.Point, error) {
	var pts []orb.Point
	err := p.list(func() error {
		pt, err := p.position()
		pts = append(pts, pt)
		return err
	})
	return pts, err
}

// multiPoint reads both spellings: MULTIPOINT((1 2), (3 4)) and
// MULTIPOINT(1 2, 3 4).
func (p *parser) multiPoint() (orb.MultiPoint, error) {
	var mp orb.MultiPoint
	err := p.list(func() error {
		if p.tok.kind == tLParen {
			if err := p.advance(); err != nil {
				return err
			}
			pt, err := p.position()
			if err != nil {
				return err
			}
			mp = append(mp, pt)
			return p.expect(tRParen, ") after a point")
		}
		pt, err := p.position()
		mp = append(mp, pt)
		return err
	})
	return mp, err
}

func (p *parser) polygon() (orb.Polygon, error) {
	var pg orb.Polygon
	err := p.list(func() error {
		r, err := p.parenthesised(p.positions)
		pg = append(pg, orb.Ring(r))
		return err
	})
	return pg, err
}

// bbox reads BBOX(minx, miny, maxx, maxy), or six numbers with heights.
func (p *parser) bbox() (orb.Geometry, error) {
	var v []float64
	err := p.list(func() error {
		f, err := p.number()
		v = append(v, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	switch len(v) {
	case 4:
	case 6:
		v = []float64{v[0], v[1], v[3], v[4]}
	default:
		return nil, errorf("BBOX takes four numbers (or six with heights), got %d", len(v))
	}
	if v[0] > v[2] || v[1] > v[3] {
		return nil, errorf("BBOX: the lower corner %g %g exceeds the upper %g %g on an axis", v[0], v[1], v[2], v[3])
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}
