package db_test

import (
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// FuzzParseGlobalID: an id the API accepts is one it could have written,
// Type:number with the number as GlobalID spells it, so one record has one
// id; any other is refused as the client's mistake, naming the id.
func FuzzParseGlobalID(f *testing.F) {
	for _, s := range []string{
		"Area:1", "Initiative:42", "Employer:9223372036854775807", "Area:0", "Area:-1", "Area:01", "Area:+1",
		"Area: 1", "Area:1 ", ":1", "Area:", "Area", "Area:1:2", "Area:9223372036854775808", "Ärea:1", "A\x00:1", "",
	} {
		f.Add(s, db.TypeArea)
	}
	f.Fuzz(func(t *testing.T, s, want string) {
		typ, id, err := db.ParseGlobalID(s)
		if err != nil {
			if db.ErrorCode(err) != db.EINVALID || !strings.Contains(db.ErrorMessage(err), "malformed id") {
				t.Fatalf("%q refused with %v, want an EINVALID malformed id", s, err)
			}
			if _, err2 := db.ParseGlobalIDOf(want, s); err2 == nil {
				t.Fatalf("%q is malformed, but a good %s id", s, want)
			}
			return
		}
		if typ == "" || strings.Contains(typ, ":") || id <= 0 {
			t.Fatalf("%q parses to type %q, key %d", s, typ, id)
		}
		if again := db.GlobalID(typ, id); again != s {
			t.Fatalf("%q parses to type %q, key %d, whose id is %q", s, typ, id, again)
		}
		got, err := db.ParseGlobalIDOf(want, s)
		switch {
		case typ == want && (err != nil || got != id):
			t.Fatalf("%q as a %s id: %d, %v", s, want, got, err)
		case typ != want && (err == nil || db.ErrorCode(err) != db.EINVALID || !strings.Contains(db.ErrorMessage(err), want)):
			t.Fatalf("%q as a %s id: %d, %v; want an error naming %[2]s", s, want, got, err)
		}
	})
}
