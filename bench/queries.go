package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// The query mix: what map frontends, partners and planners ask most, each
// as a client sends it.
const (
	queryPoint  = "point"
	queryBBox   = "bbox"
	queryNear   = "near"
	queryNested = "nested"
	queryTile   = "tile"
)

// query is one kind of request: how to draw its inputs, and the bare SQL
// it is measured against.
type query struct {
	name, title string
	// build draws n requests.
	build func(d *dataset, n int) []*request
	// sql is the bare statement for a request and its arguments; nil when
	// there is none to compare with.
	sql func(r *request) (string, []any)
	// sqlNote says what the bare SQL is.
	sqlNote string
}

// request is one prepared request, with what the bare baselines need.
type request struct {
	method, path string
	body         []byte
	// arguments for sql
	point  orb.Point
	box    orb.Bound
	areaID int64
	first  int
	tile   [3]int // z, x, y
	// the real server's answer, which the bare HTTP handler replays
	response    []byte
	contentType string
	// header is sent with the request (the cached rows'); notModified
	// says the answer must be 304.
	header      map[string]string
	notModified bool
}

var queries = []*query{
	{
		name: queryPoint, title: "point in area: `areasAt` at a point, innermost first",
		build: func(d *dataset, n int) []*request {
			out := make([]*request, n)
			for i := range out {
				p := d.sampler.Point()
				out[i] = graphQL(`query At($lon: Float!, $lat: Float!) { areasAt(lon: $lon, lat: $lat) { id name kind code } }`,
					map[string]any{"lon": p[0], "lat": p[1]})
				out[i].point = p
			}
			return out
		},
		sql:     areasAtSQL,
		sqlNote: "the statement `AreasAt` sends (db/postgis/areas.go)",
	},
	{
		name: queryBBox, title: "bbox with geometry: `areas` meeting a box, with their outlines",
		build: func(d *dataset, n int) []*request {
			out := make([]*request, n)
			for i := range out {
				b := d.sampler.Box(d.bboxSide)
				out[i] = graphQL(`query Box($b: BBox!) { areas(first: `+strconv.Itoa(bboxPage)+`, filter: {bbox: $b}) { totalCount nodes { id name kind geometry } } }`,
					map[string]any{"b": map[string]float64{"minLon": b.Min[0], "minLat": b.Min[1], "maxLon": b.Max[0], "maxLat": b.Max[1]}})
				out[i].box = b
			}
			return out
		},
		sql:     areasBBoxSQL,
		sqlNote: "the statement `Areas` sends for a box and a page of 1,000 (db/postgis/sql.go pagedSQL)",
	},
	{
		name: queryNear, title: "nearest 20 initiatives within 1 km",
		build: func(d *dataset, n int) []*request {
			out := make([]*request, n)
			for i := range out {
				p := d.sampler.NearLocation(1000)
				out[i] = graphQL(`query Near($lon: Float!, $lat: Float!) { initiatives(first: 20, filter: {near: {lon: $lon, lat: $lat, radiusMeters: 1000}}) `+
					`{ edges { distanceMeters node { id title status } } } }`,
					map[string]any{"lon": p[0], "lat": p[1]})
				out[i].point = p
			}
			return out
		},
		sql: initiativesNearSQL,
		// The query asks no totalCount, as pg_featureserv's answer has
		// none: the store reads the page in the index's order and counts
		// nothing (db/postgis knnSQL).
		sqlNote: "the statement `Initiatives` sends for a near filter and a page of 20 when totalCount is asked (every match ranked and counted); without it the store reads the index's order",
	},
	{
		name: queryNested, title: "one area with 50 initiatives, their leads and partners",
		build: func(d *dataset, n int) []*request {
			out := make([]*request, n)
			for i := range out {
				id := d.busyAreas[d.rng.IntN(len(d.busyAreas))]
				out[i] = nestedRequest(id, 50)
			}
			return out
		},
		sql:     nestedSQL,
		sqlNote: "one hand-written statement that builds the same JSON tree with json_agg",
	},
	{
		name: queryTile, title: "one vector tile of statistical areas at zoom 10",
		build: func(d *dataset, n int) []*request {
			out := make([]*request, n)
			const z = 10
			for i := range out {
				p := d.sampler.Point()
				x, y := tileOf(p, z)
				out[i] = &request{method: "GET", path: fmt.Sprintf("/tiles/statistical-areas/%d/%d/%d.mvt", z, x, y)}
				out[i].box = tileBound(z, x, y, tileBuffer)
				out[i].tile = [3]int{z, x, y}
			}
			return out
		},
		sql:     tileSQL,
		sqlNote: "the statement `Areas` sends for the tile's buffered box (layers/tiles.go)",
	},
}

func queryNamed(name string) *query {
	for _, q := range queries {
		if q.name == name {
			return q
		}
	}
	return nil
}

func graphQL(query string, vars map[string]any) *request {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err) // maps of numbers and strings always marshal
	}
	return &request{method: "POST", path: "/graphql", body: body}
}

// nestedQuery asks for one area and a page of its initiatives, each with
// its lead and partners: four levels, three batch loads.
const nestedQuery = `query Area($id: ID!, $first: Int!) { area(id: $id) { id name initiatives(first: $first) { totalCount nodes ` +
	`{ id title status lead { id name } partners { role organization { id name } } } } } }`

func nestedRequest(areaID int64, first int) *request {
	r := graphQL(nestedQuery, map[string]any{"id": "Area:" + strconv.FormatInt(areaID, 10), "first": first})
	r.areaID, r.first = areaID, first
	return r
}

// --- the bare statements ---
//
// These are the statements the PostGIS store sends for each request, as
// db/postgis composes them (areaRecord, initiativeRecord, spatial and
// pagedSQL), written out: the store keeps its SQL to itself. The smoke
// test checks that they answer what the store answers.

// areaCols are the columns of areaRecord; keep guards the geometry.
func areaCols(keep string) string {
	geom := "ST_AsBinary(a.geom)"
	if keep != "" {
		geom = "CASE WHEN " + keep + " THEN " + geom + " END"
	}
	return "a.id, a.code, a.name, a.kind, coalesce(a.area_type, 0), coalesce(a.parent_id, 0), " + geom +
		", a.valid_from, a.valid_to, a.description, a.version"
}

// initiativeCols are the columns of initiativeRecord.
func initiativeCols(keep string) string {
	locations := "ST_AsBinary(i.locations)"
	if keep != "" {
		locations = "CASE WHEN " + keep + " THEN " + locations + " END"
	}
	return "i.id, i.title, i.description, i.status, i.start_date, i.end_date, i.goal_area, i.focus_groups, i.themes, " +
		locations + ", coalesce(i.lead_id, 0), i.reach_participants, i.reach_into_work, i.reach_into_study, " +
		"ARRAY(SELECT x.area_id FROM initiative_areas x WHERE x.initiative_id = i.id ORDER BY x.area_id), " +
		"ARRAY(SELECT x.organization_id FROM initiative_partners x WHERE x.initiative_id = i.id ORDER BY x.organization_id), " +
		"ARRAY(SELECT x.role FROM initiative_partners x WHERE x.initiative_id = i.id ORDER BY x.organization_id), " +
		"i.version"
}

func mustWKB(g orb.Geometry) []byte {
	b, err := wkb.Marshal(g)
	if err != nil {
		panic(err) // points, lines and polygons always marshal
	}
	return b
}

var kindOrder = func() []string {
	var out []string
	for _, k := range db.AreaKinds {
		out = append(out, string(k))
	}
	return out
}()

func areasAtSQL(r *request) (string, []any) {
	return "SELECT " + areaCols("") + " FROM areas a WHERE a.geom && ST_GeomFromWKB($1, 4326) AND " +
			"ST_Covers(a.geom, ST_GeomFromWKB($1, 4326)) ORDER BY array_position($2::text[], a.kind) DESC, a.id",
		[]any{mustWKB(r.point), kindOrder}
}

// paged is pagedSQL for one parent ("0"), conditions with placeholders
// up to $n already taken, and the page's window in the next two.
func paged(from, conds, dist, order string, cols func(string) string, table, alias string, n int) string {
	keep := fmt.Sprintf("w.rn > $%d AND w.rn <= $%d", n+1, n+2)
	return "WITH m AS (SELECT 0 AS pid, " + alias + ".id AS id, " + dist + " AS dist FROM " + from + " WHERE " + conds + "), " +
		"w AS (SELECT pid, id, dist, row_number() OVER (PARTITION BY pid ORDER BY " + order + ") AS rn, " +
		"count(*) OVER (PARTITION BY pid) AS total FROM m) " +
		"SELECT w.pid, w.total, w.rn, w.dist, " + cols(keep) + " FROM w JOIN " + table + " " + alias +
		" ON " + alias + ".id = w.id WHERE w.rn = 1 OR (" + keep + ") ORDER BY w.pid, w.rn"
}

func boxSQL(box orb.Bound, kinds []string, limit int) (string, []any) {
	args := []any{}
	conds := ""
	if len(kinds) > 0 {
		args = append(args, kinds)
		conds = "a.kind = ANY($1::text[]) AND "
	}
	args = append(args, mustWKB(geo.BoundGeometry(box)))
	g := fmt.Sprintf("ST_GeomFromWKB($%d, 4326)", len(args))
	conds += "a.geom && " + g + " AND ST_Intersects(a.geom, " + g + ")"
	sql := paged("areas a", conds, "NULL::double precision", "id", areaCols, "areas", "a", len(args))
	return sql, append(args, int64(0), int64(limit))
}

func areasBBoxSQL(r *request) (string, []any) { return boxSQL(r.box, nil, bboxPage) }

// bboxPage is the page the outlines in a box are asked for in: the largest
// the API gives (a page's cap follows the complexity budget, and four
// fields of 1,000 areas are well within it), so the whole answer for a
// city-sized box is one request, as the peers' answers are.
const bboxPage = 1000

func tileSQL(r *request) (string, []any) {
	return boxSQL(r.box, []string{string(db.KindStatisticalArea)}, tileFeatureCap)
}

func initiativesNearSQL(r *request) (string, []any) {
	const radius = 1000.0
	dist := "ST_Distance(i.locations::geography, ST_GeomFromWKB($1, 4326)::geography)"
	box := geo.RadiusBound(r.point, radius).Pad(0.001)
	conds := "i.locations && ST_MakeEnvelope($2, $3, $4, $5, 4326) AND " + dist + " <= $6"
	sql := paged("initiatives i", conds, dist, "dist, id", initiativeCols, "initiatives", "i", 6)
	return sql, []any{mustWKB(r.point), box.Min[0], box.Min[1], box.Max[0], box.Max[1], radius, int64(0), int64(20)}
}

// nestedSQL builds the response of the nested query in one statement,
// as a hand-written endpoint would: the area, the count and page of its
// initiatives in id order, each with its lead and its partners in
// organisation order, as JSON text.
func nestedSQL(r *request) (string, []any) {
	const org = `json_build_object('id', CASE o.kind WHEN 'EMPLOYER' THEN 'Employer:' ELSE 'Association:' END || o.id, 'name', o.name)`
	return `SELECT json_build_object('data', json_build_object('area', json_build_object(
	'id', 'Area:' || a.id, 'name', a.name,
	'initiatives', json_build_object(
		'totalCount', (SELECT count(*) FROM initiative_areas x WHERE x.area_id = a.id),
		'nodes', coalesce((SELECT json_agg(json_build_object(
				'id', 'Initiative:' || i.id, 'title', i.title, 'status', i.status,
				'lead', (SELECT ` + org + ` FROM organizations o WHERE o.id = i.lead_id),
				'partners', coalesce((SELECT json_agg(json_build_object('role', p.role, 'organization', ` + org + `)
						ORDER BY p.organization_id)
					FROM initiative_partners p JOIN organizations o ON o.id = p.organization_id
					WHERE p.initiative_id = i.id), '[]'::json)
			) ORDER BY i.id)
			FROM (SELECT i.* FROM initiative_areas x JOIN initiatives i ON i.id = x.initiative_id
				WHERE x.area_id = a.id ORDER BY i.id LIMIT $2) i), '[]'::json)))))::text
FROM areas a WHERE a.id = $1`, []any{r.areaID, int64(r.first)}
}

// --- tiles ---

// As in layers: the buffer around a tile, in units of a tile's extent of
// 4096, the cap on features per tile, and where Web Mercator ends.
const (
	tileBuffer     = 64
	tileExtent     = 4096
	tileFeatureCap = 10_000
	maxMercatorLat = 85.0511287798066
)

// tileOf is the tile at zoom z that holds p.
func tileOf(p orb.Point, z int) (x, y int) {
	n := float64(uint64(1) << z)
	lat := math.Max(-maxMercatorLat, math.Min(maxMercatorLat, p[1])) * math.Pi / 180
	x = int((p[0] + 180) / 360 * n)
	y = int((1 - math.Log(math.Tan(lat)+1/math.Cos(lat))/math.Pi) / 2 * n)
	return min(max(x, 0), int(n)-1), min(max(y, 0), int(n)-1)
}

// tileBound is layers' tileBound: the tile's box widened by pad units.
func tileBound(z, x, y int, pad float64) orb.Bound {
	n := float64(uint64(1) << z)
	f := pad / tileExtent
	lonAt := func(u float64) float64 { return u*360 - 180 }
	latAt := func(v float64) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*v))) * 180 / math.Pi }
	return orb.Bound{
		Min: orb.Point{max(-180, lonAt((float64(x)-f)/n)), latAt((float64(y+1) + f) / n)},
		Max: orb.Point{min(180, lonAt((float64(x+1)+f)/n)), latAt((float64(y) - f) / n)},
	}
}

// busyAreas lists the areas with at least want initiatives, so that the
// nested query fills its page; the busiest ones when too few have that
// many.
func busyAreas(ds *db.Dataset, want int, rng *rand.Rand) []int64 {
	count := map[int64]int{}
	for _, in := range ds.Initiatives {
		for _, a := range in.AreaIDs {
			count[a]++
		}
	}
	var out []int64
	for id, n := range count {
		if n >= want {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		for id := range count {
			out = append(out, id)
		}
		slices.SortFunc(out, func(a, b int64) int { return count[b] - count[a] })
		out = out[:min(len(out), 10)]
	}
	slices.Sort(out)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}
