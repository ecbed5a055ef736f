package db

import (
	"slices"
	"time"
)

// The overlap of areas, which the roll-up of indicator values rests on
// (rollup.go). Statistics arrive per statistical area (DeSO, RegSO: areas
// of kind KindStatisticalArea); the municipality draws its priority areas
// and districts across their borders. How much of each statistical area
// lies in a target is measured planar in SWEREF 99 TM (EPSG:3006), the
// national projected system, where a square metre is a square metre
// across Sweden: the embedded store with geo.IntersectionArea, PostGIS
// with ST_Area(ST_Intersection(ST_Transform(…, 3006), …)). db/dbtest pins
// that the two agree within OverlapTolerance.

// OverlapTolerance is the relative difference the backends' overlaps may
// have: the projections differ by less than a tenth of a millimetre, the
// overlays by rounding.
const OverlapTolerance = 1e-6

// MaxOverlapTargets caps the targets of one AreaOverlaps call, as
// MaxCompared caps a comparison above.
const MaxOverlapTargets = 500

// MaxOverlapSources caps the statistical areas one target is measured
// against. Sweden has about 6,000 DeSO in all, so a municipality, or a
// target drawn across one, stays below it; a target beyond it is an
// EINVALID error rather than a request that runs for minutes.
const MaxOverlapSources = 10_000

// MinSharedArea is the smallest shared surface, in m², that makes a
// statistical area a source: outlines are not drawn finer than a
// decimetre, and below it both overlays return rounding noise along edges
// that only touch, where one backend could find 1e-9 m² and the other 0.
const MinSharedArea = 0.01

// Overlaps is what one target shares with the statistical areas.
type Overlaps struct {
	TargetID int64
	// TargetArea is the target's surface in m² (planar, SWEREF 99 TM).
	TargetArea float64
	// Sources are the statistical areas whose surface meets the target's
	// in more than an edge (MinSharedArea), by id; an area that only
	// touches is not one. A statistical area has none: its values are
	// measured, never derived.
	Sources []Overlap
}

// Clone returns a copy of o that shares nothing with it, as Area.Clone.
func (o *Overlaps) Clone() *Overlaps {
	if o == nil {
		return nil
	}
	c := *o
	c.Sources = slices.Clone(o.Sources)
	for i := range c.Sources {
		c.Sources[i].ValidFrom = clonePtr(c.Sources[i].ValidFrom)
		c.Sources[i].ValidTo = clonePtr(c.Sources[i].ValidTo)
	}
	return &c
}

// Overlap is one statistical area's part in a target.
type Overlap struct {
	SourceID   int64
	SourceCode string
	// The source's period of use (Area.ValidFrom, ValidTo): the roll-up
	// of a year takes the edition in use on YearDay.
	ValidFrom, ValidTo *time.Time
	// SourceArea is the source's surface, Shared the part of it inside
	// the target, both in m² (planar, SWEREF 99 TM).
	SourceArea float64
	Shared     float64
}

// Share is the part of the source's surface inside the target, 0 to 1.
func (o Overlap) Share() float64 {
	if o.SourceArea <= 0 {
		return 0
	}
	return min(o.Shared/o.SourceArea, 1)
}

// CheckOverlapTargets checks an AreaOverlaps call before a backend works.
func CheckOverlapTargets(ids []int64) error {
	if len(ids) > MaxOverlapTargets {
		return Errorf(EINVALID, "overlaps of at most %d areas at once, got %d", MaxOverlapTargets, len(ids))
	}
	return nil
}

// TooManySources is the error for a target drawn across more statistical
// areas than MaxOverlapSources.
func TooManySources(id int64) error {
	return Errorf(EINVALID, "area %s overlaps more than %d statistical areas; roll-ups are made for smaller areas",
		GlobalID(TypeArea, id), MaxOverlapSources)
}
