package dbtest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// racers is how many writers race for one record.
const racers = 8

// race runs fn(i) for every racer at once and returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// oneWinner checks that exactly one racer succeeded and every other one
// got one of the codes allowed; it returns the winner.
func oneWinner(t *testing.T, what string, errs []error, allowed ...string) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Errorf("%s: racers %d and %d both succeeded", what, winner, i)
			}
			winner = i
			continue
		}
		ok := false
		for _, code := range allowed {
			ok = ok || db.ErrorCode(err) == code
		}
		if !ok {
			t.Errorf("%s: racer %d got %v, want one of %v", what, i, err, allowed)
		}
	}
	if winner < 0 {
		t.Errorf("%s: no racer succeeded", what)
	}
	return winner
}

func auditOf(t *testing.T, s db.Store, rec string) []*db.AuditEntry {
	t.Helper()
	return must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), db.AuditFilter{RecordID: rec}, everything)).Items
}

// testWriteConcurrentUpdates has many writers update one record at the
// version they all read: exactly one wins, the others conflict.
func testWriteConcurrentUpdates(t *testing.T, s db.Store) {
	loaded(t, s)
	bg := context.Background()
	name := func(i int) string { return fmt.Sprintf("Renamed by writer %d", i) }

	// Every writer read the record before any of them writes; the racing
	// goroutines only write, as t.Fatal may not be called from them.
	area := areaByID(t, s, 6)
	errs := race(racers, func(i int) error {
		a := *area
		a.Name = name(i)
		_, err := s.UpdateArea(bg, testActor, a.ID, a.Version, a.Patch())
		return err
	})
	if w := oneWinner(t, "areas", errs, db.ECONFLICT); w >= 0 {
		if a := areaByID(t, s, 6); a.Version != 2 || a.Name != name(w) {
			t.Errorf("area 6 after the race: version %d, name %q; want 2, %q", a.Version, a.Name, name(w))
		}
	}
	if n := len(auditOf(t, s, "Area:6")); n != 1 {
		t.Errorf("area 6 has %d audit entries, want 1", n)
	}

	org := orgByID(t, s, 3)
	errs = race(racers, func(i int) error {
		o := *org
		o.Name = name(i)
		_, err := s.UpdateOrganization(bg, testActor, o.Kind, o.ID, o.Version, o.Patch())
		return err
	})
	if w := oneWinner(t, "organizations", errs, db.ECONFLICT); w >= 0 {
		if o := orgByID(t, s, 3); o.Version != 2 || o.Name != name(w) {
			t.Errorf("organization 3 after the race: version %d, name %q", o.Version, o.Name)
		}
	}

	ini := initByID(t, s, 3)
	errs = race(racers, func(i int) error {
		in := *ini
		in.Title = name(i)
		_, err := s.UpdateInitiative(bg, testActor, in.ID, in.Version, in.Patch())
		return err
	})
	if w := oneWinner(t, "initiatives", errs, db.ECONFLICT); w >= 0 {
		if in := initByID(t, s, 3); in.Version != 2 || in.Title != name(w) {
			t.Errorf("initiative 3 after the race: version %d, title %q", in.Version, in.Title)
		}
	}

	def := indicatorByCode(t, s, "population")
	errs = race(racers, func(i int) error {
		d := *def
		d.Name = name(i)
		_, err := s.UpdateIndicator(bg, testActor, d.Code, d.Version, d.Patch())
		return err
	})
	if w := oneWinner(t, "indicators", errs, db.ECONFLICT); w >= 0 {
		if d := indicatorByCode(t, s, "population"); d.Version != 2 || d.Name != name(w) {
			t.Errorf("indicator population after the race: version %d, name %q", d.Version, d.Name)
		}
	}
	// Each racer read version 1 before any wrote, so the same updates at
	// version 1 now conflict.
	a := areaByID(t, s, 6)
	a.Version = 1
	_, err := s.UpdateArea(ctx(t), testActor, a.ID, a.Version, a.Patch())
	wantRefused(t, "an update at the version before the race", err, db.ECONFLICT, "has version 2, not 1")
}

// testWriteConcurrentPatches has writers patch one field each of one
// area, each reading the version again after a conflict, as a client
// would: every patch lands once, and none undoes another.
func testWriteConcurrentPatches(t *testing.T, s db.Store) {
	loaded(t, s)
	bg := context.Background()
	patches := []db.AreaPatch{
		{Name: db.Set("Patched name")},
		{Description: db.Set("Patched description")},
		{AreaType: db.Set(4)},
		{ValidTo: db.Set(date(2030, 6, 30))},
	}
	errs := race(len(patches), func(i int) error {
		for range 100 {
			a, err := s.AreasByID(bg, []int64{6})
			if err != nil {
				return err
			}
			_, err = s.UpdateArea(bg, testActor, 6, a[0].Version, patches[i])
			if db.ErrorCode(err) != db.ECONFLICT {
				return err
			}
		}
		return fmt.Errorf("writer %d: still in conflict after 100 tries", i)
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	a := areaByID(t, s, 6)
	if a.Version != 5 || a.Name != "Patched name" || a.Description != "Patched description" || a.AreaType != 4 ||
		a.ValidTo == nil || !a.ValidTo.Equal(*date(2030, 6, 30)) || a.Code != "9999S0001" || a.ParentID != 2 {
		t.Errorf("area 6 after the patches: %+v", a)
	}
	if n := len(auditOf(t, s, "Area:6")); n != 4 {
		t.Errorf("area 6 has %d audit entries, want 4", n)
	}
}

// testWriteConcurrentDeleteUpdate races deletes against updates of one
// record at one version: one of them wins, and the store is as that one
// left it.
func testWriteConcurrentDeleteUpdate(t *testing.T, s db.Store) {
	loaded(t, s)
	bg := context.Background()
	area := areaByID(t, s, 6)
	errs := race(racers, func(i int) error {
		if i%2 == 0 {
			return s.DeleteArea(bg, testActor, 6, 1, false)
		}
		a := *area
		a.Name = "Updated"
		_, err := s.UpdateArea(bg, testActor, a.ID, a.Version, a.Patch())
		return err
	})
	w := oneWinner(t, "area", errs, db.ECONFLICT, db.ENOTFOUND)
	entries := auditOf(t, s, "Area:6")
	if len(entries) != 1 {
		t.Fatalf("area 6 has %d audit entries, want 1", len(entries))
	}
	got := areaByID(t, s, 6)
	switch {
	case w < 0:
	case entries[0].Action == db.ActionDelete:
		if got != nil {
			t.Errorf("the delete won, but area 6 is still there")
		}
		wantIDs(t, "AreasAt where it was", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{12.1, 57.1}, nil, anyDay)), 2, 1)
	default:
		if got == nil || got.Version != 2 || got.Name != "Updated" {
			t.Errorf("the update won, but area 6 is %+v", got)
		}
	}

	// The same for an initiative, with detach nowhere involved.
	ini := initByID(t, s, 3)
	errs = race(racers, func(i int) error {
		if i%2 == 1 {
			return s.DeleteInitiative(bg, otherActor, 3, 1)
		}
		in := *ini
		in.Status = db.StatusActive
		_, err := s.UpdateInitiative(bg, otherActor, in.ID, in.Version, in.Patch())
		return err
	})
	oneWinner(t, "initiative", errs, db.ECONFLICT, db.ENOTFOUND)
	if n := len(auditOf(t, s, "Initiative:3")); n != 1 {
		t.Errorf("initiative 3 has %d audit entries, want 1", n)
	}
}

// testWriteConcurrentCreates creates records side by side: each gets an id
// of its own, and of two areas with one code only one is stored.
func testWriteConcurrentCreates(t *testing.T, s db.Store) {
	loaded(t, s)
	bg := context.Background()
	got := make([]int64, racers)
	errs := race(racers, func(i int) error {
		x := 15 + float64(i)/8
		a, err := s.CreateArea(bg, testActor, &db.Area{Code: fmt.Sprintf("C%d", i), Name: "Concurrent", Kind: db.KindStatisticalArea,
			Geometry: orb.Polygon{box(x, 57, x+1.0/8, 57.5)}})
		if err == nil {
			got[i] = a.ID
		}
		return err
	})
	seen := map[int64]bool{}
	for i, err := range errs {
		if err != nil {
			t.Errorf("create %d: %v", i, err)
			continue
		}
		if seen[got[i]] || got[i] <= 6 {
			t.Errorf("create %d got id %d, taken or not new", i, got[i])
		}
		seen[got[i]] = true
	}
	errs = race(racers, func(i int) error {
		_, err := s.CreateArea(bg, testActor, &db.Area{Code: "SAME", Name: fmt.Sprint(i), Kind: db.KindStatisticalArea,
			Geometry: orb.Polygon{box(14.5, 57, 14.75, 57.5)}})
		return err
	})
	oneWinner(t, "one code", errs, db.ECONFLICT)
	wantList(t, "areas with the code", must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{Codes: []string{"SAME"}}, everything)),
		1, must[*db.Area](t)(s.AreaByCode(ctx(t), "SAME")).ID)
	errs = race(racers, func(i int) error {
		_, err := s.CreateIndicator(bg, testActor, &db.Indicator{Code: "same", Name: fmt.Sprint(i), Unit: "%"})
		return err
	})
	oneWinner(t, "one indicator code", errs, db.ECONFLICT)
	if n := len(auditAll(t, s)); n != racers+2 {
		t.Errorf("%d audit entries, want %d", n, racers+2)
	}
}

// testWriteStaleVersions refuses every update and delete at a version
// that is not the stored one, with CONFLICT, and changes nothing.
func testWriteStaleVersions(t *testing.T, s db.Store) {
	loaded(t, s)
	// Bring area 6 to version 2 first, so that both an old and a future
	// version are stale.
	must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, 6, 1, db.AreaPatch{}))
	before := stateOf(t, s)
	for _, v := range []int64{0, 1, 3} {
		what := fmt.Sprintf("version %d", v)
		a := areaByID(t, s, 6)
		a.Version, a.Name = v, "Stale"
		_, err := s.UpdateArea(ctx(t), testActor, a.ID, a.Version, a.Patch())
		wantRefused(t, "update area at "+what, err, db.ECONFLICT, fmt.Sprintf("has version 2, not %d", v))
		wantRefused(t, "delete area at "+what, s.DeleteArea(ctx(t), testActor, 6, v, true), db.ECONFLICT)
	}
	for _, v := range []int64{0, 2} {
		what := fmt.Sprintf("version %d", v)
		o := orgByID(t, s, 4)
		o.Version, o.Name = v, "Stale"
		_, err := s.UpdateOrganization(ctx(t), testActor, o.Kind, o.ID, o.Version, o.Patch())
		wantRefused(t, "update organization at "+what, err, db.ECONFLICT, fmt.Sprintf("has version 1, not %d", v))
		wantRefused(t, "delete organization at "+what, s.DeleteOrganization(ctx(t), testActor, db.OrgAssociation, 4, v, true), db.ECONFLICT)
		in := initByID(t, s, 4)
		in.Version, in.Title = v, "Stale"
		_, err = s.UpdateInitiative(ctx(t), testActor, in.ID, in.Version, in.Patch())
		wantRefused(t, "update initiative at "+what, err, db.ECONFLICT, fmt.Sprintf("has version 1, not %d", v))
		wantRefused(t, "delete initiative at "+what, s.DeleteInitiative(ctx(t), testActor, 4, v), db.ECONFLICT)
		d := indicatorByCode(t, s, "population")
		d.Version, d.Name = v, "Stale"
		_, err = s.UpdateIndicator(ctx(t), testActor, d.Code, d.Version, d.Patch())
		wantRefused(t, "update indicator at "+what, err, db.ECONFLICT, fmt.Sprintf("has version 1, not %d", v))
		wantRefused(t, "delete indicator at "+what, s.DeleteIndicator(ctx(t), testActor, "population", v, true), db.ECONFLICT)
	}
	wantNoChange(t, "stale writes", s, before)
}
