package transfer

import (
	"fmt"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// toWGS84 converts g, in the system crs, to WGS 84 and gives it RFC 7946
// winding. With crs "" the system is told from g itself and becomes the
// file's; when it was told that way (detected), a feature that looks like
// another system is an error rather than a silent mix.
func toWGS84(g orb.Geometry, crs string, detected bool) (orb.Geometry, string, error) {
	if detected {
		this, err := geo.DetectCRS(g.Bound())
		if err != nil {
			return nil, crs, err
		}
		switch {
		case crs == "":
			crs = this
		case this != crs:
			return nil, crs, fmt.Errorf("its coordinates look like %s, but the features before it are in %s; "+
				"name the system with --crs", this, crs)
		}
	}
	out, err := geo.ToWGS84(g, crs)
	if err != nil {
		return nil, crs, err
	}
	return geo.Normalize(out), crs, nil
}
