package memory

import (
	"context"
	"io"
	"strconv"
	"sync"

	"github.com/areagraph/areagraph/db"
)

// ReadTree implements db.TreeReader: one walk of the maps under the read
// lock, writing the JSON as it goes, with no record copied. The shape is
// checked whole before anything is read, and the answer is written to w
// only once it is complete, so a refusal or a deadline leaves w untouched.
func (s *Store) ReadTree(ctx context.Context, t *db.Tree, w io.Writer) error {
	if err := db.CheckTree(t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.Near != nil {
		return db.ReadNearTree(ctx, s, t, w)
	}
	buf := treeBufs.Get().(*[]byte)
	defer func() {
		if cap(*buf) <= maxPooledTree {
			treeBufs.Put(buf)
		}
	}()
	b, err := s.appendTree(ctx, (*buf)[:0], t)
	*buf = b
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// The answers are built in pooled buffers: a page of 50 initiatives with
// their organisations is some 20 KB, which would otherwise be grown anew
// for every request. One far larger than usual is let go.
var treeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

const maxPooledTree = 1 << 20

func (s *Store) appendTree(ctx context.Context, b []byte, t *db.Tree) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.areas[t.RootID]
	if a == nil {
		return append(b, "null"...), nil
	}
	tw := treeWriter{s: s, pl: poll{ctx: ctx}}
	return tw.area(b, &t.Root, a)
}

// treeWriter writes the records of one tree; its poll stops the walk at the
// request's deadline.
type treeWriter struct {
	s  *Store
	pl poll
}

// The members a record writes are those db.CheckTree let through; a
// member it cannot write here is a shape the check missed, refused all the
// same.

// object writes n's members as a JSON object: a constant as a string, a
// field or a relation as value writes it.
func object(b []byte, n *db.TreeNode, value func(b []byte, m *db.TreeMember) ([]byte, error)) ([]byte, error) {
	b = append(b, '{')
	for i := range n.Members {
		m := &n.Members[i]
		b = db.AppendTreeKey(b, i, m.Key)
		if m.Const != nil {
			b = db.AppendTreeString(b, *m.Const)
			continue
		}
		var err error
		if b, err = value(b, m); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendNodeField writes a field every record with a global id has; ok is
// false for another field.
func appendNodeField(b []byte, f db.TreeField, typ string, id, version int64) (_ []byte, ok bool) {
	switch f {
	case db.TreeFieldID:
		return db.AppendTreeGlobalID(b, typ, id), true
	case db.TreeFieldGlobalType:
		return db.AppendTreeString(b, typ), true
	case db.TreeFieldVersion:
		return strconv.AppendInt(b, version, 10), true
	}
	return b, false
}

func (tw *treeWriter) area(b []byte, n *db.TreeNode, a *db.Area) ([]byte, error) {
	return object(b, n, func(b []byte, m *db.TreeMember) ([]byte, error) {
		if m.Relation != nil {
			return tw.areaInitiatives(b, m.Relation, a)
		}
		if b, ok := appendNodeField(b, m.Field, db.TypeArea, a.ID, a.Version); ok {
			return b, nil
		}
		switch m.Field {
		case db.TreeFieldName:
			return db.AppendTreeString(b, a.Name), nil
		case db.TreeFieldCode:
			return db.AppendTreeString(b, a.Code), nil
		case db.TreeFieldKind:
			return db.AppendTreeString(b, string(a.Kind)), nil
		case db.TreeFieldDescription:
			return db.AppendTreeOptional(b, a.Description), nil
		}
		return nil, db.ErrTreeUnsupported
	})
}

// areaInitiatives writes a page of the initiatives serving a, as
// InitiativesByArea answers it with no filter: every one of them matches,
// in id order.
func (tw *treeWriter) areaInitiatives(b []byte, r *db.TreeRelation, a *db.Area) ([]byte, error) {
	ids := tw.s.initsByArea[a.ID]
	lo, hi := r.Page.Bounds(len(ids), 0, len(ids))
	b = append(b, '{')
	for i, c := range r.Connection {
		b = db.AppendTreeKey(b, i, c.Key)
		if c.TotalCount {
			b = strconv.AppendInt(b, int64(len(ids)), 10)
			continue
		}
		b = append(b, '[')
		for j, id := range ids[lo:hi] {
			if err := tw.pl.next(); err != nil {
				return nil, err
			}
			if j > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = tw.initiative(b, &r.Node, tw.s.inits[id]); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

func (tw *treeWriter) initiative(b []byte, n *db.TreeNode, in *db.Initiative) ([]byte, error) {
	return object(b, n, func(b []byte, m *db.TreeMember) ([]byte, error) {
		if m.Relation != nil {
			return tw.initiativeRelation(b, m.Relation, in)
		}
		// The fields as the nearest root writes them (db/treejson.go):
		// one spelling of an initiative for both roots.
		if b, ok := db.AppendTreeInitiativeField(b, m.Field, in); ok {
			return b, nil
		}
		return nil, db.ErrTreeUnsupported
	})
}

func (tw *treeWriter) initiativeRelation(b []byte, r *db.TreeRelation, in *db.Initiative) ([]byte, error) {
	switch r.Kind {
	case db.RelInitiativeLead:
		o := tw.s.orgs[in.LeadID]
		if o == nil {
			return append(b, "null"...), nil
		}
		return tw.organization(b, &r.Node, o)
	case db.RelInitiativePartners:
		// Partners are kept in organisation id order (db.Initiative).
		b = append(b, '[')
		for j := range in.Partners {
			if err := tw.pl.next(); err != nil {
				return nil, err
			}
			if j > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = tw.partnership(b, &r.Node, &in.Partners[j]); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	return nil, db.ErrTreeUnsupported
}

func (tw *treeWriter) partnership(b []byte, n *db.TreeNode, p *db.Partner) ([]byte, error) {
	return object(b, n, func(b []byte, m *db.TreeMember) ([]byte, error) {
		switch {
		case m.Relation != nil:
			o := tw.s.orgs[p.OrganizationID]
			if o == nil {
				// Writes keep partners pointing at organisations;
				// a partnership without one is not an answer.
				return nil, db.Errorf(db.EINTERNAL, "partner organization %d is missing", p.OrganizationID)
			}
			return tw.organization(b, &m.Relation.Node, o)
		case m.Field == db.TreeFieldRole:
			return db.AppendTreeString(b, string(p.Role)), nil
		}
		return nil, db.ErrTreeUnsupported
	})
}

func (tw *treeWriter) organization(b []byte, n *db.TreeNode, o *db.Organization) ([]byte, error) {
	return object(b, n, func(b []byte, m *db.TreeMember) ([]byte, error) {
		if b, ok := appendNodeField(b, m.Field, o.NodeType(), o.ID, o.Version); ok {
			return b, nil
		}
		switch m.Field {
		case db.TreeFieldName:
			return db.AppendTreeString(b, o.Name), nil
		case db.TreeFieldWebsite:
			return db.AppendTreeOptional(b, o.Website), nil
		case db.TreeFieldOrgNumber:
			return db.AppendTreeOptional(b, o.OrgNumber), nil
		}
		return nil, db.ErrTreeUnsupported
	})
}
