package geo

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"

	"github.com/paulmach/orb"
)

// WriteGeoJSON writes g to w as an RFC 7946 GeoJSON geometry object, the
// same text AppendGeoJSON appends. It is the streaming form, for large
// answers: the text goes straight into w through a small reused buffer,
// since outlines are the bulk of large answers and building each one apart
// and copying it on cost more than writing it.
//
// A geometry AppendGeoJSON refuses (see CanWriteGeoJSON) is refused before
// anything is written, so a caller can write something else in its place.
// Otherwise the first error w returns is returned, and nothing more is
// written after it.
func WriteGeoJSON(w io.Writer, g orb.Geometry) error {
	if !CanWriteGeoJSON(g) {
		// AppendGeoJSON gives the reason; it fails without writing.
		if _, err := AppendGeoJSON(nil, g); err != nil {
			return err
		}
		return errors.New("GeoJSON: cannot write the geometry")
	}
	buf := chunks.Get().(*[]byte)
	e := encoder{b: (*buf)[:0], w: w}
	// CanWriteGeoJSON accepted g, which leaves the encoder nothing to fail on.
	_ = e.geometry(g, 0)
	e.flush()
	*buf = e.b[:0]
	chunks.Put(buf)
	return e.werr
}

// CanWriteGeoJSON reports whether AppendGeoJSON and WriteGeoJSON can write
// g: it is false for nil, a nil member of a Collection, collections nested
// too deeply, and coordinates that are not finite numbers. Validate rejects
// such coordinates at the door, so for stored data false means it went bad.
func CanWriteGeoJSON(g orb.Geometry) bool {
	return g != nil && writable(g, 0)
}

// chunkSize is how much text the encoder gathers before handing it to the
// writer: enough that writes are few, small enough that every request can
// keep one buffer in use.
const chunkSize = 16 << 10

// chunks holds the encoders' buffers. A position is far shorter than the
// slack, so a buffer never grows beyond its first size.
var chunks = sync.Pool{New: func() any {
	b := make([]byte, 0, chunkSize+1024)
	return &b
}}

// AppendGeoJSON appends g to dst as an RFC 7946 geometry object. Rings
// are written with RFC 7946 winding whatever the stored order, a Ring or
// Bound is written as a Polygon, and empty geometries keep their type with
// empty coordinates. It fails for nil, a nil member of a Collection, and
// coordinates that are not finite.
//
// It writes the JSON itself rather than through orb/geojson, which would
// write empty geometries as null and pulls in a BSON library the service
// has no use for; numbers are formatted exactly as encoding/json does.
func AppendGeoJSON(dst []byte, g orb.Geometry) ([]byte, error) {
	if g == nil {
		return dst, errors.New("GeoJSON: cannot write a nil geometry")
	}
	e := encoder{b: dst}
	if err := e.geometry(g, 0); err != nil {
		return dst, err
	}
	return e.b, nil
}

// writable reports whether the encoder can write g: it mirrors every
// error geometry returns (TestWritable holds the two together).
func writable(g orb.Geometry, depth int) bool {
	switch g := g.(type) {
	case orb.Point:
		return Finite(g)
	case orb.MultiPoint:
		return allFinite(g)
	case orb.LineString:
		return allFinite(g)
	case orb.MultiLineString:
		for _, l := range g {
			if !allFinite(l) {
				return false
			}
		}
		return true
	case orb.Ring:
		return allFinite(g)
	case orb.Polygon:
		return polygonFinite(g)
	case orb.MultiPolygon:
		for _, p := range g {
			if !polygonFinite(p) {
				return false
			}
		}
		return true
	case orb.Bound:
		return Finite(g.Min) && Finite(g.Max)
	case orb.Collection:
		if depth >= maxCollectionDepth {
			return false
		}
		for _, m := range g {
			if !writable(m, depth+1) {
				return false
			}
		}
		return true
	}
	// nil, or a type GeoJSON has no name for.
	return false
}

// encoder writes GeoJSON into b, handing b to w whenever it holds a chunk
// when w is set.
type encoder struct {
	b    []byte
	w    io.Writer
	werr error // the first error w returned; nothing is written after it
}

func (e *encoder) flush() {
	if len(e.b) > 0 {
		if e.werr == nil {
			_, e.werr = e.w.Write(e.b)
		}
		e.b = e.b[:0]
	}
}

func (e *encoder) open(t string) {
	e.b = append(e.b, `{"type":"`...)
	e.b = append(e.b, t...)
	e.b = append(e.b, `","coordinates":`...)
}

// geometry writes g. Rings are wound as Normalize winds them, by writing
// their positions backwards where needed rather than on a copy.
func (e *encoder) geometry(g orb.Geometry, depth int) error {
	var err error
	switch g := g.(type) {
	case nil:
		return errors.New("GeoJSON: a GeometryCollection holds a nil geometry")
	case orb.Point:
		e.open("Point")
		err = e.position(g)
	case orb.MultiPoint:
		e.open("MultiPoint")
		err = e.positions(g, false)
	case orb.LineString:
		e.open("LineString")
		err = e.positions(g, false)
	case orb.MultiLineString:
		e.open("MultiLineString")
		e.b = append(e.b, '[')
		for i, l := range g {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			if err = e.positions(l, false); err != nil {
				return err
			}
		}
		e.b = append(e.b, ']')
	case orb.Ring:
		e.open("Polygon")
		e.b = append(e.b, '[')
		err = e.ring(g, true)
		e.b = append(e.b, ']')
	case orb.Polygon:
		e.open("Polygon")
		err = e.polygon(g, true)
	case orb.MultiPolygon:
		e.open("MultiPolygon")
		e.b = append(e.b, '[')
		for i, p := range g {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			if err = e.polygon(p, true); err != nil {
				return err
			}
		}
		e.b = append(e.b, ']')
	case orb.Bound:
		// Written in the corner order orb gives it, as Normalize leaves a
		// Bound alone.
		e.open("Polygon")
		err = e.polygon(g.ToPolygon(), false)
	case orb.Collection:
		if depth >= maxCollectionDepth {
			return errors.New("GeoJSON: GeometryCollections nest too deeply")
		}
		e.b = append(e.b, `{"type":"GeometryCollection","geometries":[`...)
		for i, m := range g {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			if err = e.geometry(m, depth+1); err != nil {
				return err
			}
		}
		e.b = append(e.b, ']')
	default:
		return fmt.Errorf("GeoJSON: cannot write a %T", g)
	}
	if err != nil {
		return err
	}
	e.b = append(e.b, '}')
	return nil
}

// polygon writes p's rings, wound as RFC 7946 asks when wind is set.
func (e *encoder) polygon(p orb.Polygon, wind bool) error {
	e.b = append(e.b, '[')
	for i, r := range p {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		var err error
		if wind {
			err = e.ring(r, i == 0)
		} else {
			err = e.positions(r, false)
		}
		if err != nil {
			return err
		}
	}
	e.b = append(e.b, ']')
	return nil
}

// ring writes r counter-clockwise if it is a shell, clockwise if a hole,
// as orientRing would turn it; a ring with no area as it is.
func (e *encoder) ring(r orb.Ring, shell bool) error {
	s := ringWinding(r)
	return e.positions(r, s != 0 && (s > 0) != shell)
}

func (e *encoder) positions(ps []orb.Point, backwards bool) error {
	e.b = append(e.b, '[')
	for i := range ps {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		if e.w != nil && len(e.b) >= chunkSize {
			e.flush()
		}
		p := ps[i]
		if backwards {
			p = ps[len(ps)-1-i]
		}
		if err := e.position(p); err != nil {
			return err
		}
	}
	e.b = append(e.b, ']')
	return nil
}

func (e *encoder) position(p orb.Point) error {
	b := append(e.b, '[')
	b, err := appendNumber(b, p[0])
	if err != nil {
		return err
	}
	b = append(b, ',')
	if b, err = appendNumber(b, p[1]); err != nil {
		return err
	}
	e.b = append(b, ']')
	return nil
}

// appendNumber formats f as encoding/json does: shortest round-trip
// digits, exponent form only for very small or very large magnitudes.
func appendNumber(b []byte, f float64) ([]byte, error) {
	if a := math.Abs(f); a >= 1e-6 && a < 1024 {
		// Coordinates seldom carry more than 12 decimals. If a decimal
		// with at most 12 of them reads back as f, it is the one strconv
		// would find, more cheaply: below 1024 the doubles lie closer
		// together than 1e-12, so no other such decimal reads back as f
		// and any other that does has more digits. n is exact (below
		// 2^53) and so is the division, rounded as ParseFloat rounds.
		if n := int64(a*1e12 + 0.5); float64(n)/1e12 == a {
			return appendDecimal12(b, f < 0, uint64(n)), nil
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("GeoJSON: coordinate %v is not a finite number", f)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Shorten e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendDecimal12 writes n·10⁻¹² without trailing zeros, negated if neg;
// n is below 1024·10¹².
func appendDecimal12(b []byte, neg bool, n uint64) []byte {
	if neg {
		b = append(b, '-')
	}
	ip, frac := n/1e12, n%1e12
	switch {
	case ip >= 1000:
		b = append(b, '1', '0', pairs[2*(ip-1000)], pairs[2*(ip-1000)+1])
	case ip >= 100:
		r := ip % 100
		b = append(b, byte('0'+ip/100), pairs[2*r], pairs[2*r+1])
	case ip >= 10:
		b = append(b, pairs[2*ip], pairs[2*ip+1])
	default:
		b = append(b, byte('0'+ip))
	}
	if frac == 0 {
		return b
	}
	digits := 12
	if frac%1e6 == 0 {
		frac /= 1e6
		digits -= 6
	}
	if frac%1e3 == 0 {
		frac /= 1e3
		digits -= 3
	}
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	// Zeros first, then the digits from the right; what they do not
	// reach are the leading zeros.
	b = append(b, ".000000000000"[:1+digits]...)
	i := len(b)
	for frac >= 100 {
		q := frac / 100
		r := frac - q*100
		i -= 2
		b[i], b[i+1] = pairs[2*r], pairs[2*r+1]
		frac = q
	}
	if frac >= 10 {
		b[i-2], b[i-1] = pairs[2*frac], pairs[2*frac+1]
	} else {
		b[i-1] = byte('0' + frac)
	}
	return b
}

// pairs holds "00" to "99" for writing two digits at a time.
const pairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"
