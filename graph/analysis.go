package graph

import (
	"context"
	"slices"
	"time"

	"github.com/areagraph/areagraph/analysis"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph/model"
)

// MaxCompared caps the areas of one comparison or coverage matrix.
const MaxCompared = 500

// chosenAreas loads the areas a planner's question is about: the given
// ones, or every priority area, of those in use on day on (db.ValidOn): a
// question for a day never counts an area retired before it or drawn
// after it. The zero day keeps the given areas whatever their period.
func chosenAreas(ctx context.Context, s db.AreaReader, gids []string, on time.Time) ([]*db.Area, error) {
	if gids == nil {
		l, err := s.Areas(ctx, db.AreaFilter{Kinds: []db.AreaKind{db.KindPriorityArea}, ValidOn: on}, db.Page{Limit: MaxCompared})
		return l.Items, err
	}
	if len(gids) > MaxCompared {
		return nil, db.Errorf(db.EINVALID, "at most %d areas, got %d", MaxCompared, len(gids))
	}
	keys, err := ids(db.TypeArea, gids)
	if err != nil {
		return nil, err
	}
	areas, err := s.AreasByID(ctx, keys)
	if err != nil {
		return nil, err
	}
	for i, a := range areas {
		if a == nil {
			return nil, db.Errorf(db.ENOTFOUND, "no area with id %q", gids[i])
		}
	}
	if on.IsZero() {
		return areas, nil
	}
	return slices.DeleteFunc(areas, func(a *db.Area) bool { return !a.ValidOn(on) }), nil
}

// municipalities finds the municipality each area lies in by walking up
// the parents, one store call per level of the hierarchy.
func municipalities(ctx context.Context, s db.AreaReader, areas []*db.Area) (map[int64]int64, map[int64]*db.Area, error) {
	known := map[int64]*db.Area{}
	for _, a := range areas {
		known[a.ID] = a
	}
	for range db.AreaKinds {
		var missing []int64
		for _, a := range known {
			if a.ParentID != 0 && known[a.ParentID] == nil && !slices.Contains(missing, a.ParentID) {
				missing = append(missing, a.ParentID)
			}
		}
		if len(missing) == 0 {
			break
		}
		found, err := s.AreasByID(ctx, missing)
		if err != nil {
			return nil, nil, err
		}
		for i, a := range found {
			if a == nil {
				// A dangling parent cannot be: stop climbing there.
				known[missing[i]] = &db.Area{ID: missing[i]}
				continue
			}
			known[a.ID] = a
		}
	}
	of := map[int64]int64{}
	for _, a := range areas {
		for cur, steps := a, 0; cur != nil && steps <= len(db.AreaKinds); cur, steps = known[cur.ParentID], steps+1 {
			if cur.Kind == db.KindMunicipality {
				of[a.ID] = cur.ID
				break
			}
		}
	}
	return of, known, nil
}

func compareIndicator(ctx context.Context, s db.Reader, code string, year int, areaIDs []string, reference *string, baseline *int, sex db.Sex) (*model.IndicatorComparison, error) {
	if err := checkYears(map[string]*int{"year": &year, "baselineYear": baseline}); err != nil {
		return nil, err
	}
	// Every definition: a roll-up weighed by persons needs its weight
	// indicator's too (db.DerivedValues).
	defs, err := s.Indicators(ctx, nil)
	if err != nil {
		return nil, err
	}
	var def *db.Indicator
	for _, d := range defs {
		if d.Code == code {
			def = d
		}
	}
	if def == nil {
		return nil, db.Errorf(db.ENOTFOUND, "no indicator with code %q", code)
	}
	// A year's comparison is of the areas in use on the day that stands
	// for the year (db.YearDay); the baseline's values are read for the
	// same areas.
	areas, err := chosenAreas(ctx, s, areaIDs, db.YearDay(year))
	if err != nil {
		return nil, err
	}
	var ref *db.Area
	if reference != nil {
		// The reference is the one the caller names, whatever its period.
		refs, err := chosenAreas(ctx, s, []string{*reference}, time.Time{})
		if err != nil {
			return nil, err
		}
		ref = refs[0]
	}
	of, known, err := municipalities(ctx, s, areas)
	if err != nil {
		return nil, err
	}
	c := analysis.Comparison{Indicator: def, Year: year, BaselineYear: deref(baseline), Municipality: of}
	want := map[int64]bool{}
	for _, a := range areas {
		c.AreaIDs = append(c.AreaIDs, a.ID)
		want[a.ID], want[of[a.ID]] = true, true
	}
	if ref != nil {
		c.Reference, want[ref.ID] = ref.ID, true
	}
	f := db.ValueFilter{Codes: []string{code}, Sexes: []db.Sex{sex}, FromYear: year, ToYear: year}
	if c.BaselineYear != 0 {
		f.FromYear, f.ToYear = min(year, c.BaselineYear), max(year, c.BaselineYear)
	}
	var wanted []*db.Area
	for id := range want {
		if a := known[id]; a != nil {
			wanted = append(wanted, a)
		} else if ref != nil && id == ref.ID {
			wanted = append(wanted, ref)
		}
	}
	// Each area's measured value, else its value rolled up from the
	// statistical areas (db/rollup.go), for all areas in one batch.
	if c.Values, err = db.ValuesOrDerived(ctx, s, defs, wanted, f); err != nil {
		return nil, err
	}
	out := &model.IndicatorComparison{Indicator: def, Year: year, BaselineYear: baseline, Sex: sex, ReferenceArea: ref}
	for _, r := range analysis.Compare(c) {
		row := &model.ComparisonRow{
			Area: known[r.AreaID], Value: r.Value, Suppressed: r.Suppressed,
			MunicipalityValue: r.MunicipalityValue, GapToMunicipality: r.GapToMunicipality,
			GapToReference: r.GapToReference, BaselineValue: r.BaselineValue,
			ChangeSinceBaseline: r.ChangeSinceBaseline, GapToMunicipalityAtBaseline: r.GapToMunicipalityAtBaseline,
			GapClosing: r.GapClosing, Provenance: r.Provenance,
		}
		if r.Rank > 0 {
			row.Rank = &r.Rank
		}
		if r.MunicipalityID != 0 {
			row.Municipality = known[r.MunicipalityID]
		}
		out.Rows = append(out.Rows, row)
	}
	for _, d := range c.Values {
		if v := d.Value; ref != nil && v.AreaID == ref.ID && v.Year == year && !def.Withholds(v, d.Provenance) {
			x := v.Value
			out.ReferenceValue = &x
		}
	}
	return out, nil
}

func coverage(ctx context.Context, s db.Reader, areaIDs []string, on time.Time, statuses []db.InitiativeStatus, themes []db.Theme) (*model.Coverage, error) {
	areas, err := chosenAreas(ctx, s, areaIDs, on)
	if err != nil {
		return nil, err
	}
	out := &model.Coverage{Cells: []*model.CoverageCell{}, WhiteSpots: []*model.CoverageCell{}}
	if len(areas) == 0 {
		return out, nil
	}
	byID := make(map[int64]*db.Area, len(areas))
	ids := make([]int64, len(areas))
	for i, a := range areas {
		byID[a.ID], ids[i] = a, a.ID
	}
	// Themes as columns come in the schema's order, each once.
	var split []db.Theme
	for _, th := range db.Themes {
		if slices.Contains(themes, th) {
			split = append(split, th)
		}
	}
	found, err := s.Coverage(ctx, db.CoverageFilter{AreaIDs: ids, Statuses: statuses, ByTheme: len(split) > 0})
	if err != nil {
		return nil, err
	}
	cells, white := analysis.Matrix(ids, split, found)
	conv := func(cs []db.CoverageCell) []*model.CoverageCell {
		out := make([]*model.CoverageCell, len(cs))
		for i, c := range cs {
			out[i] = &model.CoverageCell{Area: byID[c.AreaID], FocusGroup: c.FocusGroup,
				Initiatives: c.Initiatives, Organizations: c.Organizations, Participants: c.Participants}
			if c.Theme != "" {
				th := c.Theme
				out[i].Theme = &th
			}
		}
		return out
	}
	out.Cells, out.WhiteSpots = conv(cells), conv(white)
	return out, nil
}
