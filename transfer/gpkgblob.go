package transfer

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// maxGeometryBlob is the largest geometry blob a GeoPackage may hold for
// an area: 16 MiB, some ten times what geo.DefaultMaxVertices positions
// take as WKB (16 bytes each). A larger one could not pass the vertex cap
// anyway, and is refused before it is read into memory.
const maxGeometryBlob = 16 << 20

// WKB geometry type codes, and the flags and offsets that mark a type with
// Z or M coordinates (ISO 1000s, 2000s and 3000s; EWKB's high bits).
const (
	wkbPolygon      = 3
	wkbMultiPolygon = 6
	ewkbZ           = 0x80000000
	ewkbM           = 0x40000000
	ewkbSRID        = 0x20000000
)

// gpkgGeometry is a geometry blob of a GeoPackage decoded: its geometry
// and the srs_id its header gives.
type gpkgGeometry struct {
	geom  orb.Geometry
	srsID int32
}

// decodeGeoPackageGeometry decodes a GeoPackage geometry blob (GeoPackage
// 1.2 and later, clause 2.1.3): the header, "GP", a version byte (0 for
// version 1), a flags byte, the srs_id and an envelope of the size the
// flags give, then the geometry as WKB. Only what an area can be is read:
// a two-dimensional Polygon or MultiPolygon. Everything the blob declares
// is checked against its length before it is read, so that a hostile
// blob costs no more than its own bytes; and the WKB's type is checked
// and walked before orb decodes it (decodeAreaWKB).
func decodeGeoPackageGeometry(b []byte) (gpkgGeometry, error) {
	if len(b) > maxGeometryBlob {
		return gpkgGeometry{}, fmt.Errorf("the geometry takes %d bytes, more than the %d an area may", len(b), maxGeometryBlob)
	}
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return gpkgGeometry{}, errors.New(`not a GeoPackage geometry: its blob does not start with "GP" and an 8-byte header`)
	}
	if b[2] != 0 {
		return gpkgGeometry{}, fmt.Errorf("the geometry header has version %d; GeoPackage 1 writes 0", b[2])
	}
	flags := b[3]
	if flags&0xc0 != 0 {
		return gpkgGeometry{}, fmt.Errorf("the geometry header's flags (%#02x) set reserved bits", flags)
	}
	if flags&0x20 != 0 {
		return gpkgGeometry{}, errors.New("the geometry is of an extended type (ExtendedGeoPackageBinary), which areagraph does not read")
	}
	var order binary.ByteOrder = binary.BigEndian
	if flags&0x01 != 0 {
		order = binary.LittleEndian
	}
	srsID := int32(order.Uint32(b[4:8]))
	var envelope int
	switch indicator := flags >> 1 & 0x07; indicator {
	case 0:
	case 1:
		envelope = 32 // minx, maxx, miny, maxy
	case 2, 3:
		envelope = 48 // and minz, maxz or minm, maxm
	case 4:
		envelope = 64 // and both
	default:
		return gpkgGeometry{}, fmt.Errorf("the geometry header's envelope indicator is %d; GeoPackage knows 0 to 4", indicator)
	}
	if len(b) < 8+envelope {
		return gpkgGeometry{}, fmt.Errorf("the geometry blob (%d bytes) is shorter than its header and %d-byte envelope", len(b), envelope)
	}
	if flags&0x10 != 0 {
		return gpkgGeometry{}, errors.New("the geometry is empty")
	}
	g, err := decodeAreaWKB(b[8+envelope:])
	if err != nil && envelope > 0 {
		// An envelope of the wrong size shows as nonsense WKB: say where
		// the WKB was looked for.
		err = fmt.Errorf("%w (read after the %d-byte envelope the header's flags announce)", err, envelope)
	}
	if err != nil {
		return gpkgGeometry{}, err
	}
	return gpkgGeometry{geom: g, srsID: srsID}, nil
}

// decodeAreaWKB decodes WKB holding a two-dimensional Polygon or
// MultiPolygon, all of it: bytes after the geometry are an error, as they
// mean a blob that is not what its header says.
//
// The structure is walked first (scanAreaWKB): orb reads a MultiPolygon's
// members as Polygon or MultiPolygon alike, so a hostile blob of
// MultiPolygons nested a million deep would recurse past the stack, and it
// reads a type's low bits only, taking a Polygon with Z for one without.
func decodeAreaWKB(b []byte) (orb.Geometry, error) {
	n, err := scanAreaWKB(b)
	if err != nil {
		return nil, err
	}
	if n != len(b) {
		return nil, fmt.Errorf("the WKB geometry takes %d bytes of the %d it is given", n, len(b))
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("the WKB geometry is not valid: %w", err)
	}
	return g, nil
}

// scanAreaWKB checks that b starts with a two-dimensional Polygon, or a
// MultiPolygon of them, whose counts fit in b, and returns the number of
// bytes it takes. Each step moves forward by at least four bytes, so the
// walk costs no more than b's length.
func scanAreaWKB(b []byte) (int, error) {
	order, typ, err := wkbHeader(b)
	if err != nil {
		return 0, err
	}
	switch typ {
	case wkbPolygon:
		return scanPolygon(b, order)
	case wkbMultiPolygon:
		if len(b) < 9 {
			return 0, errTruncatedWKB
		}
		count := order.Uint32(b[5:9])
		at := 9
		for range count {
			member, typ, err := wkbHeader(b[at:])
			if err != nil {
				return 0, err
			}
			if typ != wkbPolygon {
				return 0, fmt.Errorf("a member of the MultiPolygon is a %s, not a Polygon", wkbTypeName(typ))
			}
			n, err := scanPolygon(b[at:], member)
			if err != nil {
				return 0, err
			}
			at += n
		}
		return at, nil
	}
	return 0, fmt.Errorf("the geometry is a %s; an area is a Polygon or MultiPolygon", wkbTypeName(typ))
}

var errTruncatedWKB = errors.New("the WKB geometry ends before the counts in it say")

// wkbHeader reads the byte order and type that start a WKB geometry, and
// refuses the types areagraph does not read in words that say why.
func wkbHeader(b []byte) (binary.ByteOrder, uint32, error) {
	if len(b) < 5 {
		return nil, 0, errTruncatedWKB
	}
	var order binary.ByteOrder
	switch b[0] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return nil, 0, fmt.Errorf("the WKB geometry's byte order is %d, want 0 or 1", b[0])
	}
	typ := order.Uint32(b[1:5])
	switch {
	case typ&(ewkbZ|ewkbM) != 0 || typ >= 1000 && typ < 4000:
		return nil, 0, errors.New("the geometry has Z or M coordinates, which areagraph does not read; " +
			"drop them, e.g. with ogr2ogr -dim XY")
	case typ&ewkbSRID != 0:
		return nil, 0, errors.New("the geometry is extended WKB with an SRID, which a GeoPackage does not hold")
	}
	return order, typ, nil
}

// scanPolygon returns the length of the Polygon, of byte order order,
// that starts b.
func scanPolygon(b []byte, order binary.ByteOrder) (int, error) {
	if len(b) < 9 {
		return 0, errTruncatedWKB
	}
	rings := order.Uint32(b[5:9])
	at := 9
	for range rings {
		if len(b)-at < 4 {
			return 0, errTruncatedWKB
		}
		points := uint64(order.Uint32(b[at:]))
		at += 4
		if uint64(len(b)-at) < points*16 {
			return 0, errTruncatedWKB
		}
		at += int(points) * 16
	}
	return at, nil
}

// wkbTypeName names a two-dimensional WKB geometry type for messages.
func wkbTypeName(typ uint32) string {
	names := [...]string{1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
		6: "MultiPolygon", 7: "GeometryCollection"}
	if typ < uint32(len(names)) && names[typ] != "" {
		return names[typ]
	}
	return fmt.Sprintf("WKB geometry of type %d", typ)
}
