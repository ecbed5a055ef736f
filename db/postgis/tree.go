package postgis

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

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
// and pgx's per-connection statement cache prepares each shape once.
//
// Subqueries in the select list rather than LATERAL joins: on the
// benchmark's shape (an area, 50 initiatives, their leads and partners)
// both plan as nested loops over the same index scans, and the subqueries
// spared the joins' extra rows and were as fast or faster in every run.

// maxObjectArgs is how many members one json_build_object call takes: a
// function has at most 100 arguments (FUNC_MAX_ARGS), a key and a value
// each. An object with more members is built from several calls.
const maxObjectArgs = 50

// maxTreeArgs bounds the arguments of one statement, PostgreSQL's limit
// on the parameters of a protocol message.
const maxTreeArgs = 65535

// ReadTree implements db.TreeReader.
func (s *Store) ReadTree(ctx context.Context, t *db.Tree, w io.Writer) error {
	sql, a, err := compileTree(t)
	if err != nil {
		return err
	}
	rows, err := s.reads.Query(ctx, sql, a...)
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
var treeAliases = map[db.TreeRecord]string{
	db.TreeArea:         "a",
	db.TreeInitiative:   "i",
	db.TreeOrganization: "o",
	db.TreePartnership:  "p",
}

// orgType is the type of an organisation's global id, by its kind,
// followed by suffix.
func orgType(alias, suffix string) string {
	return "CASE " + alias + ".kind WHEN " + literal(string(db.OrgEmployer)) + " THEN " + literal(db.TypeEmployer+suffix) +
		" WHEN " + literal(string(db.OrgAssociation)) + " THEN " + literal(db.TypeAssociation+suffix) + " END"
}

// treeField is the SQL of a field of a record aliased alias, "" for a
// field the record does not have.
func treeField(rec db.TreeRecord, f db.TreeField, alias string) string {
	col := func(c string) string { return alias + "." + c }
	// optional is a text column whose empty value the API gives as null
	// (optional in graph/helpers.go).
	optional := func(c string) string { return "nullif(" + col(c) + ", '')" }
	day := func(c string) string { return "to_char(" + col(c) + ", 'YYYY-MM-DD')" }
	if rec == db.TreePartnership {
		if f == db.TreeFieldRole {
			return col("role")
		}
		return ""
	}
	// typ is the type of the record's global id followed by suffix.
	typ := func(suffix string) string {
		switch rec {
		case db.TreeArea:
			return literal(db.TypeArea + suffix)
		case db.TreeInitiative:
			return literal(db.TypeInitiative + suffix)
		}
		return orgType(alias, suffix)
	}
	switch f {
	case db.TreeFieldID:
		// As db.GlobalID spells it: the id in decimal, as bigint's text.
		return "(" + typ(":") + " || " + col("id") + ")"
	case db.TreeFieldGlobalType:
		return typ("")
	case db.TreeFieldVersion:
		return col("version")
	}
	switch rec {
	case db.TreeArea:
		switch f {
		case db.TreeFieldName, db.TreeFieldCode, db.TreeFieldKind:
			return col(string(f))
		case db.TreeFieldDescription:
			return optional("description")
		}
	case db.TreeInitiative:
		switch f {
		case db.TreeFieldTitle, db.TreeFieldStatus:
			return col(string(f))
		case db.TreeFieldGoalArea:
			return col("goal_area")
		case db.TreeFieldDescription:
			return optional("description")
		case db.TreeFieldStartDate:
			return day("start_date")
		case db.TreeFieldEndDate:
			return day("end_date")
		}
	case db.TreeOrganization:
		switch f {
		case db.TreeFieldName:
			return col("name")
		case db.TreeFieldWebsite:
			return optional("website")
		case db.TreeFieldOrgNumber:
			return optional("org_number")
		}
	}
	return ""
}

// literal quotes s as a SQL string literal, for the few constants of the
// code itself (type names, enum values); what comes with a tree travels
// as an argument. With standard_conforming_strings, PostgreSQL's default
// since 9.1, a backslash is an ordinary character in a literal (only the
// E-prefixed form would make it an escape, and it is never used), so
// doubling the quotes is the whole of the quoting.
func literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// treeCompiler builds one statement.
type treeCompiler struct {
	a args
	// keys holds the placeholder of each text already an argument, so a
	// name repeated across records travels once.
	keys    map[string]string
	aliases int
}

// compileTree returns the statement and arguments of t, or
// db.ErrTreeUnsupported for a tree of a shape the store does not read.
func compileTree(t *db.Tree) (string, args, error) {
	// Trees start at an area, as the embedded store's do; the other
	// records would compile alike, but no caller asks for them.
	if t.Root.Type != db.TreeArea {
		return "", nil, db.ErrTreeUnsupported
	}
	c := &treeCompiler{keys: map[string]string{}}
	id := c.a.add(t.RootID)
	alias := c.alias("a")
	obj, err := c.node(&t.Root, alias)
	if err != nil {
		return "", nil, err
	}
	if len(c.a) > maxTreeArgs {
		return "", nil, db.ErrTreeUnsupported
	}
	return "SELECT " + obj + " FROM areas " + alias + " WHERE " + alias + ".id = " + id + "::bigint", c.a, nil
}

// alias is a new alias for a row of a table.
func (c *treeCompiler) alias(letter string) string {
	c.aliases++
	return letter + strconv.Itoa(c.aliases)
}

// text is the placeholder of s, a text argument; only text PostgreSQL
// can hold (UTF-8 without NUL) is taken.
func (c *treeCompiler) text(s string) (string, error) {
	if p, ok := c.keys[s]; ok {
		return p, nil
	}
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return "", db.ErrTreeUnsupported
	}
	p := c.a.add(s) + "::text"
	c.keys[s] = p
	return p, nil
}

// object builds a JSON object of the key and value expressions in pairs,
// in order, in calls of at most maxObjectArgs members, their texts joined
// when there are several.
func object(pairs []string) string {
	if len(pairs) <= 2*maxObjectArgs {
		return "json_build_object(" + strings.Join(pairs, ", ") + ")"
	}
	var parts []string
	for len(pairs) > 0 {
		n := min(len(pairs), 2*maxObjectArgs)
		// The members of each part, without its braces.
		parts = append(parts, "left(right(json_build_object("+strings.Join(pairs[:n], ", ")+")::text, -1), -1)")
		pairs = pairs[n:]
	}
	return "('{' || " + strings.Join(parts, " || ', ' || ") + " || '}')::json"
}

// node is the JSON object of n for the row aliased alias.
func (c *treeCompiler) node(n *db.TreeNode, alias string) (string, error) {
	if _, ok := treeAliases[n.Type]; !ok {
		return "", db.ErrTreeUnsupported
	}
	pairs := make([]string, 0, 2*len(n.Members))
	for i := range n.Members {
		m := &n.Members[i]
		key, err := c.text(m.Key)
		if err != nil {
			return "", err
		}
		set := 0
		var v string
		if m.Field != "" {
			set++
			if v = treeField(n.Type, m.Field, alias); v == "" {
				return "", db.ErrTreeUnsupported
			}
		}
		if m.Const != nil {
			set++
			if v, err = c.text(*m.Const); err != nil {
				return "", err
			}
		}
		if m.Relation != nil {
			set++
			if v, err = c.relation(n.Type, m.Relation, alias); err != nil {
				return "", err
			}
		}
		if set != 1 {
			return "", db.ErrTreeUnsupported
		}
		pairs = append(pairs, key, v)
	}
	return object(pairs), nil
}

// relationShapes are the relations a tree may hold: the record each
// starts from, the record it reaches, and whether it is a paged list.
var relationShapes = map[db.TreeRelationKind]struct {
	from, to db.TreeRecord
	paged    bool
}{
	db.RelAreaInitiatives:         {db.TreeArea, db.TreeInitiative, true},
	db.RelInitiativeLead:          {db.TreeInitiative, db.TreeOrganization, false},
	db.RelInitiativePartners:      {db.TreeInitiative, db.TreePartnership, false},
	db.RelPartnershipOrganization: {db.TreePartnership, db.TreeOrganization, false},
}

// relation is the JSON value of r from the row aliased alias, a record of
// type from.
func (c *treeCompiler) relation(from db.TreeRecord, r *db.TreeRelation, alias string) (string, error) {
	sh, ok := relationShapes[r.Kind]
	if !ok || sh.from != from || sh.to != r.Node.Type {
		return "", db.ErrTreeUnsupported
	}
	if !sh.paged && (r.Page != db.Page{} || len(r.Connection) > 0) {
		return "", db.ErrTreeUnsupported
	}
	to := c.alias(treeAliases[sh.to])
	switch r.Kind {
	case db.RelInitiativeLead:
		// No row, no lead: the subquery's NULL is JSON's null.
		obj, err := c.node(&r.Node, to)
		if err != nil {
			return "", err
		}
		return "(SELECT " + obj + " FROM organizations " + to + " WHERE " + to + ".id = " + alias + ".lead_id)", nil
	case db.RelPartnershipOrganization:
		obj, err := c.node(&r.Node, to)
		if err != nil {
			return "", err
		}
		return "(SELECT " + obj + " FROM organizations " + to + " WHERE " + to + ".id = " + alias + ".organization_id)", nil
	case db.RelInitiativePartners:
		obj, err := c.node(&r.Node, to)
		if err != nil {
			return "", err
		}
		return "array_to_json(ARRAY(SELECT " + obj + " FROM initiative_partners " + to + " WHERE " + to + ".initiative_id = " +
			alias + ".id ORDER BY " + to + ".organization_id))", nil
	}
	return c.areaInitiatives(r, alias, to)
}

// areaInitiatives is the connection of a page of an area's initiatives:
// the page in id order from the link table's index, LIMIT in a subquery
// so that only its records are built (a select list is computed below a
// sort, for every row the sort is given, should the planner choose one),
// and the count of every link.
func (c *treeCompiler) areaInitiatives(r *db.TreeRelation, area, to string) (string, error) {
	// Only a limit, as the contract has it; the count is made when a
	// member asks for it, and only then. A limit below 0 is 0, as
	// db.Page.Bounds has it.
	if r.Page != (db.Page{Limit: r.Page.Limit}) {
		return "", db.ErrTreeUnsupported
	}
	limit := int64(max(r.Page.Limit, 0))
	var obj string
	if slices.ContainsFunc(r.Connection, func(m db.TreeConnectionMember) bool { return m.Nodes }) {
		var err error
		if obj, err = c.node(&r.Node, to); err != nil {
			return "", err
		}
	} else if _, err := (&treeCompiler{keys: map[string]string{}}).node(&r.Node, to); err != nil {
		// The records' shape is checked even when none is read, as
		// the embedded store checks it, but none of its names becomes
		// an argument: PostgreSQL refuses a parameter the statement
		// does not use.
		return "", err
	}
	pairs := make([]string, 0, 2*len(r.Connection))
	for _, m := range r.Connection {
		key, err := c.text(m.Key)
		if err != nil {
			return "", err
		}
		var v string
		switch {
		case m.Nodes && !m.TotalCount:
			link := c.alias("l")
			v = "array_to_json(ARRAY(SELECT " + obj + " FROM (SELECT " + to + ".* FROM initiative_areas " + link +
				" JOIN initiatives " + to + " ON " + to + ".id = " + link + ".initiative_id WHERE " + link + ".area_id = " + area +
				".id ORDER BY " + link + ".initiative_id LIMIT " + c.a.add(limit) + "::bigint) " + to + " ORDER BY " + to + ".id))"
		case m.TotalCount && !m.Nodes:
			link := c.alias("l")
			v = "(SELECT count(*) FROM initiative_areas " + link + " WHERE " + link + ".area_id = " + area + ".id)"
		default:
			return "", db.ErrTreeUnsupported
		}
		pairs = append(pairs, key, v)
	}
	return object(pairs), nil
}
