package outline_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// written is the text GraphQL wrote for an outline before Texts: the
// outline rounded, then written.
func written(t *testing.T, g orb.Geometry, decimals int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := geo.WriteGeoJSON(&b, geo.Round(g, decimals)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestTextsAsWritten: every outline of the demo and of a synthetic map
// (holes, multipolygons, shared borders), at every precision, is the text
// rounding and writing it gives, whether written now or kept; a kept one
// is handed out again without being written.
func TestTextsAsWritten(t *testing.T) {
	sets := [][]*db.Area{demo.Dataset().Areas, synth.Generate(synthConfig).Areas}
	var holes, multi int
	for _, a := range append(sets[0], sets[1]...) {
		switch g := a.Geometry.(type) {
		case orb.MultiPolygon:
			multi++
		case orb.Polygon:
			if len(g) > 1 {
				holes++
			}
		}
	}
	if holes == 0 || multi == 0 {
		t.Fatalf("%d outlines with holes, %d multipolygons: the data miss a case", holes, multi)
	}
	// One cache a set, as one a store: ids are the store's.
	for _, areas := range sets {
		textsAsWritten(t, areas)
	}
}

func textsAsWritten(t *testing.T, areas []*db.Area) {
	texts := outline.NewTexts(1 << 30)
	for round := range 2 {
		for d := 0; d <= 15; d++ {
			for _, a := range areas {
				got, ok := texts.GeoJSON(a, d)
				if !ok {
					t.Fatalf("area %d: not written", a.ID)
				}
				if want := written(t, a.Geometry, d); !bytes.Equal(got, want) {
					t.Fatalf("round %d, area %d, %d decimals:\n got %.200s\nwant %.200s", round, a.ID, d, got, want)
				}
			}
		}
	}
	hits, misses := texts.Stats()
	if n := int64(16 * len(areas)); misses != n || hits != n {
		t.Errorf("%d hits and %d misses, want %d of each", hits, misses, n)
	}
	// Without a cache, written each time, alike.
	var none *outline.Texts
	if got, _ := none.GeoJSON(areas[0], 6); !bytes.Equal(got, written(t, areas[0].Geometry, 6)) {
		t.Errorf("a nil Texts wrote %.200s", got)
	}
}

// TestTextsFollowWrites: an area written again (a new version), or loaded
// anew under its old id and version, is written anew; an area without an
// outline, or with one that cannot be written, has no text.
func TestTextsFollowWrites(t *testing.T) {
	texts := outline.NewTexts(0)
	square := func(x float64) orb.Polygon {
		return orb.Polygon{{{x, 0}, {x + 1, 0}, {x + 1, 1}, {x, 1}, {x, 0}}}
	}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &db.Area{ID: 7, Version: 1, UpdatedAt: day, Geometry: square(0)}
	first, _ := texts.GeoJSON(a, 6)
	for _, b := range []*db.Area{
		{ID: 7, Version: 2, UpdatedAt: day, Geometry: square(2)},
		{ID: 7, Version: 1, UpdatedAt: day.Add(time.Second), Geometry: square(4)},
	} {
		got, _ := texts.GeoJSON(b, 6)
		if bytes.Equal(got, first) || !bytes.Equal(got, written(t, b.Geometry, 6)) {
			t.Errorf("version %d at %v: %s, first %s", b.Version, b.UpdatedAt, got, first)
		}
	}
	if again, _ := texts.GeoJSON(a, 6); !bytes.Equal(again, first) {
		t.Errorf("the first version again: %s", again)
	}
	if _, ok := texts.GeoJSON(&db.Area{ID: 8}, 6); ok {
		t.Error("an area without an outline has a text")
	}
	if _, ok := texts.GeoJSON(&db.Area{ID: 9, Geometry: orb.LineString{{0, 0}, {1, orb.Point{}[0] / 0}}}, 6); ok {
		t.Error("an outline with a coordinate that is not a number has a text")
	}
}

// TestTextsBounded: the texts kept stay within the budget, the least
// recently used going first, and one over a sixteenth of it is not kept.
func TestTextsBounded(t *testing.T) {
	areas := synth.Generate(synthConfig).Areas
	var all int
	for _, a := range areas {
		all += len(written(t, a.Geometry, 6))
	}
	limit := all / 4
	texts := outline.NewTexts(limit)
	for _, a := range areas {
		texts.GeoJSON(a, 6)
		if b := texts.Bytes(); b > limit {
			t.Fatalf("%d bytes kept, limit %d", b, limit)
		}
	}
	if texts.Bytes() < limit/2 {
		t.Errorf("only %d bytes kept of %d", texts.Bytes(), limit)
	}
	// The last one is kept, the first is gone.
	last, first := areas[len(areas)-1], areas[0]
	h0, m0 := texts.Stats()
	texts.GeoJSON(last, 6)
	texts.GeoJSON(first, 6)
	if h, m := texts.Stats(); h != h0+1 || m != m0+1 {
		t.Errorf("%d hits and %d misses, want one of each", h-h0, m-m0)
	}

	big := &db.Area{ID: 1 << 40, Version: 1, Geometry: areas[0].Geometry}
	small := outline.NewTexts(len(written(t, big.Geometry, 6)) * 8)
	small.GeoJSON(big, 6)
	if small.Bytes() != 0 {
		t.Errorf("an outline over a sixteenth of the budget was kept (%d bytes)", small.Bytes())
	}
}
