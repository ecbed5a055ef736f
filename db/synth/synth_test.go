package synth_test

import (
	"math"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/synth"
)

// small is a dataset of a few municipalities; 130 statistical areas leave
// the last one partly covered.
var small = synth.Config{Seed: 7, StatisticalAreas: 130, Initiatives: 900, Organizations: 200, Years: 3}

func byKind(ds *db.Dataset) map[db.AreaKind][]*db.Area {
	out := map[db.AreaKind][]*db.Area{}
	for _, a := range ds.Areas {
		out[a.Kind] = append(out[a.Kind], a)
	}
	return out
}

func TestCounts(t *testing.T) {
	ds := synth.Generate(small)
	kinds := byKind(ds)
	if got := len(kinds[db.KindStatisticalArea]); got != 130 {
		t.Errorf("%d statistical areas, want 130", got)
	}
	if got := len(kinds[db.KindMunicipality]); got != 7 {
		t.Errorf("%d municipalities, want 7 (20 statistical areas each, the last partly)", got)
	}
	if got := len(kinds[db.KindDistrict]); got != 28 {
		t.Errorf("%d districts, want 4 per municipality", got)
	}
	if len(kinds[db.KindPriorityArea]) == 0 {
		t.Error("no priority areas")
	}
	if len(ds.Organizations) != 200 || len(ds.Initiatives) != 900 {
		t.Errorf("%d organizations and %d initiatives, want 200 and 900", len(ds.Organizations), len(ds.Initiatives))
	}
	if len(ds.Indicators) != 5 || len(ds.Values) != len(ds.Areas)*5*3 {
		t.Errorf("%d indicators and %d values, want 5 and %d", len(ds.Indicators), len(ds.Values), len(ds.Areas)*5*3)
	}
	for i, a := range ds.Areas {
		if a.ID != int64(i+1) {
			t.Fatalf("area %d has id %d; ids run from 1 in order", i, a.ID)
		}
	}

	holes := 0
	var multi bool
	for _, a := range kinds[db.KindStatisticalArea] {
		poly := a.Geometry.(orb.Polygon)
		holes += len(poly) - 1
		if n := len(poly[0]) - 1; n < synth.DefaultMinVertices || n > synth.DefaultMaxVertices {
			t.Errorf("area %s has %d vertices, want %d–%d", a.Code, n, synth.DefaultMinVertices, synth.DefaultMaxVertices)
		}
	}
	for _, a := range kinds[db.KindPriorityArea] {
		_, ok := a.Geometry.(orb.MultiPolygon)
		multi = multi || ok
	}
	if holes != 13 {
		t.Errorf("%d holes, want every tenth statistical area to have one (13)", holes)
	}
	if !multi {
		t.Error("no priority area is a MultiPolygon")
	}

	empty := synth.Generate(synth.Config{StatisticalAreas: -1, Initiatives: -1, Organizations: -1, Years: -1})
	if n := len(empty.Areas) + len(empty.Organizations) + len(empty.Initiatives) + len(empty.Values); n != 0 {
		t.Errorf("negative counts gave %d records", n)
	}
}

func TestValidates(t *testing.T) {
	cfgs := []synth.Config{
		small,
		{Seed: 1, StatisticalAreas: 1000, Initiatives: 5000, Organizations: 1000, Years: 2},
		// Coarse cells, few vertices, holes everywhere.
		{Seed: 2, StatisticalAreas: 21, Initiatives: 50, Organizations: 10, Years: 1, MinVertices: 4, MaxVertices: 8,
			HoleEvery: 1},
		{Seed: 3, StatisticalAreas: 5, Initiatives: 20, Organizations: -1, HoleEvery: -1, MinVertices: 400, MaxVertices: 400},
	}
	for _, cfg := range cfgs {
		if err := synth.Generate(cfg).Validate(); err != nil {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}

// TestDefaultValidates checks the full default size, which takes a few
// seconds (more under the race detector).
func TestDefaultValidates(t *testing.T) {
	if testing.Short() {
		t.Skip("the default dataset takes seconds to generate and check")
	}
	ds := synth.Generate(synth.Config{Seed: 42})
	if err := ds.Validate(); err != nil {
		t.Fatal(err)
	}
	kinds := byKind(ds)
	if len(kinds[db.KindStatisticalArea]) != synth.DefaultStatisticalAreas ||
		len(ds.Initiatives) != synth.DefaultInitiatives || len(ds.Organizations) != synth.DefaultOrganizations {
		t.Errorf("default size: %d statistical areas, %d initiatives, %d organizations",
			len(kinds[db.KindStatisticalArea]), len(ds.Initiatives), len(ds.Organizations))
	}
}

func TestDeterministic(t *testing.T) {
	a, b := synth.Generate(small), synth.Generate(small)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two datasets of one seed differ")
	}
	other := small
	other.Seed++
	if reflect.DeepEqual(a.Areas, synth.Generate(other).Areas) {
		t.Error("another seed gave the same areas")
	}
	more := small
	more.Initiatives *= 2
	c := synth.Generate(more)
	if !reflect.DeepEqual(a.Areas, c.Areas) || !reflect.DeepEqual(a.Organizations, c.Organizations) ||
		!reflect.DeepEqual(a.Values, c.Values) {
		t.Error("more initiatives changed the areas, organisations or values")
	}
	if !reflect.DeepEqual(a.Initiatives, c.Initiatives[:len(a.Initiatives)]) {
		t.Error("more initiatives changed the first ones")
	}
}

// TestTiling checks that siblings tile their parent: the outer rings of a
// fully covered municipality's districts and of its statistical areas add
// up to its area, and random points lie in at most one area of each kind,
// within the parents the records name.
func TestTiling(t *testing.T) {
	cfg := synth.Config{Seed: 11, StatisticalAreas: 200, Initiatives: 2000, Organizations: 300, Years: 1}
	ds := synth.Generate(cfg)
	kinds := byKind(ds)
	outer := func(kind db.AreaKind) float64 {
		var sum float64
		for _, a := range kinds[kind] {
			sum += planar.Area(a.Geometry.(orb.Polygon)[0])
		}
		return sum
	}
	muni := outer(db.KindMunicipality)
	for _, kind := range []db.AreaKind{db.KindDistrict, db.KindStatisticalArea} {
		if got := outer(kind); math.Abs(got-muni) > 1e-9*muni {
			t.Errorf("%s outer rings cover %.12f square degrees, municipalities %.12f", kind, got, muni)
		}
	}

	s := memory.New()
	if err := s.Load(t.Context(), ds); err != nil {
		t.Fatal(err)
	}
	byID := map[int64]*db.Area{}
	for _, a := range ds.Areas {
		byID[a.ID] = a
	}
	sample := synth.NewSampler(ds, 1)
	for range 3000 {
		p := sample.Point()
		found, err := s.AreasAt(t.Context(), p, nil, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[db.AreaKind]*db.Area{}
		for _, a := range found {
			if seen[a.Kind] != nil {
				t.Fatalf("%v lies in %s %s and %s", p, a.Kind, seen[a.Kind].Code, a.Code)
			}
			seen[a.Kind] = a
		}
		if sa := seen[db.KindStatisticalArea]; sa != nil {
			d := seen[db.KindDistrict]
			if d == nil || sa.ParentID != d.ID || d.ParentID != seen[db.KindMunicipality].ID {
				t.Fatalf("%v: statistical area %s is not within its district and municipality: %v", p, sa.Code, ids(found))
			}
		}
		if pa := seen[db.KindPriorityArea]; pa != nil && (seen[db.KindStatisticalArea] == nil || pa.ParentID != seen[db.KindDistrict].ID) {
			t.Fatalf("%v: priority area %s is not made of statistical areas of its district: %v", p, pa.Code, ids(found))
		}
	}

	// Organisations sit strictly inside the statistical area they engage in.
	for _, o := range ds.Organizations {
		if o.Location == nil || len(o.AreaIDs) == 0 {
			continue
		}
		found, err := s.AreasAt(t.Context(), *o.Location, []db.AreaKind{db.KindStatisticalArea}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || !slices.Contains(o.AreaIDs, found[0].ID) {
			t.Fatalf("organization %d at %v lies in %v, engages in %v", o.ID, *o.Location, ids(found), o.AreaIDs)
		}
	}
}

func ids(as []*db.Area) []int64 {
	var out []int64
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func TestSmallLoadsIntoMemory(t *testing.T) {
	s := memory.New()
	ds := synth.Generate(small)
	if err := s.Load(t.Context(), ds); err != nil {
		t.Fatal(err)
	}
	l, err := s.Initiatives(t.Context(), db.InitiativeFilter{}, db.Page{Limit: 1})
	if err != nil || l.Total != len(ds.Initiatives) {
		t.Errorf("store holds %d initiatives (%v), want %d", l.Total, err, len(ds.Initiatives))
	}
}

func TestSamplerIsDeterministic(t *testing.T) {
	ds := synth.Generate(small)
	a, b := synth.NewSampler(ds, 3), synth.NewSampler(ds, 3)
	for range 100 {
		if a.Point() != b.Point() || a.Box(0.05) != b.Box(0.05) || a.NearLocation(500) != b.NearLocation(500) ||
			!slices.Equal(a.AreaIDs(3), b.AreaIDs(3)) {
			t.Fatal("two samplers of one seed differ")
		}
	}
}

// BenchmarkGenerate measures the default size; B/op is what it allocates,
// live-MB what the dataset holds once built.
func BenchmarkGenerate(b *testing.B) {
	var ds *db.Dataset
	for b.Loop() {
		ds = synth.Generate(synth.Config{Seed: 1})
	}
	b.StopTimer()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ds)
	ds = nil
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "live-MB")
}
