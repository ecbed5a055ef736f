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
	srv := httptest.NewServer(server.New(demoStore(t), server.Config{}))
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
