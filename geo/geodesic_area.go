package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// ellipsoidArea is the area of the whole WGS 84 ellipsoid, 4π c².
var ellipsoidArea = 4 * math.Pi * geodC2

// accumulator sums in double-double, so that the areas of many thin
// strips between the edges and the equator, each up to a quarter of the
// Earth, cancel down to a district's area without losing its digits.
type accumulator struct{ s, t float64 }

func (a *accumulator) add(x float64) {
	var u float64
	x, u = twoSum(x, a.t)
	a.s, a.t = twoSum(x, a.s)
	a.t += u
}

// remainder reduces the sum modulo y into [-y/2, y/2].
func (a *accumulator) remainder(y float64) {
	a.s = math.Remainder(a.s, y)
	a.add(0)
}

func (a *accumulator) sum() float64 { return a.s + a.t }

// transit is +1 when the edge from lon1 to lon2, the shorter way round,
// crosses the prime meridian eastwards, -1 westwards, else 0. An edge
// ending on the meridian counts on one side only, so that a ring whose
// vertex lies on it crosses once.
func transit(lon1, lon2 float64) int {
	lon1 = math.Remainder(lon1, 360)
	lon2 = math.Remainder(lon2, 360)
	lon12, _ := angDiff(lon1, lon2)
	switch {
	case lon1 <= 0 && lon2 > 0 && lon12 > 0:
		return 1
	case lon2 <= 0 && lon1 > 0 && lon12 < 0:
		return -1
	}
	return 0
}

// ringGeodesicArea is the signed area in square metres of the ring r on
// the WGS 84 ellipsoid, edges taken as geodesics, counter-clockwise
// positive: the sum over the edges of the area between each edge and the
// equator (eq. 58 of Karney's paper, with the area series I₄ of eq. 64).
//
// The strips are measured within each edge's own longitude span, so a
// ring that winds round a pole sums to its area less half the
// ellipsoid's, or more: the number of times the edges cross the prime
// meridian tells, and an odd count adds or takes away that half. The
// result is reduced to (-A/2, A/2] for the ellipsoid's area A, which
// settles which of the two sides of the ring is meant: the smaller. This
// is what GeographicLib's PolygonArea computes, and through it PostGIS for
// ST_Area(geography).
func ringGeodesicArea(r orb.Ring) float64 {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	if n < 3 {
		return 0
	}
	var sum accumulator
	crossings := 0
	for i := range n {
		a, b := r[i], r[(i+1)%n]
		sum.add(geodInverse(a[1], a[0], b[1], b[0], true).area12)
		crossings += transit(a[0], b[0])
	}
	sum.remainder(ellipsoidArea)
	area := sum.sum()
	if crossings&1 != 0 {
		if area < 0 {
			area += ellipsoidArea / 2
		} else {
			area -= ellipsoidArea / 2
		}
	}
	// The strips sum the other way round: an edge running east has the
	// area between it and the equator on its right.
	area = -area
	if area > ellipsoidArea/2 {
		area -= ellipsoidArea
	} else if area <= -ellipsoidArea/2 {
		area += ellipsoidArea
	}
	return area
}

// ringArea is the unsigned area of r on the WGS 84 ellipsoid; an unclosed
// ring is taken as closed.
func ringArea(r orb.Ring) float64 { return math.Abs(ringGeodesicArea(r)) }
