package geo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortSegments checks the key sort against sorting the segments
// themselves, on inputs in owner order (the fast way) and not, with ties
// on the sort axis and NaN ends.
func TestSortSegments(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 300 {
		n := rng.IntN(60)
		segs := make([]segment, n)
		set, k := 0, 0
		for i := range segs {
			if rng.IntN(8) == 0 {
				set, k = set+1, 0
			}
			lo := float64(rng.IntN(10))
			if rng.IntN(40) == 0 {
				lo = math.NaN()
			}
			segs[i] = segment{lo: lo, set: set, k: k, orig: i}
			k += 1 + rng.IntN(2)
		}
		if trial%3 == 0 {
			rng.Shuffle(len(segs), func(i, j int) { segs[i], segs[j] = segs[j], segs[i] })
		}
		want := slices.Clone(segs)
		slices.SortFunc(want, func(s, t segment) int {
			if c := cmp.Compare(s.lo, t.lo); c != 0 {
				return c
			}
			if c := cmp.Compare(s.set, t.set); c != 0 {
				return c
			}
			return cmp.Compare(s.k, t.k)
		})
		sortSegments(segs)
		for i := range segs {
			if segs[i].orig != want[i].orig {
				t.Fatalf("trial %d: position %d holds segment %d, want %d", trial, i, segs[i].orig, want[i].orig)
			}
		}
	}
}
