package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// Statistical areas: an illustrative grid standing in for Statistics
// Sweden's DeSO, which tiles the town's districts in cells of 0.006° by
// 0.004° (about 360 × 445 m). Real DeSO follow streets and hold 700–2,700
// residents each; the grid does neither, and its cells cut across the
// priority areas' outlines, which is the point: the priority areas' figures
// for statYear are rolled up from the cells' values (db/rollup.go), as they
// would be from DeSO, so the explorer shows a derived value with its
// provenance with nothing installed.
//
// The cells carry one year, statYear, the year after the values typed in
// for the districts and priority areas: the newest statistics arrive per
// statistical area first. Their levels follow the area each cell's centre
// lies in (a priority area, else a district, else Borås), a step further
// along its trend, and their populations its density, so what is rolled up
// agrees with the typed figures of the years before.
const (
	statYear = lastYear + 1
	cellLon  = 0.006
	cellLat  = 0.004
	// The cells start at this corner: the south-west of the districts.
	gridLon = 12.880
	gridLat = 57.694
	gridCol = 26
	gridRow = 17
)

// Statistical area codes follow the demo's own scheme: the municipality
// code, "S" and a number ("1490-S001"), apart from SCB's DeSO codes.
func statCode(n int) string { return fmt.Sprintf("%s-S%03d", codeBoras, n) }

// firstStatID is the id of the first statistical area, after the priority
// areas.
const firstStatID = areaGota + 1

type statCell struct {
	geometry orb.Polygon
	home     int64 // the area whose profile the cell follows
}

var (
	statOnce  sync.Once
	statCells []statCell
)

// cells lays the grid once: a cell is kept when it shares surface with a
// district.
func cells() []statCell {
	statOnce.Do(func() {
		ds := districts()
		ps := priorityAreas()
		projected := map[int64]orb.Geometry{}
		for _, d := range ds {
			projected[d.id] = geo.ToSWEREF99TMFromWGS84(d.geometry)
		}
		for j := range gridRow {
			for i := range gridCol {
				x0, y0 := gridLon+float64(i)*cellLon, gridLat+float64(j)*cellLat
				b := orb.Bound{Min: orb.Point{round4(x0), round4(y0)}, Max: orb.Point{round4(x0 + cellLon), round4(y0 + cellLat)}}
				poly := orb.Polygon{ring(b.Min, orb.Point{b.Max[0], b.Min[1]}, b.Max, orb.Point{b.Min[0], b.Max[1]})}
				centre := b.Center()
				home := int64(0)
				for _, p := range ps {
					if geo.Covers(p.geometry, centre) {
						home = p.id
					}
				}
				kept := false
				for _, d := range ds {
					if home == 0 && geo.Covers(d.geometry, centre) {
						home = d.id
					}
					if !kept && d.geometry.Bound().Intersects(b) {
						shared, err := geo.IntersectionArea(projected[d.id], geo.ToSWEREF99TMFromWGS84(poly))
						kept = err == nil && shared > 0
					}
				}
				if !kept {
					continue
				}
				if home == 0 {
					home = areaBoras
				}
				statCells = append(statCells, statCell{geometry: poly, home: home})
			}
		}
	})
	return statCells
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// statisticalAreas returns the grid's cells as areas, ids from firstStatID.
func statisticalAreas() []*db.Area {
	cs := cells()
	out := make([]*db.Area, len(cs))
	for i, c := range cs {
		out[i] = &db.Area{ID: firstStatID + int64(i), Code: statCode(i + 1), Name: fmt.Sprintf("Statistical area S%03d", i+1),
			Kind: db.KindStatisticalArea, ParentID: areaBoras, Geometry: orb.Clone(c.geometry),
			Description: "Illustrative statistical area of the demo grid, standing in for a DeSO; not an official boundary."}
	}
	return out
}

// surfaces are the planar surfaces (SWEREF 99 TM, m²) of the areas whose
// profiles the cells follow.
var (
	surfOnce sync.Once
	surfaces map[int64]float64
)

func surfaceOf(id int64) float64 {
	surfOnce.Do(func() {
		surfaces = map[int64]float64{}
		for _, a := range areas() {
			if a.Kind == db.KindStatisticalArea {
				continue
			}
			surfaces[a.ID] = geo.PlanarArea(geo.ToSWEREF99TMFromWGS84(a.Geometry))
		}
	})
	return surfaces[id]
}

// next is an anchor series one year past its last anchor, along the trend
// of its last five years.
func next(a [3]float64) float64 { return a[2] + (a[2]-a[1])/5 }

// statisticalValues are the cells' values for statYear, in the store's
// order (area, code, year, sex).
func statisticalValues() []db.IndicatorValue {
	rng := rand.New(rand.NewPCG(1490, statYear))
	jitter := func(spread float64) float64 { return 1 + spread*(2*rng.Float64()-1) }
	var out []db.IndicatorValue
	for i, c := range cells() {
		id := firstStatID + int64(i)
		pr := profiles[c.home]
		cellArea := geo.PlanarArea(geo.ToSWEREF99TMFromWGS84(c.geometry))
		density := next(pr.population) / surfaceOf(c.home)
		if c.home == areaBoras {
			// The town's edge, where few live: a tenth of the density the
			// whole municipality's figure would give it is already generous.
			density /= 10
		}
		add := func(code string, v float64) {
			out = append(out, db.IndicatorValue{AreaID: id, IndicatorCode: code, Year: statYear, Sex: db.SexTotal, Value: v})
		}
		add(indEconomicAssistance, pct(next(pr.assistance)*jitter(0.05)))
		add(indEmploymentRate, pct(next(pr.employment)*jitter(0.02)))
		add(indPopulation, math.Round(density*cellArea*jitter(0.1)))
		add(indUnemployment, pct(next(pr.unemployment)*jitter(0.05)))
		add(indUpperSecondary, pct(next(pr.upperSecondary)*jitter(0.02)))
	}
	slices.SortFunc(out, db.CompareValues)
	return out
}
