package httpx

import (
	"net/http"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header []string // field lines; nil sends none
		want   bool
	}{
		// Nothing said, nothing compressed.
		{nil, false},
		{[]string{""}, false},
		{[]string{" , ,"}, false},
		{[]string{"identity"}, false},
		{[]string{"deflate, br"}, false},
		// gzip by name, in any case, with any whitespace.
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"gzip, deflate, br, zstd"}, true},
		{[]string{"  deflate ,gzip  "}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"X-Gzip;q=0.3"}, true},
		// q-values.
		{[]string{"gzip;q=1"}, true},
		{[]string{"gzip;q=1.000"}, true},
		{[]string{"gzip;q=0.001"}, true},
		{[]string{"gzip;q=0.5"}, true},
		{[]string{"gzip ; q=0.5"}, true},
		{[]string{"gzip;Q=0.5"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip;q=0."}, false},
		{[]string{"gzip;q=0.0"}, false},
		{[]string{"gzip;q=0.000"}, false},
		{[]string{"gzip; q=0"}, false},
		{[]string{"gzip;Q=0"}, false},
		{[]string{"gzip ;q=0 "}, false},
		{[]string{"GZip;q=0, deflate"}, false},
		{[]string{"x-gzip;q=0"}, false},
		// A refusal stands whatever else names gzip.
		{[]string{"gzip;q=0, gzip"}, false},
		{[]string{"gzip, x-gzip;q=0"}, false},
		{[]string{"gzip;q=0, *"}, false},
		// Malformed weights void their element, not the header.
		{[]string{"gzip;q=abc"}, false},
		{[]string{"gzip;q="}, false},
		{[]string{"gzip;q=1.5"}, false},
		{[]string{"gzip;q=1.001"}, false},
		{[]string{"gzip;q=0.0001"}, false},
		{[]string{"gzip;q=-1"}, false},
		{[]string{"gzip;q=abc, x-gzip"}, true},
		// * stands for what is not named.
		{[]string{"*"}, true},
		{[]string{"*;q=0.5"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"*;q=0, identity"}, false},
		{[]string{"*;q=0, gzip"}, true},
		{[]string{"gzip;q=0.5, *"}, false}, // identity, through *, is preferred
		{[]string{"gzip, *;q=0.5"}, true},
		{[]string{"deflate;q=0, *"}, true},
		// identity against gzip: the higher q wins, a tie goes to gzip.
		{[]string{"gzip, identity"}, true},
		{[]string{"gzip;q=0.5, identity"}, false},
		{[]string{"gzip, identity;q=0.5"}, true},
		{[]string{"gzip;q=0.5, identity;q=0.5"}, true},
		{[]string{"gzip;q=0.4, identity;q=0.5"}, false},
		{[]string{"identity;q=0, gzip;q=0.1"}, true},
		{[]string{"identity;q=0"}, false},
		{[]string{"identity;q=0, *"}, true},
		{[]string{"identity, *;q=0"}, false},
		// Every field line counts.
		{[]string{"deflate", "gzip"}, true},
		{[]string{"gzip", "gzip;q=0"}, false},
		{[]string{"gzip;q=0.5", "identity"}, false},
	} {
		h := http.Header{}
		for _, v := range tc.header {
			h.Add("Accept-Encoding", v)
		}
		if got := AcceptsGzip(h); got != tc.want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", tc.header, got, tc.want)
		}
	}
}
