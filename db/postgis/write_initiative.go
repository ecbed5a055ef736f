package postgis

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/areagraph/areagraph/db"
)

// initiativeValues are the columns of an initiative a write sets, $1 to
// $13.
func initiativeValues(in *db.Initiative) []any {
	var locs []byte
	if len(in.Locations) > 0 {
		locs, _ = encode(orb.MultiPoint(in.Locations)) // points always encode
	}
	// Empty arrays, not NULL: the columns are NOT NULL.
	return []any{in.Title, in.Description, string(in.Status), dateOf(in.StartDate), dateOf(in.EndDate),
		string(in.GoalArea), strs(in.FocusGroups), strs(in.Themes), locs, nullID(in.LeadID),
		int32p(in.Reach.Participants), int32p(in.Reach.IntoWork), int32p(in.Reach.IntoStudy)}
}

// Statements that make an initiative's areas and partners those in $2
// (and their roles in $3), touching only the links that change.
const (
	dropInitiativeAreas = `DELETE FROM initiative_areas WHERE initiative_id = $1 AND area_id <> ALL($2::bigint[])`
	addInitiativeAreas  = `INSERT INTO initiative_areas (initiative_id, area_id)
		SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`
	dropInitiativePartners = `DELETE FROM initiative_partners
		WHERE initiative_id = $1 AND organization_id <> ALL($2::bigint[])`
	putInitiativePartners = `INSERT INTO initiative_partners AS p (initiative_id, organization_id, role)
		SELECT $1, * FROM unnest($2::bigint[], $3::text[])
		ON CONFLICT (initiative_id, organization_id) DO UPDATE SET role = excluded.role WHERE p.role <> excluded.role`
)

// initiativeInput copies what a caller gives, normalised, and checks it on
// its own.
func initiativeInput(in *db.Initiative) (*db.Initiative, error) {
	if in == nil {
		return nil, db.CheckInitiative(nil)
	}
	c := in.Clone()
	db.NormalizeInitiative(c)
	if err := db.CheckInitiative(c); err != nil {
		return nil, err
	}
	return c, nil
}

// initiativeReferences is step 5 for an initiative: its areas, its lead,
// its partners, each in ascending order; the first that does not exist is
// the error.
func initiativeReferences(ctx context.Context, tx pgx.Tx, in *db.Initiative) error {
	orgIDs := make([]int64, 0, len(in.Partners)+1)
	if in.LeadID != 0 {
		orgIDs = append(orgIDs, in.LeadID)
	}
	for _, p := range in.Partners {
		orgIDs = append(orgIDs, p.OrganizationID)
	}
	areas, orgs := map[int64]bool{}, map[int64]bool{}
	b := &pgx.Batch{}
	queueExisting(b, "areas", in.AreaIDs, areas)
	queueExisting(b, "organizations", orgIDs, orgs)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if err := missingReference("area", in.AreaIDs, areas); err != nil {
		return err
	}
	if in.LeadID != 0 && !orgs[in.LeadID] {
		return db.UnknownReferenceError("lead organization", in.LeadID)
	}
	for _, p := range in.Partners {
		if !orgs[p.OrganizationID] {
			return db.UnknownReferenceError("partner organization", p.OrganizationID)
		}
	}
	return nil
}

// queueExisting queues the lookup of which of ids table holds into found.
func queueExisting(b *pgx.Batch, table string, ids []int64, found map[int64]bool) {
	if len(ids) == 0 {
		return
	}
	queueIDs(b, "SELECT id FROM "+table+" WHERE id = ANY($1::bigint[])", ids, found)
}

// queueLinks queues the statements that make the initiative's areas and
// partners those of in.
func queueLinks(b *pgx.Batch, id int64, in *db.Initiative) {
	partnerIDs := make([]int64, len(in.Partners))
	roles := make([]string, len(in.Partners))
	for i, p := range in.Partners {
		partnerIDs[i], roles[i] = p.OrganizationID, string(p.Role)
	}
	b.Queue(dropInitiativeAreas, id, orEmptyIDs(in.AreaIDs))
	b.Queue(addInitiativeAreas, id, orEmptyIDs(in.AreaIDs))
	b.Queue(dropInitiativePartners, id, partnerIDs)
	b.Queue(putInitiativePartners, id, partnerIDs, roles)
}

// CreateInitiative adds an initiative with a new id and version 1.
func (s *Store) CreateInitiative(ctx context.Context, by db.Actor, in *db.Initiative) (*db.Initiative, error) {
	if err := db.CheckInitiativeCreate(by, in); err != nil {
		return nil, err
	}
	c, err := initiativeInput(in)
	if err != nil {
		return nil, err
	}
	c.ID, c.Version = 0, 0
	var out *db.Initiative
	err = s.write(ctx, "create initiative", func(tx pgx.Tx) error {
		if err := initiativeReferences(ctx, tx, c); err != nil {
			return err
		}
		if err := newID(ctx, tx); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO initiatives (title, description, status, start_date, end_date, goal_area,
				focus_groups, themes, locations, lead_id, reach_participants, reach_into_work, reach_into_study)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ST_GeomFromWKB($9, 4326), $10, $11, $12, $13) RETURNING id`,
			initiativeValues(c)...).Scan(&id); err != nil {
			return err
		}
		var after []*db.Initiative
		b := &pgx.Batch{}
		queueLinks(b, id, c)
		queueRead(b, initiativeRecord, newInitiativeRow, []int64{id}, &after)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
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

// UpdateInitiative applies p to the initiative with id if its version is
// version.
func (s *Store) UpdateInitiative(ctx context.Context, by db.Actor, id, version int64, p db.InitiativePatch) (*db.Initiative, error) {
	if err := p.Check(id); err != nil {
		return nil, err
	}
	var out *db.Initiative
	err := s.write(ctx, "update initiative", func(tx pgx.Tx) error {
		before, err := lockTarget(ctx, tx, initiativeRecord, newInitiativeRow, id)
		if err != nil {
			return err
		}
		if err := db.CheckInitiativeTarget(by, id, before, &p); err != nil {
			return err
		}
		if err := db.CheckTarget(db.TypeInitiative, db.IDKey(id), before, version); err != nil {
			return err
		}
		c := before.Clone()
		if err := p.Apply(c); err != nil {
			return err
		}
		if err := db.CheckInitiativeChange(by, before, c); err != nil {
			return err
		}
		if err := initiativeReferences(ctx, tx, c); err != nil {
			return err
		}
		var after []*db.Initiative
		b := &pgx.Batch{}
		b.Queue(`UPDATE initiatives SET title = $1, description = $2, status = $3, start_date = $4, end_date = $5,
				goal_area = $6, focus_groups = $7, themes = $8, locations = ST_GeomFromWKB($9, 4326), lead_id = $10,
				reach_participants = $11, reach_into_work = $12, reach_into_study = $13, version = version + 1
			WHERE id = $14`, append(initiativeValues(c), c.ID)...)
		queueLinks(b, c.ID, c)
		queueRead(b, initiativeRecord, newInitiativeRow, []int64{c.ID}, &after)
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

// DeleteInitiative deletes the initiative with id if its version is
// version. Nothing points at initiatives.
func (s *Store) DeleteInitiative(ctx context.Context, by db.Actor, id, version int64) error {
	return s.write(ctx, "delete initiative", func(tx pgx.Tx) error {
		target, err := lockTarget(ctx, tx, initiativeRecord, newInitiativeRow, id)
		if err != nil {
			return err
		}
		if err := db.CheckInitiativeTarget(by, id, target, nil); err != nil {
			return err
		}
		if err := db.CheckTarget(db.TypeInitiative, db.IDKey(id), target, version); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM initiative_areas WHERE initiative_id = $1`, id)
		b.Queue(`DELETE FROM initiative_partners WHERE initiative_id = $1`, id)
		b.Queue(`DELETE FROM initiatives WHERE id = $1`, id)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return audit(ctx, tx, by, deleted(target))
	})
}
