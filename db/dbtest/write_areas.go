package dbtest

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// newPriorityArea is a valid area to create in district B (3): a square
// with a square hole, on coordinates exact in binary.
func newPriorityArea() *db.Area {
	return &db.Area{Code: "9999-P3", Name: "Priority R", Kind: db.KindPriorityArea, AreaType: 3, ParentID: 3,
		Geometry: orb.Polygon{box(13.5, 57.0625, 13.75, 57.1875),
			ring(13.5625, 57.09375, 13.5625, 57.15625, 13.6875, 57.15625, 13.6875, 57.09375)},
		ValidFrom: date(2024, 1, 1), ValidTo: date(2027, 12, 31), Description: "Created through the API."}
}

func testWriteAreaCreate(t *testing.T, s db.Store) {
	loaded(t, s)
	in := newPriorityArea()
	in.ID, in.Version = 99, 42 // ignored: the store numbers new records
	got := must[*db.Area](t)(s.CreateArea(ctx(t), testActor, in))
	if got.ID <= 6 {
		t.Fatalf("new area got id %d; new ids are above every id in use (6)", got.ID)
	}
	want := newPriorityArea()
	want.ID, want.Version = got.ID, 1
	wantEqual(t, "created area", got, want)

	// Read after write, through every read of areas and their indexes.
	wantEqual(t, "AreasByID", areaByID(t, s, got.ID), want)
	wantEqual(t, "AreaByCode", must[*db.Area](t)(s.AreaByCode(ctx(t), "9999-P3")), want)
	wantList(t, "priority areas", must[db.List[*db.Area]](t)(s.Areas(ctx(t),
		db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}}, everything)), 3, 4, 5, got.ID)
	wantIDs(t, "AreasAt inside the new area", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{13.53125, 57.125}, nil, anyDay)), got.ID, 3, 1)
	wantIDs(t, "AreasAt in its hole", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{13.625, 57.125}, nil, anyDay)), 3, 1)
	wantList(t, "children of district B", must[[]db.List[*db.Area]](t)(
		s.ChildAreas(ctx(t), []int64{3}, db.AreaFilter{}, everything))[0], 2, 5, got.ID)
	wantList(t, "areas in a box by its corner", must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{Spatial: db.Spatial{
		BBox: &orb.Bound{Min: orb.Point{13.7, 57.15}, Max: orb.Point{13.72, 57.16}}}}, everything)), 3, 1, 3, got.ID)
	near := must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea},
		Spatial: db.Spatial{Near: &db.Near{Point: orb.Point{13.53125, 57.125}, RadiusMeters: 1}}}, everything))
	wantList(t, "priority areas near a point inside it", near, 1, got.ID)

	wantAudit(t, "create", auditAfter(t, s, 0), testActor, created(areaByID(t, s, got.ID)))

	// What the store returned is the caller's: changing it, or the input,
	// changes nothing inside.
	got.Geometry.(orb.Polygon)[0][0] = orb.Point{0, 0}
	in.Geometry.(orb.Polygon)[0][1] = orb.Point{0, 0}
	wantEqual(t, "area after the caller changed its copies", areaByID(t, s, want.ID), want)

	// A MultiPolygon root area.
	multi := &db.Area{Code: "X1", Name: "Two islands", Kind: db.KindStatisticalArea,
		Geometry: orb.MultiPolygon{{box(15, 57, 15.5, 57.5)}, {box(16, 57, 16.5, 57.5)}}}
	m := must[*db.Area](t)(s.CreateArea(ctx(t), otherActor, multi))
	if m.ID == got.ID || m.ID <= 6 || m.Version != 1 {
		t.Errorf("second new area: id %d, version %d", m.ID, m.Version)
	}
	wantIDs(t, "AreasAt in the second part", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{16.25, 57.25}, nil, anyDay)), m.ID)
	if _, ok := areaByID(t, s, m.ID).Geometry.(orb.MultiPolygon); !ok {
		t.Errorf("multipolygon came back as %T", areaByID(t, s, m.ID).Geometry)
	}
}

// manyVertices is a closed ring of n positions along a rectangle's edge.
func manyVertices(n int) orb.Ring {
	r := make(orb.Ring, 0, n)
	for i := range n - 3 {
		r = append(r, orb.Point{13.1 + 0.1*float64(i)/float64(n), 57.1})
	}
	return append(r, orb.Point{13.2, 57.1}, orb.Point{13.2, 57.2}, orb.Point{13.1, 57.1})
}

func testWriteAreaRejects(t *testing.T, s db.Store) {
	loaded(t, s)
	before := stateOf(t, s)
	cases := []struct {
		name   string
		change func(a *db.Area)
		parts  []string
	}{
		{"unclosed ring", func(a *db.Area) { a.Geometry = orb.Polygon{box(13.1, 57.1, 13.2, 57.2)[:4]} },
			[]string{"ring 0", "not closed"}},
		{"a ring of three positions", func(a *db.Area) {
			a.Geometry = orb.Polygon{{{13.1, 57.1}, {13.2, 57.1}, {13.1, 57.1}}}
		}, []string{"ring 0", "at least 4"}},
		{"self-intersection", func(a *db.Area) {
			a.Geometry = orb.Polygon{ring(13.1, 57.1, 13.2, 57.2, 13.2, 57.1, 13.1, 57.2)}
		}, []string{"ring 0", "intersects itself"}},
		{"a hole that is not closed", func(a *db.Area) {
			a.Geometry = orb.Polygon{box(13.1, 57.1, 13.2, 57.2), ring(13.125, 57.125, 13.125, 57.15, 13.15, 57.15)[:3]}
		}, []string{"ring 1"}},
		{"a hole outside its shell", func(a *db.Area) {
			a.Geometry = orb.Polygon{box(13.1, 57.1, 13.2, 57.2), ring(13.5, 57.5, 13.5, 57.6, 13.6, 57.6, 13.6, 57.5)}
		}, []string{"ring 1", "outside"}},
		{"latitude out of range", func(a *db.Area) {
			a.Geometry = orb.Polygon{ring(13.1, 57.1, 13.2, 57.1, 13.2, 91, 13.1, 57.2)}
		}, []string{"position 2 of ring 0", "latitude 91", "out of range"}},
		{"projected coordinates", func(a *db.Area) {
			a.Geometry = orb.Polygon{box(377000, 6399000, 378000, 6400000)}
		}, []string{"position 0 of ring 0", "out of range"}},
		{"a bad part of a multipolygon", func(a *db.Area) {
			a.Geometry = orb.MultiPolygon{{box(13.1, 57.1, 13.2, 57.2)}, {box(13.3, 57.1, 13.4, 57.2)[:4]}}
		}, []string{"polygon 1, ring 0", "not closed"}},
		{"overlapping parts of a multipolygon", func(a *db.Area) {
			a.Geometry = orb.MultiPolygon{{box(13.1, 57.1, 13.3, 57.3)}, {box(13.2, 57.2, 13.4, 57.4)}}
		}, []string{"polygon"}},
		{"a point", func(a *db.Area) { a.Geometry = orb.Point{13.1, 57.1} }, []string{"Polygon or MultiPolygon", "Point"}},
		{"a line", func(a *db.Area) { a.Geometry = orb.LineString{{13.1, 57.1}, {13.2, 57.2}} },
			[]string{"Polygon or MultiPolygon", "LineString"}},
		{"a bare ring", func(a *db.Area) { a.Geometry = box(13.1, 57.1, 13.2, 57.2) }, []string{"Polygon or MultiPolygon"}},
		{"no geometry", func(a *db.Area) { a.Geometry = nil }, []string{"geometry is required"}},
		{"an empty polygon", func(a *db.Area) { a.Geometry = orb.Polygon{} }, []string{"empty"}},
		{"one vertex over the cap", func(a *db.Area) { a.Geometry = orb.Polygon{manyVertices(db.MaxAreaVertices + 1)} },
			[]string{strconv.Itoa(db.MaxAreaVertices + 1), strconv.Itoa(db.MaxAreaVertices)}},
		{"unknown kind", func(a *db.Area) { a.Kind = "COUNTY" }, []string{`unknown kind "COUNTY"`}},
		{"area type 6", func(a *db.Area) { a.AreaType = 6 }, []string{"area type 6"}},
		{"negative area type", func(a *db.Area) { a.AreaType = -1 }, nil},
		{"no code", func(a *db.Area) { a.Code = "" }, []string{"code and name are required"}},
		{"no name", func(a *db.Area) { a.Name = "" }, []string{"code and name are required"}},
		{"ends before it starts", func(a *db.Area) { a.ValidFrom, a.ValidTo = date(2020, 1, 1), date(2019, 12, 31) },
			[]string{"valid to must come after valid from"}},
		// ValidTo is exclusive: a period ending the day it starts is empty.
		{"ends the day it starts", func(a *db.Area) { a.ValidFrom, a.ValidTo = date(2020, 1, 1), date(2020, 1, 1) },
			[]string{"valid to must come after valid from"}},
		{"negative parent", func(a *db.Area) { a.ParentID = -3 }, nil},
	}
	for _, c := range cases {
		a := newPriorityArea()
		c.change(a)
		_, err := s.CreateArea(ctx(t), testActor, a)
		wantRefused(t, "create: "+c.name, err, db.EINVALID, c.parts...)

		// The same input as an update of area 6 at its version, and of an
		// area that does not exist: the input is checked first.
		a = newPriorityArea()
		a.ID, a.Version, a.Code = 6, 1, "9999S0001"
		c.change(a)
		_, err = s.UpdateArea(ctx(t), testActor, a.ID, a.Version, a.Patch())
		wantRefused(t, "update: "+c.name, err, db.EINVALID, c.parts...)
		a.ID = 99
		_, err = s.UpdateArea(ctx(t), testActor, a.ID, a.Version, a.Patch())
		wantRefused(t, "update of a missing area: "+c.name, err, db.EINVALID, c.parts...)
	}
	own := areaByID(t, s, 6)
	own.ParentID = 6
	_, err := s.UpdateArea(ctx(t), testActor, own.ID, own.Version, own.Patch())
	wantRefused(t, "an area as its own parent", err, db.EINVALID, "own parent")
	_, err = s.CreateArea(ctx(t), testActor, nil)
	wantRefused(t, "no area", err, db.EINVALID)
	wantNoChange(t, "invalid areas", s, before)
}

func testWriteAreaUpdate(t *testing.T, s db.Store) {
	loaded(t, s)
	old := areaByID(t, s, 6)
	// Statistical S moves from district A to district B, becomes a
	// priority area and gets a validity period.
	a := areaByID(t, s, 6)
	a.Name, a.Kind, a.AreaType, a.ParentID = "Statistical S, moved", db.KindPriorityArea, 4, 3
	a.Geometry = orb.Polygon{box(13.5, 57, 14, 57.25)}
	a.ValidFrom = date(2025, 1, 1)
	got := must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, a.ID, a.Version, a.Patch()))
	want := *a
	want.Version = 2
	wantEqual(t, "updated area", got, &want)
	wantEqual(t, "read back", areaByID(t, s, 6), &want)
	wantIDs(t, "at the old place", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{12.1, 57.1}, nil, anyDay)), 2, 1)
	wantIDs(t, "at the new place", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{13.6, 57.1}, nil, anyDay)), 6, 3, 1)
	kids := must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{2, 3}, db.AreaFilter{}, everything))
	wantList(t, "children of A", kids[0], 1, 4)
	wantList(t, "children of B", kids[1], 2, 5, 6)
	wantList(t, "priority areas", must[db.List[*db.Area]](t)(s.Areas(ctx(t),
		db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}}, everything)), 3, 4, 5, 6)
	wantList(t, "areas in a box at the old place", must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{Spatial: db.Spatial{
		BBox: &orb.Bound{Min: orb.Point{12.1, 57.1}, Max: orb.Point{12.2, 57.2}}}}, everything)), 2, 1, 2)
	wantAudit(t, "update", auditAfter(t, s, 0), testActor, updated(old, areaByID(t, s, 6)))

	// A new code: the old one is free, the new one found; the area
	// becomes a root.
	mark := lastAuditID(t, s)
	prev := areaByID(t, s, 6)
	a = areaByID(t, s, 6)
	a.Code, a.ParentID = "9999S0009", 0
	got = must[*db.Area](t)(s.UpdateArea(ctx(t), otherActor, a.ID, a.Version, a.Patch()))
	if got.Version != 3 || got.Code != "9999S0009" || got.ParentID != 0 {
		t.Errorf("after the second update: version %d, code %q, parent %d", got.Version, got.Code, got.ParentID)
	}
	if _, err := s.AreaByCode(ctx(t), "9999S0001"); db.ErrorCode(err) != db.ENOTFOUND {
		t.Errorf("AreaByCode of the old code: got %v, want NOT_FOUND", err)
	}
	wantEqual(t, "AreaByCode of the new code", must[*db.Area](t)(s.AreaByCode(ctx(t), "9999S0009")), got)
	wantList(t, "children of B after it left", must[[]db.List[*db.Area]](t)(
		s.ChildAreas(ctx(t), []int64{3}, db.AreaFilter{}, everything))[0], 1, 5)
	// The old code is free for another area.
	free := newPriorityArea()
	free.Code = "9999S0001"
	must[*db.Area](t)(s.CreateArea(ctx(t), testActor, free))
	wantAudit(t, "second update", auditAfter(t, s, mark)[:1], otherActor, updated(prev, got))

	// Every update is a write, even one that changes nothing else.
	same := must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, got.ID, got.Version, got.Patch()))
	if same.Version != 4 {
		t.Errorf("an update that changes nothing else: version %d, want 4", same.Version)
	}
}

func testWriteAreaChecksInOrder(t *testing.T, s db.Store) {
	loaded(t, s)
	before := stateOf(t, s)
	update := func(change func(a *db.Area)) error {
		a := areaByID(t, s, 6)
		change(a)
		_, err := s.UpdateArea(ctx(t), testActor, a.ID, a.Version, a.Patch())
		return err
	}
	create := func(change func(a *db.Area)) error {
		a := newPriorityArea()
		change(a)
		_, err := s.CreateArea(ctx(t), testActor, a)
		return err
	}

	// Uniqueness (step 4).
	wantRefused(t, "create with a code in use", create(func(a *db.Area) { a.Code = "9999-D1" }), db.ECONFLICT)
	wantRefused(t, "update to a code in use", update(func(a *db.Area) { a.Code = "9999-D1" }), db.ECONFLICT)

	// References (step 5).
	wantRefused(t, "create under a missing parent", create(func(a *db.Area) { a.ParentID = 99 }), db.EINVALID, "99", "does not exist")
	wantRefused(t, "update to a missing parent", update(func(a *db.Area) { a.ParentID = 99 }), db.EINVALID, "99", "does not exist")
	cycle := func(id, parent int64) {
		t.Helper()
		a := areaByID(t, s, id)
		a.ParentID = parent
		_, err := s.UpdateArea(ctx(t), testActor, a.ID, a.Version, a.Patch())
		wantRefused(t, fmt.Sprintf("area %d under %d", id, parent), err, db.EINVALID)
		if got, want := db.ErrorMessage(err), db.ErrorMessage(db.ParentCycleError(id, parent)); got != want {
			t.Errorf("area %d under %d: message %q, want %q", id, parent, got, want)
		}
	}
	cycle(2, 4) // 4 is 2's child
	cycle(1, 4) // 4 is 1's grandchild
	cycle(1, 6)

	// Between the steps: the input, then the target, then its version,
	// then uniqueness, then references.
	missing := func(a *db.Area) { a.ID = 99 }
	stale := func(a *db.Area) { a.Version = 5 }
	codeTaken := func(a *db.Area) { a.Code = "9999-D1" }
	noParent := func(a *db.Area) { a.ParentID = 98 }
	badGeometry := func(a *db.Area) { a.Geometry = orb.Point{13, 57} }
	all := func(fs ...func(a *db.Area)) func(a *db.Area) {
		return func(a *db.Area) {
			for _, f := range fs {
				f(a)
			}
		}
	}
	wantRefused(t, "bad input of a missing, stale area", update(all(missing, stale, badGeometry)), db.EINVALID)
	wantRefused(t, "a missing area with a stale version, a code in use and a missing parent",
		update(all(missing, stale, codeTaken, noParent)), db.ENOTFOUND, "99")
	err := update(all(stale, codeTaken, noParent))
	wantRefused(t, "a stale version with a code in use and a missing parent", err, db.ECONFLICT, "has version 1, not 5")
	err = update(all(codeTaken, noParent))
	wantRefused(t, "a code in use and a missing parent", err, db.ECONFLICT)
	err = create(all(codeTaken, noParent))
	wantRefused(t, "create: a code in use and a missing parent", err, db.ECONFLICT)
	err = update(all(stale, func(a *db.Area) { a.ParentID = 4 }))
	wantRefused(t, "a stale version and a cycle", err, db.ECONFLICT, "has version 1, not 5")
	wantRefused(t, "delete of a missing area", s.DeleteArea(ctx(t), testActor, 99, 1, false), db.ENOTFOUND, "99")
	wantRefused(t, "delete of a missing area, stale", s.DeleteArea(ctx(t), testActor, 99, 7, true), db.ENOTFOUND, "99")
	wantNoChange(t, "refused area writes", s, before)
}

func testWriteAreaDelete(t *testing.T, s db.Store) {
	loaded(t, s)
	old := areaByID(t, s, 6)
	if err := s.DeleteArea(ctx(t), testActor, 6, 1, false); err != nil {
		t.Fatalf("DeleteArea(6): %v", err)
	}
	// Gone from every read.
	if areaByID(t, s, 6) != nil {
		t.Error("AreasByID still finds area 6")
	}
	if _, err := s.AreaByCode(ctx(t), "9999S0001"); db.ErrorCode(err) != db.ENOTFOUND {
		t.Errorf("AreaByCode of a deleted area: got %v, want NOT_FOUND", err)
	}
	wantList(t, "areas", must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, everything)), 5, 1, 2, 3, 4, 5)
	wantList(t, "statistical areas", must[db.List[*db.Area]](t)(s.Areas(ctx(t),
		db.AreaFilter{Kinds: []db.AreaKind{db.KindStatisticalArea}}, everything)), 0)
	wantIDs(t, "AreasAt where it was", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{12.1, 57.1}, nil, anyDay)), 2, 1)
	wantList(t, "children of A", must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{2}, db.AreaFilter{}, everything))[0], 1, 4)
	wantList(t, "areas in a box where it was", must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{Spatial: db.Spatial{
		BBox: &orb.Bound{Min: orb.Point{12.1, 57.1}, Max: orb.Point{12.2, 57.2}}}}, everything)), 2, 1, 2)
	wantAudit(t, "delete", auditAfter(t, s, 0), testActor, deleted(old))

	wantRefused(t, "delete again", s.DeleteArea(ctx(t), testActor, 6, 1, false), db.ENOTFOUND)
	wantRefused(t, "update of a deleted area", func() error { _, err := s.UpdateArea(ctx(t), testActor, old.ID, old.Version, old.Patch()); return err }(),
		db.ENOTFOUND)

	// Detach on an area that nothing points at deletes it alone.
	mark := lastAuditID(t, s)
	a := must[*db.Area](t)(s.CreateArea(ctx(t), testActor, newPriorityArea()))
	if err := s.DeleteArea(ctx(t), otherActor, a.ID, 1, true); err != nil {
		t.Fatalf("DeleteArea with detach and nothing to detach: %v", err)
	}
	wantAudit(t, "delete with nothing to detach", auditAfter(t, s, mark)[1:], otherActor, deleted(a))
	wantIDs(t, "AreasAt where it was", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{13.53125, 57.125}, nil, anyDay)), 3, 1)
	// Its code is free again.
	must[*db.Area](t)(s.CreateArea(ctx(t), testActor, newPriorityArea()))
}

func testWriteAreaDeleteDetach(t *testing.T, s db.Store) {
	loaded(t, s)
	a2, a4, a6 := areaByID(t, s, 2), areaByID(t, s, 4), areaByID(t, s, 6)
	o1, i4 := orgByID(t, s, 1), initByID(t, s, 4)
	if err := s.DeleteArea(ctx(t), testActor, 2, 1, true); err != nil {
		t.Fatalf("DeleteArea(2, detach): %v", err)
	}
	// Its children are roots, each with a new version.
	want4, want6 := *a4, *a6
	want4.ParentID, want4.Version = 0, 2
	want6.ParentID, want6.Version = 0, 2
	wantEqual(t, "area 4 after its parent went", areaByID(t, s, 4), &want4)
	wantEqual(t, "area 6 after its parent went", areaByID(t, s, 6), &want6)
	wantList(t, "children of 1", must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{1, 2}, db.AreaFilter{}, everything))[0], 1, 3)
	wantList(t, "areas under 2", must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{ParentIDs: []int64{2}}, everything)), 0)
	wantIDs(t, "AreasAt in what was district A", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{12.9, 57.9}, nil, anyDay)), 1)
	// Organisation 1 and initiative 4 left it.
	want1 := *o1
	want1.AreaIDs, want1.Version = []int64{4}, 2
	wantEqual(t, "organization 1", orgByID(t, s, 1), &want1)
	wantI4 := *i4
	wantI4.AreaIDs, wantI4.Version = nil, 2
	wantEqual(t, "initiative 4", initByID(t, s, 4), &wantI4)
	wantList(t, "organizations in 2", must[[]db.List[*db.Organization]](t)(
		s.OrganizationsByArea(ctx(t), []int64{2}, db.OrganizationFilter{}, everything))[0], 0)
	wantList(t, "organizations filtered by 2", must[db.List[*db.Organization]](t)(
		s.Organizations(ctx(t), db.OrganizationFilter{AreaIDs: []int64{2}}, everything)), 0)
	wantList(t, "initiatives in 2", must[[]db.List[*db.Initiative]](t)(
		s.InitiativesByArea(ctx(t), []int64{2}, db.InitiativeFilter{}, everything))[0], 0)
	wantList(t, "initiatives filtered by 2", must[db.List[*db.Initiative]](t)(
		s.Initiatives(ctx(t), db.InitiativeFilter{AreaIDs: []int64{2}}, everything)), 0)
	wantEqual(t, "coverage of 2", coverageOf(t, s, 2), []db.CoverageCell{})
	wantAudit(t, "detach of area 2", auditAfter(t, s, 0), testActor,
		deleted(a2), updated(a4, &want4), updated(a6, &want6), updated(o1, &want1), updated(i4, &wantI4))

	// Area 4 has organisations, initiatives and values.
	mark := lastAuditID(t, s)
	a4 = areaByID(t, s, 4)
	o1, o3 := orgByID(t, s, 1), orgByID(t, s, 3)
	i1, i2 := initByID(t, s, 1), initByID(t, s, 2)
	vals := valuesOf(t, s, db.ValueFilter{AreaIDs: []int64{4}})
	if len(vals) != 4 {
		t.Fatalf("area 4 has %d values, want 4", len(vals))
	}
	wantRefused(t, "delete of 4 at its old version", s.DeleteArea(ctx(t), testActor, 4, 1, true), db.ECONFLICT)
	if err := s.DeleteArea(ctx(t), otherActor, 4, 2, true); err != nil {
		t.Fatalf("DeleteArea(4, detach): %v", err)
	}
	o1After, o3After, i1After, i2After := *o1, *o3, *i1, *i2
	o1After.AreaIDs, o1After.Version = nil, 3
	o3After.AreaIDs, o3After.Version = nil, 2
	i1After.AreaIDs, i1After.Version = nil, 2
	i2After.AreaIDs, i2After.Version = []int64{5}, 2
	wantEqual(t, "organization 1", orgByID(t, s, 1), &o1After)
	wantEqual(t, "organization 3", orgByID(t, s, 3), &o3After)
	wantEqual(t, "initiative 1", initByID(t, s, 1), &i1After)
	wantEqual(t, "initiative 2", initByID(t, s, 2), &i2After)
	wantEqual(t, "values of 4", valuesOf(t, s, db.ValueFilter{AreaIDs: []int64{4}}), []db.IndicatorValue(nil))
	if n := len(valuesOf(t, s, db.ValueFilter{})); n != 4 {
		t.Errorf("%d values left, want 4", n)
	}
	wantEqual(t, "coverage of 4 and 5", coverageOf(t, s, 4, 5), []db.CoverageCell{
		cell(5, db.FocusBornOutsideEurope, "", 1, 3, 45),
		cell(5, db.FocusDisability, "", 1, 1, 0),
		cell(5, db.FocusNoUpperSecondary, "", 1, 3, 45),
	})
	// The organisations still lead and join what they did.
	wantList(t, "initiatives of 1", must[[]db.List[*db.Initiative]](t)(
		s.InitiativesByOrganization(ctx(t), []int64{1}, db.InitiativeFilter{}, everything))[0], 2, 1, 2)
	wantIDs(t, "AreasAt in what was area 4", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{12.3, 57.3}, nil, anyDay)), 6, 1)
	wantAudit(t, "detach of area 4", auditAfter(t, s, mark), otherActor,
		deleted(a4), updated(o1, &o1After), updated(o3, &o3After), updated(i1, &i1After), updated(i2, &i2After),
		deleted(vals[0]), deleted(vals[1]), deleted(vals[2]), deleted(vals[3]))

	// The values' keys: area, indicator, year, then TOTAL, FEMALE, MALE.
	var keys []string
	for _, e := range auditAfter(t, s, mark)[5:] {
		keys = append(keys, e.RecordID)
	}
	wantEqual(t, "the values' audit entries, in key order", keys, []string{
		"IndicatorValue:4:unemployment:2020:TOTAL", "IndicatorValue:4:unemployment:2021:TOTAL",
		"IndicatorValue:4:unemployment:2021:FEMALE", "IndicatorValue:4:unemployment:2021:MALE",
	})
}

// testWriteDeleteDependents pins the refusal of a delete without detach:
// what points at the record, counted by kind, and nothing changed.
func testWriteDeleteDependents(t *testing.T, s db.Store) {
	loaded(t, s)
	before := stateOf(t, s)
	const detach = "detach"
	cases := []struct {
		name   string
		delete func() error
		counts string
	}{
		{"area 1", func() error { return s.DeleteArea(ctx(t), testActor, 1, 1, false) }, "2 child areas, 3 indicator values"},
		{"area 2", func() error { return s.DeleteArea(ctx(t), testActor, 2, 1, false) },
			"2 child areas, 1 initiative, 1 organization"},
		{"area 4", func() error { return s.DeleteArea(ctx(t), testActor, 4, 1, false) },
			"2 initiatives, 2 organizations, 4 indicator values"},
		{"area 5", func() error { return s.DeleteArea(ctx(t), testActor, 5, 1, false) },
			"2 initiatives, 1 organization, 1 indicator value"},
		{"employer 1", func() error { return s.DeleteOrganization(ctx(t), testActor, db.OrgEmployer, 1, 1, false) }, "2 initiatives"},
		{"association 4", func() error { return s.DeleteOrganization(ctx(t), testActor, db.OrgAssociation, 4, 1, false) }, "1 initiative"},
		{"indicator unemployment", func() error { return s.DeleteIndicator(ctx(t), testActor, "unemployment", 1, false) },
			"7 indicator values"},
		{"indicator population", func() error { return s.DeleteIndicator(ctx(t), testActor, "population", 1, false) },
			"1 indicator value"},
	}
	for _, c := range cases {
		wantRefused(t, c.name, c.delete(), db.ECONFLICT, c.counts, detach)
	}
	// Not found and a stale version come before the dependents.
	wantRefused(t, "stale area", s.DeleteArea(ctx(t), testActor, 4, 2, false), db.ECONFLICT, "has version 1, not 2")
	wantRefused(t, "stale organization", s.DeleteOrganization(ctx(t), testActor, db.OrgEmployer, 1, 0, false), db.ECONFLICT, "has version 1, not 0")
	wantRefused(t, "stale indicator", s.DeleteIndicator(ctx(t), testActor, "unemployment", 3, false), db.ECONFLICT, "has version 1, not 3")
	wantRefused(t, "missing organization", s.DeleteOrganization(ctx(t), testActor, db.OrgEmployer, 99, 1, false), db.ENOTFOUND)
	wantRefused(t, "missing indicator", s.DeleteIndicator(ctx(t), testActor, "happiness", 1, false), db.ENOTFOUND)
	wantRefused(t, "missing initiative", s.DeleteInitiative(ctx(t), testActor, 99, 1), db.ENOTFOUND)
	wantNoChange(t, "refused deletes", s, before)
}

// testWriteAreaPatch pins what an update's patch does: the fields it sets
// change, those it leaves out stay, zero values clear what an area can be
// without, and a patch that fails, on its own or with the fields it keeps,
// changes nothing.
func testWriteAreaPatch(t *testing.T, s db.Store) {
	loaded(t, s)
	old := areaByID(t, s, 6)
	got := must[*db.Area](t)(s.UpdateArea(ctx(t), otherActor, 6, 1, db.AreaPatch{
		Name: db.Set("Statistical S, renamed"), AreaType: db.Set(2), ValidFrom: db.Set(date(2025, 1, 1)),
		Description: db.Set("Renamed."),
	}))
	want := *old
	want.Name, want.AreaType, want.ValidFrom, want.Description, want.Version = "Statistical S, renamed", 2, date(2025, 1, 1), "Renamed.", 2
	wantEqual(t, "patched area", got, &want)
	wantEqual(t, "read back", areaByID(t, s, 6), &want)
	wantAudit(t, "patch", auditAfter(t, s, 0), otherActor, updated(old, &want))

	// Zero values clear; the parent, too, which makes the area a root.
	got = must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, 6, 2, db.AreaPatch{
		ParentID: db.Set[int64](0), AreaType: db.Set(0), ValidFrom: db.Set[*time.Time](nil), Description: db.Set(""),
	}))
	want.ParentID, want.AreaType, want.ValidFrom, want.Description, want.Version = 0, 0, nil, "", 3
	wantEqual(t, "cleared area", got, &want)
	wantList(t, "children of A", must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{2}, db.AreaFilter{}, everything))[0], 1, 4)

	// An empty patch is still a write.
	got = must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, 6, 3, db.AreaPatch{}))
	want.Version = 4
	wantEqual(t, "after an empty patch", got, &want)

	// Refused patches change nothing.
	must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, 6, 4, db.AreaPatch{ValidFrom: db.Set(date(2025, 1, 1))}))
	before := stateOf(t, s)
	_, err := s.UpdateArea(ctx(t), testActor, 6, 5, db.AreaPatch{ValidTo: db.Set(date(2024, 12, 31))})
	wantRefused(t, "a valid-to date before the stored valid-from date", err, db.EINVALID, "valid to must come after valid from")
	_, err = s.UpdateArea(ctx(t), testActor, 6, 5, db.AreaPatch{Name: db.Set(""), ParentID: db.Set[int64](98)})
	wantRefused(t, "a patch that fails on its own", err, db.EINVALID, "code and name are required")
	_, err = s.UpdateArea(ctx(t), testActor, 99, 5, db.AreaPatch{Geometry: db.Set[orb.Geometry](orb.Point{13, 57})})
	wantRefused(t, "a patch that fails on its own, of a missing area", err, db.EINVALID, "Polygon or MultiPolygon")
	_, err = s.UpdateArea(ctx(t), testActor, 99, 5, db.AreaPatch{Name: db.Set("Nowhere")})
	wantRefused(t, "a patch of a missing area", err, db.ENOTFOUND, "Area 99 does not exist")
	_, err = s.UpdateArea(ctx(t), testActor, 6, 4, db.AreaPatch{Name: db.Set("Lost")})
	wantRefused(t, "a patch of a stale version", err, db.ECONFLICT, "Area 6 has version 5, not 4")
	_, err = s.UpdateArea(ctx(t), testActor, 6, 5, db.AreaPatch{ParentID: db.Set[int64](6)})
	wantRefused(t, "a patch that makes an area its own parent", err, db.EINVALID, "own parent")
	_, err = s.UpdateArea(ctx(t), testActor, 6, 5, db.AreaPatch{Code: db.Set("9999-D1")})
	wantRefused(t, "a patch to a code in use", err, db.ECONFLICT, "9999-D1")
	wantNoChange(t, "refused patches", s, before)
	// A delete says the same of a missing or stale area as an update.
	wantRefused(t, "a delete of a missing area", s.DeleteArea(ctx(t), testActor, 99, 5, false), db.ENOTFOUND, "Area 99 does not exist")
	wantRefused(t, "a delete of a stale version", s.DeleteArea(ctx(t), testActor, 6, 4, false), db.ECONFLICT, "Area 6 has version 5, not 4")
}
