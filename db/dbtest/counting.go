package dbtest

import (
	"context"
	"iter"
	"sync/atomic"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// Counting wraps a store and counts the calls that reach it, so a test
// can show that a request's cost follows the shape of the question, not
// the number of records in the answer.
type Counting struct {
	db.Store
	calls atomic.Int64
}

// Reset returns the calls counted so far and starts again from zero.
func (c *Counting) Reset() int { return int(c.calls.Swap(0)) }

func (c *Counting) count() { c.calls.Add(1) }

// AreasByID implements db.Store.
func (c *Counting) AreasByID(ctx context.Context, ids []int64) ([]*db.Area, error) {
	c.count()
	return c.Store.AreasByID(ctx, ids)
}

// AreaByCode implements db.Store.
func (c *Counting) AreaByCode(ctx context.Context, code string) (*db.Area, error) {
	c.count()
	return c.Store.AreaByCode(ctx, code)
}

// Areas implements db.Store.
func (c *Counting) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	c.count()
	return c.Store.Areas(ctx, f, p)
}

// AreasAt implements db.Store.
func (c *Counting) AreasAt(ctx context.Context, pt orb.Point, kinds []db.AreaKind) ([]*db.Area, error) {
	c.count()
	return c.Store.AreasAt(ctx, pt, kinds)
}

// ChildAreas implements db.Store.
func (c *Counting) ChildAreas(ctx context.Context, ids []int64, f db.AreaFilter, p db.Page) ([]db.List[*db.Area], error) {
	c.count()
	return c.Store.ChildAreas(ctx, ids, f, p)
}

// OrganizationsByID implements db.Store.
func (c *Counting) OrganizationsByID(ctx context.Context, ids []int64) ([]*db.Organization, error) {
	c.count()
	return c.Store.OrganizationsByID(ctx, ids)
}

// Organizations implements db.Store.
func (c *Counting) Organizations(ctx context.Context, f db.OrganizationFilter, p db.Page) (db.List[*db.Organization], error) {
	c.count()
	return c.Store.Organizations(ctx, f, p)
}

// OrganizationsByArea implements db.Store.
func (c *Counting) OrganizationsByArea(ctx context.Context, ids []int64, f db.OrganizationFilter, p db.Page) ([]db.List[*db.Organization], error) {
	c.count()
	return c.Store.OrganizationsByArea(ctx, ids, f, p)
}

// InitiativesByID implements db.Store.
func (c *Counting) InitiativesByID(ctx context.Context, ids []int64) ([]*db.Initiative, error) {
	c.count()
	return c.Store.InitiativesByID(ctx, ids)
}

// Initiatives implements db.Store.
func (c *Counting) Initiatives(ctx context.Context, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	c.count()
	return c.Store.Initiatives(ctx, f, p)
}

// InitiativesByArea implements db.Store.
func (c *Counting) InitiativesByArea(ctx context.Context, ids []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	c.count()
	return c.Store.InitiativesByArea(ctx, ids, f, p)
}

// InitiativesByOrganization implements db.Store.
func (c *Counting) InitiativesByOrganization(ctx context.Context, ids []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	c.count()
	return c.Store.InitiativesByOrganization(ctx, ids, f, p)
}

// Indicators implements db.Store.
func (c *Counting) Indicators(ctx context.Context, codes []string) ([]*db.Indicator, error) {
	c.count()
	return c.Store.Indicators(ctx, codes)
}

// IndicatorValues implements db.Store.
func (c *Counting) IndicatorValues(ctx context.Context, f db.ValueFilter) ([]db.IndicatorValue, error) {
	c.count()
	return c.Store.IndicatorValues(ctx, f)
}

// Coverage implements db.Store.
func (c *Counting) Coverage(ctx context.Context, f db.CoverageFilter) ([]db.CoverageCell, error) {
	c.count()
	return c.Store.Coverage(ctx, f)
}

// UpsertAreas implements db.Store.
func (c *Counting) UpsertAreas(ctx context.Context, areas iter.Seq2[*db.AreaInput, error]) (int, error) {
	c.count()
	return c.Store.UpsertAreas(ctx, areas)
}

// UpsertIndicatorValues implements db.Store.
func (c *Counting) UpsertIndicatorValues(ctx context.Context, values iter.Seq2[*db.ValueInput, error]) (int, error) {
	c.count()
	return c.Store.UpsertIndicatorValues(ctx, values)
}
