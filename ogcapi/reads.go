package ogcapi

import (
	"strings"

	"github.com/areagraph/areagraph/layers"
)

// Reads says which record types of the change feed the answer at path
// reads, for the tags of its answers (internal/httpcache): a collection's
// features read what its layer reads (layers.Reads); the landing page,
// conformance, the API document, the collections and their queryables
// read no data, and change only with a release, which every tag names.
// ok is false for an unknown collection.
func Reads(path string) (types []string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/collections/")
	if !ok {
		return nil, true
	}
	id, sub, _ := strings.Cut(rest, "/")
	if sub == "items" || strings.HasPrefix(sub, "items/") {
		return layers.Reads(id)
	}
	return nil, true
}
