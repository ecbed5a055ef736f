package areaindex

import (
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

func box(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

func ids(as []*db.Area) []int64 {
	var out []int64
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// TestAt pins what both stores rely on: the boundary belongs to the area,
// the innermost kind comes first and ties go by id, kinds narrow, and a
// deleted area is gone.
func TestAt(t *testing.T) {
	muni := &db.Area{ID: 1, Kind: db.KindMunicipality, Geometry: box(0, 0, 10, 10)}
	stat := &db.Area{ID: 2, Kind: db.KindStatisticalArea, Geometry: box(0, 0, 5, 5)}
	prio := &db.Area{ID: 3, Kind: db.KindPriorityArea, Geometry: box(4, 4, 6, 6)}
	dist := &db.Area{ID: 5, Kind: db.KindDistrict, Geometry: box(0, 0, 5, 10)}
	dist2 := &db.Area{ID: 4, Kind: db.KindDistrict, Geometry: box(5, 0, 10, 10)}
	holed := &db.Area{ID: 6, Kind: db.KindStatisticalArea,
		Geometry: orb.Polygon{box(20, 0, 30, 10)[0], {{22, 2}, {22, 8}, {28, 8}, {28, 2}, {22, 2}}}}
	var x Index
	for _, a := range []*db.Area{dist, prio, muni, holed, stat, dist2} {
		x.Insert(a)
	}
	if x.Len() != 6 {
		t.Fatalf("Len %d, want 6", x.Len())
	}
	cases := []struct {
		pt    orb.Point
		kinds []db.AreaKind
		want  []int64
	}{
		{orb.Point{1, 1}, nil, []int64{2, 5, 1}},
		// On the shared edge of the two districts and the corner of the
		// statistical area: every one of them.
		{orb.Point{5, 5}, nil, []int64{2, 3, 4, 5, 1}},
		{orb.Point{5, 5}, []db.AreaKind{db.KindDistrict}, []int64{4, 5}},
		{orb.Point{10, 10}, nil, []int64{4, 1}},
		{orb.Point{25, 5}, nil, nil},        // in the hole
		{orb.Point{22, 5}, nil, []int64{6}}, // on the hole's edge
		{orb.Point{-1, 5}, nil, nil},
	}
	for _, c := range cases {
		if got := ids(x.At(c.pt, c.kinds, time.Time{})); !slices.Equal(got, c.want) {
			t.Errorf("At(%v, %v) = %v, want %v", c.pt, c.kinds, got, c.want)
		}
	}

	x.Delete(stat)
	if got := ids(x.At(orb.Point{1, 1}, nil, time.Time{})); !slices.Equal(got, []int64{5, 1}) {
		t.Errorf("after Delete: %v, want [5 1]", got)
	}
	var found []int64
	x.Search([2]float64{4.5, 4.5}, [2]float64{4.5, 4.5}, func(_, _ [2]float64, id int64) bool {
		found = append(found, id)
		return true
	})
	slices.Sort(found)
	if !slices.Equal(found, []int64{1, 3, 5}) {
		t.Errorf("Search: %v, want [1 3 5]", found)
	}
	n := 0
	x.Scan(func(_, _ [2]float64, _ int64) bool { n++; return true })
	if n != 5 {
		t.Errorf("Scan saw %d, want 5", n)
	}
}
