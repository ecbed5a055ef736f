package layers

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// A vector tile reader for tests: it reads what the encoder writes, and
// what PostGIS's ST_AsMVT writes (see TestDecoderReadsPostGIS), so the
// encoder is checked against the format rather than against itself.

// DecodedLayer is one layer of a decoded tile.
type DecodedLayer struct {
	Name     string           `json:"name"`
	Version  int              `json:"version"`
	Extent   int              `json:"extent"`
	Features []DecodedFeature `json:"features"`
}

// DecodedFeature is one feature of a decoded tile, its geometry in tile
// coordinates.
type DecodedFeature struct {
	ID         uint64         `json:"id"`
	Type       string         `json:"type"`
	Geometry   orb.Geometry   `json:"coordinates"`
	Properties map[string]any `json:"properties"`
}

type pbReader struct {
	b []byte
	i int
}

var errTruncated = errors.New("mvt: truncated message")

func (r *pbReader) done() bool { return r.i >= len(r.b) }

func (r *pbReader) varint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		if r.i >= len(r.b) {
			return 0, errTruncated
		}
		c := r.b[r.i]
		r.i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("mvt: varint too long")
}

func (r *pbReader) key() (field, wire int, err error) {
	k, err := r.varint()
	return int(k >> 3), int(k & 7), err
}

func (r *pbReader) bytes() ([]byte, error) {
	n, err := r.varint()
	if err != nil {
		return nil, err
	}
	if uint64(len(r.b)-r.i) < n {
		return nil, errTruncated
	}
	out := r.b[r.i : r.i+int(n)]
	r.i += int(n)
	return out, nil
}

func (r *pbReader) fixed(n int) (uint64, error) {
	if len(r.b)-r.i < n {
		return 0, errTruncated
	}
	var v uint64
	for k := 0; k < n; k++ {
		v |= uint64(r.b[r.i+k]) << (8 * k)
	}
	r.i += n
	return v, nil
}

func (r *pbReader) skip(wire int) error {
	var err error
	switch wire {
	case 0:
		_, err = r.varint()
	case 1:
		_, err = r.fixed(8)
	case 2:
		_, err = r.bytes()
	case 5:
		_, err = r.fixed(4)
	default:
		err = fmt.Errorf("mvt: unknown wire type %d", wire)
	}
	return err
}

func (r *pbReader) packed() ([]uint32, error) {
	data, err := r.bytes()
	if err != nil {
		return nil, err
	}
	pr := pbReader{b: data}
	var out []uint32
	for !pr.done() {
		v, err := pr.varint()
		if err != nil {
			return nil, err
		}
		out = append(out, uint32(v))
	}
	return out, nil
}

// DecodeTile reads a vector tile.
func DecodeTile(data []byte) ([]DecodedLayer, error) {
	r := pbReader{b: data}
	var out []DecodedLayer
	for !r.done() {
		field, wire, err := r.key()
		if err != nil {
			return nil, err
		}
		if field != 3 || wire != 2 {
			if err := r.skip(wire); err != nil {
				return nil, err
			}
			continue
		}
		msg, err := r.bytes()
		if err != nil {
			return nil, err
		}
		l, err := decodeLayer(msg)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

type rawFeature struct {
	id   uint64
	tags []uint32
	typ  int
	geom []uint32
}

func decodeLayer(data []byte) (DecodedLayer, error) {
	l := DecodedLayer{Version: 1, Extent: 4096}
	r := pbReader{b: data}
	var keys []string
	var values []any
	var raw []rawFeature
	for !r.done() {
		field, wire, err := r.key()
		if err != nil {
			return l, err
		}
		switch {
		case field == 1 && wire == 2:
			b, err := r.bytes()
			if err != nil {
				return l, err
			}
			l.Name = string(b)
		case field == 2 && wire == 2:
			b, err := r.bytes()
			if err != nil {
				return l, err
			}
			f, err := decodeRawFeature(b)
			if err != nil {
				return l, err
			}
			raw = append(raw, f)
		case field == 3 && wire == 2:
			b, err := r.bytes()
			if err != nil {
				return l, err
			}
			keys = append(keys, string(b))
		case field == 4 && wire == 2:
			b, err := r.bytes()
			if err != nil {
				return l, err
			}
			v, err := decodeValue(b)
			if err != nil {
				return l, err
			}
			values = append(values, v)
		case field == 5 && wire == 0:
			v, err := r.varint()
			if err != nil {
				return l, err
			}
			l.Extent = int(v)
		case field == 15 && wire == 0:
			v, err := r.varint()
			if err != nil {
				return l, err
			}
			l.Version = int(v)
		default:
			if err := r.skip(wire); err != nil {
				return l, err
			}
		}
	}
	for _, f := range raw {
		if len(f.tags)%2 != 0 {
			return l, errors.New("mvt: odd number of tags")
		}
		props := map[string]any{}
		for i := 0; i < len(f.tags); i += 2 {
			k, v := int(f.tags[i]), int(f.tags[i+1])
			if k >= len(keys) || v >= len(values) {
				return l, errors.New("mvt: tag out of range")
			}
			props[keys[k]] = values[v]
		}
		g, err := decodeGeometry(f.typ, f.geom)
		if err != nil {
			return l, err
		}
		l.Features = append(l.Features, DecodedFeature{ID: f.id, Type: g.GeoJSONType(), Geometry: g, Properties: props})
	}
	return l, nil
}

func decodeRawFeature(data []byte) (rawFeature, error) {
	var f rawFeature
	r := pbReader{b: data}
	for !r.done() {
		field, wire, err := r.key()
		if err != nil {
			return f, err
		}
		switch {
		case field == 1 && wire == 0:
			f.id, err = r.varint()
		case field == 2 && wire == 2:
			f.tags, err = r.packed()
		case field == 3 && wire == 0:
			var v uint64
			v, err = r.varint()
			f.typ = int(v)
		case field == 4 && wire == 2:
			f.geom, err = r.packed()
		default:
			err = r.skip(wire)
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

func decodeValue(data []byte) (any, error) {
	r := pbReader{b: data}
	var v any
	for !r.done() {
		field, wire, err := r.key()
		if err != nil {
			return nil, err
		}
		switch {
		case field == 1 && wire == 2:
			var b []byte
			b, err = r.bytes()
			v = string(b)
		case field == 2 && wire == 5:
			var n uint64
			n, err = r.fixed(4)
			v = float64(math.Float32frombits(uint32(n)))
		case field == 3 && wire == 1:
			var n uint64
			n, err = r.fixed(8)
			v = math.Float64frombits(n)
		case field == 4 && wire == 0:
			var n uint64
			n, err = r.varint()
			v = float64(int64(n))
		case field == 5 && wire == 0:
			var n uint64
			n, err = r.varint()
			v = float64(n)
		case field == 6 && wire == 0:
			var n uint64
			n, err = r.varint()
			v = float64(int64(n>>1) ^ -int64(n&1))
		case field == 7 && wire == 0:
			var n uint64
			n, err = r.varint()
			v = n != 0
		default:
			err = r.skip(wire)
		}
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

func unzigzag(v uint32) int64 { return int64(v>>1) ^ -int64(v&1) }

// decodeGeometry follows the drawing commands. Polygons are split into
// parts by the sign of each ring's area, as the format defines: a positive
// ring starts a polygon, a negative one is a hole in the last.
func decodeGeometry(typ int, cmds []uint32) (orb.Geometry, error) {
	var x, y int64
	var points []orb.Point
	var parts [][]orb.Point
	var cur []orb.Point
	for i := 0; i < len(cmds); {
		id, count := cmds[i]&7, int(cmds[i]>>3)
		i++
		switch id {
		case cmdMoveTo, cmdLineTo:
			if len(cmds)-i < 2*count {
				return nil, errTruncated
			}
			for k := 0; k < count; k++ {
				x += unzigzag(cmds[i])
				y += unzigzag(cmds[i+1])
				i += 2
				p := orb.Point{float64(x), float64(y)}
				switch {
				case typ == mvtPoint:
					points = append(points, p)
				case id == cmdMoveTo:
					if cur != nil {
						parts = append(parts, cur)
					}
					cur = []orb.Point{p}
				default:
					if cur == nil {
						return nil, errors.New("mvt: LineTo before MoveTo")
					}
					cur = append(cur, p)
				}
			}
		case cmdClosePath:
			if cur == nil {
				return nil, errors.New("mvt: ClosePath before MoveTo")
			}
			cur = append(cur, cur[0])
		default:
			return nil, fmt.Errorf("mvt: unknown command %d", id)
		}
	}
	if cur != nil {
		parts = append(parts, cur)
	}
	switch typ {
	case mvtPoint:
		if len(points) == 1 {
			return points[0], nil
		}
		return orb.MultiPoint(points), nil
	case mvtLine:
		var mls orb.MultiLineString
		for _, p := range parts {
			mls = append(mls, p)
		}
		if len(mls) == 1 {
			return mls[0], nil
		}
		return mls, nil
	case mvtPolygon:
		var mp orb.MultiPolygon
		for _, p := range parts {
			r := orb.Ring(p)
			switch a := planar.Area(r); {
			case a > 0:
				mp = append(mp, orb.Polygon{r})
			case a < 0 && len(mp) > 0:
				mp[len(mp)-1] = append(mp[len(mp)-1], r)
			default:
				return nil, errors.New("mvt: a polygon starts with a hole or holds a ring of no area")
			}
		}
		if len(mp) == 1 {
			return mp[0], nil
		}
		return mp, nil
	}
	return nil, fmt.Errorf("mvt: unknown geometry type %d", typ)
}
