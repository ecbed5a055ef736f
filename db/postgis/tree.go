package postgis

import (
	"context"
	"io"
	"strconv"
	"sync"

	"github.com/areagraph/areagraph/db"
)

// Tree reads (db.TreeReader): a tree is compiled to one statement that
// builds the whole JSON value in the database, with json_build_object for
// each record and each list an array of them, every relation a correlated
// subquery on the index that serves it (initiative_areas by area,
// initiative_partners by initiative, organisations by key). The statement
// returns one json column, or no row when the root does not exist, and its
// bytes go to the writer as the server sent them, never decoded.
//
// A list is array_to_json(ARRAY(SELECT … ORDER BY …)), not json_agg(…
// ORDER BY …): both keep the order, but PostgreSQL before 16 sorts an
// aggregate's input for every group even when an index already reads it
// in order, a sort for each initiative's partners, where the subquery's
// ORDER BY is the index's and costs nothing. On the benchmark's shape
// that spared a tenth of the statement's CPU time.
//
// The statement's text depends on the tree's shape only: member names
// (the client's aliases), constants, the root's id and the page's limit
// all travel as $n arguments, so no text of a request ever reaches the SQL,
// and pgx's per-connection statement cache prepares each shape once (and
// PostgreSQL, after a few runs, plans it once: the generic plan is the
// index scans above).
//
// The statement is written by appending to one pooled buffer, with no
// string built per fragment: the text is some 2.5 KB for the benchmark's
// shape, and building it by concatenation was half of ReadTree's CPU time
// in the client, 84 allocations a call.
//
// Subqueries in the select list rather than LATERAL joins: on the
// benchmark's shape (an area, 50 initiatives, their leads and partners)
// both plan as nested loops over the same index scans and cost the
// database the same CPU time, within the noise of the measurement, and a
// subquery keeps each relation one expression, written where its member
// is. Joining the partners' organisations rather than a subquery for each
// measured the same too.

// maxObjectArgs is how many members one json_build_object call takes: a
// function has at most 100 arguments (FUNC_MAX_ARGS), a key and a value
// each. An object with more members is built from several calls.
const maxObjectArgs = 50

// maxTreeArgs bounds the arguments of one statement, PostgreSQL's limit
// on the parameters of a protocol message.
const maxTreeArgs = 65535

// ReadTree implements db.TreeReader.
func (s *Store) ReadTree(ctx context.Context, t *db.Tree, w io.Writer) error {
	if t.Near != nil {
		// The nearest initiatives: the store's KNN statement (knnSQL),
		// ranked as the list is (queryKNN), with only the plain columns
		// the node writes, and the JSON written in Go, distances as the
		// API writes a Float.
		if err := db.CheckTree(t); err != nil {
			return err
		}
		return db.ReadNearTree(ctx, s, t, w)
	}
	c := compilers.Get().(*treeCompiler)
	defer c.release()
	sql, err := c.compile(t)
	if err != nil {
		return err
	}
	rows, err := s.reads.Query(ctx, sql, c.a...)
	if err != nil {
		return translateIn(ctx, err, "tree")
	}
	defer rows.Close()
	found := rows.Next()
	if found {
		// The value's bytes stay in pgx's buffer until the next row is
		// read: written from there, without a copy.
		if v := rows.RawValues()[0]; v != nil {
			_, err = w.Write(v)
		} else {
			_, err = io.WriteString(w, "null")
		}
		if err != nil {
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		// What was written is not the answer; the contract has the
		// caller discard it.
		return translateIn(ctx, err, "tree")
	}
	if !found {
		_, err = io.WriteString(w, "null")
	}
	return err
}

// treeAliases are the letters the rows of each kind of record take as
// aliases in a statement.
var treeAliases = map[db.TreeRecord]byte{
	db.TreeArea:         'a',
	db.TreeInitiative:   'i',
	db.TreeOrganization: 'o',
	db.TreePartnership:  'p',
}

// How a field is written.
type columnKind int

const (
	plainColumn    columnKind = iota // the column as it is
	optionalColumn                   // text whose empty value the API gives as null (optional in graph/helpers.go)
	dayColumn                        // a date as YYYY-MM-DD
	globalID                         // the global id, as db.GlobalID spells it
	globalType                       // the type part of the global id
)

type treeCol struct {
	kind columnKind
	name string
}

// treeColumn is how a field of a record is read; false for a field the
// record does not have.
func treeColumn(rec db.TreeRecord, f db.TreeField) (treeCol, bool) {
	if rec == db.TreePartnership {
		return treeCol{plainColumn, "role"}, f == db.TreeFieldRole
	}
	switch f {
	case db.TreeFieldID:
		return treeCol{globalID, "id"}, true
	case db.TreeFieldGlobalType:
		return treeCol{globalType, ""}, true
	case db.TreeFieldVersion:
		return treeCol{plainColumn, "version"}, true
	}
	switch rec {
	case db.TreeArea:
		switch f {
		case db.TreeFieldName, db.TreeFieldCode, db.TreeFieldKind:
			return treeCol{plainColumn, string(f)}, true
		case db.TreeFieldDescription:
			return treeCol{optionalColumn, "description"}, true
		}
	case db.TreeInitiative:
		switch f {
		case db.TreeFieldTitle, db.TreeFieldStatus:
			return treeCol{plainColumn, string(f)}, true
		case db.TreeFieldGoalArea:
			return treeCol{plainColumn, "goal_area"}, true
		case db.TreeFieldDescription:
			return treeCol{optionalColumn, "description"}, true
		case db.TreeFieldStartDate:
			return treeCol{dayColumn, "start_date"}, true
		case db.TreeFieldEndDate:
			return treeCol{dayColumn, "end_date"}, true
		}
	case db.TreeOrganization:
		switch f {
		case db.TreeFieldName:
			return treeCol{plainColumn, "name"}, true
		case db.TreeFieldWebsite:
			return treeCol{optionalColumn, "website"}, true
		case db.TreeFieldOrgNumber:
			return treeCol{optionalColumn, "org_number"}, true
		}
	}
	return treeCol{}, false
}

// literal appends s as a SQL string literal, for the few constants of the
// code itself (type names, enum values); what comes with a tree travels
// as an argument. With standard_conforming_strings, PostgreSQL's default
// since 9.1, a backslash is an ordinary character in a literal (only the
// E-prefixed form would make it an escape, and it is never used), so
// doubling the quotes is the whole of the quoting.
func literal(b []byte, s string) []byte {
	b = append(b, '\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			b = append(b, '\'')
		}
		b = append(b, s[i])
	}
	return append(b, '\'')
}

// treeCompiler writes one statement and gathers its arguments. Compilers
// are pooled, with their buffers for the text.
type treeCompiler struct {
	b []byte
	a args
	// keys holds the number of each text already an argument, so a name
	// repeated across records travels once.
	keys    map[string]int
	aliases int
	missing bool // a field without a column was met
}

var compilers = sync.Pool{New: func() any { return &treeCompiler{keys: map[string]int{}} }}

// maxPooledSQL is the largest buffer kept for the next statement.
const maxPooledSQL = 64 << 10

func (c *treeCompiler) release() {
	if cap(c.b) > maxPooledSQL || len(c.keys) > 1024 {
		return
	}
	c.b = c.b[:0]
	// The arguments are not reused: a tracer may keep them.
	c.a = nil
	clear(c.keys)
	c.aliases = 0
	c.missing = false
	compilers.Put(c)
}

// alias names a row of a statement: a letter and a number.
type alias struct {
	letter byte
	n      int
}

// alias is a new alias for a row of a record.
func (c *treeCompiler) alias(letter byte) alias {
	c.aliases++
	return alias{letter, c.aliases}
}

// name appends the alias.
func (c *treeCompiler) name(al alias) {
	c.b = append(c.b, al.letter)
	c.b = strconv.AppendInt(c.b, int64(al.n), 10)
}

// col appends a column of the row aliased al.
func (c *treeCompiler) col(al alias, name string) {
	c.name(al)
	c.b = append(c.b, '.')
	c.b = append(c.b, name...)
}

func (c *treeCompiler) str(s string) { c.b = append(c.b, s...) }

// arg appends the placeholder of a new argument v, with its type.
func (c *treeCompiler) arg(v any, typ string) {
	c.a = append(c.a, v)
	c.b = append(c.b, '$')
	c.b = strconv.AppendInt(c.b, int64(len(c.a)), 10)
	c.b = append(c.b, "::"...)
	c.b = append(c.b, typ...)
}

// text appends the placeholder of s as a text argument.
func (c *treeCompiler) text(s string) {
	n, ok := c.keys[s]
	if !ok {
		c.a = append(c.a, s)
		n = len(c.a)
		c.keys[s] = n
	}
	c.b = append(c.b, '$')
	c.b = strconv.AppendInt(c.b, int64(n), 10)
	c.b = append(c.b, "::text"...)
}

// compile returns the statement of t, its arguments in c.a, or
// db.ErrTreeUnsupported for a tree of a shape the store does not read.
func (c *treeCompiler) compile(t *db.Tree) (string, error) {
	if err := db.CheckTree(t); err != nil {
		return "", err
	}
	// The nested query's shape has 13 arguments.
	c.a = make(args, 0, 16)
	root := c.alias('a')
	c.str("SELECT ")
	c.node(&t.Root, root)
	c.str(" FROM areas ")
	c.name(root)
	c.str(" WHERE ")
	c.col(root, "id")
	c.str(" = ")
	c.arg(t.RootID, "bigint")
	if len(c.a) > maxTreeArgs || c.missing {
		return "", db.ErrTreeUnsupported
	}
	return string(c.b), nil
}

// object appends a JSON object of n members, each written by member as
// its key and value separated by a comma, in calls of at most
// maxObjectArgs members, their texts joined when there are several.
func (c *treeCompiler) object(n int, member func(i int)) {
	if n <= maxObjectArgs {
		c.str("json_build_object(")
		for i := range n {
			if i > 0 {
				c.str(", ")
			}
			member(i)
		}
		c.str(")")
		return
	}
	c.str("('{' || ")
	for i := range n {
		switch {
		case i%maxObjectArgs == 0:
			if i > 0 {
				c.str(" || ', ' || ")
			}
			// The members of each part, without its braces.
			c.str("left(right(json_build_object(")
		default:
			c.str(", ")
		}
		member(i)
		if i%maxObjectArgs == maxObjectArgs-1 || i == n-1 {
			c.str(")::text, -1), -1)")
		}
	}
	c.str(" || '}')::json")
}

// node appends the JSON object of n for the row aliased al.
func (c *treeCompiler) node(n *db.TreeNode, al alias) {
	c.object(len(n.Members), func(i int) {
		m := &n.Members[i]
		c.text(m.Key)
		c.str(", ")
		switch {
		case m.Const != nil:
			c.text(*m.Const)
		case m.Relation != nil:
			c.relation(m.Relation, al)
		default:
			col, ok := treeColumn(n.Type, m.Field)
			if !ok {
				// A field of the contract this store has no column
				// for: refused, as the check would refuse it.
				c.missing = true
			}
			c.field(n.Type, col, al)
		}
	})
}

// field appends the value of a column of the row aliased al, of a
// record of type rec.
func (c *treeCompiler) field(rec db.TreeRecord, col treeCol, al alias) {
	switch col.kind {
	case plainColumn:
		c.col(al, col.name)
	case optionalColumn:
		c.str("nullif(")
		c.col(al, col.name)
		c.str(", '')")
	case dayColumn:
		c.str("to_char(")
		c.col(al, col.name)
		c.str(", 'YYYY-MM-DD')")
	case globalID:
		// The type, a colon and the id in decimal, bigint's text.
		c.str("(")
		c.globalType(rec, al, ":")
		c.str(" || ")
		c.col(al, "id")
		c.str(")")
	case globalType:
		c.globalType(rec, al, "")
	}
}

// globalType appends the type of a record's global id followed by
// suffix; an organisation's is its kind's.
func (c *treeCompiler) globalType(rec db.TreeRecord, al alias, suffix string) {
	switch rec {
	case db.TreeArea:
		c.b = literal(c.b, db.TypeArea+suffix)
	case db.TreeInitiative:
		c.b = literal(c.b, db.TypeInitiative+suffix)
	default:
		c.str("CASE ")
		c.col(al, "kind")
		c.str(" WHEN ")
		c.b = literal(c.b, string(db.OrgEmployer))
		c.str(" THEN ")
		c.b = literal(c.b, db.TypeEmployer+suffix)
		c.str(" WHEN ")
		c.b = literal(c.b, string(db.OrgAssociation))
		c.str(" THEN ")
		c.b = literal(c.b, db.TypeAssociation+suffix)
		c.str(" END")
	}
}

// relation appends the JSON value of r from the row aliased from.
func (c *treeCompiler) relation(r *db.TreeRelation, from alias) {
	to := c.alias(treeAliases[r.Node.Type])
	switch r.Kind {
	case db.RelInitiativeLead, db.RelPartnershipOrganization:
		// No row, no lead: the subquery's NULL is JSON's null.
		key := "lead_id"
		if r.Kind == db.RelPartnershipOrganization {
			key = "organization_id"
		}
		c.str("(SELECT ")
		c.node(&r.Node, to)
		c.str(" FROM organizations ")
		c.name(to)
		c.str(" WHERE ")
		c.col(to, "id")
		c.str(" = ")
		c.col(from, key)
		c.str(")")
	case db.RelInitiativePartners:
		c.str("array_to_json(ARRAY(SELECT ")
		c.node(&r.Node, to)
		c.str(" FROM initiative_partners ")
		c.name(to)
		c.str(" WHERE ")
		c.col(to, "initiative_id")
		c.str(" = ")
		c.col(from, "id")
		c.str(" ORDER BY ")
		c.col(to, "organization_id")
		c.str("))")
	case db.RelAreaInitiatives:
		c.areaInitiatives(r, from, to)
	}
}

// areaInitiatives appends the connection of a page of an area's
// initiatives: the page in id order from the link table's index, LIMIT in
// a subquery so that only its records are built (a select list is
// computed below a sort, for every row the sort is given, should the
// planner choose one), and the count of every link. A limit below 0 is
// 0, as db.Page.Bounds has it.
func (c *treeCompiler) areaInitiatives(r *db.TreeRelation, area, to alias) {
	limit := int64(max(r.Page.Limit, 0))
	c.object(len(r.Connection), func(i int) {
		m := &r.Connection[i]
		c.text(m.Key)
		c.str(", ")
		link := c.alias('l')
		if m.TotalCount {
			c.str("(SELECT count(*) FROM initiative_areas ")
			c.name(link)
			c.str(" WHERE ")
			c.col(link, "area_id")
			c.str(" = ")
			c.col(area, "id")
			c.str(")")
			return
		}
		c.str("array_to_json(ARRAY(SELECT ")
		c.node(&r.Node, to)
		c.str(" FROM (SELECT ")
		c.name(to)
		c.str(".* FROM initiative_areas ")
		c.name(link)
		c.str(" JOIN initiatives ")
		c.name(to)
		c.str(" ON ")
		c.col(to, "id")
		c.str(" = ")
		c.col(link, "initiative_id")
		c.str(" WHERE ")
		c.col(link, "area_id")
		c.str(" = ")
		c.col(area, "id")
		c.str(" ORDER BY ")
		c.col(link, "initiative_id")
		c.str(" LIMIT ")
		c.arg(limit, "bigint")
		c.str(") ")
		c.name(to)
		c.str(" ORDER BY ")
		c.col(to, "id")
		c.str("))")
	})
}
