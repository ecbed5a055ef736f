// Package graph is the GraphQL layer: thin resolvers that turn arguments
// into one store or loader call, the error presenter, and the endpoint's
// HTTP handler, which package server mounts at /graphql. Logic that is not
// about GraphQL lives in db and geo.
package graph

//go:generate go tool gqlgen generate
//go:generate go run ./internal/seqlists generated/generated.go

import (
	"time"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/follow"
	"github.com/areagraph/areagraph/db/outline"
)

// Resolver is the root of the resolvers; it holds what every request shares.
type Resolver struct {
	Store Backend
	// Now is the server's clock (HandlerConfig.Now): today, for a question
	// about areas that names no day, is the day it reads.
	Now func() time.Time
	// Follow follows the store's change feed for the subscriptions.
	Follow *follow.Follower
	// Outlines simplifies area outlines as coverages, so neighbours keep
	// their common border (db/outline).
	Outlines *outline.Cache
	// Texts keeps outlines as GeoJSON text at each precision asked
	// (db/outline); nil writes them every time.
	Texts *outline.Texts
}

// validAt is the day a question about areas is answered for: the day
// given, checked against the range every question may name
// (db.CheckDay, the argument named arg in the message), or today.
func (r *Resolver) validAt(arg string, d *time.Time) (time.Time, error) {
	if d == nil {
		now := time.Now
		if r.Now != nil {
			now = r.Now
		}
		return db.Today(now()), nil
	}
	if err := db.CheckDay(arg, *d); err != nil {
		return time.Time{}, err
	}
	return db.Day(*d), nil
}

// Backend is what the API reaches in a store: every read, the audited
// writes, the keys and the change feed. The bulk paths (Load, the imports)
// are the operator's, and Ping and Close the server's.
type Backend interface {
	db.Reader
	db.Writer
	db.KeyStore
	db.ChangeFeed
}
