package graph

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"runtime"
	"sync"
	"weak"

	"github.com/99designs/gqlgen/graphql"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph/model"
	"github.com/vektah/gqlparser/v2/ast"
)

// Tree reads. gqlgen answers a query field by field: a context, a field
// set, a path and a deferred group per field and object, a loader batch
// per level, a copy of every record. For the nested reads map clients make
// most (an area, a page of its initiatives, their lead and partners) that
// machinery, not the data, is nearly all of the cost. So a query whose
// whole selection maps onto the store's relations is answered by the store
// in one call, as JSON (db.TreeReader), as Hasura and PostGraphile do.
//
// This file is the one place that says which selections are trees: a
// query with the single root field area(id:), or initiatives(first:,
// filter: {near:}) with no other argument or filter (the nearest
// initiatives, planNearest), no directives anywhere, and below it only
// fields whose field-by-field answer is a plain read of the record (the
// member tables below), with the same paging arguments and checks. The answer must be the one the field-by-field path gives;
// whenever the plan or the store cannot promise that (another shape, a
// store without tree reads, an error, a missing area whose null and error
// are gqlgen's to give) the operation takes the ordinary path; a store
// that could not be reached is not asked again there, its error is the
// root field's (failTree).

// treePlan is what an operation is when it is a tree: the root field's
// response key, where the area's id comes from, and what is read of it.
// It holds no part of the document (argument values are copied out), so
// keeping it keeps no query alive.
type treePlan struct {
	key  string
	id   planArg
	root planNode
	near *planNear // the initiatives(first:, filter: {near:}) root; id is then unused
}

// planNear is where a nearest root's arguments come from, and its
// connection's members.
type planNear struct {
	first, lon, lat, radius planArg
	conn                    []db.TreeConnectionMember
}

// planArg is where an argument's value comes from: a variable, bound at
// request time, or a literal, as gqlgen's ArgumentMap reads them.
type planArg struct {
	variable string // the variable's name; "" for a literal
	value    any    // the literal's value; nil when absent or null
}

func (a planArg) bind(vars map[string]any) any {
	if a.variable != "" {
		return vars[a.variable]
	}
	return a.value
}

type planNode struct {
	typ     db.TreeRecord
	members []planMember
}

type planMember struct {
	key      string
	field    db.TreeField
	constant *string
	rel      *planRel
}

type planRel struct {
	kind  db.TreeRelationKind
	first *planArg // a paged list's first; nil for the others
	conn  []db.TreeConnectionMember
	node  planNode
}

// bind makes the store's tree for one request's variables; ok is false
// when a value would be refused by the field-by-field path (a malformed
// id, a page size out of range), which then gives its error.
func (p *treePlan) bind(vars map[string]any) (_ *db.Tree, ok bool) {
	if p.near != nil {
		return p.bindNear(vars)
	}
	v := p.id.bind(vars)
	if v == nil {
		return nil, false
	}
	gid, err := graphql.UnmarshalID(v)
	if err != nil {
		return nil, false
	}
	id, err := db.ParseGlobalIDOf(db.TypeArea, gid)
	if err != nil {
		return nil, false
	}
	t := &db.Tree{RootID: id}
	if t.Root, ok = p.root.bind(vars); !ok {
		return nil, false
	}
	return t, true
}

// bindNear makes a nearest root's tree, with the checks and defaults of
// the field-by-field path (spatial, page).
func (p *treePlan) bindNear(vars map[string]any) (*db.Tree, bool) {
	var fs [3]float64
	for i, a := range []planArg{p.near.lon, p.near.lat, p.near.radius} {
		v := a.bind(vars)
		if v == nil {
			return nil, false
		}
		f, err := graphql.UnmarshalFloat(v)
		if err != nil {
			return nil, false
		}
		fs[i] = f
	}
	sp, err := spatial(nil, nil, &model.Near{Lon: fs[0], Lat: fs[1], RadiusMeters: fs[2]})
	if err != nil {
		return nil, false
	}
	var first *int
	if v := p.near.first.bind(vars); v != nil {
		n, err := graphql.UnmarshalInt(v)
		if err != nil {
			return nil, false
		}
		first = &n
	}
	pg, err := page(pages(first, nil, nil, nil))
	if err != nil {
		return nil, false
	}
	t := &db.Tree{Near: &db.TreeNear{Near: *sp.Near, Limit: pg.Limit, Connection: p.near.conn}}
	var ok bool
	if t.Root, ok = p.root.bind(vars); !ok {
		return nil, false
	}
	return t, true
}

func (n *planNode) bind(vars map[string]any) (db.TreeNode, bool) {
	out := db.TreeNode{Type: n.typ, Members: make([]db.TreeMember, len(n.members))}
	for i, m := range n.members {
		out.Members[i] = db.TreeMember{Key: m.key, Field: m.field, Const: m.constant}
		if m.rel == nil {
			continue
		}
		r := &db.TreeRelation{Kind: m.rel.kind, Connection: m.rel.conn}
		if m.rel.first != nil {
			var first *int
			if v := m.rel.first.bind(vars); v != nil {
				n, err := graphql.UnmarshalInt(v)
				if err != nil {
					return out, false
				}
				first = &n
			}
			p, err := page(pages(first, nil, nil, nil))
			if err != nil {
				return out, false
			}
			// A tree's page is its limit alone (db.TreeRelation.Page),
			// whatever else the field-by-field path asks of a store.
			r.Page = db.Page{Limit: p.Limit}
		}
		var ok bool
		if r.Node, ok = m.rel.node.bind(vars); !ok {
			return out, false
		}
		out.Members[i].Relation = r
	}
	return out, true
}

// planTree returns the plan of op, or nil when op is not a tree.
func planTree(op *graphql.OperationContext) *treePlan {
	o := op.Operation
	if o == nil || o.Operation != ast.Query || len(o.Directives) > 0 || anyDirective(op.Doc, o) {
		return nil
	}
	for _, v := range o.VariableDefinitions {
		if len(v.Directives) > 0 {
			return nil
		}
	}
	root := graphql.CollectFields(op, o.SelectionSet, []string{"Query"})
	if len(root) != 1 {
		return nil
	}
	f := root[0]
	if f.Definition == nil || len(f.Definition.Directives) > 0 {
		return nil
	}
	if f.Name == "initiatives" {
		return planNearest(op, f)
	}
	if f.Name != "area" {
		return nil
	}
	p := &treePlan{key: f.Alias}
	var ok bool
	// The code: form is left to the ordinary path.
	if code, ok := argOf(f.Field, "code"); !ok || code.variable != "" || code.value != nil {
		return nil
	}
	if p.id, ok = argOf(f.Field, "id"); !ok {
		return nil
	}
	if p.root, ok = planObject(op, f.Selections, "Area"); !ok {
		return nil
	}
	return p
}

// planNearest plans a root initiatives(first:, filter: {near: {lon:, lat:,
// radiusMeters:}}) with no other argument nor filter, whose selection is
// nodes and edges (distanceMeters and node) with one node shape that
// follows no relation: the nearest initiatives, as db.TreeNear reads
// them. Any other initiatives root is no tree.
func planNearest(op *graphql.OperationContext, f graphql.CollectedField) *treePlan {
	for _, a := range f.Arguments {
		if a.Name != "first" && a.Name != "filter" && a.Value.Kind != ast.NullValue {
			return nil
		}
	}
	filter := f.Arguments.ForName("filter")
	if filter == nil || filter.Value.Kind != ast.ObjectValue || len(filter.Value.Children) != 1 ||
		filter.Value.Children[0].Name != "near" {
		return nil
	}
	near := filter.Value.Children[0].Value
	if near.Kind != ast.ObjectValue || len(near.Children) != 3 {
		return nil
	}
	pn := &planNear{}
	var ok bool
	if pn.first, ok = argOf(f.Field, "first"); !ok {
		return nil
	}
	for _, c := range near.Children {
		v, ok := valueOf(c.Value)
		if !ok {
			return nil
		}
		switch c.Name {
		case "lon":
			pn.lon = v
		case "lat":
			pn.lat = v
		case "radiusMeters":
			pn.radius = v
		default:
			return nil
		}
	}
	p := &treePlan{key: f.Alias, near: pn, root: planNode{typ: db.TreeInitiative}}
	fields, ok := collectOnce(op, f.Selections, "InitiativeConnection")
	if !ok {
		return nil
	}
	nodes := false
	// node plans the one node shape of the tree: the first selection of
	// a node, which every other must equal.
	node := func(sels ast.SelectionSet) bool {
		n, ok := planObject(op, sels, "Initiative")
		if !ok {
			return false
		}
		for _, m := range n.members {
			if m.rel != nil {
				return false
			}
		}
		if nodes {
			return reflect.DeepEqual(n, p.root)
		}
		nodes, p.root = true, n
		return true
	}
	for _, c := range fields {
		switch c.Name {
		case "nodes":
			if !node(c.Selections) {
				return nil
			}
			pn.conn = append(pn.conn, db.TreeConnectionMember{Key: c.Alias, Nodes: true})
		case "edges":
			m := db.TreeConnectionMember{Key: c.Alias, Edges: true}
			edge, ok := collectOnce(op, c.Selections, "InitiativeEdge")
			if !ok {
				return nil
			}
			for _, e := range edge {
				switch e.Name {
				case "node":
					if !node(e.Selections) {
						return nil
					}
					m.Edge = append(m.Edge, db.TreeEdgeMember{Key: e.Alias, Node: true})
				case "distanceMeters":
					m.Edge = append(m.Edge, db.TreeEdgeMember{Key: e.Alias, Distance: true})
				default:
					return nil
				}
			}
			pn.conn = append(pn.conn, m)
		default:
			return nil
		}
	}
	return p
}

// argOf is where a field's argument comes from; ok is false when it cannot
// be read ahead of the variables (a list or an object).
func argOf(f *ast.Field, name string) (planArg, bool) {
	a := f.Arguments.ForName(name)
	if a == nil {
		return planArg{}, true
	}
	return valueOf(a.Value)
}

// valueOf is where a value comes from, as argOf says.
func valueOf(val *ast.Value) (planArg, bool) {
	switch val.Kind {
	case ast.Variable:
		return planArg{variable: val.Raw}, true
	case ast.ListValue, ast.ObjectValue:
		return planArg{}, false
	}
	v, err := val.Value(nil)
	if err != nil {
		return planArg{}, false
	}
	return planArg{value: v}, true
}

// implementors are the types a fragment may name to apply to an object of
// the type, as gqlgen's generated code collects its fields.
var implementors = map[string][]string{
	"Area":                 {"Area", "Node"},
	"Initiative":           {"Initiative", "Node"},
	"InitiativeConnection": {"InitiativeConnection"},
	"InitiativeEdge":       {"InitiativeEdge"},
	"Partnership":          {"Partnership"},
	"Employer":             {"Employer", "Organization", "Node"},
	"Association":          {"Association", "Organization", "Node"},
}

// The fields of each type that are plain reads of the record, and the
// record field each one reads. A field absent here (geometry, bbox,
// indicators, children, a connection's edges and pageInfo, …) makes the
// operation no tree.
var (
	treeRecords = map[string]db.TreeRecord{
		"Area": db.TreeArea, "Initiative": db.TreeInitiative, "Partnership": db.TreePartnership,
		"Employer": db.TreeOrganization, "Association": db.TreeOrganization,
	}
	orgFields = map[string]db.TreeField{
		"id": db.TreeFieldID, "version": db.TreeFieldVersion, "name": db.TreeFieldName,
		"organizationNumber": db.TreeFieldOrgNumber, "website": db.TreeFieldWebsite,
		// An organisation's type is its kind's: read, not fixed.
		"__typename": db.TreeFieldGlobalType,
	}
	treeFields = map[string]map[string]db.TreeField{
		"Area": {"id": db.TreeFieldID, "version": db.TreeFieldVersion, "code": db.TreeFieldCode,
			"name": db.TreeFieldName, "kind": db.TreeFieldKind, "description": db.TreeFieldDescription},
		"Initiative": {"id": db.TreeFieldID, "version": db.TreeFieldVersion, "title": db.TreeFieldTitle,
			"description": db.TreeFieldDescription, "status": db.TreeFieldStatus, "startDate": db.TreeFieldStartDate,
			"endDate": db.TreeFieldEndDate, "goalArea": db.TreeFieldGoalArea},
		"Partnership": {"role": db.TreeFieldRole},
		"Employer":    orgFields,
		"Association": orgFields,
	}
	// treeRelations are the fields that follow a relation, and the type
	// they lead to ("Organization" for either kind).
	treeRelations = map[string]map[string]struct {
		kind db.TreeRelationKind
		to   string
	}{
		"Area":        {"initiatives": {db.RelAreaInitiatives, "InitiativeConnection"}},
		"Initiative":  {"lead": {db.RelInitiativeLead, "Organization"}, "partners": {db.RelInitiativePartners, "Partnership"}},
		"Partnership": {"organization": {db.RelPartnershipOrganization, "Organization"}},
	}
)

// planObject plans the selection of an object of type typ.
func planObject(op *graphql.OperationContext, sels ast.SelectionSet, typ string) (planNode, bool) {
	n := planNode{typ: treeRecords[typ]}
	fields, ok := collectOnce(op, sels, typ)
	if !ok {
		return n, false
	}
	for _, f := range fields {
		m := planMember{key: f.Alias}
		if field, ok := treeFields[typ][f.Name]; ok {
			m.field = field
		} else if rel, ok := treeRelations[typ][f.Name]; ok {
			if m.rel, ok = planRelation(op, f, rel.kind, rel.to); !ok {
				return n, false
			}
		} else if f.Name == "__typename" {
			name := typ
			m.constant = &name
		} else {
			return n, false
		}
		n.members = append(n.members, m)
	}
	return n, true
}

// collectOnce collects the fields of a selection as gqlgen does, one per
// response key, and refuses a field whose schema definition carries a
// directive. gqlgen keeps apart two fields under one key that it collects
// from fragments on unrelated interfaces (id on Node and on Organization),
// resolves both and writes the first: the same field twice without a
// selection of its own is then the first, and anything else no tree.
func collectOnce(op *graphql.OperationContext, sels ast.SelectionSet, typ string) ([]graphql.CollectedField, bool) {
	collected := graphql.CollectFields(op, sels, implementors[typ])
	fields := make([]graphql.CollectedField, 0, len(collected))
next:
	for _, f := range collected {
		if f.Definition == nil || len(f.Definition.Directives) > 0 {
			return nil, false
		}
		for _, g := range fields {
			if g.Alias != f.Alias {
				continue
			}
			if g.Name != f.Name || len(g.Selections) > 0 || len(f.Selections) > 0 {
				return nil, false
			}
			continue next
		}
		fields = append(fields, f)
	}
	return fields, true
}

func planRelation(op *graphql.OperationContext, f graphql.CollectedField, kind db.TreeRelationKind, to string) (*planRel, bool) {
	r := &planRel{kind: kind}
	var ok bool
	switch to {
	case "Organization":
		// An employer or an association: a tree when the selection reads
		// the same of either, whatever fragments on the one or the other
		// it spells that with.
		e, ok := planObject(op, f.Selections, "Employer")
		if !ok {
			return nil, false
		}
		a, ok := planObject(op, f.Selections, "Association")
		if !ok || !reflect.DeepEqual(e, a) {
			return nil, false
		}
		r.node = e
		return r, true
	case "InitiativeConnection":
		// Paged by first alone: the list's filter and cursors are the
		// ordinary path's.
		for _, a := range f.Arguments {
			if a.Name != "first" && a.Value.Kind != ast.NullValue {
				return nil, false
			}
		}
		first, ok := argOf(f.Field, "first")
		if !ok {
			return nil, false
		}
		r.first = &first
		r.node = planNode{typ: db.TreeInitiative} // when nodes is not asked for
		fields, ok := collectOnce(op, f.Selections, to)
		if !ok {
			return nil, false
		}
		nodes := false
		for _, c := range fields {
			switch c.Name {
			case "totalCount":
				r.conn = append(r.conn, db.TreeConnectionMember{Key: c.Alias, TotalCount: true})
			case "nodes":
				if nodes {
					return nil, false // nodes under two keys: one node shape a relation
				}
				nodes = true
				if r.node, ok = planObject(op, c.Selections, "Initiative"); !ok {
					return nil, false
				}
				r.conn = append(r.conn, db.TreeConnectionMember{Key: c.Alias, Nodes: true})
			default:
				return nil, false
			}
		}
		return r, true
	}
	r.node, ok = planObject(op, f.Selections, to)
	return r, ok
}

// anyDirective tells whether a directive appears anywhere in the
// operation's selections, the fragments it spreads included: @skip,
// @include, @defer and the rest are the ordinary path's.
func anyDirective(doc *ast.QueryDocument, o *ast.OperationDefinition) bool {
	seen := map[string]bool{}
	var walk func(ast.SelectionSet) bool
	walk = func(sels ast.SelectionSet) bool {
		for _, sel := range sels {
			switch s := sel.(type) {
			case *ast.Field:
				if len(s.Directives) > 0 || walk(s.SelectionSet) {
					return true
				}
			case *ast.InlineFragment:
				if len(s.Directives) > 0 || walk(s.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				if len(s.Directives) > 0 {
					return true
				}
				if seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				f := doc.Fragments.ForName(s.Name)
				if f == nil || len(f.Directives) > 0 || walk(f.SelectionSet) {
					return true
				}
			}
		}
		return false
	}
	return walk(o.SelectionSet)
}

// treePlans keeps the plans of operations, nil for those that are not
// trees, under the operation's parsed definition: the query cache hands
// out the same document for the same text, so an operation is planned
// once while its document is cached. The key is weak, so the plans keep
// no document alive; a plan leaves when its document is collected.
type treePlans struct {
	mu    sync.Mutex
	plans map[weak.Pointer[ast.OperationDefinition]]*treePlan
}

// maxTreePlans bounds the plans kept: more documents than the query cache
// holds are alive only between collections (a query too large to cache is
// parsed anew each time), and those are planned each time.
const maxTreePlans = 4 * DefaultQueryCacheSize

func (c *treePlans) get(op *graphql.OperationContext) *treePlan {
	k := weak.Make(op.Operation)
	c.mu.Lock()
	p, ok := c.plans[k]
	c.mu.Unlock()
	if ok {
		return p
	}
	p = planTree(op)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plans == nil {
		c.plans = map[weak.Pointer[ast.OperationDefinition]]*treePlan{}
	}
	if _, ok := c.plans[k]; !ok && len(c.plans) < maxTreePlans {
		c.plans[k] = p
		runtime.AddCleanup(op.Operation, c.drop, k)
	}
	return p
}

func (c *treePlans) drop(k weak.Pointer[ast.OperationDefinition]) {
	c.mu.Lock()
	delete(c.plans, k)
	c.mu.Unlock()
}

// treeBufs hold tree answers until they are written: some 20 KB for a page
// of 50 initiatives with their organisations, grown anew for every request
// otherwise. One far larger than usual is let go.
var treeBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledTree = 1 << 20

// answerTree answers op from the store in one tree read when it is a
// tree; ok is false when it is not, or the store did not answer it (a
// refusal, a missing area, an error), and the ordinary path is to answer
// it. The answer is the data member, which the caller writes as any other.
//
// When the store could not be reached (UNAVAILABLE), failed is its error,
// for the ordinary path to answer with (failTree) instead of asking the
// store again: the database that did not answer the tree would not answer
// its fields either, and a second wait for it, when it hangs or its pool
// is spent, would double the time the request holds its place and the
// load on a pool that is shedding it. Past the request's deadline the
// ordinary path answers as it would have anyway, with no store call.
func (h *graphqlHandler) answerTree(ctx context.Context, op *graphql.OperationContext, answer func(data []byte)) (ok bool, failed error) {
	if h.trees == nil {
		return false, nil
	}
	plan := h.plans.get(op)
	if plan == nil {
		return false, nil
	}
	tree, ok := plan.bind(op.Variables)
	if !ok {
		return false, nil
	}
	buf := treeBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledTree {
			treeBufs.Put(buf)
		}
	}()
	buf.Reset()
	buf.WriteByte('{')
	graphql.MarshalString(plan.key).MarshalGQL(buf)
	buf.WriteByte(':')
	start := buf.Len()
	if err := h.trees.ReadTree(ctx, tree, buf); err != nil {
		switch {
		case errors.Is(err, db.ErrTreeUnsupported) || ctx.Err() != nil:
		case db.ErrorCode(err) == db.EUNAVAILABLE:
			return false, err
		default:
			// The ordinary path answers; the error is none of the
			// client's, but a tree read that fails every time must
			// not pass for a slow one that works.
			h.log.ErrorContext(ctx, "tree read failed; answered field by field", "error", err)
		}
		return false, nil
	}
	if string(buf.Bytes()[start:]) == "null" {
		return false, nil
	}
	buf.WriteByte('}')
	answer(buf.Bytes())
	return true, nil
}

// treeFailedKey marks the context of an operation whose tree read found
// the store unreachable, with the store's error.
type treeFailedKey struct{}

// failTree answers the root fields of an operation whose tree read found
// the store unreachable with the store's error, as each would have met it
// on its first read: the answer field by field, a null and the error at
// its path, without the read. A tree has one root field.
func failTree(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if err, _ := ctx.Value(treeFailedKey{}).(error); err != nil {
		// The field's context, which the executor sets only below here,
		// gives the error its path and location.
		rf := graphql.GetRootFieldContext(ctx)
		ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: rf.Object, Field: rf.Field})
		graphql.AddError(ctx, graphql.AddFieldLocationToError(ctx, err))
		return graphql.Null
	}
	return next(ctx)
}
