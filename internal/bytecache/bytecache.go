// Package bytecache is a least-recently-used cache bounded by the bytes its
// entries hold as well as by their number. The GraphQL handler keeps parsed
// queries and persisted queries in it, and the HTTP response cache its
// answers: their keys are chosen by anonymous clients, so a cap on the
// count alone lets a few large entries take any amount of memory. It
// imports nothing of GraphQL, so the map layers may use it too; it has
// the methods of gqlgen's graphql.Cache.
package bytecache

import (
	"context"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// MaxShare is the largest share of the byte budget one entry may take:
// a larger entry is not kept, so that one request cannot empty the cache
// of everything others use.
const MaxShare = 16

// Cache keeps values under string keys, at most maxEntries of them and at
// most maxBytes as its size function counts them, dropping the least
// recently used first. It is safe for concurrent use.
type Cache[T any] struct {
	mu       sync.Mutex
	lru      *simplelru.LRU[string, entry[T]]
	size     func(key string, v T) int64
	bytes    int64
	maxBytes int64
}

type entry[T any] struct {
	v    T
	size int64
}

// New returns a cache of at most maxEntries entries and maxBytes bytes;
// size tells what an entry costs, its key included. Both bounds must be
// positive.
func New[T any](maxEntries int, maxBytes int64, size func(key string, v T) int64) *Cache[T] {
	if maxEntries <= 0 || maxBytes <= 0 {
		panic("bytecache: the bounds must be positive")
	}
	c := &Cache[T]{size: size, maxBytes: maxBytes}
	// The callback runs under c.mu: simplelru calls it from Add, Remove
	// and RemoveOldest, which are only called with the lock held.
	c.lru, _ = simplelru.NewLRU(maxEntries, func(_ string, e entry[T]) { c.bytes -= e.size })
	return c
}

// Get returns the value under key and marks it used.
func (c *Cache[T]) Get(_ context.Context, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.lru.Get(key)
	return e.v, ok
}

// Add keeps v under key, replacing what was there, and drops the least
// recently used entries until both bounds hold. A value larger than
// 1/MaxShare of the byte budget is not kept (and what key held is
// dropped, as it would have been replaced).
func (c *Cache[T]) Add(_ context.Context, key string, v T) {
	n := c.size(key, v)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Remove(key)
	if n > c.maxBytes/MaxShare {
		return
	}
	c.lru.Add(key, entry[T]{v, n})
	c.bytes += n
	for c.bytes > c.maxBytes {
		c.lru.RemoveOldest()
	}
}

// Remove drops what key holds, if anything.
func (c *Cache[T]) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Remove(key)
}

// Bytes is the size of what the cache holds, as its size function counts.
func (c *Cache[T]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Len is the number of entries the cache holds.
func (c *Cache[T]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
