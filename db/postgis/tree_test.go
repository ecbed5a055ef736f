package postgis

import (
	"slices"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
)

// compileTree is the statement and arguments of t, as ReadTree sends them.
func compileTree(t *testing.T, tr *db.Tree) (string, args) {
	t.Helper()
	c := compilers.Get().(*treeCompiler)
	defer c.release()
	sql, err := c.compile(tr)
	if err != nil {
		t.Fatal(err)
	}
	return sql, c.a
}

// TestTreeStatementHoldsNoRequestText: what a tree brings (member names,
// which are the client's aliases, constants, the root's id, the page's
// limit) travels as arguments, never in the statement's text, so the text
// is the same for every tree of a shape and nothing a client writes can
// change the SQL.
func TestTreeStatementHoldsNoRequestText(t *testing.T) {
	rename := func(tr *db.Tree, prefix string) {
		var walk func(n *db.TreeNode)
		walk = func(n *db.TreeNode) {
			for i := range n.Members {
				m := &n.Members[i]
				m.Key = prefix + m.Key + "'); DROP TABLE areas; --"
				if m.Relation != nil {
					for j := range m.Relation.Connection {
						m.Relation.Connection[j].Key = prefix + m.Relation.Connection[j].Key + `"\`
					}
					walk(&m.Relation.Node)
				}
			}
		}
		walk(&tr.Root)
		c := prefix + "const' || pg_sleep(1) || '"
		tr.Root.Members = append(tr.Root.Members, db.TreeMember{Key: prefix + "typename", Const: &c})
	}
	a, b := dbtest.NestedTree(4, 50), dbtest.NestedTree(987654321, 7)
	rename(a, "MARKER_A_")
	rename(b, "MARKER_B_")
	sqlA, argsA := compileTree(t, a)
	sqlB, argsB := compileTree(t, b)
	if sqlA != sqlB {
		t.Errorf("two trees of one shape compile to two statements:\n%s\n%s", sqlA, sqlB)
	}
	for _, marker := range []string{"MARKER", "DROP", "pg_sleep", "987654321", "50"} {
		if strings.Contains(sqlA, marker) {
			t.Errorf("the statement holds %q:\n%s", marker, sqlA)
		}
	}
	if len(argsA) != len(argsB) || !slices.Contains(argsA, any(int64(4))) || !slices.Contains(argsA, any(int64(50))) ||
		!slices.Contains(argsB, any(int64(987654321))) || !slices.Contains(argsB, any(int64(7))) {
		t.Errorf("the ids and limits are not the arguments:\n%q\n%q", argsA, argsB)
	}
}
