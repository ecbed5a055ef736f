package demo

import (
	"math"
	"math/rand/v2"

	"github.com/areagraph/areagraph/db"
)

// Indicator codes.
const (
	indEconomicAssistance = "economic_assistance"
	indEmploymentRate     = "employment_rate"
	indPopulation         = "population"
	indUnemployment       = "unemployment"
	indUpperSecondary     = "upper_secondary"
)

// The years every indicator has a value for, on every area.
const (
	firstYear = 2015
	lastYear  = 2024
)

const (
	demoSource      = "Illustrative demo values modelled on Statistics Sweden (SCB) and Borås Stad figures; not official statistics"
	demoLicense     = "CC BY 4.0"
	demoAttribution = "Demo data, after SCB and Borås Stad"
)

// indicators returns the definitions, ordered by code as Store.Indicators
// returns them.
func indicators() []*db.Indicator {
	def := func(code, name, desc, unit string, higherIsBetter bool) *db.Indicator {
		return &db.Indicator{Code: code, Name: name, Description: desc, Unit: unit, HigherIsBetter: higherIsBetter,
			Source: demoSource, License: demoLicense, Attribution: demoAttribution}
	}
	// The population is a count and sums over the statistical areas; the
	// rates are means weighed by it, so that people count, not square
	// metres (db/rollup.go).
	rate := func(d *db.Indicator) *db.Indicator {
		d.Rollup, d.WeightIndicator = db.RollupWeightedMean, indPopulation
		return d
	}
	count := func(d *db.Indicator) *db.Indicator { d.Rollup = db.RollupSum; return d }
	return []*db.Indicator{
		rate(def(indEconomicAssistance, "Residents receiving economic assistance",
			"Share of all residents who live in a household that received economic assistance (ekonomiskt bistånd, "+
				"the means-tested welfare of last resort) at some time during the year, in per cent.",
			"%", false)),
		rate(def(indEmploymentRate, "Employment rate, 20–64",
			"Share of residents aged 20–64 who were gainfully employed (förvärvsarbetande) in November of the year, "+
				"as Statistics Sweden's register-based labour statistics count them, in per cent.",
			"%", true)),
		// Population is context for the rates, not a goal. The flag only
		// tells a client which end of a colour scale is the good one, so it
		// follows the city's own plan for a growing town; a client should
		// not read a smaller priority area as a failure.
		count(def(indPopulation, "Population",
			"Number of registered residents (folkbokförda) on 31 December. Context for the rates rather than a "+
				"measure of progress; higher is marked better only because the city plans for growth.",
			"persons", true)),
		rate(def(indUnemployment, "Unemployment, registered at the Public Employment Service, 18–64",
			"Share of residents aged 18–64 registered as unemployed at the Public Employment Service (Arbetsförmedlingen's "+
				"inskrivna arbetslösa: the openly unemployed plus those in labour-market programmes with activity "+
				"support), annual average, in per cent of all residents aged 18–64. A broader measure than the openly "+
				"unemployed (öppet arbetslösa) alone, which for Borås as a whole is about 3 %.",
			"%", false)),
		rate(def(indUpperSecondary, "Upper-secondary education, 25–64",
			"Share of residents aged 25–64 whose highest completed education is upper-secondary school "+
				"(gymnasieutbildning) or higher, in per cent.",
			"%", true)),
	}
}

// profile holds an area's level of each indicator in 2015, 2019 and 2024;
// the years between are interpolated, the pandemic added, and a little noise
// laid on top so that series do not look ruled.
type profile struct {
	unemployment, upperSecondary, assistance, employment, population [3]float64
}

// profiles calibrate the demo on the spread the programme describes: under
// 4 % unemployment in the calmest district (Brämhult), over 40 % in the
// hardest-hit priority areas in the mid-2010s (Norrby, Hässleholmen), and
// Borås as a whole at 6–8 %. Sjöbo district sits at about 1.5 times the
// municipality, as on Borås Stad's pages (24 % against 16 % on the
// related measure "registered at the Public Employment Service, 16–64").
// Populations follow the town: about 113,000 in 2019, Norrby about 4,000
// and Sjöbo about 7,000.
var profiles = map[int64]profile{
	areaBoras:                {[3]float64{7.9, 6.9, 6.8}, [3]float64{83.2, 85.0, 86.6}, [3]float64{4.8, 4.1, 3.5}, [3]float64{76.0, 78.4, 79.2}, [3]float64{107000, 113200, 115600}},
	areaCentrum:              {[3]float64{6.8, 6.0, 5.9}, [3]float64{86.5, 87.8, 89.0}, [3]float64{3.4, 2.9, 2.5}, [3]float64{74.5, 76.8, 77.5}, [3]float64{8600, 9300, 9900}},
	areaNorrbyDistrict:       {[3]float64{36.0, 30.5, 26.5}, [3]float64{60.5, 63.0, 67.0}, [3]float64{26.0, 21.0, 16.5}, [3]float64{43.0, 49.5, 53.5}, [3]float64{4150, 4450, 4400}},
	areaSjoboDistrict:        {[3]float64{11.8, 10.4, 10.1}, [3]float64{76.0, 77.5, 79.5}, [3]float64{8.5, 7.4, 6.5}, [3]float64{66.0, 68.5, 70.0}, [3]float64{6850, 7050, 7120}},
	areaHassleholmenDistrict: {[3]float64{33.5, 28.5, 24.5}, [3]float64{61.0, 63.5, 67.0}, [3]float64{23.5, 19.0, 15.0}, [3]float64{45.0, 50.5, 54.5}, [3]float64{5350, 5600, 5550}},
	areaHultaDistrict:        {[3]float64{24.0, 20.5, 18.0}, [3]float64{66.0, 68.5, 71.5}, [3]float64{16.0, 13.5, 11.0}, [3]float64{52.5, 57.0, 60.0}, [3]float64{5600, 5900, 5950}},
	areaHestra:               {[3]float64{3.9, 3.4, 3.3}, [3]float64{92.0, 93.0, 93.8}, [3]float64{0.9, 0.7, 0.6}, [3]float64{86.0, 87.5, 88.0}, [3]float64{5900, 6300, 6700}},
	areaBramhult:             {[3]float64{3.6, 3.1, 3.0}, [3]float64{91.0, 92.2, 93.0}, [3]float64{1.0, 0.8, 0.7}, [3]float64{86.5, 87.8, 88.4}, [3]float64{6300, 6600, 6900}},
	areaNorrmalm:             {[3]float64{6.0, 5.3, 5.1}, [3]float64{87.5, 88.8, 89.8}, [3]float64{2.9, 2.5, 2.1}, [3]float64{77.5, 79.5, 80.2}, [3]float64{8200, 8500, 8800}},
	areaGotaDistrict:         {[3]float64{12.5, 11.0, 10.0}, [3]float64{74.0, 76.0, 78.5}, [3]float64{8.8, 7.6, 6.6}, [3]float64{64.0, 67.0, 69.0}, [3]float64{4400, 4550, 4600}},
	areaByttorp:              {[3]float64{5.5, 4.9, 4.6}, [3]float64{86.0, 87.5, 88.5}, [3]float64{2.6, 2.2, 1.9}, [3]float64{79.0, 80.5, 81.5}, [3]float64{3950, 4100, 4200}},
	areaTrandared:            {[3]float64{5.9, 5.2, 5.0}, [3]float64{86.8, 88.0, 89.2}, [3]float64{2.8, 2.4, 2.0}, [3]float64{76.5, 78.5, 79.5}, [3]float64{5800, 6150, 6400}},
	areaNorrby:               {[3]float64{43.5, 35.5, 30.5}, [3]float64{57.0, 60.0, 64.5}, [3]float64{29.0, 23.5, 18.5}, [3]float64{40.0, 46.5, 51.0}, [3]float64{3800, 4050, 4000}},
	areaSjobo:                {[3]float64{17.5, 15.4, 14.6}, [3]float64{70.5, 72.5, 75.0}, [3]float64{13.0, 11.2, 9.6}, [3]float64{58.0, 61.5, 63.5}, [3]float64{3150, 3250, 3280}},
	areaHassleholmen:         {[3]float64{42.0, 34.0, 28.8}, [3]float64{58.5, 61.0, 65.0}, [3]float64{27.5, 22.0, 17.5}, [3]float64{41.5, 47.5, 52.0}, [3]float64{4300, 4500, 4450}},
	areaHulta:                {[3]float64{29.5, 25.0, 21.5}, [3]float64{62.5, 65.5, 69.0}, [3]float64{20.0, 16.5, 13.2}, [3]float64{48.0, 53.5, 57.0}, [3]float64{3400, 3550, 3580}},
	areaGota:                 {[3]float64{16.0, 14.0, 12.6}, [3]float64{70.0, 72.5, 75.5}, [3]float64{12.0, 10.4, 9.0}, [3]float64{59.5, 62.5, 65.0}, [3]float64{1900, 1960, 1990}},
}

// trend interpolates an area's anchors (2015, 2019, 2024) for year y.
func trend(a [3]float64, y int) float64 {
	if y <= 2019 {
		return a[0] + (a[1]-a[0])*float64(y-2015)/4
	}
	return a[1] + (a[2]-a[1])*float64(y-2019)/5
}

// pandemic is how much the 2020 downturn and the slow 2021 recovery raise
// unemployment (a factor) and lower the employment rate (percentage points).
func pandemic(y int) (unemploymentFactor, employmentDrop float64) {
	switch y {
	case 2020:
		return 1.15, 1.7
	case 2021:
		return 1.08, 1.0
	}
	return 1, 0
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func pct(v float64) float64 { return round1(math.Max(0, math.Min(100, v))) }

// values computes every indicator value, ordered by area id, code, year and
// sex as Store.IndicatorValues returns them. The noise comes from a PCG
// generator with a fixed seed, drawn in a fixed order, so every call gives
// the same numbers.
func values() []db.IndicatorValue {
	rng := rand.New(rand.NewPCG(1490, 2015))
	// jitter is a relative disturbance of at most ±spread.
	jitter := func(spread float64) float64 { return 1 + spread*(2*rng.Float64()-1) }

	n := len(profiles) * (lastYear - firstYear + 1) * 9
	out := make([]db.IndicatorValue, 0, n)
	for id := areaBoras; id <= areaGota; id++ {
		pr := profiles[id]
		add := func(code string, y int, sex db.Sex, v float64) {
			out = append(out, db.IndicatorValue{AreaID: id, IndicatorCode: code, Year: y, Sex: sex, Value: v})
		}
		for y := firstYear; y <= lastYear; y++ {
			assist := trend(pr.assistance, y) * jitter(0.03)
			// Short-time work kept most people in their jobs in the
			// pandemic, so assistance rose only a little.
			if y == 2020 || y == 2021 {
				assist *= 1.03
			}
			add(indEconomicAssistance, y, db.SexTotal, pct(assist))
		}
		for y := firstYear; y <= lastYear; y++ {
			_, ed := pandemic(y)
			e := trend(pr.employment, y) - ed + 0.6*(2*rng.Float64()-1)
			// Women's employment rate is lower where many are newly
			// arrived, so the gap between the sexes widens as the rate falls.
			gap := math.Max(1, 0.12*(90-e))
			add(indEmploymentRate, y, db.SexTotal, pct(e))
			add(indEmploymentRate, y, db.SexFemale, pct(e-gap))
			add(indEmploymentRate, y, db.SexMale, pct(e+gap))
		}
		for y := firstYear; y <= lastYear; y++ {
			add(indPopulation, y, db.SexTotal, math.Round(trend(pr.population, y)*jitter(0.004)))
		}
		for y := firstYear; y <= lastYear; y++ {
			uf, _ := pandemic(y)
			u := trend(pr.unemployment, y) * uf * jitter(0.03)
			// In the priority areas more women than men are registered
			// (many came to Sweden as family members and are still in
			// introduction programmes); elsewhere men are slightly over-
			// represented, as in Borås as a whole.
			split := -0.06
			if u > 12 {
				split = 0.05
			}
			add(indUnemployment, y, db.SexTotal, pct(u))
			add(indUnemployment, y, db.SexFemale, pct(u*(1+split)))
			add(indUnemployment, y, db.SexMale, pct(u*(1-split)))
		}
		for y := firstYear; y <= lastYear; y++ {
			add(indUpperSecondary, y, db.SexTotal, pct(trend(pr.upperSecondary, y)+0.4*(2*rng.Float64()-1)))
		}
	}
	// The statistical areas' ids come after every other area's.
	return append(out, statisticalValues()...)
}
