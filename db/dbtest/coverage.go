package dbtest

import (
	"math"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// testIndicatorCounts pins the Swedish name, the small-count rule and the
// counts. The store keeps and returns values whatever their count: hiding
// those below MinCount is the GraphQL layer's to do, so the store gives it
// what it needs to decide.
func testIndicatorCounts(t *testing.T, s db.Store) {
	loaded(t, s)
	defs := must[[]*db.Indicator](t)(s.Indicators(ctx(t), nil))
	if len(defs) != 2 {
		t.Fatalf("got %d indicators, want 2", len(defs))
	}
	if d := defs[1]; d.Code != "unemployment" || d.NameSv != "Arbetslöshet" || d.MinCount != 50 {
		t.Errorf("unemployment: got name_sv %q, min count %d; want Arbetslöshet, 50", d.NameSv, d.MinCount)
	}
	if d := defs[0]; d.Code != "population" || d.NameSv != "" || d.MinCount != 0 {
		t.Errorf("population: got name_sv %q, min count %d; want none, 0", d.NameSv, d.MinCount)
	}

	small := must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), db.ValueFilter{AreaIDs: []int64{5}}))
	wantEqual(t, "a value resting on fewer than MinCount persons comes back raw", small, []db.IndicatorValue{
		{AreaID: 5, IndicatorCode: "unemployment", Year: 2021, Sex: db.SexTotal, Value: 30.5, Count: intp(46)},
	})

	// A returned count is the caller's copy.
	*small[0].Count = 1
	again := must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), db.ValueFilter{AreaIDs: []int64{5}}))
	if again[0].Count == nil || *again[0].Count != 46 {
		t.Errorf("count after the caller changed a copy: got %v, want 46", again[0].Count)
	}
	// And so is a loaded one: the fixture's pointer stays outside.
	ds := &db.Dataset{Values: []db.IndicatorValue{
		{AreaID: 6, IndicatorCode: "population", Year: 2021, Sex: db.SexTotal, Value: 2100, Count: intp(0)},
	}}
	if err := s.Load(ctx(t), ds); err != nil {
		t.Fatal(err)
	}
	*ds.Values[0].Count = 9
	got := must[[]db.IndicatorValue](t)(s.IndicatorValues(ctx(t), db.ValueFilter{AreaIDs: []int64{6}}))
	wantEqual(t, "a count of 0 is kept apart from no count", got, []db.IndicatorValue{
		{AreaID: 6, IndicatorCode: "population", Year: 2021, Sex: db.SexTotal, Value: 2100, Count: intp(0)},
	})
}

// withinArea is a Within filter on the outline of a fixture area.
func withinArea(id int64, meters float64) *db.Within {
	return &db.Within{Geometry: Fixture().Areas[id-1].Geometry, Meters: meters}
}

// The distances below are PostGIS's ST_Distance on geography (on the
// WGS 84 ellipsoid, the default), which the memory store matches to well
// under a millimetre.
const (
	// Organisation 1 sits in the middle of area 4's hole, 0.125° of
	// longitude from the hole's east and west edges.
	holeCentreToArea4 = 7494.35012325
	// Initiative 3's location (13.3, 57.3) to area 4.
	initiative3ToArea4 = 33154.92265679
	// (13, 57.002) lies inside area 1's box in degrees, but its southern
	// edge, a great circle from (12, 57) to (14, 57), bows north past it.
	bowedSouthEdgeToPoint = 221.18007568
)

func testWithinOrganizations(t *testing.T, s db.Store) {
	loaded(t, s)
	// Two more organisations by area 1's long edges, which bow north by
	// about 436 m at 13° E: (13, 58.002) is outside the box of area 1's
	// vertices but inside its northern edge; (13, 57.002) is inside the
	// box but north of its southern edge, so outside.
	if err := s.Load(ctx(t), &db.Dataset{Organizations: []*db.Organization{
		{ID: 5, Kind: db.OrgAssociation, Name: "North of the box", Location: ptp(13, 58.002)},
		{ID: 6, Kind: db.OrgAssociation, Name: "Inside the box", Location: ptp(13, 57.002)},
		{ID: 7, Kind: db.OrgAssociation, Name: "On the antimeridian", Location: ptp(180, 10)},
	}}); err != nil {
		t.Fatal(err)
	}
	page := db.Page{Limit: 100}
	within := func(w *db.Within) db.OrganizationFilter {
		return db.OrganizationFilter{Spatial: db.Spatial{Within: w}}
	}
	cases := []struct {
		name string
		f    db.OrganizationFilter
		want []int64
	}{
		{"0 m of a polygon with a hole: inside only, not in the hole", within(withinArea(4, 0)), []int64{3}},
		{"just short of the hole's centre", within(withinArea(4, math.Floor(holeCentreToArea4))), []int64{3}},
		{"just past the hole's centre", within(withinArea(4, math.Ceil(holeCentreToArea4))), []int64{1, 3}},
		{"0 m of a multipolygon: a point on its vertex", within(withinArea(5, 0)), []int64{2}},
		{"0 m of a square: a point on its corner and one inside", within(withinArea(6, 0)), []int64{1, 3}},
		{"0 m of area 1: great-circle edges decide, not the box", within(withinArea(1, 0)), []int64{1, 2, 3, 5}},
		{"just short of the bowed edge", within(withinArea(1, math.Floor(bowedSouthEdgeToPoint))), []int64{1, 2, 3, 5}},
		{"just past the bowed edge", within(withinArea(1, math.Ceil(bowedSouthEdgeToPoint))), []int64{1, 2, 3, 5, 6}},
		{"0 m of a point: the point itself", within(&db.Within{Geometry: orb.Point{12.3, 57.3}}), []int64{3}},
		{"0 m of a point on the antimeridian", within(&db.Within{Geometry: orb.Point{180, 10}}), []int64{7}},
		{"of a line", within(&db.Within{Geometry: orb.LineString{{12.5, 57.4}, {13.5, 57.4}}, Meters: 11200}),
			[]int64{1, 2}},
		{"with other filters", db.OrganizationFilter{Kinds: []db.OrgKind{db.OrgEmployer},
			Spatial: db.Spatial{Within: withinArea(4, math.Ceil(holeCentreToArea4))}}, []int64{1}},
		{"with a bbox", db.OrganizationFilter{Spatial: db.Spatial{Within: withinArea(1, 0),
			BBox: &orb.Bound{Min: orb.Point{12.9, 57.9}, Max: orb.Point{13.1, 58.1}}}}, []int64{5}},
	}
	for _, c := range cases {
		got := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), c.f, page))
		wantList(t, c.name, got, len(c.want), c.want...)
		if len(got.WithinDistances) != len(got.Items) {
			t.Errorf("%s: %d within distances for %d organisations", c.name, len(got.WithinDistances), len(got.Items))
		}
		for i, d := range got.WithinDistances {
			if !(d >= 0 && d <= c.f.Within.Meters) {
				t.Errorf("%s: organisation %d at %v m, beyond %v m", c.name, got.Items[i].ID, d, c.f.Within.Meters)
			}
		}
	}

	// Each record comes with its distance from the geometry: 0 inside,
	// PostGIS's ST_Distance outside.
	got := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), within(withinArea(4, math.Ceil(holeCentreToArea4))), page))
	wantList(t, "within distances", got, 2, 1, 3)
	wantDistances(t, "within distances", got.WithinDistances, []float64{holeCentreToArea4, 0})
	if got.Distances != nil {
		t.Errorf("within distances: near distances without near: %v", got.Distances)
	}
	got = must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), within(withinArea(1, math.Ceil(bowedSouthEdgeToPoint))), db.Page{Offset: 4, Limit: 1}))
	wantList(t, "within distances, a page", got, 5, 6)
	wantDistances(t, "within distances, a page", got.WithinDistances, []float64{bowedSouthEdgeToPoint})
	got = must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), within(&db.Within{Geometry: orb.Point{20, 60}, Meters: 1000}), page))
	wantList(t, "within, none", got, 0)
	if len(got.WithinDistances) != 0 {
		t.Errorf("within, none: within distances %v", got.WithinDistances)
	}
	if got := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), db.OrganizationFilter{}, page)); got.WithinDistances != nil {
		t.Errorf("within distances without within: %v", got.WithinDistances)
	}

	// With Near, nearest first and with distances, as ever.
	f := db.OrganizationFilter{Spatial: db.Spatial{Within: withinArea(4, math.Ceil(holeCentreToArea4)),
		Near: &db.Near{Point: orb.Point{12.5, 57.5}, RadiusMeters: 30000}}}
	got = must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), f, page))
	wantList(t, "within and near", got, 2, 1, 3)
	wantDistances(t, "within and near", got.Distances, []float64{0, 25311.52686955})
	wantDistances(t, "within and near: within", got.WithinDistances, []float64{holeCentreToArea4, 0})

	byArea := must[[]db.List[*db.Organization]](t)(s.OrganizationsByArea(ctx(t), []int64{4, 5},
		within(withinArea(4, 0)), page))
	wantList(t, "engaged in 4, within 0 m of it", byArea[0], 1, 3)
	wantList(t, "engaged in 5, within 0 m of 4", byArea[1], 0)
}

func testWithinInitiatives(t *testing.T, s db.Store) {
	loaded(t, s)
	page := db.Page{Limit: 100}
	within := func(w *db.Within) db.InitiativeFilter { return db.InitiativeFilter{Spatial: db.Spatial{Within: w}} }
	cases := []struct {
		name string
		f    db.InitiativeFilter
		want []int64
	}{
		// Initiative 2 has a location in area 4 and one in area 5; 4 has none.
		{"0 m of area 4", within(withinArea(4, 0)), []int64{1, 2}},
		{"0 m of area 5", within(withinArea(5, 0)), []int64{2, 3}},
		{"just short of initiative 3", within(withinArea(4, math.Floor(initiative3ToArea4))), []int64{1, 2}},
		{"just past initiative 3", within(withinArea(4, math.Ceil(initiative3ToArea4))), []int64{1, 2, 3}},
		{"with a status", db.InitiativeFilter{Statuses: []db.InitiativeStatus{db.StatusPlanned},
			Spatial: db.Spatial{Within: withinArea(5, 0)}}, []int64{3}},
		{"nothing near", within(&db.Within{Geometry: orb.Point{20, 60}, Meters: 1000}), nil},
	}
	for _, c := range cases {
		wantList(t, c.name, must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), c.f, page)), len(c.want), c.want...)
	}
	// An initiative's distance is its nearest location's.
	got := must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), within(withinArea(4, math.Ceil(initiative3ToArea4))), page))
	wantList(t, "within distances", got, 3, 1, 2, 3)
	wantDistances(t, "within distances", got.WithinDistances, []float64{0, 0, initiative3ToArea4})
	byArea := must[[]db.List[*db.Initiative]](t)(s.InitiativesByArea(ctx(t), []int64{5, 4}, within(withinArea(4, 0)), page))
	wantList(t, "serving 5, located in 4", byArea[0], 1, 2)
	wantList(t, "serving 4, located in 4", byArea[1], 2, 1, 2)
	wantDistances(t, "serving 4, located in 4", byArea[1].WithinDistances, []float64{0, 0})
	byOrg := must[[]db.List[*db.Initiative]](t)(s.InitiativesByOrganization(ctx(t), []int64{2, 4}, within(withinArea(5, 0)), page))
	wantList(t, "by 2, located in 5", byOrg[0], 2, 2, 3)
	wantList(t, "by 4, located in 5", byOrg[1], 0)
}

func testWithinRejects(t *testing.T, s db.Store) {
	loaded(t, s)
	page := db.Page{Limit: 10}
	area := Fixture().Areas[3].Geometry
	_, err := s.Areas(ctx(t), db.AreaFilter{Spatial: db.Spatial{Within: withinArea(4, 0)}}, page)
	wantCode(t, "areas within", err, db.EINVALID)
	if err != nil && db.ErrorMessage(err) != "within applies to organisations and initiatives" {
		t.Errorf("areas within: message %q", db.ErrorMessage(err))
	}
	_, err = s.ChildAreas(ctx(t), []int64{1}, db.AreaFilter{Spatial: db.Spatial{Within: withinArea(4, 0)}}, page)
	wantCode(t, "child areas within", err, db.EINVALID)

	bad := []struct {
		name string
		w    *db.Within
	}{
		{"negative distance", &db.Within{Geometry: area, Meters: -1}},
		{"NaN distance", &db.Within{Geometry: area, Meters: math.NaN()}},
		{"infinite distance", &db.Within{Geometry: area, Meters: math.Inf(1)}},
		{"no geometry", &db.Within{Meters: 10}},
		{"empty geometry", &db.Within{Geometry: orb.MultiPoint{}, Meters: 10}},
		{"out of range", &db.Within{Geometry: orb.LineString{{12, 57}, {200, 57}}, Meters: 10}},
		{"not a number", &db.Within{Geometry: orb.Point{math.NaN(), 57}, Meters: 10}},
	}
	for _, c := range bad {
		sp := db.Spatial{Within: c.w}
		_, err := s.Organizations(ctx(t), db.OrganizationFilter{Spatial: sp}, page)
		wantCode(t, "organizations, "+c.name, err, db.EINVALID)
		_, err = s.OrganizationsByArea(ctx(t), []int64{4}, db.OrganizationFilter{Spatial: sp}, page)
		wantCode(t, "organizations by area, "+c.name, err, db.EINVALID)
		_, err = s.Initiatives(ctx(t), db.InitiativeFilter{Spatial: sp}, page)
		wantCode(t, "initiatives, "+c.name, err, db.EINVALID)
		_, err = s.InitiativesByArea(ctx(t), []int64{4}, db.InitiativeFilter{Spatial: sp}, page)
		wantCode(t, "initiatives by area, "+c.name, err, db.EINVALID)
		_, err = s.InitiativesByOrganization(ctx(t), []int64{1}, db.InitiativeFilter{Spatial: sp}, page)
		wantCode(t, "initiatives by organization, "+c.name, err, db.EINVALID)
	}
}

func cell(area int64, group db.FocusGroup, theme db.Theme, inits, orgs, participants int) db.CoverageCell {
	return db.CoverageCell{AreaID: area, FocusGroup: group, Theme: theme, Initiatives: inits, Organizations: orgs,
		Participants: participants}
}

// testCoverage pins the coverage counts of the fixture. By area:
//
//	2: initiative 4 (completed; without upper-secondary; education; no lead, partner 4)
//	4: initiatives 1 (active; born outside Europe; jobs, internships; lead 1, partner 3; 120 participants)
//	   and 2 (active; born outside Europe and without upper-secondary; language; lead 3, partners 1, 2; 45)
//	5: initiatives 2 and 3 (planned; disabilities; jobs; lead 2; participants not reported)
//
// Area 1 is served by none: it has no cells.
func testCoverage(t *testing.T, s db.Store) {
	loaded(t, s)
	const (
		boe = db.FocusBornOutsideEurope
		dis = db.FocusDisability
		nus = db.FocusNoUpperSecondary
	)
	cases := []struct {
		name string
		f    db.CoverageFilter
		want []db.CoverageCell
	}{
		{"every status, areas in any order", db.CoverageFilter{AreaIDs: []int64{5, 4, 2, 1, 99, 4}}, []db.CoverageCell{
			cell(2, nus, "", 1, 1, 0),
			// Organisations 1 and 3 take part in both: 3 distinct.
			cell(4, boe, "", 2, 3, 165),
			cell(4, nus, "", 1, 3, 45),
			cell(5, boe, "", 1, 3, 45),
			cell(5, dis, "", 1, 1, 0),
			cell(5, nus, "", 1, 3, 45),
		}},
		{"active, by theme", db.CoverageFilter{AreaIDs: []int64{4, 5}, Statuses: []db.InitiativeStatus{db.StatusActive},
			ByTheme: true}, []db.CoverageCell{
			cell(4, boe, db.ThemeJobs, 1, 2, 120),
			cell(4, boe, db.ThemeInternships, 1, 2, 120),
			cell(4, boe, db.ThemeLanguage, 1, 3, 45),
			cell(4, nus, db.ThemeLanguage, 1, 3, 45),
			cell(5, boe, db.ThemeLanguage, 1, 3, 45),
			cell(5, nus, db.ThemeLanguage, 1, 3, 45),
		}},
		{"every status, by theme", db.CoverageFilter{AreaIDs: []int64{5}, ByTheme: true}, []db.CoverageCell{
			cell(5, boe, db.ThemeLanguage, 1, 3, 45),
			cell(5, dis, db.ThemeJobs, 1, 1, 0),
			cell(5, nus, db.ThemeLanguage, 1, 3, 45),
		}},
		{"planned or completed", db.CoverageFilter{AreaIDs: []int64{2, 4, 5},
			Statuses: []db.InitiativeStatus{db.StatusPlanned, db.StatusCompleted}}, []db.CoverageCell{
			cell(2, nus, "", 1, 1, 0),
			cell(5, dis, "", 1, 1, 0),
		}},
		{"no match", db.CoverageFilter{AreaIDs: []int64{4}, Statuses: []db.InitiativeStatus{db.StatusCancelled}}, nil},
		{"an area nothing serves", db.CoverageFilter{AreaIDs: []int64{1}}, nil},
	}
	for _, c := range cases {
		wantEqual(t, c.name, must[[]db.CoverageCell](t)(s.Coverage(ctx(t), c.f)), c.want)
	}

	// An initiative with no focus group counts in no cell, and one with
	// no theme in no cell split by theme.
	if err := s.Load(ctx(t), &db.Dataset{Initiatives: []*db.Initiative{
		{ID: 5, Title: "Open house", Status: db.StatusActive, GoalArea: db.GoalHousingLocal,
			Themes: []db.Theme{db.ThemeJobs}, AreaIDs: []int64{4}, LeadID: 4, Reach: db.Reach{Participants: intp(7)}},
		{ID: 6, Title: "Unthemed", Status: db.StatusActive, GoalArea: db.GoalHousingLocal,
			FocusGroups: []db.FocusGroup{dis}, AreaIDs: []int64{4}, Reach: db.Reach{Participants: intp(9)}},
	}}); err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "with initiatives 5 and 6", must[[]db.CoverageCell](t)(s.Coverage(ctx(t), db.CoverageFilter{AreaIDs: []int64{4}})),
		[]db.CoverageCell{
			cell(4, boe, "", 2, 3, 165),
			// Initiative 6 has neither lead nor partners.
			cell(4, dis, "", 1, 0, 9),
			cell(4, nus, "", 1, 3, 45),
		})
	wantEqual(t, "with initiatives 5 and 6, by theme",
		must[[]db.CoverageCell](t)(s.Coverage(ctx(t), db.CoverageFilter{AreaIDs: []int64{4}, ByTheme: true})),
		[]db.CoverageCell{
			cell(4, boe, db.ThemeJobs, 1, 2, 120),
			cell(4, boe, db.ThemeInternships, 1, 2, 120),
			cell(4, boe, db.ThemeLanguage, 1, 3, 45),
			cell(4, nus, db.ThemeLanguage, 1, 3, 45),
		})
}

func testCoverageRejects(t *testing.T, s db.Store) {
	loaded(t, s)
	_, err := s.Coverage(ctx(t), db.CoverageFilter{})
	wantCode(t, "no areas", err, db.EINVALID)
	_, err = s.Coverage(ctx(t), db.CoverageFilter{AreaIDs: []int64{}, ByTheme: true})
	wantCode(t, "empty areas", err, db.EINVALID)
	_, err = s.Coverage(ctx(t), db.CoverageFilter{AreaIDs: []int64{4}, Statuses: []db.InitiativeStatus{"DONE"}})
	wantCode(t, "unknown status", err, db.EINVALID)
}
