package postgis

import (
	"context"

	"github.com/areagraph/areagraph/db"
)

type coverageRow struct {
	c                         db.CoverageCell
	group, theme              string
	inits, orgs, participants int64
}

func newCoverageRow() scanner[db.CoverageCell] { return &coverageRow{} }

func (r *coverageRow) dest() []any {
	return []any{&r.c.AreaID, &r.group, &r.theme, &r.inits, &r.orgs, &r.participants}
}

func (r *coverageRow) record() (db.CoverageCell, error) {
	c := r.c
	c.FocusGroup, c.Theme = db.FocusGroup(r.group), db.Theme(r.theme)
	c.Initiatives, c.Organizations, c.Participants = int(r.inits), int(r.orgs), int(r.participants)
	return c, nil
}

// Coverage counts, per area and focus group (and theme), the initiatives
// serving the area, in one statement.
//
// Each initiative is unnested into one row per cell it counts in and, within
// that, one row per organisation involved: its lead first (NULL when it has
// none, which count(DISTINCT) skips), then its partners. Only the first of
// those rows adds the initiative's participants, so they count once per cell
// however many organisations there are.
func (s *Store) Coverage(ctx context.Context, f db.CoverageFilter) ([]db.CoverageCell, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var a args
	// Unsplit, the theme column is a constant, which GROUP BY refuses.
	theme, themes, group, order := "''", "", "", ""
	if f.ByTheme {
		theme, themes, group = "t.theme", " CROSS JOIN unnest(i.themes) AS t(theme)", ", t.theme"
		order = ", array_position(" + a.add(strs(db.Themes)) + "::text[], t.theme)"
	}
	conds := append([]string{"l.area_id = ANY(" + a.add(distinct(f.AreaIDs)) + "::bigint[])"},
		inSet(&a, "i.status", "text", strs(f.Statuses))...)
	sql := "SELECT l.area_id, g.focus_group, " + theme + ", count(DISTINCT i.id), count(DISTINCT o.org), " +
		"coalesce(sum(i.reach_participants) FILTER (WHERE o.n = 1), 0) " +
		"FROM initiative_areas l JOIN initiatives i ON i.id = l.initiative_id " +
		"CROSS JOIN unnest(i.focus_groups) AS g(focus_group)" + themes +
		" CROSS JOIN LATERAL unnest(array_prepend(i.lead_id, ARRAY(SELECT x.organization_id FROM initiative_partners x " +
		"WHERE x.initiative_id = i.id))) WITH ORDINALITY AS o(org, n)" +
		where(conds) + " GROUP BY l.area_id, g.focus_group" + group +
		" ORDER BY l.area_id, array_position(" + a.add(strs(db.FocusGroups)) + "::text[], g.focus_group)" + order
	cells, err := queryRecords(ctx, s, "coverage", newCoverageRow, sql, a)
	if cells == nil && err == nil {
		cells = []db.CoverageCell{}
	}
	return cells, err
}
