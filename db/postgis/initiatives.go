package postgis

import (
	"context"
	"slices"
	"strings"

	"github.com/areagraph/areagraph/db"
)

// initiativeRecord reads whole initiatives: with their areas and partners
// gathered in the same statement.
var initiativeRecord = initiativeColumns(0)

// newInitiativeRow scans what initiativeRecord reads.
var newInitiativeRow = initiativeRows(0)

// initiativeColumns reads initiatives without the parts in omit
// (db.Page.Omit): their columns are left out of the statement, and with
// the lists the subqueries that gather them from the link tables, one
// per row. Partner ids and roles come as two arrays in the same order.
// keep guards the locations. The columns come in the order
// initiativeRow.dest takes them.
func initiativeColumns(omit db.Parts) record {
	return record{table: "initiatives", alias: "i", cols: func(keep string) string {
		var b strings.Builder
		b.WriteString("i.id, i.title, i.status, i.goal_area, coalesce(i.lead_id, 0), i.version, i.updated_at")
		if !omit.Has(db.PartDescription) {
			b.WriteString(", i.description")
		}
		if !omit.Has(db.PartDates) {
			b.WriteString(", i.start_date, i.end_date")
		}
		if !omit.Has(db.PartFocusGroups) {
			b.WriteString(", i.focus_groups")
		}
		if !omit.Has(db.PartThemes) {
			b.WriteString(", i.themes")
		}
		if !omit.Has(db.PartReach) {
			b.WriteString(", i.reach_participants, i.reach_into_work, i.reach_into_study")
		}
		if !omit.Has(db.PartLocations) {
			if keep != "" {
				b.WriteString(", CASE WHEN " + keep + " THEN ST_AsBinary(i.locations) END")
			} else {
				b.WriteString(", ST_AsBinary(i.locations)")
			}
		}
		if !omit.Has(db.PartAreas) {
			b.WriteString(", ARRAY(SELECT x.area_id FROM initiative_areas x WHERE x.initiative_id = i.id ORDER BY x.area_id)")
		}
		if !omit.Has(db.PartPartners) {
			b.WriteString(", ARRAY(SELECT x.organization_id FROM initiative_partners x WHERE x.initiative_id = i.id ORDER BY x.organization_id)" +
				", ARRAY(SELECT x.role FROM initiative_partners x WHERE x.initiative_id = i.id ORDER BY x.organization_id)")
		}
		return b.String()
	}}
}

type initiativeRow struct {
	omit                db.Parts
	in                  db.Initiative
	status, goalArea    string
	focusGroups, themes []string
	locations           []byte
	partnerIDs          []int64
	partnerRoles        []string
	areaIDs             []int64
}

// initiativeRows scans what initiativeColumns(omit) reads.
func initiativeRows(omit db.Parts) func() scanner[*db.Initiative] {
	return func() scanner[*db.Initiative] { return &initiativeRow{omit: omit} }
}

func (r *initiativeRow) dest() []any {
	d := make([]any, 0, 19)
	d = append(d, &r.in.ID, &r.in.Title, &r.status, &r.goalArea, &r.in.LeadID, &r.in.Version, &r.in.UpdatedAt)
	if !r.omit.Has(db.PartDescription) {
		d = append(d, &r.in.Description)
	}
	if !r.omit.Has(db.PartDates) {
		d = append(d, &r.in.StartDate, &r.in.EndDate)
	}
	if !r.omit.Has(db.PartFocusGroups) {
		d = append(d, &r.focusGroups)
	}
	if !r.omit.Has(db.PartThemes) {
		d = append(d, &r.themes)
	}
	if !r.omit.Has(db.PartReach) {
		d = append(d, &r.in.Reach.Participants, &r.in.Reach.IntoWork, &r.in.Reach.IntoStudy)
	}
	if !r.omit.Has(db.PartLocations) {
		d = append(d, &r.locations)
	}
	if !r.omit.Has(db.PartAreas) {
		d = append(d, &r.areaIDs)
	}
	if !r.omit.Has(db.PartPartners) {
		d = append(d, &r.partnerIDs, &r.partnerRoles)
	}
	return d
}

func (r *initiativeRow) record() (*db.Initiative, error) {
	in := r.in
	in.Status = db.InitiativeStatus(r.status)
	in.UpdatedAt = in.UpdatedAt.UTC()
	in.GoalArea = db.GoalArea(r.goalArea)
	// Load stores both in canonical order, so they read back in it.
	for _, g := range r.focusGroups {
		in.FocusGroups = append(in.FocusGroups, db.FocusGroup(g))
	}
	for _, t := range r.themes {
		in.Themes = append(in.Themes, db.Theme(t))
	}
	if len(r.areaIDs) > 0 {
		in.AreaIDs = r.areaIDs
	}
	for i, id := range r.partnerIDs {
		in.Partners = append(in.Partners, db.Partner{OrganizationID: id, Role: db.PartnerRole(r.partnerRoles[i])})
	}
	locs, err := decodePoints(r.locations)
	if err != nil {
		return nil, err
	}
	in.Locations = locs
	return &in, nil
}

func initiativeID(in *db.Initiative) int64 { return in.ID }

// initiativeIDRecord reads the ids alone, of the candidates whose records
// are read after them.
var initiativeIDRecord = record{table: "initiatives", alias: "i", cols: func(string) string { return "i.id" }}

type initiativeIDRow struct{ id int64 }

func newInitiativeIDRow() scanner[*db.Initiative] { return &initiativeIDRow{} }

func (r *initiativeIDRow) dest() []any { return []any{&r.id} }

func (r *initiativeIDRow) record() (*db.Initiative, error) { return &db.Initiative{ID: r.id}, nil }

// initiativeConds are the conditions of an InitiativeFilter on the
// initiatives aliased i.
func initiativeConds(a *args, f db.InitiativeFilter) (conds []string, dist dists, err error) {
	conds = slices.Concat(
		inSet(a, "i.status", "text", strs(f.Statuses)),
		inSet(a, "i.goal_area", "text", strs(f.GoalAreas)),
		contains(a, "i.title", f.TitleContains),
	)
	if len(f.FocusGroups) > 0 {
		conds = append(conds, "i.focus_groups && "+a.add(strs(f.FocusGroups))+"::text[]")
	}
	if len(f.Themes) > 0 {
		conds = append(conds, "i.themes && "+a.add(strs(f.Themes))+"::text[]")
	}
	if len(f.AreaIDs) > 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM initiative_areas x WHERE x.initiative_id = i.id AND x.area_id = ANY("+
			a.add(f.AreaIDs)+"::bigint[]))")
	}
	if len(f.OrganizationIDs) > 0 {
		orgs := a.add(f.OrganizationIDs) + "::bigint[]"
		conds = append(conds, "(i.lead_id = ANY("+orgs+") OR EXISTS (SELECT 1 FROM initiative_partners x "+
			"WHERE x.initiative_id = i.id AND x.organization_id = ANY("+orgs+")))")
	}
	sp, dist, err := spatial(a, "i.locations", f.Spatial)
	return append(conds, sp...), dist, err
}

// InitiativesByID returns the initiatives with the given ids, in input
// order, nil for an id no initiative has.
func (s *Store) InitiativesByID(ctx context.Context, ids []int64) ([]*db.Initiative, error) {
	return s.initiativesByID(ctx, ids, 0)
}

// initiativesByID is InitiativesByID without the parts in omit.
func (s *Store) initiativesByID(ctx context.Context, ids []int64, omit db.Parts) ([]*db.Initiative, error) {
	if len(ids) == 0 {
		return []*db.Initiative{}, nil
	}
	var a args
	sql := "SELECT " + initiativeColumns(omit).cols("") + " FROM initiatives i WHERE i.id = ANY(" + a.add(distinct(ids)) + "::bigint[])"
	found, err := queryRecords(ctx, s, "initiatives by id", initiativeRows(omit), sql, a)
	if err != nil {
		return nil, err
	}
	return byIDs(ids, found, initiativeID, (*db.Initiative).Clone), nil
}

// Initiatives returns a page of the initiatives that pass f.
func (s *Store) Initiatives(ctx context.Context, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	var a args
	conds, dist, err := initiativeConds(&a, f)
	if err != nil {
		return db.List[*db.Initiative]{}, err
	}
	sel := selection{from: "initiatives i", parent: "0", conds: conds, dist: dist}
	if knnUsable(sel, p) {
		l, ok, err := s.nearestInitiatives(ctx, a, sel, p)
		if err != nil || ok {
			return l, err
		}
		// Too few candidates to be sure of the order, or a record gone
		// between two statements: rank every match.
	}
	lists, err := queryPaged(ctx, s, "initiatives", initiativeRows(p.Omit), (*db.Initiative).Clone,
		pagedSQL(&a, sel, initiativeColumns(p.Omit), p), a, p, dist, []int64{0})
	if err != nil {
		return db.List[*db.Initiative]{}, err
	}
	return lists[0], nil
}

// nearestInitiatives answers a page nearest first from the index's order
// (knnSQL), when the candidates settle it (ok). When the page omits the
// lists of the link tables, every candidate comes with the record's
// columns, plain columns all of them, and one statement answers. Else the
// candidates are ids, and the page's records alone are read by id in a
// second statement: the lists cost a subquery per row.
func (s *Store) nearestInitiatives(ctx context.Context, a args, sel selection, p db.Page) (db.List[*db.Initiative], bool, error) {
	const links = db.PartAreas | db.PartPartners
	if p.Omit.Has(links) {
		return queryKNN(ctx, s, "initiatives", initiativeRows(p.Omit), knnSQL(sel, initiativeColumns(p.Omit), p), a, p, sel.dist)
	}
	l, ok, err := queryKNN(ctx, s, "initiatives", newInitiativeIDRow, knnSQL(sel, initiativeIDRecord, p), a, p, sel.dist)
	if err != nil || !ok {
		return l, false, err
	}
	ids := make([]int64, len(l.Items))
	for i, in := range l.Items {
		ids[i] = in.ID
	}
	whole, err := s.initiativesByID(ctx, ids, p.Omit)
	if err != nil {
		return db.List[*db.Initiative]{}, false, err
	}
	if slices.Contains(whole, nil) {
		return db.List[*db.Initiative]{}, false, nil
	}
	l.Items = whole
	return l, true, nil
}

// initiativeLocationRecord reads what InitiativeLocations hands out: the
// id and the locations, none of the other columns nor the two lists.
var initiativeLocationRecord = record{table: "initiatives", alias: "i", cols: func(keep string) string {
	locations := "ST_AsBinary(i.locations)"
	if keep != "" {
		locations = "CASE WHEN " + keep + " THEN " + locations + " END"
	}
	return "i.id, " + locations
}}

type locatedRow struct {
	id        int64
	locations []byte
}

func newLocatedRow() scanner[db.Located] { return &locatedRow{} }

func (r *locatedRow) dest() []any { return []any{&r.id, &r.locations} }

func (r *locatedRow) record() (db.Located, error) {
	pts, err := decodePoints(r.locations)
	return db.Located{ID: r.id, Points: pts}, err
}

// InitiativeLocations implements db.Store with the statement Initiatives
// sends, reading two columns.
func (s *Store) InitiativeLocations(ctx context.Context, f db.InitiativeFilter, limit int) (db.List[db.Located], error) {
	if err := db.CheckLocationsLimit(limit); err != nil {
		return db.List[db.Located]{}, err
	}
	var a args
	conds, dist, err := initiativeConds(&a, f)
	if err != nil {
		return db.List[db.Located]{}, err
	}
	sel := selection{from: "initiatives i", parent: "0", conds: conds, dist: dist}
	p := db.Page{Limit: limit}
	lists, err := queryPaged(ctx, s, "initiative locations", newLocatedRow, func(l db.Located) db.Located { return l },
		pagedSQL(&a, sel, initiativeLocationRecord, p), a, p, dist, []int64{0})
	if err != nil {
		return db.List[db.Located]{}, err
	}
	return lists[0], nil
}

// InitiativesByArea returns, for each area in areaIDs, a page of the
// initiatives serving it that pass f, all in one statement.
func (s *Store) InitiativesByArea(ctx context.Context, areaIDs []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	if len(areaIDs) == 0 {
		return []db.List[*db.Initiative]{}, nil
	}
	var a args
	conds, dist, err := initiativeConds(&a, f)
	if err != nil {
		return nil, err
	}
	sel := selection{
		from:   "initiative_areas l JOIN initiatives i ON i.id = l.initiative_id",
		parent: "l.area_id", conds: conds, dist: dist,
	}
	if len(conds) == 0 {
		// Nothing to test on the initiative: the link table alone, read
		// in (area_id, initiative_id) order from its index, picks the
		// page; the foreign key vouches that every link has its initiative.
		sel.from, sel.id = "initiative_areas l", "l.initiative_id"
	}
	sel.conds = append(sel.conds, "l.area_id = ANY("+a.add(distinct(areaIDs))+"::bigint[])")
	return queryPaged(ctx, s, "initiatives by area", initiativeRows(p.Omit), (*db.Initiative).Clone,
		pagedSQL(&a, sel, initiativeColumns(p.Omit), p), a, p, dist, areaIDs)
}

// InitiativesByOrganization returns, for each organisation in orgIDs, a
// page of the initiatives it leads or partners in that pass f, all in one
// statement.
func (s *Store) InitiativesByOrganization(ctx context.Context, orgIDs []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	if len(orgIDs) == 0 {
		return []db.List[*db.Initiative]{}, nil
	}
	var a args
	conds, dist, err := initiativeConds(&a, f)
	if err != nil {
		return nil, err
	}
	orgs := a.add(distinct(orgIDs)) + "::bigint[]"
	// UNION, not UNION ALL: an organisation counts an initiative once even
	// if it were recorded both as lead and as partner.
	involved := "(SELECT lead_id AS organization_id, id AS initiative_id FROM initiatives WHERE lead_id = ANY(" + orgs + ") " +
		"UNION SELECT organization_id, initiative_id FROM initiative_partners WHERE organization_id = ANY(" + orgs + ")) l"
	sel := selection{
		from:   involved + " JOIN initiatives i ON i.id = l.initiative_id",
		parent: "l.organization_id", conds: conds, dist: dist,
	}
	if len(conds) == 0 {
		// As in InitiativesByArea: both sides of the union name existing
		// initiatives, so without conditions the join adds nothing.
		sel.from, sel.id = involved, "l.initiative_id"
	}
	return queryPaged(ctx, s, "initiatives by organization", initiativeRows(p.Omit), (*db.Initiative).Clone,
		pagedSQL(&a, sel, initiativeColumns(p.Omit), p), a, p, dist, orgIDs)
}
