// Package pgtest gives tests a PostGIS database of their own: a fresh schema
// in the test database, dropped when the test ends, so tests start empty and
// may run in parallel. The database comes from AREAGRAPH_TEST_DATABASE_URL;
// scripts/test provides one. A test that cannot reach it fails, never skips:
// the PostGIS run is part of every test run.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the test database scripts/test prepares on a machine with
// a local PostgreSQL.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/areagraph_test?sslmode=disable"

// DatabaseURL is the test database's URL.
func DatabaseURL() string {
	if u := os.Getenv("AREAGRAPH_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// SchemaURL creates an empty schema for the test and returns a URL whose
// connections work in it (PostGIS stays reachable through public).
func SchemaURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	base := DatabaseURL()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("cannot reach the PostGIS test database (%v); run scripts/test, which starts it, "+
			"or point AREAGRAPH_TEST_DATABASE_URL at one", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		admin.Close(ctx)
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("AREAGRAPH_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}
