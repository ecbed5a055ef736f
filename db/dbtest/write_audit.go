package dbtest

import (
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// testWriteIDsNeverReused pins that new ids go above every id the store
// has used for that kind of record, deleted, loaded or imported ones
// included.
func testWriteIDsNeverReused(t *testing.T, s db.Store) {
	root := newPriorityArea()
	root.ParentID = 0
	a1 := must[*db.Area](t)(s.CreateArea(ctx(t), testActor, root))
	o1 := must[*db.Organization](t)(s.CreateOrganization(ctx(t), testActor, &db.Organization{Kind: db.OrgAssociation, Name: "First"}))
	i1 := must[*db.Initiative](t)(s.CreateInitiative(ctx(t), testActor, &db.Initiative{Title: "First", Status: db.StatusPlanned, GoalArea: db.GoalGoodStart}))
	if err := s.DeleteInitiative(ctx(t), testActor, i1.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOrganization(ctx(t), testActor, o1.Kind, o1.ID, 1, false); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteArea(ctx(t), testActor, a1.ID, 1, false); err != nil {
		t.Fatal(err)
	}
	a2 := must[*db.Area](t)(s.CreateArea(ctx(t), testActor, root))
	o2 := must[*db.Organization](t)(s.CreateOrganization(ctx(t), testActor, &db.Organization{Kind: db.OrgAssociation, Name: "Second"}))
	i2 := must[*db.Initiative](t)(s.CreateInitiative(ctx(t), testActor, &db.Initiative{Title: "Second", Status: db.StatusPlanned, GoalArea: db.GoalGoodStart}))
	if a2.ID <= a1.ID || o2.ID <= o1.ID || i2.ID <= i1.ID {
		t.Errorf("ids after deletes: area %d after %d, organization %d after %d, initiative %d after %d; want each above the deleted one",
			a2.ID, a1.ID, o2.ID, o1.ID, i2.ID, i1.ID)
	}

	// Loaded ids count as used.
	if err := s.Load(ctx(t), &db.Dataset{
		Areas:         []*db.Area{{ID: 40, Code: "L40", Name: "Loaded", Kind: db.KindDistrict, Geometry: orb.Polygon{box(15, 57, 16, 58)}}},
		Organizations: []*db.Organization{{ID: 40, Kind: db.OrgEmployer, Name: "Loaded"}},
		Initiatives:   []*db.Initiative{{ID: 40, Title: "Loaded", Status: db.StatusPlanned, GoalArea: db.GoalGoodStart}},
	}); err != nil {
		t.Fatal(err)
	}
	a3 := must[*db.Area](t)(s.CreateArea(ctx(t), testActor, &db.Area{Code: "A3", Name: "Third", Kind: db.KindDistrict,
		Geometry: orb.Polygon{box(16, 57, 17, 58)}}))
	o3 := must[*db.Organization](t)(s.CreateOrganization(ctx(t), testActor, &db.Organization{Kind: db.OrgAssociation, Name: "Third"}))
	i3 := must[*db.Initiative](t)(s.CreateInitiative(ctx(t), testActor, &db.Initiative{Title: "Third", Status: db.StatusPlanned, GoalArea: db.GoalGoodStart}))
	if a3.ID <= 40 || o3.ID <= 40 || i3.ID <= 40 {
		t.Errorf("ids after a load of id 40: area %d, organization %d, initiative %d; want each above 40", a3.ID, o3.ID, i3.ID)
	}

	// So do imported ones.
	must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf(t, areaIn("U1", "Imported", db.KindDistrict, "", orb.Polygon{box(17, 57, 18, 58)}))))
	u := must[*db.Area](t)(s.AreaByCode(ctx(t), "U1"))
	if u.ID <= a3.ID || u.Version != 1 {
		t.Errorf("imported area: id %d (want above %d), version %d (want 1)", u.ID, a3.ID, u.Version)
	}
	a4 := must[*db.Area](t)(s.CreateArea(ctx(t), testActor, &db.Area{Code: "A4", Name: "Fourth", Kind: db.KindDistrict,
		Geometry: orb.Polygon{box(18, 57, 19, 58)}}))
	if a4.ID <= u.ID {
		t.Errorf("area created after an import: id %d, want above %d", a4.ID, u.ID)
	}
}

func testWriteAudit(t *testing.T, s db.Store) {
	loaded(t, s)
	if l := must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), db.AuditFilter{}, everything)); l.Total != 0 || len(l.Items) != 0 {
		t.Errorf("a load is not audited: got %d entries", l.Total)
	}
	start := time.Now()
	a := must[*db.Area](t)(s.CreateArea(ctx(t), testActor, newPriorityArea()))
	a.Name = "Priority R, renamed"
	a = must[*db.Area](t)(s.UpdateArea(ctx(t), otherActor, a.ID, a.Version, a.Patch()))
	o := must[*db.Organization](t)(s.CreateOrganization(ctx(t), testActor, newEmployer()))
	time.Sleep(20 * time.Millisecond)
	between := time.Now()
	time.Sleep(20 * time.Millisecond)
	d := must[*db.Indicator](t)(s.CreateIndicator(ctx(t), otherActor, newIndicator()))
	if err := s.DeleteArea(ctx(t), testActor, a.ID, a.Version, false); err != nil {
		t.Fatal(err)
	}
	end := time.Now()

	all := must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), db.AuditFilter{}, everything))
	if all.Total != 5 || len(all.Items) != 5 {
		t.Fatalf("got %d entries (total %d), want 5", len(all.Items), all.Total)
	}
	// Newest first.
	entries := slices.Clone(all.Items)
	slices.Reverse(entries)
	first := *newPriorityArea()
	first.ID, first.Version = a.ID, 1
	wantAudit(t, "entries 1 and 5", []*db.AuditEntry{entries[0], entries[4]}, testActor, created(&first), deleted(a))
	wantAudit(t, "entry 2", entries[1:2], otherActor, updated(&first, a))
	wantAudit(t, "entry 3", entries[2:3], testActor, created(o))
	wantAudit(t, "entry 4", entries[3:4], otherActor, created(d))
	for i, e := range entries {
		if i > 0 && e.ID <= entries[i-1].ID {
			t.Errorf("entry %d: id %d does not follow %d", i+1, e.ID, entries[i-1].ID)
		}
		// The store's clock and the test's agree within a few seconds.
		if e.At.Before(start.Add(-5*time.Second)) || e.At.After(end.Add(5*time.Second)) {
			t.Errorf("entry %d: time %v is not between %v and %v", i+1, e.At, start, end)
		}
	}

	list := func(f db.AuditFilter, p db.Page) db.List[*db.AuditEntry] {
		t.Helper()
		return must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), f, p))
	}
	wantPage := func(what string, got db.List[*db.AuditEntry], total, start int, want ...*db.AuditEntry) {
		t.Helper()
		wantEqual(t, what, got, db.List[*db.AuditEntry]{Items: want, Total: total, Start: start})
	}
	wantEntries := func(what string, got db.List[*db.AuditEntry], total int, want ...*db.AuditEntry) {
		t.Helper()
		wantPage(what, got, total, 0, want...)
	}
	e1, e2, e3, e4, e5 := entries[0], entries[1], entries[2], entries[3], entries[4]
	rec := db.AuditRecordID(a)
	wantEntries("one record", list(db.AuditFilter{RecordID: rec}, everything), 3, e5, e2, e1)
	wantEntries("one actor", list(db.AuditFilter{Actor: otherActor.ID}, everything), 2, e4, e2)
	wantEntries("one record by one actor", list(db.AuditFilter{RecordID: rec, Actor: testActor.ID}, everything), 2, e5, e1)
	wantEntries("an employer", list(db.AuditFilter{RecordID: o.NodeID()}, everything), 1, e3)
	wantEntries("an indicator", list(db.AuditFilter{RecordID: "Indicator:upper_secondary"}, everything), 1, e4)
	wantEntries("no such record", list(db.AuditFilter{RecordID: "Area:999"}, everything), 0)
	wantEntries("no such actor", list(db.AuditFilter{Actor: "key:nobody"}, everything), 0)
	wantEntries("since between the writes", list(db.AuditFilter{Since: &between}, everything), 2, e5, e4)
	past, future := start.Add(-time.Hour), end.Add(time.Hour)
	wantEntries("since long ago", list(db.AuditFilter{Since: &past}, everything), 5, e5, e4, e3, e2, e1)
	wantEntries("since a time to come", list(db.AuditFilter{Since: &future}, everything), 0)
	wantEntries("since, by actor", list(db.AuditFilter{Since: &between, Actor: testActor.ID}, everything), 1, e5)

	// Pages.
	wantEntries("first page", list(db.AuditFilter{}, db.Page{Limit: 2}), 5, e5, e4)
	wantPage("second page", list(db.AuditFilter{}, db.Page{Offset: 2, Limit: 2}), 5, 2, e3, e2)
	wantPage("last page", list(db.AuditFilter{}, db.Page{Offset: 4, Limit: 2}), 5, 4, e1)
	wantPage("past the end", list(db.AuditFilter{}, db.Page{Offset: 5, Limit: 2}), 5, 5)
	wantEntries("count only", list(db.AuditFilter{}, db.Page{}), 5)
	wantPage("a page of one record", list(db.AuditFilter{RecordID: rec}, db.Page{Offset: 1, Limit: 1}), 3, 1, e2)
	// Newest first, a page after an entry holds older ones, and one
	// before it newer ones.
	key := func(e *db.AuditEntry) *db.Key { return &db.Key{ID: e.ID} }
	wantPage("after the newest", list(db.AuditFilter{}, db.Page{Limit: 2, After: key(e5)}), 5, 1, e4, e3)
	wantPage("after the third", list(db.AuditFilter{}, db.Page{Limit: 5, After: key(e3)}), 5, 3, e2, e1)
	wantPage("after the oldest", list(db.AuditFilter{}, db.Page{Limit: 2, After: key(e1)}), 5, 5)
	wantPage("last two", list(db.AuditFilter{}, db.Page{Limit: 2, FromEnd: true}), 5, 3, e2, e1)
	wantPage("the one before the second", list(db.AuditFilter{}, db.Page{Limit: 1, Before: key(e4), FromEnd: true}), 5, 0, e5)
	wantPage("between the newest and the oldest", list(db.AuditFilter{}, db.Page{Limit: 9, After: key(e5), Before: key(e1)}), 5, 1, e4, e3, e2)
	wantPage("of one record, after its newest", list(db.AuditFilter{RecordID: rec}, db.Page{Limit: 9, After: key(e5)}), 3, 1, e2, e1)
	_, err := s.AuditLog(ctx(t), db.AuditFilter{}, db.Page{Limit: 1, After: &db.Key{ID: e3.ID, Near: true}})
	wantCode(t, "a distance key in the audit log", err, db.EINVALID)

	// Entries handed out are the caller's.
	e1.After[0] = 'X'
	if got := list(db.AuditFilter{RecordID: rec}, everything).Items[2].After; got[0] != '{' {
		t.Errorf("changing a returned entry changed the log: %s", got)
	}
}
