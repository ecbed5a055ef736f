package postgis

import (
	"context"
	"slices"

	"github.com/areagraph/areagraph/db"
)

// organizationRecord reads organisations with the areas they engage in,
// gathered in the same statement.
var organizationRecord = record{table: "organizations", alias: "o", cols: func(string) string {
	return "o.id, o.kind, o.name, o.org_number, ST_AsBinary(o.location), o.website, o.industry, o.size, o.activity, " +
		"ARRAY(SELECT x.area_id FROM organization_areas x WHERE x.organization_id = o.id ORDER BY x.area_id), o.version, o.updated_at"
}}

type organizationRow struct {
	o          db.Organization
	kind, size string
	location   []byte
	areaIDs    []int64
}

func newOrganizationRow() scanner[*db.Organization] { return &organizationRow{} }

func (r *organizationRow) dest() []any {
	return []any{&r.o.ID, &r.kind, &r.o.Name, &r.o.OrgNumber, &r.location, &r.o.Website, &r.o.Industry, &r.size,
		&r.o.Activity, &r.areaIDs, &r.o.Version, &r.o.UpdatedAt}
}

func (r *organizationRow) record() (*db.Organization, error) {
	o := r.o
	o.Kind = db.OrgKind(r.kind)
	o.UpdatedAt = o.UpdatedAt.UTC()
	o.Size = db.EmployerSize(r.size)
	loc, err := decodePoint(r.location)
	if err != nil {
		return nil, err
	}
	o.Location = loc
	if len(r.areaIDs) > 0 {
		o.AreaIDs = r.areaIDs
	}
	return &o, nil
}

func organizationID(o *db.Organization) int64 { return o.ID }

// organizationConds are the conditions of an OrganizationFilter on the
// organisations aliased o.
func organizationConds(a *args, f db.OrganizationFilter) (conds []string, dist dists, err error) {
	conds = slices.Concat(
		inSet(a, "o.kind", "text", strs(f.Kinds)),
		contains(a, "o.name", f.NameContains),
	)
	if len(f.AreaIDs) > 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM organization_areas x WHERE x.organization_id = o.id AND x.area_id = ANY("+
			a.add(f.AreaIDs)+"::bigint[]))")
	}
	sp, dist, err := spatial(a, "o.location", f.Spatial)
	return append(conds, sp...), dist, err
}

// OrganizationsByID returns the organisations with the given ids, in input
// order, nil for an id no organisation has.
func (s *Store) OrganizationsByID(ctx context.Context, ids []int64) ([]*db.Organization, error) {
	if len(ids) == 0 {
		return []*db.Organization{}, nil
	}
	var a args
	sql := "SELECT " + organizationRecord.cols("") + " FROM organizations o WHERE o.id = ANY(" + a.add(distinct(ids)) + "::bigint[])"
	found, err := queryRecords(ctx, s, "organizations by id", newOrganizationRow, sql, a)
	if err != nil {
		return nil, err
	}
	return byIDs(ids, found, organizationID, (*db.Organization).Clone), nil
}

// Organizations returns a page of the organisations that pass f.
func (s *Store) Organizations(ctx context.Context, f db.OrganizationFilter, p db.Page) (db.List[*db.Organization], error) {
	var a args
	conds, dist, err := organizationConds(&a, f)
	if err != nil {
		return db.List[*db.Organization]{}, err
	}
	sel := selection{from: "organizations o", parent: "0", conds: conds, dist: dist}
	lists, err := queryPaged(ctx, s, "organizations", newOrganizationRow, (*db.Organization).Clone,
		pagedSQL(&a, sel, organizationRecord, p), a, p, dist, []int64{0})
	if err != nil {
		return db.List[*db.Organization]{}, err
	}
	return lists[0], nil
}

// OrganizationsByArea returns, for each area in areaIDs, a page of the
// organisations engaging in it that pass f, all in one statement.
func (s *Store) OrganizationsByArea(ctx context.Context, areaIDs []int64, f db.OrganizationFilter, p db.Page) ([]db.List[*db.Organization], error) {
	if len(areaIDs) == 0 {
		return []db.List[*db.Organization]{}, nil
	}
	var a args
	conds, dist, err := organizationConds(&a, f)
	if err != nil {
		return nil, err
	}
	conds = append(conds, "l.area_id = ANY("+a.add(distinct(areaIDs))+"::bigint[])")
	sel := selection{
		from:   "organization_areas l JOIN organizations o ON o.id = l.organization_id",
		parent: "l.area_id", conds: conds, dist: dist,
	}
	return queryPaged(ctx, s, "organizations by area", newOrganizationRow, (*db.Organization).Clone,
		pagedSQL(&a, sel, organizationRecord, p), a, p, dist, areaIDs)
}
