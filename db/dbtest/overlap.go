package dbtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// The overlap world is drawn in SWEREF 99 TM metres near Borås and stored
// in WGS 84: both backends project the vertices back, so the squares are
// squares again (to a tenth of a millimetre) and their overlaps can be
// computed by hand.
const (
	owX = 370_000.0
	owY = 6_400_000.0
)

// sq is the WGS 84 outline of the SWEREF 99 TM rectangle x0–x1, y0–y1
// (metres from the world's origin).
func sq(x0, y0, x1, y1 float64) orb.Polygon {
	r := orb.Ring{{owX + x0, owY + y0}, {owX + x1, owY + y0}, {owX + x1, owY + y1}, {owX + x0, owY + y1}, {owX + x0, owY + y0}}
	return geo.ToWGS84FromSWEREF99TM(orb.Polygon{r}).(orb.Polygon)
}

// overlapWorld: a 3 × 2 grid of 1 km statistical squares (ids 11–16,
// x 0–3 km, y 0–2 km), and targets drawn across them.
//
//	2 km ┌─────┬─────┬─────┐
//	     │ 14  │ 15  │ 16  │      21: x 0.5–2.5, y 0.5–1.5, across all six
//	1 km ├─────┼─────┼─────┤      22: inside 12 (x 1.2–1.8, y 0.2–0.8)
//	     │ 11  │ 12  │ 13  │      23: touches 13's east edge only (x 3–4)
//	   0 └─────┴─────┴─────┘      24: half outside the grid (x 2.5–3.5, y 0–1)
//	     0    1 km  2 km  3 km      25: a district over the whole grid
//
// 16 is in use from 2025 only.
func overlapWorld() *db.Dataset {
	ds := &db.Dataset{}
	add := func(id int64, kind db.AreaKind, g orb.Polygon, from, to *time.Time) {
		ds.Areas = append(ds.Areas, &db.Area{ID: id, Code: fmt.Sprintf("OW%d", id), Name: fmt.Sprintf("Area %d", id),
			Kind: kind, Geometry: g, ValidFrom: from, ValidTo: to})
	}
	for j := range 2 {
		for i := range 3 {
			id := int64(11 + 3*j + i)
			var from *time.Time
			if id == 16 {
				from = date(2025, 1, 1)
			}
			add(id, db.KindStatisticalArea, sq(float64(i)*1000, float64(j)*1000, float64(i+1)*1000, float64(j+1)*1000), from, nil)
		}
	}
	add(21, db.KindPriorityArea, sq(500, 500, 2500, 1500), nil, nil)
	add(22, db.KindPriorityArea, sq(1200, 200, 1800, 800), nil, nil)
	add(23, db.KindPriorityArea, sq(3000, 0, 4000, 1000), nil, nil)
	add(24, db.KindDistrict, sq(2500, 0, 3500, 1000), nil, nil)
	// A district that is not a source though it overlaps everything.
	add(25, db.KindDistrict, sq(0, 0, 3000, 2000), nil, nil)
	return ds
}

// closeTo says whether got is within db.OverlapTolerance of want,
// relative, or within a square millimetre for values near zero.
func closeTo(got, want float64) bool {
	return math.Abs(got-want) <= max(db.OverlapTolerance*math.Abs(want), 1e-6)
}

func testAreaOverlaps(t *testing.T, s db.Store) {
	if err := s.Load(ctx(t), overlapWorld()); err != nil {
		t.Fatal(err)
	}
	got := must[[]*db.Overlaps](t)(s.AreaOverlaps(ctx(t), []int64{21, 22, 23, 24, 999, 11, 25, 21}))
	if len(got) != 8 {
		t.Fatalf("%d answers for 8 targets", len(got))
	}
	type part struct {
		id     int64
		shared float64
	}
	want := []struct {
		name   string
		area   float64
		parts  []part
		exists bool
	}{
		{"across six squares", 2e6, []part{{11, 250e3}, {12, 500e3}, {13, 250e3}, {14, 250e3}, {15, 500e3}, {16, 250e3}}, true},
		{"inside one square", 360e3, []part{{12, 360e3}}, true},
		{"touching an edge only", 1e6, nil, true},
		{"half outside the sources", 1e6, []part{{13, 500e3}}, true},
		{"missing", 0, nil, false},
		{"a statistical area has no sources", 1e6, nil, true},
		{"the whole grid", 6e6, []part{{11, 1e6}, {12, 1e6}, {13, 1e6}, {14, 1e6}, {15, 1e6}, {16, 1e6}}, true},
		{"asked for twice", 2e6, []part{{11, 250e3}, {12, 500e3}, {13, 250e3}, {14, 250e3}, {15, 500e3}, {16, 250e3}}, true},
	}
	for i, w := range want {
		o := got[i]
		if !w.exists {
			if o != nil {
				t.Errorf("%s: %+v, want nil", w.name, o)
			}
			continue
		}
		if o == nil {
			t.Errorf("%s: nil", w.name)
			continue
		}
		if !closeTo(o.TargetArea, w.area) {
			t.Errorf("%s: target area %.6f m², want %.6f", w.name, o.TargetArea, w.area)
		}
		if len(o.Sources) != len(w.parts) {
			t.Errorf("%s: %d sources %+v, want %d", w.name, len(o.Sources), o.Sources, len(w.parts))
			continue
		}
		for k, p := range w.parts {
			src := o.Sources[k]
			if src.SourceID != p.id || src.SourceCode != fmt.Sprintf("OW%d", p.id) || !closeTo(src.Shared, p.shared) ||
				!closeTo(src.SourceArea, 1e6) {
				t.Errorf("%s: source %d is %+v, want area %d sharing %.0f m² of 1e6", w.name, k, src, p.id, p.shared)
			}
			if p.id == 16 && (src.ValidFrom == nil || !src.ValidFrom.Equal(*date(2025, 1, 1))) {
				t.Errorf("%s: source 16 comes without its validity: %v", w.name, src.ValidFrom)
			}
		}
	}
	if got[0] == got[7] || &got[0].Sources[0] == &got[7].Sources[0] {
		t.Error("a target asked for twice shares memory between its answers")
	}
	got[0].Sources[0].Shared = -1
	again := must[[]*db.Overlaps](t)(s.AreaOverlaps(ctx(t), []int64{21}))
	if again[0].Sources[0].Shared < 0 {
		t.Error("an edit of an answer reached the store")
	}
	if o := must[[]*db.Overlaps](t)(s.AreaOverlaps(ctx(t), nil)); len(o) != 0 {
		t.Errorf("no targets: %v", o)
	}
	_, err := s.AreaOverlaps(ctx(t), make([]int64, db.MaxOverlapTargets+1))
	wantRefused(t, "too many targets", err, db.EINVALID, "at most")

	// Never stale: a moved source and a moved target are measured anew on
	// the next read.
	sq11 := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{11}))[0]
	_, err = s.UpdateArea(ctx(t), testActor, 11, sq11.Version, db.AreaPatch{Geometry: db.Set[orb.Geometry](sq(0, 0, 1000, 500))})
	if err != nil {
		t.Fatal(err)
	}
	t22 := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{22}))[0]
	_, err = s.UpdateArea(ctx(t), testActor, 22, t22.Version, db.AreaPatch{Geometry: db.Set[orb.Geometry](sq(0, 0, 1000, 1000))})
	if err != nil {
		t.Fatal(err)
	}
	moved := must[[]*db.Overlaps](t)(s.AreaOverlaps(ctx(t), []int64{21, 22}))
	// 11 now spans y 0–500, below target 21 (y 500–1500): it only
	// touches, and is no longer a source.
	if src := moved[0].Sources; len(src) != 5 || src[0].SourceID != 12 {
		t.Errorf("after 11 moved, target 21's sources: %+v", src)
	}
	if src := moved[1].Sources; len(src) != 1 || src[0].SourceID != 11 || !closeTo(src[0].Shared, 500e3) || !closeTo(src[0].SourceArea, 500e3) {
		t.Errorf("after 11 and 22 moved, target 22's sources: %+v", src)
	}
}

// testAreaOverlapsGenerated measures generated star-shaped targets against
// a jittered grid of sources that covers them, and checks two things that
// do not depend on how either backend cuts: each target's parts add up to
// its surface (the sources tile the plane under it), and each part is the
// planar overlap geo computes on the projected outlines, within
// db.OverlapTolerance (for PostGIS, its own ST_Intersection against geo's).
func testAreaOverlapsGenerated(t *testing.T, s db.Store) {
	rng := rand.New(rand.NewPCG(7, 11))
	ds := &db.Dataset{}
	const n, cell = 8, 500.0
	// Jittered grid vertices shared by neighbouring cells, so the cells
	// tile the plane without gaps or overlaps.
	var vx [n + 1][n + 1]orb.Point
	for i := range n + 1 {
		for j := range n + 1 {
			jx, jy := 0.0, 0.0
			if i > 0 && i < n && j > 0 && j < n {
				jx, jy = (rng.Float64()-0.5)*cell*0.4, (rng.Float64()-0.5)*cell*0.4
			}
			vx[i][j] = orb.Point{owX + float64(i)*cell + jx, owY + float64(j)*cell + jy}
		}
	}
	projected := map[int64]orb.Geometry{}
	add := func(id int64, kind db.AreaKind, r orb.Ring) {
		g := orb.Polygon{r}
		projected[id] = g
		ds.Areas = append(ds.Areas, &db.Area{ID: id, Code: fmt.Sprintf("G%d", id), Name: "G", Kind: kind,
			Geometry: geo.ToWGS84FromSWEREF99TM(g)})
	}
	for i := range n {
		for j := range n {
			add(int64(100+i*n+j), db.KindStatisticalArea, orb.Ring{vx[i][j], vx[i+1][j], vx[i+1][j+1], vx[i][j+1], vx[i][j]})
		}
	}
	var targets []int64
	for k := range 12 {
		cx, cy := owX+cell+rng.Float64()*cell*(n-2), owY+cell+rng.Float64()*cell*(n-2)
		r0 := 100 + rng.Float64()*cell*0.8
		var r orb.Ring
		const m = 40
		for v := range m {
			a := 2 * math.Pi * float64(v) / m
			rr := r0 * (0.6 + 0.4*math.Abs(math.Sin(3*a+float64(k))))
			r = append(r, orb.Point{cx + rr*math.Cos(a), cy + rr*math.Sin(a)})
		}
		r = append(r, r[0])
		id := int64(1000 + k)
		add(id, db.KindPriorityArea, r)
		targets = append(targets, id)
	}
	if err := s.Load(ctx(t), ds); err != nil {
		t.Fatal(err)
	}
	got := must[[]*db.Overlaps](t)(s.AreaOverlaps(ctx(t), targets))
	var worst float64
	for i, id := range targets {
		o := got[i]
		var sum float64
		for _, src := range o.Sources {
			want, err := geo.IntersectionArea(projected[id], projected[src.SourceID])
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(src.Shared, want) {
				t.Errorf("target %d, source %d: shared %.6f m², planar overlap %.6f m²", id, src.SourceID, src.Shared, want)
			}
			worst = max(worst, math.Abs(src.Shared-want)/want)
			sum += src.Shared
		}
		if area := geo.PlanarArea(projected[id]); !closeTo(sum, area) || !closeTo(o.TargetArea, area) {
			t.Errorf("target %d: parts add up to %.6f m², target area %.6f m², its planar area %.6f m²", id, sum, o.TargetArea, area)
		}
	}
	t.Logf("largest relative difference from the planar overlay: %.3g", worst)
}

// testRollupNeverStale: a derived value follows, on the next read, a
// change of a source's value, of the rule, and of an outline.
func testRollupNeverStale(t *testing.T, s db.Store) {
	ds := overlapWorld()
	ds.Indicators = []*db.Indicator{{Code: "population", Name: "Population", Unit: "persons", Rollup: db.RollupSum}}
	for id := int64(11); id <= 16; id++ {
		ds.Values = append(ds.Values, db.IndicatorValue{AreaID: id, IndicatorCode: "population", Year: 2024, Sex: db.SexTotal, Value: 1000})
	}
	if err := s.Load(ctx(t), ds); err != nil {
		t.Fatal(err)
	}
	derived := func() []db.Derived {
		t.Helper()
		defs := must[[]*db.Indicator](t)(s.Indicators(ctx(t), nil))
		got := must[[][]db.Derived](t)(db.DerivedValues(ctx(t), s, defs, []int64{22}, db.ValueFilter{}))
		return got[0]
	}
	// Target 22 lies inside 12, on 0.36 of it.
	if d := derived(); len(d) != 1 || !closeTo(d[0].Value.Value, 360) || d[0].Provenance.Sources[0].Code != "OW12" {
		t.Fatalf("before: %+v", d)
	}
	must[int](t)(s.PutIndicatorValues(ctx(t), testActor, []db.IndicatorValue{
		{AreaID: 12, IndicatorCode: "population", Year: 2024, Sex: db.SexTotal, Value: 2000}}))
	if d := derived(); len(d) != 1 || !closeTo(d[0].Value.Value, 720) {
		t.Errorf("after the source's value changed: %+v", d)
	}
	t22 := must[[]*db.Area](t)(s.AreasByID(ctx(t), []int64{22}))[0]
	must[*db.Area](t)(s.UpdateArea(ctx(t), testActor, 22, t22.Version, db.AreaPatch{Geometry: db.Set[orb.Geometry](sq(1000, 0, 2000, 500))}))
	if d := derived(); len(d) != 1 || !closeTo(d[0].Value.Value, 1000) {
		t.Errorf("after the target moved to half of 12: %+v", d)
	}
	must[*db.Indicator](t)(s.UpdateIndicator(ctx(t), testActor, "population", 1, db.IndicatorPatch{Rollup: db.Set(db.RollupNone)}))
	if d := derived(); len(d) != 0 {
		t.Errorf("after the roll-up was turned off: %+v", d)
	}
}

// testValuesOrDerived: an area's measured value wins, others get their
// derived one with its provenance; a derived value resting on a
// suppressed source is withheld; coverage tells a partial value.
func testValuesOrDerived(t *testing.T, s db.Store) {
	ds := overlapWorld()
	ds.Indicators = []*db.Indicator{
		{Code: "jobless", Name: "Jobless", Unit: "persons", Rollup: db.RollupSum, MinCount: 5},
		{Code: "population", Name: "Population", Unit: "persons", Rollup: db.RollupSum},
	}
	for id := int64(11); id <= 16; id++ {
		n := 100
		if id == 12 {
			n = 3
		}
		ds.Values = append(ds.Values,
			db.IndicatorValue{AreaID: id, IndicatorCode: "population", Year: 2024, Sex: db.SexTotal, Value: 1000},
			db.IndicatorValue{AreaID: id, IndicatorCode: "jobless", Year: 2024, Sex: db.SexTotal, Value: float64(n), Count: &n})
	}
	// 22 was measured itself.
	ds.Values = append(ds.Values, db.IndicatorValue{AreaID: 22, IndicatorCode: "population", Year: 2024, Sex: db.SexTotal, Value: 7})
	if err := s.Load(ctx(t), ds); err != nil {
		t.Fatal(err)
	}
	defs := must[[]*db.Indicator](t)(s.Indicators(ctx(t), nil))
	areas := func(ids ...int64) []*db.Area { return must[[]*db.Area](t)(s.AreasByID(ctx(t), ids)) }
	got := must[[]db.Derived](t)(db.ValuesOrDerived(ctx(t), s, defs, areas(24, 22, 12, 21, 21),
		db.ValueFilter{Codes: []string{"population"}, Sexes: []db.Sex{db.SexTotal}, FromYear: 2024, ToYear: 2024}))
	type want struct {
		area     int64
		value    float64
		derived  bool
		coverage float64
	}
	// 21 lies on 1.75 of its 2 km² in 2024 (16 is drawn in 2025); 24 on
	// half of 13 and half outside the grid.
	wants := []want{{12, 1000, false, 0}, {21, 1750, true, 0.875}, {22, 7, false, 0}, {24, 500, true, 0.5}}
	if len(got) != len(wants) {
		t.Fatalf("got %d values, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		if g.Value.AreaID != w.area || !closeTo(g.Value.Value, w.value) || (g.Provenance != nil) != w.derived {
			t.Errorf("value %d: %+v %+v, want %+v", i, g.Value, g.Provenance, w)
			continue
		}
		if w.derived && (!closeTo(g.Provenance.Coverage, w.coverage) || !g.Provenance.Partial) {
			t.Errorf("area %d: coverage %v partial %v, want %v partial", w.area, g.Provenance.Coverage, g.Provenance.Partial, w.coverage)
		}
	}
	// Every area of the year and sex measured: nothing derived.
	got = must[[]db.Derived](t)(db.ValuesOrDerived(ctx(t), s, defs, areas(22, 12),
		db.ValueFilter{Codes: []string{"population"}, Sexes: []db.Sex{db.SexTotal}, FromYear: 2024, ToYear: 2024}))
	if len(got) != 2 || got[0].Provenance != nil || got[1].Provenance != nil {
		t.Errorf("measured only: %+v", got)
	}
	got = must[[]db.Derived](t)(db.ValuesOrDerived(ctx(t), s, defs, areas(21, 24),
		db.ValueFilter{Codes: []string{"jobless"}, FromYear: 2024, ToYear: 2024}))
	var jobless *db.Indicator
	for _, d := range defs {
		if d.Code == "jobless" {
			jobless = d
		}
	}
	if len(got) != 2 {
		t.Fatalf("jobless: %+v", got)
	}
	// 21 rests on 12, whose 3 are suppressed: withheld, though its own
	// count is large. 24 rests on 13 only.
	if p := got[0].Provenance; p == nil || !jobless.Withholds(got[0].Value, p) || len(p.SuppressedBy) != 1 || p.SuppressedBy[0] != "OW12" {
		t.Errorf("21: %+v %+v, want withheld by OW12", got[0].Value, p)
	}
	if p := got[1].Provenance; p == nil || jobless.Withholds(got[1].Value, p) || !closeTo(got[1].Value.Value, 50) {
		t.Errorf("24: %+v %+v, want 50 shown", got[1].Value, p)
	}
	if got := must[[]db.Derived](t)(db.ValuesOrDerived(ctx(t), s, defs, nil, db.ValueFilter{})); len(got) != 0 {
		t.Errorf("no areas: %+v", got)
	}
}
