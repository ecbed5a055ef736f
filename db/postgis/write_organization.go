package postgis

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/areagraph/areagraph/db"
)

// organizationValues are the columns of an organisation a write sets, $1
// to $8.
func organizationValues(o *db.Organization) []any {
	var loc []byte
	if o.Location != nil {
		loc, _ = encode(*o.Location) // a point always encodes
	}
	return []any{string(o.Kind), o.Name, o.OrgNumber, loc, o.Website, o.Industry, string(o.Size), o.Activity}
}

// orEmptyIDs gives a list of ids as pgx must send it to <> ALL: an empty
// array, not NULL, when there are none.
func orEmptyIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// Statements that make an organisation's areas the ones in $2, touching
// only the links that change.
const (
	dropOrganizationAreas = `DELETE FROM organization_areas WHERE organization_id = $1 AND area_id <> ALL($2::bigint[])`
	addOrganizationAreas  = `INSERT INTO organization_areas (organization_id, area_id)
		SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`
)

// organizationInput copies what a caller gives, normalised, so that the
// caller's record is left as it was, and checks it on its own.
func organizationInput(o *db.Organization) (*db.Organization, error) {
	if o == nil {
		return nil, db.CheckOrganization(nil)
	}
	in := o.Clone()
	db.NormalizeOrganization(in)
	if err := db.CheckOrganization(in); err != nil {
		return nil, err
	}
	return in, nil
}

// CreateOrganization adds an organisation with a new id and version 1.
func (s *Store) CreateOrganization(ctx context.Context, by db.Actor, o *db.Organization) (*db.Organization, error) {
	if err := db.CheckUnscoped(by, "new organisations"); err != nil {
		return nil, err
	}
	in, err := organizationInput(o)
	if err != nil {
		return nil, err
	}
	in.ID, in.Version = 0, 0
	var out *db.Organization
	err = s.write(ctx, "create organization", func(tx pgx.Tx) error {
		areas, err := existing(ctx, tx, "areas", in.AreaIDs)
		if err != nil {
			return err
		}
		if err := missingReference("area", in.AreaIDs, areas); err != nil {
			return err
		}
		if err := newID(ctx, tx); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO organizations (kind, name, org_number, location, website, industry, size,
				activity)
			VALUES ($1, $2, $3, ST_GeomFromWKB($4, 4326), $5, $6, $7, $8) RETURNING id`,
			organizationValues(in)...).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, addOrganizationAreas, id, orEmptyIDs(in.AreaIDs)); err != nil {
			return err
		}
		after, err := readRecords(ctx, tx, organizationRecord, newOrganizationRow, []int64{id})
		if err != nil {
			return err
		}
		out = after[0]
		return audit(ctx, tx, by, created(out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateOrganization applies p to the organisation of the kind with id if
// its version is version.
func (s *Store) UpdateOrganization(ctx context.Context, by db.Actor, kind db.OrgKind, id, version int64, p db.OrganizationPatch) (*db.Organization, error) {
	if err := db.CheckOrganizationScope(by, kind, id); err != nil {
		return nil, err
	}
	if err := p.Check(kind, id); err != nil {
		return nil, err
	}
	var out *db.Organization
	err := s.write(ctx, "update organization", func(tx pgx.Tx) error {
		locked, err := lockTarget(ctx, tx, organizationRecord, newOrganizationRow, id)
		if err != nil {
			return err
		}
		before := db.OrganizationTarget(locked, kind)
		if err := db.CheckTarget(kind.NodeType(), db.IDKey(id), before, version); err != nil {
			return err
		}
		in := before.Clone()
		if err := p.Apply(in); err != nil {
			return err
		}
		areas, err := existing(ctx, tx, "areas", in.AreaIDs)
		if err != nil {
			return err
		}
		if err := missingReference("area", in.AreaIDs, areas); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE organizations SET kind = $1, name = $2, org_number = $3, location = ST_GeomFromWKB($4, 4326),
				website = $5, industry = $6, size = $7, activity = $8, version = version + 1
			WHERE id = $9`, append(organizationValues(in), in.ID)...)
		b.Queue(dropOrganizationAreas, in.ID, orEmptyIDs(in.AreaIDs))
		b.Queue(addOrganizationAreas, in.ID, orEmptyIDs(in.AreaIDs))
		var after []*db.Organization
		queueRead(b, organizationRecord, newOrganizationRow, []int64{in.ID}, &after)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		out = after[0]
		return audit(ctx, tx, by, updated(before, out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteOrganization deletes the organisation with id if its version is
// version. The initiatives it leads or takes part in point at it; with
// detach it stops being their lead or partner.
func (s *Store) DeleteOrganization(ctx context.Context, by db.Actor, kind db.OrgKind, id, version int64, detach bool) error {
	if err := db.CheckUnscoped(by, "deletions of organisations"); err != nil {
		return err
	}
	return s.write(ctx, "delete organization", func(tx pgx.Tx) error {
		locked, err := lockTarget(ctx, tx, organizationRecord, newOrganizationRow, id)
		if err != nil {
			return err
		}
		target := db.OrganizationTarget(locked, kind)
		if err := db.CheckTarget(kind.NodeType(), db.IDKey(id), target, version); err != nil {
			return err
		}
		// As for areas: with the organisation locked, nothing new can
		// come to point at it.
		inits, err := lockIDs(ctx, tx, "initiatives",
			"lead_id = $1 OR id IN (SELECT initiative_id FROM initiative_partners WHERE organization_id = $1)", id)
		if err != nil {
			return err
		}
		deps := db.Dependents{Initiatives: len(inits)}
		if deps.Any() && !detach {
			return db.DependentsError(target.NodeType(), db.IDKey(id), deps)
		}
		var before, after []*db.Initiative
		b := &pgx.Batch{}
		queueRead(b, initiativeRecord, newInitiativeRow, inits, &before)
		if len(inits) > 0 {
			b.Queue(`UPDATE initiatives SET lead_id = CASE WHEN lead_id = $1 THEN NULL ELSE lead_id END,
					version = version + 1
				WHERE id = ANY($2::bigint[])`, id, inits)
			b.Queue(`DELETE FROM initiative_partners WHERE organization_id = $1`, id)
		}
		b.Queue(`DELETE FROM organization_areas WHERE organization_id = $1`, id)
		b.Queue(`DELETE FROM organizations WHERE id = $1`, id)
		queueRead(b, initiativeRecord, newInitiativeRow, inits, &after)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return audit(ctx, tx, by, appendUpdates([]change{deleted(target)}, before, after)...)
	})
}
