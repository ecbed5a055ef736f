package httpx

import (
	"net/http"
	"slices"
	"testing"
)

func TestAddVaryKeepsOneLineWithoutRepeats(t *testing.T) {
	shared := []string{"Origin"}
	h := http.Header{"Vary": shared}
	AddVary(h, "Accept-Encoding")
	AddVary(h, "accept-encoding", "Accept, Authorization")
	AddVary(h)
	if got, want := h.Values("Vary"), []string{"Origin, Accept-Encoding, Accept, Authorization"}; !slices.Equal(got, want) {
		t.Fatalf("Vary = %q, want %q", got, want)
	}
	if shared[0] != "Origin" {
		t.Fatalf("the slice the header held was changed: %q", shared)
	}
	h = http.Header{"Vary": {"Origin", "Accept, Origin"}}
	AddVary(h)
	if got := h.Values("Vary"); !slices.Equal(got, []string{"Origin, Accept"}) {
		t.Fatalf("lines already there are merged: %q", got)
	}
}
