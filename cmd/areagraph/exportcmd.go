package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/transfer"
)

const exportHelp = `Writes the areas, the indicator definitions or the indicator values of
DATABASE_URL to standard output, in the formats "areagraph import" reads with its default flags.

  areagraph export areas [--kind KIND[,KIND…]] > areas.geojson
      A GeoJSON FeatureCollection (RFC 7946, WGS 84), one feature per line in
      id order, with the properties code, name, kind, areaType, parent (the
      parent's code), validFrom, validTo and description.

  areagraph export definitions > definitions.json
      Every indicator definition as a JSON array, one object a line in code
      order, with the fields code, name, nameSv, description, unit,
      higherIsBetter, source, license, attribution and minCount.

  areagraph export indicators > values.csv
      Every value in the long format: area_code,indicator_code,year,value,
      sex,count,license,attribution; by area id, indicator, year and sex.
      Each line carries its indicator's licence and attribution, so a value
      keeps its terms however the file is cut up; an import reads them as
      notes (the terms belong to the definitions).

  areagraph export dataset > national.agds
      Everything (areas, organisations, initiatives, indicators and their
      values, with ids and versions) as one binary dataset file, which
      "areagraph serve --data FILE" serves from memory without a database.
      API keys and the audit log stay behind.`

func exportCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	what, args, err := subcommand("export", args, []string{"areas", "definitions", "indicators", "dataset"}, exportHelp, stderr)
	if what == "" {
		return err
	}
	fs := newFlags("export "+what, stderr, exportHelp)
	dbURL := requiredDatabaseFlag(fs, getenv)
	kinds := fs.String("kind", "", "areas only: the kinds to export, comma-separated; all when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export writes to standard output; unexpected argument %q", fs.Arg(0))
	}
	var f db.AreaFilter
	for _, k := range strings.Split(*kinds, ",") {
		if k = strings.ToUpper(strings.TrimSpace(k)); k == "" {
			continue
		}
		if db.AreaKind(k).Depth() < 0 {
			return fmt.Errorf("--kind %s: want one of %s", k, kindList())
		}
		f.Kinds = append(f.Kinds, db.AreaKind(k))
	}
	if what != "areas" && len(f.Kinds) > 0 {
		return fmt.Errorf("--kind applies to areas only")
	}
	store, err := openPostGIS(ctx, dbURL())
	if err != nil {
		return err
	}
	defer store.Close()
	w := bufio.NewWriterSize(stdout, 1<<16)
	switch what {
	case "areas":
		err = transfer.ExportAreasGeoJSON(ctx, store, f, w)
	case "definitions":
		err = transfer.ExportIndicatorDefinitions(ctx, store, w)
	case "indicators":
		err = transfer.ExportValuesCSV(ctx, store, w)
	default:
		err = transfer.ExportDataset(ctx, store, w)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}
