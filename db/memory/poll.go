package memory

import "context"

// The reads of the embedded store are loops in memory, which nothing
// interrupts: a request past its deadline would run them to the end (15,000
// coverage aliases ran 15 s against a 10 s timeout). Every read looks at
// its context when it starts, and its loops every checkEvery items, and
// returns the context's error once it has ended, as PostGIS does.

// checkEvery is how many items a loop goes through between two looks at
// its context: a deadline stops it within microseconds, and the look costs
// nothing measurable.
const checkEvery = 256

// poll counts the items of a read's loops.
type poll struct {
	ctx context.Context
	n   int
}

// next counts an item, and every checkEvery items tells whether the
// context has ended.
func (p *poll) next() error {
	p.n++
	if p.n%checkEvery != 0 {
		return nil
	}
	return p.ctx.Err()
}
