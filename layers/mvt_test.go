package layers

import (
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The examples of the Mapbox Vector Tile specification 2.1, section
// 4.3.5, with the command integers it lists.
func TestGeometryEncodingMatchesSpecExamples(t *testing.T) {
	cases := []struct {
		name string
		geom orb.Geometry
		typ  int
		want []uint32
	}{
		{"point", orb.Point{25, 17}, mvtPoint, []uint32{9, 50, 34}},
		{"multipoint", orb.MultiPoint{{5, 7}, {3, 2}}, mvtPoint, []uint32{17, 10, 14, 3, 9}},
		{"linestring", orb.LineString{{2, 2}, {2, 10}, {10, 10}}, mvtLine, []uint32{9, 4, 4, 18, 0, 16, 16, 0}},
		{"multilinestring", orb.MultiLineString{{{2, 2}, {2, 10}, {10, 10}}, {{1, 1}, {3, 5}}},
			mvtLine, []uint32{9, 4, 4, 18, 0, 16, 16, 0, 9, 17, 17, 10, 4, 8}},
		{"polygon", orb.Polygon{{{3, 6}, {8, 12}, {20, 34}, {3, 6}}}, mvtPolygon, []uint32{9, 6, 12, 18, 10, 12, 24, 44, 15}},
		{"multipolygon", orb.MultiPolygon{
			{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}},
			{{{11, 11}, {20, 11}, {20, 20}, {11, 20}, {11, 11}}, {{13, 13}, {13, 17}, {17, 17}, {17, 13}, {13, 13}}},
		}, mvtPolygon, []uint32{
			9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15,
			9, 22, 2, 26, 18, 0, 0, 18, 17, 0, 15,
			9, 4, 13, 26, 0, 8, 8, 0, 0, 7, 15,
		}},
	}
	for _, c := range cases {
		typ, got := encodeGeometry(nil, c.geom)
		if typ != c.typ || !slices.Equal(got, c.want) {
			t.Errorf("%s: got type %d %v, want type %d %v", c.name, typ, got, c.typ, c.want)
		}
	}
}

func TestTileRoundTrip(t *testing.T) {
	feats := []tileFeature{
		{id: 1, geom: orb.Point{10, 20}, props: []prop{{"name", "a"}, {"n", 3}, {"x", 1.5}, {"neg", -2}, {"ok", true}, {"nothing", nil}}},
		{id: 2, geom: orb.MultiPoint{{1, 2}, {3, 4}}, props: []prop{{"name", "b"}, {"tags", []string{"P", "Q"}}, {"n", 3}}},
		{id: 3, geom: windForTile(orb.Polygon{
			{{0, 0}, {0, 100}, {100, 100}, {100, 0}, {0, 0}},
			{{10, 10}, {20, 10}, {20, 20}, {10, 20}, {10, 10}},
		})},
		{id: 4, geom: orb.LineString{{-64, -64}, {4160, 4160}}},
	}
	data := encodeTile([]tileLayer{{name: "things", features: feats}})
	layers, err := DecodeTile(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 || layers[0].Name != "things" || layers[0].Extent != tileExtent || layers[0].Version != 2 {
		t.Fatalf("layer header: %+v", layers)
	}
	got := layers[0].Features
	if len(got) != len(feats) {
		t.Fatalf("got %d features, want %d", len(got), len(feats))
	}
	wantProps := []map[string]any{
		{"name": "a", "n": 3.0, "x": 1.5, "neg": -2.0, "ok": true},
		{"name": "b", "tags": "P,Q", "n": 3.0},
		{}, {},
	}
	for i, f := range got {
		if f.ID != feats[i].id || !orb.Equal(f.Geometry, feats[i].geom) || !reflect.DeepEqual(f.Properties, wantProps[i]) {
			t.Errorf("feature %d: got %+v, want %+v with %v", i, f, feats[i], wantProps[i])
		}
	}
	// Repeated keys and values are stored once.
	if n := len(data); n > 400 {
		t.Errorf("tile of %d bytes; shared keys and values should keep it small", n)
	}
}

func TestWindForTile(t *testing.T) {
	// Counter-clockwise on a y-up map is what RFC 7946 asks of an
	// exterior; in tile coordinates (y down) it comes out negative and must
	// be turned.
	ccw := orb.Ring{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}
	hole := orb.Ring{{2, 2}, {8, 2}, {8, 8}, {2, 8}, {2, 2}}
	p := windForTile(orb.Polygon{slices.Clone(ccw), slices.Clone(hole)}).(orb.Polygon)
	if planar.Area(p[0]) <= 0 || planar.Area(p[1]) >= 0 {
		t.Errorf("exterior area %g, hole area %g: want positive, negative", planar.Area(p[0]), planar.Area(p[1]))
	}
}

func TestTileMath(t *testing.T) {
	world := tileBound(0, 0, 0, 0)
	if math.Abs(world.Min[0]+180) > 1e-9 || math.Abs(world.Max[0]-180) > 1e-9 ||
		math.Abs(world.Max[1]-maxMercatorLat) > 1e-9 || math.Abs(world.Min[1]+maxMercatorLat) > 1e-9 {
		t.Errorf("tile 0/0/0 bound %v, want the Web Mercator world", world)
	}
	// The corners of a tile land on the corners of its grid.
	z, x, y := 12, 2195, 1239
	b := tileBound(z, x, y, 0)
	proj := newTileProjection(z, x, y)
	if got := proj.point(orb.Point{b.Min[0], b.Max[1]}); got != (orb.Point{0, 0}) {
		t.Errorf("north-west corner at %v, want 0,0", got)
	}
	if got := proj.point(orb.Point{b.Max[0], b.Min[1]}); got != (orb.Point{tileExtent, tileExtent}) {
		t.Errorf("south-east corner at %v, want %d,%d", got, tileExtent, tileExtent)
	}
	// The buffer widens the box by buffer units of the grid.
	wide := tileBound(z, x, y, tileBuffer)
	if got := proj.point(orb.Point{wide.Min[0], wide.Max[1]}); got != (orb.Point{-tileBuffer, -tileBuffer}) {
		t.Errorf("buffered north-west corner at %v, want -%d,-%d", got, tileBuffer, tileBuffer)
	}
	// Edge tiles stay within the world.
	if e := tileBound(1, 0, 0, tileBuffer); e.Min[0] != -180 {
		t.Errorf("west edge tile reaches %g", e.Min[0])
	}
}

func TestCleanGeometryDropsWhatVanishes(t *testing.T) {
	sliver := orb.Polygon{{{5, 5}, {5, 5}, {6, 5}, {5, 5}}}
	if g := cleanGeometry(sliver); g != nil {
		t.Errorf("a ring of two distinct points survived: %v", g)
	}
	flat := orb.Polygon{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}
	if g := cleanGeometry(flat); g != nil {
		t.Errorf("a ring of no area survived: %v", g)
	}
	keep := orb.MultiPolygon{sliver, {{{0, 0}, {4, 0}, {4, 4}, {0, 0}}}}
	if g, ok := cleanGeometry(keep).(orb.Polygon); !ok || len(g[0]) != 4 {
		t.Errorf("a multipolygon with one live part: got %v", cleanGeometry(keep))
	}
}

// PostGIS writes vector tiles with its own encoder; reading one back with
// DecodeTile checks the reader, and so the golden tile, against an
// implementation that is not ours.
func TestDecoderReadsPostGIS(t *testing.T) {
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, pgtest.SchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var data []byte
	err = conn.QueryRow(ctx, `
		SELECT ST_AsMVT(q, 'postgis', 4096, 'geom', 'fid') FROM (
			SELECT 7 AS fid, 'Norrby' AS name, 31.5::float8 AS share, 3::int AS type,
				ST_AsMVTGeom(ST_GeomFromText('POLYGON((100 100, 900 100, 900 900, 100 900, 100 100), (300 300, 300 600, 600 600, 600 300, 300 300))'),
					ST_MakeEnvelope(0, 0, 4096, 4096), 4096, 0, true) AS geom
			UNION ALL
			SELECT 8, 'Centre', 2.25, 1,
				ST_AsMVTGeom(ST_GeomFromText('MULTIPOINT((10 20), (30 40))'), ST_MakeEnvelope(0, 0, 4096, 4096), 4096, 0, true)
		) q`).Scan(&data)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := DecodeTile(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 || layers[0].Name != "postgis" || len(layers[0].Features) != 2 {
		t.Fatalf("got %+v", layers)
	}
	fs := layers[0].Features
	slices.SortFunc(fs, func(a, b DecodedFeature) int { return int(a.ID) - int(b.ID) })
	// ST_AsMVTGeom turns y downwards: tile y = 4096 - y.
	poly, ok := fs[0].Geometry.(orb.Polygon)
	if !ok || len(poly) != 2 || poly[0].Bound() != (orb.Bound{Min: orb.Point{100, 3196}, Max: orb.Point{900, 3996}}) ||
		poly[1].Bound() != (orb.Bound{Min: orb.Point{300, 3496}, Max: orb.Point{600, 3796}}) {
		t.Errorf("polygon: got %v", fs[0].Geometry)
	}
	want := map[string]any{"name": "Norrby", "share": 31.5, "type": 3.0}
	if fs[0].ID != 7 || !reflect.DeepEqual(fs[0].Properties, want) {
		t.Errorf("feature 7: got id %d, %v", fs[0].ID, fs[0].Properties)
	}
	if !orb.Equal(fs[1].Geometry, orb.MultiPoint{{10, 4076}, {30, 4056}}) || fs[1].Properties["share"] != 2.25 {
		t.Errorf("feature 8: got %v %v", fs[1].Geometry, fs[1].Properties)
	}
}

// TestTileGeometryLeavesInputAlone: projection works in place, so it must
// only ever see copies; the store's geometry, shared with other requests,
// stays as it was. A Ring and a Bound come out as the polygon they stand
// for, like the same Polygon.
func TestTileGeometryLeavesInputAlone(t *testing.T) {
	z, x, y := 12, 2195, 1239
	b := tileBound(z, x, y, 0)
	proj := newTileProjection(z, x, y)
	c := b.Center()
	d := (b.Max[0] - b.Min[0]) / 4
	box := orb.Bound{Min: orb.Point{c[0] - d, c[1] - d/2}, Max: orb.Point{c[0] + d, c[1] + d/2}}
	ring := box.ToRing()
	wide := tileBound(z, x, y, tileBuffer)
	for _, g := range []orb.Geometry{
		c,
		orb.MultiPoint{c, box.Min},
		orb.LineString{box.Min, box.Max},
		orb.MultiLineString{{box.Min, box.Max}},
		ring,
		orb.Polygon{ring},
		orb.MultiPolygon{{ring}},
		box,
		orb.Collection{c, orb.Polygon{ring}},
	} {
		before := orb.Clone(g)
		got := tileGeometry(g, wide, proj)
		if !orb.Equal(g, before) {
			t.Errorf("%T: the input changed to %v", g, g)
		}
		switch g.(type) {
		case orb.Ring, orb.Bound:
			if want := tileGeometry(orb.Polygon{ring}, wide, proj); !orb.Equal(got, want) {
				t.Errorf("%T: got %v, want the polygon's %v", g, got, want)
			}
		case orb.Collection:
			if got != nil {
				t.Errorf("a collection gave %v, want nothing", got)
			}
		default:
			if got == nil {
				t.Errorf("%T: nothing left", g)
			}
		}
	}
}
