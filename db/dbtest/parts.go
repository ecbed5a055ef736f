package dbtest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/synth"
)

// testListParts holds a list read with parts omitted (db.Page.Omit) to
// the same read whole: the same items in the same order, the same total,
// start and distances, every field it does not omit equal, and each part
// it omits either left empty or as read whole. It covers the plain list
// (nearest first with and without a total, which PostGIS reads by
// different statements), and the lists per area and per organisation,
// with and without a filter on the initiative.
func testListParts(t *testing.T, s db.Store) {
	c := ctx(t)
	ds := synth.Generate(synth.Config{Seed: 13, StatisticalAreas: 40, Initiatives: 1500, Organizations: 80, Years: 1})
	if err := s.Load(c, ds); err != nil {
		t.Fatal(err)
	}
	sample := synth.NewSampler(ds, 13)
	omits := []db.Parts{db.AllParts, db.PartDescription | db.PartLocations, db.AllParts &^ db.PartPartners,
		db.PartAreas | db.PartPartners | db.PartReach, db.PartDates | db.PartFocusGroups | db.PartThemes}
	pages := []db.Page{{Limit: 20}, {Limit: 20, NoTotal: true}, {Offset: 3, Limit: 4, NoTotal: true}, {Limit: 5, FromEnd: true}}
	active := db.InitiativeFilter{Statuses: []db.InitiativeStatus{db.StatusActive, db.StatusPlanned}}
	var orgs []int64
	for _, o := range ds.Organizations[:6] {
		orgs = append(orgs, o.ID)
	}
	type read struct {
		name string
		list func(p db.Page) ([]db.List[*db.Initiative], error)
	}
	var reads []read
	for i := range 4 {
		near := db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: sample.NearLocation(300), RadiusMeters: []float64{500, 3000}[i%2]}}}
		reads = append(reads, read{fmt.Sprintf("nearest %d", i), func(p db.Page) ([]db.List[*db.Initiative], error) {
			l, err := s.Initiatives(c, near, p)
			return []db.List[*db.Initiative]{l}, err
		}})
	}
	reads = append(reads,
		read{"every initiative", func(p db.Page) ([]db.List[*db.Initiative], error) {
			l, err := s.Initiatives(c, db.InitiativeFilter{}, p)
			return []db.List[*db.Initiative]{l}, err
		}},
		read{"active in a box", func(p db.Page) ([]db.List[*db.Initiative], error) {
			f := active
			box := sample.Box(0.2)
			f.BBox = &box
			l, err := s.Initiatives(c, f, p)
			return []db.List[*db.Initiative]{l}, err
		}},
		read{"by area", func(p db.Page) ([]db.List[*db.Initiative], error) {
			return s.InitiativesByArea(c, sample.AreaIDs(5), db.InitiativeFilter{}, p)
		}},
		read{"active by area", func(p db.Page) ([]db.List[*db.Initiative], error) {
			return s.InitiativesByArea(c, sample.AreaIDs(5), active, p)
		}},
		read{"by organisation", func(p db.Page) ([]db.List[*db.Initiative], error) {
			return s.InitiativesByOrganization(c, orgs, db.InitiativeFilter{}, p)
		}},
		read{"active by organisation", func(p db.Page) ([]db.List[*db.Initiative], error) {
			return s.InitiativesByOrganization(c, orgs, active, p)
		}},
	)
	for _, r := range reads {
		for _, p := range pages {
			for _, omit := range omits {
				what := fmt.Sprintf("%s, %+v", r.name, p)
				// The sampler draws anew with each call: the two reads
				// must ask the same question.
				var whole, parts []db.List[*db.Initiative]
				func() {
					sample = synth.NewSampler(ds, 13)
					whole = must[[]db.List[*db.Initiative]](t)(r.list(p))
					sample = synth.NewSampler(ds, 13)
					q := p
					q.Omit = omit
					parts = must[[]db.List[*db.Initiative]](t)(r.list(q))
				}()
				if len(parts) != len(whole) {
					t.Fatalf("%s: %d lists omitting %08b, %d whole", what, len(parts), omit, len(whole))
				}
				for i, got := range parts {
					want := whole[i]
					if !slices.Equal(ids(got.Items), ids(want.Items)) || got.Start != want.Start || got.Total != want.Total {
						t.Fatalf("%s, list %d omitting %08b: items %v from %d of %d, read whole %v from %d of %d", what, i, omit,
							ids(got.Items), got.Start, got.Total, ids(want.Items), want.Start, want.Total)
					}
					wantDistances(t, what+", distances", got.Distances, want.Distances)
					for j, in := range got.Items {
						wantParts(t, fmt.Sprintf("%s, list %d, initiative %d", what, i, in.ID), in, want.Items[j], omit)
					}
				}
			}
		}
	}
}

// wantParts checks got, read omitting omit, against want, read whole:
// equal but for the omitted parts, each of which is empty or whole.
func wantParts(t *testing.T, what string, got, want *db.Initiative, omit db.Parts) {
	t.Helper()
	if g, w := got.Trimmed(omit), want.Trimmed(omit); !reflect.DeepEqual(g, w) {
		t.Errorf("%s, omitting %08b: %+v, read whole %+v", what, omit, g, w)
	}
	for part := db.Parts(1); part <= db.AllParts; part <<= 1 {
		if !omit.Has(part) {
			continue
		}
		only := db.AllParts &^ part
		if g := got.Trimmed(only); !reflect.DeepEqual(g, want.Trimmed(only)) && !reflect.DeepEqual(g, want.Trimmed(db.AllParts)) {
			t.Errorf("%s: part %08b is %+v, neither empty nor as read whole", what, part, g)
		}
	}
}
