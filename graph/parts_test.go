package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/storetest"
)

// omitSpy is a store that keeps the parts each list of initiatives was
// asked to omit; with whole set, it reads whole records all the same.
type omitSpy struct {
	db.Store
	whole bool
	mu    sync.Mutex
	omits []db.Parts
}

func (s *omitSpy) seen(p *db.Page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.omits = append(s.omits, p.Omit)
	if s.whole {
		p.Omit = 0
	}
}

func (s *omitSpy) take() []db.Parts {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.omits
	s.omits = nil
	return o
}

func (s *omitSpy) Initiatives(ctx context.Context, f db.InitiativeFilter, p db.Page) (db.List[*db.Initiative], error) {
	s.seen(&p)
	return s.Store.Initiatives(ctx, f, p)
}

func (s *omitSpy) InitiativesByArea(ctx context.Context, ids []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	s.seen(&p)
	return s.Store.InitiativesByArea(ctx, ids, f, p)
}

func (s *omitSpy) InitiativesByOrganization(ctx context.Context, ids []int64, f db.InitiativeFilter, p db.Page) ([]db.List[*db.Initiative], error) {
	s.seen(&p)
	return s.Store.InitiativesByOrganization(ctx, ids, f, p)
}

// TestListsReadWhatTheySelect holds lists of initiatives that select
// some of their fields to the same lists read from whole records: the
// lists of the root, an area and an organisation, by nodes, by edges and
// through fragments, selecting each field alone; and it checks that the
// store was asked to omit every part the selection does not read.
func TestListsReadWhatTheySelect(t *testing.T) {
	fields := []struct {
		sel  string
		read db.Parts
	}{
		{"title", 0},
		{"__typename version updatedAt status goalArea", 0},
		{"lead { id }", 0},
		{"description", db.PartDescription},
		{"startDate endDate", db.PartDates},
		{"focusGroups", db.PartFocusGroups},
		{"themes", db.PartThemes},
		{"areas { id }", db.PartAreas},
		{"locations(precision: 7)", db.PartLocations},
		{"partners { role organization { id } }", db.PartPartners},
		{"reach { participants intoWork intoStudy }", db.PartReach},
		{"title areas { id } partners { role }", db.PartAreas | db.PartPartners},
	}
	// SEL is the selection on an initiative; lists is how many lists of
	// initiatives the query reads.
	shapes := []struct {
		name, query string
		lists       int
	}{
		{"root nodes", `{ initiatives(first: 100) { nodes { SEL } } }`, 1},
		{"root edges", `{ initiatives(first: 100) { edges { cursor node { SEL } } } }`, 1},
		{"root fragment", `{ initiatives(first: 100) { ...page } } fragment page on InitiativeConnection { nodes { ...one } } fragment one on Initiative { SEL }`, 1},
		{"root inline on Node", `{ initiatives(first: 100) { edges { node { ... on Node { ... on Initiative { SEL } } } } } }`, 1},
		{"nearest", `{ initiatives(first: 20, filter: {near: {lon: 12.94, lat: 57.72, radiusMeters: 3000}}) { edges { distanceMeters node { SEL } } } }`, 1},
		{"areas", `{ areas(first: 100) { nodes { id initiatives(first: 100) { totalCount nodes { SEL } } } } }`, 1},
		{"employers", `{ employers(first: 100) { nodes { id initiatives(first: 100) { nodes { SEL } } } } }`, 1},
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			spy := &omitSpy{Store: s}
			h := graph.NewHandler(spy, graph.HandlerConfig{Log: quiet, DisableTreeReads: true})
			whole := graph.NewHandler(&omitSpy{Store: s, whole: true}, graph.HandlerConfig{Log: quiet, DisableTreeReads: true})
			for _, sh := range shapes {
				for _, f := range fields {
					q := strings.ReplaceAll(sh.query, "SEL", "id "+f.sel)
					want := answerOf(t, whole, q)
					spy.take()
					if got := answerOf(t, h, q); !bytes.Equal(got, want) {
						t.Errorf("%s, %s:\n%s\nfrom whole records:\n%s", sh.name, f.sel, got, want)
					}
					if !bytes.Contains(want, []byte(`"id":"Initiative:`)) {
						t.Fatalf("%s: no initiative: %s", sh.name, want)
					}
					omits := spy.take()
					if len(omits) != sh.lists {
						t.Fatalf("%s, %s: %d lists read, want %d", sh.name, f.sel, len(omits), sh.lists)
					}
					for _, o := range omits {
						if o != db.AllParts&^f.read {
							t.Errorf("%s, %s: the store was asked to omit %08b, want %08b", sh.name, f.sel, o, db.AllParts&^f.read)
						}
					}
				}
			}
		})
	}
}

// answerOf runs query, which must succeed, and returns the answer.
func answerOf(t *testing.T, h http.Handler, query string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var r struct{ Errors []any }
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || len(r.Errors) > 0 || w.Code != http.StatusOK {
		t.Fatalf("%s: %d %v %s", query, w.Code, err, w.Body.Bytes())
	}
	return w.Body.Bytes()
}
