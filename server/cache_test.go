package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/auth"
	"github.com/areagraph/areagraph/auth/authtest"
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/internal/httpcache"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/obs"
	"github.com/areagraph/areagraph/server"
)

// The tags and the response cache, through the real handler on every
// backend: a write moves the tags of the answers that read what it
// changed and no others, a client holding a tag gets 304 without a store
// call, anonymous answers are kept within their bound and authenticated
// ones never shared.

// cached is a server with its change feed followed.
type cached struct {
	t       *testing.T
	url     string
	store   db.Store
	tracker *httpcache.Tracker
	metrics *obs.Metrics
}

func newCached(t *testing.T, s db.Store, cfg server.Config) *cached {
	t.Helper()
	if _, _, err := s.Heads(t.Context()); db.ErrorCode(err) == db.EUNAVAILABLE {
		t.Skipf("this store keeps no change feed: %v", err)
	}
	tr := httpcache.Follow(t.Context(), s, nil)
	cfg.Versions = tr
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = obs.NewMetrics()
	}
	srv := httptest.NewServer(server.New(s, cfg))
	t.Cleanup(srv.Close)
	c := &cached{t: t, url: srv.URL, store: s, tracker: tr, metrics: cfg.Metrics}
	c.caughtUp()
	return c
}

// caughtUp waits until the server holds the store's heads.
func (c *cached) caughtUp() {
	c.t.Helper()
	_, last, err := c.store.Heads(c.t.Context())
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(c.t.Context(), 10*time.Second)
	defer cancel()
	if err := c.tracker.Wait(ctx, last); err != nil {
		c.t.Fatalf("the server did not see the change feed reach %d: %v", last, err)
	}
}

type got struct {
	status int
	header http.Header
	body   string
}

func (c *cached) get(path string, header ...string) got {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.url+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return got{res.StatusCode, res.Header, string(body)}
}

func gqlPath(query string) string { return "/graphql?query=" + url.QueryEscape(query) }

// storeCalls is how many store calls the server has made.
func (c *cached) storeCalls() int {
	c.t.Helper()
	families, err := c.metrics.Registry().Gather()
	if err != nil {
		c.t.Fatal(err)
	}
	total := 0
	for _, f := range families {
		if f.GetName() != "areagraph_store_call_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			total += int(m.GetHistogram().GetSampleCount())
		}
	}
	return total
}

func (c *cached) counter(name string, labels ...string) float64 {
	c.t.Helper()
	families, err := c.metrics.Registry().Gather()
	if err != nil {
		c.t.Fatal(err)
	}
	total := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metric:
		for _, m := range f.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				for _, l := range m.GetLabel() {
					if l.GetName() == labels[i] && l.GetValue() != labels[i+1] {
						continue metric
					}
				}
			}
			if m.GetCounter() != nil {
				total += m.GetCounter().GetValue()
			}
			if m.GetGauge() != nil {
				total += m.GetGauge().GetValue()
			}
		}
	}
	return total
}

const (
	initiativesQuery = `{ initiatives(first: 5) { nodes { id title } } }`
	indicatorsQuery  = `{ indicators { code name unit } }`
)

func TestRevalidationAnswers304WithoutAStoreCall(t *testing.T) {
	eachCachedBackend(t, func(t *testing.T, c *cached) {
		for _, path := range []string{gqlPath(initiativesQuery), "/layers/districts.geojson", "/tiles/initiatives/10/549/297.mvt", "/collections/districts/items?limit=2"} {
			first := c.get(path)
			etag := first.header.Get("ETag")
			if first.status != http.StatusOK && first.status != http.StatusNoContent || !strings.HasPrefix(etag, `W/"`) {
				t.Fatalf("GET %s: %d, ETag %q; want 200 or 204 with a weak tag\n%s", path, first.status, etag, first.body)
			}
			if cc := first.header.Get("Cache-Control"); cc != "public, max-age=0, must-revalidate" {
				t.Errorf("GET %s: Cache-Control %q", path, cc)
			}
			if vary := first.header.Values("Vary"); len(vary) != 1 || !strings.Contains(vary[0], "Authorization") {
				t.Errorf("GET %s: Vary %q, want one line naming Authorization", path, vary)
			}
			calls := c.storeCalls()
			again := c.get(path, "If-None-Match", etag)
			if again.status != http.StatusNotModified || again.body != "" {
				t.Fatalf("GET %s with its tag: %d %q, want 304 without a body", path, again.status, again.body)
			}
			if again.header.Get("ETag") != etag || again.header.Get("Cache-Control") == "" {
				t.Errorf("GET %s: the 304 says ETag %q, Cache-Control %q", path, again.header.Get("ETag"), again.header.Get("Cache-Control"))
			}
			if n := c.storeCalls() - calls; n != 0 {
				t.Errorf("GET %s with its tag made %d store calls, want none", path, n)
			}
			if other := c.get(path, "If-None-Match", `W/"something-else"`); other.status != first.status || other.body != first.body {
				t.Errorf("GET %s with another tag: %d, same body %v", path, other.status, other.body == first.body)
			}
		}
		if n := c.counter("areagraph_not_modified_total"); n != 4 {
			t.Errorf("areagraph_not_modified_total = %v, want 4", n)
		}
		// POST and mutations are never kept by HTTP caches.
		res := postAs(t, c.url, grJSON, `{"query": "{ indicators { code } }"}`)
		if cc := res.header.Get("Cache-Control"); cc != "no-store" || res.header.Get("ETag") != "" {
			t.Errorf("POST: Cache-Control %q, ETag %q; want no-store and no tag", cc, res.header.Get("ETag"))
		}
	})
}

// eachCachedBackend runs fn against a server with its feed followed, over
// every backend.
func eachCachedBackend(t *testing.T, fn func(t *testing.T, c *cached)) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, newCached(t, b.Open(t), server.Config{}))
		})
	}
}

// initiativeWrite changes the title of an initiative through the store,
// as any writer would, and returns once the server has seen it.
func (c *cached) renameInitiative(s db.Store, title string) {
	c.t.Helper()
	ctx := c.t.Context()
	l, err := s.Initiatives(ctx, db.InitiativeFilter{}, db.Page{Limit: 1})
	if err != nil || len(l.Items) == 0 {
		c.t.Fatalf("no initiative to change: %v", err)
	}
	in := l.Items[0]
	admin := db.Actor{ID: "cli:test", Role: db.RoleAdmin}
	if _, err := s.UpdateInitiative(ctx, admin, in.ID, in.Version, db.InitiativePatch{Title: db.Set(title)}); err != nil {
		c.t.Fatal(err)
	}
	c.caughtUp()
}

func TestAWriteMovesTheTagsOfWhatItChangedOnly(t *testing.T) {
	eachCachedBackend(t, func(t *testing.T, c *cached) {
		reads := map[string]bool{ // path: reads initiatives
			gqlPath(initiativesQuery): true,
			gqlPath(`{ areas(first: 3) { nodes { id initiatives { totalCount } } } }`): true,
			gqlPath(`{ coverage { whiteSpots { initiatives } } }`):                     true,
			"/layers/initiatives.geojson":                                              true,
			"/tiles/initiatives/10/549/297.mvt":                                        true,
			"/collections/initiatives/items?limit=3":                                   true,
			gqlPath(indicatorsQuery):                                                   false,
			gqlPath(`{ areas(first: 3) { nodes { id name } } }`):                       false,
			"/layers/districts.geojson":                                                false,
			"/tiles/districts/10/549/297.mvt":                                          false,
			"/collections/employers/items?limit=3":                                     false,
		}
		before := map[string]got{}
		for path := range reads {
			g := c.get(path)
			if g.status != http.StatusOK && g.status != http.StatusNoContent || g.header.Get("ETag") == "" {
				t.Fatalf("GET %s: %d, ETag %q\n%s", path, g.status, g.header.Get("ETag"), g.body)
			}
			before[path] = g
		}
		c.renameInitiative(c.store, "Renamed to move the tags")
		for path, moved := range reads {
			after := c.get(path, "If-None-Match", before[path].header.Get("ETag"))
			switch {
			case moved && after.status == http.StatusNotModified:
				t.Errorf("GET %s: still 304 after a write to an initiative it reads", path)
			case !moved && after.status != http.StatusNotModified:
				t.Errorf("GET %s: %d after a write to an initiative it does not read, want 304", path, after.status)
			}
		}
		if g := c.get(gqlPath(initiativesQuery)); !strings.Contains(g.body, "Renamed to move the tags") {
			t.Errorf("the kept answer outlived the write: %s", g.body)
		}
	})
}

func TestAnonymousAnswersAreKeptWithinTheirBound(t *testing.T) {
	const bound = 64 << 10
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			c := newCached(t, b.Open(t), server.Config{ResponseCacheBytes: bound})
			path := gqlPath(initiativesQuery)
			first := c.get(path)
			calls := c.storeCalls()
			second := c.get(path)
			if second.body != first.body || c.storeCalls() != calls {
				t.Fatalf("the second anonymous GET made %d store calls; same answer: %v", c.storeCalls()-calls, second.body == first.body)
			}
			// A POST of the same query is kept and found alike, but its
			// headers stay no-store.
			post := postAs(t, c.url, grJSON, `{"query": "{ indicators { code name } }"}`)
			calls = c.storeCalls()
			if again := postAs(t, c.url, grJSON, `{"query": "{ indicators { code name } }"}`); again.raw != post.raw || c.storeCalls() != calls {
				t.Errorf("the second anonymous POST made %d store calls", c.storeCalls()-calls)
			}
			if hits := c.counter("areagraph_response_cache_lookups_total", "result", "hit"); hits != 2 {
				t.Errorf("hits = %v, want 2", hits)
			}
			// Many answers, some large: the bound holds.
			for i := range 60 {
				c.get(fmt.Sprintf("/layers/areas.geojson?limit=%d", 1+i))
				c.get(gqlPath(fmt.Sprintf(`{ areas(first: %d) { nodes { id name geometry } } }`, 1+i%40)))
				if held := c.counter("areagraph_response_cache_bytes"); held > bound {
					t.Fatalf("the cache holds %v bytes, past its bound of %d", held, bound)
				}
			}
			if c.counter("areagraph_response_cache_entries") == 0 {
				t.Error("the cache holds nothing")
			}
			// A kept answer is a copy of its own: the buffers answers are
			// marshalled into, lent again to the requests since, leave it
			// as it was.
			if again := c.get(path); again.body != first.body {
				t.Errorf("after other answers, the kept one reads %.200s, want %.200s", again.body, first.body)
			}
			// Errors are never kept.
			bad := gqlPath(`{ area(code: "no-such-area") { id } }`)
			c.get(bad)
			calls = c.storeCalls()
			if g := c.get(bad); g.header.Get("Cache-Control") != "no-store" || g.header.Get("ETag") != "" || c.storeCalls() == calls {
				t.Errorf("an error answer: Cache-Control %q, ETag %q, store calls %d; want no-store, no tag, asked again",
					g.header.Get("Cache-Control"), g.header.Get("ETag"), c.storeCalls()-calls)
			}
		})
	}
}

func TestAuthenticatedAnswersAreNotShared(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			a, err := auth.New(t.Context(), s, auth.Config{Log: corsQuietLog})
			if err != nil {
				t.Fatal(err)
			}
			c := newCached(t, s, server.Config{Auth: a})
			reader, _ := authtest.Key(t, s, db.RoleReader)
			admin, _ := authtest.Key(t, s, db.RoleAdmin)
			path := gqlPath(`{ viewer { role } initiatives(first: 2) { nodes { id } } }`)
			anon := c.get(path)
			asReader := c.get(path, "Authorization", "Bearer "+reader)
			asAdmin := c.get(path, "Authorization", "Bearer "+admin)
			if asReader.body == anon.body || asAdmin.body == asReader.body {
				t.Fatalf("one answer for different callers:\nanonymous %s\nreader %s\nadmin %s", anon.body, asReader.body, asAdmin.body)
			}
			tags := map[string]bool{anon.header.Get("ETag"): true, asReader.header.Get("ETag"): true, asAdmin.header.Get("ETag"): true}
			if len(tags) != 3 {
				t.Errorf("callers share tags: %v", tags)
			}
			for _, g := range []got{asReader, asAdmin} {
				if cc := g.header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
					t.Errorf("an authenticated answer says Cache-Control %q", cc)
				}
			}
			// Another anonymous GET is served the anonymous answer, and the
			// reader's again its own.
			if g := c.get(path); g.body != anon.body {
				t.Errorf("anonymous got %s", g.body)
			}
			if g := c.get(path, "Authorization", "Bearer "+reader); g.body != asReader.body {
				t.Errorf("the reader got %s", g.body)
			}
			if hits := c.counter("areagraph_response_cache_lookups_total", "result", "hit"); hits != 1 {
				t.Errorf("hits = %v, want 1 (the second anonymous GET)", hits)
			}
		})
	}
}

// TestAWriteThroughAnotherInstanceRetiresKeptAnswers: two servers over one
// PostGIS database; a write through the second reaches the first by the
// database's notifications, and the first's tags and kept answers move.
func TestAWriteThroughAnotherInstanceRetiresKeptAnswers(t *testing.T) {
	u := pgtest.SchemaURL(t)
	first := newCached(t, storetest.WithDemo(t, storetest.PostGIS(t, u)), server.Config{})
	second := newCached(t, storetest.PostGIS(t, u), server.Config{})
	path := gqlPath(initiativesQuery)
	before := first.get(path)
	if again := first.get(path); again.body != before.body {
		t.Fatal("the first instance's answer changed without a write")
	}
	second.renameInitiative(second.store, "Renamed through the second instance")
	first.caughtUp()
	if g := first.get(path, "If-None-Match", before.header.Get("ETag")); g.status != http.StatusOK || !strings.Contains(g.body, "Renamed through the second instance") {
		t.Fatalf("the first instance after a write through the second: %d %s", g.status, g.body)
	}
	if g := first.get(gqlPath(indicatorsQuery)); g.status != http.StatusOK {
		t.Fatal(g.status)
	}
}

// TestATagNamesTheDataInAnyCoding: a client that takes gzip and one that
// does not revalidate with the same tag.
func TestATagNamesTheDataInAnyCoding(t *testing.T) {
	eachCachedBackend(t, func(t *testing.T, c *cached) {
		for _, path := range []string{"/layers/districts.geojson", gqlPath(indicatorsQuery)} {
			plain := c.get(path)
			zipped := c.get(path, "Accept-Encoding", "gzip")
			if zipped.header.Get("Content-Encoding") != "gzip" || plain.header.Get("ETag") != zipped.header.Get("ETag") {
				t.Errorf("GET %s: Content-Encoding %q; tags %q plain, %q gzipped", path,
					zipped.header.Get("Content-Encoding"), plain.header.Get("ETag"), zipped.header.Get("ETag"))
			}
			if g := c.get(path, "If-None-Match", plain.header.Get("ETag"), "Accept-Encoding", "gzip"); g.status != http.StatusNotModified {
				t.Errorf("GET %s gzipped with the plain answer's tag: %d", path, g.status)
			}
		}
	})
}

// TestAReadAfterItsOwnWriteIsRun: a request that carries a consistency
// token follows a write the heads may not have reached yet, so it is run,
// not answered with a 304 or a kept answer.
func TestAReadAfterItsOwnWriteIsRun(t *testing.T) {
	eachCachedBackend(t, func(t *testing.T, c *cached) {
		for _, path := range []string{gqlPath(indicatorsQuery), "/layers/districts.geojson"} {
			first := c.get(path)
			c.get(path) // kept by now
			calls := c.storeCalls()
			g := c.get(path, "If-None-Match", first.header.Get("ETag"), server.ConsistencyHeader, "0/1")
			if g.status != http.StatusOK || g.body != first.body {
				t.Errorf("GET %s with a token: %d, want 200 with the answer", path, g.status)
			}
			if c.storeCalls() == calls {
				t.Errorf("GET %s with a token was answered without running it", path)
			}
		}
	})
}

// A query the store answers in one tree read (graph/tree.go) is tagged,
// revalidated, kept and retired as any other.
func TestATreeAnswerIsTaggedKeptAndRetired(t *testing.T) {
	eachCachedBackend(t, func(t *testing.T, c *cached) {
		l, err := c.store.Initiatives(t.Context(), db.InitiativeFilter{}, db.Page{Limit: 1})
		if err != nil || len(l.Items) == 0 || len(l.Items[0].AreaIDs) == 0 {
			t.Fatalf("no initiative with an area: %v", err)
		}
		area := db.GlobalID(db.TypeArea, l.Items[0].AreaIDs[0])
		path := gqlPath(fmt.Sprintf(`{ area(id: %q) { id name initiatives(first: 50) { totalCount nodes `+
			`{ id title status lead { id name } partners { role organization { id name } } } } } }`, area))
		calls := c.storeCalls()
		first := c.get(path)
		etag := first.header.Get("ETag")
		if first.status != http.StatusOK || !strings.HasPrefix(etag, `W/"`) || strings.Contains(first.body, `"errors"`) {
			t.Fatalf("GET: %d, ETag %q\n%s", first.status, etag, first.body)
		}
		if _, trees := c.store.(db.TreeReader); trees {
			if n := c.storeCalls() - calls; n != 1 {
				t.Errorf("the nested query made %d store calls, want one tree read", n)
			}
		}
		calls = c.storeCalls()
		if again := c.get(path, "If-None-Match", etag); again.status != http.StatusNotModified {
			t.Errorf("GET with its tag: %d, want 304", again.status)
		}
		if kept := c.get(path); kept.body != first.body || c.storeCalls() != calls {
			t.Errorf("the second GET made %d store calls; same answer: %v", c.storeCalls()-calls, kept.body == first.body)
		}
		c.renameInitiative(c.store, "Renamed by the tree test")
		after := c.get(path)
		if after.header.Get("ETag") == etag || !strings.Contains(after.body, "Renamed by the tree test") {
			t.Errorf("after a write to an initiative it shows: ETag %q (was %q)\n%s", after.header.Get("ETag"), etag, after.body)
		}
	})
}
