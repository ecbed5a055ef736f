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

// swedenExtent is where an imported area may lie, in WGS 84: Sweden's
// extent (about 10.96–24.17° E, 55.34–69.06° N) with a margin of some
// 20–60 km for coastal waters and border digitising. An area outside it is
// in the wrong coordinate system or was shifted by one; it is refused
// rather than stored in the sea.
var swedenExtent = orb.Bound{Min: orb.Point{10.0, 55.0}, Max: orb.Point{24.5, 69.5}}

// checkInSweden refuses an area (code, its converted bound b) that does
// not lie inside swedenExtent, and tells apart one whose longitude and
// latitude were exchanged, which is the commonest such mistake: a file
// written latitude first, as EPSG:4326 formally orders its axes.
func checkInSweden(code string, b orb.Bound) error {
	if swedenExtent.Contains(b.Min) && swedenExtent.Contains(b.Max) {
		return nil
	}
	span := fmt.Sprintf("%.4f, %.4f to %.4f, %.4f", b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	swapped := orb.Bound{Min: orb.Point{b.Min[1], b.Min[0]}, Max: orb.Point{b.Max[1], b.Max[0]}}
	if swedenExtent.Contains(swapped.Min) && swedenExtent.Contains(swapped.Max) {
		return fmt.Errorf("area %q (longitude, latitude %s) lies in Sweden only with longitude and latitude exchanged; "+
			"check the axis order: GeoJSON writes longitude (east) first, then latitude", code, span)
	}
	return fmt.Errorf("area %q (longitude, latitude %s) lies outside Sweden (%.1f–%.1f° E, %.1f–%.1f° N); "+
		"check the file's coordinate system (--crs)", code, span,
		swedenExtent.Min[0], swedenExtent.Max[0], swedenExtent.Min[1], swedenExtent.Max[1])
}

// checkInSwedenFrom is checkInSweden for an area converted from the system
// crs, whose coordinates in the file spanned src: a grid file written
// northing first, as the EPSG definitions of the Swedish grids formally
// order their axes, is told apart from one in the wrong system.
func checkInSwedenFrom(code string, src orb.Bound, crs string, b orb.Bound) error {
	err := checkInSweden(code, b)
	if err == nil || crs == geo.CRSWGS84 || crs == "" {
		return err
	}
	swapped := orb.Bound{Min: orb.Point{src.Min[1], src.Min[0]}, Max: orb.Point{src.Max[1], src.Max[0]}}
	if g, cerr := geo.ToWGS84(swapped, crs); cerr == nil && checkInSweden(code, g.Bound()) == nil {
		return fmt.Errorf("area %q (%s coordinates %.0f, %.0f to %.0f, %.0f) lies in Sweden only with easting and northing "+
			"exchanged; check the axis order: GeoJSON writes the easting (x) first, then the northing", code, crs,
			src.Min[0], src.Min[1], src.Max[0], src.Max[1])
	}
	return err
}
