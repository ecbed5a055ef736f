package ogcapi

import (
	"math"
	"strings"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

// The coordinate reference systems served (OGC API – Features Part 2:
// Coordinate Reference Systems by Reference). Coordinates are written in
// each system's own axis order, as Part 2 asks and the Content-Crs header
// then states: CRS84 longitude, latitude (GeoJSON's order); EPSG:4326
// latitude, longitude; EPSG:3006 (SWEREF 99 TM) northing, easting.
type crs struct {
	uri string
	// toCRS converts a WGS 84 longitude/latitude geometry into the system,
	// axis order included; toWGS84 does the reverse. Neither changes its
	// argument.
	toCRS, toWGS84 func(orb.Geometry) orb.Geometry
	// decimals kept: six of a degree (about 0.1 m), three of a metre.
	decimals int
	// geographic is true when coordinates are degrees, to be range checked.
	geographic bool
}

const (
	uriEPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
	uriEPSG3006 = "http://www.opengis.net/def/crs/EPSG/0/3006"
)

var (
	crsCRS84 = &crs{uri: crs84, toCRS: same, toWGS84: same, decimals: precision, geographic: true}
	crs4326  = &crs{uri: uriEPSG4326, toCRS: swap, toWGS84: swap, decimals: precision, geographic: true}
	crs3006  = &crs{
		uri:      uriEPSG3006,
		toCRS:    func(g orb.Geometry) orb.Geometry { return swap(geo.ToSWEREF99TMFromWGS84(g)) },
		toWGS84:  func(g orb.Geometry) orb.Geometry { return geo.ToWGS84FromSWEREF99TM(swap(g)) },
		decimals: 3,
	}
	// systems lists what collections offer, storage's first.
	systems = []*crs{crsCRS84, crs4326, crs3006}
)

func crsURIs() []string {
	out := make([]string, len(systems))
	for i, c := range systems {
		out[i] = c.uri
	}
	return out
}

func same(g orb.Geometry) orb.Geometry { return g }

// swap exchanges the axes: longitude/latitude to latitude/longitude,
// easting/northing to northing/easting, and back.
func swap(g orb.Geometry) orb.Geometry {
	if g == nil {
		return nil
	}
	return project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })
}

// parseCRS reads the crs, bbox-crs or filter-crs parameter named param.
// The URI is compared as OGC writes it; the scheme https is taken too,
// since people copy it from their browsers.
func parseCRS(param, s string) (*crs, error) {
	u := strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		u = "http://" + rest
	}
	for _, c := range systems {
		if u == c.uri {
			return c, nil
		}
	}
	return nil, invalid("%s: unsupported coordinate reference system %q; want one of %s", param, s, strings.Join(crsURIs(), ", "))
}

// boxToWGS84 turns a box given in c, axes in c's order, into what a store
// filters on: a longitude/latitude box for the geographic systems, and
// for SWEREF 99 TM the polygon the box is in longitude and latitude,
// whose edges bend a little, drawn with enough points that it stays
// within millimetres of the box. ok is false when a corner lies outside
// the range longitudes and latitudes have.
func boxToWGS84(c *crs, b orb.Bound) (box *orb.Bound, poly orb.Geometry, err error) {
	if c.geographic {
		g := c.toWGS84(b).(orb.Bound)
		for _, p := range []orb.Point{g.Min, g.Max} {
			if err := geo.CheckLonLat(p[0], p[1]); err != nil {
				return nil, nil, invalid("bbox: %v", err)
			}
		}
		return &g, nil, nil
	}
	g := c.toWGS84(densify(b)).(orb.Polygon)
	for _, p := range g[0] {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || geo.CheckLonLat(p[0], p[1]) != nil || !sweden.Contains(p) {
			return nil, nil, invalid("bbox: the box lies outside the area SWEREF 99 TM is defined for (Sweden and its waters)")
		}
	}
	return nil, g, nil
}

// sweden is where SWEREF 99 TM is used, with a wide margin: its
// conversion means nothing far outside.
var sweden = orb.Bound{Min: orb.Point{0, 50}, Max: orb.Point{35, 75}}

// densify draws a box in a projected system as a polygon with enough
// points on each edge that, converted to longitude and latitude, its
// bent edges stay within millimetres of the box's.
func densify(b orb.Bound) orb.Polygon {
	const steps = 32
	corners := []orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min}
	ring := make(orb.Ring, 0, 4*steps+1)
	for i := 0; i < 4; i++ {
		a, z := corners[i], corners[i+1]
		for s := 0; s < steps; s++ {
			f := float64(s) / steps
			ring = append(ring, orb.Point{a[0] + (z[0]-a[0])*f, a[1] + (z[1]-a[1])*f})
		}
	}
	return orb.Polygon{append(ring, ring[0])}
}
