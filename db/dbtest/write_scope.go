package dbtest

import (
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// The partner scope (db/scope.go): a caller bound to organisations changes
// its own organisations and the initiatives they lead, and in others'
// initiatives only its own partnerships; both backends refuse the rest
// alike, on the record as it is stored.

// partner speaks for Gamma IF (Association 3), which leads initiative 2,
// is the venue of initiative 1 and has no part in initiatives 3 and 4.
var partner = db.Actor{ID: "key:kgamma", Role: db.RoleEditor, Orgs: []string{"Association:3"}}

func testWriteScopeRefuses(t *testing.T, s db.Store) {
	loaded(t, s)
	before := stateOf(t, s)
	in1, in2, in3 := initByID(t, s, 1), initByID(t, s, 2), initByID(t, s, 3)
	withPartners := func(ps ...db.Partner) db.InitiativePatch {
		return db.InitiativePatch{Partners: db.Set(ps)}
	}
	two := db.Actor{ID: "key:ktwo", Role: db.RoleEditor, Orgs: []string{"Association:3", "Association:4"}}
	notLead := func(id string) []string { return []string{"Association:3 does not lead Initiative:" + id} }
	cases := []struct {
		name  string
		write func() error
		parts []string
	}{
		{"create an area", func() error { _, err := s.CreateArea(ctx(t), partner, newPriorityArea()); return err }, []string{"areas"}},
		{"update an area", func() error {
			_, err := s.UpdateArea(ctx(t), partner, 1, 1, db.AreaPatch{Name: db.Set("X")})
			return err
		}, []string{"areas"}},
		{"delete an area", func() error { return s.DeleteArea(ctx(t), partner, 6, 1, true) }, []string{"areas"}},
		{"create an organisation", func() error {
			_, err := s.CreateOrganization(ctx(t), partner, newEmployer())
			return err
		}, []string{"new organisations"}},
		{"update another organisation", func() error {
			_, err := s.UpdateOrganization(ctx(t), partner, db.OrgAssociation, 4, 1, db.OrganizationPatch{Name: db.Set("X")})
			return err
		}, []string{"Association:4 is not among the organisations this caller speaks for (Association:3)"}},
		{"update its own id as the other kind", func() error {
			_, err := s.UpdateOrganization(ctx(t), partner, db.OrgEmployer, 3, 1, db.OrganizationPatch{Name: db.Set("X")})
			return err
		}, []string{"Employer:3 is not among"}},
		{"update a missing organisation", func() error {
			_, err := s.UpdateOrganization(ctx(t), partner, db.OrgAssociation, 999, 1, db.OrganizationPatch{Name: db.Set("X")})
			return err
		}, []string{"Association:999 is not among"}},
		{"delete its own organisation", func() error {
			return s.DeleteOrganization(ctx(t), partner, db.OrgAssociation, 3, 1, true)
		}, []string{"deletions of organisations"}},
		{"create an indicator", func() error { _, err := s.CreateIndicator(ctx(t), partner, newIndicator()); return err },
			[]string{"indicator definitions"}},
		{"update an indicator", func() error {
			_, err := s.UpdateIndicator(ctx(t), partner, "unemployment", 1, db.IndicatorPatch{Name: db.Set("X")})
			return err
		}, []string{"indicator definitions"}},
		{"delete an indicator", func() error { return s.DeleteIndicator(ctx(t), partner, "unemployment", 1, true) },
			[]string{"indicator definitions"}},
		{"put values", func() error {
			_, err := s.PutIndicatorValues(ctx(t), partner, []db.IndicatorValue{val(4, "unemployment", 2024, db.SexTotal, 1, nil)})
			return err
		}, []string{"indicator values"}},
		{"create a key", func() error {
			_, err := s.CreateKey(ctx(t), partner, &db.APIKey{ID: "kx", Name: "X", Role: db.RoleReader, Hash: KeyHash("kx")})
			return err
		}, []string{"API keys"}},
		{"create an initiative another leads", func() error {
			_, err := s.CreateInitiative(ctx(t), partner, newInitiative()) // led by 2
			return err
		}, []string{"a new initiative must be led by one of Association:3"}},
		{"create an initiative without a lead", func() error {
			in := newInitiative()
			in.LeadID = 0
			_, err := s.CreateInitiative(ctx(t), partner, in)
			return err
		}, []string{"led by one of Association:3"}},
		{"update another's initiative", func() error {
			_, err := s.UpdateInitiative(ctx(t), partner, 3, in3.Version, db.InitiativePatch{Title: db.Set("X")})
			return err
		}, notLead("3")},
		{"update another's initiative with a stale version", func() error {
			_, err := s.UpdateInitiative(ctx(t), partner, 3, in3.Version+7, db.InitiativePatch{Title: db.Set("X")})
			return err
		}, notLead("3")},
		{"update a missing initiative", func() error {
			_, err := s.UpdateInitiative(ctx(t), partner, 999, 1, db.InitiativePatch{Title: db.Set("X")})
			return err
		}, notLead("999")},
		{"join a missing initiative", func() error {
			_, err := s.UpdateInitiative(ctx(t), partner, 999, 1, withPartners(db.Partner{OrganizationID: 3, Role: db.RoleVenue}))
			return err
		}, notLead("999")},
		{"change the partners and the title of an initiative it partners", func() error {
			p := withPartners()
			p.Title = db.Set("X")
			_, err := s.UpdateInitiative(ctx(t), partner, 1, in1.Version, p)
			return err
		}, notLead("1")},
		{"add another organisation as a partner", func() error {
			_, err := s.UpdateInitiative(ctx(t), partner, 1, in1.Version, withPartners(
				db.Partner{OrganizationID: 3, Role: db.RoleVenue}, db.Partner{OrganizationID: 4, Role: db.RoleFunder}))
			return err
		}, append(notLead("1"), "only its own organisations as partners")},
		{"hand the lead of its initiative to another", func() error {
			_, err := s.UpdateInitiative(ctx(t), partner, 2, in2.Version, db.InitiativePatch{LeadID: db.Set[int64](4)})
			return err
		}, []string{"the lead of Initiative:2 must stay with one of Association:3"}},
		{"delete another's initiative", func() error { return s.DeleteInitiative(ctx(t), partner, 3, in3.Version) }, notLead("3")},
		{"delete an initiative it partners", func() error { return s.DeleteInitiative(ctx(t), partner, 1, in1.Version) }, notLead("1")},
		{"delete a missing initiative", func() error { return s.DeleteInitiative(ctx(t), partner, 999, 1) }, notLead("999")},
		{"delete another's initiative, two organisations", func() error { return s.DeleteInitiative(ctx(t), two, 3, in3.Version) },
			[]string{"Association:3, Association:4 none leads Initiative:3"}},
	}
	for _, c := range cases {
		wantRefused(t, c.name, c.write(), db.EFORBIDDEN, c.parts...)
	}
	wantNoChange(t, "refused scoped writes", s, before)
}

func testWriteScopeAllows(t *testing.T, s db.Store) {
	loaded(t, s)
	mark := lastAuditID(t, s)

	// Its own organisation.
	org := must[*db.Organization](t)(s.UpdateOrganization(ctx(t), partner, db.OrgAssociation, 3, 1,
		db.OrganizationPatch{Name: db.Set("Gamma IF Norrby")}))
	if org.Name != "Gamma IF Norrby" || org.Version != 2 {
		t.Errorf("updated own organisation: %+v", org)
	}
	// An initiative it leads: created, updated (the lead may pass to
	// another of its organisations only), partners dropped, deleted.
	in := newInitiative()
	in.LeadID = 3
	in.Partners = []db.Partner{{OrganizationID: 1, Role: db.RolePlacements}}
	created := must[*db.Initiative](t)(s.CreateInitiative(ctx(t), partner, in))
	upd := must[*db.Initiative](t)(s.UpdateInitiative(ctx(t), partner, created.ID, created.Version,
		db.InitiativePatch{Title: db.Set("Summer jobs 2026"), Partners: db.Set([]db.Partner(nil))}))
	if upd.Title != "Summer jobs 2026" || len(upd.Partners) != 0 {
		t.Errorf("updated own initiative: %+v", upd)
	}
	_, err := s.UpdateInitiative(ctx(t), partner, created.ID, created.Version, db.InitiativePatch{Title: db.Set("Stale")})
	wantRefused(t, "a stale version of its own initiative", err, db.ECONFLICT)
	if err := s.DeleteInitiative(ctx(t), partner, upd.ID, upd.Version); err != nil {
		t.Errorf("delete own initiative: %v", err)
	}

	// Others' initiatives: its own partnership changes, nothing else.
	in1 := initByID(t, s, 1) // led by 1, venue 3
	got := must[*db.Initiative](t)(s.UpdateInitiative(ctx(t), partner, 1, in1.Version,
		db.InitiativePatch{Partners: db.Set([]db.Partner{{OrganizationID: 3, Role: db.RoleCoOrganiser}})}))
	wantEqual(t, "its role changed", got.Partners, []db.Partner{{OrganizationID: 3, Role: db.RoleCoOrganiser}})
	got = must[*db.Initiative](t)(s.UpdateInitiative(ctx(t), partner, 1, got.Version,
		db.InitiativePatch{Partners: db.Set([]db.Partner(nil))}))
	if len(got.Partners) != 0 || got.Title != in1.Title {
		t.Errorf("left initiative 1: %+v", got)
	}
	in3 := initByID(t, s, 3) // led by 2, no partners
	got = must[*db.Initiative](t)(s.UpdateInitiative(ctx(t), partner, 3, in3.Version,
		db.InitiativePatch{Partners: db.Set([]db.Partner{{OrganizationID: 3, Role: db.RoleVenue}})}))
	wantEqual(t, "joined initiative 3", got.Partners, []db.Partner{{OrganizationID: 3, Role: db.RoleVenue}})
	in2 := initByID(t, s, 2) // led by 3, partners 1 and 2 before
	got = must[*db.Initiative](t)(s.UpdateInitiative(ctx(t), partner, 2, in2.Version,
		db.InitiativePatch{Partners: db.Set([]db.Partner{{OrganizationID: 4, Role: db.RoleOutreach}, {OrganizationID: 2, Role: db.RoleMentors}})}))
	wantEqual(t, "the lead sets others as partners", got.Partners,
		[]db.Partner{{OrganizationID: 2, Role: db.RoleMentors}, {OrganizationID: 4, Role: db.RoleOutreach}})

	// The audit log names the key, as for any caller, and the
	// organisations it acted for.
	entries := auditAfter(t, s, mark)
	if len(entries) != 8 {
		t.Errorf("%d audit entries, want 8", len(entries))
	}
	for _, e := range entries {
		if e.Actor != partner.ID || !slices.Equal(e.Orgs, partner.Orgs) {
			t.Errorf("audit entry %d of %s by %q for %q, not %q for %q", e.ID, e.RecordID, e.Actor, e.Orgs, partner.ID, partner.Orgs)
		}
	}

	// An organisation's history: the writes made on its behalf, and no
	// others; an organisation with none has an empty one.
	history := must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), db.AuditFilter{Organization: "Association:3"}, db.Page{Limit: 100}))
	if history.Total != len(entries) {
		t.Errorf("Association:3's history holds %d entries, want its %d", history.Total, len(entries))
	}
	for _, e := range history.Items {
		if !slices.Contains(e.Orgs, "Association:3") {
			t.Errorf("Association:3's history holds entry %d for %q", e.ID, e.Orgs)
		}
	}
	for what, f := range map[string]db.AuditFilter{
		"Employer:1's history":                     {Organization: "Employer:1"},
		"Association:3's history by another actor": {Organization: "Association:3", Actor: "key:nobody"},
	} {
		if l := must[db.List[*db.AuditEntry]](t)(s.AuditLog(ctx(t), f, db.Page{Limit: 100})); l.Total != 0 || len(l.Items) != 0 {
			t.Errorf("%s: %d entries of %d, want none", what, len(l.Items), l.Total)
		}
	}
	for _, bad := range []string{"Area:1", "Association:03", "nonsense"} {
		_, err := s.AuditLog(ctx(t), db.AuditFilter{Organization: bad}, db.Page{Limit: 1})
		wantCode(t, "the history of "+bad, err, db.EINVALID)
	}
}

func testWriteScopedKeys(t *testing.T, s db.Store) {
	loaded(t, s)
	k := must[*db.APIKey](t)(s.CreateKey(ctx(t), testActor, &db.APIKey{ID: "kgamma", Name: "Norrby partner portal",
		Role: db.RoleEditor, Hash: KeyHash("kgamma"), Orgs: []string{"Employer:1", "Association:3", "Employer:1"}}))
	want := []string{"Association:3", "Employer:1"}
	wantEqual(t, "a key's organisations, normalised", k.Orgs, want)
	wantEqual(t, "by hash", must[*db.APIKey](t)(s.KeyByHash(ctx(t), KeyHash("kgamma"))).Orgs, want)
	wantEqual(t, "listed", must[[]*db.APIKey](t)(s.Keys(ctx(t), testActor))[0].Orgs, want)
	wantAudit(t, "create", auditAfter(t, s, 0), testActor, created(k))
	plain := must[*db.APIKey](t)(s.CreateKey(ctx(t), testActor, &db.APIKey{ID: "kplain", Name: "Planner",
		Role: db.RoleEditor, Hash: KeyHash("kplain")}))
	if plain.Orgs != nil {
		t.Errorf("a key without organisations has %q", plain.Orgs)
	}

	before := stateOf(t, s)
	bad := []struct {
		name string
		key  *db.APIKey
		code string
		part string
	}{
		{"an admin bound to organisations", &db.APIKey{Role: db.RoleAdmin, Orgs: []string{"Association:3"}}, db.EINVALID, "only an EDITOR key"},
		{"a reader bound to organisations", &db.APIKey{Role: db.RoleReader, Orgs: []string{"Association:3"}}, db.EINVALID, "only an EDITOR key"},
		{"an area", &db.APIKey{Role: db.RoleEditor, Orgs: []string{"Area:1"}}, db.EINVALID, `"Area:1" is not an organisation`},
		{"a malformed id", &db.APIKey{Role: db.RoleEditor, Orgs: []string{"Association:03"}}, db.EINVALID, "malformed id"},
		{"an id of the other kind", &db.APIKey{Role: db.RoleEditor, Orgs: []string{"Employer:3"}}, db.EINVALID, "organization 3 does not exist"},
		{"a missing organisation", &db.APIKey{Role: db.RoleEditor, Orgs: []string{"Association:3", "Association:99"}}, db.EINVALID, "organization 99 does not exist"},
	}
	for i, b := range bad {
		b.key.ID, b.key.Name, b.key.Hash = "kbad"+string(rune('a'+i)), "Bad", KeyHash("bad"+b.name)
		_, err := s.CreateKey(ctx(t), testActor, b.key)
		wantRefused(t, b.name, err, b.code, b.part)
	}
	wantNoChange(t, "refused keys", s, before)
}
