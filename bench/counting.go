package bench

import (
	"context"
	"sync/atomic"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// counting counts the read calls that reach a store. On PostGIS each is
// one SQL statement (db/postgis answers every store call with one), so
// the count is the statements a request costs; AreasAt answered by the
// area replica is counted though it costs none.
type counting struct {
	db.Store
	calls atomic.Int64
}

// reset returns the calls counted so far and starts again from zero.
func (c *counting) reset() int { return int(c.calls.Swap(0)) }

func (c *counting) AreasByID(ctx context.Context, ids []int64) ([]*db.Area, error) {
	c.calls.Add(1)
	return c.Store.AreasByID(ctx, ids)
}

func (c *counting) AreaByCode(ctx context.Context, code string) (*db.Area, error) {
	c.calls.Add(1)
	return c.Store.AreaByCode(ctx, code)
}

func (c *counting) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	c.calls.Add(1)
	return c.Store.Areas(ctx, f, p)
}

func (c *counting) AreasAt(ctx context.Context, pt orb.Point, kinds []db.AreaKind) ([]*db.Area, error) {
	c.calls.Add(1)
	return c.Store.AreasAt(ctx, pt, kinds)
}

func (c *counting) ChildAreas(ctx context.Context, ids []int64, f db.AreaFilter, p db.Page) ([]db.List[*db.Area], error) {
	c.calls.Add(1)
	return c.Store.ChildAreas(ctx, ids, f, p)
}

func (c *counting) OrganizationsByID(ctx context.Context, ids []int64) ([]*db.Organization, error) {
	c.calls.Add(1)
	return c.Store.OrganizationsByID(ctx, ids)
}

func (c *counting) Organizations(ctx context.Context, f db.OrganizationFilter, p db.Page) (db.List[*db.Organization], error) {
	c.calls.Add(1)
	return c.Store.Organizations(ctx, f, p)
}

func (c *counting) OrganizationsByArea(ctx context.Context, ids []int64, f db.OrganizationFilter, p db.Page) ([]db.List[*db.Organization], error) {
	c.calls.Add(1)
	return c.Store.OrganizationsByArea(ctx, ids, f, p)
}

func (c *counting) InitiativesByID(ctx context.Context, ids []int64) ([]*db.Initiative, error) {
	c.calls.Add(1)
	return c.Store.InitiativesByID(ctx, ids)
}

func (c *counting) Initiatives(ctx context.Context, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	c.calls.Add(1)
	return c.Store.Initiatives(ctx, f, p)
}

func (c *counting) InitiativesByArea(ctx context.Context, ids []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	c.calls.Add(1)
	return c.Store.InitiativesByArea(ctx, ids, f, p)
}

func (c *counting) InitiativesByOrganization(ctx context.Context, ids []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	c.calls.Add(1)
	return c.Store.InitiativesByOrganization(ctx, ids, f, p)
}

func (c *counting) Indicators(ctx context.Context, codes []string) ([]*db.Indicator, error) {
	c.calls.Add(1)
	return c.Store.Indicators(ctx, codes)
}

func (c *counting) IndicatorValues(ctx context.Context, f db.ValueFilter) ([]db.IndicatorValue, error) {
	c.calls.Add(1)
	return c.Store.IndicatorValues(ctx, f)
}

func (c *counting) Coverage(ctx context.Context, f db.CoverageFilter) ([]db.CoverageCell, error) {
	c.calls.Add(1)
	return c.Store.Coverage(ctx, f)
}
