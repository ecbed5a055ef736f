package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/postgis/pgtest"
	"github.com/areagraph/areagraph/graph"
	"github.com/areagraph/areagraph/internal/storetest"
	"github.com/areagraph/areagraph/server"
)

// What an anonymous client sends to exhaust the server, and the bounds
// that must hold against it.

// heapAlloc is the live heap after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// aliases is a query of n aliased fields, made distinct by tag.
func aliases(tag string, n int) string {
	var b strings.Builder
	b.WriteString("query Q" + tag + " {")
	for i := range n {
		fmt.Fprintf(&b, " a%d: __typename", i)
	}
	b.WriteString(" }")
	return b.String()
}

func requestBody(t *testing.T, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// memoryCeiling is how much the heap may grow, after collection, under
// the attacks below with the default configuration: the caches' budgets
// (16 MiB of parsed queries and 8 MiB of persisted ones, as README says)
// and 8 MiB for everything else a server keeps between requests.
const memoryCeiling = (16 + 8 + 8) << 20

// Distinct large queries and persisted-query registrations, each admitted
// into a cache, must not grow the heap past the caches' byte budgets.
// Counted by entries alone, the caches kept every one of them: the attack
// below grew the heap by hundreds of MiB.
func TestManyLargeQueriesKeepTheHeapBounded(t *testing.T) {
	srv := httptest.NewServer(server.New(storetest.Demo(t), server.Config{}))
	t.Cleanup(srv.Close)
	post := func(body string) answer {
		t.Helper()
		return postAs(t, srv.URL, "application/json", body)
	}
	// Warm up: the first request builds what every request shares.
	post(`{"query":"{ __typename }"}`)
	before := heapAlloc()

	// The attack as it was reported: 40 queries of 10,000 aliases, about
	// 180 KB each. Whether refused or answered, none may stay in memory.
	for i := range 40 {
		post(requestBody(t, map[string]any{"query": aliases(fmt.Sprintf("big%d", i), 10_000)}))
	}
	// Queries small enough for the cache to keep, each an ordinary share
	// of its budget, many more than the budget holds.
	for i := range 120 {
		a := post(requestBody(t, map[string]any{"query": aliases(fmt.Sprintf("mid%d", i), 900)}))
		if len(a.Errors) > 0 {
			t.Fatalf("a query of 900 aliases: %s", a.raw)
		}
	}
	// Persisted queries registered with their text: 60 of 400 KB, padded
	// with a comment.
	for i := range 60 {
		q := fmt.Sprintf("# %d %s\n{ __typename }", i, strings.Repeat("x", 400_000))
		sum := sha256.Sum256([]byte(q))
		a := post(requestBody(t, map[string]any{"query": q, "extensions": map[string]any{
			"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])},
		}}))
		if len(a.Errors) > 0 {
			t.Fatalf("registering a persisted query: %s", a.raw)
		}
	}

	after := heapAlloc()
	grown := int64(after) - int64(before)
	t.Logf("heap after collection: %.1f MiB before, %.1f MiB after the attack (grew %.1f MiB; ceiling %d MiB)",
		float64(before)/(1<<20), float64(after)/(1<<20), float64(grown)/(1<<20), memoryCeiling>>20)
	if grown > memoryCeiling {
		t.Fatalf("the heap grew by %.1f MiB, more than the ceiling of %d MiB", float64(grown)/(1<<20), memoryCeiling>>20)
	}

	// The server still answers, and still from its caches.
	if a := post(`{"query":"{ __typename }"}`); a.status != http.StatusOK || len(a.Errors) > 0 {
		t.Fatalf("after the attack: %d %s", a.status, a.raw)
	}
}

// repeated is a query of n copies of field, each under its own alias.
func repeated(field string, n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}

// Queries whose parsing or validation would take seconds are refused
// before validation, at a cost linear in their size: { __typename ×12000 }
// ran 31 s of one core against a 10 s timeout, and a body of 1 MiB would
// have run for half an hour.
func TestFloodsAreRefusedBeforeValidation(t *testing.T) {
	eachBackend(t, func(t *testing.T, c client, _ db.Store) {
		mib := repeated("__typename", 1<<20/len(" a100000: __typename"))
		for _, tc := range []struct {
			name, query, says string
		}{
			{"12,000 times __typename", "{" + strings.Repeat(" __typename", 12_000) + " }", "more than 1000 selections"},
			{"a body of 1 MiB of aliases", mib, "longer than the limit of 15000 tokens"},
			{"15,000 coverage aliases", repeated("coverage { cells { initiatives } }", 15_000), "longer than the limit of 15000 tokens"},
			{"1,001 aliases", repeated("__typename", 1001), "more than 1000 selections"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := requestBody(t, map[string]any{"query": tc.query})
				if len(body) > graph.DefaultMaxBodyBytes {
					t.Fatalf("the body has %d bytes, more than the body limit", len(body))
				}
				start := time.Now()
				a := postAs(t, c.url, grJSON, body)
				took := time.Since(start)
				if a.status != http.StatusBadRequest || len(a.Errors) != 1 || a.Errors[0].Extensions["code"] != db.EINVALID ||
					!strings.Contains(a.Errors[0].Message, tc.says) {
					t.Fatalf("%d %.300s, want 400 BAD_USER_INPUT saying %q", a.status, a.raw, tc.says)
				}
				if took > graph.DefaultTimeout {
					t.Fatalf("refusing took %v, more than the request timeout", took)
				}
				t.Logf("refused in %v", took)
			})
		}
		// What the limits admit is answered.
		a := postAs(t, c.url, grJSON, requestBody(t, map[string]any{"query": repeated("__typename", 1000)}))
		if a.status != http.StatusOK || len(a.Errors) > 0 {
			t.Fatalf("1,000 aliases: %d %.300s", a.status, a.raw)
		}
	})
}

// A query within the limits that runs past the request's deadline is
// stopped, on both backends, and says so: the embedded store ran its
// loops to the end and answered 200, PostGIS said "database unavailable".
func TestTheTimeoutStopsExecution(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			const timeout = 20 * time.Millisecond
			srv := httptest.NewServer(server.New(b.Open(t), server.Config{Limits: graph.Limits{Timeout: timeout}}))
			t.Cleanup(srv.Close)
			// 996 selections, each split by every status and theme: about
			// fifty times the deadline's work even on a fast machine, so
			// that the deadline, never luck, decides.
			query := `query($s: [InitiativeStatus!], $t: [Theme!]) ` +
				repeated("coverage(statuses: $s, themes: $t) { cells { initiatives organizations } }", 249)
			vars := map[string]any{
				"s": []string{"PLANNED", "ACTIVE", "COMPLETED", "CANCELLED"},
				"t": []string{"JOBS", "INTERNSHIPS", "MENTORING", "EDUCATION", "LANGUAGE", "HEALTH",
					"LEISURE", "HOUSING", "SAFETY", "ENTREPRENEURSHIP", "PARENTING"},
			}
			start := time.Now()
			a := postAs(t, srv.URL, grJSON, requestBody(t, map[string]any{"query": query, "variables": vars}))
			took := time.Since(start)
			if len(a.Errors) == 0 {
				t.Fatalf("answered %d without errors in %v, past its deadline of %v", a.status, took, timeout)
			}
			for _, e := range a.Errors {
				if e.Extensions["code"] != db.EUNAVAILABLE || e.Message != "the request took too long" {
					t.Fatalf("an error %q (%v), want UNAVAILABLE \"the request took too long\"", e.Message, e.Extensions["code"])
				}
			}
			if took > graph.DefaultTimeout {
				t.Fatalf("stopping took %v", took)
			}
			t.Logf("%d errors, answered %d in %v", len(a.Errors), a.status, took)
		})
	}
}

// A query of many root fields on PostGIS waits for its own fields, not
// for the pool: it used to take every connection at once, and its fields
// that waited past the pool's acquire timeout said "database unavailable"
// of a database that was serving.
func TestManyRootFieldsDoNotStarveThePool(t *testing.T) {
	s := storetest.WithDemo(t, storetest.PostGIS(t, pgtest.SchemaURL(t)+"&pool_max_conns=4&pool_acquire_timeout=100ms"))
	srv := httptest.NewServer(server.New(s, server.Config{}))
	t.Cleanup(srv.Close)
	a := postAs(t, srv.URL, grJSON, requestBody(t, map[string]any{"query": repeated("coverage { cells { initiatives } }", 330)}))
	if a.status != http.StatusOK || len(a.Errors) > 0 {
		msgs := map[string]int{}
		for _, e := range a.Errors {
			msgs[e.Message]++
		}
		t.Fatalf("%d with errors %v", a.status, msgs)
	}
}
