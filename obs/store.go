package obs

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// InstrumentStore returns store with the latency and outcome of every call
// recorded in m. It implements every method of db.Store itself, rather
// than embedding the interface, so that a method added to db.Store fails
// to compile here instead of going unmeasured.
func InstrumentStore(store db.Store, m *Metrics) db.Store {
	return &instrumentedStore{next: store, m: m}
}

type instrumentedStore struct {
	next db.Store
	m    *Metrics
}

var _ db.Store = (*instrumentedStore)(nil)

// observe records a call that began at start, with the error *err it
// returned. Deferred directly, it also sees a panic, records it as
// internal and lets it go on.
func (s *instrumentedStore) observe(method string, start time.Time, err *error) {
	outcome := "ok"
	p := recover()
	switch {
	case p != nil:
		outcome = db.EINTERNAL
	case *err == nil:
	case errors.Is(*err, context.DeadlineExceeded), errors.Is(*err, context.Canceled):
		outcome = db.EUNAVAILABLE
	default:
		outcome = db.ErrorCode(*err)
	}
	s.m.storeDuration.WithLabelValues(method, outcome).Observe(time.Since(start).Seconds())
	if p != nil {
		panic(p)
	}
}

func (s *instrumentedStore) Load(ctx context.Context, ds *db.Dataset) (err error) {
	defer s.observe("Load", time.Now(), &err)
	return s.next.Load(ctx, ds)
}

func (s *instrumentedStore) AreasByID(ctx context.Context, ids []int64) (_ []*db.Area, err error) {
	defer s.observe("AreasByID", time.Now(), &err)
	return s.next.AreasByID(ctx, ids)
}

func (s *instrumentedStore) AreaByCode(ctx context.Context, code string) (_ *db.Area, err error) {
	defer s.observe("AreaByCode", time.Now(), &err)
	return s.next.AreaByCode(ctx, code)
}

func (s *instrumentedStore) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (_ db.List[*db.Area], err error) {
	defer s.observe("Areas", time.Now(), &err)
	return s.next.Areas(ctx, f, p)
}

func (s *instrumentedStore) AreasAt(ctx context.Context, pt orb.Point, kinds []db.AreaKind) (_ []*db.Area, err error) {
	defer s.observe("AreasAt", time.Now(), &err)
	return s.next.AreasAt(ctx, pt, kinds)
}

func (s *instrumentedStore) ChildAreas(ctx context.Context, parentIDs []int64, f db.AreaFilter, p db.Page) (_ []db.List[*db.Area], err error) {
	defer s.observe("ChildAreas", time.Now(), &err)
	return s.next.ChildAreas(ctx, parentIDs, f, p)
}

func (s *instrumentedStore) OrganizationsByID(ctx context.Context, ids []int64) (_ []*db.Organization, err error) {
	defer s.observe("OrganizationsByID", time.Now(), &err)
	return s.next.OrganizationsByID(ctx, ids)
}

func (s *instrumentedStore) Organizations(ctx context.Context, f db.OrganizationFilter, p db.Page) (_ db.List[*db.Organization], err error) {
	defer s.observe("Organizations", time.Now(), &err)
	return s.next.Organizations(ctx, f, p)
}

func (s *instrumentedStore) OrganizationsByArea(ctx context.Context, areaIDs []int64, f db.OrganizationFilter, p db.Page) (_ []db.List[*db.Organization], err error) {
	defer s.observe("OrganizationsByArea", time.Now(), &err)
	return s.next.OrganizationsByArea(ctx, areaIDs, f, p)
}

func (s *instrumentedStore) InitiativesByID(ctx context.Context, ids []int64) (_ []*db.Initiative, err error) {
	defer s.observe("InitiativesByID", time.Now(), &err)
	return s.next.InitiativesByID(ctx, ids)
}

func (s *instrumentedStore) Initiatives(ctx context.Context, f db.InitiativeFilter, p db.Page) (_ db.List[*db.Initiative], err error) {
	defer s.observe("Initiatives", time.Now(), &err)
	return s.next.Initiatives(ctx, f, p)
}

func (s *instrumentedStore) InitiativesByArea(ctx context.Context, areaIDs []int64, f db.InitiativeFilter, p db.Page) (_ []db.List[*db.Initiative], err error) {
	defer s.observe("InitiativesByArea", time.Now(), &err)
	return s.next.InitiativesByArea(ctx, areaIDs, f, p)
}

func (s *instrumentedStore) InitiativesByOrganization(ctx context.Context, orgIDs []int64, f db.InitiativeFilter, p db.Page) (_ []db.List[*db.Initiative], err error) {
	defer s.observe("InitiativesByOrganization", time.Now(), &err)
	return s.next.InitiativesByOrganization(ctx, orgIDs, f, p)
}

func (s *instrumentedStore) Indicators(ctx context.Context, codes []string) (_ []*db.Indicator, err error) {
	defer s.observe("Indicators", time.Now(), &err)
	return s.next.Indicators(ctx, codes)
}

func (s *instrumentedStore) IndicatorValues(ctx context.Context, f db.ValueFilter) (_ []db.IndicatorValue, err error) {
	defer s.observe("IndicatorValues", time.Now(), &err)
	return s.next.IndicatorValues(ctx, f)
}

func (s *instrumentedStore) Coverage(ctx context.Context, f db.CoverageFilter) (_ []db.CoverageCell, err error) {
	defer s.observe("Coverage", time.Now(), &err)
	return s.next.Coverage(ctx, f)
}

func (s *instrumentedStore) UpsertAreas(ctx context.Context, areas iter.Seq2[*db.AreaInput, error]) (_ int, err error) {
	defer s.observe("UpsertAreas", time.Now(), &err)
	return s.next.UpsertAreas(ctx, areas)
}

func (s *instrumentedStore) UpsertIndicatorValues(ctx context.Context, values iter.Seq2[*db.ValueInput, error]) (_ int, err error) {
	defer s.observe("UpsertIndicatorValues", time.Now(), &err)
	return s.next.UpsertIndicatorValues(ctx, values)
}

func (s *instrumentedStore) Ping(ctx context.Context) (err error) {
	defer s.observe("Ping", time.Now(), &err)
	return s.next.Ping(ctx)
}

// Close is not measured: it happens once, at shutdown.
func (s *instrumentedStore) Close() { s.next.Close() }
