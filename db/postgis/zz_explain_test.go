package postgis

import (
	"fmt"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/synth"
	"github.com/jackc/pgx/v5"
)

func TestZZExplain(t *testing.T) {
	s, rec := newRecordedStore(t)
	ctx := t.Context()
	ds := synth.Generate(synth.Config{Seed: 1})
	if err := s.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	for _, tb := range []string{"areas", "initiatives", "initiative_areas", "initiative_partners", "organizations", "organization_areas"} {
		s.pool.Exec(ctx, "ANALYZE "+tb)
	}
	sample := synth.NewSampler(ds, 1)
	rec.take()
	s.Initiatives(ctx, db.InitiativeFilter{Spatial: db.Spatial{Near: &db.Near{Point: sample.NearLocation(1000), RadiusMeters: 1000}}}, db.Page{Limit: 20})
	s.InitiativesByArea(ctx, sample.AreaIDs(10), db.InitiativeFilter{}, db.Page{Limit: 50})
	s.AreasAt(ctx, sample.Point(), nil)
	for _, q := range rec.take() {
		rows, err := s.pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q.SQL, q.Args...)
		if err != nil {
			t.Fatal(err)
		}
		lines, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		fmt.Println("=====", q.SQL[:min(200, len(q.SQL))])
		fmt.Println(strings.Join(lines, "\n"))
	}
}
