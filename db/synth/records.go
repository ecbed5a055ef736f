package synth

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/paulmach/orb"
)

// org is an organisation with the municipality it belongs to (-1 for
// none), so that initiatives find local partners.
type org struct {
	*db.Organization
	muni int
}

var (
	employerKinds = []struct{ suffix, industry string }{
		{"Bygg AB", "Construction"}, {"Vård AB", "Health care"}, {"Logistik AB", "Logistics"},
		{"IT AB", "Information technology"}, {"Handel AB", "Retail"}, {"Restaurang AB", "Hospitality"},
		{"Fastigheter AB", "Real estate"}, {"Städ AB", "Cleaning"}, {"Verkstad AB", "Manufacturing"},
		{"Omsorg AB", "Care services"},
	}
	associationKinds = []struct{ suffix, activity string }{
		{"IF", "Sports"}, {"BK", "Football"}, {"Kulturförening", "Culture"}, {"Föräldraförening", "Parents"},
		{"Studieförbund", "Adult education"}, {"Fritidsgård", "Youth leisure"}, {"Hyresgästförening", "Tenants"},
		{"Kvinnoförening", "Women's network"},
	}
	sizes = []db.EmployerSize{db.SizeMicro, db.SizeMicro, db.SizeMicro, db.SizeSmall, db.SizeSmall,
		db.SizeMedium, db.SizeLarge}
	roles = []db.PartnerRole{db.RoleCoOrganiser, db.RoleFunder, db.RolePlacements, db.RoleMentors, db.RoleVenue,
		db.RoleOutreach}
	goalAreas = []db.GoalArea{db.GoalGoodStart, db.GoalHousingLocal, db.GoalConditionsForWork}
	// themeTitles name an initiative after its first theme, in the order
	// of db.Themes.
	themeTitles = []string{"Job track", "Internship programme", "Mentoring", "Homework help", "Language café",
		"Health walks", "Open sports hall", "Housing advice", "Night walkers", "Start-up school", "Parent support"}
)

// organizations draws n organisations, each in a random statistical area:
// most with a location strictly inside it, engaging in it, its district
// and its priority area.
func (m *areaMap) organizations(n int, rng *rand.Rand) []*org {
	out := make([]*org, 0, n)
	for k := range n {
		o := &db.Organization{ID: int64(k + 1)}
		place := "Norrland"
		muni := -1
		if len(m.cells) > 0 {
			c := m.cells[rng.IntN(len(m.cells))]
			muni = c.muni
			place = m.areas[c.muni].Name
			if rng.Float64() < 0.92 {
				p := m.pointIn(c, rng)
				o.Location = &p
			}
			if rng.Float64() < 0.95 {
				o.AreaIDs = c.areaIDs()
			}
		}
		if rng.Float64() < 0.6 {
			e := employerKinds[rng.IntN(len(employerKinds))]
			o.Kind, o.Industry, o.Size = db.OrgEmployer, e.industry, sizes[rng.IntN(len(sizes))]
			o.Name = fmt.Sprintf("%s %s %d", place, e.suffix, k+1)
			o.OrgNumber = fmt.Sprintf("55%04d-%04d", rng.IntN(10000), rng.IntN(10000))
		} else {
			a := associationKinds[rng.IntN(len(associationKinds))]
			o.Kind, o.Activity = db.OrgAssociation, a.activity
			o.Name = fmt.Sprintf("%s %s %d", place, a.suffix, k+1)
			o.OrgNumber = fmt.Sprintf("80%04d-%04d", rng.IntN(10000), rng.IntN(10000))
		}
		if rng.Float64() < 0.6 {
			o.Website = fmt.Sprintf("https://org%d.example", k+1)
		}
		out = append(out, &org{Organization: o, muni: muni})
	}
	return out
}

// areaIDs are the areas a record placed in c refers to: its statistical
// area, district and priority area, ascending.
func (c *cell) areaIDs() []int64 {
	ids := []int64{c.district.ID, c.sa.ID}
	if c.priority != nil {
		ids = append(ids, c.priority.ID)
	}
	slices.Sort(ids)
	return ids
}

// initiatives draws n initiatives around home statistical areas, favouring
// those in priority areas, led and partnered by organisations of the same
// municipality where there are any.
func (m *areaMap) initiatives(n int, orgs []*org, rng *rand.Rand) []*db.Initiative {
	local := make([][]*org, m.munis)
	for _, o := range orgs {
		if o.muni >= 0 {
			local[o.muni] = append(local[o.muni], o)
		}
	}
	out := make([]*db.Initiative, 0, n)
	for k := range n {
		in := &db.Initiative{ID: int64(k + 1)}
		var home *cell
		candidates := orgs
		if len(m.cells) > 0 {
			home = m.cells[rng.IntN(len(m.cells))]
			if home.priority == nil && rng.IntN(2) == 0 {
				home = m.cells[rng.IntN(len(m.cells))]
			}
			if l := local[home.muni]; len(l) > 0 {
				candidates = l
			}
		}
		var lead *org
		if len(candidates) > 0 && rng.Float64() < 0.92 {
			lead = candidates[rng.IntN(len(candidates))]
			in.LeadID = lead.ID
		}
		in.Partners = partners(candidates, in.LeadID, rng)

		if home != nil {
			in.Locations, in.AreaIDs = m.placeInitiative(home, lead, rng)
		}
		describe(in, home, rng)
		out = append(out, in)
	}
	return out
}

// partners draws up to three distinct partners other than the lead,
// ascending by id.
func partners(candidates []*org, lead int64, rng *rand.Rand) []db.Partner {
	want := rng.IntN(4)
	if len(candidates) == 0 {
		return nil
	}
	var ps []db.Partner
	for tries := 0; len(ps) < want && tries < 10; tries++ {
		o := candidates[rng.IntN(len(candidates))]
		if o.ID == lead || slices.ContainsFunc(ps, func(p db.Partner) bool { return p.OrganizationID == o.ID }) {
			continue
		}
		ps = append(ps, db.Partner{OrganizationID: o.ID, Role: roles[rng.IntN(len(roles))]})
	}
	slices.SortFunc(ps, func(a, b db.Partner) int { return cmp.Compare(a.OrganizationID, b.OrganizationID) })
	return ps
}

// placeInitiative puts an initiative in up to three places in its home
// district, now and then at its lead's premises, and lists the areas it
// serves: those of its places, sometimes their district, and its home.
func (m *areaMap) placeInitiative(home *cell, lead *org, rng *rand.Rand) ([]orb.Point, []int64) {
	ids := []int64{home.sa.ID}
	var locs []orb.Point
	var places int
	switch r := rng.Float64(); {
	case r < 0.03:
	case r < 0.73:
		places = 1
	case r < 0.93:
		places = 2
	default:
		places = 3
	}
	nearby := m.byDistrict[home.district.ID]
	for range places {
		if lead != nil && lead.Location != nil && rng.Float64() < 0.25 {
			// Shared premises put several records on one point, which
			// makes ties in nearest-first lists.
			locs = append(locs, *lead.Location)
			continue
		}
		c := nearby[rng.IntN(len(nearby))]
		locs = append(locs, m.pointIn(c, rng))
		ids = append(ids, c.sa.ID)
		if c.priority != nil {
			ids = append(ids, c.priority.ID)
		}
	}
	if home.priority != nil {
		ids = append(ids, home.priority.ID)
	}
	if rng.Float64() < 0.3 {
		ids = append(ids, home.district.ID)
	}
	slices.Sort(ids)
	return locs, slices.Compact(ids)
}

// describe fills in what an initiative is about and how it stands.
func describe(in *db.Initiative, home *cell, rng *rand.Rand) {
	for _, f := range db.FocusGroups {
		if rng.Float64() < 0.35 {
			in.FocusGroups = append(in.FocusGroups, f)
		}
	}
	for _, t := range db.Themes {
		if rng.Float64() < 0.15 {
			in.Themes = append(in.Themes, t)
		}
	}
	if len(in.Themes) == 0 {
		in.Themes = []db.Theme{db.Themes[rng.IntN(len(db.Themes))]}
	}
	in.GoalArea = goalAreas[rng.IntN(len(goalAreas))]
	place := "Sverige"
	if home != nil {
		place = home.sa.Name
		if home.priority != nil {
			place = home.priority.Name
		}
	}
	in.Title = fmt.Sprintf("%s %s", themeTitles[slices.Index(db.Themes, in.Themes[0])], place)
	in.Description = fmt.Sprintf("Synthetic initiative %d.", in.ID)

	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(10*365))
	switch r := rng.Float64(); {
	case r < 0.10:
		in.Status = db.StatusPlanned
		start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(2*365))
	case r < 0.55:
		in.Status = db.StatusActive
	case r < 0.93:
		in.Status = db.StatusCompleted
	default:
		in.Status = db.StatusCancelled
	}
	if rng.Float64() < 0.95 {
		in.StartDate = &start
		if in.Status != db.StatusActive || rng.IntN(3) == 0 {
			end := start.AddDate(0, 3+rng.IntN(34), 0)
			in.EndDate = &end
		}
	}
	if in.Status == db.StatusActive || in.Status == db.StatusCompleted {
		if rng.Float64() < 0.6 {
			p := 5 + rng.IntN(400)
			in.Reach.Participants = &p
			if rng.IntN(2) == 0 {
				w := rng.IntN(p/3 + 1)
				in.Reach.IntoWork = &w
			}
			if rng.IntN(2) == 0 {
				s := rng.IntN(p/4 + 1)
				in.Reach.IntoStudy = &s
			}
		}
	}
}

// Indicator codes, as in the demo dataset, so clients work on both.
const (
	indEconomicAssistance = "economic_assistance"
	indEmploymentRate     = "employment_rate"
	indPopulation         = "population"
	indUnemployment       = "unemployment"
	indUpperSecondary     = "upper_secondary"
)

const (
	synthSource  = "Synthetic values, generated at random; not statistics of any place"
	synthLicense = "CC0 1.0"
)

// indicators returns the definitions, ordered by code.
func indicators() []*db.Indicator {
	def := func(code, name, unit string, higherIsBetter bool) *db.Indicator {
		return &db.Indicator{Code: code, Name: name, Unit: unit, HigherIsBetter: higherIsBetter,
			Description: name + " (synthetic).", Source: synthSource, License: synthLicense,
			Attribution: "Synthetic data"}
	}
	return []*db.Indicator{
		def(indEconomicAssistance, "Residents receiving economic assistance", "%", false),
		def(indEmploymentRate, "Employment rate, 20–64", "%", true),
		def(indPopulation, "Population", "persons", true),
		def(indUnemployment, "Unemployment, 18–64", "%", false),
		def(indUpperSecondary, "Upper-secondary education, 25–64", "%", true),
	}
}

// values draws a series per area and indicator: a level that depends on
// the kind of area (priority areas fare worse), a trend, and noise.
func values(areas []*db.Area, years int, rng *rand.Rand) []db.IndicatorValue {
	out := make([]db.IndicatorValue, 0, len(areas)*5*years)
	first := LastYear - years + 1
	for _, a := range areas {
		var pop float64
		switch a.Kind {
		case db.KindMunicipality:
			pop = 20000 + rng.Float64()*180000
		case db.KindDistrict:
			pop = 5000 + rng.Float64()*40000
		case db.KindPriorityArea:
			pop = 2000 + rng.Float64()*8000
		default:
			pop = 700 + rng.Float64()*2000
		}
		hardship := rng.Float64()
		if a.Kind == db.KindPriorityArea || a.AreaType > 0 {
			hardship = 0.5 + hardship/2
		}
		levels := []struct {
			code        string
			level, step float64
			lo, hi      float64
		}{
			{indEconomicAssistance, 1 + 14*hardship, -0.2 + 0.3*rng.Float64(), 0, 100},
			{indEmploymentRate, 85 - 35*hardship, -0.3 + 0.9*rng.Float64(), 0, 100},
			{indPopulation, pop, pop * (-0.005 + 0.02*rng.Float64()), 0, math.Inf(1)},
			{indUnemployment, 3 + 30*hardship, -0.6 + 0.7*rng.Float64(), 0, 100},
			{indUpperSecondary, 92 - 30*hardship, -0.2 + 0.6*rng.Float64(), 0, 100},
		}
		for _, l := range levels {
			for y := range years {
				v := l.level + l.step*float64(y) + rng.NormFloat64()*l.level*0.02
				v = min(max(v, l.lo), l.hi)
				if l.code == indPopulation {
					v = math.Round(v)
				} else {
					v = math.Round(v*10) / 10
				}
				out = append(out, db.IndicatorValue{AreaID: a.ID, IndicatorCode: l.code, Year: first + y,
					Sex: db.SexTotal, Value: v})
			}
		}
	}
	return out
}
