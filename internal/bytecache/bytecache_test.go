package bytecache

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func textSize(key, v string) int64 { return int64(len(key) + len(v)) }

func TestCountsTheBytesOfWhatItHolds(t *testing.T) {
	ctx := context.Background()
	c := New(100, 1600, textSize)
	c.Add(ctx, "a", strings.Repeat("x", 9))
	c.Add(ctx, "b", strings.Repeat("x", 19))
	if got := c.Bytes(); got != 30 {
		t.Fatalf("holds %d bytes, want 30", got)
	}
	// Replacing an entry charges the new value, not both.
	c.Add(ctx, "a", strings.Repeat("x", 49))
	if got, n := c.Bytes(), c.Len(); got != 70 || n != 2 {
		t.Fatalf("after replacing: %d bytes in %d entries, want 70 in 2", got, n)
	}
	if v, ok := c.Get(ctx, "a"); !ok || len(v) != 49 {
		t.Fatalf("Get(a) = %d bytes, %v; want the new value", len(v), ok)
	}
}

func TestEvictsTheLeastRecentlyUsedUntilTheBytesFit(t *testing.T) {
	ctx := context.Background()
	c := New(100, 1600, textSize) // entries up to 100 bytes
	for i := range 16 {
		c.Add(ctx, fmt.Sprintf("k%02d", i), strings.Repeat("x", 97)) // 100 bytes each
	}
	if got := c.Bytes(); got != 1600 {
		t.Fatalf("full cache holds %d bytes, want 1600", got)
	}
	c.Get(ctx, "k00") // used: k01 is now the oldest
	c.Add(ctx, "new", strings.Repeat("x", 97))
	if _, ok := c.Get(ctx, "k01"); ok {
		t.Fatal("k01, the least recently used, is still there")
	}
	for _, k := range []string{"k00", "k02", "new"} {
		if _, ok := c.Get(ctx, k); !ok {
			t.Fatalf("%s was evicted", k)
		}
	}
	if got := c.Bytes(); got > 1600 {
		t.Fatalf("holds %d bytes, more than the budget of 1600", got)
	}
	// Smaller entries make room by count of bytes, not of entries: one
	// 100-byte entry leaves room for several small ones.
	for i := range 10 {
		c.Add(ctx, fmt.Sprintf("s%d", i), "xxxxxxx") // 9 bytes each
	}
	if got, n := c.Bytes(), c.Len(); got > 1600 || n != 16-1+10 {
		t.Fatalf("%d bytes in %d entries, want at most 1600 in 25", got, n)
	}
}

func TestRefusesAnEntryLargerThanItsShare(t *testing.T) {
	ctx := context.Background()
	c := New(100, 1600, textSize)
	c.Add(ctx, "k", "small")
	c.Add(ctx, "big", strings.Repeat("x", 98)) // 101 bytes > 1600/16
	if _, ok := c.Get(ctx, "big"); ok {
		t.Fatal("an entry larger than 1/16 of the budget was kept")
	}
	if _, ok := c.Get(ctx, "k"); !ok {
		t.Fatal("refusing a large entry evicted a small one")
	}
	// A key whose new value is too large holds nothing rather than the
	// stale value.
	c.Add(ctx, "k", strings.Repeat("x", 200))
	if _, ok := c.Get(ctx, "k"); ok {
		t.Fatal("k still holds its old value")
	}
	if got := c.Bytes(); got != 0 {
		t.Fatalf("holds %d bytes, want 0", got)
	}
}

func TestKeepsTheCountBound(t *testing.T) {
	ctx := context.Background()
	c := New(3, 1<<20, textSize)
	for i := range 10 {
		c.Add(ctx, fmt.Sprint(i), "v")
	}
	if n, b := c.Len(), c.Bytes(); n != 3 || b != 6 {
		t.Fatalf("%d entries of %d bytes, want 3 of 6", n, b)
	}
}

func TestConcurrentUseKeepsTheBudget(t *testing.T) {
	ctx := context.Background()
	c := New(1000, 16000, textSize)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := fmt.Sprintf("%d-%d", g, i%50)
				c.Add(ctx, k, strings.Repeat("x", i%900))
				c.Get(ctx, k)
			}
		})
	}
	wg.Wait()
	var sum int64
	for g := range 8 {
		for i := range 50 {
			k := fmt.Sprintf("%d-%d", g, i)
			if v, ok := c.Get(ctx, k); ok {
				sum += textSize(k, v)
			}
		}
	}
	if b := c.Bytes(); b != sum || b > 16000 {
		t.Fatalf("counts %d bytes, holds %d; budget 16000", b, sum)
	}
}

func TestRemoveGivesBackTheBytes(t *testing.T) {
	ctx := context.Background()
	c := New(100, 1600, textSize)
	c.Add(ctx, "a", strings.Repeat("x", 9))
	c.Add(ctx, "b", strings.Repeat("x", 19))
	c.Remove("a")
	c.Remove("missing")
	if got, n := c.Bytes(), c.Len(); got != 20 || n != 1 {
		t.Fatalf("after Remove: %d bytes in %d entries, want 20 in 1", got, n)
	}
	if _, ok := c.Get(ctx, "a"); ok {
		t.Fatal("a removed entry is still found")
	}
}
