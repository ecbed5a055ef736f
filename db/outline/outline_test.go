package outline_test

import (
	"context"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/geo"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/paulmach/orb"
)

var synthConfig = synth.Config{Seed: 9, StatisticalAreas: 100, Initiatives: 10, Organizations: 10, Years: 1}

// stores are the synthetic dataset in each backend.
func stores(t *testing.T) map[string]db.Store {
	ds := synth.Generate(synthConfig)
	out := map[string]db.Store{"memory": memory.New(), "postgis": storetest.PostGIS(t, pgtest.SchemaURL(t))}
	for name, s := range out {
		if err := s.Load(context.Background(), ds); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return out
}

func statistical(t *testing.T, s db.Store) []*db.Area {
	l, err := s.Areas(context.Background(), db.AreaFilter{Kinds: []db.AreaKind{db.KindStatisticalArea}}, db.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

// TestNeighboursKeepTheirBorder: the statistical areas, which tile their
// region, simplified through the cache, overlap nowhere, are valid, and
// are the same on both backends.
func TestNeighboursKeepTheirBorder(t *testing.T) {
	ctx := context.Background()
	got := map[string][]orb.Geometry{}
	for name, s := range stores(t) {
		c := outline.New(s, 0)
		areas := statistical(t, s)
		for _, ask := range []struct {
			zoom   int
			meters float64
		}{{zoom: 9}, {zoom: 11}, {zoom: -1, meters: 500}} {
			var gs []orb.Geometry
			for _, a := range areas {
				var g orb.Geometry
				var err error
				if ask.zoom >= 0 {
					g, err = c.Zoom(ctx, a, float64(ask.zoom))
				} else {
					g, err = c.Meters(ctx, a, ask.meters)
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := geo.Validate(g, geo.Options{}); err != nil {
					t.Fatalf("%s %+v: area %d: %v", name, ask, a.ID, err)
				}
				gs = append(gs, g)
			}
			worst, vertices, before := 0.0, 0, 0
			for i := range gs {
				vertices += len(ringPoints(gs[i]))
				before += len(ringPoints(areas[i].Geometry))
				for j := i + 1; j < len(gs); j++ {
					if !gs[i].Bound().Intersects(gs[j].Bound()) {
						continue
					}
					a, err := geo.IntersectionArea(geo.ToSWEREF99TMFromWGS84(gs[i]), geo.ToSWEREF99TMFromWGS84(gs[j]))
					if err != nil {
						t.Fatal(err)
					}
					worst = max(worst, a)
				}
			}
			if worst > 1 {
				t.Errorf("%s %+v: neighbours overlap by up to %.3f m²", name, ask, worst)
			}
			if vertices >= before {
				t.Errorf("%s %+v: %d of %d vertices kept", name, ask, vertices, before)
			}
			t.Logf("%s %+v: %d of %d vertices, largest overlap %.4f m²", name, ask, vertices, before, worst)
			got[name] = append(got[name], gs...)
		}
		if n := c.Builds(); n != 1 {
			t.Errorf("%s: the group was read %d times for three tolerances, want once", name, n)
		}
	}
	m, p := got["memory"], got["postgis"]
	if len(m) != len(p) {
		t.Fatalf("memory %d outlines, postgis %d", len(m), len(p))
	}
	for i := range m {
		if !orb.Equal(m[i], p[i]) {
			t.Fatalf("outline %d differs between the backends:\nmemory  %v\npostgis %v", i, m[i], p[i])
		}
	}
}

// TestAWriteIsSeen: an outline changed by a write is simplified from the
// new one, and its neighbours are read again with it.
func TestAWriteIsSeen(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	if err := s.Load(ctx, synth.Generate(synthConfig)); err != nil {
		t.Fatal(err)
	}
	c := outline.New(s, 0)
	areas := statistical(t, s)
	a := areas[0]
	if _, err := c.Zoom(ctx, a, 10); err != nil {
		t.Fatal(err)
	}
	b := a.Geometry.Bound()
	sq := orb.Polygon{{b.Min, {b.Min[0] + 0.001, b.Min[1]}, {b.Min[0] + 0.001, b.Min[1] + 0.001}, {b.Min[0], b.Min[1] + 0.001}, b.Min}}
	upd, err := s.UpdateArea(ctx, db.Actor{ID: "key:t", Role: db.RoleAdmin}, a.ID, a.Version, db.AreaPatch{Geometry: db.Set[orb.Geometry](sq)})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.Zoom(ctx, upd, 10)
	if err != nil {
		t.Fatal(err)
	}
	if gb := g.Bound(); gb.Max[0]-gb.Min[0] > 0.0011 {
		t.Fatalf("after the write the outline spans %v, want the new square", gb)
	}
	if n := c.Builds(); n != 2 {
		t.Fatalf("%d reads of the group, want 2: one before the write, one after", n)
	}
}

// TestStep: tolerances in metres go down a ladder of fifth-octave steps.
func TestStep(t *testing.T) {
	for _, m := range []float64{0.5, 1, 1.2, 10, 99.9, 100, 1000, 12345, 100_000} {
		s := outline.Step(m)
		if s > m || (m >= 1 && s < m/1.123) {
			t.Errorf("Step(%g) = %g", m, s)
		}
	}
	if outline.Step(1000) != 1000 || outline.Step(1100) != 1000 || outline.Step(100) != 100 {
		t.Errorf("round figures are not steps: %g %g %g", outline.Step(1000), outline.Step(1100), outline.Step(100))
	}
}

func ringPoints(g orb.Geometry) []orb.Point {
	var out []orb.Point
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			out = append(out, r...)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			out = append(out, ringPoints(p)...)
		}
	}
	return out
}

// TestZoomByID: an area read without its outline gets the
// outline Zoom gives it read with one, on both backends: from its group,
// from the store when the group is too large to keep, and the new one
// after a write changed it, its group read again.
func TestZoomByIDOfAnAreaReadWithoutGeometry(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		bare, err := s.Areas(ctx, db.AreaFilter{Kinds: []db.AreaKind{db.KindStatisticalArea}}, db.Page{Limit: 1000, Omit: db.PartGeometry})
		if err != nil {
			t.Fatal(err)
		}
		areas := statistical(t, s)
		// A bound of 1 byte keeps no group: every outline is read and
		// simplified by itself.
		for _, limit := range []int{0, 1} {
			c, ref := outline.New(s, limit), outline.New(s, limit)
			for i, a := range bare.Items {
				got, err := c.ZoomByID(ctx, a, 10)
				if err != nil {
					t.Fatal(err)
				}
				want, err := ref.Zoom(ctx, areas[i], 10)
				if err != nil {
					t.Fatal(err)
				}
				if got == nil || !orb.Equal(got, want) {
					t.Fatalf("%s, limit %d: area %d: %v without its geometry, %v with it", name, limit, a.ID, got, want)
				}
			}
			if n, want := c.Builds(), 1-limit; n != want {
				t.Errorf("%s, limit %d: the group read and kept %d times, want %d", name, limit, n, want)
			}
		}

		c := outline.New(s, 0)
		a := bare.Items[0]
		if _, err := c.ZoomByID(ctx, a, 10); err != nil {
			t.Fatal(err)
		}
		b := areas[0].Geometry.Bound()
		sq := orb.Polygon{{b.Min, {b.Min[0] + 0.001, b.Min[1]}, {b.Min[0] + 0.001, b.Min[1] + 0.001}, {b.Min[0], b.Min[1] + 0.001}, b.Min}}
		if _, err := s.UpdateArea(ctx, db.Actor{ID: "key:t", Role: db.RoleAdmin}, a.ID, a.Version, db.AreaPatch{Geometry: db.Set[orb.Geometry](sq)}); err != nil {
			t.Fatal(err)
		}
		// The version the store reads now is not the one the group
		// holds.
		now, err := s.Areas(ctx, db.AreaFilter{Codes: []string{a.Code}}, db.Page{Limit: 1, Omit: db.PartGeometry})
		if err != nil {
			t.Fatal(err)
		}
		g, err := c.ZoomByID(ctx, now.Items[0], 10)
		if err != nil {
			t.Fatal(err)
		}
		if gb := g.Bound(); gb.Max[0]-gb.Min[0] > 0.0011 {
			t.Errorf("%s: after the write the outline spans %v, want the new square", name, gb)
		}
		if n := c.Builds(); n != 2 {
			t.Errorf("%s: %d reads of the group, want 2: one before the write, one after", name, n)
		}
	}
}
