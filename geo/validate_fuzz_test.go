package geo

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// FuzzValidateGeoJSON holds the validator to what callers rely on for
// geometry from outside: no input panics it; a refusal is a
// *ValidationError whose message names a part and a reason; the vertex
// cap and the allowed types hold; and validity is a property of the shape,
// not of how it was written: normalized, or written and read back, a
// valid geometry stays valid and an invalid one stays invalid.
func FuzzValidateGeoJSON(f *testing.F) {
	for _, s := range geoJSONSeeds() {
		f.Add(s, uint8(0), uint16(0))
		f.Add(s, uint8(1), uint16(4))
	}
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`), uint8(1), uint16(0))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0,0],[0.5,0.1],[0.5,0.2],[0,0]]]}`), uint8(2), uint16(0))
	f.Add([]byte(`{"type":"Point","coordinates":[181,0]}`), uint8(0), uint16(0))
	f.Add([]byte(`{"type":"LineString","coordinates":[[0,0],[0,0]]}`), uint8(3), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, allowedIdx uint8, maxVertices uint16) {
		g, err := ParseGeoJSON(data)
		if err != nil {
			return // FuzzParseGeoJSON holds the parser
		}
		allowed := [][]string{nil, {"Polygon", "MultiPolygon"}, {"Point", "MultiPoint"}, {"LineString"}}[int(allowedIdx)%4]
		opt := Options{MaxVertices: int(maxVertices), Allowed: allowed}
		err = Validate(g, opt)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Reason == "" || !strings.HasPrefix(err.Error(), "geo: ") {
				t.Fatalf("%s: refused with %#v, want a *ValidationError with a reason", data, err)
			}
		} else {
			limit := opt.MaxVertices
			if limit == 0 {
				limit = DefaultMaxVertices
			}
			if n := CountVertices(g); n > limit {
				t.Fatalf("%s: valid with %d vertices over the cap of %d", data, n, limit)
			}
			if allowed != nil && !slices.Contains(allowed, g.GeoJSONType()) {
				t.Fatalf("%s: a %s is valid where only %v are allowed", data, g.GeoJSONType(), allowed)
			}
		}
		valid := err == nil
		if got := Validate(Normalize(g), opt) == nil; got != valid {
			t.Fatalf("%s: valid %v, normalized valid %v (%v)", data, valid, got, err)
		}
		out, werr := AppendGeoJSON(nil, g)
		if werr != nil {
			t.Fatalf("%s: cannot be written: %v", data, werr)
		}
		back, perr := ParseGeoJSON(out)
		if perr != nil {
			t.Fatalf("%s: written as %s does not read back: %v", data, out, perr)
		}
		if got := Validate(back, opt) == nil; got != valid {
			t.Fatalf("%s: valid %v, written and read back (%s) valid %v", data, valid, out, got)
		}
		if valid && !orb.Equal(back, asWritten(Normalize(g))) {
			t.Fatalf("%s: written and read back as %v", data, back)
		}
	})
}
