package postgis_test

import (
	"math"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/db/synth"
)

// rollupDataset is a generated dataset whose indicators roll up: the
// population sums, unemployment is a mean weighed by the population,
// employment a mean weighed by area.
func rollupDataset(seed uint64) *db.Dataset {
	ds := synth.Generate(synth.Config{Seed: seed, StatisticalAreas: 600, Initiatives: 10, Organizations: 10, Years: 2})
	for _, d := range ds.Indicators {
		switch d.Code {
		case "population":
			d.Rollup = db.RollupSum
		case "unemployment":
			d.Rollup, d.WeightIndicator = db.RollupWeightedMean, "population"
		case "employment_rate":
			d.Rollup = db.RollupWeightedMean
		}
	}
	return ds
}

// TestRollupCrossBackend is the oracle test of the roll-up: PostGIS's own
// ST_Intersection on ST_Transform measures every priority area, district
// and municipality of a generated dataset, and the embedded store, with
// geo's projection and overlay, must find the same sources with the same
// shared surfaces within db.OverlapTolerance, and so the same derived
// values.
func TestRollupCrossBackend(t *testing.T) {
	seed := crossSeed(t)
	t.Logf("seed %d; replay with AREAGRAPH_SEED=%d", seed, seed)
	ctx := t.Context()
	ds := rollupDataset(seed)
	mem := memory.New()
	if err := mem.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	pg, err := postgis.Open(ctx, pgtest.SchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	if err := pg.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pg.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	var targets []int64
	for _, a := range ds.Areas {
		if a.Kind != db.KindStatisticalArea {
			targets = append(targets, a.ID)
		}
	}
	if len(targets) > db.MaxOverlapTargets {
		targets = targets[:db.MaxOverlapTargets]
	}
	om, err := mem.AreaOverlaps(ctx, targets)
	if err != nil {
		t.Fatal(err)
	}
	op, err := pg.AreaOverlaps(ctx, targets)
	if err != nil {
		t.Fatal(err)
	}
	rel := func(a, b float64) float64 { return math.Abs(a-b) / max(math.Abs(b), 1) }
	var worst float64
	var pairs int
	for i, id := range targets {
		m, p := om[i], op[i]
		if worst = max(worst, rel(m.TargetArea, p.TargetArea)); rel(m.TargetArea, p.TargetArea) > db.OverlapTolerance {
			t.Errorf("area %d: surface %.6f m² embedded, %.6f m² PostGIS", id, m.TargetArea, p.TargetArea)
		}
		if len(m.Sources) != len(p.Sources) {
			t.Errorf("area %d: %d sources embedded, %d PostGIS", id, len(m.Sources), len(p.Sources))
			continue
		}
		for k := range m.Sources {
			ms, ps := m.Sources[k], p.Sources[k]
			pairs++
			worst = max(worst, rel(ms.Shared, ps.Shared), rel(ms.SourceArea, ps.SourceArea))
			if ms.SourceID != ps.SourceID || rel(ms.Shared, ps.Shared) > db.OverlapTolerance ||
				rel(ms.SourceArea, ps.SourceArea) > db.OverlapTolerance {
				t.Errorf("area %d, source %d: embedded %+v, PostGIS %+v", id, k, ms, ps)
			}
		}
	}
	t.Logf("%d targets, %d overlapping pairs; largest relative difference %.3g", len(targets), pairs, worst)
	if pairs == 0 {
		t.Fatal("no overlaps at all: the test tests nothing")
	}

	f := db.ValueFilter{}
	dm, err := db.DerivedValues(ctx, mem, ds.Indicators, targets, f)
	if err != nil {
		t.Fatal(err)
	}
	dp, err := db.DerivedValues(ctx, pg, ds.Indicators, targets, f)
	if err != nil {
		t.Fatal(err)
	}
	var values int
	worst = 0
	for i, id := range targets {
		if len(dm[i]) != len(dp[i]) {
			t.Errorf("area %d: %d derived values embedded, %d PostGIS", id, len(dm[i]), len(dp[i]))
			continue
		}
		for k := range dm[i] {
			m, p := dm[i][k], dp[i][k]
			values++
			worst = max(worst, rel(m.Value.Value, p.Value.Value))
			if m.Value.IndicatorCode != p.Value.IndicatorCode || m.Value.Year != p.Value.Year ||
				rel(m.Value.Value, p.Value.Value) > db.OverlapTolerance ||
				math.Abs(m.Provenance.Coverage-p.Provenance.Coverage) > db.OverlapTolerance ||
				len(m.Provenance.Sources) != len(p.Provenance.Sources) {
				t.Errorf("area %d: embedded %+v %+v, PostGIS %+v %+v", id, m.Value, m.Provenance, p.Value, p.Provenance)
			}
		}
	}
	t.Logf("%d derived values; largest relative difference %.3g", values, worst)
	if values == 0 {
		t.Fatal("nothing derived: the test tests nothing")
	}
}
