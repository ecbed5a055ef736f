package dbtest

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

func newEmployer() *db.Organization {
	return &db.Organization{Kind: db.OrgEmployer, Name: "Epsilon Bygg AB", OrgNumber: "556000-0005",
		Location: ptp(13.75, 57.75), Website: "https://epsilon.example", AreaIDs: []int64{5, 3, 5},
		Industry: "Construction", Size: db.SizeSmall}
}

func nearOrgs(t *testing.T, s db.Store, p orb.Point, meters float64) db.List[*db.Organization] {
	t.Helper()
	return must[db.List[*db.Organization]](t)(s.Organizations(ctx(t),
		db.OrganizationFilter{Spatial: db.Spatial{Near: &db.Near{Point: p, RadiusMeters: meters}}}, everything))
}

func testWriteOrganizations(t *testing.T, s db.Store) {
	loaded(t, s)
	in := newEmployer()
	in.ID, in.Version = 1, 7 // ignored
	got := must[*db.Organization](t)(s.CreateOrganization(ctx(t), testActor, in))
	if got.ID <= 4 {
		t.Fatalf("new organization got id %d; new ids are above every id in use (4)", got.ID)
	}
	want := newEmployer()
	want.ID, want.Version, want.AreaIDs = got.ID, 1, []int64{3, 5} // area ids ascending, each once
	wantEqual(t, "created employer", got, want)
	wantEqual(t, "read back", orgByID(t, s, got.ID), want)
	wantList(t, "employers", must[db.List[*db.Organization]](t)(s.Organizations(ctx(t),
		db.OrganizationFilter{Kinds: []db.OrgKind{db.OrgEmployer}}, everything)), 3, 1, 2, got.ID)
	wantList(t, "near its location", nearOrgs(t, s, orb.Point{13.75, 57.75}, 10), 1, got.ID)
	byArea := must[[]db.List[*db.Organization]](t)(s.OrganizationsByArea(ctx(t), []int64{3, 5, 4}, db.OrganizationFilter{}, everything))
	wantList(t, "engaged in 3", byArea[0], 2, 2, got.ID)
	wantList(t, "engaged in 5", byArea[1], 2, 2, got.ID)
	wantList(t, "engaged in 4", byArea[2], 2, 1, 3)

	assoc := &db.Organization{Kind: db.OrgAssociation, Name: "Zeta Föreningen", Activity: "Homework help"}
	a := must[*db.Organization](t)(s.CreateOrganization(ctx(t), otherActor, assoc))
	if a.ID == got.ID || a.ID <= 4 || a.Version != 1 || a.Location != nil || len(a.AreaIDs) != 0 {
		t.Errorf("created association: %+v", a)
	}
	entries := auditAfter(t, s, 0)
	wantAudit(t, "create employer", entries[:1], testActor, created(orgByID(t, s, got.ID)))
	wantAudit(t, "create association", entries[1:], otherActor, created(orgByID(t, s, a.ID)))
	if entries[0].Type != db.TypeEmployer || entries[1].Type != db.TypeAssociation {
		t.Errorf("audit types %q and %q, want Employer and Association", entries[0].Type, entries[1].Type)
	}

	// Moving it moves it in every index.
	mark := lastAuditID(t, s)
	old := orgByID(t, s, got.ID)
	up := orgByID(t, s, got.ID)
	up.Location, up.AreaIDs, up.Size, up.Name = ptp(12.125, 57.125), []int64{6}, db.SizeLarge, "Epsilon Bygg & Anläggning AB"
	upd := must[*db.Organization](t)(s.UpdateOrganization(ctx(t), testActor, up.Kind, up.ID, up.Version, up.Patch()))
	want = up
	want.Version = 2
	wantEqual(t, "updated employer", upd, want)
	wantEqual(t, "read back", orgByID(t, s, got.ID), want)
	wantList(t, "near the old location", nearOrgs(t, s, orb.Point{13.75, 57.75}, 10), 0)
	wantList(t, "near the new location", nearOrgs(t, s, orb.Point{12.125, 57.125}, 10), 1, got.ID)
	byArea = must[[]db.List[*db.Organization]](t)(s.OrganizationsByArea(ctx(t), []int64{3, 5, 6}, db.OrganizationFilter{}, everything))
	wantList(t, "engaged in 3", byArea[0], 1, 2)
	wantList(t, "engaged in 5", byArea[1], 1, 2)
	wantList(t, "engaged in 6", byArea[2], 1, got.ID)
	wantAudit(t, "update", auditAfter(t, s, mark), testActor, updated(old, orgByID(t, s, got.ID)))

	// Its location can be forgotten by a patch that sets nothing else; the
	// rest stays.
	up = orgByID(t, s, got.ID)
	upd = must[*db.Organization](t)(s.UpdateOrganization(ctx(t), testActor, db.OrgEmployer, up.ID, 2,
		db.OrganizationPatch{Location: db.Set[*orb.Point](nil), Industry: db.Set("")}))
	up.Location, up.Industry, up.Version = nil, "", 3
	wantEqual(t, "patched employer", upd, up)
	wantList(t, "near after the location was removed", nearOrgs(t, s, orb.Point{12.125, 57.125}, 10), 0)
}

func testWriteOrganizationRejects(t *testing.T, s db.Store) {
	loaded(t, s)
	before := stateOf(t, s)
	cases := []struct {
		name   string
		change func(o *db.Organization)
		parts  []string
	}{
		{"no name", func(o *db.Organization) { o.Name = "" }, []string{"name is required"}},
		{"a blank name", func(o *db.Organization) { o.Name = "  " }, []string{"name is required"}},
		{"unknown kind", func(o *db.Organization) { o.Kind = "CLUB" }, []string{`unknown kind "CLUB"`}},
		{"unknown size", func(o *db.Organization) { o.Size = "HUGE" }, []string{`unknown size "HUGE"`}},
		{"location out of range", func(o *db.Organization) { o.Location = ptp(200, 57) }, []string{"location", "out of range"}},
		{"area id 0", func(o *db.Organization) { o.AreaIDs = []int64{0, 4} }, []string{"area ids"}},
	}
	for _, c := range cases {
		o := newEmployer()
		c.change(o)
		_, err := s.CreateOrganization(ctx(t), testActor, o)
		wantRefused(t, "create: "+c.name, err, db.EINVALID, c.parts...)
		o.ID, o.Version = 2, 1
		_, err = s.UpdateOrganization(ctx(t), testActor, o.Kind, o.ID, o.Version, o.Patch())
		wantRefused(t, "update: "+c.name, err, db.EINVALID, c.parts...)
		o.ID = 99
		_, err = s.UpdateOrganization(ctx(t), testActor, o.Kind, o.ID, o.Version, o.Patch())
		wantRefused(t, "update of a missing organization: "+c.name, err, db.EINVALID, c.parts...)
	}
	_, err := s.CreateOrganization(ctx(t), testActor, nil)
	wantRefused(t, "no organization", err, db.EINVALID)

	// References.
	o := newEmployer()
	o.AreaIDs = []int64{4, 98}
	_, err = s.CreateOrganization(ctx(t), testActor, o)
	wantRefused(t, "create in a missing area", err, db.EINVALID, "98", "does not exist")
	o.AreaIDs = []int64{99, 4, 98} // the first missing one, in ascending order
	_, err = s.CreateOrganization(ctx(t), testActor, o)
	wantRefused(t, "create in two missing areas", err, db.EINVALID, "98", "does not exist")
	o = orgByID(t, s, 2)
	o.AreaIDs = []int64{3, 97}
	_, err = s.UpdateOrganization(ctx(t), testActor, o.Kind, o.ID, o.Version, o.Patch())
	wantRefused(t, "update to a missing area", err, db.EINVALID, "97", "does not exist")

	// An organisation keeps its kind: an update or delete names it by
	// kind and id, and under the other kind it is not found, whatever the
	// version.
	o = orgByID(t, s, 2)
	_, err = s.UpdateOrganization(ctx(t), testActor, db.OrgAssociation, 2, 1, db.OrganizationPatch{Activity: db.Set("Care")})
	wantRefused(t, "an employer as an association", err, db.ENOTFOUND, "Association 2 does not exist")
	_, err = s.UpdateOrganization(ctx(t), testActor, db.OrgEmployer, 3, 4, db.OrganizationPatch{Name: db.Set("Renamed")})
	wantRefused(t, "an association as an employer, stale", err, db.ENOTFOUND, "Employer 3 does not exist")
	wantRefused(t, "a delete of an association as an employer", s.DeleteOrganization(ctx(t), testActor, db.OrgEmployer, 3, 1, true),
		db.ENOTFOUND, "Employer 3 does not exist")
	_, err = s.UpdateOrganization(ctx(t), testActor, db.OrgEmployer, 2, 1, db.OrganizationPatch{Location: db.Set(ptp(200, 57))})
	wantRefused(t, "a patch that fails on its own", err, db.EINVALID, "location", "out of range")
	_, err = s.UpdateOrganization(ctx(t), testActor, db.OrgEmployer, 2, 2, db.OrganizationPatch{Name: db.Set("Lost")})
	wantRefused(t, "a patch of a stale version", err, db.ECONFLICT, "Employer 2 has version 1, not 2")
	wantRefused(t, "a delete of a stale version", s.DeleteOrganization(ctx(t), testActor, db.OrgEmployer, 2, 2, true),
		db.ECONFLICT, "Employer 2 has version 1, not 2")

	// Target and version.
	o = orgByID(t, s, 2)
	o.ID = 99
	_, err = s.UpdateOrganization(ctx(t), testActor, o.Kind, o.ID, o.Version, o.Patch())
	wantRefused(t, "update of a missing organization", err, db.ENOTFOUND, "99")
	o.AreaIDs, o.Version = []int64{98}, 3
	_, err = s.UpdateOrganization(ctx(t), testActor, o.Kind, o.ID, o.Version, o.Patch())
	wantRefused(t, "a missing organization, stale, in a missing area", err, db.ENOTFOUND, "99")
	o = orgByID(t, s, 2)
	o.Version, o.AreaIDs = 2, []int64{98}
	_, err = s.UpdateOrganization(ctx(t), testActor, o.Kind, o.ID, o.Version, o.Patch())
	wantRefused(t, "stale, in a missing area", err, db.ECONFLICT, "has version 1, not 2")
	wantNoChange(t, "refused organization writes", s, before)
}

func testWriteOrganizationDelete(t *testing.T, s db.Store) {
	loaded(t, s)
	// One that nothing points at vanishes from every read.
	e := must[*db.Organization](t)(s.CreateOrganization(ctx(t), testActor, newEmployer()))
	mark := lastAuditID(t, s)
	if err := s.DeleteOrganization(ctx(t), otherActor, db.OrgEmployer, e.ID, 1, false); err != nil {
		t.Fatalf("DeleteOrganization: %v", err)
	}
	if orgByID(t, s, e.ID) != nil {
		t.Error("OrganizationsByID still finds the deleted organization")
	}
	wantList(t, "organizations", must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), db.OrganizationFilter{}, everything)), 4, 1, 2, 3, 4)
	wantList(t, "near where it was", nearOrgs(t, s, orb.Point{13.75, 57.75}, 10), 0)
	byArea := must[[]db.List[*db.Organization]](t)(s.OrganizationsByArea(ctx(t), []int64{3, 5}, db.OrganizationFilter{}, everything))
	wantList(t, "engaged in 3", byArea[0], 1, 2)
	wantList(t, "engaged in 5", byArea[1], 1, 2)
	wantAudit(t, "delete", auditAfter(t, s, mark), otherActor, deleted(e))
	wantRefused(t, "delete again", s.DeleteOrganization(ctx(t), otherActor, db.OrgEmployer, e.ID, 1, false), db.ENOTFOUND)

	// With detach, employer 1 stops leading initiative 1 and being a
	// partner of initiative 2.
	mark = lastAuditID(t, s)
	o1, i1, i2 := orgByID(t, s, 1), initByID(t, s, 1), initByID(t, s, 2)
	if err := s.DeleteOrganization(ctx(t), testActor, db.OrgEmployer, 1, 1, true); err != nil {
		t.Fatalf("DeleteOrganization(1, detach): %v", err)
	}
	i1After, i2After := *i1, *i2
	i1After.LeadID, i1After.Version = 0, 2
	i2After.Partners, i2After.Version = []db.Partner{{OrganizationID: 2, Role: db.RoleMentors}}, 2
	wantEqual(t, "initiative 1", initByID(t, s, 1), &i1After)
	wantEqual(t, "initiative 2", initByID(t, s, 2), &i2After)
	wantList(t, "initiatives of 1", must[[]db.List[*db.Initiative]](t)(
		s.InitiativesByOrganization(ctx(t), []int64{1}, db.InitiativeFilter{}, everything))[0], 0)
	wantList(t, "initiatives filtered by 1", must[db.List[*db.Initiative]](t)(
		s.Initiatives(ctx(t), db.InitiativeFilter{OrganizationIDs: []int64{1}}, everything)), 0)
	wantList(t, "initiatives of 2, 3", must[db.List[*db.Initiative]](t)(
		s.Initiatives(ctx(t), db.InitiativeFilter{OrganizationIDs: []int64{2, 3}}, everything)), 3, 1, 2, 3)
	byArea = must[[]db.List[*db.Organization]](t)(s.OrganizationsByArea(ctx(t), []int64{2, 4}, db.OrganizationFilter{}, everything))
	wantList(t, "engaged in 2", byArea[0], 0)
	wantList(t, "engaged in 4", byArea[1], 1, 3)
	wantList(t, "near where it was", nearOrgs(t, s, orb.Point{12.5, 57.5}, 10), 0)
	// Coverage counts the organisations that are left.
	wantEqual(t, "coverage of 4", coverageOf(t, s, 4), []db.CoverageCell{
		cell(4, db.FocusBornOutsideEurope, "", 2, 2, 165),
		cell(4, db.FocusNoUpperSecondary, "", 1, 2, 45),
	})
	wantAudit(t, "detach of employer 1", auditAfter(t, s, mark), testActor,
		deleted(o1), updated(i1, &i1After), updated(i2, &i2After))

	// Association 4 is initiative 4's only partner.
	mark = lastAuditID(t, s)
	o4, i4 := orgByID(t, s, 4), initByID(t, s, 4)
	wantRefused(t, "delete of 4 without detach", s.DeleteOrganization(ctx(t), testActor, db.OrgAssociation, 4, 1, false), db.ECONFLICT, "1 initiative")
	if err := s.DeleteOrganization(ctx(t), testActor, db.OrgAssociation, 4, 1, true); err != nil {
		t.Fatalf("DeleteOrganization(4, detach): %v", err)
	}
	i4After := *i4
	i4After.Partners, i4After.Version = nil, 2
	wantEqual(t, "initiative 4", initByID(t, s, 4), &i4After)
	wantAudit(t, "detach of association 4", auditAfter(t, s, mark), testActor, deleted(o4), updated(i4, &i4After))
}

// newInitiative is an initiative given as a client might send it: lists
// in no particular order, with repeats.
func newInitiative() *db.Initiative {
	return &db.Initiative{Title: "Summer jobs", Description: "Summer jobs for young people.", Status: db.StatusActive,
		StartDate: date(2025, 6, 1), EndDate: date(2025, 8, 31), GoalArea: db.GoalConditionsForWork,
		FocusGroups: []db.FocusGroup{db.FocusNoUpperSecondary, db.FocusBornOutsideEurope, db.FocusNoUpperSecondary},
		Themes:      []db.Theme{db.ThemeLanguage, db.ThemeJobs, db.ThemeJobs},
		AreaIDs:     []int64{5, 4, 5},
		Locations:   []orb.Point{{13.75, 57.75}, {12.3, 57.3}},
		LeadID:      2,
		Partners: []db.Partner{{OrganizationID: 4, Role: db.RoleOutreach}, {OrganizationID: 1, Role: db.RolePlacements},
			{OrganizationID: 3, Role: db.RoleVenue}},
		Reach: db.Reach{Participants: intp(30), IntoWork: intp(4)}}
}

// normalizedInitiative is newInitiative as a store keeps it.
func normalizedInitiative() *db.Initiative {
	in := newInitiative()
	in.FocusGroups = []db.FocusGroup{db.FocusBornOutsideEurope, db.FocusNoUpperSecondary}
	in.Themes = []db.Theme{db.ThemeJobs, db.ThemeLanguage}
	in.AreaIDs = []int64{4, 5}
	in.Partners = []db.Partner{{OrganizationID: 1, Role: db.RolePlacements}, {OrganizationID: 3, Role: db.RoleVenue},
		{OrganizationID: 4, Role: db.RoleOutreach}}
	return in
}

func nearInits(t *testing.T, s db.Store, p orb.Point, meters float64) db.List[*db.Initiative] {
	t.Helper()
	return must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t),
		db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: p, RadiusMeters: meters}}}, everything))
}

func testWriteInitiatives(t *testing.T, s db.Store) {
	loaded(t, s)
	in := newInitiative()
	in.ID, in.Version = 2, 5 // ignored
	got := must[*db.Initiative](t)(s.CreateInitiative(ctx(t), testActor, in))
	if got.ID <= 4 {
		t.Fatalf("new initiative got id %d; new ids are above every id in use (4)", got.ID)
	}
	want := normalizedInitiative()
	want.ID, want.Version = got.ID, 1
	wantEqual(t, "created initiative, normalised", got, want)
	wantEqual(t, "read back", initByID(t, s, got.ID), want)
	id := got.ID

	// Read after write: filters, locations, areas, organisations, coverage.
	wantList(t, "without upper-secondary education", must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t),
		db.InitiativeFilter{FocusGroups: []db.FocusGroup{db.FocusNoUpperSecondary}}, everything)), 3, 2, 4, id)
	wantList(t, "near its first location", nearInits(t, s, orb.Point{13.75, 57.75}, 10), 1, id)
	wantList(t, "in a box around it", must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), db.InitiativeFilter{Spatial: db.Spatial{
		BBox: &orb.Bound{Min: orb.Point{13.7, 57.7}, Max: orb.Point{13.8, 57.8}}}}, everything)), 1, id)
	byArea := must[[]db.List[*db.Initiative]](t)(s.InitiativesByArea(ctx(t), []int64{4, 5}, db.InitiativeFilter{}, everything))
	wantList(t, "serving 4", byArea[0], 3, 1, 2, id)
	wantList(t, "serving 5", byArea[1], 3, 2, 3, id)
	byOrg := must[[]db.List[*db.Initiative]](t)(s.InitiativesByOrganization(ctx(t), []int64{1, 2, 3, 4}, db.InitiativeFilter{}, everything))
	wantList(t, "of 1", byOrg[0], 3, 1, 2, id)
	wantList(t, "of 2 (lead)", byOrg[1], 3, 2, 3, id)
	wantList(t, "of 3", byOrg[2], 3, 1, 2, id)
	wantList(t, "of 4", byOrg[3], 2, 4, id)
	wantEqual(t, "coverage of 4", coverageOf(t, s, 4), []db.CoverageCell{
		cell(4, db.FocusBornOutsideEurope, "", 3, 4, 195),
		cell(4, db.FocusNoUpperSecondary, "", 2, 4, 75),
	})
	wantAudit(t, "create", auditAfter(t, s, 0), testActor, created(initByID(t, s, id)))

	// An update moves it out of area 4, away from its locations, to
	// another lead and partner.
	mark := lastAuditID(t, s)
	old := initByID(t, s, id)
	up := initByID(t, s, id)
	up.AreaIDs, up.Locations, up.LeadID = []int64{5}, []orb.Point{{13.3, 57.3}}, 0
	up.Partners = []db.Partner{{OrganizationID: 2, Role: db.RoleFunder}}
	up.Status, up.FocusGroups, up.Themes = db.StatusCompleted, []db.FocusGroup{db.FocusDisability}, nil
	up.Reach = db.Reach{}
	upd := must[*db.Initiative](t)(s.UpdateInitiative(ctx(t), otherActor, up.ID, up.Version, up.Patch()))
	want = up
	want.Version = 2
	wantEqual(t, "updated initiative", upd, want)
	wantEqual(t, "read back", initByID(t, s, id), want)
	wantList(t, "near its old location", nearInits(t, s, orb.Point{13.75, 57.75}, 10), 0)
	wantList(t, "near its new location", nearInits(t, s, orb.Point{13.3, 57.3}, 10), 3, 2, 3, id)
	byArea = must[[]db.List[*db.Initiative]](t)(s.InitiativesByArea(ctx(t), []int64{4, 5}, db.InitiativeFilter{}, everything))
	wantList(t, "serving 4", byArea[0], 2, 1, 2)
	wantList(t, "serving 5", byArea[1], 3, 2, 3, id)
	byOrg = must[[]db.List[*db.Initiative]](t)(s.InitiativesByOrganization(ctx(t), []int64{1, 2, 3, 4}, db.InitiativeFilter{}, everything))
	wantList(t, "of 1", byOrg[0], 2, 1, 2)
	wantList(t, "of 2", byOrg[1], 3, 2, 3, id)
	wantList(t, "of 3", byOrg[2], 2, 1, 2)
	wantList(t, "of 4", byOrg[3], 1, 4)
	wantEqual(t, "coverage of 4 and 5", coverageOf(t, s, 4, 5), []db.CoverageCell{
		cell(4, db.FocusBornOutsideEurope, "", 2, 3, 165),
		cell(4, db.FocusNoUpperSecondary, "", 1, 3, 45),
		cell(5, db.FocusBornOutsideEurope, "", 1, 3, 45),
		cell(5, db.FocusDisability, "", 2, 1, 0),
		cell(5, db.FocusNoUpperSecondary, "", 1, 3, 45),
	})
	wantAudit(t, "update", auditAfter(t, s, mark), otherActor, updated(old, initByID(t, s, id)))
}

func testWriteInitiativeRejects(t *testing.T, s db.Store) {
	loaded(t, s)
	before := stateOf(t, s)
	cases := []struct {
		name   string
		change func(in *db.Initiative)
		parts  []string
	}{
		{"no title", func(in *db.Initiative) { in.Title = "" }, []string{"title is required"}},
		{"a blank title", func(in *db.Initiative) { in.Title = " \t" }, []string{"title is required"}},
		{"unknown status", func(in *db.Initiative) { in.Status = "DONE" }, []string{`unknown status "DONE"`}},
		{"unknown goal area", func(in *db.Initiative) { in.GoalArea = "WEALTH" }, []string{`unknown goal area "WEALTH"`}},
		{"unknown focus group", func(in *db.Initiative) { in.FocusGroups = append(in.FocusGroups, "YOUTH") }, []string{"YOUTH"}},
		{"unknown theme", func(in *db.Initiative) { in.Themes = []db.Theme{"FUN", db.ThemeJobs} }, []string{"FUN"}},
		{"unknown role", func(in *db.Initiative) { in.Partners[1].Role = "BOSS" }, []string{`unknown role "BOSS"`}},
		{"the lead among the partners", func(in *db.Initiative) { in.LeadID = 3 }, []string{"lead"}},
		{"a partner twice", func(in *db.Initiative) {
			in.Partners = append(in.Partners, db.Partner{OrganizationID: 1, Role: db.RoleFunder})
		}, []string{"partners"}},
		{"location out of range", func(in *db.Initiative) { in.Locations[1] = orb.Point{12, 95} }, []string{"location 1", "out of range"}},
		{"ends before it starts", func(in *db.Initiative) { in.EndDate = date(2025, 5, 31) }, []string{"end date is before start date"}},
		{"negative reach", func(in *db.Initiative) { in.Reach.IntoStudy = intp(-1) }, []string{"reach"}},
		{"negative lead", func(in *db.Initiative) { in.LeadID = -1 }, []string{"lead"}},
		{"area id 0", func(in *db.Initiative) { in.AreaIDs = []int64{0} }, []string{"area ids"}},
	}
	for _, c := range cases {
		in := newInitiative()
		c.change(in)
		_, err := s.CreateInitiative(ctx(t), testActor, in)
		wantRefused(t, "create: "+c.name, err, db.EINVALID, c.parts...)
		in.ID, in.Version = 3, 1
		_, err = s.UpdateInitiative(ctx(t), testActor, in.ID, in.Version, in.Patch())
		wantRefused(t, "update: "+c.name, err, db.EINVALID, c.parts...)
		in.ID = 99
		_, err = s.UpdateInitiative(ctx(t), testActor, in.ID, in.Version, in.Patch())
		wantRefused(t, "update of a missing initiative: "+c.name, err, db.EINVALID, c.parts...)
	}
	_, err := s.CreateInitiative(ctx(t), testActor, nil)
	wantRefused(t, "no initiative", err, db.EINVALID)

	// References: areas, the lead, partners.
	refs := []struct {
		name   string
		change func(in *db.Initiative)
		id     string
	}{
		{"a missing area", func(in *db.Initiative) { in.AreaIDs = []int64{98, 4} }, "98"},
		{"a missing lead", func(in *db.Initiative) { in.LeadID = 97 }, "97"},
		{"a missing partner", func(in *db.Initiative) {
			in.Partners = append(in.Partners, db.Partner{OrganizationID: 96, Role: db.RoleFunder})
		}, "96"},
	}
	for _, c := range refs {
		in := newInitiative()
		c.change(in)
		_, err := s.CreateInitiative(ctx(t), testActor, in)
		wantRefused(t, "create with "+c.name, err, db.EINVALID, c.id, "does not exist")
		up := initByID(t, s, 2)
		c.change(up)
		_, err = s.UpdateInitiative(ctx(t), testActor, up.ID, up.Version, up.Patch())
		wantRefused(t, "update with "+c.name, err, db.EINVALID, c.id, "does not exist")
		// Not found and a stale version come first.
		up.Version = 2
		_, err = s.UpdateInitiative(ctx(t), testActor, up.ID, up.Version, up.Patch())
		wantRefused(t, "stale, with "+c.name, err, db.ECONFLICT, "has version 1, not 2")
		up.ID = 99
		_, err = s.UpdateInitiative(ctx(t), testActor, up.ID, up.Version, up.Patch())
		wantRefused(t, "missing, stale, with "+c.name, err, db.ENOTFOUND, "99")
	}
	wantNoChange(t, "refused initiative writes", s, before)
}

func testWriteInitiativeDelete(t *testing.T, s db.Store) {
	loaded(t, s)
	old := initByID(t, s, 2)
	wantRefused(t, "stale", s.DeleteInitiative(ctx(t), testActor, 2, 2), db.ECONFLICT, "has version 1, not 2")
	if err := s.DeleteInitiative(ctx(t), testActor, 2, 1); err != nil {
		t.Fatalf("DeleteInitiative(2): %v", err)
	}
	if initByID(t, s, 2) != nil {
		t.Error("InitiativesByID still finds initiative 2")
	}
	wantList(t, "initiatives", must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), db.InitiativeFilter{}, everything)), 3, 1, 3, 4)
	wantList(t, "near its locations", nearInits(t, s, orb.Point{13.3, 57.3}, 10), 1, 3)
	wantList(t, "with the title", must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t),
		db.InitiativeFilter{TitleContains: "café"}, everything)), 0)
	byArea := must[[]db.List[*db.Initiative]](t)(s.InitiativesByArea(ctx(t), []int64{4, 5}, db.InitiativeFilter{}, everything))
	wantList(t, "serving 4", byArea[0], 1, 1)
	wantList(t, "serving 5", byArea[1], 1, 3)
	byOrg := must[[]db.List[*db.Initiative]](t)(s.InitiativesByOrganization(ctx(t), []int64{1, 2, 3}, db.InitiativeFilter{}, everything))
	wantList(t, "of 1", byOrg[0], 1, 1)
	wantList(t, "of 2", byOrg[1], 1, 3)
	wantList(t, "of 3", byOrg[2], 1, 1)
	wantEqual(t, "coverage", coverageOf(t, s, 4, 5), []db.CoverageCell{
		cell(4, db.FocusBornOutsideEurope, "", 1, 2, 120),
		cell(5, db.FocusDisability, "", 1, 1, 0),
	})
	wantAudit(t, "delete", auditAfter(t, s, 0), testActor, deleted(old))
	wantRefused(t, "delete again", s.DeleteInitiative(ctx(t), testActor, 2, 1), db.ENOTFOUND)
	// Nothing points at an initiative: the organisations it involved can
	// go without detach once nothing else involves them.
	if err := s.DeleteInitiative(ctx(t), testActor, 1, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOrganization(ctx(t), testActor, db.OrgEmployer, 1, 1, false); err != nil {
		t.Errorf("delete of an organization whose initiatives are gone: %v", err)
	}
}

func newIndicator() *db.Indicator {
	return &db.Indicator{Code: "upper_secondary", Name: "Upper-secondary education", NameSv: "Gymnasieexamen",
		Description: "Share of 20–24-year-olds with an upper-secondary degree.", Unit: "%", HigherIsBetter: true,
		Source: "Fixture", License: "CC0", Attribution: "Källa: fixture", MinCount: 10,
		Rollup: db.RollupWeightedMean, WeightIndicator: "population"}
}

func testWriteIndicators(t *testing.T, s db.Store) {
	loaded(t, s)
	in := newIndicator()
	in.Version = 9 // ignored
	got := must[*db.Indicator](t)(s.CreateIndicator(ctx(t), testActor, in))
	want := newIndicator()
	want.Version = 1
	wantEqual(t, "created indicator", got, want)
	defs := must[[]*db.Indicator](t)(s.Indicators(ctx(t), nil))
	var codes []string
	for _, d := range defs {
		codes = append(codes, d.Code)
	}
	wantEqual(t, "indicators by code", codes, []string{"population", "unemployment", "upper_secondary"})
	wantEqual(t, "read back", indicatorByCode(t, s, "upper_secondary"), want)
	wantAudit(t, "create", auditAfter(t, s, 0), testActor, created(want))

	// Values may be put for it at once.
	n := must[int](t)(s.PutIndicatorValues(ctx(t), testActor, []db.IndicatorValue{
		{AreaID: 4, IndicatorCode: "upper_secondary", Year: 2024, Sex: db.SexTotal, Value: 71.5, Count: intp(400)}}))
	if n != 1 {
		t.Errorf("put %d values, want 1", n)
	}

	mark := lastAuditID(t, s)
	up := indicatorByCode(t, s, "upper_secondary")
	up.Name, up.MinCount, up.HigherIsBetter = "Upper-secondary degree", 20, true
	up.Rollup, up.WeightIndicator = db.RollupSum, ""
	upd := must[*db.Indicator](t)(s.UpdateIndicator(ctx(t), otherActor, up.Code, up.Version, up.Patch()))
	wantUp := *up
	wantUp.Version = 2
	wantEqual(t, "updated indicator", upd, &wantUp)
	wantEqual(t, "read back", indicatorByCode(t, s, "upper_secondary"), &wantUp)
	wantAudit(t, "update", auditAfter(t, s, mark), otherActor, updated(want, &wantUp))

	before := stateOf(t, s)
	_, err := s.CreateIndicator(ctx(t), testActor, newIndicator())
	wantRefused(t, "a code in use", err, db.ECONFLICT)
	bad := []struct {
		name   string
		change func(d *db.Indicator)
	}{
		{"no code", func(d *db.Indicator) { d.Code = "" }},
		{"no name", func(d *db.Indicator) { d.Name = "" }},
		{"no unit", func(d *db.Indicator) { d.Unit = "" }},
		{"a code with spaces and capitals", func(d *db.Indicator) { d.Code = "Upper Secondary" }},
		{"a code of 65 letters", func(d *db.Indicator) { d.Code = strings.Repeat("a", 65) }},
		{"a negative min count", func(d *db.Indicator) { d.MinCount = -1 }},
		{"an unknown roll-up", func(d *db.Indicator) { d.Rollup = "MEDIAN" }},
		{"a weight for a sum", func(d *db.Indicator) { d.Rollup = db.RollupSum }},
		{"a weight without a roll-up", func(d *db.Indicator) { d.Rollup = db.RollupNone }},
		{"a weight that is no code", func(d *db.Indicator) { d.WeightIndicator = "Population" }},
		{"its own weight", func(d *db.Indicator) { d.WeightIndicator = d.Code }},
	}
	for _, c := range bad {
		d := newIndicator()
		c.change(d)
		_, err := s.CreateIndicator(ctx(t), testActor, d)
		wantRefused(t, "create: "+c.name, err, db.EINVALID)
		d.Version = 2
		_, err = s.UpdateIndicator(ctx(t), testActor, d.Code, d.Version, d.Patch())
		wantRefused(t, "update: "+c.name, err, db.EINVALID)
	}
	_, err = s.CreateIndicator(ctx(t), testActor, nil)
	wantRefused(t, "no indicator", err, db.EINVALID)
	d := newIndicator()
	d.Code, d.Version = "happiness", 1
	_, err = s.UpdateIndicator(ctx(t), testActor, d.Code, d.Version, d.Patch())
	wantRefused(t, "update of a missing indicator", err, db.ENOTFOUND, "happiness")
	d = newIndicator()
	d.Version = 1
	_, err = s.UpdateIndicator(ctx(t), testActor, d.Code, d.Version, d.Patch())
	wantRefused(t, "a stale update", err, db.ECONFLICT, "has version 2, not 1")
	wantRefused(t, "a stale delete", s.DeleteIndicator(ctx(t), testActor, "upper_secondary", 1, true), db.ECONFLICT, "has version 2, not 1")
	wantRefused(t, "a delete without detach", s.DeleteIndicator(ctx(t), testActor, "upper_secondary", 2, false),
		db.ECONFLICT, "1 indicator value")
	wantNoChange(t, "refused indicator writes", s, before)

	// A definition without values goes alone; with detach, its values go
	// with it, each with an entry, in key order.
	mark = lastAuditID(t, s)
	unused := must[*db.Indicator](t)(s.CreateIndicator(ctx(t), testActor, &db.Indicator{Code: "unused", Name: "Unused", Unit: "%"}))
	if err := s.DeleteIndicator(ctx(t), testActor, "unused", 1, false); err != nil {
		t.Fatalf("delete of an indicator without values: %v", err)
	}
	if indicatorByCode(t, s, "unused") != nil {
		t.Error("Indicators still finds a deleted indicator")
	}
	wantAudit(t, "create and delete", auditAfter(t, s, mark)[1:], testActor, deleted(unused))

	mark = lastAuditID(t, s)
	unemployment := indicatorByCode(t, s, "unemployment")
	vals := valuesOf(t, s, db.ValueFilter{Codes: []string{"unemployment"}})
	if len(vals) != 7 {
		t.Fatalf("%d unemployment values, want 7", len(vals))
	}
	if err := s.DeleteIndicator(ctx(t), otherActor, "unemployment", 1, true); err != nil {
		t.Fatalf("DeleteIndicator(unemployment, detach): %v", err)
	}
	wantEqual(t, "values left", valuesOf(t, s, db.ValueFilter{}), []db.IndicatorValue{
		{AreaID: 1, IndicatorCode: "population", Year: 2021, Sex: db.SexTotal, Value: 113000},
		{AreaID: 4, IndicatorCode: "upper_secondary", Year: 2024, Sex: db.SexTotal, Value: 71.5, Count: intp(400)},
	})
	wantEqual(t, "indicators left", len(must[[]*db.Indicator](t)(s.Indicators(ctx(t), nil))), 2)
	want7 := []entry{deleted(unemployment)}
	for _, v := range vals {
		want7 = append(want7, deleted(v))
	}
	wantAudit(t, "delete with detach", auditAfter(t, s, mark), otherActor, want7...)
	_, err = s.PutIndicatorValues(ctx(t), testActor, []db.IndicatorValue{
		{AreaID: 4, IndicatorCode: "unemployment", Year: 2024, Sex: db.SexTotal, Value: 30}})
	wantItemError(t, "a value of the deleted indicator", err, 1, `"unemployment"`, "does not exist")
}

// testWriteIndicatorPatch pins an indicator update's patch: the fields it
// sets change, the others stay, and a refused patch changes nothing.
func testWriteIndicatorPatch(t *testing.T, s db.Store) {
	loaded(t, s)
	old := indicatorByCode(t, s, "population")
	got := must[*db.Indicator](t)(s.UpdateIndicator(ctx(t), otherActor, "population", 1, db.IndicatorPatch{
		NameSv: db.Set("Folkmängd"), MinCount: db.Set(5)}))
	want := *old
	want.NameSv, want.MinCount, want.Version = "Folkmängd", 5, 2
	wantEqual(t, "patched indicator", got, &want)
	wantEqual(t, "read back", indicatorByCode(t, s, "population"), &want)
	wantAudit(t, "patch", auditAfter(t, s, 0), otherActor, updated(old, &want))
	got = must[*db.Indicator](t)(s.UpdateIndicator(ctx(t), testActor, "population", 2, db.IndicatorPatch{
		NameSv: db.Set(""), MinCount: db.Set(0)}))
	want.NameSv, want.MinCount, want.Version = "", 0, 3
	wantEqual(t, "cleared indicator", got, &want)

	before := stateOf(t, s)
	_, err := s.UpdateIndicator(ctx(t), testActor, "population", 3, db.IndicatorPatch{Unit: db.Set("")})
	wantRefused(t, "a patch without a unit", err, db.EINVALID, "unit is required")
	_, err = s.UpdateIndicator(ctx(t), testActor, "happiness", 3, db.IndicatorPatch{MinCount: db.Set(-1)})
	wantRefused(t, "a bad patch of a missing indicator", err, db.EINVALID, "min count")
	_, err = s.UpdateIndicator(ctx(t), testActor, "happiness", 3, db.IndicatorPatch{Name: db.Set("Happiness")})
	wantRefused(t, "a patch of a missing indicator", err, db.ENOTFOUND, `Indicator "happiness" does not exist`)
	_, err = s.UpdateIndicator(ctx(t), testActor, "population", 2, db.IndicatorPatch{Name: db.Set("Lost")})
	wantRefused(t, "a patch of a stale version", err, db.ECONFLICT, `Indicator "population" has version 3, not 2`)
	wantRefused(t, "a delete of a missing indicator", s.DeleteIndicator(ctx(t), testActor, "happiness", 3, true),
		db.ENOTFOUND, `Indicator "happiness" does not exist`)
	wantRefused(t, "a delete of a stale version", s.DeleteIndicator(ctx(t), testActor, "population", 2, true),
		db.ECONFLICT, `Indicator "population" has version 3, not 2`)
	wantNoChange(t, "refused patches", s, before)

	// The roll-up fields patch as the others do.
	got = must[*db.Indicator](t)(s.UpdateIndicator(ctx(t), testActor, "population", 3, db.IndicatorPatch{
		Rollup: db.Set(db.RollupSum)}))
	want.Rollup, want.Version = db.RollupSum, 4
	wantEqual(t, "a roll-up set", got, &want)
	_, err = s.UpdateIndicator(ctx(t), testActor, "population", 4, db.IndicatorPatch{WeightIndicator: db.Set("unemployment")})
	wantRefused(t, "a weight for a sum", err, db.EINVALID, "weighted mean only")
	got = must[*db.Indicator](t)(s.UpdateIndicator(ctx(t), testActor, "population", 4, db.IndicatorPatch{
		Rollup: db.Set(db.RollupWeightedMean), WeightIndicator: db.Set("unemployment")}))
	want.Rollup, want.WeightIndicator, want.Version = db.RollupWeightedMean, "unemployment", 5
	wantEqual(t, "a weighted roll-up", got, &want)
	wantEqual(t, "read back", indicatorByCode(t, s, "population"), &want)
}

// testWriteInitiativePatch pins an initiative update's patch: the fields
// it sets change, lists are replaced whole and normalised, nil clears, and
// a patch refused with the fields it keeps changes nothing.
func testWriteInitiativePatch(t *testing.T, s db.Store) {
	loaded(t, s)
	old := initByID(t, s, 1)
	partners := []db.Partner{{OrganizationID: 4, Role: db.RoleOutreach}, {OrganizationID: 2, Role: db.RoleFunder}}
	got := must[*db.Initiative](t)(s.UpdateInitiative(ctx(t), otherActor, 1, 1, db.InitiativePatch{
		Status: db.Set(db.StatusCompleted), EndDate: db.Set(date(2024, 6, 30)), AreaIDs: db.Set([]int64{5, 4, 5}),
		Partners: db.Set(partners), Locations: db.Set[[]orb.Point](nil),
	}))
	want := *old
	want.Status, want.EndDate, want.AreaIDs, want.Locations, want.Version = db.StatusCompleted, date(2024, 6, 30), []int64{4, 5}, nil, 2
	want.Partners = []db.Partner{{OrganizationID: 2, Role: db.RoleFunder}, {OrganizationID: 4, Role: db.RoleOutreach}}
	wantEqual(t, "patched initiative", got, &want)
	wantEqual(t, "read back", initByID(t, s, 1), &want)
	wantAudit(t, "patch", auditAfter(t, s, 0), otherActor, updated(old, &want))
	if partners[0].OrganizationID != 4 {
		t.Errorf("the store sorted the caller's partners: %v", partners)
	}
	wantList(t, "initiatives in 5", must[[]db.List[*db.Initiative]](t)(
		s.InitiativesByArea(ctx(t), []int64{5}, db.InitiativeFilter{}, everything))[0], 3, 1, 2, 3)

	before := stateOf(t, s)
	_, err := s.UpdateInitiative(ctx(t), testActor, 1, 2, db.InitiativePatch{LeadID: db.Set[int64](2)})
	wantRefused(t, "a lead that is a partner it keeps", err, db.EINVALID, "lead")
	_, err = s.UpdateInitiative(ctx(t), testActor, 1, 2, db.InitiativePatch{StartDate: db.Set(date(2024, 7, 1))})
	wantRefused(t, "a start after the end it keeps", err, db.EINVALID, "end date is before start date")
	_, err = s.UpdateInitiative(ctx(t), testActor, 1, 2, db.InitiativePatch{Title: db.Set(" ")})
	wantRefused(t, "a blank title", err, db.EINVALID, "title is required")
	_, err = s.UpdateInitiative(ctx(t), testActor, 99, 2, db.InitiativePatch{Title: db.Set("Nothing")})
	wantRefused(t, "a patch of a missing initiative", err, db.ENOTFOUND, "Initiative 99 does not exist")
	_, err = s.UpdateInitiative(ctx(t), testActor, 1, 1, db.InitiativePatch{Title: db.Set("Lost")})
	wantRefused(t, "a patch of a stale version", err, db.ECONFLICT, "Initiative 1 has version 2, not 1")
	wantRefused(t, "a delete of a missing initiative", s.DeleteInitiative(ctx(t), testActor, 99, 2),
		db.ENOTFOUND, "Initiative 99 does not exist")
	wantRefused(t, "a delete of a stale version", s.DeleteInitiative(ctx(t), testActor, 1, 1),
		db.ECONFLICT, "Initiative 1 has version 2, not 1")
	wantNoChange(t, "refused patches", s, before)
}
