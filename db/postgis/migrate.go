package postgis

import (
	"context"
	"embed"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrations holds the schema as ordered SQL files; the number in front of
// each name is its version, and files are applied in name order.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the first half of the advisory lock key Migrate takes;
// the second half is derived from the schema, so stores in different
// schemas of one database migrate independently.
const migrationLock = 0x61726561 // "area"

// Migrate brings the schema up to date. Each migration runs in a transaction
// of its own under an advisory lock, so two processes starting at once
// apply it exactly once between them; migrations already recorded in
// schema_migrations are skipped, which makes Migrate safe to run at every
// start.
func (s *Store) Migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		version := strings.TrimSuffix(path.Base(name), ".sql")
		if err := s.migrate(ctx, version, string(body)); err != nil {
			return translate(err, "migrate "+version)
		}
	}
	return nil
}

// Pending lists, in order, the embedded migrations the database has not
// recorded. A binary serving a schema without them fails request by
// request on the tables and columns they add (an API key lookup as
// UNAVAILABLE), so serve refuses to start instead, naming them.
func (s *Store) Pending(ctx context.Context) ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	// The primary's answer, or with it down a replica's (readers.go).
	rows, err := s.authoritative.Query(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`)
	if err != nil {
		return nil, translate(err, "pending migrations")
	}
	exists, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[bool])
	if err != nil {
		return nil, translate(err, "pending migrations")
	}
	done := map[string]bool{}
	if exists {
		rows, err := s.authoritative.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return nil, translate(err, "pending migrations")
		}
		versions, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, translate(err, "pending migrations")
		}
		for _, v := range versions {
			done[v] = true
		}
	}
	var pending []string
	for _, name := range names {
		if v := strings.TrimSuffix(path.Base(name), ".sql"); !done[v] {
			pending = append(pending, v)
		}
	}
	return pending, nil
}

func (s *Store) migrate(ctx context.Context, version, body string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Taken before looking at schema_migrations, so that a second
		// process waits here and then sees the version as done.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    text PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&done); err != nil {
			return err
		}
		if done {
			return nil
		}
		// Without arguments pgx uses the simple protocol, which runs a
		// script of several statements in one go.
		if _, err := tx.Exec(ctx, body); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, version)
		return err
	})
}
