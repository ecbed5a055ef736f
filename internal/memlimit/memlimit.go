// Package memlimit is the soft memory limit an embedded server serving a
// dataset file sets itself when GOMEMLIMIT does not set one.
//
// Such a server holds the whole dataset on its heap, and the garbage of
// its requests beside it. Go's collector lets the heap grow to twice what
// was live at its last cycle, and under load that is the dataset, the
// server's caches and every request in flight: a national dataset of about
// 130 MB of heap took 440 MB resident under the load benchmark without a
// limit. The limit makes the collector run more often as the heap nears
// it, instead of letting the heap grow:
//
//   - while loading, five times the dataset file's size (what loading
//     holds at most: the file as read and the store built from it), at
//     least Min;
//   - once loaded, twice the heap the dataset holds, at least Min.
//
// Why twice, and not less. With 143 MiB of heap the national dataset's
// limit was 286 MiB, and under the benchmark's loads it stayed near 310 MB
// resident (at 163 MiB of heap, before the change log was made compact, it
// was 326 MiB and 350 MB). A lower limit did not bring it under 300 MB:
// measured in the same minutes, 8 requests in flight, at 256 MiB a load of
// bbox outlines stayed at 280 MB, but once the simplified outlines (a zoom
// of the statistical areas, 33 MiB) and the outlines' GeoJSON text were
// held the collector ran back to back, tiles lost a third of their rate or
// more, and the server still reached 305–328 MB. The limit cannot go below
// what is live; what took the server under 300 MB was less of it: with
// values and the initiatives' dates and enums held compactly the dataset
// holds 119 MiB, its limit is Min, and under the same loads it stayed at
// 279 MB resident (291 MB at most).
//
// It is a soft limit: a store that outgrows it through writes is not
// stopped, only collected harder.
package memlimit

import (
	"os"
	"runtime"
	"runtime/debug"
)

// Min is the least limit set: below it, a cheap request's garbage would
// make the collector run for nothing.
const Min = 256 << 20

// Own says whether the process sets its own limit: not when the
// environment sets GOMEMLIMIT.
func Own(getenv func(string) string) bool { return getenv("GOMEMLIMIT") == "" }

// Loading sets the limit for loading the dataset file at path.
func Loading(path string) {
	if st, err := os.Stat(path); err == nil {
		debug.SetMemoryLimit(max(Min, 5*st.Size()))
	}
}

// Serving sets the limit once the dataset is loaded and collected, and
// returns the heap it holds and the limit, in bytes.
func Serving() (live, limit int64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live = int64(ms.HeapAlloc)
	limit = max(Min, 2*live)
	debug.SetMemoryLimit(limit)
	return live, limit
}
