package db

import (
	"slices"
)

// CoverageFilter selects the initiatives a coverage count looks at.
type CoverageFilter struct {
	AreaIDs  []int64            // the areas to count for; required
	Statuses []InitiativeStatus // empty: every status
	ByTheme  bool               // split each cell by theme as well
}

// Validate checks a coverage filter: at least one area, known statuses.
func (f *CoverageFilter) Validate() error {
	if len(f.AreaIDs) == 0 {
		return Errorf(EINVALID, "coverage: at least one area is required")
	}
	for _, s := range f.Statuses {
		if !slices.Contains(initiativeStatuses, s) {
			return Errorf(EINVALID, "coverage: unknown status %q", s)
		}
	}
	return nil
}

// CoverageCell counts the initiatives serving one area that target one
// focus group (and, when split, work with one theme).
type CoverageCell struct {
	AreaID        int64
	FocusGroup    FocusGroup
	Theme         Theme // "" unless the filter splits by theme
	Initiatives   int
	Organizations int // distinct leads and partners of those initiatives
	Participants  int // sum of their reported participants
}
