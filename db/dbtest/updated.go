package dbtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
)

// stamps are the UpdatedAt of every area, organisation, initiative and
// indicator, by the id their changes carry.
func stamps(t *testing.T, s db.Store) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	all := db.Page{Limit: 10000}
	for _, a := range must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, all)).Items {
		out[a.NodeID()] = a.UpdatedAt
	}
	for _, o := range must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), db.OrganizationFilter{}, all)).Items {
		out[o.NodeID()] = o.UpdatedAt
	}
	for _, in := range must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), db.InitiativeFilter{}, all)).Items {
		out[in.NodeID()] = in.UpdatedAt
	}
	for _, d := range must[[]*db.Indicator](t)(s.Indicators(ctx(t), nil)) {
		out[db.AuditRecordID(d)] = d.UpdatedAt
	}
	return out
}

// wantStamped checks that the records named, and no others, moved from
// before to one time within [start, end] (UTC, to the microsecond) no
// later than the write's change events, and returns that time.
func wantStamped(t *testing.T, what string, s db.Store, before map[string]time.Time, start, end time.Time,
	events []db.Change, ids ...string) time.Time {
	t.Helper()
	after := stamps(t, s)
	var at time.Time
	moved := map[string]bool{}
	for _, id := range ids {
		moved[id] = true
		got := after[id]
		if at.IsZero() {
			at = got
		}
		if !got.Equal(at) {
			t.Errorf("%s: %s stamped %v, another record of the write %v: one write, one time", what, id, got, at)
		}
	}
	if len(ids) > 0 && (at.Location() != time.UTC || !at.Equal(at.Truncate(time.Microsecond)) ||
		at.Before(start.Truncate(time.Microsecond)) || at.After(end)) {
		t.Errorf("%s: UpdatedAt %v, want UTC to the microsecond within the call [%v, %v]", what, at, start, end)
	}
	for _, e := range events {
		if at.After(e.At) {
			t.Errorf("%s: UpdatedAt %v after the write's change at %v", what, at, e.At)
		}
	}
	for id, was := range before {
		if now, ok := after[id]; ok && !moved[id] && !now.Equal(was) {
			t.Errorf("%s: %s moved from %v to %v, which the write did not touch", what, id, was, now)
		}
	}
	return at
}

func testUpdatedAt(t *testing.T, s db.Store) {
	start := time.Now()
	loaded(t, s)
	end := time.Now()
	var ids []string
	for id := range stamps(t, s) {
		ids = append(ids, id)
	}
	if len(ids) != 16 {
		t.Fatalf("the fixture has %d records, want 16", len(ids))
	}
	load := wantStamped(t, "Load", s, map[string]time.Time{}, start, end, allChanges(t, s, 0, db.ChangeFilter{}), ids...)

	var cursor int64
	if all := allChanges(t, s, 0, db.ChangeFilter{}); len(all) > 0 {
		cursor = all[len(all)-1].Seq
	}
	step := func(what string, write func() error, ids ...string) time.Time {
		t.Helper()
		before := stamps(t, s)
		start := time.Now()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		end := time.Now()
		events := allChanges(t, s, cursor, db.ChangeFilter{})
		if len(events) > 0 {
			cursor = events[len(events)-1].Seq
		}
		return wantStamped(t, what, s, before, start, end, events, ids...)
	}

	var created *db.Area
	at := step("CreateArea", func() (err error) {
		created, err = s.CreateArea(ctx(t), testActor, newPriorityArea())
		return err
	}, "Area:7")
	if !created.UpdatedAt.Equal(at) {
		t.Errorf("CreateArea returned UpdatedAt %v, the store holds %v", created.UpdatedAt, at)
	}
	if !at.After(load) {
		t.Errorf("a write after the load stamped %v, the load %v", at, load)
	}
	step("UpdateInitiative", func() error {
		in, err := s.UpdateInitiative(ctx(t), testActor, 3, 1, db.InitiativePatch{Title: db.Set("Renamed")})
		if err == nil && !in.UpdatedAt.After(load) {
			err = fmt.Errorf("returned UpdatedAt %v", in.UpdatedAt)
		}
		return err
	}, "Initiative:3")
	step("UpdateIndicator", func() error {
		_, err := s.UpdateIndicator(ctx(t), testActor, "population", 1, db.IndicatorPatch{Name: db.Set("People")})
		return err
	}, "Indicator:population")
	// Values change no definition.
	step("PutIndicatorValues", func() error {
		_, err := s.PutIndicatorValues(ctx(t), testActor, []db.IndicatorValue{
			{AreaID: 2, IndicatorCode: "population", Year: 2021, Sex: db.SexTotal, Value: 5}})
		return err
	})
	// A delete with detach stamps what it detached.
	step("DeleteOrganization", func() error {
		return s.DeleteOrganization(ctx(t), testActor, db.OrgEmployer, 2, 1, true)
	}, "Initiative:2", "Initiative:3")
	// An import stamps what it changed, not what it names as stored.
	p1, p2 := areaByID(t, s, 4), areaByID(t, s, 5)
	step("UpsertAreas", func() error {
		_, err := s.UpsertAreas(ctx(t), testActor, seqOf(t,
			&db.AreaInput{Code: p1.Code, Name: "Renamed", Kind: p1.Kind, AreaType: p1.AreaType, ParentCode: "9999-D1",
				Geometry: p1.Geometry, ValidFrom: p1.ValidFrom, ValidTo: p1.ValidTo, Description: p1.Description},
			&db.AreaInput{Code: p2.Code, Name: p2.Name, Kind: p2.Kind, AreaType: p2.AreaType, ParentCode: "9999-D2",
				Geometry: p2.Geometry, ValidFrom: p2.ValidFrom, ValidTo: p2.ValidTo, Description: p2.Description}))
		return err
	}, "Area:4")
	// A failed write stamps nothing.
	before := stamps(t, s)
	_, err := s.UpdateArea(ctx(t), testActor, 6, 9, db.AreaPatch{Name: db.Set("x")})
	wantCode(t, "stale update", err, db.ECONFLICT)
	wantEqual(t, "stamps after a failed write", fmt.Sprint(stamps(t, s)), fmt.Sprint(before))
}
