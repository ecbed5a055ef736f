package graph_test

import (
	"math"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
)

// demoValue looks a value up in the demo dataset itself, the independent
// side of the planner tests.
func demoValue(t *testing.T, areaID int64, code string, year int) float64 {
	t.Helper()
	for _, v := range demo.Dataset().Values {
		if v.AreaID == areaID && v.IndicatorCode == code && v.Year == year && v.Sex == db.SexTotal {
			return v.Value
		}
	}
	t.Fatalf("demo has no %s for area %d in %d", code, areaID, year)
	return 0
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// "How far is Norrby from the Borås average, and is the gap closing?"
func TestIndicatorComparison(t *testing.T) {
	const norrby, boras, hassleholmen = 13, 1, 15
	gapNow := demoValue(t, norrby, "unemployment", 2024) - demoValue(t, boras, "unemployment", 2024)
	gapThen := demoValue(t, norrby, "unemployment", 2015) - demoValue(t, boras, "unemployment", 2015)
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			IndicatorComparison struct {
				Indicator struct{ Code string }
				Rows      []struct {
					Area                        idName
					Value                       *float64
					Rank                        *int
					Municipality                *idName
					GapToMunicipality           *float64
					GapToReference              *float64
					ChangeSinceBaseline         *float64
					GapToMunicipalityAtBaseline *float64
					GapClosing                  *bool
				}
				ReferenceValue *float64
			}
		}
		c.ok(`{ indicatorComparison(indicator: "unemployment", year: 2024, baselineYear: 2015, referenceArea: "Area:15") {
			indicator { code } referenceValue
			rows { area { id name } value rank municipality { id name } gapToMunicipality gapToReference
				changeSinceBaseline gapToMunicipalityAtBaseline gapClosing } } }`, nil, &out)
		rows := out.IndicatorComparison.Rows
		if len(rows) != 5 {
			t.Fatalf("%d rows, want one per priority area (5)", len(rows))
		}
		for i := 1; i < len(rows); i++ {
			if *rows[i].Value < *rows[i-1].Value || *rows[i].Rank < *rows[i-1].Rank {
				t.Errorf("rows not best (lowest unemployment) first: %v then %v", *rows[i-1].Value, *rows[i].Value)
			}
		}
		for _, r := range rows {
			if r.Municipality == nil || r.Municipality.Name != "Borås" {
				t.Errorf("%s: municipality %v", r.Area.Name, r.Municipality)
			}
			if r.Area.ID != "Area:13" {
				continue
			}
			if !near(*r.GapToMunicipality, gapNow) || !near(*r.GapToMunicipalityAtBaseline, gapThen) {
				t.Errorf("Norrby's gap %v (was %v), want %v (was %v)", *r.GapToMunicipality, *r.GapToMunicipalityAtBaseline, gapNow, gapThen)
			}
			if r.GapClosing == nil || *r.GapClosing != (math.Abs(gapNow) < math.Abs(gapThen)) {
				t.Errorf("Norrby gapClosing = %v with gaps %v → %v", r.GapClosing, gapThen, gapNow)
			}
			wantRef := demoValue(t, norrby, "unemployment", 2024) - demoValue(t, hassleholmen, "unemployment", 2024)
			if !near(*r.GapToReference, wantRef) {
				t.Errorf("Norrby's gap to Hässleholmen %v, want %v", *r.GapToReference, wantRef)
			}
		}
	})
}

func TestIndicatorChanges(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			Area struct {
				Indicators []struct {
					Values []struct {
						Year                    int
						Value                   float64
						ChangeSincePreviousYear *float64
						ChangeSinceBaseline     *float64
					}
				}
			}
		}
		c.ok(`{ area(id: "Area:13") { indicators(codes: ["unemployment"], fromYear: 2020, toYear: 2022, baselineYear: 2015) {
			values { year value changeSincePreviousYear changeSinceBaseline } } } }`, nil, &out)
		if len(out.Area.Indicators) != 1 || len(out.Area.Indicators[0].Values) != 3 {
			t.Fatalf("got %+v, want one series of 2020–2022", out.Area.Indicators)
		}
		for _, v := range out.Area.Indicators[0].Values {
			prev := v.Value - demoValue(t, 13, "unemployment", v.Year-1)
			base := v.Value - demoValue(t, 13, "unemployment", 2015)
			if v.ChangeSincePreviousYear == nil || !near(*v.ChangeSincePreviousYear, prev) ||
				v.ChangeSinceBaseline == nil || !near(*v.ChangeSinceBaseline, base) {
				t.Errorf("%d: changes %v, %v; want %v, %v", v.Year, v.ChangeSincePreviousYear, v.ChangeSinceBaseline, prev, base)
			}
		}
	})
}

func TestCoverage(t *testing.T) {
	// The demo leaves Sjöbo without an active initiative for people with
	// disabilities: the white spot a planner should see.
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			Coverage struct {
				Cells []struct {
					Area        idName
					FocusGroup  string
					Initiatives int
				}
				WhiteSpots []struct {
					Area       idName
					FocusGroup string
				}
			}
		}
		c.ok(`{ coverage { cells { area { id name } focusGroup initiatives organizations participants }
			whiteSpots { area { id name } focusGroup } } }`, nil, &out)
		if len(out.Coverage.Cells) != 5*3 {
			t.Errorf("%d cells, want 5 priority areas × 3 focus groups", len(out.Coverage.Cells))
		}
		found := false
		for _, w := range out.Coverage.WhiteSpots {
			if w.Area.Name == "Sjöbo" && w.FocusGroup == "PEOPLE_WITH_DISABILITIES" {
				found = true
			}
		}
		if !found {
			t.Errorf("white spots %+v lack Sjöbo × PEOPLE_WITH_DISABILITIES", out.Coverage.WhiteSpots)
		}
		var themed struct {
			Coverage struct {
				Cells []struct{ Theme string }
			}
		}
		c.ok(`{ coverage(areas: ["Area:13"], themes: [LANGUAGE, JOBS], statuses: [ACTIVE, COMPLETED]) { cells { theme } } }`, nil, &themed)
		if n := len(themed.Coverage.Cells); n != 3*2 || themed.Coverage.Cells[0].Theme != "JOBS" {
			t.Errorf("split by theme: %+v", themed.Coverage.Cells)
		}
	})
}

func TestWithinArea(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		var out struct {
			Inside, Around struct{ TotalCount int }
		}
		c.ok(`{ inside: organizations(filter: {within: {area: "Area:13", meters: 0}}) { totalCount }
			around: organizations(filter: {within: {area: "Area:13", meters: 1500}}) { totalCount } }`, nil, &out)
		if out.Around.TotalCount <= out.Inside.TotalCount {
			t.Errorf("organisations within 1.5 km of Norrby (%d) should outnumber those inside it (%d)", out.Around.TotalCount, out.Inside.TotalCount)
		}

		// Each edge says how far from the area it is, 0 inside; within
		// alone keeps no near distance, and without within there is none.
		var dists struct {
			Around struct {
				Edges []struct {
					DistanceMeters, WithinDistanceMeters *float64
				}
			}
			Initiatives struct {
				Edges []struct{ WithinDistanceMeters *float64 }
			}
			Plain struct {
				Edges []struct{ WithinDistanceMeters *float64 }
			}
		}
		c.ok(`{ around: organizations(first: 100, filter: {within: {area: "Area:13", meters: 1500}}) { edges { distanceMeters withinDistanceMeters } }
			initiatives(first: 100, filter: {within: {area: "Area:13", meters: 1500}}) { edges { withinDistanceMeters } }
			plain: organizations(first: 5) { edges { withinDistanceMeters } } }`, nil, &dists)
		inside, outside := 0, 0
		for _, e := range dists.Around.Edges {
			switch d := e.WithinDistanceMeters; {
			case e.DistanceMeters != nil || d == nil || *d < 0 || *d > 1500:
				t.Fatalf("within edge: distance %v, within distance %v", e.DistanceMeters, d)
			case *d == 0:
				inside++
			default:
				outside++
			}
		}
		if inside != out.Inside.TotalCount || outside == 0 {
			t.Errorf("%d edges at 0 m and %d beyond, want %d and some", inside, outside, out.Inside.TotalCount)
		}
		for _, e := range dists.Initiatives.Edges {
			if d := e.WithinDistanceMeters; d == nil || *d < 0 || *d > 1500 {
				t.Errorf("initiative within distance %v", d)
			}
		}
		for _, e := range dists.Plain.Edges {
			if e.WithinDistanceMeters != nil {
				t.Errorf("within distance %v without within", *e.WithinDistanceMeters)
			}
		}
	})
}
