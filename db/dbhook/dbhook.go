// Package dbhook wraps a db.Store so that every call to it passes a hook:
// the one place that spells out each method of the storage contract for
// those who watch the calls (metrics in obs, call counts in the tests and
// the benchmark). A watcher writes a Hook, not another copy of the
// contract.
package dbhook

import (
	"context"
	"fmt"
	"io"
	"iter"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// Hook is called as a store call begins, with the call's context and the
// method's name as db.Store spells it ("AreasByID"). The func it returns,
// if not nil, is called when the call ends, with the error it returned
// (nil on success), or a *PanicError when it panicked.
type Hook func(ctx context.Context, method string) (done func(err error))

// PanicError is what done sees when the call panicked. The panic goes on
// after done has seen it.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Wrap returns store with hook around every call but Close, which happens
// once, at shutdown.
//
// The wrapper implements every method of db.Store itself, rather than
// embedding the interface, so that a method added to db.Store fails to
// compile here instead of passing unseen.
func Wrap(store db.Store, hook Hook) db.Store {
	return &hooked{next: store, hook: hook}
}

type hooked struct {
	next db.Store
	hook Hook
}

var (
	_ db.Store      = (*hooked)(nil)
	_ db.TreeReader = (*hooked)(nil)
)

// end hands the outcome of a call to done. It must be deferred directly, so
// that it also sees a panic, which it passes on.
func end(done func(error), err *error) {
	if done == nil {
		return
	}
	if p := recover(); p != nil {
		done(&PanicError{Value: p})
		panic(p)
	}
	done(*err)
}

// db.AreaReader.

func (s *hooked) AreasByID(ctx context.Context, ids []int64) (_ []*db.Area, err error) {
	defer end(s.hook(ctx, "AreasByID"), &err)
	return s.next.AreasByID(ctx, ids)
}

func (s *hooked) AreaByCode(ctx context.Context, code string) (_ *db.Area, err error) {
	defer end(s.hook(ctx, "AreaByCode"), &err)
	return s.next.AreaByCode(ctx, code)
}

func (s *hooked) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (_ db.List[*db.Area], err error) {
	defer end(s.hook(ctx, "Areas"), &err)
	return s.next.Areas(ctx, f, p)
}

func (s *hooked) AreasAt(ctx context.Context, pt orb.Point, kinds []db.AreaKind, on time.Time) (_ []*db.Area, err error) {
	defer end(s.hook(ctx, "AreasAt"), &err)
	return s.next.AreasAt(ctx, pt, kinds, on)
}

func (s *hooked) ChildAreas(ctx context.Context, parentIDs []int64, f db.AreaFilter, p db.Page) (_ []db.List[*db.Area], err error) {
	defer end(s.hook(ctx, "ChildAreas"), &err)
	return s.next.ChildAreas(ctx, parentIDs, f, p)
}

func (s *hooked) AreaOverlaps(ctx context.Context, targetIDs []int64) (_ []*db.Overlaps, err error) {
	defer end(s.hook(ctx, "AreaOverlaps"), &err)
	return s.next.AreaOverlaps(ctx, targetIDs)
}

// db.OrganizationReader.

func (s *hooked) OrganizationsByID(ctx context.Context, ids []int64) (_ []*db.Organization, err error) {
	defer end(s.hook(ctx, "OrganizationsByID"), &err)
	return s.next.OrganizationsByID(ctx, ids)
}

func (s *hooked) Organizations(ctx context.Context, f db.OrganizationFilter, p db.Page) (_ db.List[*db.Organization], err error) {
	defer end(s.hook(ctx, "Organizations"), &err)
	return s.next.Organizations(ctx, f, p)
}

func (s *hooked) OrganizationsByArea(ctx context.Context, areaIDs []int64, f db.OrganizationFilter, p db.Page) (_ []db.List[*db.Organization], err error) {
	defer end(s.hook(ctx, "OrganizationsByArea"), &err)
	return s.next.OrganizationsByArea(ctx, areaIDs, f, p)
}

// db.InitiativeReader.

func (s *hooked) InitiativesByID(ctx context.Context, ids []int64) (_ []*db.Initiative, err error) {
	defer end(s.hook(ctx, "InitiativesByID"), &err)
	return s.next.InitiativesByID(ctx, ids)
}

func (s *hooked) Initiatives(ctx context.Context, f db.InitiativeFilter, p db.Page) (_ db.List[*db.Initiative], err error) {
	defer end(s.hook(ctx, "Initiatives"), &err)
	return s.next.Initiatives(ctx, f, p)
}

func (s *hooked) InitiativeLocations(ctx context.Context, f db.InitiativeFilter, limit int) (_ db.List[db.Located], err error) {
	defer end(s.hook(ctx, "InitiativeLocations"), &err)
	return s.next.InitiativeLocations(ctx, f, limit)
}

func (s *hooked) InitiativesByArea(ctx context.Context, areaIDs []int64, f db.InitiativeFilter, p db.Page) (_ []db.List[*db.Initiative], err error) {
	defer end(s.hook(ctx, "InitiativesByArea"), &err)
	return s.next.InitiativesByArea(ctx, areaIDs, f, p)
}

func (s *hooked) InitiativesByOrganization(ctx context.Context, orgIDs []int64, f db.InitiativeFilter, p db.Page) (_ []db.List[*db.Initiative], err error) {
	defer end(s.hook(ctx, "InitiativesByOrganization"), &err)
	return s.next.InitiativesByOrganization(ctx, orgIDs, f, p)
}

func (s *hooked) Coverage(ctx context.Context, f db.CoverageFilter) (_ []db.CoverageCell, err error) {
	defer end(s.hook(ctx, "Coverage"), &err)
	return s.next.Coverage(ctx, f)
}

// db.IndicatorReader.

func (s *hooked) Indicators(ctx context.Context, codes []string) (_ []*db.Indicator, err error) {
	defer end(s.hook(ctx, "Indicators"), &err)
	return s.next.Indicators(ctx, codes)
}

func (s *hooked) IndicatorValues(ctx context.Context, f db.ValueFilter) (_ []db.IndicatorValue, err error) {
	defer end(s.hook(ctx, "IndicatorValues"), &err)
	return s.next.IndicatorValues(ctx, f)
}

// db.BulkImporter.

func (s *hooked) Load(ctx context.Context, ds *db.Dataset) (err error) {
	defer end(s.hook(ctx, "Load"), &err)
	return s.next.Load(ctx, ds)
}

func (s *hooked) UpsertAreas(ctx context.Context, by db.Actor, areas iter.Seq2[*db.AreaInput, error]) (_ db.ImportCounts, err error) {
	defer end(s.hook(ctx, "UpsertAreas"), &err)
	return s.next.UpsertAreas(ctx, by, areas)
}

func (s *hooked) UpsertIndicatorValues(ctx context.Context, by db.Actor, file db.ImportFile,
	values iter.Seq2[*db.ValueInput, error]) (_ db.ImportCounts, err error) {
	defer end(s.hook(ctx, "UpsertIndicatorValues"), &err)
	return s.next.UpsertIndicatorValues(ctx, by, file, values)
}

// db.Writer.

func (s *hooked) CreateArea(ctx context.Context, by db.Actor, a *db.Area) (_ *db.Area, err error) {
	defer end(s.hook(ctx, "CreateArea"), &err)
	return s.next.CreateArea(ctx, by, a)
}

func (s *hooked) UpdateArea(ctx context.Context, by db.Actor, id, version int64, p db.AreaPatch) (_ *db.Area, err error) {
	defer end(s.hook(ctx, "UpdateArea"), &err)
	return s.next.UpdateArea(ctx, by, id, version, p)
}

func (s *hooked) DeleteArea(ctx context.Context, by db.Actor, id, version int64, detach bool) (err error) {
	defer end(s.hook(ctx, "DeleteArea"), &err)
	return s.next.DeleteArea(ctx, by, id, version, detach)
}

func (s *hooked) CreateOrganization(ctx context.Context, by db.Actor, o *db.Organization) (_ *db.Organization, err error) {
	defer end(s.hook(ctx, "CreateOrganization"), &err)
	return s.next.CreateOrganization(ctx, by, o)
}

func (s *hooked) UpdateOrganization(ctx context.Context, by db.Actor, kind db.OrgKind, id, version int64, p db.OrganizationPatch) (_ *db.Organization, err error) {
	defer end(s.hook(ctx, "UpdateOrganization"), &err)
	return s.next.UpdateOrganization(ctx, by, kind, id, version, p)
}

func (s *hooked) DeleteOrganization(ctx context.Context, by db.Actor, kind db.OrgKind, id, version int64, detach bool) (err error) {
	defer end(s.hook(ctx, "DeleteOrganization"), &err)
	return s.next.DeleteOrganization(ctx, by, kind, id, version, detach)
}

func (s *hooked) CreateInitiative(ctx context.Context, by db.Actor, in *db.Initiative) (_ *db.Initiative, err error) {
	defer end(s.hook(ctx, "CreateInitiative"), &err)
	return s.next.CreateInitiative(ctx, by, in)
}

func (s *hooked) UpdateInitiative(ctx context.Context, by db.Actor, id, version int64, p db.InitiativePatch) (_ *db.Initiative, err error) {
	defer end(s.hook(ctx, "UpdateInitiative"), &err)
	return s.next.UpdateInitiative(ctx, by, id, version, p)
}

func (s *hooked) DeleteInitiative(ctx context.Context, by db.Actor, id, version int64) (err error) {
	defer end(s.hook(ctx, "DeleteInitiative"), &err)
	return s.next.DeleteInitiative(ctx, by, id, version)
}

func (s *hooked) CreateIndicator(ctx context.Context, by db.Actor, ind *db.Indicator) (_ *db.Indicator, err error) {
	defer end(s.hook(ctx, "CreateIndicator"), &err)
	return s.next.CreateIndicator(ctx, by, ind)
}

func (s *hooked) UpdateIndicator(ctx context.Context, by db.Actor, code string, version int64, p db.IndicatorPatch) (_ *db.Indicator, err error) {
	defer end(s.hook(ctx, "UpdateIndicator"), &err)
	return s.next.UpdateIndicator(ctx, by, code, version, p)
}

func (s *hooked) DeleteIndicator(ctx context.Context, by db.Actor, code string, version int64, detach bool) (err error) {
	defer end(s.hook(ctx, "DeleteIndicator"), &err)
	return s.next.DeleteIndicator(ctx, by, code, version, detach)
}

func (s *hooked) PutIndicatorValues(ctx context.Context, by db.Actor, values []db.IndicatorValue) (_ int, err error) {
	defer end(s.hook(ctx, "PutIndicatorValues"), &err)
	return s.next.PutIndicatorValues(ctx, by, values)
}

func (s *hooked) AuditLog(ctx context.Context, f db.AuditFilter, p db.Page) (_ db.List[*db.AuditEntry], err error) {
	defer end(s.hook(ctx, "AuditLog"), &err)
	return s.next.AuditLog(ctx, f, p)
}

// db.KeyStore.

func (s *hooked) CreateKey(ctx context.Context, by db.Actor, k *db.APIKey) (_ *db.APIKey, err error) {
	defer end(s.hook(ctx, "CreateKey"), &err)
	return s.next.CreateKey(ctx, by, k)
}

func (s *hooked) Keys(ctx context.Context, by db.Actor) (_ []*db.APIKey, err error) {
	defer end(s.hook(ctx, "Keys"), &err)
	return s.next.Keys(ctx, by)
}

func (s *hooked) KeyByHash(ctx context.Context, hash []byte) (_ *db.APIKey, err error) {
	defer end(s.hook(ctx, "KeyByHash"), &err)
	return s.next.KeyByHash(ctx, hash)
}

func (s *hooked) RevokeKey(ctx context.Context, by db.Actor, id string) (_ *db.APIKey, err error) {
	defer end(s.hook(ctx, "RevokeKey"), &err)
	return s.next.RevokeKey(ctx, by, id)
}

func (s *hooked) RotateKey(ctx context.Context, by db.Actor, id string, hash []byte) (_ *db.APIKey, err error) {
	defer end(s.hook(ctx, "RotateKey"), &err)
	return s.next.RotateKey(ctx, by, id, hash)
}

// db.ChangeFeed.

func (s *hooked) Changes(ctx context.Context, after int64, f db.ChangeFilter, limit int) (_ []db.Change, err error) {
	defer end(s.hook(ctx, "Changes"), &err)
	return s.next.Changes(ctx, after, f, limit)
}

func (s *hooked) Heads(ctx context.Context) (_ map[string]int64, _ int64, err error) {
	defer end(s.hook(ctx, "Heads"), &err)
	return s.next.Heads(ctx)
}

// Watch is hooked as the call that opens the channel; what the channel
// carries afterwards is no store call.
func (s *hooked) Watch(ctx context.Context) (_ <-chan int64, err error) {
	defer end(s.hook(ctx, "Watch"), &err)
	return s.next.Watch(ctx)
}

// db.Pinger.

func (s *hooked) Ping(ctx context.Context) (err error) {
	defer end(s.hook(ctx, "Ping"), &err)
	return s.next.Ping(ctx)
}

// db.TreeReader, a role a store may have: the wrapper always has it, so
// that wrapping a store does not hide it, and answers as a store without
// it would (db.ErrTreeUnsupported) when the store it wraps lacks it. Such a
// refusal never reaches a store, so it is not hooked.

func (s *hooked) ReadTree(ctx context.Context, t *db.Tree, w io.Writer) (err error) {
	tr, ok := s.next.(db.TreeReader)
	if !ok {
		return db.ErrTreeUnsupported
	}
	defer end(s.hook(ctx, "ReadTree"), &err)
	return tr.ReadTree(ctx, t, w)
}

// Close is not hooked: it happens once, at shutdown.
func (s *hooked) Close() { s.next.Close() }

// Counter is a Hook that counts calls, so a test or a benchmark can show
// how many store calls a request costs. The zero Counter is ready to use.
type Counter struct{ calls atomic.Int64 }

// Hook counts one call.
func (c *Counter) Hook(context.Context, string) func(error) {
	c.calls.Add(1)
	return nil
}

// Reset returns the calls counted so far and starts again from zero.
func (c *Counter) Reset() int { return int(c.calls.Swap(0)) }
