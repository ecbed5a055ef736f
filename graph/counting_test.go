package graph_test

import (
	"context"
	"sync/atomic"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// countingStore counts the calls that reach the store, to prove that a
// query's cost does not grow with the number of parents.
type countingStore struct {
	db.Store
	calls atomic.Int64
}

func (c *countingStore) count() { c.calls.Add(1) }

func (c *countingStore) AreasByID(ctx context.Context, ids []int64) ([]*db.Area, error) {
	c.count()
	return c.Store.AreasByID(ctx, ids)
}
func (c *countingStore) AreaByCode(ctx context.Context, code string) (*db.Area, error) {
	c.count()
	return c.Store.AreaByCode(ctx, code)
}
func (c *countingStore) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	c.count()
	return c.Store.Areas(ctx, f, p)
}
func (c *countingStore) AreasAt(ctx context.Context, pt orb.Point, kinds []db.AreaKind) ([]*db.Area, error) {
	c.count()
	return c.Store.AreasAt(ctx, pt, kinds)
}
func (c *countingStore) ChildAreas(ctx context.Context, ids []int64, f db.AreaFilter, p db.Page) ([]db.List[*db.Area], error) {
	c.count()
	return c.Store.ChildAreas(ctx, ids, f, p)
}
func (c *countingStore) OrganizationsByID(ctx context.Context, ids []int64) ([]*db.Organization, error) {
	c.count()
	return c.Store.OrganizationsByID(ctx, ids)
}
func (c *countingStore) Organizations(ctx context.Context, f db.OrganizationFilter, p db.Page) (db.List[*db.Organization], error) {
	c.count()
	return c.Store.Organizations(ctx, f, p)
}
func (c *countingStore) OrganizationsByArea(ctx context.Context, ids []int64, f db.OrganizationFilter, p db.Page) ([]db.List[*db.Organization], error) {
	c.count()
	return c.Store.OrganizationsByArea(ctx, ids, f, p)
}
func (c *countingStore) InitiativesByID(ctx context.Context, ids []int64) ([]*db.Initiative, error) {
	c.count()
	return c.Store.InitiativesByID(ctx, ids)
}
func (c *countingStore) Initiatives(ctx context.Context, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	c.count()
	return c.Store.Initiatives(ctx, f, p)
}
func (c *countingStore) InitiativesByArea(ctx context.Context, ids []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	c.count()
	return c.Store.InitiativesByArea(ctx, ids, f, p)
}
func (c *countingStore) InitiativesByOrganization(ctx context.Context, ids []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	c.count()
	return c.Store.InitiativesByOrganization(ctx, ids, f, p)
}
func (c *countingStore) Indicators(ctx context.Context, codes []string) ([]*db.Indicator, error) {
	c.count()
	return c.Store.Indicators(ctx, codes)
}
func (c *countingStore) IndicatorValues(ctx context.Context, f db.ValueFilter) ([]db.IndicatorValue, error) {
	c.count()
	return c.Store.IndicatorValues(ctx, f)
}
func (c *countingStore) Coverage(ctx context.Context, f db.CoverageFilter) ([]db.CoverageCell, error) {
	c.count()
	return c.Store.Coverage(ctx, f)
}
