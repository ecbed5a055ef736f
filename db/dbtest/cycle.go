package dbtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// The area hierarchy never holds a cycle, whichever path writes it: the
// bulk paths (Load, UpsertAreas) refuse one as UpdateArea does, naming the
// first area of their input that lies on it.

// cyclicArea is a district of a test dataset with the given parent.
func cyclicArea(id, parent int64) *db.Area {
	x := 12 + float64(id)/64
	return &db.Area{ID: id, Code: fmt.Sprintf("C%d", id), Name: "Cyclic", Kind: db.KindDistrict, ParentID: parent,
		Geometry: orb.Polygon{box(x, 57, x+1.0/64, 57.5)}}
}

// wantMessage checks that err has the code and exactly the message of want.
func wantMessage(t *testing.T, what string, err error, code string, want error) {
	t.Helper()
	wantRefused(t, what, err, code)
	if got, w := db.ErrorMessage(err), db.ErrorMessage(want); got != w {
		t.Errorf("%s: message %q, want %q", what, got, w)
	}
}

func testLoadRejectsCycles(t *testing.T, s db.Store) {
	// A 2-cycle among otherwise good areas; the whole dataset, the
	// fixture with it, is refused.
	ds := Fixture()
	ds.Areas = append(ds.Areas, cyclicArea(10, 1), cyclicArea(11, 12), cyclicArea(12, 11))
	wantMessage(t, "a 2-cycle", s.Load(ctx(t), ds), db.EINVALID, db.LoadParentCycleError(11, []int64{11, 12}))
	wantEmpty(t, s)

	// A 3-cycle, reached first from an area that only leads into it: the
	// area named is the first of the dataset that lies on it.
	ds = Fixture()
	ds.Areas = append(ds.Areas, cyclicArea(20, 22), cyclicArea(23, 21), cyclicArea(21, 22), cyclicArea(22, 23))
	wantMessage(t, "a 3-cycle", s.Load(ctx(t), ds), db.EINVALID, db.LoadParentCycleError(23, []int64{23, 21, 22}))
	wantEmpty(t, s)

	// Two cycles: the first area on either is named, although a walk
	// from the dataset's first area finds the other one first.
	ds = &db.Dataset{Areas: []*db.Area{cyclicArea(30, 34), cyclicArea(31, 32), cyclicArea(32, 31),
		cyclicArea(34, 35), cyclicArea(35, 34)}}
	wantMessage(t, "two cycles", s.Load(ctx(t), ds), db.EINVALID, db.LoadParentCycleError(31, []int64{31, 32}))
	wantEmpty(t, s)

	// A missing parent is found before a cycle.
	ds = &db.Dataset{Areas: []*db.Area{cyclicArea(40, 41), cyclicArea(41, 40), cyclicArea(42, 99)}}
	wantRefused(t, "a cycle and a missing parent", s.Load(ctx(t), ds), db.EINVALID, "99", "does not exist")
	wantEmpty(t, s)

	// Areas loaded under stored ones, and deep chains within a dataset,
	// are no cycle.
	loaded(t, s)
	ds = &db.Dataset{Areas: []*db.Area{cyclicArea(53, 52), cyclicArea(52, 51), cyclicArea(51, 50), cyclicArea(50, 4)}}
	if err := s.Load(ctx(t), ds); err != nil {
		t.Fatalf("load of a chain under a stored area: %v", err)
	}
	if got := areaByID(t, s, 53).ParentID; got != 52 {
		t.Errorf("parent of area 53: got %d, want 52", got)
	}
}

// fixtureArea is the fixture's area with code as an import gives it, with
// another parent.
func fixtureArea(code, parent string) *db.AreaInput {
	for _, a := range Fixture().Areas {
		if a.Code == code {
			return &db.AreaInput{Code: a.Code, Name: a.Name, Kind: a.Kind, AreaType: a.AreaType, ParentCode: parent,
				Geometry: a.Geometry, ValidFrom: a.ValidFrom, ValidTo: a.ValidTo, Description: a.Description}
		}
	}
	panic("no fixture area " + code)
}

func testUpsertAreasRejectsCycles(t *testing.T, s db.Store) {
	loaded(t, s)
	before := stateOf(t, s)
	newArea := func(code, parent string) *db.AreaInput {
		return areaIn(code, "New", db.KindStatisticalArea, parent, orb.Polygon{box(12, 57, 12.1, 57.1)})
	}
	cases := []struct {
		name  string
		items []*db.AreaInput
		want  error
	}{
		{"a 2-cycle within the import",
			[]*db.AreaInput{newArea("N1", "9999"), newArea("X1", "X2"), newArea("X2", "X1")},
			db.ParentCycleItemError(2, "X1", []string{"X1", "X2"})},
		{"a 3-cycle within the import, reached from an area leading into it",
			[]*db.AreaInput{newArea("L", "C2"), newArea("C3", "C1"), newArea("C1", "C2"), newArea("C2", "C3")},
			db.ParentCycleItemError(2, "C3", []string{"C3", "C1", "C2"})},
		{"two cycles: the first item on either",
			[]*db.AreaInput{newArea("L", "P1"), newArea("Q1", "Q2"), newArea("Q2", "Q1"), newArea("P1", "P2"),
				newArea("P2", "P1")},
			db.ParentCycleItemError(2, "Q1", []string{"Q1", "Q2"})},
		// Stored: 1 "9999" ← 2 "9999-D1" ← 4 "9999-P1", 6 "9999S0001";
		// 1 ← 3 "9999-D2" ← 5 "9999-P2".
		{"a district under its own priority area",
			[]*db.AreaInput{newArea("N1", "9999"), fixtureArea("9999-D1", "9999-P1")},
			db.ParentCycleItemError(2, "9999-D1", []string{"9999-D1", "9999-P1"})},
		{"the root under a grandchild",
			[]*db.AreaInput{fixtureArea("9999", "9999S0001")},
			db.ParentCycleItemError(1, "9999", []string{"9999", "9999S0001", "9999-D1"})},
		{"through a new area and stored ones",
			[]*db.AreaInput{newArea("N1", "9999-P2"), fixtureArea("9999-D2", "N1")},
			db.ParentCycleItemError(1, "N1", []string{"N1", "9999-P2", "9999-D2"})},
		{"two stored areas under each other",
			[]*db.AreaInput{fixtureArea("9999-D2", "9999-P1"), fixtureArea("9999-D1", "9999-P2")},
			db.ParentCycleItemError(1, "9999-D2", []string{"9999-D2", "9999-P1", "9999-D1", "9999-P2"})},
	}
	for _, c := range cases {
		_, err := s.UpsertAreas(ctx(t), testActor, seqOf(t, c.items...))
		wantMessage(t, c.name, err, db.EINVALID, c.want)
		wantItemError(t, c.name, err, itemOf(c.want))
		wantNoChange(t, c.name, s, before)
	}

	// A cycle is a reference problem: items on their own, repeated codes
	// and unknown parents are found before it.
	cyc := []*db.AreaInput{newArea("X1", "X2"), newArea("X2", "X1")}
	_, err := s.UpsertAreas(ctx(t), testActor, seqOf(t, append(cyc, newArea("N1", "NOWHERE"))...))
	wantItemError(t, "a cycle and an unknown parent", err, 3, `parent "NOWHERE" does not exist`)
	_, err = s.UpsertAreas(ctx(t), testActor, seqOf(t, append(cyc, newArea("X1", "9999"))...))
	wantItemError(t, "a cycle and a repeated code", err, 3, "appears twice")
	_, err = s.UpsertAreas(ctx(t), testActor, seqOf(t, append(cyc, areaIn("BAD", "Bad", "COUNTY", "", orb.Polygon{box(12, 57, 13, 58)}))...))
	wantItemError(t, "a cycle and a bad item", err, 3, `unknown kind "COUNTY"`)
	wantNoChange(t, "after the ordering checks", s, before)
}

// itemOf is the item an upsert error names.
func itemOf(err error) int {
	if ie, ok := err.(*db.ItemError); ok {
		return ie.Item
	}
	return 0
}

func testUpsertAreasReparents(t *testing.T, s db.Store) {
	loaded(t, s)
	// District A goes under its own priority area P, which the same
	// import moves to district B: under the stored parents that would be
	// a cycle, under the imported ones it is a chain. The check reads the
	// hierarchy as the import leaves it.
	n := must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf(t,
		fixtureArea("9999-D1", "9999-P1"), fixtureArea("9999-P1", "9999-D2"))))
	wantEqual(t, "counts", n, db.ImportCounts{Changed: 2})
	parents := func() map[int64]int64 {
		out := map[int64]int64{}
		for _, a := range must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 100})).Items {
			out[a.ID] = a.ParentID
		}
		return out
	}
	wantEqual(t, "parents after the re-parenting", parents(), map[int64]int64{1: 0, 2: 4, 3: 1, 4: 3, 5: 3, 6: 2})
	wantIDs(t, "areas at a point of statistical S", must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{12.1, 57.1}, nil, anyDay)), 6, 2, 1)
	wantList(t, "children of P", must[[]db.List[*db.Area]](t)(
		s.ChildAreas(ctx(t), []int64{4}, db.AreaFilter{}, db.Page{Limit: 10}))[0], 1, 2)

	// And back, in one import: the root keeps no parent.
	must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf(t, fixtureArea("9999-P1", "9999-D1"), fixtureArea("9999-D1", "9999"))))
	wantEqual(t, "parents after moving back", parents(), map[int64]int64{1: 0, 2: 1, 3: 1, 4: 2, 5: 3, 6: 2})
	if v := areaByID(t, s, 2).Version; v != 3 {
		t.Errorf("version of district A after two imports: got %d, want 3", v)
	}

	// A cycle refused after a valid import leaves that import in place.
	_, err := s.UpsertAreas(ctx(t), testActor, seqOf(t, fixtureArea("9999-D1", "9999S0001")))
	wantItemError(t, "district A under its statistical area", err, 1, `"9999-D1" → "9999S0001" → "9999-D1"`)
	wantEqual(t, "parents after the refused import", parents(), map[int64]int64{1: 0, 2: 1, 3: 1, 4: 2, 5: 3, 6: 2})
}

// testHierarchyConcurrently runs pairs of writes side by side that each
// leave the hierarchy a forest but together would close a cycle: district
// A under priority area Q (of district B), and district B under priority
// area P (of district A). One of each pair must win, and the other be
// refused as a cycle, whichever runs first.
func testHierarchyConcurrently(t *testing.T, s db.Store) {
	loaded(t, s)
	reset := func() {
		t.Helper()
		must[db.ImportCounts](t)(s.UpsertAreas(ctx(t), testActor, seqOf(t, fixtureArea("9999-D1", "9999"), fixtureArea("9999-D2", "9999"))))
	}
	// Each write is made ready just before its pair runs, so that an
	// update names the version the last reset left.
	upsert := func(code, parent string) func() func() error {
		return func() func() error {
			return func() error {
				_, err := s.UpsertAreas(context.Background(), testActor, seqOf(t, fixtureArea(code, parent)))
				return err
			}
		}
	}
	update := func(id, parent int64) func() func() error {
		return func() func() error {
			a := areaByID(t, s, id)
			a.ParentID = parent
			return func() error {
				_, err := s.UpdateArea(context.Background(), testActor, a.ID, a.Version, a.Patch())
				return err
			}
		}
	}
	pairs := []struct {
		name string
		a, b func() func() error
	}{
		{"two imports", upsert("9999-D1", "9999-P2"), upsert("9999-D2", "9999-P1")},
		{"an import and an update", upsert("9999-D1", "9999-P2"), update(3, 4)},
		{"an update and an import", update(2, 5), upsert("9999-D2", "9999-P1")},
		{"two updates", update(2, 5), update(3, 4)},
	}
	const rounds = 8
	for round := range rounds {
		for _, p := range pairs {
			runPair(t, fmt.Sprintf("%s, round %d", p.name, round), s, p.a(), p.b())
			reset()
		}
	}
}

// runPair runs a and b at once and checks that exactly one was refused,
// as a cycle, and that the hierarchy holds none.
func runPair(t *testing.T, what string, s db.Store, a, b func() error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	var errA, errB error
	wg.Go(func() { <-start; errA = a() })
	wg.Go(func() { <-start; errB = b() })
	close(start)
	wg.Wait()
	switch {
	case errA == nil && errB == nil:
		t.Errorf("%s: both writes succeeded, and together they make a cycle", what)
	case errA != nil && errB != nil:
		t.Errorf("%s: both writes were refused (%v; %v); one alone is fine", what, errA, errB)
	default:
		err := errA
		if err == nil {
			err = errB
		}
		// An import names the cycle, an update the parent it refuses.
		wantRefused(t, what, err, db.EINVALID)
		if msg := db.ErrorMessage(err); !strings.Contains(msg, "form a cycle") && !strings.Contains(msg, "lies within") {
			t.Errorf("%s: refused with %q, want a cycle error", what, msg)
		}
	}
	wantNoCycle(t, what, s)
}

// wantNoCycle checks that following parents from every area ends at a root.
func wantNoCycle(t *testing.T, what string, s db.Store) {
	t.Helper()
	parent := map[int64]int64{}
	for _, a := range must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 1000})).Items {
		parent[a.ID] = a.ParentID
	}
	for id := range parent {
		p := id
		for range len(parent) + 1 {
			if p = parent[p]; p == 0 {
				break
			}
		}
		if p != 0 {
			t.Errorf("%s: area %d lies on or below a cycle of parents", what, id)
		}
	}
}
