package postgis

import (
	"context"
	"time"

	"github.com/areagraph/areagraph/db"
)

// overlapSQL measures every target against the statistical areas whose
// boxes meet its own: the && test runs on the GiST index of areas.geom,
// and only the candidates it finds are transformed to SWEREF 99 TM and
// cut. The lateral LIMIT keeps a target drawn across the whole country
// from cutting every DeSO before it is refused (one row past the cap
// tells). A target without candidates still comes back, with its surface,
// on a row whose source columns are null.
const overlapSQL = `
WITH t AS (
	SELECT a.id, a.kind, a.geom, ST_Transform(a.geom, 3006) AS g FROM areas a WHERE a.id = ANY($1::bigint[])
)
SELECT t.id, ST_Area(t.g), s.id, s.code, s.valid_from, s.valid_to, ST_Area(s.g), ST_Area(ST_Intersection(t.g, s.g))
FROM t
LEFT JOIN LATERAL (
	SELECT c.id, c.code, c.valid_from, c.valid_to, ST_Transform(c.geom, 3006) AS g
	FROM areas c
	WHERE t.kind <> 'STATISTICAL_AREA' AND c.kind = 'STATISTICAL_AREA' AND c.geom && t.geom
	ORDER BY c.id
	LIMIT $2
) s ON true
ORDER BY t.id, s.id`

// AreaOverlaps measures in one statement, for all targets at once, with
// PostGIS's ST_Transform and ST_Intersection (see overlap.go in db).
func (s *Store) AreaOverlaps(ctx context.Context, targetIDs []int64) ([]*db.Overlaps, error) {
	if err := db.CheckOverlapTargets(targetIDs); err != nil {
		return nil, err
	}
	out := make([]*db.Overlaps, len(targetIDs))
	if len(targetIDs) == 0 {
		return out, nil
	}
	rows, err := s.reads.Query(ctx, overlapSQL, distinct(targetIDs), db.MaxOverlapSources+1)
	if err != nil {
		return nil, translateIn(ctx, err, "area overlaps")
	}
	defer rows.Close()
	found := map[int64]*db.Overlaps{}
	candidates := map[int64]int{}
	for rows.Next() {
		var (
			tid           int64
			tarea         float64
			sid           *int64
			code          *string
			from, to      *time.Time
			sarea, shared *float64
		)
		if err := rows.Scan(&tid, &tarea, &sid, &code, &from, &to, &sarea, &shared); err != nil {
			return nil, translateIn(ctx, err, "area overlaps")
		}
		o := found[tid]
		if o == nil {
			o = &db.Overlaps{TargetID: tid, TargetArea: tarea}
			found[tid] = o
		}
		if sid == nil {
			continue
		}
		candidates[tid]++
		if candidates[tid] > db.MaxOverlapSources {
			return nil, db.TooManySources(tid)
		}
		if *shared < db.MinSharedArea {
			continue
		}
		o.Sources = append(o.Sources, db.Overlap{SourceID: *sid, SourceCode: *code, ValidFrom: from, ValidTo: to,
			SourceArea: *sarea, Shared: *shared})
	}
	if err := rows.Err(); err != nil {
		return nil, translateIn(ctx, err, "area overlaps")
	}
	used := map[int64]bool{}
	for i, id := range targetIDs {
		o := found[id]
		if used[id] {
			o = o.Clone()
		}
		used[id] = true
		out[i] = o
	}
	return out, nil
}
