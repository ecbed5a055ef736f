package db_test

import (
	"testing"

	"github.com/areagraph/areagraph/db"
)

// TestCursorSpelling pins the cursors' text: clients keep them (GraphQL
// cursors, after= in the links of the map layers and OGC API), so a
// cursor handed out once must read back as the same place for good.
func TestCursorSpelling(t *testing.T) {
	for _, c := range []struct {
		k    db.Key
		want string
	}{
		{db.Key{ID: 19}, "aToxOQ"},                                    // "i:19"
		{db.Key{ID: 7, Dist: 25261.5, Near: true}, "bjoyNTI2MS41Ojc"}, // "n:25261.5:7"
		{db.Key{ID: 0, Near: true}, "bjowOjA"},                        // "n:0:0"
	} {
		if got := c.k.Cursor(); got != c.want {
			t.Errorf("%+v: cursor %q, want %q", c.k, got, c.want)
		}
		if got, err := db.ParseCursor(c.want); err != nil || got != c.k {
			t.Errorf("cursor %q: %+v, %v; want %+v", c.want, got, err, c.k)
		}
	}
	for _, bad := range []string{"", "5", "aToxOQ==", "aTowMTk"} { // "i:019" is not how 19 is spelt
		if _, err := db.ParseCursor(bad); db.ErrorCode(err) != db.EINVALID {
			t.Errorf("cursor %q: %v, want EINVALID", bad, err)
		}
	}
}

// TestKeyPrecedes: keys order as their lists do, by id, or nearest first
// with ties by id.
func TestKeyPrecedes(t *testing.T) {
	for _, c := range []struct {
		a, b db.Key
		want bool
	}{
		{db.Key{ID: 1}, db.Key{ID: 2}, true},
		{db.Key{ID: 2}, db.Key{ID: 2}, false},
		{db.Key{ID: 3}, db.Key{ID: 2}, false},
		{db.Key{ID: 9, Dist: 1, Near: true}, db.Key{ID: 1, Dist: 2, Near: true}, true},
		{db.Key{ID: 1, Dist: 2, Near: true}, db.Key{ID: 9, Dist: 1, Near: true}, false},
		{db.Key{ID: 1, Dist: 2, Near: true}, db.Key{ID: 9, Dist: 2, Near: true}, true},
	} {
		if got := c.a.Precedes(c.b); got != c.want {
			t.Errorf("%+v precedes %+v: %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
