package dbtest

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// testInitiativeLocations: InitiativeLocations answers what Initiatives
// answers for a first page of the same limit (matches, order, total,
// distances), with ids and locations only; a limit below 1 and a bad
// filter are refused as Initiatives refuses them.
func testInitiativeLocations(t *testing.T, s db.Store) {
	loaded(t, s)
	filters := []struct {
		name string
		f    db.InitiativeFilter
	}{
		{"everything", db.InitiativeFilter{}},
		{"statuses", db.InitiativeFilter{Statuses: []db.InitiativeStatus{db.StatusActive, db.StatusPlanned}}},
		{"themes and areas served", db.InitiativeFilter{Themes: []db.Theme{db.ThemeJobs, db.ThemeLanguage}, AreaIDs: []int64{5}}},
		{"led or partnered by 1", db.InitiativeFilter{OrganizationIDs: []int64{1}}},
		{"bbox", db.InitiativeFilter{Spatial: db.Spatial{BBox: &orb.Bound{Min: orb.Point{13, 57}, Max: orb.Point{14, 58}}}}},
		{"a box collapsed to a shared location", db.InitiativeFilter{Spatial: db.Spatial{BBox: &orb.Bound{Min: orb.Point{12.3, 57.3}, Max: orb.Point{12.3, 57.3}}}}},
		{"intersects", db.InitiativeFilter{Spatial: db.Spatial{Intersects: orb.Polygon{box(12, 57, 12.5, 57.5)}}}},
		{"near", db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: orb.Point{13.3, 57.3}, RadiusMeters: 100000}}}},
		{"within", db.InitiativeFilter{Spatial: db.Spatial{Within: withinArea(4, math.Ceil(initiative3ToArea4))}}},
		{"nothing", db.InitiativeFilter{TitleContains: "no such title"}},
	}
	for _, c := range filters {
		for _, limit := range []int{1, 2, 100} {
			what := fmt.Sprintf("%s, limit %d", c.name, limit)
			want := must[db.List[*db.Initiative]](t)(s.Initiatives(ctx(t), c.f, db.Page{Limit: limit}))
			got := must[db.List[db.Located]](t)(s.InitiativeLocations(ctx(t), c.f, limit))
			if got.Total != want.Total || got.Start != 0 || len(got.Items) != len(want.Items) {
				t.Errorf("%s: total %d, start %d, %d items; Initiatives: total %d, %d items", what, got.Total, got.Start, len(got.Items), want.Total, len(want.Items))
				continue
			}
			for i, in := range want.Items {
				if l := got.Items[i]; l.ID != in.ID || !slices.Equal(l.Points, in.Locations) {
					t.Errorf("%s: item %d is %d at %v, Initiatives gives %d at %v", what, i, l.ID, l.Points, in.ID, in.Locations)
				}
			}
			wantDistances(t, what+", distances", got.Distances, want.Distances)
			wantDistances(t, what+", within distances", got.WithinDistances, want.WithinDistances)
		}
	}
	for _, limit := range []int{0, -1} {
		_, err := s.InitiativeLocations(ctx(t), db.InitiativeFilter{}, limit)
		wantCode(t, fmt.Sprintf("limit %d", limit), err, db.EINVALID)
	}
	_, err := s.InitiativeLocations(ctx(t), db.InitiativeFilter{Spatial: db.Spatial{Within: &db.Within{Meters: 10}}}, 10)
	wantCode(t, "within no geometry", err, db.EINVALID)
}
