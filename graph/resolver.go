// Package graph is the GraphQL layer: thin resolvers that turn arguments
// into one store or loader call, the error presenter, and the endpoint's
// HTTP handler, which package server mounts at /graphql. Logic that is not
// about GraphQL lives in db and geo.
package graph

//go:generate go tool gqlgen generate
//go:generate go run ./internal/seqlists generated/generated.go

import (
	"github.com/areagraph/areagraph/db"
)

// Resolver is the root of the resolvers; it holds what every request shares.
type Resolver struct {
	Store Backend
}

// Backend is what the API reaches in a store: every read, the audited
// writes and the keys. The bulk paths (Load, the imports) are the
// operator's, and Ping and Close the server's.
type Backend interface {
	db.Reader
	db.Writer
	db.KeyStore
}
