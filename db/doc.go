// Package db holds the domain of areagraph: its records, the filters that
// select them, the Store contract every storage backend implements, and the
// errors they return. Backends live in subpackages (memory, postgis) and are
// held to one behaviour by the conformance suite in dbtest.
package db
