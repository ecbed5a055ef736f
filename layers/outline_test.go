package layers

import (
	"context"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/paulmach/orb"
)

// TestOutlineCommandsAsTileGeometry: an outline drawn straight into a
// tile's commands (outlineCommands) is drawn exactly as tileGeometry
// and encodeGeometry draw it, for the synthetic areas' outlines, raw and
// simplified, on the tiles around them at several zooms, and for shapes
// at the edges of what a tile keeps.
func TestOutlineCommandsAsTileGeometry(t *testing.T) {
	ds := synth.Generate(synth.Config{Seed: 3, StatisticalAreas: 60, Initiatives: 1, Organizations: 1, Years: 1})
	s := memory.New()
	if err := s.Load(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	h := New(s, nil)
	var sc tileScratch
	compare := func(what string, g orb.Geometry, z, x, y int) bool {
		t.Helper()
		bound := tileBound(z, x, y, tileBuffer)
		proj := newTileProjection(z, x, y)
		before := orb.Clone(g)
		want := []uint32{}
		if tg := tileGeometry(g, bound, proj); tg != nil {
			_, want = encodeGeometry(want, tg)
		}
		w := geomWriter{out: []uint32{}}
		if !sc.outlineCommands(&w, g, bound, proj) {
			t.Fatalf("%s: not drawn as an outline", what)
		}
		if !slices.Equal(w.out, want) {
			t.Errorf("%s at %d/%d/%d: got %v, want %v", what, z, x, y, w.out, want)
			return false
		}
		if !orb.Equal(g, before) {
			t.Fatalf("%s: the outline changed", what)
		}
		return len(want) > 0
	}
	drawn := 0
	for _, a := range ds.Areas {
		if a.Geometry == nil {
			continue
		}
		for _, z := range []int{6, 9, 10, 12, 14} {
			g, err := h.outlines.Zoom(context.Background(), a, float64(z))
			if err != nil {
				t.Fatal(err)
			}
			b := a.Geometry.Bound()
			world := newTileProjection(z, 0, 0)
			nw, se := world.point(orb.Point{b.Min[0], b.Max[1]}), world.point(orb.Point{b.Max[0], b.Min[1]})
			x0, y0 := int(nw[0])/tileExtent, int(nw[1])/tileExtent
			x1, y1 := int(se[0])/tileExtent, int(se[1])/tileExtent
			for x := x0 - 1; x <= min(x1+1, x0+4); x++ {
				for y := y0 - 1; y <= min(y1+1, y0+4); y++ {
					for _, c := range []orb.Geometry{a.Geometry, g} {
						if compare(a.Code, c, z, x, y) {
							drawn++
						}
					}
				}
			}
		}
	}
	if drawn < 100 {
		t.Errorf("only %d outlines drawn on a tile; the comparison saw too little", drawn)
	}

	// Shapes on the grid of tile 12/2195/1239: a square with a hole,
	// one whose hole is below one cell, one of less than a cell, one
	// across the buffer's edge, one wholly outside it, a ring wound the
	// other way, parts of a multipolygon of which one is outside.
	z, x, y := 12, 2195, 1239
	b := tileBound(z, x, y, 0)
	at := func(u, v float64) orb.Point { // u, v in tile units
		return orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*u/tileExtent, b.Max[1] - (b.Max[1]-b.Min[1])*v/tileExtent}
	}
	sq := func(u0, v0, u1, v1 float64) orb.Ring {
		return orb.Ring{at(u0, v0), at(u0, v1), at(u1, v1), at(u1, v0), at(u0, v0)}
	}
	rev := func(r orb.Ring) orb.Ring { r = slices.Clone(r); slices.Reverse(r); return r }
	for name, g := range map[string]orb.Geometry{
		"square with a hole":  orb.Polygon{sq(100, 100, 900, 900), sq(300, 300, 600, 600)},
		"hole below a cell":   orb.Polygon{sq(100, 100, 900, 900), sq(300, 300, 300.2, 300.2)},
		"below a cell":        orb.Polygon{sq(100, 100, 100.3, 100.3)},
		"across the buffer":   orb.Polygon{sq(-500, -500, 200, 5000), sq(-300, 100, 100, 200)},
		"outside":             orb.Polygon{sq(-900, -900, -500, -500)},
		"wound the other way": orb.Polygon{rev(sq(100, 100, 900, 900)), rev(sq(300, 300, 600, 600))},
		"parts":               orb.MultiPolygon{{sq(-900, -900, -500, -500)}, {sq(10, 10, 20, 4200)}, {sq(4000, 4000, 5000, 5000)}},
		"an open ring":        orb.Polygon{sq(-100, 100, 900, 900)[:4]},
	} {
		compare(name, g, z, x, y)
	}
}
