package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbhook"
	"github.com/areagraph/areagraph/db/demo"
	"github.com/areagraph/areagraph/db/memory"
	"github.com/areagraph/areagraph/server"
)

// --tree-reads=false (Config.DisableTreeReads) reaches the GraphQL
// handler: the nested query is then answered field by field, with the
// same answer, and the store is never asked for a tree.
func TestTreeReadsCanBeSwitchedOff(t *testing.T) {
	store := memory.New()
	if err := store.Load(context.Background(), demo.Dataset()); err != nil {
		t.Fatal(err)
	}
	l, err := store.Initiatives(t.Context(), db.InitiativeFilter{}, db.Page{Limit: 1})
	if err != nil || len(l.Items) == 0 || len(l.Items[0].AreaIDs) == 0 {
		t.Fatalf("no initiative with an area: %v", err)
	}
	query := fmt.Sprintf(`{"query": "{ area(id: \"%s\") { id name initiatives(first: 50) { totalCount nodes `+
		`{ id title status lead { id name } partners { role organization { id name } } } } } }"}`,
		db.GlobalID(db.TypeArea, l.Items[0].AreaIDs[0]))
	answer := func(disable bool) (string, int32) {
		var trees atomic.Int32
		hooked := dbhook.Wrap(store, func(_ context.Context, method string) func(error) {
			if method == "ReadTree" {
				trees.Add(1)
			}
			return nil
		})
		h := server.New(hooked, server.Config{Log: slog.New(slog.DiscardHandler), DisableTreeReads: disable})
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(query))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		body, _ := io.ReadAll(w.Body)
		if w.Code != http.StatusOK || strings.Contains(string(body), `"errors"`) {
			t.Fatalf("status %d: %s", w.Code, body)
		}
		return string(body), trees.Load()
	}
	on, onTrees := answer(false)
	off, offTrees := answer(true)
	if onTrees != 1 || offTrees != 0 {
		t.Errorf("tree reads: %d with them on, %d switched off; want 1 and 0", onTrees, offTrees)
	}
	if on != off {
		t.Errorf("the answers differ:\n%s\n%s", on, off)
	}
}
