package db

import (
	"math"
	"time"

	"github.com/areagraph/areagraph/geo"
	"github.com/paulmach/orb"
)

// Near selects records within RadiusMeters of Point, nearest first.
// Distances are on the WGS 84 ellipsoid, measured as PostGIS geography
// measures them: geo.DistanceToGeometry.
type Near struct {
	Point        orb.Point
	RadiusMeters float64
}

// Spatial are the location filters shared by every kind of record. A record
// passes when it passes every filter that is set.
type Spatial struct {
	// BBox keeps records whose geometry intersects the box (edges included).
	BBox *orb.Bound
	// Intersects keeps records whose geometry intersects this one.
	Intersects orb.Geometry
	// Near keeps records within a distance and orders them nearest first.
	Near *Near
	// Within keeps point records (organisations, initiatives) within a
	// distance of a geometry, e.g. of an area's outline.
	Within *Within
}

// ValidateWithin checks the Within part of a filter on records that are
// points (organisations, initiatives) or not (areas): the contract defines
// Within on locations only, so on areas it is refused rather than given a
// meaning of the store's own.
func (sp *Spatial) ValidateWithin(points bool) error {
	if sp.Within == nil {
		return nil
	}
	if !points {
		return Errorf(EINVALID, "within applies to organisations and initiatives")
	}
	return sp.Within.Validate()
}

// Within selects records whose location lies within Meters of Geometry
// (distance on the WGS 84 ellipsoid to its nearest point, 0 inside a
// polygon, as geo.PointsDistance measures it).
type Within struct {
	Geometry orb.Geometry
	Meters   float64
}

// Bound returns a box that holds every point within Meters of Geometry, so
// that a spatial index can pick the candidates the exact distance test then
// judges. Both stores use it, so they look at the same candidates; the arc
// maths is geo.WithinBound's. w must be valid.
func (w *Within) Bound() orb.Bound { return geo.WithinBound(w.Geometry, w.Meters) }

// Validate checks a Within filter before a store runs it: a distance that
// is a finite number of metres, 0 or more, and a geometry with at least one
// position, every one of them in WGS 84 range, which geography needs.
// The geometry is not checked for topology: it is usually an area's own
// outline, checked when the area was stored.
func (w *Within) Validate() error {
	if math.IsNaN(w.Meters) || math.IsInf(w.Meters, 0) || w.Meters < 0 {
		return Errorf(EINVALID, "within: the distance must be a finite number of metres, 0 or more, got %g", w.Meters)
	}
	if w.Geometry == nil {
		return Errorf(EINVALID, "within: a geometry is required")
	}
	n := 0
	var bad error
	geo.EachChain(w.Geometry, func(pts []orb.Point) {
		for _, p := range pts {
			n++
			if err := ValidatePoint(p); err != nil && bad == nil {
				bad = err
			}
		}
	})
	if bad != nil {
		return Errorf(EINVALID, "within: %s", bad.Error())
	}
	if n == 0 {
		return Errorf(EINVALID, "within: the geometry is empty")
	}
	return nil
}

// CheckAreasAt checks the point and the day of an AreasAt query. Every
// backend calls it before anything else, so a point out of WGS 84 range
// (NaN and the infinities included) or a day out of range is the same
// EINVALID error from each, never no areas from one store and an error
// from another; the boundaries ±180 and ±90 are in range.
func CheckAreasAt(pt orb.Point, on time.Time) error {
	if err := geo.CheckLonLat(pt[0], pt[1]); err != nil {
		return Errorf(EINVALID, "areasAt: %v", err)
	}
	if err := CheckValidOn(on); err != nil {
		return Errorf(EINVALID, "areasAt: %s", err.Error())
	}
	return nil
}
