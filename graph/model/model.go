// Package model holds the Go shapes of GraphQL types that are not domain
// records: connections, edges, the organisation wrappers and the Date
// scalar. Domain records themselves come from package db.
package model

import (
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// Node is anything with a global id. Its one method is what the domain
// records that implement it (db.Area, db.Initiative) already have, so they
// stay free of GraphQL; and a resolver that hands out something that is
// not a node fails to compile instead of panicking in the generated code.
type Node interface {
	NodeID() string
}

// Organization is an Employer or an Association.
type Organization interface {
	Node
	Record() *db.Organization
}

// orgFields are the fields every organisation shows, read from its record.
type orgFields struct {
	O *db.Organization
}

// Record returns the domain record behind the organisation.
func (o orgFields) Record() *db.Organization { return o.O }

// NodeID is the organisation's global id.
func (o orgFields) NodeID() string { return o.O.NodeID() }

// Name is the organisation's name.
func (o orgFields) Name() string { return o.O.Name }

// OrganizationNumber is nil when not known.
func (o orgFields) OrganizationNumber() *string { return optional(o.O.OrgNumber) }

// Website is nil when there is none.
func (o orgFields) Website() *string { return optional(o.O.Website) }

// Version counts the organisation's writes.
func (o orgFields) Version() int64 { return o.O.Version }

// UpdatedAt is when the organisation was last written.
func (o orgFields) UpdatedAt() time.Time { return o.O.UpdatedAt }

// Location is nil when not known, so that the field is null; else the
// point rounded to precision decimals (DefaultPrecision when nil).
func (o orgFields) Location(precision *int) (orb.Geometry, error) {
	if o.O.Location == nil {
		_, err := Rounded("location", nil, precision)
		return nil, err
	}
	return Rounded("location", *o.O.Location, precision)
}

// Employer is an organisation of kind EMPLOYER.
type Employer struct{ orgFields }

// Industry is nil when not known.
func (e *Employer) Industry() *string { return optional(e.O.Industry) }

// Size is nil when not known.
func (e *Employer) Size() *db.EmployerSize {
	if e.O.Size == "" {
		return nil
	}
	s := e.O.Size
	return &s
}

// Association is an organisation of kind ASSOCIATION.
type Association struct{ orgFields }

// Activity is nil when not known.
func (a *Association) Activity() *string { return optional(a.O.Activity) }

// NewEmployer wraps an employer's record.
func NewEmployer(o *db.Organization) *Employer { return &Employer{orgFields{o}} }

// NewAssociation wraps an association's record.
func NewAssociation(o *db.Organization) *Association { return &Association{orgFields{o}} }

// NewOrganization wraps a record in the GraphQL type of its kind; nil stays nil.
func NewOrganization(o *db.Organization) Organization {
	switch {
	case o == nil:
		return nil
	case o.Kind == db.OrgEmployer:
		return &Employer{orgFields{o}}
	default:
		return &Association{orgFields{o}}
	}
}

// optional turns an empty string into a null.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
