package model

import (
	"encoding/base64"
	"math"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// FuzzDecodeCursor: a cursor the API accepts is one it could have
// written (one offset, one spelling), and its offset leaves room for the
// page after it; any other is refused as the client's mistake, naming the
// cursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{
		EncodeCursor(0), EncodeCursor(19), EncodeCursor(math.MaxInt32 - 1), "", "o:1", "bzox", "bzox==",
		raw("o:"), raw("o:-1"), raw("o:01"), raw("o:+1"), raw("o:1 "), raw("o:9223372036854775807"),
		raw("o:2147483647"), raw("x:1"), raw("o:1\x00"), "!!!!",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		n, err := DecodeCursor(c)
		if err != nil {
			if db.ErrorCode(err) != db.EINVALID || !strings.Contains(db.ErrorMessage(err), "malformed cursor") {
				t.Fatalf("cursor %q refused with %v, want an EINVALID malformed cursor", c, err)
			}
			return
		}
		if n < 0 || n >= math.MaxInt32 {
			t.Fatalf("cursor %q decodes to offset %d, outside [0, %d)", c, n, math.MaxInt32)
		}
		if again := EncodeCursor(n); again != c {
			t.Fatalf("cursor %q decodes to offset %d, whose cursor is %q", c, n, again)
		}
	})
}

// FuzzEncodeCursor: every offset's cursor decodes back to it.
func FuzzEncodeCursor(f *testing.F) {
	for _, n := range []int{0, 1, 19, 1000, math.MaxInt32 - 1} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int) {
		if n < 0 || n >= math.MaxInt32 {
			return
		}
		if got, err := DecodeCursor(EncodeCursor(n)); err != nil || got != n {
			t.Fatalf("offset %d: cursor %q decodes to %d, %v", n, EncodeCursor(n), got, err)
		}
	})
}

func raw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
