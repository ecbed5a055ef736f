package transfer

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// gpkgBlob is a GeoPackage geometry blob: the header with flags and
// srsID, an envelope of envelope float64s (in the header's byte order),
// then body.
func gpkgBlob(flags byte, srsID int32, envelope int, body []byte) []byte {
	var order binary.AppendByteOrder = binary.BigEndian
	if flags&1 != 0 {
		order = binary.LittleEndian
	}
	b := []byte{'G', 'P', 0, flags}
	b = order.AppendUint32(b, uint32(srsID))
	for i := range envelope {
		b = order.AppendUint64(b, math.Float64bits(float64(i)))
	}
	return append(b, body...)
}

// wkbOf is g as WKB in the byte order bo.
func wkbOf(t testing.TB, g orb.Geometry, bo binary.ByteOrder) []byte {
	t.Helper()
	b, err := wkb.Marshal(g, bo)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	blobSquare = orb.Polygon{{{12.9, 57.7}, {13, 57.7}, {13, 57.8}, {12.9, 57.8}, {12.9, 57.7}}}
	blobMulti  = orb.MultiPolygon{blobSquare, {{{13.1, 57.7}, {13.2, 57.7}, {13.2, 57.8}, {13.1, 57.7}}}}
)

func TestDecodeGeoPackageGeometry(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	for _, tc := range []struct {
		name string
		blob []byte
		want orb.Geometry
	}{
		{"no envelope, little-endian", gpkgBlob(0x01, 4326, 0, wkbOf(t, blobSquare, le)), blobSquare},
		{"xy envelope, big-endian header and WKB", gpkgBlob(0x02, 4326, 4, wkbOf(t, blobSquare, be)), blobSquare},
		{"xyz envelope", gpkgBlob(0x05, 3006, 6, wkbOf(t, blobMulti, le)), blobMulti},
		{"xym envelope", gpkgBlob(0x07, 3006, 6, wkbOf(t, blobMulti, be)), blobMulti},
		{"xyzm envelope", gpkgBlob(0x09, 3006, 8, wkbOf(t, blobSquare, le)), blobSquare},
	} {
		g, err := decodeGeoPackageGeometry(tc.blob)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !orb.Equal(g.geom, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, g.geom, tc.want)
		}
		if g.srsID != 4326 && g.srsID != 3006 {
			t.Errorf("%s: srs_id %d", tc.name, g.srsID)
		}
	}
	if g, _ := decodeGeoPackageGeometry(gpkgBlob(0x00, 3006, 0, wkbOf(t, blobSquare, le))); g.srsID != 3006 {
		t.Errorf("a big-endian header's srs_id read as %d", g.srsID)
	}

	sq := wkbOf(t, blobSquare, le)
	// A MultiPolygon whose member is a MultiPolygon, nested: orb would
	// follow it down.
	nested := le.AppendUint32([]byte{1}, wkbMultiPolygon)
	nested = le.AppendUint32(nested, 1)
	nested = append(nested, wkbOf(t, orb.MultiPolygon{blobSquare}, le)...)
	z := append([]byte{1}, le.AppendUint32(nil, 1003)...)
	ewkbPolygonZ := append([]byte{1}, le.AppendUint32(nil, wkbPolygon|ewkbZ)...)
	for _, tc := range []struct {
		name string
		blob []byte
		says string
	}{
		{"empty", nil, `does not start with "GP"`},
		{"another magic", append([]byte("XP\x00\x01\x00\x00\x00\x00"), sq...), `does not start with "GP"`},
		{"short header", []byte("GP\x00\x01"), "8-byte header"},
		{"version 1", append([]byte("GP\x01\x01\x00\x00\x00\x00"), sq...), "version 1"},
		{"reserved flags", gpkgBlob(0x81, 4326, 0, sq), "reserved bits"},
		{"extended type", gpkgBlob(0x21, 4326, 0, sq), "extended type"},
		{"envelope indicator 5", gpkgBlob(0x0b, 4326, 0, sq), "envelope indicator is 5"},
		{"envelope indicator 7", gpkgBlob(0x0f, 4326, 0, sq), "envelope indicator is 7"},
		{"envelope shorter than said", gpkgBlob(0x09, 4326, 0, nil), "64-byte envelope"},
		{"empty flag", gpkgBlob(0x11, 4326, 0, sq), "empty"},
		{"no WKB", gpkgBlob(0x03, 4326, 4, nil), "ends before"},
		{"WKB byte order 2", gpkgBlob(0x01, 4326, 0, append([]byte{2}, sq[1:]...)), "byte order is 2"},
		{"a point", gpkgBlob(0x01, 4326, 0, wkbOf(t, orb.Point{13, 57.7}, le)), "is a Point"},
		{"a collection", gpkgBlob(0x01, 4326, 0, wkbOf(t, orb.Collection{blobSquare}, le)), "is a GeometryCollection"},
		{"unknown type", gpkgBlob(0x01, 4326, 0, append([]byte{1, 99, 0, 0, 0}, sq[5:]...)), "type 99"},
		{"ISO Z", gpkgBlob(0x01, 4326, 0, append(z, sq[5:]...)), "Z or M"},
		{"EWKB Z", gpkgBlob(0x01, 4326, 0, append(ewkbPolygonZ, sq[5:]...)), "Z or M"},
		{"nested multipolygons", gpkgBlob(0x01, 4326, 0, nested), "member of the MultiPolygon is a MultiPolygon"},
		{"truncated ring", gpkgBlob(0x01, 4326, 0, sq[:len(sq)-8]), "ends before"},
		{"ring count past the end", gpkgBlob(0x01, 4326, 0, append(sq[:5:5], 0xff, 0xff, 0xff, 0xff)), "ends before"},
		{"point count past the end", gpkgBlob(0x01, 4326, 0, append(sq[:13:13], 0xff, 0xff, 0xff, 0x0f)), "ends before"},
		{"trailing bytes", gpkgBlob(0x01, 4326, 0, append(sq[:len(sq):len(sq)], 0)), "takes 93 bytes of the 94"},
		{"too large", append(gpkgBlob(0x01, 4326, 0, sq), make([]byte, maxGeometryBlob)...), "more than the"},
	} {
		_, err := decodeGeoPackageGeometry(tc.blob)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.says)
		}
	}
}

// FuzzDecodeGeoPackageGeometry holds the geometry blob decoder to what
// a hostile file may not do: panic, recurse, or yield anything but a
// Polygon or MultiPolygon that takes exactly the blob's bytes.
func FuzzDecodeGeoPackageGeometry(f *testing.F) {
	le, be := binary.LittleEndian, binary.BigEndian
	sq := wkbOf(f, blobSquare, le)
	for _, b := range [][]byte{
		gpkgBlob(0x01, 4326, 0, sq),
		gpkgBlob(0x03, 3006, 4, wkbOf(f, blobMulti, le)),
		gpkgBlob(0x04, 3006, 6, wkbOf(f, blobMulti, be)),
		gpkgBlob(0x09, 3008, 8, sq),
		gpkgBlob(0x11, 4326, 0, nil),
		gpkgBlob(0x21, 4326, 0, sq),
		gpkgBlob(0x01, 4326, 0, wkbOf(f, orb.Collection{blobSquare, orb.Point{1, 2}}, le)),
		gpkgBlob(0x01, 4326, 0, sq[:20]),
		[]byte("GP"),
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := decodeGeoPackageGeometry(b)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		envelope := [...]int{0, 32, 48, 48, 64}[b[3]>>1&7]
		if n := wkbLength(g.geom); n != len(b)-8-envelope {
			t.Fatalf("a %T of %d WKB bytes decoded from %d", g.geom, n, len(b)-8-envelope)
		}
	})
}

// wkbLength is the number of bytes g, a Polygon or MultiPolygon, takes as
// two-dimensional WKB; -1 for any other geometry.
func wkbLength(g orb.Geometry) int {
	polygon := func(p orb.Polygon) int {
		n := 9 // byte order, type, ring count
		for _, r := range p {
			n += 4 + 16*len(r)
		}
		return n
	}
	switch g := g.(type) {
	case orb.Polygon:
		return polygon(g)
	case orb.MultiPolygon:
		n := 9
		for _, p := range g {
			n += polygon(p)
		}
		return n
	}
	return -1
}
