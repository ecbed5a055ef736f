package memory

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
)

// entry is one R-tree entry, to compare indexes as multisets.
type entry struct {
	lo, hi [2]float64
	id     int64
}

// entries lists what scan, an R-tree's Scan or the area index's, yields.
func entries(scan func(func(lo, hi [2]float64, id int64) bool)) []entry {
	var out []entry
	scan(func(lo, hi [2]float64, id int64) bool {
		out = append(out, entry{lo, hi, id})
		return true
	})
	slices.SortFunc(out, func(a, b entry) int {
		return cmpEntry(a, b)
	})
	return out
}

func cmpEntry(a, b entry) int {
	if a.id != b.id {
		return int(a.id - b.id)
	}
	for i := range 2 {
		if a.lo[i] != b.lo[i] {
			if a.lo[i] < b.lo[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// checkIndexes rebuilds every index from the records and compares it with
// the one the writes kept: they must agree exactly, with no stale entries
// and no empty lists left behind.
func checkIndexes(t *testing.T, s *Store, when string) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	fresh := New()
	for _, a := range s.areas {
		fresh.indexArea(a.Clone())
	}
	for _, o := range s.orgs {
		fresh.putOrg(o.Clone())
	}
	for _, in := range s.inits {
		fresh.putInitiative(in.Clone())
	}
	same := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s:\n got  %v\n want %v", when, what, got, want)
		}
	}
	same("area ids", s.areaIDs, slices.Sorted(maps.Keys(s.areas)))
	same("organization ids", s.orgIDs, slices.Sorted(maps.Keys(s.orgs)))
	same("initiative ids", s.initIDs, slices.Sorted(maps.Keys(s.inits)))
	same("codes", s.areaByCode, fresh.areaByCode)
	same("children", s.children, fresh.children)
	same("organizations by area", s.orgsByArea, fresh.orgsByArea)
	same("initiatives by area", s.initsByArea, fresh.initsByArea)
	same("initiatives by organization", s.initsByOrg, fresh.initsByOrg)
	same("area R-tree", entries(s.areaIdx.Scan), entries(fresh.areaIdx.Scan))
	same("organization R-tree", entries(s.orgIdx.Scan), entries(fresh.orgIdx.Scan))
	same("initiative R-tree", entries(s.initIdx.Scan), entries(fresh.initIdx.Scan))
	for a, vals := range s.values {
		if len(vals) == 0 || s.areas[a] == nil {
			t.Errorf("%s: values kept for area %d: %d", when, a, len(vals))
		}
		if !slices.IsSortedFunc(vals, s.compareValues) {
			t.Errorf("%s: values of area %d out of order", when, a)
		}
		for _, v := range vals {
			if code := s.codes.names[v.code]; s.indicators[code] == nil {
				t.Errorf("%s: a value of the missing indicator %q", when, code)
			}
		}
	}
	for id := range s.areas {
		if id > s.maxAreaID {
			t.Errorf("%s: area %d above the high-water mark %d", when, id, s.maxAreaID)
		}
	}
	for i, e := range s.audit {
		if e.ID != int64(i+1) {
			t.Errorf("%s: audit entry %d has id %d", when, i, e.ID)
		}
	}
}

// TestIndexesInStep runs every kind of write, failed ones included, and
// checks the indexes after each.
func TestIndexesInStep(t *testing.T) {
	ctx := context.Background()
	s := New()
	if err := s.Load(ctx, dbtest.Fixture()); err != nil {
		t.Fatal(err)
	}
	by := db.Actor{ID: "cli", Role: db.RoleAdmin}
	checkIndexes(t, s, "after the load")
	box := func(x0, y0, x1, y1 float64) orb.Polygon {
		return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
	}
	p := func(x, y float64) *orb.Point { pt := orb.Point{x, y}; return &pt }
	steps := []struct {
		name string
		do   func() error
	}{
		{"create area", func() error {
			_, err := s.CreateArea(ctx, by, &db.Area{Code: "N1", Name: "N1", Kind: db.KindPriorityArea, ParentID: 3, Geometry: box(13.1, 57.1, 13.2, 57.2)})
			return err
		}},
		{"move area 6 under 3", func() error {
			a, _ := s.AreasByID(ctx, []int64{6})
			a[0].ParentID, a[0].Geometry, a[0].Code = 3, box(13.5, 57, 14, 57.25), "S6"
			_, err := s.UpdateArea(ctx, by, a[0].ID, a[0].Version, a[0].Patch())
			return err
		}},
		{"a failed update (cycle)", func() error {
			a, _ := s.AreasByID(ctx, []int64{1})
			a[0].ParentID = 6
			_, err := s.UpdateArea(ctx, by, a[0].ID, a[0].Version, a[0].Patch())
			return expect(err, db.EINVALID)
		}},
		{"create organization", func() error {
			_, err := s.CreateOrganization(ctx, by, &db.Organization{Kind: db.OrgEmployer, Name: "E", Location: p(12.1, 57.1), AreaIDs: []int64{2, 7}})
			return err
		}},
		{"move organization 1", func() error {
			o, _ := s.OrganizationsByID(ctx, []int64{1})
			o[0].Location, o[0].AreaIDs = p(13.9, 57.9), []int64{3}
			_, err := s.UpdateOrganization(ctx, by, o[0].Kind, o[0].ID, o[0].Version, o[0].Patch())
			return err
		}},
		{"create initiative with a repeated location", func() error {
			_, err := s.CreateInitiative(ctx, by, &db.Initiative{Title: "I", Status: db.StatusActive, GoalArea: db.GoalGoodStart,
				AreaIDs: []int64{7, 4}, Locations: []orb.Point{{13.15, 57.15}, {13.15, 57.15}}, LeadID: 5,
				Partners: []db.Partner{{OrganizationID: 1, Role: db.RoleFunder}}})
			return err
		}},
		{"update initiative 2", func() error {
			in, _ := s.InitiativesByID(ctx, []int64{2})
			in[0].Locations, in[0].LeadID, in[0].Partners = []orb.Point{{12.9, 57.9}}, 4, nil
			_, err := s.UpdateInitiative(ctx, by, in[0].ID, in[0].Version, in[0].Patch())
			return err
		}},
		{"a failed put of values", func() error {
			_, err := s.PutIndicatorValues(ctx, by, []db.IndicatorValue{
				{AreaID: 7, IndicatorCode: "population", Year: 2024, Sex: db.SexTotal, Value: 1},
				{AreaID: 99, IndicatorCode: "population", Year: 2024, Sex: db.SexTotal, Value: 1}})
			return expect(err, db.EINVALID)
		}},
		{"put values", func() error {
			_, err := s.PutIndicatorValues(ctx, by, []db.IndicatorValue{
				{AreaID: 7, IndicatorCode: "population", Year: 2024, Sex: db.SexTotal, Value: 1},
				{AreaID: 4, IndicatorCode: "unemployment", Year: 2019, Sex: db.SexMale, Value: 2},
				{AreaID: 4, IndicatorCode: "unemployment", Year: 2021, Sex: db.SexMale, Value: 3}})
			return err
		}},
		{"a refused delete", func() error { return expect(s.DeleteArea(ctx, by, 4, 1, false), db.ECONFLICT) }},
		{"delete area 3 with detach", func() error { return s.DeleteArea(ctx, by, 3, 1, true) }},
		{"delete area 4 with detach", func() error { return s.DeleteArea(ctx, by, 4, 1, true) }},
		{"delete organization 1 with detach", func() error {
			o, _ := s.OrganizationsByID(ctx, []int64{1})
			return s.DeleteOrganization(ctx, by, db.OrgEmployer, 1, o[0].Version, true)
		}},
		{"delete initiative 1", func() error {
			in, _ := s.InitiativesByID(ctx, []int64{1})
			return s.DeleteInitiative(ctx, by, 1, in[0].Version)
		}},
		{"delete the new initiative", func() error {
			in, _ := s.InitiativesByID(ctx, []int64{5})
			return s.DeleteInitiative(ctx, by, 5, in[0].Version)
		}},
		{"delete indicator unemployment with detach", func() error { return s.DeleteIndicator(ctx, by, "unemployment", 1, true) }},
		{"upsert areas", func() error {
			_, err := s.UpsertAreas(ctx, by, func(yield func(*db.AreaInput, error) bool) {
				_ = yield(&db.AreaInput{Code: "N1", Name: "N1 again", Kind: db.KindDistrict, Geometry: box(15, 57, 16, 58)}, nil) &&
					yield(&db.AreaInput{Code: "U2", Name: "U2", Kind: db.KindDistrict, ParentCode: "N1", Geometry: box(15, 57, 15.5, 57.5)}, nil)
			})
			return err
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		checkIndexes(t, s, st.name)
	}
	if n := len(s.audit); n == 0 {
		t.Error("no audit entries")
	}
}

// expect turns the expected failure of a step into success.
func expect(err error, code string) error {
	if db.ErrorCode(err) != code {
		return fmt.Errorf("got %v, want %s", err, code)
	}
	return nil
}
