package geo

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/paulmach/orb"
)

// postgisReference is testdata/postgis/reference.json: questions put to
// PostGIS 3.3 and its answers. generate.go in the same directory rebuilds
// it.
type postgisReference struct {
	PostGIS string `json:"postgis"`
	Areas   []struct {
		Name         string           `json:"name"`
		MultiPolygon orb.MultiPolygon `json:"multipolygon"`
		Points       []struct {
			Kind       string    `json:"kind"`
			Point      orb.Point `json:"point"`
			Covers     bool      `json:"covers"`
			Intersects bool      `json:"intersects"`
			Distance   float64   `json:"distance"`
		} `json:"points"`
	} `json:"areas"`
	Pairs []struct {
		Name       string          `json:"name"`
		A          json.RawMessage `json:"a"`
		B          json.RawMessage `json:"b"`
		Intersects bool            `json:"intersects"`
	} `json:"pairs"`
	Validity []struct {
		Geometry json.RawMessage `json:"geometry"`
		Valid    bool            `json:"valid"`
		Reason   string          `json:"reason"`
	} `json:"validity"`
}

func loadPostGISReference(t *testing.T) *postgisReference {
	t.Helper()
	data, err := os.ReadFile("testdata/postgis/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref postgisReference
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	return &ref
}

func TestPointsMatchPostGIS(t *testing.T) {
	ref := loadPostGISReference(t)
	for _, a := range ref.Areas {
		t.Run(a.Name, func(t *testing.T) {
			var worst float64
			for _, c := range a.Points {
				p := c.Point
				if got := Covers(a.MultiPolygon, p); got != c.Covers {
					t.Errorf("%s %v: Covers = %v, PostGIS ST_Covers = %v", c.Kind, p, got, c.Covers)
				}
				if got := Intersects(a.MultiPolygon, p); got != c.Intersects {
					t.Errorf("%s %v: Intersects = %v, PostGIS ST_Intersects = %v", c.Kind, p, got, c.Intersects)
				}
				d := DistanceToGeometry(p, a.MultiPolygon)
				diff := math.Abs(d - c.Distance)
				worst = math.Max(worst, diff)
				// PostGIS rounds to 1e-8 m and writes 9 decimals here.
				if diff > 1e-6 {
					t.Errorf("%s %v: DistanceToGeometry = %.9f m, PostGIS = %.9f m", c.Kind, p, d, c.Distance)
				}
			}
			t.Logf("%d points; largest distance difference %.3g m", len(a.Points), worst)
		})
	}
}

func TestPairsMatchPostGIS(t *testing.T) {
	ref := loadPostGISReference(t)
	boxes := 0
	defer func() {
		if boxes == 0 {
			t.Error("no pair has a box: IntersectsBox went untested")
		}
	}()
	for _, c := range ref.Pairs {
		a, err := ParseGeoJSON(c.A)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseGeoJSON(c.B)
		if err != nil {
			t.Fatal(err)
		}
		if got := Intersects(a, b); got != c.Intersects {
			t.Errorf("%s: Intersects(a, b) = %v, PostGIS = %v", c.Name, got, c.Intersects)
		}
		if got := Intersects(b, a); got != c.Intersects {
			t.Errorf("%s: Intersects(b, a) = %v, PostGIS = %v", c.Name, got, c.Intersects)
		}
		// A square among the shapes is a box: the box test must answer
		// as PostGIS does.
		if box, ok := axisBox(b); ok {
			boxes++
			if got := IntersectsBox(a, box); got != c.Intersects {
				t.Errorf("%s: IntersectsBox = %v, PostGIS = %v", c.Name, got, c.Intersects)
			}
		}
	}
}

func TestValidityMatchesPostGIS(t *testing.T) {
	ref := loadPostGISReference(t)
	for _, c := range ref.Validity {
		g, err := ParseGeoJSON(c.Geometry)
		if err != nil {
			t.Fatal(err)
		}
		err = Validate(g, Options{})
		if (err == nil) != c.Valid {
			t.Errorf("%s: Validate = %v, PostGIS says %s", c.Geometry, err, c.Reason)
		}
	}
}

// axisBox is the box a polygon of one axis-aligned rectangle is.
func axisBox(g orb.Geometry) (orb.Bound, bool) {
	p, ok := g.(orb.Polygon)
	if !ok || len(p) != 1 || len(p[0]) != 5 {
		return orb.Bound{}, false
	}
	b := p[0].Bound()
	for _, q := range p[0] {
		if (q[0] != b.Min[0] && q[0] != b.Max[0]) || (q[1] != b.Min[1] && q[1] != b.Max[1]) {
			return orb.Bound{}, false
		}
	}
	return b, b.Min[0] < b.Max[0] && b.Min[1] < b.Max[1]
}
