package dbtest

import (
	"context"
	"slices"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// The nested query's two paths, on the areas of ds that fill its page of
// 50 initiatives (as the load benchmark picks them): one tree read, and
// the store calls the field-by-field path makes for it.

// busyAreas are the areas of ds served by at least want initiatives, in
// id order.
func busyAreas(ds *db.Dataset, want int) []int64 {
	count := map[int64]int{}
	for _, in := range ds.Initiatives {
		for _, a := range in.AreaIDs {
			count[a]++
		}
	}
	var out []int64
	for id, n := range count {
		if n >= want {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// BenchTree reads the nested query's tree (NestedTree) of a busy area; it
// reports the bytes of JSON an answer holds.
func BenchTree(b *testing.B, s db.TreeReader, ds *db.Dataset) {
	areas := busyAreas(ds, 50)
	if len(areas) == 0 {
		b.Fatal("no area has 50 initiatives")
	}
	trees := make([]*db.Tree, len(areas))
	for i, id := range areas {
		trees[i] = NestedTree(id, 50)
	}
	var w countingWriter
	next := 0
	benchQueries(b, "areas", func() *db.Tree { next++; return trees[next%len(trees)] }, func(ctx context.Context, t *db.Tree) (int, error) {
		return 1, s.ReadTree(ctx, t, &w)
	})
	b.ReportMetric(float64(w.n)/float64(b.N), "B/answer")
}

// countingWriter counts what is written to it.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// BenchTreeCalls reads what the nested query's tree holds with the calls
// of the field-by-field path: the area, its page of initiatives, then the
// leads and partners in one batch, as the loaders gather them. Encoding
// the answer is not timed, as BenchTree's is.
func BenchTreeCalls(b *testing.B, s db.Store, ds *db.Dataset) {
	areas := busyAreas(ds, 50)
	if len(areas) == 0 {
		b.Fatal("no area has 50 initiatives")
	}
	next := 0
	benchQueries(b, "areas", func() int64 { next++; return areas[next%len(areas)] }, func(ctx context.Context, id int64) (int, error) {
		if _, err := s.AreasByID(ctx, []int64{id}); err != nil {
			return 0, err
		}
		lists, err := s.InitiativesByArea(ctx, []int64{id}, db.InitiativeFilter{}, db.Page{Limit: 50})
		if err != nil {
			return 0, err
		}
		var orgs []int64
		for _, in := range lists[0].Items {
			if in.LeadID != 0 {
				orgs = append(orgs, in.LeadID)
			}
			for _, p := range in.Partners {
				orgs = append(orgs, p.OrganizationID)
			}
		}
		_, err = s.OrganizationsByID(ctx, orgs)
		return 1, err
	})
}
