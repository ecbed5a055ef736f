package model

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"

	"github.com/areagraph/areagraph/db"
)

// Cursors are opaque to clients. Inside, a cursor is the offset of the item
// in its ordered list. Offsets, unlike keys, page the same way whatever the
// order (id, or distance for `near`), and give the same pages in every
// backend.
const cursorPrefix = "o:"

// EncodeCursor returns the cursor of the item at offset.
func EncodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

// maxOffset bounds the offset of a cursor, as the map layers bound
// offset=: the page after it starts at offset+1, which must neither
// overflow nor ask a store for more than an int4 can count.
const maxOffset = math.MaxInt32 - 1

// DecodeCursor returns the offset a cursor points at. A cursor is
// accepted only as EncodeCursor spells it: one offset, one cursor.
func DecodeCursor(c string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		s, ok := strings.CutPrefix(string(b), cursorPrefix)
		if n, err2 := strconv.Atoi(s); ok && err2 == nil && n >= 0 && n <= maxOffset && EncodeCursor(n) == c {
			return n, nil
		}
	}
	return 0, db.Errorf(db.EINVALID, "malformed cursor %q: pass an endCursor exactly as the API returned it", c)
}

// PageInfo tells where a page ends.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// conn is the part every connection shares: one page of items starting at
// Offset, out of Total, with distances when the query had `near`.
type conn[T any] struct {
	Items     []T
	Distances []float64
	Total     int
	Offset    int
}

func newConn[T, R any](l db.List[T], offset int, wrap func(T) R) conn[R] {
	c := conn[R]{Items: make([]R, len(l.Items)), Distances: l.Distances, Total: l.Total, Offset: offset}
	for i, v := range l.Items {
		c.Items[i] = wrap(v)
	}
	return c
}

func same[T any](v T) T { return v }

// TotalCount is the number of matches on all pages.
func (c *conn[T]) TotalCount() int { return c.Total }

// Nodes are the page's items.
func (c *conn[T]) Nodes() []T { return c.Items }

// PageInfo tells where the page ends.
func (c *conn[T]) PageInfo() *PageInfo {
	pi := &PageInfo{
		HasNextPage:     c.Offset+len(c.Items) < c.Total,
		HasPreviousPage: c.Offset > 0,
	}
	if n := len(c.Items); n > 0 {
		s, e := EncodeCursor(c.Offset), EncodeCursor(c.Offset+n-1)
		pi.StartCursor, pi.EndCursor = &s, &e
	}
	return pi
}

// edge returns the cursor and distance of item i.
func (c *conn[T]) edge(i int) (string, *float64) {
	var d *float64
	if c.Distances != nil {
		d = &c.Distances[i]
	}
	return EncodeCursor(c.Offset + i), d
}

// AreaConnection is a page of areas.
type AreaConnection struct{ conn[*db.Area] }

// AreaEdge is an area in a page.
type AreaEdge struct {
	Cursor         string
	Node           *db.Area
	DistanceMeters *float64
}

// NewAreaConnection makes a connection from a page that starts at offset.
func NewAreaConnection(l db.List[*db.Area], offset int) *AreaConnection {
	return &AreaConnection{newConn(l, offset, same)}
}

// Edges are the items with their cursors.
func (c *AreaConnection) Edges() []*AreaEdge {
	out := make([]*AreaEdge, len(c.Items))
	for i, v := range c.Items {
		cur, d := c.edge(i)
		out[i] = &AreaEdge{cur, v, d}
	}
	return out
}

// InitiativeConnection is a page of initiatives.
type InitiativeConnection struct{ conn[*db.Initiative] }

// InitiativeEdge is an initiative in a page.
type InitiativeEdge struct {
	Cursor         string
	Node           *db.Initiative
	DistanceMeters *float64
}

// NewInitiativeConnection makes a connection from a page that starts at offset.
func NewInitiativeConnection(l db.List[*db.Initiative], offset int) *InitiativeConnection {
	return &InitiativeConnection{newConn(l, offset, same)}
}

// Edges are the items with their cursors.
func (c *InitiativeConnection) Edges() []*InitiativeEdge {
	out := make([]*InitiativeEdge, len(c.Items))
	for i, v := range c.Items {
		cur, d := c.edge(i)
		out[i] = &InitiativeEdge{cur, v, d}
	}
	return out
}

// EmployerConnection is a page of employers.
type EmployerConnection struct{ conn[*Employer] }

// EmployerEdge is an employer in a page.
type EmployerEdge struct {
	Cursor         string
	Node           *Employer
	DistanceMeters *float64
}

// NewEmployerConnection makes a connection from a page of employer records.
func NewEmployerConnection(l db.List[*db.Organization], offset int) *EmployerConnection {
	return &EmployerConnection{newConn(l, offset, func(o *db.Organization) *Employer { return &Employer{orgFields{o}} })}
}

// Edges are the items with their cursors.
func (c *EmployerConnection) Edges() []*EmployerEdge {
	out := make([]*EmployerEdge, len(c.Items))
	for i, v := range c.Items {
		cur, d := c.edge(i)
		out[i] = &EmployerEdge{cur, v, d}
	}
	return out
}

// AssociationConnection is a page of associations.
type AssociationConnection struct{ conn[*Association] }

// AssociationEdge is an association in a page.
type AssociationEdge struct {
	Cursor         string
	Node           *Association
	DistanceMeters *float64
}

// NewAssociationConnection makes a connection from a page of association records.
func NewAssociationConnection(l db.List[*db.Organization], offset int) *AssociationConnection {
	return &AssociationConnection{newConn(l, offset, func(o *db.Organization) *Association { return &Association{orgFields{o}} })}
}

// Edges are the items with their cursors.
func (c *AssociationConnection) Edges() []*AssociationEdge {
	out := make([]*AssociationEdge, len(c.Items))
	for i, v := range c.Items {
		cur, d := c.edge(i)
		out[i] = &AssociationEdge{cur, v, d}
	}
	return out
}

// OrganizationConnection is a page of employers and associations.
type OrganizationConnection struct{ conn[Organization] }

// OrganizationEdge is an organisation in a page.
type OrganizationEdge struct {
	Cursor         string
	Node           Organization
	DistanceMeters *float64
}

// NewOrganizationConnection makes a connection from a page of records.
func NewOrganizationConnection(l db.List[*db.Organization], offset int) *OrganizationConnection {
	return &OrganizationConnection{newConn(l, offset, NewOrganization)}
}

// Edges are the items with their cursors.
func (c *OrganizationConnection) Edges() []*OrganizationEdge {
	out := make([]*OrganizationEdge, len(c.Items))
	for i, v := range c.Items {
		cur, d := c.edge(i)
		out[i] = &OrganizationEdge{cur, v, d}
	}
	return out
}

// AuditEntryConnection is a page of audit entries, newest first.
type AuditEntryConnection struct{ conn[*db.AuditEntry] }

// AuditEntryEdge is an audit entry in a page.
type AuditEntryEdge struct {
	Cursor string
	Node   *db.AuditEntry
}

// NewAuditEntryConnection makes a connection from a page that starts at offset.
func NewAuditEntryConnection(l db.List[*db.AuditEntry], offset int) *AuditEntryConnection {
	return &AuditEntryConnection{newConn(l, offset, same)}
}

// Edges are the items with their cursors.
func (c *AuditEntryConnection) Edges() []*AuditEntryEdge {
	out := make([]*AuditEntryEdge, len(c.Items))
	for i, v := range c.Items {
		cur, _ := c.edge(i)
		out[i] = &AuditEntryEdge{cur, v}
	}
	return out
}
