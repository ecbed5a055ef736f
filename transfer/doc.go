// Package transfer holds the file formats areas and statistics travel in
// and out of a store: GeoJSON for areas, CSV for indicator values, the
// dataset file for a whole store, and the progress shown while a large
// file is read. Commands only wire flags to it; it knows the store only
// through the db contract, so that a new format (GeoPackage, JSON-stat, an
// API such as Kolada) is added here without touching the commands' or the
// backends' code beyond a flag.
package transfer
