package cql2_test

import (
	"strings"
	"testing"

	"github.com/areagraph/areagraph/ogcapi/cql2"
	"github.com/paulmach/orb"
)

var props = []cql2.Property{
	{Name: "code", Type: cql2.String},
	{Name: "name", Type: cql2.String},
	{Name: "areaType", Type: cql2.Number},
	{Name: "parent", Type: cql2.String},
	{Name: "active", Type: cql2.Boolean},
	{Name: "geometry", Type: cql2.Geometry},
}

type rec struct {
	vals map[string]any
	geom orb.Geometry
}

func (r rec) Value(name string) any  { return r.vals[name] }
func (r rec) Geometry() orb.Geometry { return r.geom }
func square(x, y, d float64) orb.Polygon {
	return orb.Polygon{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}
}

var norrby = rec{map[string]any{"code": "1490-P01", "name": "Norrby", "areaType": 1, "parent": "Area:3", "active": true}, square(12.93, 57.72, 0.01)}
var gota = rec{map[string]any{"code": "1490-P05", "name": "Göta", "areaType": nil, "parent": nil, "active": false}, square(12.95, 57.73, 0.01)}
var nowhere = rec{map[string]any{"code": "X", "name": "it's", "areaType": 2.5, "parent": "Area:4", "active": nil}, nil}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		filter string
		want   [3]bool // norrby, gota, nowhere
	}{
		{"areaType = 1", [3]bool{true, false, false}},
		{"areaType <> 1", [3]bool{false, false, true}}, // null is unknown, not different
		{"areaType < 2", [3]bool{true, false, false}},
		{"areaType <= 2.5", [3]bool{true, false, true}},
		{"areaType > 1", [3]bool{false, false, true}},
		{"areaType >= 1", [3]bool{true, false, true}},
		{"1 = areaType", [3]bool{true, false, false}},
		{"name = 'Norrby'", [3]bool{true, false, false}},
		{"name = 'it''s'", [3]bool{false, false, true}},
		{"name < 'O'", [3]bool{true, true, false}},
		{`"name" = 'Göta'`, [3]bool{false, true, false}},
		{"NOT areaType = 1", [3]bool{false, false, true}},
		{"NOT (areaType = 1) AND NOT areaType IS NULL", [3]bool{false, false, true}},
		{"areaType IS NULL", [3]bool{false, true, false}},
		{"areaType IS NOT NULL", [3]bool{true, false, true}},
		{"(parent IS NULL)", [3]bool{false, true, false}},
		{"geometry IS NULL", [3]bool{false, false, true}},
		{"areaType = 1 OR parent IS NULL", [3]bool{true, true, false}},
		{"areaType = 1 or name like 'G%' and code = '1490-P05'", [3]bool{true, true, false}},
		{"(areaType = 1 OR name LIKE 'G%') AND code = '1490-P01'", [3]bool{true, false, false}},
		{"name LIKE 'N%'", [3]bool{true, false, false}},
		{"name LIKE '%ö%'", [3]bool{false, true, false}},
		{"name LIKE '_ta'", [3]bool{false, false, false}},
		{"name LIKE 'G_ta'", [3]bool{false, true, false}},
		{"name NOT LIKE 'N%'", [3]bool{false, true, true}},
		{"code LIKE '1490\\-P0_'", [3]bool{true, true, false}},
		{"name LIKE 'n%'", [3]bool{false, false, false}},
		{"areaType BETWEEN 1 AND 2", [3]bool{true, false, false}},
		{"areaType NOT BETWEEN 1 AND 2", [3]bool{false, false, true}},
		{"code IN ('1490-P01', '1490-P05')", [3]bool{true, true, false}},
		{"code NOT IN ('1490-P01')", [3]bool{false, true, true}},
		{"areaType IN (1, 2.5)", [3]bool{true, false, true}},
		{"active", [3]bool{true, false, false}},
		{"active = FALSE", [3]bool{false, true, false}},
		{"TRUE", [3]bool{true, true, true}},
		{"FALSE OR areaType = 1", [3]bool{true, false, false}},
		{"DATE('2024-01-01') < DATE('2024-02-01')", [3]bool{true, true, true}},
		{"TIMESTAMP('2024-01-01T00:00:00Z') = TIMESTAMP('2024-01-01T01:00:00+01:00')", [3]bool{true, true, true}},
		{"S_INTERSECTS(geometry, POINT(12.935 57.725))", [3]bool{true, false, false}},
		{"s_intersects(POINT(12.935 57.725), geometry)", [3]bool{true, false, false}},
		{"S_INTERSECTS(geometry, POINT(12.94 57.725))", [3]bool{true, false, false}}, // on the edge
		{"S_INTERSECTS(geometry, BBOX(12.9, 57.7, 12.96, 57.735))", [3]bool{true, true, false}},
		{"S_INTERSECTS(geometry, BBOX(12.9, 57.7, 0, 12.96, 57.735, 10))", [3]bool{true, true, false}},
		{"S_INTERSECTS(geometry, POLYGON((12.955 57.735, 12.956 57.735, 12.956 57.736, 12.955 57.735)))", [3]bool{false, true, false}},
		{"S_INTERSECTS(geometry, MULTIPOLYGON(((12.931 57.721, 12.932 57.721, 12.932 57.722, 12.931 57.721)), ((12.955 57.735, 12.956 57.735, 12.956 57.736, 12.955 57.735))))", [3]bool{true, true, false}},
		{"S_INTERSECTS(geometry, LINESTRING(12.0 57.725, 13.0 57.725))", [3]bool{true, false, false}},
		{"S_INTERSECTS(geometry, MULTILINESTRING((12.0 57.735, 13.0 57.735), (0 0, 1 1)))", [3]bool{false, true, false}},
		{"S_INTERSECTS(geometry, MULTIPOINT((12.935 57.725), (12.955 57.735)))", [3]bool{true, true, false}},
		{"S_INTERSECTS(geometry, MULTIPOINT(12.935 57.725, 0 0))", [3]bool{true, false, false}},
		{"S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(0 0), POINT(12.955 57.735)))", [3]bool{false, true, false}},
		{"S_INTERSECTS(geometry, POINT(12.935 57.725 40))", [3]bool{true, false, false}},
		{"NOT S_INTERSECTS(geometry, POINT(12.935 57.725))", [3]bool{false, true, false}},
	} {
		f, err := cql2.Parse(tc.filter, cql2.Options{Properties: props})
		if err != nil {
			t.Errorf("%s: %v", tc.filter, err)
			continue
		}
		for i, r := range []rec{norrby, gota, nowhere} {
			if got := f.Match(r); got != tc.want[i] {
				t.Errorf("%s on record %d: %v, want %v", tc.filter, i, got, tc.want[i])
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("(", cql2.MaxDepth+1) + "TRUE" + strings.Repeat(")", cql2.MaxDepth+1)
	many := "code IN (" + strings.Repeat("'a',", cql2.MaxTerms) + "'a')"
	var big strings.Builder
	big.WriteString("S_INTERSECTS(geometry, LINESTRING(")
	for i := 0; i <= cql2.MaxVertices; i++ {
		if i > 0 {
			big.WriteString(",")
		}
		big.WriteString("1 2")
	}
	big.WriteString("))")
	for _, tc := range []struct{ filter, want string }{
		{"", "expected a property or a value, found the end of the filter"},
		{"colour = 'red'", `unknown property "colour" at position 1; the queryables are code, name, areaType, parent, active, geometry`},
		{"areaType = 'one'", "= compares areaType with 'one': areaType is a number, the value is text"},
		{"name = 1", "name is text"},
		{"name LIKE 1", "a pattern in quotes"},
		{"areaType LIKE '1%'", "LIKE matches text; areaType is a number"},
		{"name BETWEEN 'a' AND 'b'", "BETWEEN compares numbers"},
		{"code IN ('a', 1)", "IN compares code with 1"},
		{"code IN ()", "expected a property or a value at position 10"},
		{"areaType = 1 AND", "found the end of the filter"},
		{"areaType = 1 areaType = 2", "expected AND, OR or the end of the filter at position 14"},
		{"(areaType = 1", "a closing parenthesis"},
		{"name = 'Norrby", "no closing quote"},
		{`"name = 1`, "no closing quote"},
		{"areaType = 1e999", "is not a number"},
		{"areaType == 1", "expected a property or a value at position 11"},
		{"areaType ! 1", `unexpected "!" at position 10`},
		{"'a' IS NULL", "IS NULL applies to a property"},
		{"areaType NOT = 1", "LIKE, BETWEEN or IN after NOT"},
		{"geometry = 1", "= compares geometry with 1"},
		{"S_INTERSECTS(name, POINT(1 2))", "S_INTERSECTS takes geometries; name is text"},
		{"S_INTERSECTS(geometry, POINT(1))", "expected a number at position 31"},
		{"S_INTERSECTS(geometry, POINT(200 2))", "the geometry at position 24: "},
		{"S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1)))", "the geometry at position 24"},
		{"S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 1 0, 0 1, 0 0)))", "the geometry at position 24"},
		{"S_INTERSECTS(geometry, BBOX(1, 2, 3))", "BBOX takes four numbers"},
		{"S_INTERSECTS(geometry, BBOX(3, 2, 1, 4))", "exceeds the upper"},
		{"S_INTERSECTS(geometry, BBOX(1, 2, 3, 95))", "BBOX at position 24"},
		{"S_INTERSECTS(geometry, CIRCLE(1 2))", `unknown property "CIRCLE" at position 24`},
		{"S_INTERSECTS(geometry POINT(1 2))", "a comma between the geometries"},
		{"DATE('yesterday') = DATE('2024-01-01')", "not a date"},
		{"DATE('2024-01-01') = '2024-01-01'", "is a date or time"},
		{deep, "nests deeper than 32 levels"},
		{strings.Repeat("NOT ", cql2.MaxDepth+1) + "TRUE", "nests deeper than"},
		{many, "more than 256 terms"},
		{big.String(), "positions"},
		{strings.Repeat(" ", cql2.MaxLength+1), "bytes long; the limit is"},
	} {
		_, err := cql2.Parse(tc.filter, cql2.Options{Properties: props})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.60s: error %v, want one containing %q", tc.filter, err, tc.want)
		}
	}
}

func TestToWGS84AndBound(t *testing.T) {
	swap := func(g orb.Geometry) (orb.Geometry, error) {
		p := g.(orb.Point)
		return orb.Point{p[1], p[0]}, nil
	}
	f, err := cql2.Parse("areaType = 1 AND S_INTERSECTS(geometry, POINT(57.725 12.935))", cql2.Options{Properties: props, ToWGS84: swap})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(norrby) || f.Match(gota) {
		t.Error("the literal was not converted")
	}
	if b, ok := f.Bound(); !ok || b.Min != (orb.Point{12.935, 57.725}) {
		t.Errorf("bound %v %v", b, ok)
	}
	f, _ = cql2.Parse("areaType = 1 OR S_INTERSECTS(geometry, POINT(12.935 57.725))", cql2.Options{Properties: props})
	if _, ok := f.Bound(); ok {
		t.Error("an OR implies no bound")
	}
}

// FuzzParse holds the parser to its bounds on any text: it never panics,
// never accepts more than the bounds allow, and a filter it accepts
// evaluates on any record.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"areaType = 1 AND name LIKE 'N%'",
		"NOT (code IN ('a', 'b') OR parent IS NULL)",
		"S_INTERSECTS(geometry, POLYGON((12.9 57.7, 13 57.7, 13 57.8, 12.9 57.7)))",
		"S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(1 2), BBOX(0, 0, 1, 1)))",
		"areaType BETWEEN -1.5e2 AND 3 AND DATE('2024-01-01') < DATE('2025-01-01')",
		`"name" NOT LIKE '%\%_' AND active`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := cql2.Parse(s, cql2.Options{Properties: props})
		if err != nil {
			return
		}
		if len(s) > cql2.MaxLength {
			t.Fatalf("accepted %d bytes", len(s))
		}
		for _, r := range []rec{norrby, gota, nowhere} {
			flt.Match(r)
		}
	})
}

// BenchmarkMatch measures a filter of the kind GDAL sends on one record.
func BenchmarkMatch(b *testing.B) {
	f, err := cql2.Parse("(areaType = 1) AND (name LIKE 'N%') AND S_INTERSECTS(geometry, BBOX(12.9, 57.7, 13, 57.8))", cql2.Options{Properties: props})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f.Match(norrby)
	}
}
