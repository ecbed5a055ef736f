package httpcache

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMatches(t *testing.T) {
	etag := `W/"abc"`
	for header, want := range map[string]bool{
		`W/"abc"`:          true,
		`"abc"`:            true,
		`"x", W/"abc"`:     true,
		`*`:                true,
		`"abcd"`:           false,
		``:                 false,
		`W/"ab", "abc-gz"`: false,
	} {
		if got := Matches(header, etag); got != want {
			t.Errorf("Matches(%q) = %v, want %v", header, got, want)
		}
	}
}

func TestTagMovesWithTheHeadsItReads(t *testing.T) {
	tag := func(h *Heads, types ...string) string { return NewTag("t").Add("q").Heads(h, types).ETag() }
	h1 := NewHeads(map[string]int64{"Area": 3, "Initiative": 5}, 5)
	h2 := NewHeads(map[string]int64{"Area": 3, "Initiative": 6}, 6)
	if tag(h1, "Area") != tag(h2, "Area") {
		t.Error("a write to initiatives moved the tag of what reads areas only")
	}
	if tag(h1, "Initiative") == tag(h2, "Initiative") || tag(h1, All) == tag(h2, All) {
		t.Error("a write to initiatives did not move the tag of what reads them")
	}
	// A type no table names is read by everything.
	h3 := NewHeads(map[string]int64{"Area": 3, "Initiative": 5, "Novel": 1}, 7)
	if tag(h1, "Area") == tag(h3, "Area") {
		t.Error("a write to an unknown type did not move every tag")
	}
	if NewTag("a").Add("bc").ETag() == NewTag("a").Add("b", "c").ETag() {
		t.Error("parts run together")
	}
}

type fakeFeed struct {
	heads   chan map[string]int64
	watches chan chan int64
}

func (f *fakeFeed) Heads(ctx context.Context) (map[string]int64, int64, error) {
	select {
	case h := <-f.heads:
		if h == nil {
			return nil, 0, errors.New("down")
		}
		return h, h["last"], nil
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
}

func (f *fakeFeed) Watch(ctx context.Context) (<-chan int64, error) {
	ch := make(chan int64, 1)
	f.watches <- ch
	return ch, nil
}

func TestTrackerFollowsAndForgetsWhenTheFeedIsLost(t *testing.T) {
	f := &fakeFeed{heads: make(chan map[string]int64, 1), watches: make(chan chan int64, 1)}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	tr := Follow(ctx, f, nil)
	if tr.Heads() != nil {
		t.Fatal("heads known before they were read")
	}
	w := <-f.watches
	f.heads <- map[string]int64{"Area": 2, "last": 2}
	if err := tr.Wait(ctx, 2); err != nil {
		t.Fatal(err)
	}
	// A change: the heads are read again.
	f.heads <- map[string]int64{"Area": 2, "Initiative": 3, "last": 3}
	w <- 3
	if err := tr.Wait(ctx, 3); err != nil || tr.Heads().Of("Initiative") != 3 {
		t.Fatalf("after a change: %v, %v", err, tr.Heads())
	}
	// The watch ends: nothing is known until the feed is followed again.
	close(w)
	w = <-f.watches
	if tr.Heads() != nil {
		t.Fatal("heads still trusted after the watch ended")
	}
	f.heads <- map[string]int64{"Area": 4, "Initiative": 3, "last": 4}
	if err := tr.Wait(ctx, 4); err != nil {
		t.Fatal(err)
	}
	_ = w
}
