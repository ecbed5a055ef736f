package postgis

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/areagraph/areagraph/db"
)

// areaValues are the columns of an area a write sets, $1 to $9, in the
// order the INSERT of CreateArea and the UPDATE of UpdateArea list them:
// code, name, kind, area_type, parent_id, geom, valid_from, valid_to,
// description.
func areaValues(a *db.Area) ([]any, error) {
	wkb, err := encode(a.Geometry)
	if err != nil {
		return nil, err
	}
	var areaType *int16
	if a.AreaType != 0 {
		t := int16(a.AreaType) // CheckArea bounds it to 1–5
		areaType = &t
	}
	return []any{a.Code, a.Name, string(a.Kind), areaType, nullID(a.ParentID), wkb, dateOf(a.ValidFrom),
		dateOf(a.ValidTo), a.Description}, nil
}

// The parent's foreign key is deferred for loads, which may list a child
// before its parent. A single area's write checks it at once instead, so
// that a missing parent is found by the statement that names it and no
// lock is waited for in the commit, after the audit log's lock is taken.
const immediateParentCheck = `SET CONSTRAINTS areas_parent_id_fkey IMMEDIATE`

// CreateArea adds an area with a new id and version 1.
func (s *Store) CreateArea(ctx context.Context, by db.Actor, a *db.Area) (*db.Area, error) {
	if err := db.CheckUnscoped(by, "areas"); err != nil {
		return nil, err
	}
	if a == nil {
		return nil, db.CheckArea(nil)
	}
	in := *a
	in.ID, in.Version = 0, 0
	if err := db.CheckArea(&in); err != nil {
		return nil, err
	}
	vals, err := areaValues(&in)
	if err != nil {
		return nil, err
	}
	var out *db.Area
	err = s.write(ctx, "create area", func(tx pgx.Tx) error {
		var holder *int64
		var parentExists bool
		b := &pgx.Batch{}
		b.Queue(immediateParentCheck)
		b.Queue(`SELECT (SELECT id FROM areas WHERE code = $1), EXISTS (SELECT 1 FROM areas WHERE id = $2)`,
			in.Code, in.ParentID).QueryRow(func(row pgx.Row) error { return row.Scan(&holder, &parentExists) })
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		// A new area has no id to find among its parent's ancestors.
		exists := func(int64) (int64, bool) { return 0, parentExists }
		if err := areaReferences(&in, holder, exists); err != nil {
			return err
		}
		if err := newID(ctx, tx); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO areas (code, name, kind, area_type, parent_id, geom, valid_from,
				valid_to, description)
			VALUES ($1, $2, $3, $4, $5, ST_GeomFromWKB($6, 4326), $7, $8, $9) RETURNING id`, vals...).Scan(&id); err != nil {
			return err
		}
		after, err := readRecords(ctx, tx, areaRecord, newAreaRow, []int64{id})
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

// areaReferences makes steps 4 and 5 for an area: its code, which holder
// (another area) may have, then its parent, by db.CheckParent's rule;
// parentOf reads the hierarchy as a query fetched it.
func areaReferences(a *db.Area, holder *int64, parentOf func(int64) (int64, bool)) error {
	if holder != nil {
		return db.Errorf(db.ECONFLICT, "area %d already has the code %q", *holder, a.Code)
	}
	return db.CheckParent(a.ID, a.ParentID, parentOf)
}

// UpdateArea applies p to the area with id if its version is version.
func (s *Store) UpdateArea(ctx context.Context, by db.Actor, id, version int64, p db.AreaPatch) (*db.Area, error) {
	if err := db.CheckUnscoped(by, "areas"); err != nil {
		return nil, err
	}
	if err := p.Check(id); err != nil {
		return nil, err
	}
	var out *db.Area
	err := s.write(ctx, "update area", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, immediateParentCheck+"; "+lockHierarchy); err != nil { // see lockHierarchy
			return err
		}
		before, err := lockTarget(ctx, tx, areaRecord, newAreaRow, id)
		if err != nil {
			return err
		}
		if err := db.CheckTarget(db.TypeArea, db.IDKey(id), before, version); err != nil {
			return err
		}
		a := new(db.Area)
		*a = *before
		if err := p.Apply(a); err != nil {
			return err
		}
		vals, err := areaValues(a)
		if err != nil {
			return err
		}
		// The new parent and its ancestors, each with its own parent, for
		// db.CheckParent to walk. UNION, not UNION ALL, ends the walk on a
		// cycle that is already stored.
		var holder *int64
		var ids, parents []int64
		err = tx.QueryRow(ctx, `WITH RECURSIVE up(id, parent) AS (
					SELECT id, coalesce(parent_id, 0) FROM areas WHERE id = $3
				UNION
					SELECT a.id, coalesce(a.parent_id, 0) FROM areas a JOIN up ON a.id = up.parent)
			SELECT (SELECT id FROM areas WHERE code = $1 AND id <> $2), array_agg(up.id), array_agg(up.parent) FROM up`,
			a.Code, a.ID, a.ParentID).Scan(&holder, &ids, &parents)
		if err != nil {
			return err
		}
		stored := make(map[int64]int64, len(ids))
		for i, k := range ids {
			stored[k] = parents[i]
		}
		parentOf := func(id int64) (int64, bool) {
			p, ok := stored[id]
			return p, ok
		}
		if err := areaReferences(a, holder, parentOf); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE areas SET code = $1, name = $2, kind = $3, area_type = $4, parent_id = $5,
				geom = ST_GeomFromWKB($6, 4326), valid_from = $7, valid_to = $8, description = $9, version = version + 1
			WHERE id = $10`, append(vals, a.ID)...); err != nil {
			return err
		}
		after, err := readRecords(ctx, tx, areaRecord, newAreaRow, []int64{a.ID})
		if err != nil {
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

// DeleteArea deletes the area with id if its version is version; see
// db.Writer for what detach does to the records that point at it.
func (s *Store) DeleteArea(ctx context.Context, by db.Actor, id, version int64, detach bool) error {
	if err := db.CheckUnscoped(by, "areas"); err != nil {
		return err
	}
	err := s.write(ctx, "delete area", func(tx pgx.Tx) error {
		// A delete changes the hierarchy too (children become roots), so
		// it takes the hierarchy lock first, in the same order as imports
		// and updates, which then cannot deadlock with it.
		if _, err := tx.Exec(ctx, lockHierarchy); err != nil {
			return err
		}
		target, err := lockTarget(ctx, tx, areaRecord, newAreaRow, id)
		if err != nil {
			return err
		}
		if err := db.CheckTarget(db.TypeArea, db.IDKey(id), target, version); err != nil {
			return err
		}
		// Nothing can come to point at the area while it is locked:
		// pointing at it takes a key share lock on its row. So the
		// records locked here are all that point at it, and the counts
		// after the locks are final.
		children, err := lockIDs(ctx, tx, "areas", "parent_id = $1", id)
		if err != nil {
			return err
		}
		orgs, err := lockIDs(ctx, tx, "organizations",
			"id IN (SELECT organization_id FROM organization_areas WHERE area_id = $1)", id)
		if err != nil {
			return err
		}
		inits, err := lockIDs(ctx, tx, "initiatives",
			"id IN (SELECT initiative_id FROM initiative_areas WHERE area_id = $1)", id)
		if err != nil {
			return err
		}
		var values int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM indicator_values WHERE area_id = $1`, id).Scan(&values); err != nil {
			return err
		}
		deps := db.Dependents{ChildAreas: len(children), Organizations: len(orgs), Initiatives: len(inits), Values: values}
		if deps.Any() && !detach {
			return db.DependentsError(db.TypeArea, db.IDKey(id), deps)
		}

		var beforeChildren []*db.Area
		var beforeOrgs []*db.Organization
		var beforeInits []*db.Initiative
		var oldValues []db.IndicatorValue
		b := &pgx.Batch{}
		queueRead(b, areaRecord, newAreaRow, children, &beforeChildren)
		queueRead(b, organizationRecord, newOrganizationRow, orgs, &beforeOrgs)
		queueRead(b, initiativeRecord, newInitiativeRow, inits, &beforeInits)
		b.Queue(`DELETE FROM indicator_values WHERE area_id = $1 RETURNING area_id, indicator_code, year, sex, value, count`, id).
			Query(func(rows pgx.Rows) error {
				var err error
				oldValues, err = scanRecords(rows, newValueRow)
				return err
			})
		b.Queue(`UPDATE areas SET parent_id = NULL, version = version + 1 WHERE id = ANY($1::bigint[])`, children)
		b.Queue(`DELETE FROM organization_areas WHERE area_id = $1`, id)
		b.Queue(`UPDATE organizations SET version = version + 1 WHERE id = ANY($1::bigint[])`, orgs)
		b.Queue(`DELETE FROM initiative_areas WHERE area_id = $1`, id)
		b.Queue(`UPDATE initiatives SET version = version + 1 WHERE id = ANY($1::bigint[])`, inits)
		b.Queue(`DELETE FROM areas WHERE id = $1`, id)
		var afterChildren []*db.Area
		var afterOrgs []*db.Organization
		var afterInits []*db.Initiative
		queueRead(b, areaRecord, newAreaRow, children, &afterChildren)
		queueRead(b, organizationRecord, newOrganizationRow, orgs, &afterOrgs)
		queueRead(b, initiativeRecord, newInitiativeRow, inits, &afterInits)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		changes := []change{deleted(target)}
		changes = appendUpdates(changes, beforeChildren, afterChildren)
		changes = appendUpdates(changes, beforeOrgs, afterOrgs)
		changes = appendUpdates(changes, beforeInits, afterInits)
		for _, v := range sortValues(oldValues) {
			changes = append(changes, deleted(v))
		}
		return audit(ctx, tx, by, changes...)
	})
	if err != nil {
		return err
	}
	return nil
}

// queueRead queues the read of the records of rec with ids, in id order,
// into *into.
func queueRead[T any](b *pgx.Batch, rec record, newRow func() scanner[T], ids []int64, into *[]T) {
	if len(ids) == 0 {
		return
	}
	b.Queue(readSQL(rec), ids).Query(func(rows pgx.Rows) error {
		var err error
		*into, err = scanRecords(rows, newRow)
		return err
	})
}

// appendUpdates appends an update entry for each record, before and after
// being the same records in the same (id) order.
func appendUpdates[T db.Audited](changes []change, before, after []T) []change {
	for i := range min(len(before), len(after)) {
		changes = append(changes, updated(before[i], after[i]))
	}
	return changes
}
