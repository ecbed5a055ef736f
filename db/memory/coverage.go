package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/areagraph/areagraph/db"
)

// cellKey places a cell: its focus group and theme as positions in
// db.FocusGroups and db.Themes (theme 0 when not split), so that sorting
// the keys gives the contract's order.
type cellKey struct{ group, theme int }

// tally gathers one cell while the initiatives are counted.
type tally struct {
	initiatives  int
	orgs         map[int64]bool
	participants int
}

// Coverage implements db.Store.
func (s *Store) Coverage(ctx context.Context, f db.CoverageFilter) ([]db.CoverageCell, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	areas := slices.Clone(f.AreaIDs)
	slices.Sort(areas)
	areas = slices.Compact(areas)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []db.CoverageCell{}
	pl := &poll{ctx: ctx}
	for _, a := range areas {
		cells := map[cellKey]*tally{}
		for _, id := range s.initsByArea[a] {
			if err := pl.next(); err != nil {
				return nil, err
			}
			in := s.inits[id]
			if !oneOf(f.Statuses, in.Status) {
				continue
			}
			for _, k := range cellsOf(in, f.ByTheme) {
				t := cells[k]
				if t == nil {
					t = &tally{orgs: map[int64]bool{}}
					cells[k] = t
				}
				t.initiatives++
				for _, o := range orgsOf(in) {
					t.orgs[o] = true
				}
				if n := in.Reach.Participants; n != nil {
					t.participants += *n
				}
			}
		}
		keys := make([]cellKey, 0, len(cells))
		for k := range cells {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(x, y cellKey) int {
			return cmp.Or(cmp.Compare(x.group, y.group), cmp.Compare(x.theme, y.theme))
		})
		for _, k := range keys {
			t := cells[k]
			c := db.CoverageCell{AreaID: a, FocusGroup: db.FocusGroups[k.group],
				Initiatives: t.initiatives, Organizations: len(t.orgs), Participants: t.participants}
			if f.ByTheme {
				c.Theme = db.Themes[k.theme]
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// cellsOf lists the cells an initiative counts in: one per focus group, or
// per focus group and theme when split. Without a focus group (or, split,
// without a theme) it counts in none.
func cellsOf(in *db.Initiative, byTheme bool) []cellKey {
	var out []cellKey
	for _, g := range in.FocusGroups {
		gi := slices.Index(db.FocusGroups, g)
		if !byTheme {
			out = append(out, cellKey{group: gi})
			continue
		}
		for _, t := range in.Themes {
			out = append(out, cellKey{group: gi, theme: slices.Index(db.Themes, t)})
		}
	}
	return out
}
