package dbtest

import (
	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbhook"
)

// Counting wraps a store and counts the calls that reach it, so a test
// can show that a request's cost follows the shape of the question, not
// the number of records in the answer. Reset returns the count.
type Counting struct {
	db.Store
	dbhook.Counter
}

// NewCounting returns store with its calls counted.
func NewCounting(store db.Store) *Counting {
	c := new(Counting)
	c.Store = dbhook.Wrap(store, c.Hook)
	return c
}
