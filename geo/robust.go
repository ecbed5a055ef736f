package geo

import (
	"math"
	"math/big"

	"github.com/paulmach/orb"
)

// ccwErrBound is Shewchuk's bound on the rounding error of the float64
// orientation determinant, relative to the sum of its two products' sizes.
// Below it the sign of the rounded determinant cannot be trusted.
const ccwErrBound = (3 + 16*epsilon) * epsilon

// epsilon is half an ulp of 1.0 (2^-53), the unit of float64 rounding.
const epsilon = 1.0 / (1 << 53)

// tinyDetSum keeps products away from the subnormal range, where the
// relative error bound above no longer holds.
const tinyDetSum = 1e-290

// orient reports on which side of the directed line a→b the point c lies:
// +1 left (a, b, c counter-clockwise), -1 right, 0 exactly on the line.
// The answer is exact for every finite input. PostGIS hands ST_Intersects
// between lines and polygons to GEOS, whose orientation test is robust;
// a rounded determinant here would make the two backends disagree on
// touching shapes, the very cases people test first.
func orient(a, b, c orb.Point) int {
	adx, bdy := a[0]-c[0], b[1]-c[1]
	ady, bdx := a[1]-c[1], b[0]-c[0]
	// The sign of a float64 difference is always exact (x-y rounds to 0
	// only when x == y), so when either product is zero, or the two have
	// opposite signs, the sign of the determinant follows without rounding.
	sl := sign(adx) * sign(bdy)
	sr := sign(ady) * sign(bdx)
	switch {
	case sl == 0:
		return -sr
	case sr == 0:
		return sl
	case sl != sr:
		return sl
	}
	l, r := adx*bdy, ady*bdx
	det := l - r
	sum := math.Abs(l) + math.Abs(r)
	if sum > tinyDetSum && sum <= math.MaxFloat64 && math.Abs(det) > ccwErrBound*sum {
		return sign(det)
	}
	return orientExact(a, b, c)
}

// orientExact is the slow path of orient in rational arithmetic; it runs
// only for nearly collinear points.
func orientExact(a, b, c orb.Point) int {
	for _, v := range [...]float64{a[0], a[1], b[0], b[1], c[0], c[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0
		}
	}
	r := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	adx := new(big.Rat).Sub(r(a[0]), r(c[0]))
	ady := new(big.Rat).Sub(r(a[1]), r(c[1]))
	bdx := new(big.Rat).Sub(r(b[0]), r(c[0]))
	bdy := new(big.Rat).Sub(r(b[1]), r(c[1]))
	l := new(big.Rat).Mul(adx, bdy)
	return l.Cmp(new(big.Rat).Mul(ady, bdx))
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// between reports whether v lies in the closed interval spanned by a and b.
func between(v, a, b float64) bool {
	if a > b {
		a, b = b, a
	}
	return a <= v && v <= b
}

// onSegment reports whether p lies on the closed segment a–b, exactly.
func onSegment(p, a, b orb.Point) bool {
	return between(p[0], a[0], b[0]) && between(p[1], a[1], b[1]) && orient(a, b, p) == 0
}

// contact is how two closed segments meet.
type contact int

const (
	apart   contact = iota // no common point
	touch                  // one common point, an endpoint of at least one segment
	cross                  // one common point inside both segments
	overlap                // collinear with more than one common point
)

// intersectSegments classifies how p1–p2 and q1–q2 meet and returns a
// common point (exact for touch and overlap, rounded for cross) to name
// in messages.
func intersectSegments(p1, p2, q1, q2 orb.Point) (contact, orb.Point) {
	if p1 == p2 || q1 == q2 {
		switch {
		case p1 == p2 && q1 == q2:
			if p1 == q1 {
				return touch, p1
			}
		case p1 == p2:
			if onSegment(p1, q1, q2) {
				return touch, p1
			}
		default:
			if onSegment(q1, p1, p2) {
				return touch, q1
			}
		}
		return apart, orb.Point{}
	}
	o1, o2 := orient(p1, p2, q1), orient(p1, p2, q2)
	if o1 == 0 && o2 == 0 {
		return collinearContact(p1, p2, q1, q2)
	}
	if o1*o2 > 0 {
		return apart, orb.Point{}
	}
	o3, o4 := orient(q1, q2, p1), orient(q1, q2, p2)
	if o3*o4 > 0 {
		return apart, orb.Point{}
	}
	switch {
	case o1 == 0:
		return touch, q1
	case o2 == 0:
		return touch, q2
	case o3 == 0:
		return touch, p1
	case o4 == 0:
		return touch, p2
	}
	return cross, crossingPoint(p1, p2, q1, q2)
}

// collinearContact handles two segments on one line by comparing their
// extents along an axis the line is not perpendicular to; the comparison
// of input coordinates is exact.
func collinearContact(p1, p2, q1, q2 orb.Point) (contact, orb.Point) {
	ax := 0
	if p1[0] == p2[0] {
		ax = 1
	}
	plo, phi := p1, p2
	if plo[ax] > phi[ax] {
		plo, phi = phi, plo
	}
	qlo, qhi := q1, q2
	if qlo[ax] > qhi[ax] {
		qlo, qhi = qhi, qlo
	}
	lo := plo
	if qlo[ax] > lo[ax] {
		lo = qlo
	}
	hi := phi
	if qhi[ax] < hi[ax] {
		hi = qhi
	}
	switch {
	case lo[ax] > hi[ax]:
		return apart, orb.Point{}
	case lo[ax] == hi[ax]:
		return touch, lo
	}
	return overlap, lo
}

// crossingPoint is the rounded meeting point of two properly crossing
// segments; it only serves to tell people where to look.
func crossingPoint(p1, p2, q1, q2 orb.Point) orb.Point {
	rx, ry := p2[0]-p1[0], p2[1]-p1[1]
	sx, sy := q2[0]-q1[0], q2[1]-q1[1]
	d := rx*sy - ry*sx
	if d == 0 {
		return p1
	}
	t := ((q1[0]-p1[0])*sy - (q1[1]-p1[1])*sx) / d
	t = math.Max(0, math.Min(1, t))
	return orb.Point{p1[0] + t*rx, p1[1] + t*ry}
}
