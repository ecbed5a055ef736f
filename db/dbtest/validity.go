package dbtest

import (
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// validityFixture is the fixture with editions in time beside it: a
// statistical area retired on 1 January 2025 (7) and its successor drawn
// on the same ground from that day (8), as Statistics Sweden's DeSO 2018
// and DeSO 2025 meet, and a priority area that starts in 2030 (9). The
// fixture's municipality is in use from 1971 and district B until (not
// including) 2030-12-31.
func validityFixture() *db.Dataset {
	ds := Fixture()
	ds.Areas = append(ds.Areas,
		&db.Area{ID: 7, Code: "9999S0002", Name: "Statistical T, 2018 edition", Kind: db.KindStatisticalArea, ParentID: 2,
			Geometry: orb.Polygon{box(12.5, 57, 13, 57.5)}, ValidFrom: date(2018, 1, 1), ValidTo: date(2025, 1, 1)},
		&db.Area{ID: 8, Code: "9999S0003", Name: "Statistical T, 2025 edition", Kind: db.KindStatisticalArea, ParentID: 2,
			Geometry: orb.Polygon{box(12.5, 57, 13, 57.5)}, ValidFrom: date(2025, 1, 1)},
		&db.Area{ID: 9, Code: "9999-P3", Name: "Priority R", Kind: db.KindPriorityArea, ParentID: 3, AreaType: 3,
			Geometry: orb.Polygon{box(13.5, 57, 13.75, 57.25)}, ValidFrom: date(2030, 1, 1)},
	)
	return ds
}

func day(y int, m time.Month, d int) time.Time { return *date(y, m, d) }

// testValidity pins db.Area.ValidOn (db/validity.go) in every read that
// takes a day: validFrom is the first day in use, validTo the first day
// no longer in use, a nil end is open, the zero time is every edition.
func testValidity(t *testing.T, s db.Store) {
	if err := s.Load(ctx(t), validityFixture()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	inT := orb.Point{12.875, 57.125} // in 7 and 8, district A, the municipality
	inB := orb.Point{13.125, 57.125} // in district B and the municipality
	inR := orb.Point{13.625, 57.125} // in 9 as well
	at := []struct {
		name string
		pt   orb.Point
		on   time.Time
		want []int64
	}{
		{"every edition", inT, anyDay, []int64{7, 8, 2, 1}},
		{"the day before the first edition", inT, day(2017, 12, 31), []int64{2, 1}},
		{"the first edition's first day", inT, day(2018, 1, 1), []int64{7, 2, 1}},
		{"the first edition's last day", inT, day(2024, 12, 31), []int64{7, 2, 1}},
		{"the day the editions change", inT, day(2025, 1, 1), []int64{8, 2, 1}},
		{"the open end, far ahead", inT, day(2200, 12, 31), []int64{8, 2, 1}},
		{"before the municipality", inT, day(1970, 12, 31), []int64{2}},
		{"the municipality's first day", inT, day(1971, 1, 1), []int64{2, 1}},
		{"the open start, far back", inT, day(1800, 1, 1), []int64{2}},
		{"district B's last day", inB, day(2030, 12, 30), []int64{3, 1}},
		{"district B's end day", inB, day(2030, 12, 31), []int64{1}},
		{"before priority R", inR, day(2029, 12, 31), []int64{3, 1}},
		{"priority R's first day", inR, day(2030, 1, 1), []int64{9, 3, 1}},
		{"nothing there, outside the municipality", orb.Point{11.5, 57.5}, day(2025, 1, 1), nil},
	}
	for _, c := range at {
		wantIDs(t, "AreasAt, "+c.name, must[[]*db.Area](t)(s.AreasAt(ctx(t), c.pt, nil, c.on)), c.want...)
	}
	wantIDs(t, "AreasAt, statistical areas on the day the editions change",
		must[[]*db.Area](t)(s.AreasAt(ctx(t), inT, []db.AreaKind{db.KindStatisticalArea}, day(2025, 1, 1))), 8)
	wantIDs(t, "AreasAt, statistical areas before any", // an empty answer, not an error
		must[[]*db.Area](t)(s.AreasAt(ctx(t), inT, []db.AreaKind{db.KindStatisticalArea}, day(2017, 1, 1))))

	stat := []db.AreaKind{db.KindStatisticalArea}
	list := []struct {
		name  string
		f     db.AreaFilter
		total int
		want  []int64
	}{
		{"statistical, every edition", db.AreaFilter{Kinds: stat}, 3, []int64{6, 7, 8}},
		{"statistical, 2024", db.AreaFilter{Kinds: stat, ValidOn: day(2024, 6, 30)}, 2, []int64{6, 7}},
		{"statistical, 2025", db.AreaFilter{Kinds: stat, ValidOn: day(2025, 6, 30)}, 2, []int64{6, 8}},
		{"a retired code", db.AreaFilter{Codes: []string{"9999S0002"}, ValidOn: day(2025, 1, 1)}, 0, nil},
		{"a retired code, on its last day", db.AreaFilter{Codes: []string{"9999S0002"}, ValidOn: day(2024, 12, 31)}, 1, []int64{7}},
		{"every kind, 1800: only what has no start", db.AreaFilter{ValidOn: day(1800, 1, 1)}, 4, []int64{2, 4, 5, 6}},
		{"municipalities, 1800", db.AreaFilter{Kinds: []db.AreaKind{db.KindMunicipality}, ValidOn: day(1800, 1, 1)}, 0, nil},
		{"in a box, 2025", db.AreaFilter{ValidOn: day(2025, 1, 1),
			Spatial: db.Spatial{BBox: &orb.Bound{Min: orb.Point{12.8, 57.1}, Max: orb.Point{12.9, 57.2}}}}, 3, []int64{1, 2, 8}},
		{"in a box, 2024", db.AreaFilter{ValidOn: day(2024, 1, 1),
			Spatial: db.Spatial{BBox: &orb.Bound{Min: orb.Point{12.8, 57.1}, Max: orb.Point{12.9, 57.2}}}}, 3, []int64{1, 2, 7}},
		{"intersecting, 2031", db.AreaFilter{ValidOn: day(2031, 1, 1),
			Spatial: db.Spatial{Intersects: orb.Polygon{box(13.55, 57.05, 13.6, 57.1)}}}, 2, []int64{1, 9}},
	}
	for _, c := range list {
		wantList(t, "Areas, "+c.name, must[db.List[*db.Area]](t)(s.Areas(ctx(t), c.f, db.Page{Limit: 10})), c.total, c.want...)
	}
	// Near keeps its order, nearest first, and drops what is not in use.
	near := db.Spatial{Near: &db.Near{Point: orb.Point{12.75, 57.25}, RadiusMeters: 1}}
	wantIDs(t, "Areas near, 2024", must[db.List[*db.Area]](t)(s.Areas(ctx(t),
		db.AreaFilter{Kinds: stat, ValidOn: day(2024, 1, 1), Spatial: near}, db.Page{Limit: 10})).Items, 7)
	wantIDs(t, "Areas near, 2025", must[db.List[*db.Area]](t)(s.Areas(ctx(t),
		db.AreaFilter{Kinds: stat, ValidOn: day(2025, 1, 1), Spatial: near}, db.Page{Limit: 10})).Items, 8)

	children := must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{2, 3}, db.AreaFilter{ValidOn: day(2025, 1, 1)}, db.Page{Limit: 10}))
	wantList(t, "children of A, 2025", children[0], 3, 4, 6, 8)
	wantList(t, "children of B, 2025", children[1], 1, 5)
	children = must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{2, 3}, db.AreaFilter{ValidOn: day(2030, 1, 1)}, db.Page{Limit: 10}))
	wantList(t, "children of B, 2030", children[1], 2, 5, 9)
	children = must[[]db.List[*db.Area]](t)(s.ChildAreas(ctx(t), []int64{2}, db.AreaFilter{Kinds: stat, ValidOn: day(2017, 1, 1)}, db.Page{Limit: 10}))
	wantList(t, "statistical children of A, 2017", children[0], 1, 6)

	// A retired area keeps its code: codes are unique across editions, so
	// a successor takes a code of its own.
	reuse := &db.Area{Code: "9999S0002", Name: "Statistical T again", Kind: db.KindStatisticalArea, ParentID: 2,
		Geometry: orb.Polygon{box(12.5, 57, 13, 57.5)}, ValidFrom: date(2025, 1, 1)}
	_, err := s.CreateArea(ctx(t), testActor, reuse)
	wantCode(t, "a new area with a retired area's code", err, db.ECONFLICT)
}

// testValidityOutOfRange pins the answer to a day out of range (year 0,
// 10000, a day before 1800 or after 2200): the same EINVALID error from
// every read and every backend, and no answer beside it.
func testValidityOutOfRange(t *testing.T, s db.Store) {
	loaded(t, s)
	for _, d := range []time.Time{day(0, 1, 1), day(10000, 1, 1), day(1799, 12, 31), day(2201, 1, 1), day(-5, 3, 1)} {
		got, err := s.AreasAt(ctx(t), orb.Point{12.1, 57.1}, nil, d)
		wantCode(t, "AreasAt on "+d.String(), err, db.EINVALID)
		if err != nil && !strings.Contains(db.ErrorMessage(err), "must be a date from 1800-01-01 to 2200-12-31") {
			t.Errorf("AreasAt on %s: message %q", d, db.ErrorMessage(err))
		}
		if got != nil {
			t.Errorf("AreasAt on %s: %d areas beside the error", d, len(got))
		}
		_, err = s.Areas(ctx(t), db.AreaFilter{ValidOn: d}, db.Page{Limit: 10})
		wantCode(t, "Areas on "+d.String(), err, db.EINVALID)
		_, err = s.ChildAreas(ctx(t), []int64{1}, db.AreaFilter{ValidOn: d}, db.Page{Limit: 10})
		wantCode(t, "ChildAreas on "+d.String(), err, db.EINVALID)
	}
	// The range's own ends answer.
	for _, d := range []time.Time{db.MinDay, db.MaxDay} {
		must[[]*db.Area](t)(s.AreasAt(ctx(t), orb.Point{12.1, 57.1}, nil, d))
		must[db.List[*db.Area]](t)(s.Areas(ctx(t), db.AreaFilter{ValidOn: d}, db.Page{Limit: 10}))
	}
}
