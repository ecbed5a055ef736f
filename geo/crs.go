package geo

import (
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

// Coordinate reference systems areagraph reads, by their EPSG names. The
// full list, with the local SWEREF 99 zones and RT90, is in systems below;
// these have names because other code refers to them.
const (
	// CRSWGS84 is longitude/latitude on WGS 84, the system areagraph
	// stores and serves.
	CRSWGS84 = "EPSG:4326"
	// CRSSWEREF99TM is SWEREF 99 TM, the national projected system of
	// Sweden, in metres (easting, northing). Statistics Sweden publishes
	// DeSO and RegSO boundaries in it.
	CRSSWEREF99TM = "EPSG:3006"
	// CRSRT90 is RT90 2.5 gon V, the national grid before SWEREF 99, still
	// found in older municipal files.
	CRSRT90 = "EPSG:3021"
)

// The ellipsoids: GRS 80 (SWEREF 99) and Bessel 1841 (RT90), as EPSG and
// PROJ define them. WGS 84's differs from GRS 80 in the flattening by a
// part in 10¹¹, which moves a point by less than a micrometre; the datum
// shift from RT90 lands on WGS 84's, as PROJ's pipeline does.
const (
	grs80A      = 6378137.0
	grs80F      = 1 / 298.257222101
	wgs84A      = 6378137.0
	wgs84F      = 1 / 298.257223563
	bessel1841A = 6377397.155
	bessel1841F = 1 / 299.1528128
)

// The SWEREF 99 TM projection: a transverse Mercator on the GRS 80
// ellipsoid, as Lantmäteriet defines it.
const (
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

// forward projects a point (longitude, latitude in degrees on the grid's
// own datum: WGS 84 for SWEREF 99, Bessel's RT90 for RT90) to grid
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

// inverse takes grid coordinates (easting, northing) back to longitude and
// latitude in degrees on the grid's own datum.
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
// taken as one datum, as EPSG and PROJ take them: they differ by a few
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

// helmert is a seven-parameter datum shift between geocentric Cartesian
// coordinates, done exactly as PROJ's +proj=helmert does it with
// +convention=coordinate_frame and without +exact: the rotation is the
// small-angle matrix, and the reverse applies its transpose. Doing the same
// arithmetic, not a textbook variant, is what keeps areagraph within a
// millimetre of PROJ: the transpose and the true inverse of the
// small-angle matrix differ by some millimetres at the Earth's radius.
type helmert struct {
	from, to ellipsoid
	t        [3]float64    // translation, metres
	r        [3][3]float64 // rotation
}

type ellipsoid struct{ a, f float64 }

func newHelmert(from, to ellipsoid, tx, ty, tz, rxSec, rySec, rzSec float64) *helmert {
	sec := math.Pi / 180 / 3600
	rx, ry, rz := rxSec*sec, rySec*sec, rzSec*sec
	return &helmert{from: from, to: to, t: [3]float64{tx, ty, tz}, r: [3][3]float64{
		{1, rz, -ry},
		{-rz, 1, rx},
		{ry, -rx, 1},
	}}
}

// forward shifts a longitude/latitude (degrees, height 0) on the from
// datum to the to datum; the height that results is dropped, as PROJ's
// pipeline drops it (push/pop of the vertical).
func (h *helmert) forward(p orb.Point) orb.Point {
	x := h.from.cartesian(p)
	var y [3]float64
	for i := range 3 {
		y[i] = h.r[i][0]*x[0] + h.r[i][1]*x[1] + h.r[i][2]*x[2] + h.t[i]
	}
	return h.to.geodetic(y)
}

// inverse is forward's reverse, through the transposed rotation.
func (h *helmert) inverse(p orb.Point) orb.Point {
	y := h.to.cartesian(p)
	for i := range 3 {
		y[i] -= h.t[i]
	}
	var x [3]float64
	for i := range 3 {
		x[i] = h.r[0][i]*y[0] + h.r[1][i]*y[1] + h.r[2][i]*y[2]
	}
	return h.from.geodetic(x)
}

// cartesian is the geocentric position of a longitude/latitude at height 0.
func (e ellipsoid) cartesian(p orb.Point) [3]float64 {
	e2 := e.f * (2 - e.f)
	lam, phi := p[0]*math.Pi/180, p[1]*math.Pi/180
	sphi, cphi := math.Sincos(phi)
	slam, clam := math.Sincos(lam)
	n := e.a / math.Sqrt(1-e2*sphi*sphi)
	return [3]float64{n * cphi * clam, n * cphi * slam, n * (1 - e2) * sphi}
}

// geodetic is the longitude/latitude of a geocentric position, by
// Bowring's closed form as PROJ's +proj=cart uses it; for points within
// kilometres of the ellipsoid it is exact to far below a micrometre.
func (e ellipsoid) geodetic(x [3]float64) orb.Point {
	e2 := e.f * (2 - e.f)
	b := e.a * (1 - e.f)
	ep2 := e2 / (1 - e2)
	p := math.Hypot(x[0], x[1])
	theta := math.Atan2(x[2]*e.a, p*b)
	s, c := math.Sincos(theta)
	phi := math.Atan2(x[2]+ep2*b*s*s*s, p-e2*e.a*c*c*c)
	lam := math.Atan2(x[1], x[0])
	return orb.Point{lam * 180 / math.Pi, phi * 180 / math.Pi}
}

// A system is a coordinate reference system areagraph converts from and
// to: a transverse Mercator grid on its datum's ellipsoid and, for RT90,
// the datum shift to WGS 84.
type system struct {
	code, name string
	kind       systemKind
	grid       *gaussKruger
	datum      *helmert  // nil when the datum is SWEREF 99, taken as WGS 84
	use        orb.Bound // EPSG's area of use, longitude/latitude
	// extent is use in grid coordinates: where the system's coordinates
	// fall in Sweden and its waters. DetectCRS compares files with it.
	extent orb.Bound
}

type systemKind int

const (
	kindNational systemKind = iota // SWEREF 99 TM
	kindLocal                      // a local SWEREF 99 zone
	kindRT90                       // RT90
)

// toWGS84 converts one grid position to WGS 84 longitude/latitude.
func (s *system) toWGS84(p orb.Point) orb.Point {
	p = s.grid.inverse(p)
	if s.datum != nil {
		p = s.datum.forward(p)
	}
	return p
}

// fromWGS84 converts a WGS 84 longitude/latitude to a grid position.
func (s *system) fromWGS84(p orb.Point) orb.Point {
	if s.datum != nil {
		p = s.datum.inverse(p)
	}
	return s.grid.forward(p)
}

// The RT90 → WGS 84 shift is EPSG:1896, "RT90 to WGS 84 (2)", the one
// PROJ 9 picks for EPSG:3021 → EPSG:4326 (projinfo -s EPSG:3021 -t
// EPSG:4326 lists it alone): a seven-parameter Helmert, coordinate frame
// convention, stated to 1 m. Following PROJ rather than Lantmäteriet's
// direct projection from RT90 to SWEREF 99 (Gauss–Krüger with fitted
// "false" ellipsoid parameters, good to a decimetre or so) keeps one
// reference: files converted by GDAL, QGIS or PostGIS and files imported
// here agree to the millimetre, and the tests check against cs2cs. The
// metre of uncertainty of either shift is well below what municipal
// boundaries are drawn to.
var rt90ToWGS84 = newHelmert(ellipsoid{bessel1841A, bessel1841F}, ellipsoid{wgs84A, wgs84F},
	414.1, 41.3, 603.1, 0.855, -2.141, 7.023)

// systems are all the projected systems areagraph converts, with their
// parameters as EPSG gives them (projinfo EPSG:nnnn): the local SWEREF 99
// zones are transverse Mercator on GRS 80 with scale 1 on their central
// meridian and a false easting of 150 000 m; RT90 2.5 gon V has the same
// on Bessel 1841 with 1 500 000 m, around 15° 48′ 29.8″ E.
var systems = func() []*system {
	b := func(south, west, north, east float64) orb.Bound {
		return orb.Bound{Min: orb.Point{west, south}, Max: orb.Point{east, north}}
	}
	grs80 := func(lon0, k0, fe float64) *gaussKruger { return newGaussKruger(grs80A, grs80F, lon0, k0, fe, 0) }
	local := func(code, name string, lon0 float64, use orb.Bound) *system {
		return &system{code: code, name: "SWEREF 99 " + name, kind: kindLocal, grid: grs80(lon0, 1, 150000), use: use}
	}
	all := []*system{
		{code: CRSSWEREF99TM, name: "SWEREF 99 TM", kind: kindNational, grid: sweref99TM, use: b(54.96, 10.03, 69.07, 24.17)},
		local("EPSG:3007", "12 00", 12, b(56.74, 10.93, 60.13, 13.11)),
		local("EPSG:3008", "13 30", 13.5, b(55.28, 12.12, 62.28, 14.79)),
		local("EPSG:3009", "15 00", 15, b(55.95, 13.54, 61.62, 16.15)),
		local("EPSG:3010", "16 30", 16.5, b(56.15, 15.41, 62.26, 17.63)),
		local("EPSG:3011", "18 00", 18, b(58.66, 17.08, 60.7, 19.61)),
		local("EPSG:3012", "14 15", 14.25, b(61.55, 11.93, 64.39, 15.55)),
		local("EPSG:3013", "15 45", 15.75, b(60.44, 13.66, 65.13, 17.01)),
		local("EPSG:3014", "17 15", 17.25, b(62.12, 14.31, 67.19, 19.04)),
		local("EPSG:3015", "18 45", 18.75, b(56.86, 17.18, 66.17, 20.22)),
		local("EPSG:3016", "20 15", 20.25, b(63.45, 16.08, 69.07, 23.28)),
		local("EPSG:3017", "21 45", 21.75, b(65.01, 19.63, 66.43, 22.91)),
		local("EPSG:3018", "23 15", 23.25, b(65.49, 21.85, 68.14, 24.17)),
		{code: CRSRT90, name: "RT90 2.5 gon V", kind: kindRT90,
			grid:  newGaussKruger(bessel1841A, bessel1841F, 15+48.0/60+29.8/3600, 1, 1500000, 0),
			datum: rt90ToWGS84, use: b(55.28, 10.93, 69.07, 24.17)},
	}
	for _, s := range all {
		s.extent = gridExtent(s)
	}
	return all
}()

// gridExtent is the bound of s's area of use in grid coordinates, from a
// mesh over it: the extreme eastings lie on the area's corners and the
// extreme northings can lie between them, on the central meridian.
func gridExtent(s *system) orb.Bound {
	const steps = 32
	var ext orb.Bound
	for i := range steps + 1 {
		for j := range steps + 1 {
			p := orb.Point{
				s.use.Min[0] + (s.use.Max[0]-s.use.Min[0])*float64(i)/steps,
				s.use.Min[1] + (s.use.Max[1]-s.use.Min[1])*float64(j)/steps,
			}
			g := s.fromWGS84(p)
			if i == 0 && j == 0 {
				ext = orb.Bound{Min: g, Max: g}
			}
			ext = ext.Extend(g)
		}
	}
	return ext
}

func systemByCode(code string) *system {
	for _, s := range systems {
		if s.code == code {
			return s
		}
	}
	return nil
}

// A CRS names one system areagraph converts: its EPSG name and its own.
type CRS struct {
	Code, Name string
}

// SupportedCRS lists the systems ParseCRS accepts, WGS 84 first.
func SupportedCRS() []CRS {
	out := []CRS{{CRSWGS84, "WGS 84"}}
	for _, s := range systems {
		out = append(out, CRS{s.code, s.name})
	}
	return out
}

// DetectCRS tells the coordinate system of data from the box its
// coordinates span, and only where that cannot be a guess: CRSWGS84 when
// they are all valid longitudes and latitudes, CRSSWEREF99TM when they lie
// where Swedish SWEREF 99 TM coordinates do and nowhere a local zone's
// could. The local zones' eastings (150 000 m on each central meridian,
// some −60 000 to 300 000 m over their areas of use) overlap SWEREF 99
// TM's west (from 181 896 m), and read as SWEREF 99 TM they land in the
// sea or in Norway without any error; the zones cannot be told from each
// other at all, and RT90's coordinates are shared by its six zones. So
// any of those is an error that names the systems the coordinates fit and
// asks for --crs.
func DetectCRS(bound orb.Bound) (string, error) {
	if inRange(bound.Min) && inRange(bound.Max) {
		return CRSWGS84, nil
	}
	fits := fitting(bound)
	if len(fits) == 1 && fits[0].kind == kindNational {
		return CRSSWEREF99TM, nil
	}
	span := fmtPoint(bound.Min) + " to " + fmtPoint(bound.Max)
	if len(fits) == 0 {
		// Written latitude or northing first, as the EPSG definitions
		// order the axes, a file fits nothing; say so rather than only
		// ask for a system.
		hint := ""
		swapped := orb.Bound{Min: orb.Point{bound.Min[1], bound.Min[0]}, Max: orb.Point{bound.Max[1], bound.Max[0]}}
		if len(fitting(swapped)) > 0 || inRange(swapped.Min) && inRange(swapped.Max) {
			hint = "; with the two axes exchanged they would fit: check the axis order, " +
				"GeoJSON writes longitude (or easting) first"
		}
		return "", fmt.Errorf("geo: cannot tell the coordinate system of coordinates spanning %s: "+
			"they are neither longitude/latitude (%s) nor where Swedish grid coordinates lie "+
			"(SWEREF 99 TM %s, the local SWEREF 99 zones EPSG:3007–3018, RT90 %s)%s; name the system with --crs",
			span, CRSWGS84, CRSSWEREF99TM, CRSRT90, hint)
	}
	names := make([]string, len(fits))
	codes := make([]string, len(fits))
	for i, s := range fits {
		names[i] = s.name + " (" + s.code + ")"
		codes[i] = s.code
	}
	var why string
	switch {
	case fits[0].kind == kindNational:
		why = "SWEREF 99 TM's western eastings are also the local zones' eastings"
	case fits[0].kind == kindRT90:
		why = "RT90's six zones share this range and areagraph reads 2.5 gon V only"
	default:
		why = "the local zones all put 150 000 m on their own central meridian"
	}
	return "", fmt.Errorf("geo: cannot tell the coordinate system of coordinates spanning %s: "+
		"they fit %s; %s, so areagraph does not guess: name the system with --crs (%s)",
		span, strings.Join(names, ", "), why, strings.Join(codes, ", "))
}

// fitting lists the projected systems whose extent holds bound.
func fitting(bound orb.Bound) []*system {
	var fits []*system
	for _, s := range systems {
		if s.extent.Contains(bound.Min) && s.extent.Contains(bound.Max) {
			fits = append(fits, s)
		}
	}
	return fits
}

// crsAliases maps names other than EPSG codes that files and people use
// for the two systems named alike everywhere. RT90 and the local zones
// are named by code only: "RT90" alone does not say which of six zones.
var crsAliases = map[string]string{
	"WGS84":                         CRSWGS84,
	"URN:OGC:DEF:CRS:OGC:1.3:CRS84": CRSWGS84,
	"URN:OGC:DEF:CRS:OGC::CRS84":    CRSWGS84,
	"CRS84":                         CRSWGS84,
	"SWEREF99TM":                    CRSSWEREF99TM,
}

// ParseCRS returns the EPSG name ("EPSG:nnnn") of a coordinate system
// named in any of the usual ways, case and spaces aside: "EPSG:3008",
// "3008", the OGC URN GeoJSON's legacy "crs" member uses
// ("urn:ogc:def:crs:EPSG::3008"), and a few names of WGS 84 and SWEREF 99
// TM; an error naming the supported systems for any other.
func ParseCRS(name string) (string, error) {
	key := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(name), " ", ""))
	if crs, ok := crsAliases[key]; ok {
		return crs, nil
	}
	code := key
	for _, prefix := range []string{"URN:OGC:DEF:CRS:EPSG::", "EPSG:"} {
		code = strings.TrimPrefix(code, prefix)
	}
	if code != "" && strings.Trim(code, "0123456789") == "" {
		if c := "EPSG:" + code; c == CRSWGS84 || systemByCode(c) != nil {
			return c, nil
		}
	}
	codes := make([]string, 0, len(systems)+1)
	for _, c := range SupportedCRS() {
		codes = append(codes, c.Code)
	}
	return "", fmt.Errorf("geo: unsupported coordinate system %q; areagraph reads %s",
		name, strings.Join(codes, ", "))
}

// ToWGS84 converts g from the system crs (as ParseCRS returns it) to WGS
// 84; a geometry already in WGS 84 comes back as it is. g is not changed.
func ToWGS84(g orb.Geometry, crs string) (orb.Geometry, error) {
	if crs == CRSWGS84 {
		return g, nil
	}
	s := systemByCode(crs)
	if s == nil {
		return nil, fmt.Errorf("geo: cannot convert from %q", crs)
	}
	return transform(g, s.toWGS84), nil
}

// FromWGS84 converts g from WGS 84 to the system crs, the inverse of
// ToWGS84. g is not changed. For RT90 the two are inverse to some
// millimetres only (up to 4.6 mm across Sweden), exactly as PROJ's are:
// the datum shift's reverse applies the transposed rotation.
func FromWGS84(g orb.Geometry, crs string) (orb.Geometry, error) {
	if crs == CRSWGS84 {
		return g, nil
	}
	s := systemByCode(crs)
	if s == nil {
		return nil, fmt.Errorf("geo: cannot convert to %q", crs)
	}
	return transform(g, s.fromWGS84), nil
}
