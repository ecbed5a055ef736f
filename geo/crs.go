package geo

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

// Coordinate reference systems areagraph reads, by their EPSG names.
const (
	// CRSWGS84 is longitude/latitude on WGS 84, the system areagraph
	// stores and serves.
	CRSWGS84 = "EPSG:4326"
	// CRSSWEREF99TM is SWEREF 99 TM, the national projected system of
	// Sweden, in metres (easting, northing). Statistics Sweden publishes
	// DeSO and RegSO boundaries in it.
	CRSSWEREF99TM = "EPSG:3006"
)

// The SWEREF 99 TM projection: a transverse Mercator on the GRS 80
// ellipsoid, as Lantmäteriet defines it.
const (
	grs80A         = 6378137.0
	grs80F         = 1 / 298.257222101
	sweref99TMLon0 = 15.0
	sweref99TMK0   = 0.9996
	sweref99TMFE   = 500000.0
	sweref99TMFN   = 0.0
)

// gaussKruger holds the series coefficients of Lantmäteriet's formulas for
// the Gauss conformal projection ("Gauss–Krüger"), worked out once. The
// series are truncated after the eighth power of the eccentricity, which
// Lantmäteriet gives as good to a tenth of a millimetre within Sweden.
type gaussKruger struct {
	lon0, k0, fe, fn float64
	aHat             float64    // the rectifying radius â
	ab, ba           [4]float64 // φ → conformal latitude φ*, and back
	beta, delta      [4]float64 // the forward and inverse Krüger series
}

var sweref99TM = newGaussKruger(grs80A, grs80F, sweref99TMLon0, sweref99TMK0, sweref99TMFE, sweref99TMFN)

func newGaussKruger(a, f, lon0, k0, fe, fn float64) *gaussKruger {
	e2 := f * (2 - f)
	e4, e6, e8 := e2*e2, e2*e2*e2, e2*e2*e2*e2
	n := f / (2 - f)
	n2, n3, n4 := n*n, n*n*n, n*n*n*n
	return &gaussKruger{
		lon0: lon0, k0: k0, fe: fe, fn: fn,
		aHat: a / (1 + n) * (1 + n2/4 + n4/64),
		ab: [4]float64{
			e2,
			(5*e4 - e6) / 6,
			(104*e6 - 45*e8) / 120,
			1237 * e8 / 1260,
		},
		ba: [4]float64{
			e2 + e4 + e6 + e8,
			-(7*e4 + 17*e6 + 30*e8) / 6,
			(224*e6 + 889*e8) / 120,
			-4279 * e8 / 1260,
		},
		beta: [4]float64{
			n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180,
			13*n2/48 - 3*n3/5 + 557*n4/1440,
			61*n3/240 - 103*n4/140,
			49561 * n4 / 161280,
		},
		delta: [4]float64{
			n/2 - 2*n2/3 + 37*n3/96 - n4/360,
			n2/48 + n3/15 - 437*n4/1440,
			17*n3/480 - 37*n4/840,
			4397 * n4 / 161280,
		},
	}
}

// latitudeSeries is φ + sin φ cos φ (c0 + c1 sin²φ + c2 sin⁴φ + c3 sin⁶φ),
// the form both latitude conversions take.
func latitudeSeries(phi float64, c [4]float64) float64 {
	s, co := math.Sincos(phi)
	s2 := s * s
	return phi + s*co*(c[0]+s2*(c[1]+s2*(c[2]+s2*c[3])))
}

// forward projects a WGS 84 point (longitude, latitude in degrees) to grid
// coordinates (easting, northing in metres).
func (g *gaussKruger) forward(p orb.Point) orb.Point {
	phi := p[1] * math.Pi / 180
	dLambda := (p[0] - g.lon0) * math.Pi / 180
	phiStar := latitudeSeries(phi, [4]float64{-g.ab[0], -g.ab[1], -g.ab[2], -g.ab[3]})
	xi := math.Atan2(math.Tan(phiStar), math.Cos(dLambda))
	eta := math.Atanh(math.Cos(phiStar) * math.Sin(dLambda))
	x, y := xi, eta
	for j, b := range g.beta {
		k := float64(2 * (j + 1))
		x += b * math.Sin(k*xi) * math.Cosh(k*eta)
		y += b * math.Cos(k*xi) * math.Sinh(k*eta)
	}
	return orb.Point{g.k0*g.aHat*y + g.fe, g.k0*g.aHat*x + g.fn}
}

// inverse takes grid coordinates (easting, northing) back to WGS 84
// longitude and latitude in degrees.
func (g *gaussKruger) inverse(p orb.Point) orb.Point {
	xi := (p[1] - g.fn) / (g.k0 * g.aHat)
	eta := (p[0] - g.fe) / (g.k0 * g.aHat)
	x, y := xi, eta
	for j, d := range g.delta {
		k := float64(2 * (j + 1))
		x -= d * math.Sin(k*xi) * math.Cosh(k*eta)
		y -= d * math.Cos(k*xi) * math.Sinh(k*eta)
	}
	phiStar := math.Asin(math.Sin(x) / math.Cosh(y))
	dLambda := math.Atan2(math.Sinh(y), math.Cos(x))
	phi := latitudeSeries(phiStar, g.ba)
	return orb.Point{g.lon0 + dLambda*180/math.Pi, phi * 180 / math.Pi}
}

// ToWGS84FromSWEREF99TM converts g from SWEREF 99 TM (EPSG:3006; easting,
// northing in metres) to WGS 84 longitude/latitude, with the Gauss–Krüger
// formulas Lantmäteriet publishes; across Sweden the result is within a
// tenth of a millimetre of the exact projection. SWEREF 99 and WGS 84 are
// taken as one datum, as EPSG and PostGIS take them: they differ by a few
// decimetres, below what boundaries for statistics are drawn to.
//
// g is not changed; the result is a new geometry of the same type. A Bound
// becomes the bound of its converted corners.
func ToWGS84FromSWEREF99TM(g orb.Geometry) orb.Geometry {
	return transform(g, sweref99TM.inverse)
}

// ToSWEREF99TMFromWGS84 is the inverse of ToWGS84FromSWEREF99TM: it
// projects WGS 84 longitude/latitude to SWEREF 99 TM easting and northing.
func ToSWEREF99TMFromWGS84(g orb.Geometry) orb.Geometry {
	return transform(g, sweref99TM.forward)
}

func transform(g orb.Geometry, f orb.Projection) orb.Geometry {
	if g == nil {
		return nil
	}
	// project works in place; the caller's geometry must stay as it was.
	return project.Geometry(orb.Clone(g), f)
}

// The box SWEREF 99 TM coordinates of Sweden and its waters fall in, with
// a margin: easting 180,000–1,000,000 m, northing 6,100,000–7,700,000 m.
var sweref99TMExtent = orb.Bound{Min: orb.Point{180_000, 6_100_000}, Max: orb.Point{1_000_000, 7_700_000}}

// DetectCRS tells the coordinate system of data from the box its
// coordinates span: CRSWGS84 when they are all valid longitudes and
// latitudes, CRSSWEREF99TM when they lie where Swedish SWEREF 99 TM
// coordinates do. The two ranges do not overlap, so the answer is never a
// guess between them; anything else is an error, and the caller must be
// told the system.
func DetectCRS(bound orb.Bound) (string, error) {
	within := func(b orb.Bound, lim orb.Bound) bool {
		return b.Min[0] >= lim.Min[0] && b.Max[0] <= lim.Max[0] && b.Min[1] >= lim.Min[1] && b.Max[1] <= lim.Max[1]
	}
	switch {
	case inRange(bound.Min) && inRange(bound.Max):
		return CRSWGS84, nil
	case within(bound, sweref99TMExtent):
		return CRSSWEREF99TM, nil
	}
	return "", fmt.Errorf("geo: cannot tell the coordinate system of coordinates spanning %s to %s: "+
		"they are neither longitude/latitude (%s) nor Swedish SWEREF 99 TM (%s); name the system with --crs",
		fmtPoint(bound.Min), fmtPoint(bound.Max), CRSWGS84, CRSSWEREF99TM)
}

// crsNames maps the ways files and people name the two systems to the
// EPSG names above: plain codes, EPSG and OGC URNs as GeoJSON's legacy
// "crs" member spells them, and the OGC name of longitude-first WGS 84.
var crsNames = map[string]string{
	"EPSG:4326":                     CRSWGS84,
	"4326":                          CRSWGS84,
	"WGS84":                         CRSWGS84,
	"URN:OGC:DEF:CRS:EPSG::4326":    CRSWGS84,
	"URN:OGC:DEF:CRS:OGC:1.3:CRS84": CRSWGS84,
	"URN:OGC:DEF:CRS:OGC::CRS84":    CRSWGS84,
	"CRS84":                         CRSWGS84,
	"EPSG:3006":                     CRSSWEREF99TM,
	"3006":                          CRSSWEREF99TM,
	"SWEREF99TM":                    CRSSWEREF99TM,
	"URN:OGC:DEF:CRS:EPSG::3006":    CRSSWEREF99TM,
}

// ParseCRS returns the EPSG name (CRSWGS84 or CRSSWEREF99TM) of a
// coordinate system named in any of the usual ways, case and spaces
// aside; an error for any other system, which areagraph cannot convert.
func ParseCRS(name string) (string, error) {
	key := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(name), " ", ""))
	if crs, ok := crsNames[key]; ok {
		return crs, nil
	}
	return "", fmt.Errorf("geo: unsupported coordinate system %q; areagraph reads %s (WGS 84) and %s (SWEREF 99 TM)",
		name, CRSWGS84, CRSSWEREF99TM)
}

// ToWGS84 converts g from the system crs (as ParseCRS returns it) to WGS
// 84; a geometry already in WGS 84 comes back as it is.
func ToWGS84(g orb.Geometry, crs string) (orb.Geometry, error) {
	switch crs {
	case CRSWGS84:
		return g, nil
	case CRSSWEREF99TM:
		return ToWGS84FromSWEREF99TM(g), nil
	}
	return nil, fmt.Errorf("geo: cannot convert from %q", crs)
}
