package transfer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" driver, pure Go

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// A GeoPackage (OGC 12-128r18, version 1.2 and later) is an SQLite
// database: a table per layer, listed in gpkg_contents, its geometry
// column and coordinate system in gpkg_geometry_columns and
// gpkg_spatial_ref_sys, each row a feature whose geometry is a blob
// (gpkgblob.go) and whose other columns are its properties. It is read with
// SQLite itself, in pure Go, opened read-only, one row at a time.

// sqliteHeader starts every SQLite database file, and so every GeoPackage.
const sqliteHeader = "SQLite format 3\x00"

// gpkgApplicationID is "GPKG", the application_id of GeoPackage 1.2 and
// later; 1.0 and 1.1 wrote "GP10" and "GP11".
const gpkgApplicationID = 0x47504B47

// maxGeoPackageText is the most bytes one property of a GeoPackage
// feature may take: far above any field of an area, and checked before
// the value is read, so that a hostile file's gigabyte of text costs
// nothing.
const maxGeoPackageText = 1 << 20

// maxLayersListed is how many layers an error listing them names.
const maxLayersListed = 20

// ImportAreas imports the areas of src, mapped as m says, in two passes
// with the parent check between them: a GeoPackage when its first bytes
// are SQLite's, a GeoJSON FeatureCollection otherwise. It returns how many it wrote, and m as the file filled it in:
// the coordinate system the features were in and, for a GeoPackage, the
// layer read.
func ImportAreas(ctx context.Context, store AreaStore, by db.Actor, src Source, m AreaMapping, prog io.Writer) (db.ImportCounts, AreaMapping, error) {
	gpkg, err := isGeoPackage(src)
	if err != nil {
		return db.ImportCounts{}, m, err
	}
	if gpkg {
		return ImportAreasGeoPackage(ctx, store, by, src, m, prog)
	}
	if m.Layer != "" {
		return db.ImportCounts{}, m, fmt.Errorf("%s: a layer (%q) is named, but the file is not a GeoPackage; GeoJSON has one collection", src.Name, m.Layer)
	}
	n, crs, err := ImportAreasGeoJSON(ctx, store, by, src, m, prog)
	m.CRS = crs
	return n, m, err
}

// isGeoPackage tells whether src is an SQLite database, from its first
// bytes. A name ending in .gpkg promises one: when the bytes say
// otherwise, that is an error rather than a confusing JSON message.
func isGeoPackage(src Source) (bool, error) {
	f, err := src.Open()
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("%s: %w", src.Name, err)
	}
	if string(head[:n]) == sqliteHeader {
		return true, nil
	}
	if strings.EqualFold(filepath.Ext(src.Name), ".gpkg") {
		return false, fmt.Errorf("%s: not a GeoPackage: the file does not start as an SQLite database does", src.Name)
	}
	return false, nil
}

// ImportAreasGeoPackage imports the features of one layer of the
// GeoPackage src as areas, mapped as m says (m.Layer names the layer; ""
// takes the only one), in two passes with the parent check
// (MinShareInParent) between them. It returns what it did, and m
// with the layer and the coordinate system it read filled in.
func ImportAreasGeoPackage(ctx context.Context, store AreaStore, by db.Actor, src Source, m AreaMapping, prog io.Writer) (db.ImportCounts, AreaMapping, error) {
	if src.Path == "" {
		return db.ImportCounts{}, m, fmt.Errorf("%s: a GeoPackage is read from a file on disk, not from a stream", src.Name)
	}
	// The first pass settles the layer and system in m; holding to them in
	// the second keeps a file changed in between from being read otherwise.
	read := func(p *progress) iter.Seq2[*db.AreaInput, error] {
		return readAreasGeoPackage(ctx, src.Path, src.Name, &m, p)
	}
	n, err := importAreas(ctx, store, by, src, prog, read, m.Force)
	var ie *db.ItemError
	if errors.As(err, &ie) {
		return db.ImportCounts{}, m, fmt.Errorf("%s: layer %q, feature %d: %s", src.Name, m.Layer, ie.Item, db.ErrorMessage(err))
	}
	return n, m, err
}

// ReadAreasGeoPackage reads the features of one layer of the GeoPackage
// at path one at a time, in the order of their feature ids, maps each to an
// area as m says (the layer's columns are the properties), converts its
// geometry from the layer's coordinate system to WGS 84 and checks it, and
// that it lies in Sweden (checkInSwedenFrom). It stops at the first error, which names the
// file (name), the layer, the feature (its place and fid) and the field.
//
// The layer is m.Layer, or the only features layer when m.Layer is empty;
// with several, the error lists them. The coordinate system is the one
// the layer declares; a system in m.CRS that differs from it is an error,
// and only a layer that declares none (srs_id 0 or -1) is read in m.CRS
// or, when that is empty too, in the system its coordinates look like.
// Once the features are read, m.Layer and m.CRS hold what was read.
func ReadAreasGeoPackage(ctx context.Context, path, name string, m *AreaMapping) iter.Seq2[*db.AreaInput, error] {
	return readAreasGeoPackage(ctx, path, name, m, newProgress(nil, ""))
}

func readAreasGeoPackage(ctx context.Context, path, name string, m *AreaMapping, p *progress) iter.Seq2[*db.AreaInput, error] {
	return func(yield func(*db.AreaInput, error) bool) {
		fail := func(err error) { yield(nil, fmt.Errorf("%s: %w", name, err)) }
		pkg, err := openGeoPackage(ctx, path)
		if err != nil {
			fail(err)
			return
		}
		defer pkg.Close()
		l, err := pkg.layer(ctx, m.Layer)
		if err != nil {
			fail(err)
			return
		}
		m.Layer = l.table
		crs, err := l.crs(m.CRS)
		if err != nil {
			fail(err)
			return
		}
		detected := crs == ""
		q, err := pkg.features(ctx, l, m)
		if err != nil {
			fail(err)
			return
		}
		if p.w != nil {
			var count int64
			if err := pkg.db.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(l.table)).Scan(&count); err != nil {
				fail(fmt.Errorf("layer %q: %w", l.table, err))
				return
			}
			p.of(count)
		}
		rows, err := pkg.db.QueryContext(ctx, q.sql)
		if err != nil {
			fail(fmt.Errorf("layer %q: %w", l.table, err))
			return
		}
		defer rows.Close()
		row := q.newRow()
		n := 0
		for rows.Next() {
			n++
			if err := rows.Scan(row.dest...); err != nil {
				fail(fmt.Errorf("layer %q, feature %d: %w", l.table, n, err))
				return
			}
			a, err := row.area(m, l.srsID)
			var src orb.Bound
			if err == nil {
				src = a.Geometry.Bound()
				a.Geometry, crs, err = toWGS84(a.Geometry, crs, detected)
			}
			if err == nil {
				err = a.Check(n)
			}
			if err == nil {
				err = checkInSwedenFrom(a.Code, src, crs, a.Geometry.Bound())
			}
			if err != nil {
				yield(nil, fmt.Errorf("%s: layer %q, feature %d (fid %d): %s", name, l.table, n, row.fid, messageOf(err)))
				return
			}
			if !yield(a, nil) {
				m.CRS = crs
				return
			}
		}
		if err := rows.Err(); err != nil {
			fail(fmt.Errorf("layer %q, after feature %d: %w", l.table, n, err))
			return
		}
		if crs == "" {
			crs = geo.CRSWGS84 // an empty layer
		}
		m.CRS = crs
	}
}

// geoPackage is an open GeoPackage.
type geoPackage struct {
	db *sql.DB
}

// openGeoPackage opens the file at path read-only and checks that it is a
// GeoPackage of version 1.2 or later.
func openGeoPackage(ctx context.Context, path string) (*geoPackage, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	// A URI, so that SQLite takes mode=ro (and never creates the file);
	// trusted_schema off, as for any database from elsewhere: nothing in
	// its schema may call a function with side effects.
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?mode=ro&_pragma=trusted_schema(0)"
	d, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	d.SetMaxOpenConns(1) // one reader; the pragmas hold on the one connection
	var app, version int64
	err = d.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app)
	if err == nil {
		err = d.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("not a readable GeoPackage: %w", err)
	}
	if uint32(app) != gpkgApplicationID || version < 10200 {
		d.Close()
		return nil, fmt.Errorf("not a GeoPackage of version 1.2 or later (its application_id is %#x, user_version %d); "+
			"convert it, e.g. with ogr2ogr -f GPKG", uint32(app), version)
	}
	return &geoPackage{db: d}, nil
}

func (g *geoPackage) Close() error { return g.db.Close() }

// gpkgLayer is a features layer: its table, geometry column and
// coordinate system as gpkg_geometry_columns and gpkg_spatial_ref_sys give
// them.
type gpkgLayer struct {
	table, geomColumn string
	srsID             int32
	organization      sql.NullString
	orgID             sql.NullInt64
}

// layer returns the features layer named want, or the only one when want
// is empty. Only tables are read: a view's SQL, in a file from elsewhere,
// could cost anything.
func (g *geoPackage) layer(ctx context.Context, want string) (*gpkgLayer, error) {
	rows, err := g.db.QueryContext(ctx, `
		SELECT c.table_name, gc.column_name, gc.srs_id, s.organization, s.organization_coordsys_id
		FROM gpkg_contents c
		JOIN gpkg_geometry_columns gc ON gc.table_name = c.table_name
		LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = gc.srs_id
		WHERE c.data_type = 'features'
		  AND c.table_name IN (SELECT name FROM sqlite_schema WHERE type = 'table')
		ORDER BY c.table_name`)
	if err != nil {
		return nil, fmt.Errorf("not a readable GeoPackage: %w", err)
	}
	defer rows.Close()
	var names []string
	var found *gpkgLayer
	count := 0
	for rows.Next() {
		var l gpkgLayer
		if err := rows.Scan(&l.table, &l.geomColumn, &l.srsID, &l.organization, &l.orgID); err != nil {
			return nil, fmt.Errorf("not a readable GeoPackage: gpkg_geometry_columns: %w", err)
		}
		count++
		if len(names) < maxLayersListed {
			names = append(names, strconv.Quote(l.table))
		}
		if l.table == want || want == "" && found == nil {
			found = &l
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("not a readable GeoPackage: %w", err)
	}
	list := strings.Join(names, ", ")
	if count > len(names) {
		list += fmt.Sprintf(" and %d more", count-len(names))
	}
	switch {
	case count == 0:
		return nil, errors.New("the GeoPackage has no features layer (no table of data_type 'features' in gpkg_contents)")
	case want == "" && count > 1:
		return nil, fmt.Errorf("the GeoPackage has %d features layers: %s; name one with --layer", count, list)
	case found == nil:
		return nil, fmt.Errorf("the GeoPackage has no features layer %q; its layers: %s", want, list)
	}
	return found, nil
}

// crs returns the coordinate system of l as a geo CRS name, "" when l
// declares none; given is the one the caller named, "" for none. What the
// file declares is followed: a given system that differs is an error, not
// a silent choice of one over the other.
func (l *gpkgLayer) crs(given string) (string, error) {
	// srs_id 0 and -1 are GeoPackage's "undefined geographic" and
	// "undefined Cartesian" systems: the file declares nothing.
	undefined := l.srsID == 0 || l.srsID == -1 || l.organization.Valid && strings.EqualFold(l.organization.String, "NONE")
	if undefined {
		return given, nil
	}
	if !l.organization.Valid || !l.orgID.Valid {
		return "", fmt.Errorf("layer %q: its srs_id %d is not in gpkg_spatial_ref_sys", l.table, l.srsID)
	}
	declared := fmt.Sprintf("%s:%d", strings.ToUpper(l.organization.String), l.orgID.Int64)
	crs, err := geo.ParseCRS(declared)
	if err != nil {
		return "", fmt.Errorf("layer %q is in %s: %w; convert it, e.g. with ogr2ogr -t_srs EPSG:3006", l.table, declared, err)
	}
	if given != "" && given != crs {
		return "", fmt.Errorf("layer %q is in %s, but %s was named (--crs); leave --crs out to read the file's system",
			l.table, crs, given)
	}
	return crs, nil
}

// gpkgQuery is the query for a layer's features and what its columns are.
type gpkgQuery struct {
	sql   string
	props []string // the names the mapping knows the selected columns by
}

// features builds the query that reads l's features: the feature id, the
// geometry blob unless it is too large, and each column m maps, unless
// too large, with its type and size, so that sizes are checked before a
// value is read into memory. Columns are matched to m's names without
// regard to case, as SQL matches them.
func (g *geoPackage) features(ctx context.Context, l *gpkgLayer, m *AreaMapping) (*gpkgQuery, error) {
	rows, err := g.db.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?)", l.table)
	if err != nil {
		return nil, fmt.Errorf("layer %q: %w", l.table, err)
	}
	defer rows.Close()
	var columns []string
	fid := ""
	pks := 0
	for rows.Next() {
		var name, typ string
		var pk int
		if err := rows.Scan(&name, &typ, &pk); err != nil {
			return nil, fmt.Errorf("layer %q: %w", l.table, err)
		}
		if pk > 0 {
			pks++
			if strings.EqualFold(typ, "INTEGER") {
				fid = name
			}
		}
		if !strings.EqualFold(name, l.geomColumn) {
			columns = append(columns, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("layer %q: %w", l.table, err)
	}
	if fid == "" || pks != 1 {
		return nil, fmt.Errorf("layer %q has no INTEGER PRIMARY KEY column (its feature id), as a GeoPackage layer must", l.table)
	}
	column := func(prop string) string {
		for _, c := range columns {
			if strings.EqualFold(c, prop) {
				return c
			}
		}
		return ""
	}
	required := []struct{ prop, what, flag string }{{m.CodeProp, "code", "--code-prop"}, {m.NameProp, "name", "--name-prop"}}
	if m.Kind == "" {
		required = append(required, struct{ prop, what, flag string }{m.KindProp, "kind", "--kind-prop, or give every area one kind with --kind"})
	}
	for _, r := range required {
		if r.prop != "" && column(r.prop) == "" {
			return nil, fmt.Errorf("layer %q has no column %q (the %s); its columns: %s; name one with %s",
				l.table, r.prop, r.what, strings.Join(columns, ", "), r.flag)
		}
	}
	var sel strings.Builder
	geom := quoteIdent(l.geomColumn)
	fmt.Fprintf(&sel, "SELECT %s, typeof(%s), octet_length(%s), CASE WHEN octet_length(%s) <= %d THEN +%s END",
		quoteIdent(fid), geom, geom, geom, maxGeometryBlob, geom)
	q := &gpkgQuery{}
	seen := map[string]bool{}
	for _, prop := range []string{m.CodeProp, m.NameProp, m.KindProp, m.ParentProp, m.AreaTypeProp,
		m.ValidFromProp, m.ValidToProp, m.DescriptionProp} {
		c := column(prop)
		if prop == "" || c == "" || seen[prop] {
			continue
		}
		seen[prop] = true
		q.props = append(q.props, prop)
		// The unary + keeps the column's declared type (DATE, say) from
		// the value, which the driver would otherwise turn into a time.
		ci := quoteIdent(c)
		fmt.Fprintf(&sel, ", typeof(%s), octet_length(%s), CASE WHEN octet_length(%s) <= %d THEN +%s END",
			ci, ci, ci, maxGeoPackageText, ci)
	}
	fmt.Fprintf(&sel, " FROM %s ORDER BY %s", quoteIdent(l.table), quoteIdent(fid))
	q.sql = sel.String()
	return q, nil
}

// gpkgRow is one feature as scanned: its fid, its geometry blob, and a
// type, size and value for each mapped column.
type gpkgRow struct {
	q        *gpkgQuery
	dest     []any
	fid      int64
	geomType string
	geomSize sql.NullInt64
	geom     []byte
	types    []string
	sizes    []sql.NullInt64
	values   []any
}

func (q *gpkgQuery) newRow() *gpkgRow {
	r := &gpkgRow{q: q, types: make([]string, len(q.props)), sizes: make([]sql.NullInt64, len(q.props)),
		values: make([]any, len(q.props))}
	r.dest = []any{&r.fid, &r.geomType, &r.geomSize, &r.geom}
	for i := range q.props {
		r.dest = append(r.dest, &r.types[i], &r.sizes[i], &r.values[i])
	}
	return r
}

// area maps the row to an area as m says; srsID is the layer's, which the
// geometry's header must repeat.
func (r *gpkgRow) area(m *AreaMapping, srsID int32) (*db.AreaInput, error) {
	switch {
	case r.geomType == "null":
		return nil, errors.New("the feature has no geometry")
	case r.geomType != "blob":
		return nil, fmt.Errorf("the geometry is stored as %s, not as a GeoPackage geometry blob", r.geomType)
	case r.geomSize.Int64 > maxGeometryBlob:
		return nil, fmt.Errorf("the geometry takes %d bytes, more than the %d an area may", r.geomSize.Int64, maxGeometryBlob)
	}
	g, err := decodeGeoPackageGeometry(r.geom)
	if err != nil {
		return nil, err
	}
	if g.srsID != srsID {
		return nil, fmt.Errorf("the geometry's header gives srs_id %d, but its layer's is %d", g.srsID, srsID)
	}
	p := make(props, len(r.q.props))
	for i, name := range r.q.props {
		raw, err := r.property(i)
		if err != nil {
			return nil, fmt.Errorf("property %q %w", name, err)
		}
		p[name] = raw
	}
	return m.fields(g.geom, p)
}

// property returns column i as JSON, as the mapping reads properties;
// text is checked as every reader checks it (checkText).
func (r *gpkgRow) property(i int) (json.RawMessage, error) {
	if r.sizes[i].Int64 > maxGeoPackageText {
		return nil, fmt.Errorf("takes %d bytes, more than the %d a field may", r.sizes[i].Int64, maxGeoPackageText)
	}
	switch v := r.values[i].(type) {
	case nil:
		return json.RawMessage("null"), nil
	case int64:
		return strconv.AppendInt(nil, v, 10), nil
	case float64:
		// Written as the shortest decimal that reads back the same, so a
		// code stored as the real 1490 reads as "1490".
		return strconv.AppendFloat(nil, v, 'f', -1, 64), nil
	case string:
		if err := checkText(v); err != nil {
			return nil, err
		}
		return json.Marshal(v)
	case []byte:
		if r.types[i] == "text" {
			// Text the driver handed over as bytes: the same checks.
			if err := checkText(string(v)); err != nil {
				return nil, err
			}
			return json.Marshal(string(v))
		}
		return nil, errors.New("holds binary data (a BLOB), not text or a number")
	}
	return nil, fmt.Errorf("holds a value of type %s", r.types[i])
}

// quoteIdent quotes an SQL identifier, as names from the file may hold
// anything.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
