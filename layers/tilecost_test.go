package layers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/layers"
	"github.com/paulmach/orb"
)

// synthStore is a small synthetic dataset in the embedded store.
func synthStore(t *testing.T, cfg synth.Config) (*memory.Store, *db.Dataset) {
	t.Helper()
	ds := synth.Generate(cfg)
	s := memory.New()
	if err := s.Load(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
	return s, ds
}

func serve(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
		t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
	}
	return rec
}

func tilePath(layer string, z, x, y int) string {
	return "/tiles/" + layer + "/" + strconv.Itoa(z) + "/" + strconv.Itoa(x) + "/" + strconv.Itoa(y) + ".mvt"
}

// TestOutlinesSimplifiedOncePerZoom: the tiles of one zoom around an
// area read and prepare its group of areas once; a write that changes its
// outline is seen at once.
func TestOutlinesSimplifiedOncePerZoom(t *testing.T) {
	s, ds := synthStore(t, synth.Config{Seed: 5, StatisticalAreas: 40, Initiatives: 10, Organizations: 10, Years: 1})
	h := layers.New(s, nil)
	var a *db.Area
	for _, x := range ds.Areas {
		if x.Kind == db.KindStatisticalArea {
			a = x
			break
		}
	}
	c := a.Geometry.Bound().Center()
	const z = 12
	cx, cy := tileOf(c[0], c[1], z)
	var first []byte
	for round := range 2 {
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				rec := serve(t, h, tilePath("statistical-areas", z, cx+dx, cy+dy))
				if dx == 0 && dy == 0 && round == 0 {
					first = rec.Body.Bytes()
				}
			}
		}
	}
	// Nine tiles twice over: the statistical areas read and prepared
	// once.
	if n := h.Outlines().Builds(); n != 1 {
		t.Fatalf("the group of statistical areas prepared %d times for nine tiles served twice; want once", n)
	}

	// Replace the area's outline by a small square in the middle of the
	// tile: the next tile shows the square, not the outline kept.
	sq := orb.Polygon{{{c[0] - 0.001, c[1] - 0.001}, {c[0] + 0.001, c[1] - 0.001}, {c[0] + 0.001, c[1] + 0.001}, {c[0] - 0.001, c[1] + 0.001}, {c[0] - 0.001, c[1] - 0.001}}}
	// A loaded area of version 0 is stored as version 1.
	if _, err := s.UpdateArea(context.Background(), db.Actor{ID: "key:t", Role: db.RoleAdmin}, a.ID, max(a.Version, 1), db.AreaPatch{Geometry: db.Set[orb.Geometry](sq)}); err != nil {
		t.Fatal(err)
	}
	after := serve(t, h, tilePath("statistical-areas", z, cx, cy)).Body.Bytes()
	if string(after) == string(first) {
		t.Fatal("the tile is unchanged after the area's outline changed")
	}
	if n := h.Outlines().Builds(); n != 2 {
		t.Fatalf("the group prepared %d times in all, want twice: before and after the write", n)
	}
	ls, err := layers.DecodeTile(after)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ls[0].Features {
		if f.ID == uint64(a.ID) {
			if b := f.Geometry.Bound(); b.Max[0]-b.Min[0] > 1000 {
				t.Fatalf("area %d spans %v tile units after it became a square of some 200", a.ID, b)
			}
			return
		}
	}
	t.Fatalf("area %d not in its tile after the write", a.ID)
}

// TestLowZoomPointTilesAreClustered: a tile of many points stays small,
// and its counts add up to every record in it.
func TestLowZoomPointTilesAreClustered(t *testing.T) {
	s, ds := synthStore(t, synth.Config{Seed: 6, StatisticalAreas: 200, Initiatives: 20_000, Organizations: 100, Years: 1})
	h := layers.New(s, nil)
	loc := ds.Initiatives[0].Locations[0]
	const z = 3
	x, y := tileOf(loc[0], loc[1], z)
	rec := serve(t, h, tilePath("initiatives", z, x, y))
	if n := rec.Body.Len(); n > 64<<10 {
		t.Fatalf("the z3 tile of 20,000 initiatives is %d bytes, over 64 KiB", n)
	}
	ls, err := layers.DecodeTile(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	total, ones := 0, 0
	for _, f := range ls[0].Features {
		c, ok := f.Properties["count"].(float64)
		n := int(c)
		if !ok || n == 0 {
			t.Fatalf("feature %+v has no count", f)
		}
		total += n
		if n == 1 {
			ones++
			if f.ID == 0 || f.Properties["id"] == nil {
				t.Errorf("a point of one record lost its id: %+v", f)
			}
		} else if f.ID != 0 || f.Properties["id"] != nil {
			t.Errorf("a cluster of %d carries an id: %+v", n, f)
		}
	}
	// Every initiative lies in the tile (the synthetic map is far
	// smaller) and counts once in each cell it has a location in.
	locs := 0
	for _, in := range ds.Initiatives {
		locs += len(in.Locations)
	}
	if total < len(ds.Initiatives) || total > locs {
		t.Fatalf("counts add up to %d, want between the %d initiatives and their %d locations", total, len(ds.Initiatives), locs)
	}
	if len(ls[0].Features) > 1089 {
		t.Fatalf("%d points, more than the grid's cells", len(ls[0].Features))
	}
	t.Logf("%d initiatives as %d points (%d single), %d bytes", total, len(ls[0].Features), ones, rec.Body.Len())

	// A deep tile is not clustered: its features are records.
	z16x, z16y := tileOf(loc[0], loc[1], 16)
	ls, err = layers.DecodeTile(serve(t, h, tilePath("initiatives", 16, z16x, z16y)).Body.Bytes())
	if err != nil || len(ls) == 0 {
		t.Fatalf("%v %v", ls, err)
	}
	for _, f := range ls[0].Features {
		if _, ok := f.Properties["count"]; ok || f.Properties["title"] == nil {
			t.Fatalf("a z16 feature %+v is not a record", f)
		}
	}
}

// TestMinZoom: the statistical areas have no tiles above their minimum
// zoom, and their TileJSON says where they start.
func TestMinZoom(t *testing.T) {
	s, ds := synthStore(t, synth.Config{Seed: 7, StatisticalAreas: 40, Initiatives: 10, Organizations: 10, Years: 1})
	h := layers.New(s, nil)
	c := ds.Areas[len(ds.Areas)-1].Geometry.Bound().Center()
	for z, want := range map[int]int{5: http.StatusNoContent, 6: http.StatusOK} {
		x, y := tileOf(c[0], c[1], z)
		if rec := serve(t, h, tilePath("statistical-areas", z, x, y)); rec.Code != want {
			t.Errorf("zoom %d: %d, want %d", z, rec.Code, want)
		}
	}
	var doc struct {
		MinZoom      int `json:"minzoom"`
		VectorLayers []struct {
			MinZoom int `json:"minzoom"`
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal(serve(t, h, "/tiles/statistical-areas.json").Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.MinZoom != 6 || len(doc.VectorLayers) != 1 || doc.VectorLayers[0].MinZoom != 6 {
		t.Errorf("TileJSON minzoom %+v, want 6", doc)
	}
	for _, l := range layers.Layers() {
		if want := map[bool]int{true: 6, false: 0}[l.Name == "statistical-areas"]; l.MinZoom != want {
			t.Errorf("layer %s: MinZoom %d, want %d", l.Name, l.MinZoom, want)
		}
	}
}
