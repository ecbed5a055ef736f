package httpcache

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/bytecache"
	"github.com/areagraph/areagraph/internal/httpx"
	"github.com/areagraph/areagraph/obs"
)

// Config configures New.
type Config struct {
	// Versions tells how far the data has moved; nil tags nothing and
	// keeps nothing.
	Versions Versions
	// MaxBytes bounds the answers kept for anonymous readers, as counted
	// by their bodies and headers; 0 keeps none. One answer larger than
	// 1/16 of it is not kept.
	MaxBytes int64
	// MaxAge is how long a browser or CDN may use an anonymous answer
	// without revalidating; 0 makes it ask every time (a 304 when
	// nothing it read has changed).
	MaxAge time.Duration
	// Metrics counts hits, misses and 304s; nil counts nothing.
	Metrics *obs.Metrics
	// Now is the clock whose day answers are for when they name none;
	// nil means time.Now.
	Now func() time.Time
}

// DefaultMaxBytes is the response cache's bound when none is configured:
// a few thousand ordinary answers (GraphQL answers of a few KB, tiles of
// one to a hundred KB), next to the query caches' 24 MiB.
const DefaultMaxBytes = 64 << 20

// Cache tags reads and keeps anonymous answers. A nil *Cache tags
// nothing, keeps nothing and sets no cache headers but no-store.
type Cache struct {
	versions Versions
	store    *bytecache.Cache[*Entry]
	maxBytes int64
	control  string // Cache-Control of an anonymous read
	metrics  *obs.Metrics
	now      func() time.Time
}

// New returns a cache as cfg says, or nil when cfg.Versions is nil.
func New(cfg Config) *Cache {
	if cfg.Versions == nil {
		return nil
	}
	c := &Cache{versions: cfg.Versions, metrics: cfg.Metrics, now: cfg.Now, maxBytes: cfg.MaxBytes}
	if c.now == nil {
		c.now = time.Now
	}
	if cfg.MaxBytes > 0 {
		// The count bound is only there because bytecache wants one: no
		// entry is smaller than entryBytes.
		c.store = bytecache.New(int(max(cfg.MaxBytes/entryBytes, 1)), cfg.MaxBytes, entrySize)
		if c.metrics != nil {
			c.metrics.WatchResponseCache(c.store.Bytes, c.store.Len)
		}
	}
	// must-revalidate: a cache that cannot reach the server must not serve
	// the answer past its age, since a write may have changed it.
	c.control = "public, max-age=" + strconv.Itoa(int(cfg.MaxAge/time.Second)) + ", must-revalidate"
	return c
}

// Heads is the snapshot answers are tagged with now, or nil when none is
// known (then nothing is tagged or kept).
func (c *Cache) Heads() *Heads {
	if c == nil {
		return nil
	}
	return c.versions.Heads()
}

// Tag starts the tag of a read of kind by the caller of ctx, for the day
// of the cache's clock.
func (c *Cache) Tag(ctx context.Context, kind string) *Tag {
	return NewTag(kind).Day(db.Today(c.now()).Format(time.DateOnly)).Caller(ctx)
}

// Anonymous says whether ctx carries no caller: only such answers are
// kept, and only they are public.
func Anonymous(ctx context.Context) bool {
	_, ok := auth.ActorFrom(ctx)
	return !ok
}

// Pinned says whether the request carries a consistency token: it follows
// a write of its own, which the heads may not have reached yet, so it is
// run, never answered from the cache or with a 304.
func Pinned(ctx context.Context) bool { return db.ConsistencyOf(ctx) != 0 }

// SetRead sets the cache headers of a tagged read, the one place they are
// decided: the tag, public for anonymous callers and private for the
// others, and Vary on Authorization besides vary, since an answer depends
// on who asks.
func (c *Cache) SetRead(h http.Header, etag string, anonymous bool, vary ...string) {
	h.Set("ETag", etag)
	if anonymous {
		h.Set("Cache-Control", c.control)
	} else {
		h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	}
	httpx.AddVary(h, append(vary, "Authorization")...)
}

// NoStore marks an answer no cache may keep: writes, POSTs, errors, and
// reads nothing can tag.
func NoStore(h http.Header) { h.Set("Cache-Control", "no-store") }

// NotModified answers 304 when the request's If-None-Match names etag,
// and reports whether it did; the caller has set the headers with
// SetRead.
func (c *Cache) NotModified(w http.ResponseWriter, r *http.Request, route, etag string) bool {
	if !Matches(r.Header.Get("If-None-Match"), etag) {
		return false
	}
	if c.metrics != nil {
		c.metrics.NotModified(route)
	}
	w.WriteHeader(http.StatusNotModified)
	return true
}

// Entry is a kept answer.
type Entry struct {
	Status int
	// Header holds the answer's own headers (Content-Type,
	// Content-Encoding, Content-Crs), not the cache headers, which are
	// set again for each request.
	Header http.Header
	Body   []byte
}

// entryBytes is what an entry costs beside its body and headers: the
// entry, its header map, the cache's element and its tag as a key.
const entryBytes = 512

func entrySize(key string, e *Entry) int64 {
	n := int64(len(key)+len(e.Body)) + entryBytes
	for k, vs := range e.Header {
		n += int64(len(k))
		for _, v := range vs {
			n += int64(len(v)) + 16
		}
	}
	return n
}

// Get returns the answer kept under key, counting a hit or a miss for
// route. Without a response cache it finds nothing and counts nothing.
func (c *Cache) Get(route, key string) (*Entry, bool) {
	if c == nil || c.store == nil {
		return nil, false
	}
	e, ok := c.store.Get(context.Background(), key)
	if c.metrics != nil {
		c.metrics.ResponseCache(route, ok)
	}
	return e, ok
}

// Keeps says whether answers are kept at all.
func (c *Cache) Keeps() bool { return c != nil && c.store != nil }

// Put keeps an answer under key; one too large for its share of the
// bound is not kept.
func (c *Cache) Put(key string, e *Entry) {
	if c == nil || c.store == nil {
		return
	}
	c.store.Add(context.Background(), key, e)
}

// Write sends a kept answer; the cache headers are the caller's.
func (e *Entry) Write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, vs := range e.Header {
		if k == "Vary" {
			httpx.AddVary(h, vs...)
			continue
		}
		h[k] = vs
	}
	if e.Status != http.StatusNoContent {
		h.Set("Content-Length", strconv.Itoa(len(e.Body)))
	}
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(e.Body)
	}
}

// maxEntry is the largest answer kept: bytecache keeps nothing larger
// than its share, so copying more is waste.
func (c *Cache) maxEntry() int64 {
	if c.store == nil {
		return 0
	}
	return c.maxBytes / bytecache.MaxShare
}
