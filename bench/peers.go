package bench

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/areagraph/areagraph/db"
)

// The peers: other servers of the same data on the same PostGIS, measured
// in the same run when Config.Peers is set.
//
// PostGraphile runs for real: version 4 with the PostGIS and connection
// filter plugins, installed with npm into Config.PeersDir, on the options
// its documentation recommends for production. pg_featureserv and
// pg_tileserv cannot be built here (no Go module proxy for them, and they
// would need their own configuration of the schema); what they would send
// for a request is timed bare instead, over pgx, as the bare SQL baseline
// is. Neither server can be faster than its own statement, so a rate
// against the bare statement understates the lead over the server.
const (
	peerPostGraphile = "PostGraphile"
	peerFeatureserv  = "pg_featureserv statement"
	peerTileserv     = "pg_tileserv statement"
)

// The npm packages of the PostGraphile peer, pinned so that runs compare.
var postGraphilePackages = []string{"postgraphile@4.14.1", "@graphile/postgis@0.2.0", "postgraphile-plugin-connection-filter@2.3.0"}

// peerFunctionsSQL creates what a pg_featureserv deployment would publish
// for the nearest query: a set-returning function, as its documentation
// shows functions, that finds the initiatives within a radius of a point,
// nearest first, with the distance on the ellipsoid. The box test lets the
// GiST index on the locations prune; the geography test decides.
const peerFunctionsSQL = `CREATE OR REPLACE FUNCTION nearest_initiatives(lon float8, lat float8, radius float8, n int)
RETURNS TABLE(id bigint, title text, status text, distance float8, geom geometry)
AS $$
	SELECT i.id, i.title, i.status, ST_Distance(i.locations::geography, p.g) AS distance, i.locations
	FROM initiatives i,
		(SELECT ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography AS g,
			ST_Expand(ST_SetSRID(ST_MakePoint(lon, lat), 4326), radius / 111000.0 / greatest(cos(radians(least(abs(lat) + radius / 111000.0, 89))), 0.01) + 0.001) AS box) p
	WHERE i.locations && p.box AND ST_DWithin(i.locations::geography, p.g, radius)
	ORDER BY distance, i.id
	LIMIT n
$$ LANGUAGE sql STABLE PARALLEL SAFE`

// installPeerFunctions creates the peers' functions in the dataset's
// schema (the first on the search path of pool's connections).
func installPeerFunctions(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, peerFunctionsSQL); err != nil {
		return fmt.Errorf("create the peers' functions: %w", err)
	}
	return nil
}

// peerStatement is what a peer sends for a request.
type peerStatement struct {
	name string
	sql  func(r *request) (string, []any)
}

// peerStatements lists, per query, the statements timed bare for the
// peers that cannot run here.
var peerStatements = map[string]peerStatement{
	// pg_featureserv answers a function's items with the function called
	// in FROM, its geometry as GeoJSON (at the precision asked for) and the
	// other columns as properties.
	queryNear: {peerFeatureserv, func(r *request) (string, []any) {
		return `SELECT ST_AsGeoJSON(ST_Transform(geom, 4326), 6) AS _geojson, id, title, status, distance ` +
			`FROM nearest_initiatives(lon => $1, lat => $2, radius => $3, n => $4) LIMIT 20`, []any{r.point[0], r.point[1], 1000.0, 20}
	}},
	// pg_featureserv answers a collection's items in a box with the
	// table's rows meeting it, all of them (limit=10000), sorted by id.
	queryBBox: {peerFeatureserv, func(r *request) (string, []any) {
		return `SELECT ST_AsGeoJSON(ST_Transform(geom, 4326), 6) AS _geojson, id, name, kind FROM areas ` +
				`WHERE ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326)) ORDER BY id LIMIT 10000`,
			[]any{r.box.Min[0], r.box.Min[1], r.box.Max[0], r.box.Max[1]}
	}},
	// pg_tileserv builds a tile in the database: the features meeting the
	// buffered tile, projected, clipped and quantised by ST_AsMVTGeom and
	// encoded by ST_AsMVT, with the properties the areagraph tile has.
	queryTile: {peerTileserv, func(r *request) (string, []any) {
		return `WITH bounds AS (SELECT ST_TileEnvelope($1, $2, $3) AS clip, ST_TileEnvelope($1, $2, $3, margin => $4::int / 4096.0) AS query),
mvtgeom AS (
	SELECT ST_AsMVTGeom(ST_Transform(t.geom, 3857), bounds.clip, 4096, $4::int) AS geom, t.id, t.code, t.name, t.kind
	FROM areas t, bounds
	WHERE ST_Intersects(t.geom, ST_Transform(bounds.query, 4326)) AND t.kind = $5
	LIMIT 10000
)
SELECT ST_AsMVT(mvtgeom.*, 'statistical-areas', 4096, 'geom', 'id') FROM mvtgeom`,
			[]any{r.tile[0], r.tile[1], r.tile[2], tileBuffer, string(db.KindStatisticalArea)}
	}},
}

// postGraphileNested is the nested query in PostGraphile's schema: the
// same tree, through the link tables its relations expose.
const postGraphileNested = `query Area($id: BigInt!, $first: Int!) { areaById(id: $id) { id name ` +
	`initiativeAreasByAreaId(first: $first, orderBy: INITIATIVE_ID_ASC) { totalCount nodes { initiativeByInitiativeId { ` +
	`id title status organizationByLeadId { id name } ` +
	`initiativePartnersByInitiativeId(orderBy: ORGANIZATION_ID_ASC) { nodes { role organizationByOrganizationId { id name } } } } } } } }`

func postGraphileBody(r *request) []byte {
	b, err := json.Marshal(map[string]any{"query": postGraphileNested,
		"variables": map[string]any{"id": strconv.FormatInt(r.areaID, 10), "first": r.first}})
	if err != nil {
		panic(err) // strings and numbers always marshal
	}
	return b
}

// postGraphile is a running PostGraphile.
type postGraphile struct {
	cmd    *exec.Cmd
	url    string
	exited chan struct{}
}

// startPostGraphile installs PostGraphile into dir when it is not there
// yet, and starts it on the schema of databaseURL with a pool of conns.
func startPostGraphile(ctx context.Context, cfg Config, databaseURL, schema string, conns int) (*postGraphile, error) {
	bin := filepath.Join(cfg.PeersDir, "node_modules", ".bin", "postgraphile")
	stamp := filepath.Join(cfg.PeersDir, "installed")
	want := strings.Join(postGraphilePackages, " ")
	if got, err := os.ReadFile(stamp); err != nil || string(got) != want {
		cfg.logf("peers: installing %s into %s", want, cfg.PeersDir)
		if err := os.MkdirAll(cfg.PeersDir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(cfg.PeersDir, "package.json"), []byte(`{"private": true}`+"\n"), 0o644); err != nil {
			return nil, err
		}
		npm := exec.CommandContext(ctx, "npm", append([]string{"install", "--no-audit", "--no-fund", "--prefix", cfg.PeersDir}, postGraphilePackages...)...)
		if out, err := npm.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("npm install %s (node and npm are needed for -peers): %v: %s", want, err, lastLines(out, 5))
		}
		if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	logFile, err := os.Create(filepath.Join(cfg.Dir, "areagraph-bench-postgraphile.log"))
	if err != nil {
		return nil, err
	}
	// The production options of PostGraphile's CLI documentation, less
	// the inflector plugin (the field names do not change the work).
	cmd := exec.Command(bin, "--connection", databaseURL, "--schema", schema,
		"--append-plugins", "@graphile/postgis,postgraphile-plugin-connection-filter",
		"--retry-on-init-fail", "--dynamic-json", "--no-setof-functions-contain-nulls", "--no-ignore-rbac",
		"--extended-errors", "errcode", "--disable-graphiql", "--enable-query-batching", "--disable-query-log",
		"--legacy-relations", "omit", "--max-pool-size", strconv.Itoa(conns),
		"--host", "127.0.0.1", "--port", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "NODE_ENV=production")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start PostGraphile: %w", err)
	}
	p := &postGraphile{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d/graphql", port), exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Post(p.url, "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.exited:
			tail, _ := os.ReadFile(logFile.Name())
			return nil, fmt.Errorf("PostGraphile exited before serving: %s", lastLines(tail, 5))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, errors.New("PostGraphile did not serve within 2 minutes")
		}
	}
}

func (p *postGraphile) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// peerTargets are the peers of query q, ready to load, each checked first:
// its answer to every prepared request must name the records the
// areagraph answer names, in the same order (as a set for tiles, whose
// features have no order).
func (e *env) peerTargets(ctx context.Context, q *query, in *inputs) ([]*target, error) {
	var out []*target
	if st, ok := peerStatements[q.name]; ok {
		t := &target{name: st.name, close: func() {}, newOp: func() op {
			return func(ctx context.Context, i int) (int, error) {
				sql, args := st.sql(in.reqs[i%len(in.reqs)])
				return readAll(ctx, e.pg, sql, args)
			}
		}}
		var first string
		for _, r := range in.reqs {
			sql, args := st.sql(r)
			got, err := statementIDs(ctx, e.pg, sql, args)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", st.name, err)
			}
			if want := answerIDs(r); !sameIDs(q.name, got, want) {
				if t.idsDiffer == 0 {
					first = fmt.Sprintf("%s %s %.200s: ids %v, areagraph %v", r.method, r.path, r.body, got, want)
				}
				t.idsDiffer++
			}
		}
		if t.idsDiffer > 0 {
			e.cfg.logf("%s: %d of %d answers name other records than areagraph's; the first: %s", st.name, t.idsDiffer, len(in.reqs), first)
		}
		out = append(out, t)
	}
	if q.name == queryNested && e.postGraphile != nil {
		client := &http.Client{Transport: &http.Transport{MaxIdleConns: e.cfg.Concurrency, MaxIdleConnsPerHost: e.cfg.Concurrency,
			DisableCompression: true}}
		bodies := make([][]byte, len(in.reqs))
		for i, r := range in.reqs {
			bodies[i] = postGraphileBody(r)
		}
		send := func(ctx context.Context, i int, buf *bytes.Buffer) (int, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.postGraphile.url, bytes.NewReader(bodies[i%len(bodies)]))
			if err != nil {
				return 0, err
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			buf.Reset()
			n, err := buf.ReadFrom(resp.Body)
			if err == nil && (resp.StatusCode != http.StatusOK || bytes.Contains(buf.Bytes(), []byte(`"errors"`))) {
				err = fmt.Errorf("status %d: %.200s", resp.StatusCode, buf.Bytes())
			}
			return int(n), err
		}
		t := &target{name: peerPostGraphile, close: client.CloseIdleConnections, newOp: func() op {
			var buf bytes.Buffer
			return func(ctx context.Context, i int) (int, error) { return send(ctx, i, &buf) }
		}}
		var buf bytes.Buffer
		for i, r := range in.reqs {
			if _, err := send(ctx, i, &buf); err != nil {
				return nil, fmt.Errorf("%s: %w", peerPostGraphile, err)
			}
			if got, want := jsonIDs(buf.Bytes()), answerIDs(r); !slices.Equal(got, want) {
				if t.idsDiffer == 0 {
					e.cfg.logf("%s: area %d: ids %v, areagraph %v", peerPostGraphile, r.areaID, got, want)
				}
				t.idsDiffer++
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// readAll runs a statement and reads every byte of every row.
func readAll(ctx context.Context, pool *pgxpool.Pool, sql string, args []any) (int, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		for _, v := range rows.RawValues() {
			n += len(v)
		}
	}
	return n, rows.Err()
}

// statementIDs are the records a statement answers: the column named id
// of each row, or, for a statement of one value, the ids of the JSON
// document or the features of the vector tile it is.
func statementIDs(ctx context.Context, pool *pgxpool.Pool, sql string, args []any) ([]int64, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	col := slices.IndexFunc(fields, func(f pgconn.FieldDescription) bool { return f.Name == "id" })
	var out []int64
	for rows.Next() {
		raw := rows.RawValues()
		switch {
		case col >= 0:
			v, err := rows.Values()
			if err != nil {
				return nil, err
			}
			id, ok := v[col].(int64)
			if !ok {
				return nil, fmt.Errorf("id column of type %T", v[col])
			}
			out = append(out, id)
		case len(raw) == 1 && bytes.HasPrefix(raw[0], []byte("{")):
			out = append(out, jsonIDs(raw[0])...)
		case len(raw) == 1:
			ids, err := mvtIDs(raw[0])
			if err != nil {
				return nil, err
			}
			out = append(out, ids...)
		}
	}
	return out, rows.Err()
}

// answerIDs are the records areagraph's answer to r names.
func answerIDs(r *request) []int64 {
	if r.path == "/graphql" {
		return jsonIDs(r.response)
	}
	ids, _ := mvtIDs(r.response)
	return ids
}

// jsonIDs are the values of the "id" members of a JSON document, in
// document order, as numbers: areagraph's global ids ("Area:12") by the
// number after the colon.
func jsonIDs(doc []byte) []int64 {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var out []int64
	key := false // the next token is a member's name
	var stack []bool
	name := ""
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, true)
				key = true
			case '[':
				stack = append(stack, false)
				key = false
			default:
				stack = stack[:len(stack)-1]
				key = len(stack) > 0 && stack[len(stack)-1]
			}
			continue
		}
		inObject := len(stack) > 0 && stack[len(stack)-1]
		if inObject && key {
			name, _ = tok.(string)
			key = false
			continue
		}
		if inObject && name == "id" {
			var s string
			switch v := tok.(type) {
			case string:
				s = v[strings.LastIndexByte(v, ':')+1:]
			case json.Number:
				s = v.String()
			}
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				out = append(out, id)
			}
		}
		key = inObject
	}
}

// mvtIDs are the ids of a vector tile's features, in ascending order.
func mvtIDs(tile []byte) ([]int64, error) {
	var out []int64
	err := protoFields(tile, func(field int, v uint64, b []byte) error {
		if field != 3 { // layers
			return nil
		}
		return protoFields(b, func(field int, _ uint64, b []byte) error {
			if field != 2 { // features
				return nil
			}
			return protoFields(b, func(field int, v uint64, _ []byte) error {
				if field == 1 { // id
					out = append(out, int64(v))
				}
				return nil
			})
		})
	})
	slices.Sort(out)
	return out, err
}

// protoFields calls f for each field of a protobuf message: varints with
// their value, length-delimited fields with their bytes.
func protoFields(b []byte, f func(field int, v uint64, b []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return io.ErrUnexpectedEOF
		}
		b = b[n:]
		field := int(key >> 3)
		switch key & 7 {
		case 0:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return io.ErrUnexpectedEOF
			}
			b = b[n:]
			if err := f(field, v, nil); err != nil {
				return err
			}
		case 1:
			if len(b) < 8 {
				return io.ErrUnexpectedEOF
			}
			b = b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return io.ErrUnexpectedEOF
			}
			if err := f(field, 0, b[n:n+int(l)]); err != nil {
				return err
			}
			b = b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return io.ErrUnexpectedEOF
			}
			b = b[4:]
		default:
			return fmt.Errorf("protobuf wire type %d", key&7)
		}
	}
	return nil
}

// sameIDs compares the records two answers name: in order, but for a
// tile, whose features are a set.
func sameIDs(queryName string, got, want []int64) bool {
	if queryName == queryTile {
		got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	}
	return slices.Equal(got, want)
}
