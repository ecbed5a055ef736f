// Package transfer holds the file formats areas and statistics travel in
// and out of a store: GeoJSON and GeoPackage for areas, CSV for indicator
// values, the dataset file for a whole store, and the progress shown while
// a large file is read. Commands only wire flags to it; it knows the store
// only through the db contract, so that a new format (JSON-stat, an API
// such as Kolada) is added here without touching the commands' or the
// backends' code beyond a flag.
//
// Every format reads from an io.Reader as a sequence of records
// (iter.Seq2[*db.AreaInput, error] or iter.Seq2[*db.ValueInput, error]),
// each checked on its own, stopping at the first error, which names the
// file and the record. A GeoPackage, an SQLite database, is read from its
// path instead, a row at a time (gpkg.go); ImportAreas tells it from
// GeoJSON by its first bytes. An import reads a Source twice through
// twoPasses (import.go): once to check all of it, once into the store's
// upsert, which writes all of it or nothing. Exports read the store a page at a
// time (export.go) and write what the imports read with their defaults.
//
// The values CSV is comma-separated with decimal points, or, when its
// header line has a semicolon and no comma outside quotes, semicolon-
// separated with decimal commas as Swedish spreadsheets write it (csv.go).
//
// A new format goes in a file of its own named for it (as geojson.go and
// csv.go), with its reader, its import and, if it has one, its export; its
// tests go in the matching _test.go, against both backends through
// eachBackend; the command that reads it is a subcommand or a flag in
// cmd/areagraph/importcmd.go (exportcmd.go for an export).
package transfer
