package layers

import (
	"strings"

	"github.com/areagraph/areagraph/db"
)

// Reads says which record types of the change feed the features of layer
// name are made of, for the tags of its answers (internal/httpcache);
// ok is false for no layer. It is coarse by record type, and generous:
// area layers join indicator values (rolled up from the statistical
// areas), initiatives show their lead and are filtered by area, and
// organisations are filtered by area too.
func Reads(name string) (types []string, ok bool) {
	l, err := findLayer(name)
	if err != nil {
		return nil, false
	}
	switch l.source {
	case fromAreas:
		return []string{db.TypeArea, db.TypeIndicator, db.TypeIndicatorValue}, true
	case fromInitiatives:
		return []string{db.TypeInitiative, db.TypeEmployer, db.TypeAssociation, db.TypeArea}, true
	case fromEmployers:
		return []string{db.TypeEmployer, db.TypeArea}, true
	case fromAssociations:
		return []string{db.TypeAssociation, db.TypeArea}, true
	}
	return nil, false
}

// ReadsPath is Reads for the layer a path of the handler names:
// /layers/{layer}.geojson, /tiles/{layer}.json or
// /tiles/{layer}/{z}/{x}/{y}.mvt.
func ReadsPath(path string) (types []string, ok bool) {
	if name, ok := strings.CutPrefix(path, "/layers/"); ok {
		return Reads(strings.TrimSuffix(name, ".geojson"))
	}
	if rest, ok := strings.CutPrefix(path, "/tiles/"); ok {
		if name, _, tile := strings.Cut(rest, "/"); tile {
			return Reads(name)
		}
		return Reads(strings.TrimSuffix(rest, ".json"))
	}
	return nil, false
}
