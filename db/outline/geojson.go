package outline

import (
	"bytes"
	"container/list"
	"sync"
	"sync/atomic"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/geo"
)

// DefaultTextBytes is the memory Texts keeps outlines in when NewTexts is
// given none: the national benchmark dataset (7,959 areas, 1.2 million
// vertices) at six decimals takes about 26 MB as GeoJSON, so a map that
// pans over the whole country is served from memory.
const DefaultTextBytes = 32 << 20

// Texts keeps area outlines as GeoJSON text at the decimals a client asks
// for, so that an outline asked for again costs a copy, not a rounding
// with its validity check (geo.Round) and some 30 numbers formatted per
// vertex. Outlines are the bulk of the large answers (a map's view of
// statistical areas is some 100 KB), and the same few change seldom.
//
// An entry is kept under the area's id, version and last write (UpdatedAt)
// and the decimals: every write gives an area a new version on both
// backends (db.Writer), so an outline that has changed is never served,
// and a record loaded anew under an old id and version is told apart by
// its time. It is bounded in bytes, the least recently used going first;
// an outline larger than 1/16 of the bound is written every time.
//
// Requests that miss the same outline at once each write it, and one of
// the texts is kept: unlike a group of Cache (flight.go), an entry is one
// area's outline, which each request holds in its answer anyway, so
// writing it twice costs no more than the answers themselves, and waiting
// for another request would cost more than it saves.
type Texts struct {
	limit int

	mu      sync.Mutex
	entries map[textKey]*list.Element
	lru     list.List // of *text, most recent first
	used    int

	hits, misses atomic.Int64
}

type textKey struct {
	id, version, updated int64
	decimals             int
}

type text struct {
	key  textKey
	json []byte
}

// textOverhead is about what an entry costs beside its text: the map
// slot, the list element and the entry itself.
const textOverhead = 160

// NewTexts returns a Texts holding at most limit bytes (DefaultTextBytes
// when limit is not positive).
func NewTexts(limit int) *Texts {
	if limit <= 0 {
		limit = DefaultTextBytes
	}
	return &Texts{limit: limit, entries: map[textKey]*list.Element{}}
}

// GeoJSON returns a's outline rounded to decimals as geo.Round rounds it,
// written as geo.AppendGeoJSON writes it: the very text of
// geo.WriteGeoJSON(w, geo.Round(a.Geometry, decimals)). The text is shared:
// callers must not change it. ok is false when a has no outline or it
// cannot be written (geo.CanWriteGeoJSON); a nil Texts writes every time.
func (t *Texts) GeoJSON(a *db.Area, decimals int) (json []byte, ok bool) {
	if a.Geometry == nil {
		return nil, false
	}
	if t == nil {
		return encode(a, decimals)
	}
	k := textKey{id: a.ID, version: a.Version, updated: a.UpdatedAt.UnixNano(), decimals: decimals}
	t.mu.Lock()
	if e, ok := t.entries[k]; ok {
		t.lru.MoveToFront(e)
		json := e.Value.(*text).json
		t.mu.Unlock()
		t.hits.Add(1)
		return json, true
	}
	t.mu.Unlock()
	t.misses.Add(1)
	json, ok = encode(a, decimals)
	if !ok {
		return nil, false
	}
	n := len(json) + textOverhead
	if n > t.limit/16 {
		return json, true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.entries[k]; ok {
		return json, true // another request was quicker
	}
	for t.used+n > t.limit && t.lru.Len() > 0 {
		e := t.lru.Back()
		old := e.Value.(*text)
		t.lru.Remove(e)
		delete(t.entries, old.key)
		t.used -= len(old.json) + textOverhead
	}
	t.entries[k] = t.lru.PushFront(&text{key: k, json: json})
	t.used += n
	return json, true
}

// Cached is GeoJSON for an area read without its outline
// (db.PartGeometry): the text kept for a's id, version and last write at
// decimals, if any. A nil Texts keeps none.
func (t *Texts) Cached(a *db.Area, decimals int) (json []byte, ok bool) {
	if t == nil {
		return nil, false
	}
	k := textKey{id: a.ID, version: a.Version, updated: a.UpdatedAt.UnixNano(), decimals: decimals}
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[k]
	if !ok {
		return nil, false
	}
	t.lru.MoveToFront(e)
	t.hits.Add(1)
	return e.Value.(*text).json, true
}

// Holds tells whether Cached would find a's text at decimals, without
// counting a hit or moving it in the order of use.
func (t *Texts) Holds(a *db.Area, decimals int) bool {
	if t == nil {
		return false
	}
	k := textKey{id: a.ID, version: a.Version, updated: a.UpdatedAt.UnixNano(), decimals: decimals}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.entries[k]
	return ok
}

// buffers hold the text as it is written, so that what is kept is
// copied out at its size rather than with the slack of a growing slice.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

func encode(a *db.Area, decimals int) ([]byte, bool) {
	g := geo.Round(a.Geometry, decimals)
	if !geo.CanWriteGeoJSON(g) {
		return nil, false
	}
	buf := buffers.Get().(*[]byte)
	defer buffers.Put(buf)
	b, err := geo.AppendGeoJSON((*buf)[:0], g)
	*buf = b
	if err != nil {
		return nil, false
	}
	return bytes.Clone(b), true
}

// Bytes is what the kept texts take, overhead included.
func (t *Texts) Bytes() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.used
}

// Stats is how many outlines were served from memory and how many
// written.
func (t *Texts) Stats() (hits, misses int64) { return t.hits.Load(), t.misses.Load() }
