package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/postgis"
	"github.com/areagraph/areagraph/geo"
	"github.com/areagraph/areagraph/transfer"
)

const importHelp = `Imports areas from a GeoJSON FeatureCollection or a GeoPackage, indicator
definitions from a JSON file, or indicator values from a CSV or statistics
file, into DATABASE_URL. Records are keyed on their code: a known code is
updated in place and keeps its id, a new one is added, and one the file
gives as it is stored is left alone. The whole file is checked first; areas
and values are then written in one transaction (all of it, or nothing,
audit entries included), definitions one by one. Every import is audited as
"cli:<user>", the operating system's user who ran it (its uid when the
system has no name for it).

  areagraph import areas FILE.geojson|FILE.gpkg [flags]
      Each feature becomes an area; its properties are read as the flags
      below say. Coordinates may be WGS 84 longitude/latitude or SWEREF 99 TM
      (EPSG:3006, as Statistics Sweden publishes DeSO), told apart by their
      range; a local SWEREF 99 zone (EPSG:3007–3018) or RT90 2.5 gon V
      (EPSG:3021) is read when the file's "crs" member or --crs names it,
      and is refused, not guessed, otherwise. Every area must lie in Sweden,
      and 99 % of it inside its parent (--force lets it stray further).
      A GeoPackage (version 1.2 or later, told by its content) is read one
      layer at a time: the only one, or the one --layer names; its columns
      are the properties, and its coordinate system is the one the layer
      declares.
      Each area added or changed gets an audit entry with how it read
      before and after.
      A property a feature does not carry at all (parent, area type,
      validity dates, description) keeps the stored area's value, so a
      partial file, such as codes, names and shapes from a statistics
      office, updates what it gives and wipes nothing else. A property
      given as null or "" clears the field. With --replace, a property
      the feature does not carry clears it too: the file is the whole
      truth about each area it names.

  areagraph import definitions FILE.json
      Indicator definitions as "areagraph export definitions" writes them: a
      JSON array of objects with code, name and unit, and optionally nameSv,
      description, higherIsBetter, source, license, attribution and
      minCount. A new code is created, a known one whose fields differ is
      updated whole; each write is audited on its own. The whole file is
      checked before the first write; the writes are one per definition.
      Import definitions before the values that use them.

  areagraph import indicators FILE [flags]
      Indicator values. The format is told from the file (or --format):
      csv        Long format, one value per line, with a header naming the
                 columns: area_code,indicator_code,year,value[,sex][,count].
                 sex is TOTAL, FEMALE or MALE (TOTAL when left out or empty);
                 count, the number of persons the value rests on, may be
                 empty. The license and attribution columns "areagraph
                 export indicators" writes are read as notes and not
                 imported: the terms are the definition's.
      json-stat  JSON-stat 2.0 as SCB's PxWeb API answers (format
                 json-stat2): dimensions Region, Tid, Kon (1 men, 2 women,
                 1+2 both) and ContentsCode by default (--area-dim,
                 --year-dim, --sex-dim, --indicator-dim). Every other
                 dimension must be fixed to one category with --fix. The
                 measure becomes an indicator by --indicator CODE or
                 --map-indicator CONTENTSCODE=CODE; --count-measure names a
                 measure that counts the persons of the others' cells. Cells
                 without a value (null, "..") are skipped and counted.
      kolada     Kolada's answer to a data query (/v3/data/kpi/...): gender
                 T, K and M become TOTAL, FEMALE and MALE; the kpi becomes an
                 indicator by --indicator or --map-indicator KPI=CODE. Null
                 values are skipped and counted.
      scb-csv    SCB's CSV export (comma or semicolon, UTF-8 or
                 Windows-1252): a title, then a header of the dimensions'
                 labels and a column a year ("2023", or "Folkmängd 2023"
                 led by the measure). The area is column region ("1490
                 Borås": the code before the first space), the sex column
                 kön (män, kvinnor, totalt); other columns need --fix
                 LABEL=CATEGORY; --count-measure names the measure whose
                 columns count persons. Cells ".." are skipped and counted.
      Areas and indicator definitions must exist already. A value is
      replaced whole, its count with it. The import is one audit entry:
      the file's name and SHA-256, how many values it added, changed and
      left as they were, and the indicators and years it added or changed.`

// importCmd dispatches "import areas" and "import indicators".
func importCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	what, args, err := subcommand("import", args, []string{"areas", "definitions", "indicators"}, importHelp, stderr)
	switch what {
	case "areas":
		return importAreasCmd(ctx, args, getenv, stdout, stderr)
	case "definitions":
		return importDefinitionsCmd(ctx, args, getenv, stdout, stderr)
	case "indicators":
		return importIndicatorsCmd(ctx, args, getenv, stdout, stderr)
	}
	return err
}

func importAreasCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("import areas FILE.geojson|FILE.gpkg", stderr, importHelp)
	dbURL := requiredDatabaseFlag(fs, getenv)
	m := transfer.DefaultAreaMapping
	fs.StringVar(&m.CodeProp, "code-prop", m.CodeProp, "property holding the area's code (required in every feature)")
	fs.StringVar(&m.NameProp, "name-prop", m.NameProp, "property holding the area's name (required in every feature)")
	kind := fs.String("kind", "", "kind of every area: MUNICIPALITY, DISTRICT, PRIORITY_AREA or STATISTICAL_AREA (instead of --kind-prop)")
	fs.StringVar(&m.KindProp, "kind-prop", m.KindProp, "property holding the area's kind")
	fs.StringVar(&m.ParentProp, "parent-prop", m.ParentProp, "property holding the parent area's code; empty or missing for none")
	fs.StringVar(&m.AreaTypeProp, "area-type-prop", m.AreaTypeProp, "property holding the programme's area type, 1–5")
	fs.StringVar(&m.ValidFromProp, "valid-from-prop", m.ValidFromProp, "property holding the first day the area is in use, YYYY-MM-DD")
	fs.StringVar(&m.ValidToProp, "valid-to-prop", m.ValidToProp, "property holding the first day the area is no longer in use (its successor's first day), YYYY-MM-DD")
	fs.StringVar(&m.DescriptionProp, "description-prop", m.DescriptionProp, "property holding a description")
	crs := fs.String("crs", "auto", "coordinate system of the file: auto, or an EPSG code: EPSG:4326 (WGS 84), EPSG:3006 (SWEREF 99 TM), EPSG:3007–3018 (the local SWEREF 99 zones), EPSG:3021 (RT90 2.5 gon V)")
	fs.StringVar(&m.Layer, "layer", "", "GeoPackage layer (table) to read; may be left out when the file has one")
	fs.BoolVar(&m.Force, "force", false, "import areas that lie more than 1 % outside their parent (never areas outside Sweden)")
	fs.BoolVar(&m.Replace, "replace", false, "clear an optional field a feature does not carry, rather than keep the stored value")
	file, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	if explicit["kind"] && explicit["kind-prop"] {
		return errors.New("give --kind or --kind-prop, not both")
	}
	if *kind != "" {
		m.Kind = db.AreaKind(strings.ToUpper(*kind))
		if m.Kind.Depth() < 0 {
			return fmt.Errorf("--kind %s: want one of %s", *kind, kindList())
		}
	}
	if !strings.EqualFold(*crs, "auto") {
		if m.CRS, err = geo.ParseCRS(*crs); err != nil {
			return fmt.Errorf("--crs: %w", err)
		}
	}
	store, err := openPostGIS(ctx, dbURL())
	if err != nil {
		return err
	}
	defer store.Close()
	c, read, err := transfer.ImportAreas(ctx, store, cliActor(), transfer.File(file), m, transfer.ProgressTo(stderr))
	if err != nil {
		return err
	}
	layer := ""
	if read.Layer != "" {
		layer = fmt.Sprintf("layer %q, ", read.Layer)
	}
	fmt.Fprintf(stdout, "imported areas from %s (%scoordinates in %s): %s\n", file, layer, read.CRS, countsText(c))
	return nil
}

// countsText says what an import did.
func countsText(c db.ImportCounts) string {
	return fmt.Sprintf("%d added, %d changed, %d unchanged", c.Added, c.Changed, c.Unchanged)
}

func kindList() string {
	var names []string
	for _, k := range db.AreaKinds {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

func importIndicatorsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("import indicators FILE", stderr, importHelp)
	dbURL := requiredDatabaseFlag(fs, getenv)
	format := fs.String("format", "auto", "format of the file: auto (from its name and first bytes), "+
		strings.Join(transfer.ValueFormats, ", "))
	var m transfer.StatMapping
	fs.StringVar(&m.Indicator, "indicator", "", "areagraph indicator code of every value in a statistics file of one measure")
	fs.Var(pairFlag{&m.Indicators}, "map-indicator", "SOURCE=CODE: the publisher's measure SOURCE (SCB ContentsCode, Kolada kpi) is indicator CODE; repeatable")
	fs.Var(pairFlag{&m.Fixed}, "fix", "DIMENSION=CATEGORY: import only the cells of that category; repeatable, and required for "+
		"every dimension that is not area, year, sex or measure")
	fs.StringVar(&m.CountMeasure, "count-measure", "", "the measure (JSON-stat ContentsCode, or what leads SCB CSV's year columns) whose cells are the "+
		"number of persons each other measure's cell rests on, stored as its count")
	fs.StringVar(&m.AreaDim, "area-dim", "", "dimension (or SCB CSV column) holding the area code (default Region, or the one of role geo; in CSV region)")
	fs.StringVar(&m.YearDim, "year-dim", "", "dimension holding the year (default Tid, or the one of role time)")
	fs.StringVar(&m.SexDim, "sex-dim", "", "dimension (or SCB CSV column) holding the sex in SCB's codes 1, 2 and 1+2 (default Kon; in CSV kön, by label); without it every value is TOTAL")
	fs.StringVar(&m.IndicatorDim, "indicator-dim", "", "dimension holding the measure (default ContentsCode, or the one of role metric)")
	file, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	store, err := openPostGIS(ctx, dbURL())
	if err != nil {
		return err
	}
	defer store.Close()
	if *format == "auto" {
		head, err := readHead(file)
		if err != nil {
			return err
		}
		if *format, err = transfer.DetectValuesFormat(file, head); err != nil {
			return err
		}
	}
	statFlags := false
	fs.Visit(func(f *flag.Flag) { statFlags = statFlags || f.Name != "format" && f.Name != "database-url" })
	switch *format {
	case transfer.FormatValuesCSV:
		if statFlags {
			return errors.New("the long CSV names area, indicator, year and sex in its columns; the mapping flags are for statistics formats")
		}
	case transfer.FormatJSONStat, transfer.FormatSCBCSV:
	case transfer.FormatKolada:
		if m.CountMeasure != "" || m.YearDim != "" || m.SexDim != "" || m.IndicatorDim != "" || len(m.Fixed) > 0 {
			return errors.New("a Kolada answer has no dimensions to name or fix; map its kpi with --indicator or --map-indicator")
		}
	default:
		return fmt.Errorf("--format %s: want auto, %s", *format, strings.Join(transfer.ValueFormats, ", "))
	}
	src, prog := transfer.File(file), transfer.ProgressTo(stderr)
	var res transfer.StatImport
	switch *format {
	case transfer.FormatValuesCSV:
		res.Values, err = transfer.ImportValuesCSV(ctx, store, cliActor(), src, prog)
	case transfer.FormatJSONStat:
		res, err = transfer.ImportValuesJSONStat(ctx, store, cliActor(), src, m, prog)
	case transfer.FormatKolada:
		res, err = transfer.ImportValuesKolada(ctx, store, cliActor(), src, m, prog)
	case transfer.FormatSCBCSV:
		res, err = transfer.ImportValuesSCBCSV(ctx, store, cliActor(), src, m, prog)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported indicator values from %s: %s\n", file, countsText(res.Values))
	if n := res.Skipped.Total(); n > 0 {
		fmt.Fprintf(stdout, "skipped %d cells without a value (%s): suppressed or missing at the source\n", n, res.Skipped)
	}
	return nil
}

// pairFlag is a repeatable KEY=VALUE flag into a map.
type pairFlag struct{ m *map[string]string }

func (p pairFlag) String() string {
	if p.m == nil {
		return ""
	}
	var s []string
	for k, v := range *p.m {
		s = append(s, k+"="+v)
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}

func (p pairFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" || v == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	if *p.m == nil {
		*p.m = map[string]string{}
	}
	if old, dup := (*p.m)[k]; dup && old != v {
		return fmt.Errorf("%s is given twice, as %s and %s", k, old, v)
	}
	(*p.m)[k] = v
	return nil
}

// readHead is the first bytes of file, for telling its format.
func readHead(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return head[:n], nil
}

func importDefinitionsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return importFileCmd(ctx, "import definitions FILE.json", args, getenv, stderr, func(store *postgis.Store, file string) error {
		c, err := transfer.ImportIndicatorDefinitions(ctx, store, cliActor(), transfer.File(file), transfer.ProgressTo(stderr))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "imported indicator definitions from %s: %d created, %d updated, %d unchanged\n",
			file, c.Created, c.Updated, c.Unchanged)
		return nil
	})
}

// importFileCmd runs an import subcommand that takes one file and no
// flags of its own: it parses the flags, opens the database and hands
// both to do.
func importFileCmd(ctx context.Context, usage string, args []string, getenv func(string) string, stderr io.Writer,
	do func(store *postgis.Store, file string) error) error {
	fs := newFlags(usage, stderr, importHelp)
	dbURL := requiredDatabaseFlag(fs, getenv)
	file, err := parseWithFile(fs, args)
	if err != nil {
		return err
	}
	store, err := openPostGIS(ctx, dbURL())
	if err != nil {
		return err
	}
	defer store.Close()
	return do(store, file)
}

// requiredDatabaseFlag is --database-url for commands that need PostGIS.
// The environment is read after parsing rather than shown as the flag's
// default, which would print a password with the help.
func requiredDatabaseFlag(fs *flag.FlagSet, getenv func(string) string) func() string {
	u := fs.String("database-url", "", "PostgreSQL URL of the PostGIS database; required (default: env DATABASE_URL)")
	return func() string {
		if *u != "" {
			return *u
		}
		return getenv("DATABASE_URL")
	}
}

// parseWithFile parses flags that may come before or after one file
// argument, as in "import areas FILE --kind DISTRICT".
func parseWithFile(fs *flag.FlagSet, args []string) (string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return "", fmt.Errorf("want one file, got %d", len(files))
	}
	return files[0], nil
}
