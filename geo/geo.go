// Package geo holds the geometry work of areagraph on top of orb: the
// GeoJSON scalar, validation of geometry from outside, geodesic measures,
// and the predicates both storage backends share so that they agree.
package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadius is the mean radius of the WGS 84 ellipsoid, (2a+b)/3, in
// metres. Every distance areagraph reports is a great-circle distance on a
// sphere of this radius; PostGIS uses the same sphere for geography
// distances with use_spheroid = false, so both backends agree.
const EarthRadius = 6371008.7714150598

// Distance is the great-circle distance in metres between two WGS 84 points
// (haversine formula, stable for short distances).
func Distance(a, b orb.Point) float64 {
	lat1, lat2 := rad(a[1]), rad(b[1])
	dlat := lat2 - lat1
	dlon := rad(b[0] - a[0])
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * EarthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }

// MinDistance is the smallest Distance from p to any of pts; +Inf when pts
// is empty.
func MinDistance(p orb.Point, pts []orb.Point) float64 {
	d := math.Inf(1)
	for _, q := range pts {
		d = math.Min(d, Distance(p, q))
	}
	return d
}

// RadiusBound returns a box that holds every point within r metres of p. It
// is a prefilter for spatial indexes; the exact test is Distance.
func RadiusBound(p orb.Point, r float64) orb.Bound {
	dlat := r / EarthRadius * 180 / math.Pi
	// Widen by a hair so points exactly on the radius are never cut off
	// by rounding in the box test.
	dlat = dlat*1.000001 + 1e-9
	minLat, maxLat := p[1]-dlat, p[1]+dlat
	var dlon float64
	if maxLat >= 90 || minLat <= -90 {
		dlon = 180
	} else {
		c := math.Cos(rad(math.Max(math.Abs(minLat), math.Abs(maxLat))))
		dlon = math.Min(180, dlat/c)
	}
	return orb.Bound{
		Min: orb.Point{math.Max(-180, p[0]-dlon), math.Max(-90, minLat)},
		Max: orb.Point{math.Min(180, p[0]+dlon), math.Min(90, maxLat)},
	}
}

// BoundGeometry is the geometry a bounding box stands for when it is used
// as a filter. A box collapsed to a line or a point is that line or point:
// as a polygon it would have no interior and, to PostGIS as to the
// point-in-polygon test, no points at all, where a filter's edges count.
func BoundGeometry(b orb.Bound) orb.Geometry {
	switch {
	case b.Min == b.Max:
		return b.Min
	case b.Min[0] == b.Max[0] || b.Min[1] == b.Max[1]:
		return orb.LineString{b.Min, b.Max}
	}
	return b.ToPolygon()
}
