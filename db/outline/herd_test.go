package outline_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/db/outline"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/paulmach/orb"
)

// gated is a store whose reads of pages of areas wait for open to be
// closed, counted, the first failing with fail when it is set.
type gated struct {
	db.AreaReader
	open  chan struct{}
	reads atomic.Int32
	fail  error
}

func (s *gated) Areas(ctx context.Context, f db.AreaFilter, p db.Page) (db.List[*db.Area], error) {
	if s.reads.Add(1) == 1 && s.fail != nil {
		<-s.open
		return db.List[*db.Area]{}, s.fail
	}
	select {
	case <-s.open:
	case <-ctx.Done():
		return db.List[*db.Area]{}, ctx.Err()
	}
	return s.AreaReader.Areas(ctx, f, p)
}

// waitFor waits until n requests wait for the group being read.
func waitFor(t *testing.T, c *outline.Cache, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); c.Waiting() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests wait for the group, want %d", c.Waiting(), n)
		}
	}
}

// TestConcurrentMissesReadOnce: requests that miss the same group at once,
// on both backends, wait for one read of it and one simplification, and
// all get the outline a cache of their own would give them.
func TestConcurrentMissesReadOnce(t *testing.T) {
	ctx := context.Background()
	for name, s := range stores(t) {
		areas := statistical(t, s)
		want, err := outline.New(s, 0).Zoom(ctx, areas[0], 10)
		if err != nil {
			t.Fatal(err)
		}
		g := &gated{AreaReader: s, open: make(chan struct{})}
		c := outline.New(g, 0)
		const n = 16
		got := make([]orb.Geometry, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				// Half as a map tile asks, half as GraphQL does.
				if i%2 == 0 {
					got[i], errs[i] = c.ZoomByID(ctx, areas[0], 10)
				} else {
					got[i], errs[i] = c.Zoom(ctx, areas[0], 10)
				}
			})
		}
		waitFor(t, c, n)
		close(g.open)
		wg.Wait()
		for i := range n {
			if errs[i] != nil || !orb.Equal(got[i], want) {
				t.Fatalf("%s: request %d: %v, %v", name, i, errs[i], got[i])
			}
		}
		if b, s, r := c.Builds(), c.Simplifications(), g.reads.Load(); b != 1 || s != 1 || r != 1 {
			t.Errorf("%s: %d requests at once: the group read %d times (%d pages), simplified %d times, want once", name, n, b, r, s)
		}
	}
}

// TestAWaiterLeavesAlone: a request whose context ends while it waits for
// the group returns at once with its context's error, and the read goes on
// for the others and is kept.
func TestAWaiterLeavesAlone(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	if err := s.Load(ctx, synth.Generate(synthConfig)); err != nil {
		t.Fatal(err)
	}
	a := statistical(t, s)[0]
	g := &gated{AreaReader: s, open: make(chan struct{})}
	c := outline.New(g, 0)

	// The first to ask, which starts the read, gives up.
	first, cancel := context.WithCancel(ctx)
	left := make(chan error, 1)
	go func() {
		_, err := c.Zoom(first, a, 10)
		left <- err
	}()
	waitFor(t, c, 1)
	other := make(chan error, 1)
	go func() {
		_, err := c.Zoom(ctx, a, 10)
		other <- err
	}()
	waitFor(t, c, 2)
	cancel()
	select {
	case err := <-left:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the request that gave up: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the request that gave up still waits")
	}
	close(g.open)
	if err := <-other; err != nil {
		t.Fatalf("the request that waited on: %v", err)
	}
	if _, err := c.Zoom(ctx, a, 10); err != nil {
		t.Fatal(err)
	}
	if n := c.Builds(); n != 1 {
		t.Errorf("the group read %d times, want once", n)
	}

	// With nobody left waiting, the read is given up, and the next
	// request reads afresh.
	g = &gated{AreaReader: s, open: make(chan struct{})}
	c = outline.New(g, 0)
	gone, cancel := context.WithCancel(ctx)
	go func() {
		_, err := c.Zoom(gone, a, 10)
		left <- err
	}()
	waitFor(t, c, 1)
	cancel()
	if err := <-left; !errors.Is(err, context.Canceled) {
		t.Fatalf("the request that gave up: %v, want context.Canceled", err)
	}
	close(g.open)
	if _, err := c.Zoom(ctx, a, 10); err != nil {
		t.Fatalf("the next request: %v", err)
	}
}

// TestAFailedReadIsNotKept: every request waiting for a read that fails
// gets its error, and the next request reads again.
func TestAFailedReadIsNotKept(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	if err := s.Load(ctx, synth.Generate(synthConfig)); err != nil {
		t.Fatal(err)
	}
	a := statistical(t, s)[0]
	boom := errors.New("boom")
	g := &gated{AreaReader: s, open: make(chan struct{}), fail: boom}
	c := outline.New(g, 0)
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.Zoom(ctx, a, 10)
			errs <- err
		}()
	}
	waitFor(t, c, n)
	close(g.open)
	for range n {
		if err := <-errs; !errors.Is(err, boom) {
			t.Fatalf("a request waiting for the failed read: %v, want its error", err)
		}
	}
	if _, err := c.Zoom(ctx, a, 10); err != nil {
		t.Fatalf("the next request: %v", err)
	}
	if n := c.Builds(); n != 1 {
		t.Errorf("%d groups prepared, want 1", n)
	}
}

// TestAGroupForgottenAsItIsRead: a change the feed tells of while a group is
// read leaves the group as read out of the cache: it answers the requests
// that waited for it, and the next is read afresh.
func TestAGroupForgottenAsItIsRead(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	if err := s.Load(ctx, synth.Generate(synthConfig)); err != nil {
		t.Fatal(err)
	}
	areas := statistical(t, s)
	g := &gated{AreaReader: s, open: make(chan struct{})}
	c := outline.New(g, 0)
	done := make(chan error, 1)
	go func() {
		_, err := c.Zoom(ctx, areas[0], 10)
		done <- err
	}()
	waitFor(t, c, 1)
	c.Forget(areas[1].ID)
	close(g.open)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := c.Zoom(ctx, areas[0], 10); err != nil {
		t.Fatal(err)
	}
	if n := c.Builds(); n != 2 {
		t.Errorf("the group prepared %d times, want 2: the one read as it was forgotten is not kept", n)
	}
}
