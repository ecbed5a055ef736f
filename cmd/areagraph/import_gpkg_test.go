package main

import (
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// TestImportGeoPackage imports the municipalities from a GeoPackage GDAL
// wrote in SWEREF 99 TM with a second layer beside them, as Statistics
// Sweden's files come: the layer is named with --layer, and without it
// the command refuses, listing the layers. What the file holds is tested
// in transfer.
func TestImportGeoPackage(t *testing.T) {
	bin, err := exec.LookPath("ogr2ogr")
	if err != nil {
		t.Fatalf("ogr2ogr (GDAL) is missing: install Debian's gdal-bin, as scripts/test does: %v", err)
	}
	gpkg := filepath.Join(t.TempDir(), "Kommuner_2025.gpkg")
	for _, args := range [][]string{
		{"-f", "GPKG", gpkg, municipalitiesFile, "-nln", "kommuner", "-t_srs", "EPSG:3006", "-select", "id,kom_namn"},
		{"-update", gpkg, municipalitiesFile, "-nln", "sjuharad", "-t_srs", "EPSG:3006", "-select", "id,kom_namn",
			"-where", "id IN ('1490', '1441', '1443')"},
	} {
		if out, err := exec.CommandContext(t.Context(), bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	c := newCLI(t)
	args := []string{"import", "areas", gpkg, "--code-prop", "id", "--name-prop", "kom_namn", "--kind", "MUNICIPALITY"}
	c.fails(args, gpkg, `2 features layers: "kommuner", "sjuharad"`, "--layer")
	c.fails(append(args, "--layer", "kommun"), gpkg, `no features layer "kommun"`)
	c.fails(append(args, "--layer", "kommuner", "--crs", "EPSG:4326"), gpkg, "is in EPSG:3006, but EPSG:4326 was named")
	out := c.must(append(args, "--layer", "kommuner")...)
	if want := "imported areas from " + gpkg + ` (layer "kommuner", coordinates in EPSG:3006): 290 added, 0 changed, 0 unchanged` + "\n"; out != want {
		t.Errorf("import said %q, want %q", out, want)
	}
	boras, err := c.store().AreaByCode(t.Context(), "1490")
	if err != nil {
		t.Fatal(err)
	}
	b := boras.Geometry.Bound()
	if boras.Name != "Borås" || boras.Kind != db.KindMunicipality ||
		math.Abs(b.Min[0]-12.633) > 0.001 || math.Abs(b.Max[1]-57.934) > 0.001 {
		t.Errorf("Borås came in as %q %s, bound %v", boras.Name, boras.Kind, b)
	}
	c.fails([]string{"import", "areas", municipalitiesFile, "--layer", "kommuner", "--code-prop", "id"},
		municipalitiesFile, "not a GeoPackage")
}
