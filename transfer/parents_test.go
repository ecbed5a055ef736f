package transfer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/geo"
)

// shifted is g moved east by dx degrees.
func shifted(g orb.Geometry, dx float64) orb.Geometry {
	c := orb.Clone(g)
	switch c := c.(type) {
	case orb.Polygon:
		for _, r := range c {
			for i := range r {
				r[i][0] += dx
			}
		}
	case orb.MultiPolygon:
		for _, p := range c {
			for _, r := range p {
				for i := range r {
					r[i][0] += dx
				}
			}
		}
	}
	return c
}

// box is a rectangle in WGS 84.
func box(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}
}

// norrby is the demo's Norrby district.
func norrby(t *testing.T) *db.Area {
	t.Helper()
	for _, a := range demo.Dataset().Areas {
		if a.Name == "Norrby" && a.Kind == db.KindDistrict {
			return a
		}
	}
	t.Fatal("the demo has no Norrby district")
	return nil
}

// TestImportParentCheck holds imported areas to MinShareInParent of their
// parent, from the store or from the same file, wherever in it the parent
// comes; --force lets an area through that check, never through the
// check that it lies in Sweden.
func TestImportParentCheck(t *testing.T) {
	eachBackend(t, func(t *testing.T, s db.Store) {
		nb := norrby(t)
		area := func(code, name, kind, parent string, g orb.Geometry) string {
			return feature(fmt.Sprintf(`{"code":%q,"name":%q,"kind":%q,"parent":%q}`, code, name, kind, parent), geoJSON(t, g))
		}
		imp := func(name string, force bool, feats ...string) (int, error) {
			m := DefaultAreaMapping
			m.Force = force
			n, _, err := ImportAreasGeoJSON(t.Context(), s, operator, text(name, collection(feats...)), m, nil)
			return n.Written() + n.Unchanged, err
		}
		before := areaCount(t, s)

		// Norrby's own outline lies wholly in Norrby.
		if n, err := imp("inside.geojson", false, area("1490-PX1", "Inside", "PRIORITY_AREA", nb.Code, nb.Geometry)); n != 1 || err != nil {
			t.Fatalf("inside its parent: %d, %v", n, err)
		}
		// Norrby's outline moved a third of its width east is not.
		b := nb.Geometry.Bound()
		moved := shifted(nb.Geometry, (b.Max[0]-b.Min[0])/3)
		grid := geo.ToSWEREF99TMFromWGS84(moved)
		inside, err := geo.IntersectionArea(grid, geo.ToSWEREF99TMFromWGS84(nb.Geometry))
		if err != nil {
			t.Fatal(err)
		}
		pct := fmt.Sprintf("%.0f %%", (1-inside/geo.PlanarArea(grid))*100)
		_, err = imp("moved.geojson", false, district("1490-DX0"), area("1490-PX2", "Moved", "PRIORITY_AREA", nb.Code, moved))
		errorSays(t, "moved", err, "moved.geojson: feature 2", `area "1490-PX2"`, "lies "+pct+" outside its parent Norrby",
			"--force")
		if n := areaCount(t, s); n != before+1 {
			t.Fatalf("%d areas after the refused import, want %d", n, before+1)
		}
		if n, err := imp("moved.geojson", true, area("1490-PX2", "Moved", "PRIORITY_AREA", nb.Code, moved)); n != 1 || err != nil {
			t.Fatalf("moved, with force: %d, %v", n, err)
		}

		// The bug the check is for: a Borås polygon written latitude first
		// was stored as a child of Norrby. Force does not let it through.
		swapped := orb.Polygon{{{57.72, 12.94}, {57.72, 12.95}, {57.73, 12.95}, {57.73, 12.94}, {57.72, 12.94}}}
		_, err = imp("swapped.geojson", true, area("1490-PX3", "Swapped", "PRIORITY_AREA", nb.Code, swapped))
		errorSays(t, "swapped, with force", err, "swapped.geojson: feature 1", "exchanged")

		// A parent later in the same file is the outline the child is held
		// to, not the stored one; digitising slack of a few metres passes.
		parent := box(13.00, 57.60, 13.02, 57.61)
		slack := shifted(parent, 0.00005) // some 3 m east: 0.25 % outside
		half := shifted(parent, 0.01)
		_, err = imp("family.geojson", false,
			area("9999-D1", "Slack", "DISTRICT", "9999", slack),
			area("9999-D2", "Half", "DISTRICT", "9999", half),
			area("9999", "Newtown", "MUNICIPALITY", "", parent))
		errorSays(t, "half outside", err, "family.geojson: feature 2", `area "9999-D2"`, "lies 50 % outside its parent Newtown")
		if n, err := imp("family.geojson", false,
			area("9999-D1", "Slack", "DISTRICT", "9999", slack),
			area("9999", "Newtown", "MUNICIPALITY", "", parent)); n != 2 || err != nil {
			t.Fatalf("with slack: %d, %v", n, err)
		}
		// Now stored, the parent is read from the store.
		_, err = imp("later.geojson", false, area("9999-D2", "Half", "DISTRICT", "9999", half))
		errorSays(t, "half outside, parent stored", err, "later.geojson: feature 1", "lies 50 % outside its parent Newtown")
		// And a parent in the file wins over the stored one.
		if n, err := imp("moved-parent.geojson", false,
			area("9999-D2", "Half", "DISTRICT", "9999", half),
			area("9999", "Newtown", "MUNICIPALITY", "", box(13.00, 57.60, 13.04, 57.61))); n != 2 || err != nil {
			t.Fatalf("with the parent widened: %d, %v", n, err)
		}
	})
}

// TestParentCheckBatches: with room for one parent at a time, the check
// reads the file once per batch and finds the same.
func TestParentCheckBatches(t *testing.T) {
	defer func(v int) { maxParentVertices = v }(maxParentVertices)
	maxParentVertices = 5
	eachBackend(t, func(t *testing.T, s db.Store) {
		var feats []string
		for i := range 4 {
			x := 13.0 + float64(i)*0.1
			code := fmt.Sprintf("999%d", i)
			child := box(x, 57.60, x+0.01, 57.61)
			if i == 2 {
				child = shifted(child, 0.015).(orb.Polygon)
			}
			feats = append(feats,
				feature(fmt.Sprintf(`{"code":"%s-D","name":"Child","kind":"DISTRICT","parent":%q}`, code, code), geoJSON(t, child)),
				feature(fmt.Sprintf(`{"code":%q,"name":"Town %d","kind":"MUNICIPALITY"}`, code, i), geoJSON(t, box(x, 57.60, x+0.02, 57.61))))
		}
		_, _, err := ImportAreasGeoJSON(t.Context(), s, operator, text("towns.geojson", collection(feats...)), DefaultAreaMapping, nil)
		errorSays(t, "batched", err, "towns.geojson: feature 5", `area "9992-D"`, "lies 50 % outside its parent Town 2")
		if err != nil && strings.Contains(err.Error(), "feature 1:") {
			t.Error(err)
		}
	})
}
