package obs

import (
	"context"
	"time"

	"github.com/areagraph/areagraph/db"
)

// The writes, measured like the reads.

func (s *instrumentedStore) CreateArea(ctx context.Context, by db.Actor, a *db.Area) (_ *db.Area, err error) {
	defer s.observe("CreateArea", time.Now(), &err)
	return s.next.CreateArea(ctx, by, a)
}

func (s *instrumentedStore) UpdateArea(ctx context.Context, by db.Actor, a *db.Area) (_ *db.Area, err error) {
	defer s.observe("UpdateArea", time.Now(), &err)
	return s.next.UpdateArea(ctx, by, a)
}

func (s *instrumentedStore) DeleteArea(ctx context.Context, by db.Actor, id, version int64, detach bool) (err error) {
	defer s.observe("DeleteArea", time.Now(), &err)
	return s.next.DeleteArea(ctx, by, id, version, detach)
}

func (s *instrumentedStore) CreateOrganization(ctx context.Context, by db.Actor, o *db.Organization) (_ *db.Organization, err error) {
	defer s.observe("CreateOrganization", time.Now(), &err)
	return s.next.CreateOrganization(ctx, by, o)
}

func (s *instrumentedStore) UpdateOrganization(ctx context.Context, by db.Actor, o *db.Organization) (_ *db.Organization, err error) {
	defer s.observe("UpdateOrganization", time.Now(), &err)
	return s.next.UpdateOrganization(ctx, by, o)
}

func (s *instrumentedStore) DeleteOrganization(ctx context.Context, by db.Actor, id, version int64, detach bool) (err error) {
	defer s.observe("DeleteOrganization", time.Now(), &err)
	return s.next.DeleteOrganization(ctx, by, id, version, detach)
}

func (s *instrumentedStore) CreateInitiative(ctx context.Context, by db.Actor, in *db.Initiative) (_ *db.Initiative, err error) {
	defer s.observe("CreateInitiative", time.Now(), &err)
	return s.next.CreateInitiative(ctx, by, in)
}

func (s *instrumentedStore) UpdateInitiative(ctx context.Context, by db.Actor, in *db.Initiative) (_ *db.Initiative, err error) {
	defer s.observe("UpdateInitiative", time.Now(), &err)
	return s.next.UpdateInitiative(ctx, by, in)
}

func (s *instrumentedStore) DeleteInitiative(ctx context.Context, by db.Actor, id, version int64) (err error) {
	defer s.observe("DeleteInitiative", time.Now(), &err)
	return s.next.DeleteInitiative(ctx, by, id, version)
}

func (s *instrumentedStore) CreateIndicator(ctx context.Context, by db.Actor, ind *db.Indicator) (_ *db.Indicator, err error) {
	defer s.observe("CreateIndicator", time.Now(), &err)
	return s.next.CreateIndicator(ctx, by, ind)
}

func (s *instrumentedStore) UpdateIndicator(ctx context.Context, by db.Actor, ind *db.Indicator) (_ *db.Indicator, err error) {
	defer s.observe("UpdateIndicator", time.Now(), &err)
	return s.next.UpdateIndicator(ctx, by, ind)
}

func (s *instrumentedStore) DeleteIndicator(ctx context.Context, by db.Actor, code string, version int64, detach bool) (err error) {
	defer s.observe("DeleteIndicator", time.Now(), &err)
	return s.next.DeleteIndicator(ctx, by, code, version, detach)
}

func (s *instrumentedStore) PutIndicatorValues(ctx context.Context, by db.Actor, values []db.IndicatorValue) (_ int, err error) {
	defer s.observe("PutIndicatorValues", time.Now(), &err)
	return s.next.PutIndicatorValues(ctx, by, values)
}

func (s *instrumentedStore) AuditLog(ctx context.Context, f db.AuditFilter, p db.Page) (_ db.List[*db.AuditEntry], err error) {
	defer s.observe("AuditLog", time.Now(), &err)
	return s.next.AuditLog(ctx, f, p)
}

func (s *instrumentedStore) CreateKey(ctx context.Context, by db.Actor, k *db.APIKey) (_ *db.APIKey, err error) {
	defer s.observe("CreateKey", time.Now(), &err)
	return s.next.CreateKey(ctx, by, k)
}

func (s *instrumentedStore) Keys(ctx context.Context) (_ []*db.APIKey, err error) {
	defer s.observe("Keys", time.Now(), &err)
	return s.next.Keys(ctx)
}

func (s *instrumentedStore) KeyByHash(ctx context.Context, hash []byte) (_ *db.APIKey, err error) {
	defer s.observe("KeyByHash", time.Now(), &err)
	return s.next.KeyByHash(ctx, hash)
}

func (s *instrumentedStore) RevokeKey(ctx context.Context, by db.Actor, id string) (_ *db.APIKey, err error) {
	defer s.observe("RevokeKey", time.Now(), &err)
	return s.next.RevokeKey(ctx, by, id)
}
