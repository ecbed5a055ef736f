package dbtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// testAreaParts: Areas with the outline omitted (db.PartGeometry)
// answers what it answers whole (matches, order, Total, Start,
// distances, every other field) for the same filter and page, each
// outline left out or as read whole; a bad filter is refused as the
// whole read refuses it.
func testAreaParts(t *testing.T, s db.Store) {
	loaded(t, s)
	bound := func(x0, y0, x1, y1 float64) *orb.Bound {
		return &orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
	}
	day := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
	filters := []struct {
		name string
		f    db.AreaFilter
	}{
		{"everything", db.AreaFilter{}},
		{"kinds", db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea, db.KindMunicipality}}},
		{"parents and a day", db.AreaFilter{ParentIDs: []int64{2}, ValidOn: day}},
		{"name", db.AreaFilter{NameContains: "pRIORITY"}},
		{"bbox", db.AreaFilter{Spatial: db.Spatial{BBox: bound(12.1, 57.1, 12.2, 57.2)}}},
		{"bbox touching the outer edge", db.AreaFilter{Spatial: db.Spatial{BBox: bound(14, 57.5, 15, 57.6)}}},
		{"bbox inside a hole", db.AreaFilter{Spatial: db.Spatial{BBox: bound(12.55, 57.55, 12.6, 57.6)}}},
		{"bbox and kind", db.AreaFilter{Kinds: []db.AreaKind{db.KindStatisticalArea}, Spatial: db.Spatial{BBox: bound(11, 56, 15, 59)}}},
		{"intersects", db.AreaFilter{Spatial: db.Spatial{Intersects: orb.LineString{{13.3, 57.3}, {13.7, 57.7}}}}},
		{"near", db.AreaFilter{Spatial: db.Spatial{Near: &db.Near{Point: orb.Point{12.9, 57.5}, RadiusMeters: 20000}}}},
		{"nothing", db.AreaFilter{Codes: []string{"missing"}}},
	}
	pages := []db.Page{{Limit: 100}, {Limit: 2}, {Offset: 1, Limit: 2}, {Limit: 2, After: &db.Key{ID: 2}}}
	for _, c := range filters {
		for _, p := range pages {
			if c.f.Near != nil && p.After != nil {
				p.After = &db.Key{ID: p.After.ID, Near: true}
			}
			what := fmt.Sprintf("%s, page %+v", c.name, p)
			want := must[db.List[*db.Area]](t)(s.Areas(ctx(t), c.f, p))
			omit := p
			omit.Omit = db.PartGeometry
			got := must[db.List[*db.Area]](t)(s.Areas(ctx(t), c.f, omit))
			if got.Total != want.Total || got.Start != want.Start || len(got.Items) != len(want.Items) {
				t.Errorf("%s: total %d, start %d, %d items; read whole: total %d, start %d, %d items",
					what, got.Total, got.Start, len(got.Items), want.Total, want.Start, len(want.Items))
				continue
			}
			for i, a := range want.Items {
				g := *got.Items[i]
				if g.Geometry != nil && !orb.Equal(g.Geometry, a.Geometry) {
					t.Errorf("%s: area %d comes with an outline not its own", what, g.ID)
				}
				b := *a
				b.Geometry, g.Geometry = nil, nil
				if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", b) {
					t.Errorf("%s: item %d is %+v; read whole, %+v", what, i, g, b)
				}
			}
			wantDistances(t, what+", distances", got.Distances, want.Distances)
		}
	}
	_, err := s.Areas(ctx(t), db.AreaFilter{Spatial: db.Spatial{Within: &db.Within{Meters: 10}}}, db.Page{Limit: 10, Omit: db.PartGeometry})
	wantCode(t, "within no geometry", err, db.EINVALID)
}
