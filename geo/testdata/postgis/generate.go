//go:build ignore

// Command generate rebuilds reference.json: spatial questions put to
// PostGIS and its answers, which geo's tests hold the in-memory predicates
// to. It needs psql and a database with the postgis extension:
//
//	go run ./geo/testdata/postgis/generate.go \
//	    -psql 'psql -h /tmp/pg -p 5432 -U postgres' \
//	    -municipalities data/swedish_municipalities.geojson \
//	    > geo/testdata/postgis/reference.json
//
// Inputs are generated deterministically; coordinates reach PostGIS as
// WKT with shortest round-trip digits, so both sides see the same float64
// values.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

type point [2]float64
type ring []point
type polygon []ring

// Reference is the file format read by the tests.
type Reference struct {
	PostGIS  string         `json:"postgis"`
	Areas    []Area         `json:"areas"`
	Pairs    []Pair         `json:"pairs"`
	Validity []ValidityCase `json:"validity"`
}

// Area is a (multi)polygon with points asked about it.
type Area struct {
	Name    string      `json:"name"`
	Polygon []polygon   `json:"multipolygon"`
	Points  []PointCase `json:"points"`
}

// PointCase holds PostGIS's answers for one point against an Area.
type PointCase struct {
	Kind       string  `json:"kind"`
	Point      point   `json:"point"`
	Covers     bool    `json:"covers"`
	Intersects bool    `json:"intersects"`
	Distance   float64 `json:"distance"`
}

// Pair is two geometries in GeoJSON and whether ST_Intersects holds.
type Pair struct {
	Name       string          `json:"name"`
	A          json.RawMessage `json:"a"`
	B          json.RawMessage `json:"b"`
	Intersects bool            `json:"intersects"`
}

// ValidityCase is a geometry in GeoJSON and ST_IsValid's verdict on it.
type ValidityCase struct {
	Geometry json.RawMessage `json:"geometry"`
	Valid    bool            `json:"valid"`
	Reason   string          `json:"reason"`
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func wktRing(r ring) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, p := range r {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(num(p[0]) + " " + num(p[1]))
	}
	b.WriteByte(')')
	return b.String()
}

func wktPolygonBody(p polygon) string {
	parts := make([]string, len(p))
	for i, r := range p {
		parts[i] = wktRing(r)
	}
	return "(" + strings.Join(parts, ",") + ")"
}

func wktMulti(mp []polygon) string {
	parts := make([]string, len(mp))
	for i, p := range mp {
		parts[i] = wktPolygonBody(p)
	}
	return "MULTIPOLYGON(" + strings.Join(parts, ",") + ")"
}

func geom(wkt string) string { return "ST_GeomFromText('" + wkt + "', 4326)" }

func main() {
	psql := flag.String("psql", "psql", "psql command line")
	muni := flag.String("municipalities", "data/swedish_municipalities.geojson", "municipality GeoJSON")
	flag.Parse()

	rng := rand.New(rand.NewPCG(1490, 2024))
	var ref Reference
	ref.PostGIS = strings.TrimSpace(query(*psql, []string{"SELECT postgis_full_version()"})[0])

	areas := realAreas(*muni)
	areas = append(areas,
		namedArea{"square with hole", []polygon{{
			{{12.91, 57.71}, {12.97, 57.71}, {12.97, 57.77}, {12.91, 57.77}, {12.91, 57.71}},
			{{12.93, 57.73}, {12.93, 57.75}, {12.95, 57.75}, {12.95, 57.73}, {12.93, 57.73}},
		}}},
		namedArea{"sloped triangle", []polygon{{
			{{12.9123456789, 57.7012345678}, {13.0234567891, 57.7323456789}, {12.9512345678, 57.8034567891}, {12.9123456789, 57.7012345678}},
		}}},
	)
	ref.Pairs = pairs(*psql, areas)
	// The dense ring tests distance precision; pairs with it would only
	// bloat the file.
	areas = append(areas, namedArea{"dense circle, 3 m edges", []polygon{{denseCircle(2000)}}})
	for _, a := range areas {
		ref.Areas = append(ref.Areas, pointCases(*psql, a, rng))
	}
	ref.Validity = validity(*psql, rng)

	out, err := json.Marshal(ref)
	if err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(append(out, '\n'))
}

type namedArea struct {
	name string
	mp   []polygon
}

func realAreas(path string) []namedArea {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				ID   string `json:"id"`
				Name string `json:"kom_namn"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		log.Fatal(err)
	}
	var out []namedArea
	var multi *namedArea
	for _, f := range fc.Features {
		var mp []polygon
		if f.Geometry.Type == "Polygon" {
			var p polygon
			json.Unmarshal(f.Geometry.Coordinates, &p)
			mp = []polygon{p}
		} else {
			json.Unmarshal(f.Geometry.Coordinates, &mp)
		}
		if f.Properties.ID == "1490" {
			out = append(out, namedArea{"Borås (1490)", mp})
		}
		if len(mp) > 1 && (multi == nil || vertices(mp) < vertices(multi.mp)) {
			multi = &namedArea{f.Properties.Name + " (" + f.Properties.ID + ")", mp}
		}
	}
	return append(out, *multi)
}

// denseCircle is a ring of n vertices about 1 km across in Borås: edges
// of a few metres, where a careless cross product loses its precision.
func denseCircle(n int) ring {
	r := make(ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		r = append(r, point{12.94 + 0.017*math.Cos(a), 57.72 + 0.009*math.Sin(a)})
	}
	return append(r, r[0])
}

func vertices(mp []polygon) int {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

func side(a, b, p point) float64 {
	return float64((b[0]-a[0])*(p[1]-a[1])) - float64((p[0]-a[0])*(b[1]-a[1]))
}

func exactSide(a, b, p point) int {
	r := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	d1 := new(big.Rat).Mul(new(big.Rat).Sub(r(b[0]), r(a[0])), new(big.Rat).Sub(r(p[1]), r(a[1])))
	d2 := new(big.Rat).Mul(new(big.Rat).Sub(r(p[0]), r(a[0])), new(big.Rat).Sub(r(b[1]), r(a[1])))
	return d1.Cmp(d2)
}

// pointCases asks PostGIS about vertices, points on and a hair off edges
// (including points whose rounded side determinant is zero though they are
// not exactly on the edge), points inside holes, and points scattered up
// to 50 km around.
func pointCases(psql string, a namedArea, rng *rand.Rand) Area {
	var cases []PointCase
	add := func(kind string, p point) { cases = append(cases, PointCase{Kind: kind, Point: p}) }
	lo, hi := point{math.Inf(1), math.Inf(1)}, point{math.Inf(-1), math.Inf(-1)}
	// Long rings get every stride-th edge asked about, to keep the file
	// small.
	stride := max(1, vertices(a.mp)/200)
	for _, poly := range a.mp {
		for ri, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				p, q := r[i], r[i+1]
				lo = point{math.Min(lo[0], p[0]), math.Min(lo[1], p[1])}
				hi = point{math.Max(hi[0], p[0]), math.Max(hi[1], p[1])}
				if i%stride != 0 {
					continue
				}
				if i%3 == 0 || ri > 0 || len(r) < 40 {
					add("vertex", p)
				}
				t := rng.Float64()
				on := point{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1])}
				kind := "edge, exactly on"
				if exactSide(p, q, on) != 0 {
					kind = "edge, rounded"
					if side(p, q, on) == 0 {
						kind = "edge, rounded, zero determinant"
					}
				}
				add(kind, on)
				add("edge, next float up", point{on[0], math.Nextafter(on[1], 90)})
				add("edge, next float right", point{math.Nextafter(on[0], 180), on[1]})
				// Step off the edge sideways by 1 m to 5 km.
				dx, dy := q[0]-p[0], q[1]-p[1]
				l := math.Hypot(dx, dy)
				off := math.Pow(10, rng.Float64()*3.7) / 111_000
				s := 1.0
				if rng.IntN(2) == 0 {
					s = -1
				}
				add("near edge", point{on[0] - s*dy/l*off*2, on[1] + s*dx/l*off})
			}
		}
	}
	// Points with a zero rounded determinant but not exactly on an edge:
	// the case where PostGIS's arithmetic, not geometry, decides.
	found := 0
	for _, poly := range a.mp {
		r := poly[0]
		for try := 0; try < 200_000 && found < 12; try++ {
			i := rng.IntN(len(r) - 1)
			p, q := r[i], r[i+1]
			t := rng.Float64()
			on := point{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1])}
			if side(p, q, on) == 0 && exactSide(p, q, on) != 0 {
				add("edge, rounded, zero determinant", on)
				found++
			}
		}
	}
	for range 60 {
		w, h := hi[0]-lo[0], hi[1]-lo[1]
		add("around", point{lo[0] - w/2 + 2*w*rng.Float64(), lo[1] - h/2 + 2*h*rng.Float64()})
	}
	for range 20 {
		// Up to about 50 km from the area's box.
		add("far", point{lo[0] - 0.8 + (hi[0]-lo[0]+1.6)*rng.Float64(), lo[1] - 0.45 + (hi[1]-lo[1]+0.9)*rng.Float64()})
	}

	area := geom(wktMulti(a.mp))
	var qs []string
	for _, c := range cases {
		pt := geom("POINT(" + num(c.Point[0]) + " " + num(c.Point[1]) + ")")
		qs = append(qs, fmt.Sprintf(
			"SELECT ST_Covers(a, p)::text || ' ' || ST_Intersects(a, p)::text || ' ' || "+
				"to_char(ST_Distance(a::geography, p::geography), 'FM9999999990.999999999') FROM (SELECT %s AS a, %s AS p) q",
			area, pt))
	}
	rows := query(psql, qs)
	for i, row := range rows {
		f := strings.Fields(row)
		cases[i].Covers = f[0] == "true"
		cases[i].Intersects = f[1] == "true"
		cases[i].Distance, _ = strconv.ParseFloat(f[2], 64)
	}
	return Area{Name: a.name, Polygon: a.mp, Points: cases}
}

func gj(t string, coords any) json.RawMessage {
	c, _ := json.Marshal(coords)
	return json.RawMessage(`{"type":"` + t + `","coordinates":` + string(c) + `}`)
}

func wkt(t string, coords any) string {
	switch c := coords.(type) {
	case point:
		return "POINT(" + num(c[0]) + " " + num(c[1]) + ")"
	case []point:
		if t == "MultiPoint" {
			parts := make([]string, len(c))
			for i, p := range c {
				parts[i] = "(" + num(p[0]) + " " + num(p[1]) + ")"
			}
			return "MULTIPOINT(" + strings.Join(parts, ",") + ")"
		}
		return "LINESTRING" + wktRing(ring(c))
	case polygon:
		return "POLYGON" + wktPolygonBody(c)
	case []polygon:
		return wktMulti(c)
	}
	panic(t)
}

type shape struct {
	name, t string
	coords  any
}

// pairs builds shapes that touch, cross, nest or nearly meet the areas and
// each other.
func pairs(psql string, areas []namedArea) []Pair {
	var out []Pair
	var qs []string
	addPair := func(name string, a, b shape) {
		out = append(out, Pair{Name: name + ": " + a.name + " / " + b.name, A: gj(a.t, a.coords), B: gj(b.t, b.coords)})
		qs = append(qs, "SELECT ST_Intersects("+geom(wkt(a.t, a.coords))+", "+geom(wkt(b.t, b.coords))+")::text")
	}
	for _, ar := range areas {
		area := shape{ar.name, "MultiPolygon", ar.mp}
		shell := ar.mp[0][0]
		v, w := shell[0], shell[1]
		mid := point{(v[0] + w[0]) / 2, (v[1] + w[1]) / 2}
		c := centroid(shell)
		out2 := point{2*v[0] - c[0], 2*v[1] - c[1]}
		shapes := []shape{
			{"line from a vertex outwards", "LineString", []point{v, out2}},
			{"line from an edge midpoint outwards", "LineString", []point{mid, {2*mid[0] - c[0], 2*mid[1] - c[1]}}},
			{"line from a hair outside", "LineString", []point{{math.Nextafter(out2[0], out2[0]+1), out2[1]}, out2}},
			{"line through the middle", "LineString", []point{{c[0] - 1, c[1]}, {c[0] + 1, c[1]}}},
			{"line inside", "LineString", []point{c, {c[0] + 1e-4, c[1] + 1e-4}}},
			{"multipoint with a vertex", "MultiPoint", []point{out2, v}},
			{"multipoint with an edge midpoint", "MultiPoint", []point{out2, mid}},
			{"point at a vertex", "Point", v},
			{"point at an edge midpoint", "Point", mid},
			{"triangle on a vertex", "Polygon", polygon{{v, out2, {out2[0] + 0.01, out2[1] - 0.01}, v}}},
			{"triangle on an edge midpoint", "Polygon", polygon{{mid, {2*mid[0] - c[0], 2*mid[1] - c[1]}, {2*mid[0] - c[0] + 0.01, 2*mid[1] - c[1]}, mid}}},
			{"small square inside", "Polygon", polygon{{{c[0], c[1]}, {c[0] + 1e-4, c[1]}, {c[0] + 1e-4, c[1] + 1e-4}, {c[0], c[1] + 1e-4}, {c[0], c[1]}}}},
			{"square around", "Polygon", polygon{{{c[0] - 2, c[1] - 2}, {c[0] + 2, c[1] - 2}, {c[0] + 2, c[1] + 2}, {c[0] - 2, c[1] + 2}, {c[0] - 2, c[1] - 2}}}},
			{"square far away", "Polygon", polygon{{{c[0] + 3, c[1]}, {c[0] + 4, c[1]}, {c[0] + 4, c[1] + 1}, {c[0] + 3, c[1] + 1}, {c[0] + 3, c[1]}}}},
		}
		for _, s := range shapes {
			addPair("area", area, s)
		}
	}
	// Shapes among themselves: lines crossing, touching end to end,
	// overlapping, and nearly meeting.
	a, b := point{12.9123456789, 57.7012345678}, point{13.0234567891, 57.7323456789}
	m := point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
	lines := []shape{
		{"sloped line", "LineString", []point{a, b}},
		{"line from its rounded midpoint", "LineString", []point{m, {m[0], m[1] + 0.01}}},
		{"line ending at its end", "LineString", []point{b, {b[0] + 0.01, b[1] - 0.02}}},
		{"crossing line", "LineString", []point{{a[0], b[1]}, {b[0], a[1]}}},
		{"collinear overlap", "LineString", []point{{a[0] + (b[0]-a[0])/4, a[1] + (b[1]-a[1])/4}, {b[0] + (b[0]-a[0])/4, b[1] + (b[1]-a[1])/4}}},
		{"parallel a hair away", "LineString", []point{{a[0], math.Nextafter(a[1], 90)}, {b[0], math.Nextafter(b[1], 90)}}},
		{"point at its rounded midpoint", "Point", m},
		{"point at its end", "Point", b},
	}
	for i := range lines {
		for j := i + 1; j < len(lines); j++ {
			addPair("lines", lines[i], lines[j])
		}
	}
	rows := query(psql, qs)
	for i, row := range rows {
		out[i].Intersects = strings.TrimSpace(row) == "true"
	}
	return out
}

func centroid(r ring) point {
	var c point
	for _, p := range r[:len(r)-1] {
		c[0] += p[0]
		c[1] += p[1]
	}
	n := float64(len(r) - 1)
	return point{c[0] / n, c[1] / n}
}

// validity draws small shapes on a 5×5 grid, where degenerate cases
// (touching, collinear, repeated corners) are common, and asks
// ST_IsValid about each: single rings, a whole square with random holes
// (which often touch the shell and each other), and pairs of polygons.
func validity(psql string, rng *rand.Rand) []ValidityCase {
	corner := func() point {
		return point{12.9 + float64(rng.IntN(5))/100, 57.7 + float64(rng.IntN(5))/100}
	}
	randomRing := func(n int) ring {
		r := make(ring, 0, n+1)
		for range n {
			r = append(r, corner())
		}
		return append(r, r[0])
	}
	square := ring{{12.9, 57.7}, {12.94, 57.7}, {12.94, 57.74}, {12.9, 57.74}, {12.9, 57.7}}
	var out []ValidityCase
	var qs []string
	add := func(t string, coords any) {
		out = append(out, ValidityCase{Geometry: gj(t, coords)})
		qs = append(qs, "SELECT ST_IsValid(g)::text || '|' || ST_IsValidReason(g) FROM (SELECT "+geom(wkt(t, coords))+" AS g) q")
	}
	for range 1500 {
		add("Polygon", polygon{randomRing(3 + rng.IntN(5))})
	}
	for range 1500 {
		p := polygon{square}
		for range 1 + rng.IntN(2) {
			p = append(p, randomRing(3+rng.IntN(2)))
		}
		add("Polygon", p)
	}
	for range 1000 {
		add("MultiPolygon", []polygon{{randomRing(3 + rng.IntN(2))}, {randomRing(3 + rng.IntN(2))}})
	}
	rows := query(psql, qs)
	for i, row := range rows {
		valid, reason, _ := strings.Cut(row, "|")
		out[i].Valid = valid == "true"
		out[i].Reason = reason
	}
	return out
}

// query runs the statements through one psql process and returns one
// output line per statement.
func query(psql string, qs []string) []string {
	var in bytes.Buffer
	in.WriteString("SET client_min_messages = error;\n")
	for _, q := range qs {
		in.WriteString(q + ";\n")
	}
	args := strings.Fields(psql)
	cmd := exec.Command(args[0], append(args[1:], "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1")...)
	cmd.Stdin = &in
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatal(err)
	}
	var rows []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		rows = append(rows, sc.Text())
	}
	if len(rows) != len(qs) {
		log.Fatalf("psql returned %d rows for %d statements", len(rows), len(qs))
	}
	return rows
}
