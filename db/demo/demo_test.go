package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// index is the dataset keyed for lookups the checks need.
type index struct {
	ds    *db.Dataset
	areas map[int64]*db.Area
	orgs  map[int64]*db.Organization
}

func load(t *testing.T) index {
	t.Helper()
	ds := Dataset()
	ix := index{ds: ds, areas: map[int64]*db.Area{}, orgs: map[int64]*db.Organization{}}
	for _, a := range ds.Areas {
		ix.areas[a.ID] = a
	}
	for _, o := range ds.Organizations {
		ix.orgs[o.ID] = o
	}
	return ix
}

func (ix index) kind(k db.AreaKind) []*db.Area {
	var out []*db.Area
	for _, a := range ix.ds.Areas {
		if a.Kind == k {
			out = append(out, a)
		}
	}
	return out
}

func TestCounts(t *testing.T) {
	ix := load(t)
	if n := len(ix.kind(db.KindMunicipality)); n != 1 {
		t.Errorf("municipalities: %d, want 1", n)
	}
	if n := len(ix.kind(db.KindDistrict)); n < 8 || n > 12 {
		t.Errorf("districts: %d, want 8–12", n)
	}
	pas := ix.kind(db.KindPriorityArea)
	if len(pas) < 4 {
		t.Errorf("priority areas: %d, want at least 4", len(pas))
	}
	for _, name := range []string{"Hässleholmen", "Hulta", "Norrby", "Sjöbo"} {
		if !slices.ContainsFunc(pas, func(a *db.Area) bool { return a.Name == name }) {
			t.Errorf("no priority area named %s", name)
		}
	}
	var employers, associations int
	for _, o := range ix.ds.Organizations {
		switch o.Kind {
		case db.OrgEmployer:
			employers++
		case db.OrgAssociation:
			associations++
		}
	}
	if employers < 30 || associations < 30 {
		t.Errorf("employers %d, associations %d: want at least 30 of each", employers, associations)
	}
	if n := len(ix.ds.Initiatives); n < 60 {
		t.Errorf("initiatives: %d, want at least 60", n)
	}
}

// TestIDsAndCodes pins the public numbering: areas from 1 in the order
// municipality, districts, priority areas; organisations from 1 with
// employers first; initiatives from 1.
func TestIDsAndCodes(t *testing.T) {
	ix := load(t)
	lastDepth := -1
	for i, a := range ix.ds.Areas {
		if a.ID != int64(i+1) {
			t.Errorf("area %q: id %d at position %d", a.Name, a.ID, i+1)
		}
		if d := a.Kind.Depth(); d < lastDepth {
			t.Errorf("area %d (%s) comes after a more inner kind", a.ID, a.Kind)
		} else {
			lastDepth = d
		}
	}
	boras := ix.areas[1]
	if boras.Code != "1490" || boras.Name != "Borås" || boras.Kind != db.KindMunicipality || boras.ParentID != 0 {
		t.Errorf("area 1 = %q %q %s parent %d; want the municipality Borås, 1490", boras.Code, boras.Name, boras.Kind, boras.ParentID)
	}
	codes := map[string]bool{}
	seq := map[db.AreaKind]int{}
	for _, a := range ix.ds.Areas {
		if codes[a.Code] {
			t.Errorf("code %q appears twice", a.Code)
		}
		codes[a.Code] = true
		letter := map[db.AreaKind]string{db.KindDistrict: "D", db.KindPriorityArea: "P"}[a.Kind]
		if letter == "" {
			continue
		}
		seq[a.Kind]++
		if want := fmt.Sprintf("1490-%s%02d", letter, seq[a.Kind]); a.Code != want {
			t.Errorf("area %d %s: code %q, want %q", a.ID, a.Name, a.Code, want)
		}
	}
	seenAssociation := false
	for i, o := range ix.ds.Organizations {
		if o.ID != int64(i+1) {
			t.Errorf("organisation %q: id %d at position %d", o.Name, o.ID, i+1)
		}
		if o.Kind == db.OrgAssociation {
			seenAssociation = true
		} else if seenAssociation {
			t.Errorf("employer %d %q comes after an association", o.ID, o.Name)
		}
	}
	for i, in := range ix.ds.Initiatives {
		if in.ID != int64(i+1) {
			t.Errorf("initiative %q: id %d at position %d", in.Title, in.ID, i+1)
		}
	}
}

func TestAreaReferences(t *testing.T) {
	ix := load(t)
	for _, a := range ix.ds.Areas {
		switch a.Kind {
		case db.KindMunicipality:
			if a.AreaType != 0 {
				t.Errorf("municipality has area type %d", a.AreaType)
			}
		case db.KindDistrict:
			if p := ix.areas[a.ParentID]; p == nil || p.Kind != db.KindMunicipality {
				t.Errorf("district %d %s: parent %d is not the municipality", a.ID, a.Name, a.ParentID)
			}
		case db.KindPriorityArea:
			p := ix.areas[a.ParentID]
			if p == nil || p.Kind != db.KindDistrict {
				t.Errorf("priority area %d %s: parent %d is not a district", a.ID, a.Name, a.ParentID)
			}
			if a.AreaType < 1 || a.AreaType > 5 {
				t.Errorf("priority area %d %s: area type %d, want 1–5", a.ID, a.Name, a.AreaType)
			}
		case db.KindStatisticalArea:
			if a.ParentID != areaBoras || a.ID < firstStatID || a.Code != statCode(int(a.ID-firstStatID+1)) {
				t.Errorf("statistical area %d %s: parent %d, code %s", a.ID, a.Name, a.ParentID, a.Code)
			}
		default:
			t.Errorf("area %d: unexpected kind %s", a.ID, a.Kind)
		}
	}
}

// TestEmbeddedOutline checks that the municipality is the real outline from
// okfse/sweden-geojson, unchanged.
func TestEmbeddedOutline(t *testing.T) {
	var f struct {
		Type       string
		Properties struct {
			ID      string `json:"id"`
			KomNamn string `json:"kom_namn"`
		}
		Geometry struct {
			Type        string
			Coordinates [][][2]float64
		}
	}
	if err := json.Unmarshal(borasGeoJSON, &f); err != nil {
		t.Fatal(err)
	}
	if f.Type != "Feature" || f.Properties.ID != "1490" || f.Properties.KomNamn != "Borås" || f.Geometry.Type != "Polygon" {
		t.Fatalf("boras.geojson: %s %q %q %s; want the Feature of Borås (1490) as a Polygon",
			f.Type, f.Properties.ID, f.Properties.KomNamn, f.Geometry.Type)
	}
	poly, ok := load(t).areas[1].Geometry.(orb.Polygon)
	if !ok || len(poly) != len(f.Geometry.Coordinates) {
		t.Fatalf("municipality geometry is %T, want the Polygon of the file", load(t).areas[1].Geometry)
	}
	for i, r := range f.Geometry.Coordinates {
		for j, c := range r {
			if poly[i][j] != orb.Point(c) {
				t.Fatalf("ring %d vertex %d: %v, file has %v", i, j, poly[i][j], c)
			}
		}
	}
	b := poly.Bound()
	if math.Abs(b.Min[0]-12.633) > 0.001 || math.Abs(b.Max[0]-13.309) > 0.001 ||
		math.Abs(b.Min[1]-57.557) > 0.001 || math.Abs(b.Max[1]-57.934) > 0.001 {
		t.Errorf("outline spans %v, want 12.633–13.309 E, 57.557–57.934 N", b)
	}
	if !planar.PolygonContains(poly, orb.Point{12.946, 57.717}) {
		t.Error("Stora torget is not inside Borås")
	}
}

func TestGeometryValid(t *testing.T) {
	ix := load(t)
	for _, a := range ix.ds.Areas {
		polys, err := polygons(a.Geometry)
		if err != nil {
			t.Errorf("area %d %s: %v", a.ID, a.Name, err)
			continue
		}
		for pi, p := range polys {
			if err := validPolygon(p); err != nil {
				t.Errorf("area %d %s, part %d: %v", a.ID, a.Name, pi, err)
			}
			if a.Kind == db.KindDistrict {
				if n := len(p[0]) - 1; n < 6 || n > 30 {
					t.Errorf("district %d %s: %d vertices, want 6–30", a.ID, a.Name, n)
				}
			}
		}
		// The parts of a MultiPolygon must not touch or overlap.
		for i := range polys {
			for j := i + 1; j < len(polys); j++ {
				if err := disjoint(polys[i], polys[j], true); err != nil {
					t.Errorf("area %d %s: parts %d and %d: %v", a.ID, a.Name, i, j, err)
				}
			}
		}
	}
	// Every geometry form an area can take appears in the demo.
	var multi, holed bool
	for _, a := range ix.kind(db.KindPriorityArea) {
		switch g := a.Geometry.(type) {
		case orb.MultiPolygon:
			multi = multi || len(g) >= 2
		case orb.Polygon:
			holed = holed || len(g) >= 2
		}
	}
	if !multi || !holed {
		t.Errorf("priority areas: MultiPolygon %v, Polygon with a hole %v; want both", multi, holed)
	}
}

func TestAreasNest(t *testing.T) {
	ix := load(t)
	districts := ix.kind(db.KindDistrict)
	for _, d := range districts {
		if err := within(d.Geometry, ix.areas[d.ParentID].Geometry); err != nil {
			t.Errorf("district %d %s is not inside the municipality: %v", d.ID, d.Name, err)
		}
	}
	for _, p := range ix.kind(db.KindPriorityArea) {
		if err := within(p.Geometry, ix.areas[p.ParentID].Geometry); err != nil {
			t.Errorf("priority area %d %s is not inside district %d: %v", p.ID, p.Name, p.ParentID, err)
		}
	}
	for i, a := range districts {
		for _, b := range districts[i+1:] {
			pa, _ := polygons(a.Geometry)
			pb, _ := polygons(b.Geometry)
			for _, x := range pa {
				for _, y := range pb {
					if err := disjoint(x, y, false); err != nil {
						t.Errorf("districts %s and %s overlap: %v", a.Name, b.Name, err)
					}
				}
			}
		}
	}
}

// TestPlaces checks that the districts lie where they do in Borås, in the
// right direction from Stora torget.
func TestPlaces(t *testing.T) {
	ix := load(t)
	torget := orb.Point{12.946, 57.717}
	byName := map[string]*db.Area{}
	for _, a := range ix.kind(db.KindDistrict) {
		byName[a.Name] = a
	}
	centre := func(name string) orb.Point {
		a := byName[name]
		if a == nil {
			t.Fatalf("no district %s", name)
		}
		return a.Geometry.Bound().Center()
	}
	if c := centre("Norrby"); c[1] <= torget[1] || c[1]-torget[1] > 0.02 {
		t.Errorf("Norrby centre %v is not just north of Stora torget", c)
	}
	if !planar.PolygonContains(byName["Hestra"].Geometry.(orb.Polygon), orb.Point{12.903, 57.730}) {
		t.Error("Hestra does not hold 57.730 N, 12.903 E")
	}
	if c := centre("Sjöbo"); c[1] <= centre("Norrby")[1] {
		t.Errorf("Sjöbo %v is not north of Norrby", c)
	}
	for _, name := range []string{"Hässleholmen", "Hulta"} {
		if c := centre(name); c[0] <= torget[0] {
			t.Errorf("%s %v is not east of the centre", name, c)
		}
	}
	if !planar.PolygonContains(byName["Centrum"].Geometry.(orb.Polygon), torget) {
		t.Error("Centrum does not hold Stora torget")
	}
}

var orgNumber = regexp.MustCompile(`^\d{6}-\d{4}$`)

// luhn reports whether a Swedish organisation number has a valid check digit.
func luhn(n string) bool {
	sum, k := 0, 0
	for _, c := range n {
		if c == '-' {
			continue
		}
		d := int(c - '0')
		if k%2 == 0 && k < 9 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		k++
	}
	return sum%10 == 0
}

func TestOrganizations(t *testing.T) {
	ix := load(t)
	boras := ix.areas[1].Geometry.(orb.Polygon)
	numbers := map[string]bool{}
	for _, o := range ix.ds.Organizations {
		where := fmt.Sprintf("organisation %d %q", o.ID, o.Name)
		if !orgNumber.MatchString(o.OrgNumber) || !luhn(o.OrgNumber) {
			t.Errorf("%s: organisation number %q: want NNNNNN-NNNN with a valid check digit", where, o.OrgNumber)
		}
		if numbers[o.OrgNumber] {
			t.Errorf("%s: organisation number %q appears twice", where, o.OrgNumber)
		}
		numbers[o.OrgNumber] = true
		if o.Location == nil || !planar.PolygonContains(boras, *o.Location) {
			t.Errorf("%s: location %v is not inside Borås", where, o.Location)
		}
		if len(o.AreaIDs) == 0 || !slices.IsSorted(o.AreaIDs) || len(slices.Compact(slices.Clone(o.AreaIDs))) != len(o.AreaIDs) {
			t.Errorf("%s: area ids %v: want some, ascending, each once", where, o.AreaIDs)
		}
		for _, id := range o.AreaIDs {
			if ix.areas[id] == nil {
				t.Errorf("%s: unknown area %d", where, id)
			}
		}
		switch o.Kind {
		case db.OrgEmployer:
			if o.Industry == "" || o.Size == "" || o.Activity != "" {
				t.Errorf("%s: an employer has industry and size and no activity", where)
			}
		case db.OrgAssociation:
			if o.Activity == "" || o.Industry != "" || o.Size != "" {
				t.Errorf("%s: an association has an activity and no industry or size", where)
			}
		}
	}
}

func TestInitiatives(t *testing.T) {
	ix := load(t)
	statuses := map[db.InitiativeStatus]int{}
	goals := map[db.GoalArea]bool{}
	themes := map[db.Theme]bool{}
	focus := map[db.FocusGroup]int{}
	perArea := map[int64]int{}
	for _, in := range ix.ds.Initiatives {
		where := fmt.Sprintf("initiative %d %q", in.ID, in.Title)
		if in.Title == "" || in.Description == "" {
			t.Errorf("%s: title and description are required", where)
		}
		statuses[in.Status]++
		goals[in.GoalArea] = true
		if !slices.IsSortedFunc(in.FocusGroups, byIndex(db.FocusGroups)) || hasRepeats(in.FocusGroups) {
			t.Errorf("%s: focus groups %v are not in db.FocusGroups order", where, in.FocusGroups)
		}
		if len(in.Themes) == 0 || !slices.IsSortedFunc(in.Themes, byIndex(db.Themes)) || hasRepeats(in.Themes) {
			t.Errorf("%s: themes %v: want some, in db.Themes order", where, in.Themes)
		}
		for _, f := range in.FocusGroups {
			focus[f]++
		}
		for _, th := range in.Themes {
			themes[th] = true
		}
		if len(in.AreaIDs) == 0 || !slices.IsSorted(in.AreaIDs) || hasRepeats(in.AreaIDs) {
			t.Errorf("%s: area ids %v: want some, ascending, each once", where, in.AreaIDs)
		}
		for _, id := range in.AreaIDs {
			if ix.areas[id] == nil {
				t.Errorf("%s: unknown area %d", where, id)
			}
			perArea[id]++
		}
		if n := len(in.Locations); n < 1 || n > 3 {
			t.Errorf("%s: %d locations, want 1–3", where, n)
		}
		for _, pt := range in.Locations {
			if !slices.ContainsFunc(in.AreaIDs, func(id int64) bool { a := ix.areas[id]; return a != nil && contains(a.Geometry, pt) }) {
				t.Errorf("%s: location %v is in none of the areas it serves %v", where, pt, in.AreaIDs)
			}
		}
		if ix.orgs[in.LeadID] == nil {
			t.Errorf("%s: unknown lead %d", where, in.LeadID)
		}
		if len(in.Partners) > 4 {
			t.Errorf("%s: %d partners, want 0–4", where, len(in.Partners))
		}
		for i, p := range in.Partners {
			if ix.orgs[p.OrganizationID] == nil {
				t.Errorf("%s: unknown partner %d", where, p.OrganizationID)
			}
			if p.OrganizationID == in.LeadID {
				t.Errorf("%s: the lead %d is also a partner", where, in.LeadID)
			}
			if i > 0 && p.OrganizationID <= in.Partners[i-1].OrganizationID {
				t.Errorf("%s: partners not ascending by organisation id, or repeated", where)
			}
			if !slices.Contains([]db.PartnerRole{db.RoleCoOrganiser, db.RoleFunder, db.RolePlacements, db.RoleMentors, db.RoleVenue, db.RoleOutreach}, p.Role) {
				t.Errorf("%s: unknown role %q", where, p.Role)
			}
		}
		for _, d := range []*time.Time{in.StartDate, in.EndDate} {
			if d == nil {
				continue
			}
			if d.Location() != time.UTC || !d.Equal(d.Truncate(24*time.Hour)) || d.Year() < 2019 || d.Year() > 2026 {
				t.Errorf("%s: date %v: want UTC midnight in 2019–2026", where, d)
			}
		}
		if in.StartDate == nil {
			t.Errorf("%s: no start date", where)
		}
		if in.StartDate != nil && in.EndDate != nil && in.EndDate.Before(*in.StartDate) {
			t.Errorf("%s: ends before it starts", where)
		}
		r := in.Reach
		if in.Status == db.StatusPlanned {
			if r.Participants != nil || r.IntoWork != nil || r.IntoStudy != nil {
				t.Errorf("%s: a planned initiative reports reach", where)
			}
		} else if r.Participants == nil {
			t.Errorf("%s: no participants reported", where)
		}
		if in.Status == db.StatusCompleted || in.Status == db.StatusCancelled {
			if in.EndDate == nil {
				t.Errorf("%s: %s without an end date", where, in.Status)
			}
		}
	}
	if statuses[db.StatusActive] <= len(ix.ds.Initiatives)/2 || statuses[db.StatusPlanned] == 0 ||
		statuses[db.StatusCompleted] == 0 || statuses[db.StatusCancelled] < 1 || statuses[db.StatusCancelled] > 2 {
		t.Errorf("statuses %v: want mostly active, some planned and completed, one or two cancelled", statuses)
	}
	if len(goals) != 3 {
		t.Errorf("goal areas used: %v, want all three", goals)
	}
	for _, th := range db.Themes {
		if !themes[th] {
			t.Errorf("theme %s is not used", th)
		}
	}
	for _, f := range db.FocusGroups {
		if focus[f] < 10 {
			t.Errorf("focus group %s: %d initiatives, want at least 10", f, focus[f])
		}
	}
	for _, a := range ix.kind(db.KindPriorityArea) {
		if perArea[a.ID] < 3 {
			t.Errorf("priority area %s: %d initiatives, want several", a.Name, perArea[a.ID])
		}
	}
}

// TestFocusGroupGap pins the deliberate gap: a planner asking which priority
// area lacks an active initiative for a focus group gets Sjöbo and people
// with disabilities, and every other cell is covered.
func TestFocusGroupGap(t *testing.T) {
	ix := load(t)
	covered := map[int64]map[db.FocusGroup]bool{}
	for _, in := range ix.ds.Initiatives {
		if in.Status != db.StatusActive {
			continue
		}
		for _, id := range in.AreaIDs {
			if covered[id] == nil {
				covered[id] = map[db.FocusGroup]bool{}
			}
			for _, f := range in.FocusGroups {
				covered[id][f] = true
			}
		}
	}
	var gaps []string
	for _, a := range ix.kind(db.KindPriorityArea) {
		for _, f := range db.FocusGroups {
			if !covered[a.ID][f] {
				gaps = append(gaps, a.Name+" × "+string(f))
			}
		}
	}
	if want := []string{"Sjöbo × " + string(db.FocusDisability)}; !slices.Equal(gaps, want) {
		t.Errorf("cells without an active initiative: %v, want %v", gaps, want)
	}
}

func TestIndicators(t *testing.T) {
	ix := load(t)
	defs := map[string]*db.Indicator{}
	for i, d := range ix.ds.Indicators {
		defs[d.Code] = d
		if i > 0 && d.Code <= ix.ds.Indicators[i-1].Code {
			t.Errorf("indicators not ordered by code at %q", d.Code)
		}
		if d.Name == "" || d.Description == "" || d.Unit == "" || d.Source == "" || d.License != "CC BY 4.0" || d.Attribution == "" {
			t.Errorf("indicator %q: name, description, unit, source, licence and attribution are required", d.Code)
		}
	}
	want := map[string]bool{ // code: higher is better
		"unemployment": false, "upper_secondary": true, "economic_assistance": false, "employment_rate": true, "population": true,
	}
	for code, better := range want {
		d := defs[code]
		if d == nil {
			t.Errorf("no indicator %q", code)
			continue
		}
		if d.HigherIsBetter != better {
			t.Errorf("indicator %q: higher is better %v, want %v", code, d.HigherIsBetter, better)
		}
	}
	if d := defs["unemployment"]; d != nil && !regexp.MustCompile(`inskrivna arbetslösa`).MatchString(d.Description) {
		t.Errorf("unemployment must say it counts inskrivna arbetslösa: %q", d.Description)
	}

	type key struct {
		area int64
		code string
		year int
		sex  db.Sex
	}
	got := map[key]float64{}
	sexOrder := []db.Sex{db.SexTotal, db.SexFemale, db.SexMale}
	for i, v := range ix.ds.Values {
		k := key{v.AreaID, v.IndicatorCode, v.Year, v.Sex}
		if _, dup := got[k]; dup {
			t.Errorf("value %+v appears twice", k)
		}
		got[k] = v.Value
		if defs[v.IndicatorCode] == nil || ix.areas[v.AreaID] == nil {
			t.Errorf("value %+v: unknown indicator or area", k)
		}
		if i > 0 {
			p := ix.ds.Values[i-1]
			if cmpValues(p, v, sexOrder) >= 0 {
				t.Errorf("values not ordered by area, code, year and sex at %+v", k)
			}
		}
		unit := defs[v.IndicatorCode].Unit
		switch {
		case unit == "%" && (v.Value < 0 || v.Value > 100 || v.Value != math.Round(v.Value*10)/10):
			t.Errorf("value %+v = %v: want a share 0–100 with one decimal", k, v.Value)
		case unit == "persons" && v.Value != math.Round(v.Value):
			t.Errorf("value %+v = %v: want whole persons", k, v.Value)
		}
	}
	for _, a := range ix.ds.Areas {
		if a.Kind == db.KindStatisticalArea {
			// The statistical areas carry statYear alone (statistical.go).
			for code := range want {
				if _, ok := got[key{a.ID, code, statYear, db.SexTotal}]; !ok {
					t.Errorf("no %s for %s (%d) in %d", code, a.Name, a.ID, statYear)
				}
			}
			continue
		}
		for code := range want {
			for y := 2015; y <= 2024; y++ {
				if _, ok := got[key{a.ID, code, y, db.SexTotal}]; !ok {
					t.Errorf("no %s for %s (%d) in %d", code, a.Name, a.ID, y)
				}
				if code == "unemployment" || code == "employment_rate" {
					for _, s := range []db.Sex{db.SexFemale, db.SexMale} {
						if _, ok := got[key{a.ID, code, y, s}]; !ok {
							t.Errorf("no %s %s for %s in %d", s, code, a.Name, y)
						}
					}
				}
			}
		}
	}

	// The spread the programme describes: under 4 % somewhere, over 40 %
	// somewhere, Borås as a whole at 6–8 %, the priority areas well above.
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, v := range got {
		if k.code == "unemployment" && k.sex == db.SexTotal {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo >= 4 || hi <= 40 {
		t.Errorf("unemployment spans %v–%v; want some value under 4 and some over 40", lo, hi)
	}
	for y := 2015; y <= 2024; y++ {
		if u := got[key{1, "unemployment", y, db.SexTotal}]; u < 6 || u > 8.5 {
			t.Errorf("Borås unemployment %d = %v, want about 6–8", y, u)
		}
		for _, pa := range ix.kind(db.KindPriorityArea) {
			if got[key{pa.ID, "unemployment", y, db.SexTotal}] <= got[key{1, "unemployment", y, db.SexTotal}] {
				t.Errorf("%s unemployment %d is not above Borås'", pa.Name, y)
			}
		}
	}
	if p := got[key{1, "population", 2019, db.SexTotal}]; p < 111000 || p > 115000 {
		t.Errorf("Borås population 2019 = %v, want about 113,000", p)
	}
}

func TestDeterministicAndFresh(t *testing.T) {
	a, b := Dataset(), Dataset()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two calls give different datasets")
	}
	// Changing one result must not reach the next.
	a.Areas[0].Geometry.(orb.Polygon)[0][0] = orb.Point{0, 0}
	a.Areas[2].Geometry.(orb.Polygon)[0][1][0] = 0
	a.Organizations[0].AreaIDs[0] = 999
	*a.Organizations[0].Location = orb.Point{}
	a.Initiatives[0].Locations[0] = orb.Point{}
	a.Initiatives[1].Partners[0].Role = db.RoleFunder
	*a.Initiatives[0].StartDate = time.Time{}
	*a.Initiatives[0].Reach.Participants = -1
	a.Indicators[0].Name = "changed"
	a.Values[0].Value = -1
	if c := Dataset(); !reflect.DeepEqual(b, c) {
		t.Fatal("changing a returned dataset changed later ones")
	}
}

func TestFast(t *testing.T) {
	const n = 20
	start := time.Now()
	for range n {
		Dataset()
	}
	if per := time.Since(start) / n; per > 100*time.Millisecond {
		t.Errorf("Dataset takes %v, want well under 100 ms", per)
	}
}

func BenchmarkDataset(b *testing.B) {
	for b.Loop() {
		Dataset()
	}
}

// --- geometry helpers ---

func polygons(g orb.Geometry) ([]orb.Polygon, error) {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}, nil
	case orb.MultiPolygon:
		if len(g) == 0 {
			return nil, fmt.Errorf("empty MultiPolygon")
		}
		return g, nil
	}
	return nil, fmt.Errorf("geometry is %T, want a Polygon or MultiPolygon", g)
}

func contains(g orb.Geometry, pt orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, pt)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, pt)
	}
	return false
}

// signedArea is twice the planar area of r: positive for a
// counter-clockwise ring.
func signedArea(r orb.Ring) float64 {
	var s float64
	for i := 0; i < len(r)-1; i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func sign(v float64) int {
	const eps = 1e-14 // far below the 1e-4° (about 10 m) the shapes are drawn to
	switch {
	case v > eps:
		return 1
	case v < -eps:
		return -1
	}
	return 0
}

// onSegment reports whether p lies on the segment a–b, ends included.
func onSegment(p, a, b orb.Point) bool {
	return sign(orient(a, b, p)) == 0 &&
		math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

// intersects reports whether segments a–b and c–d share any point.
func intersects(a, b, c, d orb.Point) bool {
	o1, o2 := sign(orient(a, b, c)), sign(orient(a, b, d))
	o3, o4 := sign(orient(c, d, a)), sign(orient(c, d, b))
	if o1*o2 < 0 && o3*o4 < 0 {
		return true
	}
	return onSegment(c, a, b) || onSegment(d, a, b) || onSegment(a, c, d) || onSegment(b, c, d)
}

// crosses reports whether segments a–b and c–d cross at a point inside both,
// which shared edges and shared vertices never do.
func crosses(a, b, c, d orb.Point) bool {
	return sign(orient(a, b, c))*sign(orient(a, b, d)) < 0 && sign(orient(c, d, a))*sign(orient(c, d, b)) < 0
}

// validRing checks that r is closed, has at least three distinct vertices
// and does not touch itself: every pair of segments that are not neighbours
// is tested, O(n²).
func validRing(r orb.Ring) error {
	if len(r) < 4 {
		return fmt.Errorf("ring of %d positions, want at least 4", len(r))
	}
	if r[0] != r[len(r)-1] {
		return fmt.Errorf("ring is not closed")
	}
	n := len(r) - 1 // segments
	for i := 0; i < n; i++ {
		if r[i] == r[i+1] {
			return fmt.Errorf("repeated vertex %v", r[i])
		}
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b, c, d := r[i], r[i+1], r[j], r[j+1]
			if j == i+1 || (i == 0 && j == n-1) {
				// Neighbours share one vertex; they must not fold back
				// onto each other.
				shared, other1, other2 := b, a, d
				if i == 0 && j == n-1 {
					shared, other1, other2 = a, b, c
				}
				if sign(orient(other1, shared, other2)) == 0 &&
					(other2[0]-shared[0])*(other1[0]-shared[0])+(other2[1]-shared[1])*(other1[1]-shared[1]) > 0 {
					return fmt.Errorf("segments %d and %d fold back on each other at %v", i, j, shared)
				}
				continue
			}
			if intersects(a, b, c, d) {
				return fmt.Errorf("segments %d (%v–%v) and %d (%v–%v) intersect", i, a, b, j, c, d)
			}
		}
	}
	return nil
}

// validPolygon checks the rings and RFC 7946's winding: exterior
// counter-clockwise, holes clockwise, holes inside the exterior and apart
// from it and from each other.
func validPolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("polygon without rings")
	}
	for i, r := range p {
		if err := validRing(r); err != nil {
			return fmt.Errorf("ring %d: %w", i, err)
		}
		if a := signedArea(r); i == 0 && a <= 0 {
			return fmt.Errorf("exterior ring is not counter-clockwise")
		} else if i > 0 && a >= 0 {
			return fmt.Errorf("hole %d is not clockwise", i)
		}
	}
	for i := 1; i < len(p); i++ {
		for _, pt := range p[i] {
			if !planar.RingContains(p[0], pt) || onRing(pt, p[0]) {
				return fmt.Errorf("hole %d vertex %v is not strictly inside the exterior", i, pt)
			}
		}
		for j := 0; j < i; j++ {
			if err := ringsApart(p[i], p[j]); err != nil {
				return fmt.Errorf("hole %d and ring %d: %w", i, j, err)
			}
		}
	}
	return nil
}

func onRing(pt orb.Point, r orb.Ring) bool {
	for i := 0; i < len(r)-1; i++ {
		if onSegment(pt, r[i], r[i+1]) {
			return true
		}
	}
	return false
}

func onBoundary(pt orb.Point, p orb.Polygon) bool {
	return slices.ContainsFunc(p, func(r orb.Ring) bool { return onRing(pt, r) })
}

func ringsApart(a, b orb.Ring) error {
	for i := 0; i < len(a)-1; i++ {
		for j := 0; j < len(b)-1; j++ {
			if intersects(a[i], a[i+1], b[j], b[j+1]) {
				return fmt.Errorf("edges %v–%v and %v–%v meet", a[i], a[i+1], b[j], b[j+1])
			}
		}
	}
	return nil
}

// within checks that every vertex of inner lies in outer (boundary
// included) and that no edge of inner crosses an edge of outer.
func within(inner, outer orb.Geometry) error {
	ip, err := polygons(inner)
	if err != nil {
		return err
	}
	op, err := polygons(outer)
	if err != nil {
		return err
	}
	for _, p := range ip {
		for _, r := range p {
			for _, pt := range r {
				if !contains(outer, pt) {
					return fmt.Errorf("vertex %v lies outside", pt)
				}
			}
			for _, o := range op {
				for _, orr := range o {
					if err := noCrossing(r, orr); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func noCrossing(a, b orb.Ring) error {
	for i := 0; i < len(a)-1; i++ {
		for j := 0; j < len(b)-1; j++ {
			if crosses(a[i], a[i+1], b[j], b[j+1]) {
				return fmt.Errorf("edges %v–%v and %v–%v cross", a[i], a[i+1], b[j], b[j+1])
			}
		}
	}
	return nil
}

// disjoint checks that two polygons do not overlap: no vertex of one lies
// strictly inside the other, no edges cross, and the inside of one does not
// reach into the other. With strict, they must not touch either, as the
// parts of one MultiPolygon.
func disjoint(a, b orb.Polygon, strict bool) error {
	for _, pair := range [][2]orb.Polygon{{a, b}, {b, a}} {
		x, y := pair[0], pair[1]
		for _, pt := range x[0] {
			in := planar.PolygonContains(y, pt)
			if on := onBoundary(pt, y); in && (strict || !on) {
				return fmt.Errorf("vertex %v lies inside the other", pt)
			}
		}
		// Vertices alone miss two polygons drawn on the same vertices. A
		// point just left of an edge's midpoint lies inside a
		// counter-clockwise ring; it must not lie inside the other polygon.
		r := x[0]
		for i := 0; i < len(r)-1; i++ {
			dx, dy := r[i+1][0]-r[i][0], r[i+1][1]-r[i][1]
			l := math.Hypot(dx, dy)
			const off = 1e-7 // about a centimetre, far below the drawing's scale
			probe := orb.Point{(r[i][0]+r[i+1][0])/2 - off*dy/l, (r[i][1]+r[i+1][1])/2 + off*dx/l}
			if planar.PolygonContains(x, probe) && planar.PolygonContains(y, probe) {
				return fmt.Errorf("the inside along edge %v–%v lies in the other", r[i], r[i+1])
			}
		}
	}
	for _, ra := range a {
		for _, rb := range b {
			if strict {
				if err := ringsApart(ra, rb); err != nil {
					return err
				}
			} else if err := noCrossing(ra, rb); err != nil {
				return err
			}
		}
	}
	return nil
}

// --- ordering helpers ---

func byIndex[T comparable](all []T) func(a, b T) int {
	return func(a, b T) int { return slices.Index(all, a) - slices.Index(all, b) }
}

func hasRepeats[T comparable](v []T) bool {
	seen := map[T]bool{}
	for _, x := range v {
		if seen[x] {
			return true
		}
		seen[x] = true
	}
	return false
}

func cmpValues(a, b db.IndicatorValue, sexOrder []db.Sex) int {
	switch {
	case a.AreaID != b.AreaID:
		return int(a.AreaID - b.AreaID)
	case a.IndicatorCode != b.IndicatorCode:
		if a.IndicatorCode < b.IndicatorCode {
			return -1
		}
		return 1
	case a.Year != b.Year:
		return a.Year - b.Year
	}
	return slices.Index(sexOrder, a.Sex) - slices.Index(sexOrder, b.Sex)
}

// TestRolledUp holds the demo's roll-up: the statistical areas tile every
// district and priority area, so each gets every indicator for statYear
// derived from them with full coverage, and the municipality, which they
// cover only in the town, gets values marked partial.
func TestRolledUp(t *testing.T) {
	s := memory.New()
	if err := s.Load(t.Context(), Dataset()); err != nil {
		t.Fatal(err)
	}
	var targets []int64
	for id := areaBoras; id <= areaGota; id++ {
		targets = append(targets, id)
	}
	derived, err := db.DerivedValues(t.Context(), s, indicators(), targets, db.ValueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range targets {
		if len(derived[i]) != len(indicators()) {
			t.Errorf("area %d: %d derived values, want one per indicator", id, len(derived[i]))
		}
		for _, d := range derived[i] {
			p := d.Provenance
			if d.Value.Year != statYear || !p.Derived || len(p.Sources) == 0 {
				t.Errorf("area %d: %+v %+v", id, d.Value, p)
			}
			if id == areaBoras {
				if !p.Partial {
					t.Errorf("the municipality's %s is not marked partial (coverage %.3f)", d.Value.IndicatorCode, p.Coverage)
				}
			} else if math.Abs(p.Coverage-1) > 1e-6 {
				t.Errorf("area %d: %s covers %.6f of it, want all", id, d.Value.IndicatorCode, p.Coverage)
			}
		}
	}
}
