package memory

import (
	"slices"
	"strings"
	"time"

	"github.com/areagraph/areagraph/db"
)

// shared holds the parts of initiatives that many of them have alike, once:
// a national dataset's 100,000 initiatives have a few thousand dates and a
// few hundred sets of focus groups and of themes, and held once each they
// take about 12 MB less of the heap. A stored record is never changed in
// place (a write stores a new one, and readers get clones), so records may
// share them; the slices are clipped, so an append to one never writes
// into another's.
type shared struct {
	dates  map[time.Time]*time.Time
	groups map[string][]db.FocusGroup
	themes map[string][]db.Theme
}

// share makes in, a record the store is about to keep, hold the parts
// other records have alike where they are.
func (s *Store) share(in *db.Initiative) {
	sh := &s.shared
	if sh.dates == nil {
		sh.dates = map[time.Time]*time.Time{}
		sh.groups = map[string][]db.FocusGroup{}
		sh.themes = map[string][]db.Theme{}
	}
	in.StartDate = sharedDate(sh.dates, in.StartDate)
	in.EndDate = sharedDate(sh.dates, in.EndDate)
	in.FocusGroups = sharedSet(sh.groups, in.FocusGroups)
	in.Themes = sharedSet(sh.themes, in.Themes)
}

func sharedDate(m map[time.Time]*time.Time, t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	if p, ok := m[*t]; ok {
		return p
	}
	m[*t] = t
	return t
}

// sharedSet returns the held slice equal to xs, holding xs when there is
// none. An empty slice is returned as it is, nil or not.
func sharedSet[T ~string](m map[string][]T, xs []T) []T {
	if len(xs) == 0 {
		return xs
	}
	var b strings.Builder
	for _, x := range xs {
		b.WriteString(string(x))
		b.WriteByte(0)
	}
	k := b.String()
	if held, ok := m[k]; ok {
		return held
	}
	xs = slices.Clip(xs)
	m[k] = xs
	return xs
}
