package model

import (
	"github.com/areagraph/areagraph/db"
)

// EncodeCursor returns the cursor of a place: the key's own text form
// (db.Key.Cursor), which the map layers' and OGC API's links carry too.
func EncodeCursor(k db.Key) string { return k.Cursor() }

// DecodeCursor returns the place a cursor marks (db.ParseCursor).
func DecodeCursor(c string) (db.Key, error) { return db.ParseCursor(c) }

// PageInfo tells where a page ends.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// conn is the part every connection shares: one page of items, Start of
// the Total before it, with the place of each item, its distance when the
// query had `near` and its distance from the area when it had `within`.
type conn[T any] struct {
	Items           []T
	Keys            []db.Key
	Distances       []float64
	WithinDistances []float64
	Total           int
	Start           int
}

// newConn wraps a page, taking each item's place from its id (and its
// distance, nearest first) before the item is wrapped.
func newConn[T, R any](l db.List[T], id func(T) int64, wrap func(T) R) conn[R] {
	c := conn[R]{Items: make([]R, len(l.Items)), Keys: make([]db.Key, len(l.Items)), Distances: l.Distances,
		WithinDistances: l.WithinDistances, Total: l.Total, Start: l.Start}
	for i, v := range l.Items {
		c.Items[i] = wrap(v)
		c.Keys[i] = db.Key{ID: id(v)}
		if l.Distances != nil {
			c.Keys[i].Dist, c.Keys[i].Near = l.Distances[i], true
		}
	}
	return c
}

func same[T any](v T) T { return v }

func areaID(a *db.Area) int64                 { return a.ID }
func initiativeID(i *db.Initiative) int64     { return i.ID }
func organizationID(o *db.Organization) int64 { return o.ID }
func auditEntryID(e *db.AuditEntry) int64     { return e.ID }

// TotalCount is the number of matches on all pages.
func (c *conn[T]) TotalCount() int { return c.Total }

// Nodes are the page's items.
func (c *conn[T]) Nodes() []T { return c.Items }

// PageInfo tells where the page lies.
func (c *conn[T]) PageInfo() *PageInfo {
	pi := &PageInfo{
		HasNextPage:     c.Start+len(c.Items) < c.Total,
		HasPreviousPage: c.Start > 0,
	}
	if n := len(c.Items); n > 0 {
		s, e := EncodeCursor(c.Keys[0]), EncodeCursor(c.Keys[n-1])
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
	return EncodeCursor(c.Keys[i]), d
}

// withinDistance returns item i's distance from the `within` area, nil
// without one.
func (c *conn[T]) withinDistance(i int) *float64 {
	if c.WithinDistances == nil {
		return nil
	}
	return &c.WithinDistances[i]
}

// AreaConnection is a page of areas.
type AreaConnection struct{ conn[*db.Area] }

// AreaEdge is an area in a page.
type AreaEdge struct {
	Cursor         string
	Node           *db.Area
	DistanceMeters *float64
}

// NewAreaConnection makes a connection from a page.
func NewAreaConnection(l db.List[*db.Area]) *AreaConnection {
	return &AreaConnection{newConn(l, areaID, same)}
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
	Cursor               string
	Node                 *db.Initiative
	DistanceMeters       *float64
	WithinDistanceMeters *float64
}

// NewInitiativeConnection makes a connection from a page.
func NewInitiativeConnection(l db.List[*db.Initiative]) *InitiativeConnection {
	return &InitiativeConnection{newConn(l, initiativeID, same)}
}

// Edges are the items with their cursors.
func (c *InitiativeConnection) Edges() []*InitiativeEdge {
	out := make([]*InitiativeEdge, len(c.Items))
	for i, v := range c.Items {
		cur, d := c.edge(i)
		out[i] = &InitiativeEdge{cur, v, d, c.withinDistance(i)}
	}
	return out
}

// EmployerConnection is a page of employers.
type EmployerConnection struct{ conn[*Employer] }

// EmployerEdge is an employer in a page.
type EmployerEdge struct {
	Cursor               string
	Node                 *Employer
	DistanceMeters       *float64
	WithinDistanceMeters *float64
}

// NewEmployerConnection makes a connection from a page of employer records.
func NewEmployerConnection(l db.List[*db.Organization]) *EmployerConnection {
	return &EmployerConnection{newConn(l, organizationID, func(o *db.Organization) *Employer { return &Employer{orgFields{o}} })}
}

// Edges are the items with their cursors.
func (c *EmployerConnection) Edges() []*EmployerEdge {
	out := make([]*EmployerEdge, len(c.Items))
	for i, v := range c.Items {
		cur, d := c.edge(i)
		out[i] = &EmployerEdge{cur, v, d, c.withinDistance(i)}
	}
	return out
}

// AssociationConnection is a page of associations.
type AssociationConnection struct{ conn[*Association] }

// AssociationEdge is an association in a page.
type AssociationEdge struct {
	Cursor               string
	Node                 *Association
	DistanceMeters       *float64
	WithinDistanceMeters *float64
}

// NewAssociationConnection makes a connection from a page of association records.
func NewAssociationConnection(l db.List[*db.Organization]) *AssociationConnection {
	return &AssociationConnection{newConn(l, organizationID, func(o *db.Organization) *Association { return &Association{orgFields{o}} })}
}

// Edges are the items with their cursors.
func (c *AssociationConnection) Edges() []*AssociationEdge {
	out := make([]*AssociationEdge, len(c.Items))
	for i, v := range c.Items {
		cur, d := c.edge(i)
		out[i] = &AssociationEdge{cur, v, d, c.withinDistance(i)}
	}
	return out
}

// OrganizationConnection is a page of employers and associations.
type OrganizationConnection struct{ conn[Organization] }

// OrganizationEdge is an organisation in a page.
type OrganizationEdge struct {
	Cursor               string
	Node                 Organization
	DistanceMeters       *float64
	WithinDistanceMeters *float64
}

// NewOrganizationConnection makes a connection from a page of records.
func NewOrganizationConnection(l db.List[*db.Organization]) *OrganizationConnection {
	return &OrganizationConnection{newConn(l, organizationID, NewOrganization)}
}

// Edges are the items with their cursors.
func (c *OrganizationConnection) Edges() []*OrganizationEdge {
	out := make([]*OrganizationEdge, len(c.Items))
	for i, v := range c.Items {
		cur, d := c.edge(i)
		out[i] = &OrganizationEdge{cur, v, d, c.withinDistance(i)}
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

// NewAuditEntryConnection makes a connection from a page.
func NewAuditEntryConnection(l db.List[*db.AuditEntry]) *AuditEntryConnection {
	return &AuditEntryConnection{newConn(l, auditEntryID, same)}
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
