package layers

import (
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// The Mapbox Vector Tile 2.1 encoding is written here rather than taken
// from orb's encoding/mvt: that package (and orb/maptile) reach the BSON
// and protobuf modules through orb/geojson, which the service does not
// depend on. The format is small: a tile is a protobuf message of layers,
// a layer holds features and the key and value tables their tags index,
// and a feature's geometry is a packed list of drawing commands.

// Tile geometry: coordinates run 0–extent across the tile, and features
// keep buffer units beyond each edge so that strokes and labels on one
// tile's edge join up with its neighbour's.
const (
	tileExtent = 4096
	tileBuffer = 64
)

// MVT geometry types.
const (
	mvtPoint   = 1
	mvtLine    = 2
	mvtPolygon = 3
)

// Drawing commands.
const (
	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

// Protobuf wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
)

// tileLayer is one named layer of a tile.
type tileLayer struct {
	name     string
	features []tileFeature
}

// tileFeature is a feature ready to encode: geometry in integer tile
// coordinates, polygons closed and wound as the format wants (see
// cleanGeometry and windForTile in geom.go).
type tileFeature struct {
	id    uint64
	geom  orb.Geometry
	props []prop
}

// encodeTile writes layers as one vector tile.
func encodeTile(layers []tileLayer) []byte {
	var e layerEncoder
	var out []byte
	for _, l := range layers {
		e.reset()
		for _, f := range l.features {
			typ, geom := encodeGeometry(e.geom[:0], f.geom)
			e.geom = geom
			e.feature(f.id, typ, geom, f.props)
		}
		out = e.appendLayer(out, l.name)
	}
	return out
}

// valueKey identifies a value in a layer's value table; values are shared
// between features, as the format intends, so a repeated status or kind
// costs one entry.
type valueKey struct {
	kind byte // 's' string, 'd' double, 'u' unsigned, 'i' signed, 'b' bool
	s    string
	n    uint64
}

// layerEncoder writes one layer a feature at a time. Its tables and
// buffers are kept from one layer to the next (reset), so a tile served
// from a pooled encoder (tileScratch) allocates nothing per feature.
type layerEncoder struct {
	keys      map[string]uint32
	keyList   []string
	values    map[valueKey]uint32
	valueList []valueKey
	// feats are the features written so far, each a field 2 of the
	// layer.
	feats, feat, tags []byte
	tagIdx            []uint32
	// geom is scratch for a caller's drawing commands.
	geom []uint32
}

// reset starts a new layer.
func (e *layerEncoder) reset() {
	if e.keys == nil {
		e.keys, e.values = map[string]uint32{}, map[valueKey]uint32{}
	}
	clear(e.keys)
	clear(e.values)
	clear(e.keyList) // let go of the strings
	clear(e.valueList)
	e.keyList, e.valueList, e.feats = e.keyList[:0], e.valueList[:0], e.feats[:0]
}

// feature adds a feature of MVT type typ drawn by geom, the commands of
// a geomWriter; one the format cannot hold (typ 0) or with nothing to
// draw is left out.
func (e *layerEncoder) feature(id uint64, typ int, geom []uint32, props []prop) {
	if typ == 0 || len(geom) == 0 {
		return
	}
	e.tagIdx = e.tagIdx[:0]
	for _, p := range props {
		vk, ok := tileValue(p.val)
		if !ok {
			continue
		}
		ki, ok := e.keys[p.key]
		if !ok {
			ki = uint32(len(e.keyList))
			e.keys[p.key] = ki
			e.keyList = append(e.keyList, p.key)
		}
		vi, ok := e.values[vk]
		if !ok {
			vi = uint32(len(e.valueList))
			e.values[vk] = vi
			e.valueList = append(e.valueList, vk)
		}
		e.tagIdx = append(e.tagIdx, ki, vi)
	}
	e.feat = appendVarintField(e.feat[:0], 1, id)
	if len(e.tagIdx) > 0 {
		e.tags = appendPacked(e.tags[:0], e.tagIdx)
		e.feat = appendBytes(e.feat, 2, e.tags)
	}
	e.feat = appendVarintField(e.feat, 3, uint64(typ))
	e.tags = appendPacked(e.tags[:0], geom)
	e.feat = appendBytes(e.feat, 4, e.tags)
	e.feats = appendBytes(e.feats, 2, e.feat)
}

// empty tells whether no feature has been written since reset.
func (e *layerEncoder) empty() bool { return len(e.feats) == 0 }

// appendLayer appends the layer, named name, to a tile b as its field 3.
func (e *layerEncoder) appendLayer(b []byte, name string) []byte {
	// The layer's length comes before it, so its tables are written
	// into feat (free by now) and the whole measured first.
	tail := e.feat[:0]
	for _, k := range e.keyList {
		tail = appendString(tail, 3, k)
	}
	val := e.tags[:0]
	for _, v := range e.valueList {
		val = val[:0]
		switch v.kind {
		case 's':
			val = appendString(val, 1, v.s)
		case 'd':
			val = appendTag(val, 3, wireFixed64)
			for i := 0; i < 8; i++ {
				val = append(val, byte(v.n>>(8*i)))
			}
		case 'u':
			val = appendVarintField(val, 5, v.n)
		case 'i':
			val = appendVarintField(val, 6, v.n)
		case 'b':
			val = appendVarintField(val, 7, v.n)
		}
		tail = appendBytes(tail, 4, val)
	}
	tail = appendVarintField(tail, 5, tileExtent)
	tail = appendVarintField(tail, 15, 2)
	e.feat, e.tags = tail, val
	size := 1 + varintLen(uint64(len(name))) + len(name) + len(e.feats) + len(tail)
	b = appendTag(b, 3, wireBytes)
	b = appendVarint(b, uint64(size))
	b = appendString(b, 1, name)
	b = append(b, e.feats...)
	return append(b, tail...)
}

// varintLen is the bytes appendVarint writes for v.
func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// tileValue converts a property value to a tile value. Tiles carry only
// scalars: lists become comma-separated strings, which map styles can still
// test with "in", and nulls are left out, which styles read as absent.
func tileValue(v any) (valueKey, bool) {
	switch v := v.(type) {
	case string:
		return valueKey{kind: 's', s: v}, true
	case []string:
		return valueKey{kind: 's', s: strings.Join(v, ",")}, true
	case float64:
		return valueKey{kind: 'd', n: math.Float64bits(v)}, true
	case int:
		if v < 0 {
			return valueKey{kind: 'i', n: zigzag64(int64(v))}, true
		}
		return valueKey{kind: 'u', n: uint64(v)}, true
	case bool:
		if v {
			return valueKey{kind: 'b', n: 1}, true
		}
		return valueKey{kind: 'b'}, true
	}
	return valueKey{}, false
}

// geomWriter writes drawing commands. The cursor carries over from one
// part of a geometry to the next, as the format requires.
type geomWriter struct {
	out  []uint32
	x, y int64
}

func command(id, count int) uint32 { return uint32(id&0x7) | uint32(count)<<3 }

func (w *geomWriter) delta(p orb.Point) {
	x, y := int64(p[0]), int64(p[1])
	w.out = append(w.out, zigzag32(x-w.x), zigzag32(y-w.y))
	w.x, w.y = x, y
}

func (w *geomWriter) points(ps []orb.Point) {
	if len(ps) == 0 {
		return
	}
	w.out = append(w.out, command(cmdMoveTo, len(ps)))
	for _, p := range ps {
		w.delta(p)
	}
}

func (w *geomWriter) line(ls []orb.Point) {
	if len(ls) < 2 {
		return
	}
	w.out = append(w.out, command(cmdMoveTo, 1))
	w.delta(ls[0])
	w.out = append(w.out, command(cmdLineTo, len(ls)-1))
	for _, p := range ls[1:] {
		w.delta(p)
	}
}

// ring writes a closed ring without its closing point: ClosePath draws
// that edge.
func (w *geomWriter) ring(r orb.Ring) {
	if len(r) < 4 {
		return
	}
	w.out = append(w.out, command(cmdMoveTo, 1))
	w.delta(r[0])
	w.out = append(w.out, command(cmdLineTo, len(r)-2))
	for _, p := range r[1 : len(r)-1] {
		w.delta(p)
	}
	w.out = append(w.out, command(cmdClosePath, 1))
}

// encodeGeometry appends g's commands to out and returns the MVT type; 0
// for a geometry the format cannot hold.
func encodeGeometry(out []uint32, g orb.Geometry) (int, []uint32) {
	w := geomWriter{out: out}
	switch g := g.(type) {
	case orb.Point:
		w.points([]orb.Point{g})
		return mvtPoint, w.out
	case orb.MultiPoint:
		w.points(g)
		return mvtPoint, w.out
	case orb.LineString:
		w.line(g)
		return mvtLine, w.out
	case orb.MultiLineString:
		for _, l := range g {
			w.line(l)
		}
		return mvtLine, w.out
	case orb.Polygon:
		for _, r := range g {
			w.ring(r)
		}
		return mvtPolygon, w.out
	case orb.MultiPolygon:
		for _, p := range g {
			for _, r := range p {
				w.ring(r)
			}
		}
		return mvtPolygon, w.out
	}
	return 0, out
}

func zigzag32(n int64) uint32 { return uint32((n << 1) ^ (n >> 63)) }
func zigzag64(n int64) uint64 { return uint64((n << 1) ^ (n >> 63)) }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendTag(b []byte, field, wire int) []byte {
	return appendVarint(b, uint64(field)<<3|uint64(wire))
}

func appendVarintField(b []byte, field int, v uint64) []byte {
	return appendVarint(appendTag(b, field, wireVarint), v)
}

func appendBytes(b []byte, field int, data []byte) []byte {
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

func appendString(b []byte, field int, s string) []byte {
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendPacked(b []byte, vs []uint32) []byte {
	for _, v := range vs {
		b = appendVarint(b, uint64(v))
	}
	return b
}
