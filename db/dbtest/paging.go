package dbtest

import (
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// Keyset paging: a page starts after (or ends before) a record's place in
// the list's order, so a walk from page to page hands out every record
// present throughout exactly once, whatever is written between the pages.

func testKeysetPaging(t *testing.T, s db.Store) {
	loaded(t, s)
	areas := func(p db.Page) db.List[*db.Area] {
		t.Helper()
		return must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{}, p))
	}
	key := func(id int64) *db.Key { return &db.Key{ID: id} }
	cases := []struct {
		name  string
		p     db.Page
		start int
		want  []int64
	}{
		{"first page", db.Page{Limit: 2}, 0, []int64{1, 2}},
		{"after 2", db.Page{Limit: 2, After: key(2)}, 2, []int64{3, 4}},
		{"after 4, partial", db.Page{Limit: 4, After: key(4)}, 4, []int64{5, 6}},
		{"after the last", db.Page{Limit: 2, After: key(6)}, 6, nil},
		{"after a place past every id", db.Page{Limit: 2, After: key(1000)}, 6, nil},
		{"after a place before every id", db.Page{Limit: 2, After: key(0)}, 0, []int64{1, 2}},
		{"last two", db.Page{Limit: 2, FromEnd: true}, 4, []int64{5, 6}},
		{"last two before 5", db.Page{Limit: 2, Before: key(5), FromEnd: true}, 2, []int64{3, 4}},
		{"last two before 2", db.Page{Limit: 2, Before: key(2), FromEnd: true}, 0, []int64{1}},
		{"before the first", db.Page{Limit: 2, Before: key(1), FromEnd: true}, 0, nil},
		{"between 1 and 5", db.Page{Limit: 10, After: key(1), Before: key(5)}, 1, []int64{2, 3, 4}},
		{"between 1 and 5, first one", db.Page{Limit: 1, After: key(1), Before: key(5)}, 1, []int64{2}},
		{"between 1 and 5, last one", db.Page{Limit: 1, After: key(1), Before: key(5), FromEnd: true}, 3, []int64{4}},
		{"an empty range", db.Page{Limit: 3, After: key(4), Before: key(3)}, 4, nil},
		{"count only, after 2", db.Page{Limit: 0, After: key(2)}, 2, nil},
	}
	for _, c := range cases {
		got := areas(c.p)
		wantList(t, c.name, got, 6, c.want...)
		if got.Start != c.start {
			t.Errorf("%s: start %d, want %d", c.name, got.Start, c.start)
		}
	}

	// Nearest first, a place is the distance and the id. Two records at
	// the same distance are ordered by id, and a page may end between them.
	near := db.OrganizationFilter{Spatial: db.Spatial{Near: &db.Near{Point: orb.Point{12.5, 57.5}, RadiusMeters: 30000}}}
	all := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), near, db.Page{Limit: 10}))
	wantList(t, "near, whole", all, 2, 1, 3)
	first := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), near, db.Page{Limit: 1}))
	k := &db.Key{ID: first.Items[0].ID, Dist: first.Distances[0], Near: true}
	next := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), near, db.Page{Limit: 1, After: k}))
	wantList(t, "near, after the nearest", next, 2, 3)
	if next.Start != 1 {
		t.Errorf("near, after the nearest: start %d, want 1", next.Start)
	}
	k2 := &db.Key{ID: next.Items[0].ID, Dist: next.Distances[0], Near: true}
	back := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), near, db.Page{Limit: 5, Before: k2, FromEnd: true}))
	wantList(t, "near, before the second", back, 2, 1)
	// A place at the very distance of a record, with a smaller id, comes
	// before it; with a larger id, after it.
	tie := must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), near,
		db.Page{Limit: 5, After: &db.Key{ID: k2.ID - 1, Dist: k2.Dist, Near: true}}))
	wantList(t, "near, a place just before the second", tie, 2, 3)
	tie = must[db.List[*db.Organization]](t)(s.Organizations(ctx(t), near,
		db.Page{Limit: 5, After: &db.Key{ID: k2.ID + 1, Dist: k2.Dist, Near: true}}))
	wantList(t, "near, a place just after the second", tie, 2)

	// A key of the other order marks no place and is refused.
	_, err := s.Organizations(ctx(t), near, db.Page{Limit: 1, After: key(1)})
	wantCode(t, "an id key in a list nearest first", err, db.EINVALID)
	_, err = s.Areas(ctx(t), db.AreaFilter{}, db.Page{Limit: 1, After: k})
	wantCode(t, "a distance key in a list by id", err, db.EINVALID)
	_, err = s.InitiativesByArea(ctx(t), []int64{4}, db.InitiativeFilter{}, db.Page{Limit: 1, Before: k})
	wantCode(t, "a distance key in a batch by id", err, db.EINVALID)

	// Keys page each parent's list of a batch alike.
	lists := must[[]db.List[*db.Organization]](t)(s.OrganizationsByArea(ctx(t), []int64{4, 5}, db.OrganizationFilter{}, db.Page{Limit: 1, After: key(1)}))
	wantList(t, "by area, after 1, in 4", lists[0], 2, 3)
	wantList(t, "by area, after 1, in 5", lists[1], 1, 2)
	if lists[0].Start != 1 || lists[1].Start != 0 {
		t.Errorf("by area, after 1: starts %d and %d, want 1 and 0", lists[0].Start, lists[1].Start)
	}
}

// testKeysetPagingUnderWrites walks the initiatives two by two while
// records are deleted and created between the pages: each one present
// from the first page to the last is handed out exactly once.
func testKeysetPagingUnderWrites(t *testing.T, s db.Store) {
	loaded(t, s)
	for i := range 6 {
		must[*db.Initiative](t)(s.CreateInitiative(ctx(t), testActor, &db.Initiative{Title: "Walk " + string(rune('A'+i)),
			Status: db.StatusPlanned, GoalArea: db.GoalGoodStart}))
	}
	before := must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), db.InitiativeFilter{}, db.Page{Limit: 100}))
	seen := map[int64]int{}
	var after *db.Key
	deleted := map[int64]bool{}
	for step := 0; ; step++ {
		page := must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), db.InitiativeFilter{}, db.Page{Limit: 2, After: after}))
		for _, in := range page.Items {
			seen[in.ID]++
		}
		if len(page.Items) == 0 {
			break
		}
		after = &db.Key{ID: page.Items[len(page.Items)-1].ID}
		// Between pages: delete a record already handed out (which shifts
		// every offset after it), and add one.
		if step < 3 {
			victim := page.Items[0]
			if err := s.DeleteInitiative(ctx(t), testActor, victim.ID, victim.Version); err != nil {
				t.Fatal(err)
			}
			deleted[victim.ID] = true
			must[*db.Initiative](t)(s.CreateInitiative(ctx(t), testActor, &db.Initiative{Title: "Added",
				Status: db.StatusPlanned, GoalArea: db.GoalGoodStart}))
		}
		if step > 20 {
			t.Fatal("the walk does not end")
		}
	}
	for _, in := range before.Items {
		if n := seen[in.ID]; n != 1 {
			t.Errorf("initiative %d, present throughout or deleted after it was handed out, was handed out %d times", in.ID, n)
		}
	}
}
