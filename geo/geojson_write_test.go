package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/geo/geotest"
	"github.com/paulmach/orb"
)

// TestAppendNumberAsEncodingJSON compares the number formatting, the
// short way for decimals included, with encoding/json on values of every
// kind: decimals of 0 to 15 places, their neighbours one ulp away, random
// doubles, and the edges of the short way's range.
func TestAppendNumberAsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vals := []float64{0, math.Copysign(0, -1), 1e-6, math.Nextafter(1e-6, 0), math.Nextafter(1e-6, 1),
		1024, math.Nextafter(1024, 0), 1023.999999999999, 1e-7, 1e21, 1e20, 180, -180, 90, 0.1, 0.2, 0.3,
		12.9, 57.7, 5e-324, math.MaxFloat64, 999.9999999999995, 0.000001000000000001}
	for range 200_000 {
		var f float64
		switch rng.IntN(5) {
		case 0:
			f = math.Float64frombits(rng.Uint64())
		case 1:
			f = (rng.Float64()*2 - 1) * 1100
		case 2:
			f = float64(rng.Int64N(2e15)-1e15) / math.Pow10(rng.IntN(16))
		case 3:
			f = float64(rng.Int64N(2e12)-1e12) / math.Pow10(rng.IntN(16))
			f = math.Nextafter(f, math.Inf(rng.IntN(2)*2-1))
		case 4:
			f = rng.Float64() * math.Pow10(rng.IntN(30)-15)
		}
		vals = append(vals, f)
	}
	for _, f := range vals {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		want, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendNumber(nil, f)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("appendNumber(%b) = %s, %v; encoding/json writes %s", f, got, err, want)
		}
	}
}

// TestWritable holds writable, which lets WriteGeoJSON refuse before
// anything is written, to the encoder's own failures.
func TestWritable(t *testing.T) {
	nan := math.NaN()
	deep := orb.Geometry(orb.Point{1, 2})
	for range maxCollectionDepth + 1 {
		deep = orb.Collection{deep}
	}
	gs := []orb.Geometry{
		deep,
		deep.(orb.Collection)[0],
		orb.Collection{orb.Point{1, 2}, nil},
		orb.Collection{orb.LineString{{0, 0}, {math.Inf(-1), 1}}},
		orb.MultiLineString{{{0, 0}, {1, 1}}, {{nan, 0}}},
		orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, {{{0, 0}, {1, 0}, {1, nan}, {0, 0}}}},
		orb.Bound{Min: orb.Point{0, nan}, Max: orb.Point{1, 1}},
		orb.Ring{{0, 0}, {1, math.Inf(1)}, {0, 0}},
		orb.MultiPoint{{1, 1}, {nan, nan}},
	}
	for _, tc := range geotest.EdgeCases() {
		gs = append(gs, tc.Geometry)
	}
	for _, g := range gs {
		_, err := AppendGeoJSON(nil, g)
		if got := CanWriteGeoJSON(g); got != (err == nil) {
			t.Errorf("CanWriteGeoJSON(%v) = %v, but AppendGeoJSON says %v", g, got, err)
		}
	}
}

// chunkRecorder is a writer that is not a bytes.Buffer and keeps each
// write apart.
type chunkRecorder struct{ writes [][]byte }

func (c *chunkRecorder) Write(p []byte) (int, error) {
	c.writes = append(c.writes, slices.Clone(p))
	return len(p), nil
}

// TestWriteGeoJSONInChunks writes outlines far larger than a chunk,
// wound either way, with WriteGeoJSON and checks that the pieces join to
// exactly what AppendGeoJSON writes, and that no piece is much larger than
// a chunk.
func TestWriteGeoJSONInChunks(t *testing.T) {
	shell := wobblyCircle(5000, 3)
	hole := orb.Ring{{12.85, 57.69}, {12.85, 57.71}, {12.95, 57.71}, {12.95, 57.69}, {12.85, 57.69}}
	cw := slices.Clone(shell)
	slices.Reverse(cw)
	for _, g := range []orb.Geometry{
		orb.Polygon{shell, hole},
		orb.Polygon{cw, slices.Clone(hole)},
		orb.MultiPolygon{{shell}, {cw}},
		orb.Collection{orb.Ring(cw), orb.LineString(shell)},
	} {
		want, err := AppendGeoJSON(nil, g)
		if err != nil {
			t.Fatal(err)
		}
		var rec chunkRecorder
		if err := WriteGeoJSON(&rec, g); err != nil {
			t.Fatal(err)
		}
		if got := bytes.Join(rec.writes, nil); !bytes.Equal(got, want) {
			t.Fatalf("%T: WriteGeoJSON wrote %d bytes that differ from AppendGeoJSON's %d", g, len(got), len(want))
		}
		if len(rec.writes) < 2 {
			t.Errorf("%T: %d bytes in %d write(s); want them in chunks", g, len(want), len(rec.writes))
		}
		for _, w := range rec.writes {
			if len(w) > chunkSize+100 {
				t.Errorf("%T: a write of %d bytes, chunks are %d", g, len(w), chunkSize)
			}
		}
		var buf bytes.Buffer
		if err := WriteGeoJSON(&buf, g); err != nil || !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("%T: into a bytes.Buffer WriteGeoJSON wrote other bytes than AppendGeoJSON (%v)", g, err)
		}
	}
}

// TestAppendGeoJSONLeavesInputAlone checks that writing a clockwise
// outline, turned on the way out, neither changes it nor the bytes
// already in dst, and that a failure returns dst as it was.
func TestAppendGeoJSONLeavesInputAlone(t *testing.T) {
	cw := orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {0, 0}}}
	before := cw.Clone()
	got, err := AppendGeoJSON([]byte("x:"), cw)
	if err != nil || string(got) != `x:{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,1],[0,0]]]}` {
		t.Fatalf("AppendGeoJSON = %s, %v", got, err)
	}
	if !orb.Equal(cw, before) {
		t.Fatalf("the input changed to %v", cw)
	}
	dst := []byte("x:")
	got, err = AppendGeoJSON(dst, orb.Collection{cw, nil})
	if err == nil || string(got) != "x:" {
		t.Fatalf("AppendGeoJSON with a nil member = %q, %v", got, err)
	}
}

// failingWriter takes n writes, then fails, counting the calls.
type failingWriter struct{ n, calls int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.calls++
	if f.calls > f.n {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestWriteGeoJSONStopsAtWriteError checks that the writer's first error
// is returned and that nothing is written after it.
func TestWriteGeoJSONStopsAtWriteError(t *testing.T) {
	w := &failingWriter{n: 1}
	err := WriteGeoJSON(w, orb.Polygon{wobblyCircle(5000, 3)})
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("WriteGeoJSON = %v, want the writer's error", err)
	}
	if w.calls != 2 {
		t.Fatalf("the writer was called %d times, want 2: one write, one failure, nothing after", w.calls)
	}
}

// marshal writes g with WriteGeoJSON, or "null" when it cannot be written.
func marshal(g orb.Geometry) string {
	var b bytes.Buffer
	if err := WriteGeoJSON(&b, g); err != nil {
		if b.Len() > 0 {
			panic("WriteGeoJSON wrote before it failed")
		}
		return "null"
	}
	return b.String()
}

func TestWriteGeoJSON(t *testing.T) {
	tests := []struct {
		name string
		g    orb.Geometry
		want string
	}{
		{"nil", nil, `null`},
		{"point", orb.Point{12.94, 57.72}, `{"type":"Point","coordinates":[12.94,57.72]}`},
		{"tiny and huge numbers as encoding/json writes them", orb.Point{1e-7, 1e21}, `{"type":"Point","coordinates":[1e-7,1e+21]}`},
		{"clockwise shell turned", orb.Polygon{{{0, 0}, {0, 1}, {1, 1}, {0, 0}}}, `{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,1],[0,0]]]}`},
		{"ring as polygon", orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`},
		{"bound as polygon", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 2}}, `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,2],[0,2],[0,0]]]}`},
		{"empty polygon", orb.Polygon(nil), `{"type":"Polygon","coordinates":[]}`},
		{"empty ring inside", orb.Polygon{nil}, `{"type":"Polygon","coordinates":[[]]}`},
		{"empty multipoint", orb.MultiPoint{}, `{"type":"MultiPoint","coordinates":[]}`},
		{"empty collection", orb.Collection{}, `{"type":"GeometryCollection","geometries":[]}`},
		{"collection", orb.Collection{orb.Point{1, 2}, orb.LineString{{0, 0}, {1, 1}}}, `{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[0,0],[1,1]]}]}`},
		{"multipolygon", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}, `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}`},
		{"NaN is refused", orb.Point{math.NaN(), 0}, `null`},
		{"nil member is refused", orb.Collection{orb.Point{1, 2}, nil}, `null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := marshal(tc.g); got != tc.want {
				t.Fatalf("WriteGeoJSON =\n %s\nwant\n %s", got, tc.want)
			}
		})
	}
}
