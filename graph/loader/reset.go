package loader

import (
	"context"
	"sync"

	"github.com/areagraph/areagraph/db"
)

// Loaders are the batch loaders of one request. Make a fresh one per
// request: it caches what it loaded for the request's lifetime only.
//
// A mutation changes records the request may already have cached (an area
// read by an earlier mutation's payload, a parent it renamed), and later
// payloads in the same request must not show them as they were. Reset
// drops everything cached; each write calls it, and the root fields of a
// mutation run one after the other, so no load is in flight when it does.
type Loaders struct {
	store db.Reader

	mu  sync.RWMutex
	gen *generation

	outlines outlines
}

// New returns the loaders for one request over s.
func New(s db.Reader) *Loaders {
	return &Loaders{store: s, gen: newGeneration(s)}
}

// Reset forgets everything loaded so far: what is asked next is read from
// the store again.
func (l *Loaders) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen = newGeneration(l.store)
}

func (l *Loaders) current() *generation {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.gen
}

// Areas registers areas handed out together: their children load together,
// and so do their parents.
func (l *Loaders) Areas(areas []*db.Area) { l.current().Areas(areas) }

// Organizations registers organisations handed out together.
func (l *Loaders) Organizations(orgs []*db.Organization) { l.current().Organizations(orgs) }

// Initiatives registers initiatives handed out together: the areas they
// serve and the organisations they involve load together.
func (l *Loaders) Initiatives(inits []*db.Initiative) { l.current().Initiatives(inits) }

// Area loads one area by id; nil when there is none.
func (l *Loaders) Area(ctx context.Context, id int64) (*db.Area, error) {
	return l.current().Area(ctx, id)
}

// AreaList loads areas by id in order, skipping missing ones.
func (l *Loaders) AreaList(ctx context.Context, ids []int64) ([]*db.Area, error) {
	return l.current().AreaList(ctx, ids)
}

// Organization loads one organisation by id; nil when there is none.
func (l *Loaders) Organization(ctx context.Context, id int64) (*db.Organization, error) {
	return l.current().Organization(ctx, id)
}

// Children loads one page of an area's children.
func (l *Loaders) Children(ctx context.Context, areaID int64, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	return l.current().Children(ctx, areaID, f, p)
}

// AreaInitiatives loads one page of the initiatives serving an area.
func (l *Loaders) AreaInitiatives(ctx context.Context, areaID int64, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	return l.current().AreaInitiatives(ctx, areaID, f, p)
}

// OrganizationInitiatives loads one page of the initiatives an organisation
// leads or joins.
func (l *Loaders) OrganizationInitiatives(ctx context.Context, orgID int64, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	return l.current().OrganizationInitiatives(ctx, orgID, f, p)
}

// AreaOrganizations loads one page of the organisations engaged in an area.
func (l *Loaders) AreaOrganizations(ctx context.Context, areaID int64, f db.OrganizationFilter, p db.Page) (db.List[*db.Organization], error) {
	return l.current().AreaOrganizations(ctx, areaID, f, p)
}

// Values loads an area's indicator values; f.AreaIDs is ignored.
func (l *Loaders) Values(ctx context.Context, areaID int64, f db.ValueFilter) ([]db.IndicatorValue, error) {
	return l.current().Values(ctx, areaID, f)
}

// Derived loads the values rolled up for an area (db.DerivedValues).
func (l *Loaders) Derived(ctx context.Context, areaID int64, f db.ValueFilter) ([]db.Derived, error) {
	return l.current().Derived(ctx, areaID, f)
}

// Indicators returns all indicator definitions, loaded once per request
// (once again after a Reset).
func (l *Loaders) Indicators(ctx context.Context) ([]*db.Indicator, error) {
	return l.current().Indicators(ctx)
}
