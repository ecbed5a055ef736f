// Package postgis is the PostGIS storage backend of areagraph, the system of
// record. It speaks to PostgreSQL through a pgx connection pool, keeps its
// schema in embedded migrations, and answers every store call with a single
// SQL statement whose values all travel as $n arguments. Geometry crosses
// the wire as WKB and is decoded into orb types; pgx and pgconn types never
// leave the package, their errors are translated into db errors here.
package postgis

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/areagraph/areagraph/db"
)

// Store is a db.Store on a PostGIS database. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

var _ db.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and checks that it answers. The schema is not touched:
// call Migrate for that. An unreachable database is an EUNAVAILABLE error.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgconn redacts the password from its parse errors.
		return nil, fmt.Errorf("postgis: invalid database URL: %v", err)
	}
	return open(ctx, cfg)
}

// open is Open on a parsed configuration, so tests can set runtime
// parameters such as search_path.
func open(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: invalid pool configuration: %v", err)
	}
	// The pool connects lazily; ping so that a wrong URL fails here and not
	// on the first request.
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, translate(err, "connect")
	}
	return &Store{pool: pool}, nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return translate(s.pool.Ping(ctx), "ping")
}

// Close closes every connection of the pool; it waits for queries in flight.
func (s *Store) Close() { s.pool.Close() }
