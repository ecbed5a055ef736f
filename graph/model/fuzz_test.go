package model

import (
	"encoding/base64"
	"math"
	"strings"
	"testing"

	"github.com/areagraph/areagraph/db"
)

// FuzzDecodeCursor: a cursor the API accepts is one it could have
// written (one place, one spelling); any other is refused as the client's
// mistake, naming the cursor.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{
		EncodeCursor(db.Key{ID: 0}), EncodeCursor(db.Key{ID: 19}), EncodeCursor(db.Key{ID: math.MaxInt64}),
		EncodeCursor(db.Key{ID: 7, Dist: 25261.3225196, Near: true}), EncodeCursor(db.Key{ID: 1, Near: true}),
		"", "o:1", "bzox", "bzox==", raw("o:1"), raw("i:"), raw("i:-1"), raw("i:01"), raw("i:+1"), raw("i:1 "),
		raw("i:9223372036854775808"), raw("n:1"), raw("n:1:"), raw("n:-1:2"), raw("n:NaN:2"), raw("n:Inf:2"),
		raw("n:1e400:2"), raw("n:1.50:2"), raw("n:0x1p3:2"), raw("x:1"), raw("i:1\x00"), "!!!!",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		k, err := DecodeCursor(c)
		if err != nil {
			if db.ErrorCode(err) != db.EINVALID || !strings.Contains(db.ErrorMessage(err), "malformed cursor") {
				t.Fatalf("cursor %q refused with %v, want an EINVALID malformed cursor", c, err)
			}
			return
		}
		if k.ID < 0 || (k.Near && (k.Dist < 0 || math.IsNaN(k.Dist) || math.IsInf(k.Dist, 0))) || (!k.Near && k.Dist != 0) {
			t.Fatalf("cursor %q decodes to %+v, which marks no place", c, k)
		}
		if again := EncodeCursor(k); again != c {
			t.Fatalf("cursor %q decodes to %+v, whose cursor is %q", c, k, again)
		}
	})
}

// FuzzEncodeCursor: every place's cursor decodes back to it.
func FuzzEncodeCursor(f *testing.F) {
	f.Add(int64(0), 0.0, false)
	f.Add(int64(19), 0.0, false)
	f.Add(int64(math.MaxInt64), 0.0, false)
	f.Add(int64(3), 25261.3225196, true)
	f.Add(int64(3), math.SmallestNonzeroFloat64, true)
	f.Add(int64(3), math.MaxFloat64, true)
	f.Fuzz(func(t *testing.T, id int64, dist float64, near bool) {
		if id < 0 || dist < 0 || math.IsNaN(dist) || math.IsInf(dist, 0) {
			return
		}
		k := db.Key{ID: id}
		if near {
			k.Dist, k.Near = dist, true
		}
		if got, err := DecodeCursor(EncodeCursor(k)); err != nil || got != k {
			t.Fatalf("place %+v: cursor %q decodes to %+v, %v", k, EncodeCursor(k), got, err)
		}
	})
}

func raw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
