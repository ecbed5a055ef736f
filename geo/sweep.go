package geo

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/paulmach/orb"
)

// segment is one edge handed to sweep, tagged with its owner.
type segment struct {
	a, b   orb.Point
	lo, hi float64 // extent along the sweep axis
	olo    float64 // extent along the other axis
	ohi    float64
	set    int // owner: a ring, a line or a geometry
	k      int // position among the owner's edges, for adjacency
	orig   int // index of the edge in the input, for messages
}

// sweep calls fn for every pair of segments whose boxes overlap and stops
// when fn returns true. Segments are sorted by their lower end along the
// axis on which they spread out most thinly, so each segment is compared
// only with those starting inside its own extent: O(n log n) for the
// boundaries of real areas, however many vertices they have. A positive
// budget caps the comparisons; sweep reports false if it ran out before
// seeing every pair.
func sweep(segs []segment, budget int, fn func(s, t *segment) bool) bool {
	if len(segs) < 2 {
		return true
	}
	ax := sweepAxis(segs)
	for i := range segs {
		s := &segs[i]
		s.lo, s.hi = minmax(s.a[ax], s.b[ax])
		s.olo, s.ohi = minmax(s.a[1-ax], s.b[1-ax])
	}
	sortSegments(segs)
	work := 0
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].lo <= s.hi; j++ {
			if work++; budget > 0 && work > budget {
				return false
			}
			t := &segs[j]
			if t.olo > s.ohi || t.ohi < s.olo {
				continue
			}
			if fn(s, t) {
				return true
			}
		}
	}
	return true
}

// sortSegments sorts segments by their lower end along the sweep axis,
// then by owner and position. That order is total, so the result does not
// depend on how it is reached; sweep's callers rely on it for messages
// that do not change from run to run. Segments are large, and moving them
// about was most of the time Validate took, so when they come in owner
// order, as every caller hands them over, small keys are sorted and the
// segments then moved once each to their place.
func sortSegments(segs []segment) {
	inOrder := true
	for i := 1; i < len(segs) && inOrder; i++ {
		s, t := &segs[i-1], &segs[i]
		inOrder = s.set < t.set || s.set == t.set && s.k < t.k
	}
	if !inOrder {
		slices.SortFunc(segs, func(s, t segment) int {
			if c := cmp.Compare(s.lo, t.lo); c != 0 {
				return c
			}
			if c := cmp.Compare(s.set, t.set); c != 0 {
				return c
			}
			return cmp.Compare(s.k, t.k)
		})
		return
	}
	// In owner order, the index stands for (set, k).
	kp := sortKeys.Get().(*[]sortKey)
	keys := *kp
	if cap(keys) < len(segs) {
		keys = make([]sortKey, len(segs))
	}
	keys = keys[:len(segs)]
	defer func() {
		if cap(keys) <= 1<<16 {
			*kp = keys
			sortKeys.Put(kp)
		}
	}()
	for i := range segs {
		keys[i] = sortKey{segs[i].lo, i}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		if c := cmp.Compare(a.lo, b.lo); c != 0 {
			return c
		}
		return a.idx - b.idx
	})
	// Position i takes the segment at keys[i].idx: follow each cycle of
	// the permutation, marking positions done with -1.
	for i := range keys {
		if keys[i].idx < 0 || keys[i].idx == i {
			continue
		}
		first := segs[i]
		j := i
		for {
			from := keys[j].idx
			keys[j].idx = -1
			if from == i {
				segs[j] = first
				break
			}
			segs[j] = segs[from]
			j = from
		}
	}
}

// sortKey stands for a segment in sortSegments.
type sortKey struct {
	lo  float64
	idx int
}

// sortKeys keeps key arrays between sorts, which come by the thousand when
// a dataset is loaded.
var sortKeys = sync.Pool{New: func() any { return new([]sortKey) }}

// sweepAxis picks the axis with the smallest total segment extent relative
// to the span of all segments: the expected number of box comparisons per
// segment. A stack of long horizontal edges is cheap to sweep along y and
// costly along x.
func sweepAxis(segs []segment) int {
	var cost [2]float64
	for ax := range 2 {
		lo, hi := math.Inf(1), math.Inf(-1)
		sum := 0.0
		for _, s := range segs {
			a, b := minmax(s.a[ax], s.b[ax])
			lo, hi = math.Min(lo, a), math.Max(hi, b)
			sum += b - a
		}
		cost[ax] = sum / (hi - lo)
		if hi == lo {
			cost[ax] = math.Inf(1)
		}
	}
	if cost[1] < cost[0] {
		return 1
	}
	return 0
}

func minmax(a, b float64) (float64, float64) {
	if a > b {
		return b, a
	}
	return a, b
}
