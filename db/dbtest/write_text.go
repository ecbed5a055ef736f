package dbtest

import (
	"testing"

	"github.com/areagraph/areagraph/db"
)

// testWriteRefusesBadText: a NUL character or bytes that are not UTF-8 in
// any text of a record are refused, naming the field, by every backend
// (PostgreSQL's text cannot hold a NUL, and the embedded store once kept
// what PostGIS refused), on create, update and load alike.
func testWriteRefusesBadText(t *testing.T, s db.Store) {
	loaded(t, s)
	before := stateOf(t, s)
	bad := map[string]string{"a NUL character": "Nor\x00rby", "bytes that are not UTF-8": "Nor\xffrby"}
	for what, v := range bad {
		areas := map[string]func(a *db.Area){
			"code":        func(a *db.Area) { a.Code = v },
			"name":        func(a *db.Area) { a.Name = v },
			"description": func(a *db.Area) { a.Description = v },
		}
		for field, change := range areas {
			a := newPriorityArea()
			change(a)
			_, err := s.CreateArea(ctx(t), testActor, a)
			wantRefused(t, "area "+field+" with "+what, err, db.EINVALID, field)
			a.ID, a.Version, a.Code = 6, 1, "9999S0001"
			change(a)
			_, err = s.UpdateArea(ctx(t), testActor, a.ID, a.Version, a.Patch())
			wantRefused(t, "update of area "+field+" with "+what, err, db.EINVALID, field)
		}
		orgs := map[string]func(o *db.Organization){
			"name":                func(o *db.Organization) { o.Name = v },
			"organization number": func(o *db.Organization) { o.OrgNumber = v },
			"website":             func(o *db.Organization) { o.Website = v },
			"industry":            func(o *db.Organization) { o.Industry = v },
			"activity":            func(o *db.Organization) { o.Activity = v },
		}
		for field, change := range orgs {
			o := newEmployer()
			change(o)
			_, err := s.CreateOrganization(ctx(t), testActor, o)
			wantRefused(t, "organization "+field+" with "+what, err, db.EINVALID, field)
			o.ID, o.Version = 2, 1
			_, err = s.UpdateOrganization(ctx(t), testActor, o.Kind, o.ID, o.Version, o.Patch())
			wantRefused(t, "update of organization "+field+" with "+what, err, db.EINVALID, field)
		}
		initiatives := map[string]func(in *db.Initiative){
			"title":       func(in *db.Initiative) { in.Title = v },
			"description": func(in *db.Initiative) { in.Description = v },
		}
		for field, change := range initiatives {
			in := newInitiative()
			change(in)
			_, err := s.CreateInitiative(ctx(t), testActor, in)
			wantRefused(t, "initiative "+field+" with "+what, err, db.EINVALID, field)
		}
		indicators := map[string]func(ind *db.Indicator){
			"name":         func(ind *db.Indicator) { ind.Name = v },
			"Swedish name": func(ind *db.Indicator) { ind.NameSv = v },
			"description":  func(ind *db.Indicator) { ind.Description = v },
			"unit":         func(ind *db.Indicator) { ind.Unit = v },
			"source":       func(ind *db.Indicator) { ind.Source = v },
			"license":      func(ind *db.Indicator) { ind.License = v },
			"attribution":  func(ind *db.Indicator) { ind.Attribution = v },
		}
		for field, change := range indicators {
			ind := newIndicator()
			change(ind)
			_, err := s.CreateIndicator(ctx(t), testActor, ind)
			wantRefused(t, "indicator "+field+" with "+what, err, db.EINVALID, field)
		}
		_, err := s.CreateKey(ctx(t), testActor, &db.APIKey{ID: "kn", Name: v, Role: db.RoleEditor, Hash: KeyHash("kn.secret")})
		wantRefused(t, "key name with "+what, err, db.EINVALID, "name")
	}
	wantNoChange(t, "refused writes of bad text", s, before)
}

// testLoadRefusesBadText: a dataset is checked for the same text as a
// write, and refused whole.
func testLoadRefusesBadText(t *testing.T, s db.Store) {
	cases := map[string]func(ds *db.Dataset){
		"NUL in an area name":                func(ds *db.Dataset) { ds.Areas[3].Name = "Nor\x00rby" },
		"NUL in an organization's website":   func(ds *db.Dataset) { ds.Organizations[0].Website = "https://a\x00b" },
		"NUL in an initiative's description": func(ds *db.Dataset) { ds.Initiatives[0].Description = "\x00" },
		"NUL in an indicator's unit":         func(ds *db.Dataset) { ds.Indicators[0].Unit = "%\x00" },
		"an area code not UTF-8":             func(ds *db.Dataset) { ds.Areas[3].Code = "\xff" },
	}
	for name, change := range cases {
		ds := Fixture()
		change(ds)
		wantRefused(t, name, s.Load(ctx(t), ds), db.EINVALID)
		wantEmpty(t, s)
	}
}
