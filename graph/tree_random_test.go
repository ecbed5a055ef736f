package graph_test

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbhook"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/storetest"
)

// Random selections of the tree's fields, spelled every way GraphQL allows
// (aliases, inline fragments with and without a type, named fragments,
// the same field twice, __typename), with now and then a field no tree
// reads: whatever the planner makes of each, the answer is the
// field-by-field one.

// selGen writes random selections; frags collects the named fragments a
// query spreads.
type selGen struct {
	r         *rand.Rand
	frags     []string
	n         int
	usesFirst bool
}

var (
	randAreaFields = []string{"id", "version", "code", "name", "kind", "description", "__typename"}
	randInitFields = []string{"id", "version", "title", "description", "status", "startDate", "endDate", "goalArea", "__typename"}
	randOrgFields  = []string{"id", "version", "name", "organizationNumber", "website", "__typename"}
	// Fields no tree reads, one per type, for the ordinary path.
	randOther = map[string]string{"Area": "areaType", "Initiative": "themes", "Organization": "areas { id }",
		"Partnership": "__typename", "InitiativeConnection": "pageInfo { hasNextPage }"}
)

func (g *selGen) pick(fields []string) string { return fields[g.r.IntN(len(fields))] }

func (g *selGen) alias(name string) string {
	if g.r.IntN(4) > 0 || strings.HasPrefix(name, "__") && g.r.IntN(2) == 0 {
		return name
	}
	g.n++
	return fmt.Sprintf("k%d: %s", g.n, name)
}

// fields writes the selection of an object of typ: a few members, each a
// field, a relation or a fragment holding more.
func (g *selGen) fields(typ string, depth int) string {
	var parts []string
	if typ == "Node" {
		return g.alias(g.pick([]string{"id", "__typename"}))
	}
	for range 1 + g.r.IntN(3) {
		parts = append(parts, g.member(typ, depth))
	}
	return strings.Join(parts, " ")
}

func (g *selGen) member(typ string, depth int) string {
	switch k := g.r.IntN(20); {
	case k == 0:
		return randOther[typ]
	case k <= 2 && depth < 6:
		cond := map[string][]string{"Area": {"Area", "Node", ""}, "Initiative": {"Initiative", "Node", ""},
			"Organization": {"Organization", "Node", "Employer", "Association", ""}, "Partnership": {"Partnership", ""},
			"InitiativeConnection": {"InitiativeConnection", ""}}[typ]
		c := g.pick(cond)
		inner := typ
		switch c {
		case "Employer", "Association":
			inner = "Organization"
		case "Node":
			inner = "Node"
		}
		if c != "" {
			c = "on " + c + " "
		}
		return "... " + c + "{ " + g.fields(inner, depth+1) + " }"
	case k == 3 && depth < 6:
		on := typ
		if typ == "Organization" && g.r.IntN(3) == 0 {
			on = g.pick([]string{"Employer", "Association"})
		}
		name := fmt.Sprintf("F%d", len(g.frags))
		g.frags = append(g.frags, "") // its place, taken before its body adds more
		g.frags[len(g.frags)-1] = fmt.Sprintf("fragment %s on %s { %s }", name, on, g.fields(typ, depth+1))
		return "..." + name
	}
	switch typ {
	case "Area":
		if g.r.IntN(3) == 0 {
			// Each under a key of its own: one key, one page.
			first := g.pick([]string{"", "(first: 0)", "(first: 1)", "(first: 2)", "(first: 7)", "(first: $first)", "(first: 1001)"})
			g.usesFirst = g.usesFirst || strings.Contains(first, "$")
			g.n++
			return fmt.Sprintf("i%d: initiatives%s { %s }", g.n, first, g.fields("InitiativeConnection", depth+1))
		}
		return g.alias(g.pick(randAreaFields))
	case "InitiativeConnection":
		if g.r.IntN(3) == 0 {
			return g.alias("totalCount")
		}
		return "nodes { " + g.fields("Initiative", depth+1) + " }"
	case "Initiative":
		switch g.r.IntN(6) {
		case 0:
			return g.alias("lead") + " { " + g.fields("Organization", depth+1) + " }"
		case 1:
			return g.alias("partners") + " { " + g.fields("Partnership", depth+1) + " }"
		}
		return g.alias(g.pick(randInitFields))
	case "Partnership":
		if g.r.IntN(2) == 0 {
			return g.alias("role")
		}
		return g.alias("organization") + " { " + g.fields("Organization", depth+1) + " }"
	}
	return g.alias(g.pick(randOrgFields))
}

func TestTreeReadsAnswerRandomSelectionsAsFieldByField(t *testing.T) {
	queries := 400
	if testing.Short() {
		queries = 50
	}
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			if err := s.Load(t.Context(), treeFixture()); err != nil {
				t.Fatal(err)
			}
			var log callLog
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			trees := graph.NewHandler(dbhook.Wrap(s, log.hook), graph.HandlerConfig{Log: quiet})
			plain := graph.NewHandler(s, graph.HandlerConfig{Log: quiet, DisableTreeReads: true})
			r := rand.New(rand.NewPCG(17, uint64(len(b.Name))))
			n := queries
			if b.Name != "memory" {
				n = queries / 4 // each costs statements
			}
			asTrees, invalid := 0, 0
			for i := range n {
				g := &selGen{r: r}
				body := g.fields("Area", 0)
				vars := map[string]any{"id": db.GlobalID(db.TypeArea, treeBase+1+int64(r.IntN(2)))}
				decl := "$id: ID!"
				if g.usesFirst {
					decl += ", $first: Int"
					vars["first"] = []any{nil, 0, 3, 50}[r.IntN(4)]
				}
				q := "query(" + decl + ") { " + g.alias("area") + "(id: $id) { " + body + " } } " + strings.Join(g.frags, " ")
				log.take()
				got := serveQuery(trees, t.Context(), q, vars)
				calls := log.take()
				want := serveQuery(plain, t.Context(), q, vars)
				if slices.Equal(calls, []string{"ReadTree"}) {
					asTrees++
				}
				if strings.Contains(string(want.body), `"GRAPHQL_VALIDATION_FAILED"`) {
					invalid++
				}
				t.Run(fmt.Sprint(i), func(t *testing.T) {
					defer func() {
						if t.Failed() {
							t.Logf("query: %s\nvariables: %v", q, vars)
						}
					}()
					compareAnswers(t, b.Name, got, want)
				})
			}
			t.Logf("%d random queries: %d read as trees, %d refused by validation", n, asTrees, invalid)
			if _, reads := s.(db.TreeReader); reads && asTrees < n/5 {
				t.Errorf("only %d of %d random queries were read as trees: the generator misses the tree shapes", asTrees, n)
			}
		})
	}
}
