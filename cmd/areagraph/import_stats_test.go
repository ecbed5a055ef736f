package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// statsFixture is the path of a statistics file of transfer's tests, as
// SCB and Kolada publish them.
func statsFixture(name string) string { return "../../transfer/testdata/stats/" + name }

// TestImportStatistics imports SCB's population table saved from PxWeb as
// JSON-stat, with the flags the README gives.
func TestImportStatistics(t *testing.T) {
	c := newCLI(t)
	c.must("seed")
	file := statsFixture("BE0101N1.json")
	c.fails([]string{"import", "indicators", file, "--indicator", "population"}, `dimension "Alder"`, "--fix Alder=CATEGORY")
	c.fails([]string{"import", "indicators", file, "--indicator", "folkmangd", "--fix", "Alder=tot"},
		`indicator "folkmangd" is not defined`, "import definitions")
	c.fails([]string{"import", "indicators", file, "--format", "csv", "--indicator", "population"}, "mapping flags")
	c.fails([]string{"import", "indicators", file, "--format", "px"}, "--format px")
	c.fails([]string{"import", "indicators", file, "--fix", "Alder"}, "KEY=VALUE")

	out := c.must("import", "indicators", file, "--map-indicator", "BE0101N1=population", "--fix", "Alder=tot")
	if n := importedCount(t, out, file); n != 4 {
		t.Errorf("import said %q, want 4 values", out)
	}
	s := c.store()
	got, err := s.IndicatorValues(t.Context(), db.ValueFilter{AreaIDs: []int64{idsByCode(t, s)["1490"]},
		Codes: []string{"population"}, FromYear: 2022, ToYear: 2023, Sexes: []db.Sex{db.SexMale}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Value != 56920 || got[1].Value != 57210 {
		t.Errorf("stored %+v", got)
	}
}

// TestImportStatisticsSkipped: the cells SCB suppressed are counted in
// what the import says.
func TestImportStatisticsSkipped(t *testing.T) {
	c := newCLI(t)
	c.must("seed")
	body, err := os.ReadFile(statsFixture("deso_employment.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The municipality instead of DeSO, which the demo lacks.
	file := writeFile(t, "TAB5930.json", strings.NewReplacer(`"1490C1010"`, `"1490"`, `"1490C1020"`, `"1490-D02"`,
		`"1490C1030"`, `"1490-D03"`).Replace(string(body)))
	out := c.must("import", "indicators", file, "--indicator", "employment_rate")
	first, rest, _ := strings.Cut(out, "\n")
	if n := importedCount(t, first+"\n", file); n != 16 || rest !=
		`skipped 2 cells without a value (2 marked ".."): suppressed or missing at the source`+"\n" {
		t.Errorf("import said %q, want 16 values and 2 skipped", out)
	}
}

// TestImportKolada imports Kolada's answer for Borås, the format told
// from the file.
func TestImportKolada(t *testing.T) {
	c := newCLI(t)
	c.must("seed")
	file := statsFixture("N00945.json")
	c.fails([]string{"import", "indicators", file, "--indicator", "unemployment", "--fix", "Kon=1"}, "Kolada", "no dimensions")
	c.fails([]string{"import", "indicators", file, "--indicator", "unemployment", "--count-measure", "N"}, "Kolada", "no dimensions")
	c.fails([]string{"import", "indicators", file}, `kpi "N00945" maps to no indicator`)
	out := c.must("import", "indicators", file, "--map-indicator", "N00945=unemployment")
	first, rest, _ := strings.Cut(out, "\n")
	if n := importedCount(t, first+"\n", file); n != 4 || rest !=
		`skipped 2 cells without a value (1 unmarked, 1 marked "Missing"): suppressed or missing at the source`+"\n" {
		t.Errorf("import said %q, want 4 values and 2 skipped", out)
	}
}

// TestImportSCBCSV imports SCB's population table as its CSV export
// saves it (Windows-1252, semicolons), the format told from the header.
func TestImportSCBCSV(t *testing.T) {
	c := newCLI(t)
	c.must("seed")
	file := statsFixture("BE0101N1.csv")
	c.fails([]string{"import", "indicators", file, "--indicator", "population"}, `column "ålder"`, "--fix ålder=CATEGORY")
	out := c.must("import", "indicators", file, "--indicator", "population", "--fix", "ålder=totalt ålder")
	if n := importedCount(t, out, file); n != 4 {
		t.Errorf("import said %q, want 4 values", out)
	}
}

// importedCount is how many values an import of values said it added,
// changed or left as stored, from its one line of output about file.
func importedCount(t *testing.T, out, file string) int {
	t.Helper()
	var added, changed, unchanged int
	if _, err := fmt.Sscanf(strings.TrimPrefix(out, "imported indicator values from "+file+": "),
		"%d added, %d changed, %d unchanged\n", &added, &changed, &unchanged); err != nil {
		t.Errorf("import said %q: %v", out, err)
	}
	return added + changed + unchanged
}
