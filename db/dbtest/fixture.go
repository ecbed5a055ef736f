package dbtest

import (
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// The fixture is small and drawn on coordinates that are exact in binary
// floating point, so that points on edges and vertices are on them in both
// backends and the boundary rules can be pinned.
//
//	57.0 ┌──────────── 1 municipality (12–14 E, 57–58 N) ────────────┐
//	     │ 2 district A (12–13 E)        │ 3 district B (13–14 E)     │
//	     │   6 statistical (12–12.5,     │   5 priority Q: two squares│
//	     │     57–57.5)                  │                            │
//	     │   4 priority P with a hole    │                            │
//	     └───────────────────────────────┴────────────────────────────┘

func ring(pts ...float64) orb.Ring {
	r := make(orb.Ring, 0, len(pts)/2+1)
	for i := 0; i+1 < len(pts); i += 2 {
		r = append(r, orb.Point{pts[i], pts[i+1]})
	}
	return append(r, r[0])
}

// box is a counter-clockwise ring around a rectangle.
func box(minX, minY, maxX, maxY float64) orb.Ring {
	return ring(minX, minY, maxX, minY, maxX, maxY, minX, maxY)
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func intp(i int) *int { return &i }

func ptp(x, y float64) *orb.Point { p := orb.Point{x, y}; return &p }

// Fixture returns a fresh copy of the dataset every test loads.
func Fixture() *db.Dataset {
	return &db.Dataset{
		Areas: []*db.Area{
			{ID: 1, Code: "9999", Name: "Municipality M", Kind: db.KindMunicipality,
				Geometry: orb.Polygon{box(12, 57, 14, 58)}, ValidFrom: date(1971, 1, 1),
				Description: "The whole fixture."},
			{ID: 2, Code: "9999-D1", Name: "District A", Kind: db.KindDistrict, ParentID: 1,
				Geometry: orb.Polygon{box(12, 57, 13, 58)}},
			{ID: 3, Code: "9999-D2", Name: "District B", Kind: db.KindDistrict, ParentID: 1,
				Geometry: orb.Polygon{box(13, 57, 14, 58)}, ValidFrom: date(2000, 1, 1), ValidTo: date(2030, 12, 31)},
			{ID: 4, Code: "9999-P1", Name: "Priority P", Kind: db.KindPriorityArea, ParentID: 2, AreaType: 1,
				// A hole, drawn clockwise as RFC 7946 asks.
				Geometry: orb.Polygon{box(12.25, 57.25, 12.75, 57.75),
					ring(12.375, 57.375, 12.375, 57.625, 12.625, 57.625, 12.625, 57.375)}},
			{ID: 5, Code: "9999-P2", Name: "Priority Q", Kind: db.KindPriorityArea, ParentID: 3, AreaType: 2,
				Geometry: orb.MultiPolygon{{box(13.25, 57.25, 13.5, 57.5)}, {box(13.625, 57.625, 13.875, 57.875)}}},
			{ID: 6, Code: "9999S0001", Name: "Statistical S", Kind: db.KindStatisticalArea, ParentID: 2,
				Geometry: orb.Polygon{box(12, 57, 12.5, 57.5)}},
		},
		Organizations: []*db.Organization{
			{ID: 1, Kind: db.OrgEmployer, Name: "Alfa Logistik AB", OrgNumber: "556000-0001",
				Location: ptp(12.5, 57.5), Website: "https://alfa.example", AreaIDs: []int64{2, 4},
				Industry: "Logistics", Size: db.SizeMedium},
			{ID: 2, Kind: db.OrgEmployer, Name: "Beta Vård", OrgNumber: "556000-0002",
				Location: ptp(13.5, 57.5), AreaIDs: []int64{3, 5}, Industry: "Health care", Size: db.SizeLarge},
			{ID: 3, Kind: db.OrgAssociation, Name: "Gamma IF", OrgNumber: "802000-0003",
				Location: ptp(12.3, 57.3), AreaIDs: []int64{4}, Activity: "Football"},
			{ID: 4, Kind: db.OrgAssociation, Name: "Delta 100% Kultur", OrgNumber: "802000-0004",
				Activity: "Culture"},
		},
		Initiatives: []*db.Initiative{
			{ID: 1, Title: "Job fair", Description: "Employers meet residents.", Status: db.StatusActive,
				StartDate: date(2023, 3, 1), GoalArea: db.GoalConditionsForWork,
				FocusGroups: []db.FocusGroup{db.FocusBornOutsideEurope},
				Themes:      []db.Theme{db.ThemeJobs, db.ThemeInternships},
				AreaIDs:     []int64{4}, Locations: []orb.Point{{12.3, 57.3}}, LeadID: 1,
				Partners: []db.Partner{{OrganizationID: 3, Role: db.RoleVenue}},
				Reach:    db.Reach{Participants: intp(120), IntoWork: intp(14), IntoStudy: intp(3)}},
			{ID: 2, Title: "Language café", Status: db.StatusActive, StartDate: date(2022, 9, 1),
				EndDate: date(2025, 6, 30), GoalArea: db.GoalConditionsForWork,
				FocusGroups: []db.FocusGroup{db.FocusBornOutsideEurope, db.FocusNoUpperSecondary},
				Themes:      []db.Theme{db.ThemeLanguage},
				AreaIDs:     []int64{4, 5}, Locations: []orb.Point{{12.3, 57.3}, {13.3, 57.3}}, LeadID: 3,
				Partners: []db.Partner{{OrganizationID: 1, Role: db.RoleFunder}, {OrganizationID: 2, Role: db.RoleMentors}},
				Reach:    db.Reach{Participants: intp(45)}},
			{ID: 3, Title: "Supported employment", Status: db.StatusPlanned, GoalArea: db.GoalConditionsForWork,
				FocusGroups: []db.FocusGroup{db.FocusDisability}, Themes: []db.Theme{db.ThemeJobs},
				AreaIDs: []int64{5}, Locations: []orb.Point{{13.3, 57.3}}, LeadID: 2},
			{ID: 4, Title: "Homework help", Status: db.StatusCompleted, StartDate: date(2019, 1, 15),
				EndDate: date(2021, 12, 31), GoalArea: db.GoalGoodStart,
				FocusGroups: []db.FocusGroup{db.FocusNoUpperSecondary}, Themes: []db.Theme{db.ThemeEducation},
				AreaIDs: []int64{2}, Partners: []db.Partner{{OrganizationID: 4, Role: db.RoleOutreach}}},
		},
		Indicators: []*db.Indicator{
			{Code: "unemployment", Name: "Unemployment", NameSv: "Arbetslöshet", Description: "Registered unemployed, 18–64.",
				Unit: "%", HigherIsBetter: false, Source: "Fixture", License: "CC BY 4.0", Attribution: "Källa: fixture",
				MinCount: 50},
			{Code: "population", Name: "Population", Unit: "persons", HigherIsBetter: true, Source: "Fixture"},
		},
		// Counts: 46 is below unemployment's MinCount of 50, 50 is exactly
		// on it, and population's value has none.
		Values: []db.IndicatorValue{
			{AreaID: 5, IndicatorCode: "unemployment", Year: 2021, Sex: db.SexTotal, Value: 30.5, Count: intp(46)},
			{AreaID: 1, IndicatorCode: "unemployment", Year: 2020, Sex: db.SexTotal, Value: 8.25, Count: intp(71800)},
			{AreaID: 1, IndicatorCode: "unemployment", Year: 2021, Sex: db.SexTotal, Value: 7.5, Count: intp(72400)},
			{AreaID: 1, IndicatorCode: "population", Year: 2021, Sex: db.SexTotal, Value: 113000},
			{AreaID: 4, IndicatorCode: "unemployment", Year: 2021, Sex: db.SexMale, Value: 40.5, Count: intp(1460)},
			{AreaID: 4, IndicatorCode: "unemployment", Year: 2021, Sex: db.SexFemale, Value: 35.5, Count: intp(50)},
			{AreaID: 4, IndicatorCode: "unemployment", Year: 2021, Sex: db.SexTotal, Value: 38, Count: intp(1510)},
			{AreaID: 4, IndicatorCode: "unemployment", Year: 2020, Sex: db.SexTotal, Value: 41.25, Count: intp(1490)},
		},
	}
}

// asStored returns ds as a store keeps it after Load: every record that
// carries no version has version 1.
func asStored(ds *db.Dataset) *db.Dataset {
	v := func(n *int64) {
		if *n == 0 {
			*n = 1
		}
	}
	for _, a := range ds.Areas {
		v(&a.Version)
	}
	for _, o := range ds.Organizations {
		v(&o.Version)
	}
	for _, in := range ds.Initiatives {
		v(&in.Version)
	}
	for _, d := range ds.Indicators {
		v(&d.Version)
	}
	return ds
}
