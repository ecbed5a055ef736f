package layers_test

import (
	"math"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// TestDerivedValues: an area without a value of its own carries the one
// rolled up from the statistical areas in use that year, marked derived,
// partial where they cover less than the threshold, and withheld where it
// rests on a suppressed value, on every backend.
func TestDerivedValues(t *testing.T) {
	actor := db.Actor{ID: "key:layers-test", Role: db.RoleAdmin}
	for _, be := range backends {
		t.Run(be.Name, func(t *testing.T) {
			store := be.Open(t)
			c := newClient(t, store)
			ctx := t.Context()
			defs, err := store.Indicators(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			pas, err := store.Areas(ctx, db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}}, db.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]int64, len(pas.Items))
			byID := map[string]int{}
			for i, a := range pas.Items {
				ids[i], byID[a.NodeID()] = a.ID, i
			}
			// The demo's priority areas are measured up to 2024; their
			// 2025 population is rolled up, as db.DerivedValues derives it.
			want, err := db.DerivedValues(ctx, store, defs, ids, db.ValueFilter{Codes: []string{"population"}, FromYear: 2025, ToYear: 2025, Sexes: []db.Sex{db.SexTotal}})
			if err != nil {
				t.Fatal(err)
			}
			fc := c.features("/layers/priority-areas.geojson?indicator=population&year=2025")
			if len(fc.Features) != len(ids) {
				t.Fatalf("%d features, want %d", len(fc.Features), len(ids))
			}
			for _, f := range fc.Features {
				w := want[byID[f.ID]]
				got, ok := f.Properties["population"].(float64)
				if len(w) != 1 || !ok || math.Abs(got-w[0].Value.Value) > 1e-9 || f.Properties["derived"] != true ||
					f.Properties["suppressed"] != false || f.Properties["partial"] != w[0].Provenance.Partial {
					t.Errorf("%s 2025: %v, want %+v", f.ID, f.Properties, w)
				}
			}
			// Two priority areas each with a statistical area the other
			// does not touch: a 2026 value of the first's, counted, leaves
			// it partly covered; one of the second's below the rule
			// withholds its value.
			ovs, err := store.AreaOverlaps(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			touches := func(o *db.Overlaps, src int64) bool {
				for _, s := range o.Sources {
					if s.SourceID == src {
						return true
					}
				}
				return false
			}
			var a, b *db.Overlaps
			var srcA, srcB db.Overlap
		pick:
			for _, oa := range ovs {
				for _, ob := range ovs {
					if oa == ob || len(oa.Sources) < 2 || len(ob.Sources) == 0 {
						continue
					}
					sa := oa.Sources[0]
					for _, s := range oa.Sources {
						if s.Shared > sa.Shared {
							sa = s
						}
					}
					sb := ob.Sources[0]
					if touches(ob, sa.SourceID) || touches(oa, sb.SourceID) {
						continue
					}
					a, b, srcA, srcB = oa, ob, sa, sb
					break pick
				}
			}
			if a == nil {
				t.Fatal("no two priority areas with statistical areas of their own")
			}
			var pop *db.Indicator
			for _, d := range defs {
				if d.Code == "population" {
					pop = d
				}
			}
			if _, err := store.UpdateIndicator(ctx, actor, "population", pop.Version, db.IndicatorPatch{MinCount: db.Set(5)}); err != nil {
				t.Fatal(err)
			}
			big, small := 1_000_000, 2
			if _, err := store.PutIndicatorValues(ctx, actor, []db.IndicatorValue{
				{AreaID: srcA.SourceID, IndicatorCode: "population", Year: 2026, Sex: db.SexTotal, Value: 1_000_000, Count: &big},
				{AreaID: srcB.SourceID, IndicatorCode: "population", Year: 2026, Sex: db.SexTotal, Value: 2, Count: &small},
			}); err != nil {
				t.Fatal(err)
			}
			coverage := srcA.Shared / a.TargetArea
			if coverage >= db.CoverageThreshold {
				t.Fatalf("%s covers %v of area %d: no partial case", srcA.SourceCode, coverage, a.TargetID)
			}
			for _, f := range c.features("/layers/priority-areas.geojson?indicator=population&year=2026").Features {
				switch f.ID {
				case db.GlobalID(db.TypeArea, a.TargetID):
					got, ok := f.Properties["population"].(float64)
					if !ok || math.Abs(got-1_000_000*srcA.Share()) > 1e-6 || f.Properties["derived"] != true ||
						f.Properties["partial"] != true || f.Properties["suppressed"] != false {
						t.Errorf("%s 2026: %v, want %v derived from %s, partial", f.ID, f.Properties, 1_000_000*srcA.Share(), srcA.SourceCode)
					}
				case db.GlobalID(db.TypeArea, b.TargetID):
					if v, ok := f.Properties["population"]; !ok || v != nil || f.Properties["suppressed"] != true || f.Properties["derived"] != true {
						t.Errorf("%s 2026: %v, want withheld as it rests on %s", f.ID, f.Properties, srcB.SourceCode)
					}
				}
			}
		})
	}
}
