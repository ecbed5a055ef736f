package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// The inverse geodesic problem on the WGS 84 ellipsoid, after C. F. F.
// Karney, "Algorithms for geodesics", J. Geodesy 87, 43–55 (2013),
// arXiv:1109.4448. The ellipsoid is mapped onto an auxiliary sphere by
// reduced latitude β (tan β = (1-f) tan φ); a geodesic is a great circle
// there, and distance and longitude follow from the integrals I₁ and I₃ of
// the paper, here their series to sixth order in the third flattening n
// and in ε (eqs. 15–25, 64), derived by geo/testdata/geodesic/series.py.
// Given two points the azimuth α₁ at the first is found by Newton's
// method on the longitude difference λ₁₂(α₁) (sec. 4), started from the
// great-circle solution or, for nearly antipodal points, from the astroid
// (sec. 5); bisection takes over should Newton's step leave the bracket.
// The results agree with GeographicLib to its round-off, some 15
// nanometres.

// Constants derived from the ellipsoid (wgs84A and wgs84F, in crs.go), and the tolerances of the
// iteration (sec. 5 of the paper): tol0 is the machine epsilon, tiny the
// square root of the smallest normal number, which keeps divisions by
// cos β finite at the poles.
var (
	geodF1   = 1 - wgs84F
	geodE2   = wgs84F * (2 - wgs84F)
	geodEp2  = geodE2 / (geodF1 * geodF1)
	geodN    = wgs84F / (2 - wgs84F)
	geodB    = wgs84A * geodF1
	geodTiny = math.Sqrt(0x1p-1022)
	geodTol0 = 0x1p-52
	geodTol1 = 200 * geodTol0
	geodTol2 = math.Sqrt(geodTol0)
	geodTolb = geodTol0 * geodTol2
	geodXth  = 1000 * geodTol2
	// etol2 bounds the lines short enough for the direct solution of
	// InverseStart to be final.
	geodEtol2 = 0.1 * geodTol2 / math.Sqrt(math.Max(0.001, math.Abs(wgs84F))*math.Min(1, 1-wgs84F/2)/2)
	// c2 is the square of the authalic radius, the area per steradian.
	geodC2 = (wgs84A*wgs84A + geodB*geodB*math.Atanh(math.Sqrt(geodE2))/math.Sqrt(geodE2)) / 2
)

const (
	geodMaxit1 = 20
	geodMaxit2 = geodMaxit1 + 53 + 10
)

// The series coefficients that depend on n alone, evaluated once: A₃ as a
// polynomial in ε (eq. 24) and the C₃ₗ (eq. 25), then the C₄ₗ of the area
// integral (eq. 64). geodC3x[l-1][j] is the coefficient of ε^j in C₃ₗ;
// geodC4x[l][j] that of ε^j in C₄ₗ.
var (
	geodA3x [6]float64
	geodC3x [6][6]float64
	geodC4x [6][6]float64
)

func init() {
	n := geodN
	poly := func(c ...float64) float64 { // c[0] + c[1] n + c[2] n² + …
		var s float64
		for i := len(c) - 1; i >= 0; i-- {
			s = s*n + c[i]
		}
		return s
	}
	geodA3x = [6]float64{
		1,
		poly(-1.0/2, 1.0/2),
		poly(-1.0/4, -1.0/8, 3.0/8),
		poly(-1.0/16, -3.0/16, -1.0/16),
		poly(-3.0/64, -1.0/32),
		-3.0 / 128,
	}
	geodC3x[1] = [6]float64{0, poly(1.0/4, -1.0/4), poly(1.0/8, 0, -1.0/8), poly(3.0/64, 3.0/64, -1.0/64), poly(5.0/128, 1.0/64), 3.0 / 128}
	geodC3x[2] = [6]float64{0, 0, poly(1.0/16, -3.0/32, 1.0/32), poly(3.0/64, -1.0/32, -3.0/64), poly(3.0/128, 1.0/128), 5.0 / 256}
	geodC3x[3] = [6]float64{0, 0, 0, poly(5.0/192, -3.0/64, 5.0/192), poly(3.0/128, -5.0/192), 7.0 / 512}
	geodC3x[4] = [6]float64{0, 0, 0, 0, poly(7.0/512, -7.0/256), 7.0 / 512}
	geodC3x[5] = [6]float64{0, 0, 0, 0, 0, 21.0 / 2560}
	geodC4x[0] = [6]float64{
		poly(2.0/3, -4.0/15, 8.0/105, 4.0/315, 16.0/3465, 20.0/9009),
		poly(-1.0/5, 16.0/35, -32.0/105, 16.0/385, 64.0/15015),
		poly(-2.0/105, -32.0/315, 1088.0/3465, -1184.0/5005),
		poly(11.0/315, -368.0/3465, -32.0/6435),
		poly(4.0/1155, 1088.0/45045),
		97.0 / 15015,
	}
	geodC4x[1] = [6]float64{
		0,
		poly(1.0/45, -16.0/315, 32.0/945, -16.0/3465, -64.0/135135),
		poly(-2.0/105, 64.0/945, -128.0/1485, 1984.0/45045),
		poly(-1.0/105, 16.0/2079, 5792.0/135135),
		poly(4.0/1155, -2944.0/135135),
		1.0 / 9009,
	}
	geodC4x[2] = [6]float64{
		0, 0,
		poly(4.0/525, -32.0/1575, 64.0/3465, -32.0/5005),
		poly(-8.0/1575, 128.0/5775, -256.0/6825),
		poly(-8.0/1925, 1856.0/225225),
		8.0 / 10725,
	}
	geodC4x[3] = [6]float64{
		0, 0, 0,
		poly(8.0/2205, -256.0/24255, 512.0/45045),
		poly(-16.0/8085, 1024.0/105105),
		-136.0 / 63063,
	}
	geodC4x[4] = [6]float64{0, 0, 0, 0, poly(64.0/31185, -512.0/81081), -128.0 / 135135}
	geodC4x[5] = [6]float64{0, 0, 0, 0, 0, 128.0 / 99099}
}

// polyEps evaluates c[0] + c[1] ε + … + c[5] ε⁵.
func polyEps(c *[6]float64, eps float64) float64 {
	var s float64
	for i := 5; i >= 0; i-- {
		s = s*eps + c[i]
	}
	return s
}

// a1m1 is A₁ - 1 (eq. 17): (1-ε) A₁ = 1 + ε²/4 + ε⁴/64 + ε⁶/256.
func a1m1(eps float64) float64 {
	e2 := eps * eps
	t := e2 * (e2*(e2+4) + 64) / 256
	return (t + eps) / (1 - eps)
}

// c1 fills c[1..6] with the C₁ₗ of eq. 18.
func c1(eps float64, c *[7]float64) {
	e2 := eps * eps
	d := eps
	c[1] = d * (e2*(6-e2) - 16) / 32
	d *= eps
	c[2] = d * (e2*(64-9*e2) - 128) / 2048
	d *= eps
	c[3] = d * (9*e2 - 16) / 768
	d *= eps
	c[4] = d * (3*e2 - 5) / 512
	d *= eps
	c[5] = -7 * d / 1280
	d *= eps
	c[6] = -7 * d / 2048
}

// a2m1 is A₂ - 1 (eq. 42): A₂ / (1-ε) = 1 + ε²/4 + 9ε⁴/64 + 25ε⁶/256.
func a2m1(eps float64) float64 {
	e2 := eps * eps
	t := e2 * (e2*(25*e2+36) + 64) / 256
	return t*(1-eps) - eps
}

// c2 fills c[1..6] with the C₂ₗ of eq. 43.
func c2(eps float64, c *[7]float64) {
	e2 := eps * eps
	d := eps
	c[1] = d * (e2*(e2+2) + 16) / 32
	d *= eps
	c[2] = d * (e2*(35*e2+64) + 384) / 2048
	d *= eps
	c[3] = d * (15*e2 + 80) / 768
	d *= eps
	c[4] = d * (7*e2 + 35) / 512
	d *= eps
	c[5] = 63 * d / 1280
	d *= eps
	c[6] = 77 * d / 2048
}

func a3(eps float64) float64 { return polyEps(&geodA3x, eps) }

func c3(eps float64, c *[7]float64) {
	for l := 1; l < 6; l++ {
		c[l] = polyEps(&geodC3x[l], eps)
	}
	c[6] = 0
}

func c4(eps float64, c *[6]float64) {
	for l := range 6 {
		c[l] = polyEps(&geodC4x[l], eps)
	}
}

// sinSeries is Σₗ c[l] sin(2lσ) for l = 1…6, by Clenshaw's recurrence,
// given sin σ and cos σ.
func sinSeries(sx, cx float64, c *[7]float64) float64 {
	ar := 2 * (cx - sx) * (cx + sx) // 2 cos 2σ
	var b1, b2 float64
	for l := 6; l >= 1; l-- {
		b1, b2 = c[l]+ar*b1-b2, b1
	}
	return 2 * sx * cx * b1
}

// cosOddSeries is Σₗ c[l] cos((2l+1)σ) for l = 0…5, the form of I₄.
func cosOddSeries(sx, cx float64, c *[6]float64) float64 {
	ar := 2 * (cx - sx) * (cx + sx)
	var b1, b2 float64
	for l := 5; l >= 0; l-- {
		b1, b2 = c[l]+ar*b1-b2, b1
	}
	return cx * (b1 - b2)
}

// norm2 scales (x, y) to unit length.
func norm2(x, y float64) (float64, float64) {
	r := math.Hypot(x, y)
	return x / r, y / r
}

// degree is one degree in radians; multiplying by it rounds as
// GeographicLib does, which matters to the last bits of short lines.
const degree = math.Pi / 180

// sincosd is the sine and cosine of x degrees, exact for multiples of 90°:
// the argument is reduced in degrees, where the reduction is exact.
func sincosd(x float64) (float64, float64) {
	r := math.Mod(x, 360)
	q := math.Round(r / 90)
	r -= 90 * q
	s, c := math.Sincos(r * degree)
	switch int(q) & 3 {
	case 1:
		s, c = c, -s
	case 2:
		s, c = -s, -c
	case 3:
		s, c = -c, s
	}
	return s + 0, c + 0 // no negative zero
}

// atan2d is atan2 in degrees, exact at the axes.
func atan2d(y, x float64) float64 {
	q := 0
	if math.Abs(y) > math.Abs(x) {
		x, y = y, x
		q = 2
	}
	if math.Signbit(x) {
		x = -x
		q++
	}
	a := math.Atan2(y, x) * 180 / math.Pi
	switch q {
	case 1:
		a = math.Copysign(180, y) - a
	case 2:
		a = 90 - a
	case 3:
		a = -90 + a
	}
	return a
}

// twoSum returns s = a + b rounded and the rounding error t, s + t = a + b
// exactly.
func twoSum(a, b float64) (float64, float64) {
	s := a + b
	bb := s - a
	t := (a - (s - bb)) + (b - bb)
	return s, t
}

// angDiff is lon2 - lon1 reduced to [-180, 180] with its rounding error:
// the error matters for nearly antipodal points, whose geodesic swings
// on the last bit of the longitude difference.
func angDiff(lon1, lon2 float64) (float64, float64) {
	d, t := twoSum(math.Remainder(-lon1, 360), math.Remainder(lon2, 360))
	d, e := twoSum(math.Remainder(d, 360), t)
	if d == 0 || math.Abs(d) == 180 {
		// Sign the boundary values by which way the exact difference
		// lies: 180 less a hair is +180, more than 180 is -180.
		s := -e
		if e == 0 {
			s = lon2 - lon1
		}
		d = math.Copysign(d, s)
	}
	return d, e
}

// angRound rounds tiny angles to a multiple of 2⁻⁵⁷ degrees so that their
// sines and cosines keep no spurious digits, as GeographicLib does.
func angRound(x float64) float64 {
	const z = 1.0 / 16
	y := math.Abs(x)
	if y < z {
		y = z - (z - y)
	}
	return math.Copysign(y, x)
}

// GeodesicInverse solves the inverse geodesic problem on the WGS 84
// ellipsoid: the length in metres of the shortest path from a to b, and
// the azimuths in degrees clockwise from north with which it leaves a and
// arrives at b. Points are longitude, latitude in degrees; a latitude
// beyond ±90° is taken as the pole, and a coordinate that is not a finite
// number gives NaN. Coincident
// points are 0 m apart; antipodal ones have a shortest path of about
// 20 004 km along a meridian or, near the equator, along other lines of
// equal length, of which one is reported.
func GeodesicInverse(a, b orb.Point) (meters, azi1, azi2 float64) {
	r := geodInverse(a[1], a[0], b[1], b[0], false)
	return r.s12, r.azi1, r.azi2
}

// GeodesicDistance is the length in metres of the shortest path between a
// and b on the WGS 84 ellipsoid: what PostGIS gives for
// ST_Distance(a::geography, b::geography).
func GeodesicDistance(a, b orb.Point) float64 {
	return geodInverse(a[1], a[0], b[1], b[0], false).s12
}

type geodResult struct {
	s12, azi1, azi2 float64
	// area12 is the area in square metres between the geodesic and the
	// equator, counter-clockwise positive (eq. 58).
	area12 float64
}

// lengths evaluates the distance s₁₂/b (eq. 7, with I₁ of eq. 15) and,
// when full is set, the reduced length m₁₂/b (eqs. 38–40) and
// m0 = A₁ - A₂, along the great circle of the auxiliary sphere between σ₁
// and σ₂.
func lengths(eps, sig12, ssig1, csig1, dn1, ssig2, csig2, dn2 float64, full bool) (s12b, m12b, m0 float64) {
	var ca, cb [7]float64
	am1 := a1m1(eps)
	c1(eps, &ca)
	b1 := sinSeries(ssig2, csig2, &ca) - sinSeries(ssig1, csig1, &ca)
	s12b = (1 + am1) * (sig12 + b1)
	if !full {
		return s12b, 0, 0
	}
	a2 := a2m1(eps)
	c2(eps, &cb)
	b2 := sinSeries(ssig2, csig2, &cb) - sinSeries(ssig1, csig1, &cb)
	m0 = am1 - a2
	j12 := m0*sig12 + ((1+am1)*b1 - (1+a2)*b2)
	m12b = dn2*(csig1*ssig2) - dn1*(ssig1*csig2) - csig1*csig2*j12
	return s12b, m12b, m0
}

// astroid returns the positive root k of k⁴ + 2k³ - (x²+y²-1)k² - 2y²k
// - y² = 0 (eq. 55), which starts Newton's method for nearly antipodal
// points (eqs. 56, 57).
func astroid(x, y float64) float64 {
	p, q := x*x, y*y
	r := (p + q - 1) / 6
	if q == 0 && r <= 0 {
		// y = 0 inside the astroid: the root is 0, and the formula below
		// would divide 0 by 0.
		return 0
	}
	s := p * q / 4
	r2 := r * r
	r3 := r * r2
	disc := s * (s + 2*r3)
	u := r
	if disc >= 0 {
		t3 := s + r3
		// Add the square root with t3's sign, which avoids cancellation.
		if t3 < 0 {
			t3 -= math.Sqrt(disc)
		} else {
			t3 += math.Sqrt(disc)
		}
		t := math.Cbrt(t3)
		u += t
		if t != 0 {
			u += r2 / t
		}
	} else {
		// Three real roots: take the one that keeps u positive.
		ang := math.Atan2(math.Sqrt(-disc), -(s + r3))
		u += 2 * r * math.Cos(ang/3)
	}
	v := math.Sqrt(u*u + q)
	var uv float64
	if u < 0 {
		uv = q / (v - u)
	} else {
		uv = u + v
	}
	w := (uv - q) / (2 * v)
	return uv / (math.Sqrt(uv+w*w) + w)
}

// geodPair holds the quantities of the two points that every step of the
// solution shares: sines and cosines of the reduced latitudes and
// dn = √(1 + e'² sin² β).
type geodPair struct {
	sbet1, cbet1, dn1 float64
	sbet2, cbet2, dn2 float64
}

// start estimates α₁ (sec. 4): the great-circle solution on a sphere
// scaled to the mean latitude for short lines, which is final when the
// line is short enough (sig12 >= 0 is then returned with α₂ and the
// scale dnm), else the astroid solution for nearly antipodal points.
func (g *geodPair) start(lam12, slam12, clam12 float64) (sig12, salp1, calp1, salp2, calp2, dnm float64) {
	sig12 = -1
	sbet1, cbet1, sbet2, cbet2 := g.sbet1, g.cbet1, g.sbet2, g.cbet2
	sbet12 := sbet2*cbet1 - cbet2*sbet1
	cbet12 := cbet2*cbet1 + sbet2*sbet1
	sbet12a := sbet2*cbet1 + cbet2*sbet1
	shortline := cbet12 >= 0 && sbet12 < 0.5 && cbet2*lam12 < 0.5
	var somg12, comg12 float64
	if shortline {
		sbetm2 := (sbet1 + sbet2) * (sbet1 + sbet2)
		sbetm2 /= sbetm2 + (cbet1+cbet2)*(cbet1+cbet2)
		dnm = math.Sqrt(1 + geodEp2*sbetm2)
		somg12, comg12 = math.Sincos(lam12 / (geodF1 * dnm))
	} else {
		somg12, comg12 = slam12, clam12
	}
	salp1 = cbet2 * somg12
	if comg12 >= 0 {
		calp1 = sbet12 + cbet2*sbet1*somg12*somg12/(1+comg12)
	} else {
		calp1 = sbet12a - cbet2*sbet1*somg12*somg12/(1-comg12)
	}
	ssig12 := math.Hypot(salp1, calp1)
	csig12 := sbet1*sbet2 + cbet1*cbet2*comg12
	switch {
	case shortline && ssig12 < geodEtol2:
		salp2 = cbet1 * somg12
		if comg12 >= 0 {
			calp2 = sbet12 - cbet1*sbet2*somg12*somg12/(1+comg12)
		} else {
			calp2 = sbet12 - cbet1*sbet2*(1-comg12)
		}
		salp2, calp2 = norm2(salp2, calp2)
		sig12 = math.Atan2(ssig12, csig12)
	case csig12 >= 0 || ssig12 >= 6*math.Abs(geodN)*math.Pi*cbet1*cbet1:
		// Not nearly antipodal: the spherical α₁ is a good start.
	default:
		// Nearly antipodal: scale to the astroid's coordinates x, y
		// (eq. 53) about the point antipodal to the first.
		lam12x := math.Atan2(-slam12, -clam12)
		k2 := sbet1 * sbet1 * geodEp2
		eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
		lamscale := wgs84F * cbet1 * a3(eps) * math.Pi
		betscale := lamscale * cbet1
		x := lam12x / lamscale
		y := sbet12a / betscale
		if y > -geodTol1 && x > -1-geodXth {
			// Near the cut the astroid's equation degenerates; the
			// limit is the azimuth of eq. 57 with k = 0.
			salp1 = math.Min(1, -x)
			calp1 = -math.Sqrt(1 - salp1*salp1)
		} else {
			k := astroid(x, y)
			omg12a := lamscale * (-x * k / (1 + k))
			somg12, comg12 = math.Sincos(omg12a)
			comg12 = -comg12
			salp1 = cbet2 * somg12
			calp1 = sbet12a - cbet2*sbet1*somg12*somg12/(1-comg12)
		}
	}
	if !(salp1 <= 0) {
		salp1, calp1 = norm2(salp1, calp1)
	} else {
		salp1, calp1 = 1, 0
	}
	return sig12, salp1, calp1, salp2, calp2, dnm
}

// lambda12 is the state of the line leaving point 1 with azimuth α₁: its
// longitude difference less the one sought, and what the solution keeps
// from it.
type lambda12 struct {
	v                          float64 // λ₁₂(α₁) - λ₁₂ sought
	salp2, calp2               float64
	sig12                      float64
	ssig1, csig1, ssig2, csig2 float64
	eps, domg12, dv            float64
}

// lambda evaluates λ₁₂ for the azimuth (salp1, calp1) (eqs. 5, 8, 10, 11)
// and, when diff is set, its derivative by α₁ (eq. 46).
func (g *geodPair) lambda(salp1, calp1, slam120, clam120 float64, diff bool) lambda12 {
	var r lambda12
	sbet1, cbet1, sbet2, cbet2 := g.sbet1, g.cbet1, g.sbet2, g.cbet2
	if sbet1 == 0 && calp1 == 0 {
		// Break the degeneracy of an equatorial line heading due east.
		calp1 = -geodTiny
	}
	salp0 := salp1 * cbet1
	calp0 := math.Hypot(calp1, salp1*sbet1)
	r.ssig1 = sbet1
	somg1 := salp0 * sbet1
	r.csig1 = calp1 * cbet1
	comg1 := r.csig1
	r.ssig1, r.csig1 = norm2(r.ssig1, r.csig1)
	if cbet2 != cbet1 {
		r.salp2 = salp0 / cbet2
	} else {
		r.salp2 = salp1
	}
	// cos α₂ from Clairaut's relation, taking the better-conditioned of
	// two equal forms.
	if cbet2 != cbet1 || math.Abs(sbet2) != -sbet1 {
		var d float64
		if cbet1 < -sbet1 {
			d = (cbet2 - cbet1) * (cbet1 + cbet2)
		} else {
			d = (sbet1 - sbet2) * (sbet1 + sbet2)
		}
		r.calp2 = math.Sqrt((calp1*cbet1)*(calp1*cbet1)+d) / cbet2
	} else {
		r.calp2 = math.Abs(calp1)
	}
	r.ssig2 = sbet2
	somg2 := salp0 * sbet2
	r.csig2 = r.calp2 * cbet2
	comg2 := r.csig2
	r.ssig2, r.csig2 = norm2(r.ssig2, r.csig2)
	r.sig12 = math.Atan2(math.Max(0, r.csig1*r.ssig2-r.ssig1*r.csig2), r.csig1*r.csig2+r.ssig1*r.ssig2)
	somg12 := math.Max(0, comg1*somg2-somg1*comg2)
	comg12 := comg1*comg2 + somg1*somg2
	// ω₁₂ - λ₁₂ sought, as one angle so that nothing cancels.
	eta := math.Atan2(somg12*clam120-comg12*slam120, comg12*clam120+somg12*slam120)
	k2 := calp0 * calp0 * geodEp2
	r.eps = k2 / (2*(1+math.Sqrt(1+k2)) + k2)
	var c [7]float64
	c3(r.eps, &c)
	b312 := sinSeries(r.ssig2, r.csig2, &c) - sinSeries(r.ssig1, r.csig1, &c)
	r.domg12 = -wgs84F * a3(r.eps) * salp0 * (r.sig12 + b312)
	r.v = eta + r.domg12
	if diff {
		if r.calp2 == 0 {
			r.dv = -2 * geodF1 * g.dn1 / sbet1
		} else {
			_, m12b, _ := lengths(r.eps, r.sig12, r.ssig1, r.csig1, g.dn1, r.ssig2, r.csig2, g.dn2, true)
			r.dv = m12b * geodF1 / (r.calp2 * cbet2)
		}
	}
	return r
}

// geodInverse solves the inverse problem between (lat1, lon1) and (lat2,
// lon2) in degrees; area asks for area12 too.
func geodInverse(lat1, lon1, lat2, lon2 float64, area bool) geodResult {
	if !Finite(orb.Point{lon1, lat1}) || !Finite(orb.Point{lon2, lat2}) {
		nan := math.NaN()
		return geodResult{nan, nan, nan, nan}
	}
	lon12, lon12s := angDiff(lon1, lon2)
	// Work with lon12 >= 0 and mirror the azimuths at the end.
	lonsign := 1.0
	if math.Signbit(lon12) {
		lonsign = -1
	}
	lon12 *= lonsign
	lon12s *= lonsign
	lam12 := lon12 * degree
	var slam12, clam12 float64
	if lon12 > 90 {
		// Near 180° take the sine of the supplement, whose digits survive.
		sup, e := twoSum(180-lon12, -lon12s)
		slam12, clam12 = sincosd(sup)
		slam12, clam12 = slam12+clam12*(e*degree), -(clam12 - slam12*(e*degree))
		lon12s = sup + e
	} else {
		slam12, clam12 = sincosd(lon12)
		slam12, clam12 = slam12+clam12*(lon12s*degree), clam12-slam12*(lon12s*degree)
		lon12s = (180 - lon12) - lon12s
	}
	lat1 = angRound(math.Max(-90, math.Min(90, lat1)))
	lat2 = angRound(math.Max(-90, math.Min(90, lat2)))
	// Make |lat1| >= |lat2| and lat1 <= 0; undo at the end.
	swapp := 1.0
	if math.Abs(lat1) < math.Abs(lat2) {
		swapp = -1
		lonsign = -lonsign
		lat1, lat2 = lat2, lat1
	}
	latsign := -1.0
	if lat1 < 0 {
		latsign = 1
	}
	lat1 *= latsign
	lat2 *= latsign

	var g geodPair
	sbet1, cbet1 := sincosd(lat1)
	sbet1 *= geodF1
	sbet1, cbet1 = norm2(sbet1, cbet1)
	cbet1 = math.Max(geodTiny, cbet1)
	sbet2, cbet2 := sincosd(lat2)
	sbet2 *= geodF1
	sbet2, cbet2 = norm2(sbet2, cbet2)
	cbet2 = math.Max(geodTiny, cbet2)
	// |β₁| >= |β₂| must hold exactly where the latitudes are equal up to
	// sign, else rounding could reverse it.
	if cbet1 < -sbet1 {
		if cbet2 == cbet1 {
			sbet2 = math.Copysign(sbet1, sbet2)
		}
	} else if math.Abs(sbet2) == -sbet1 {
		cbet2 = cbet1
	}
	g = geodPair{
		sbet1: sbet1, cbet1: cbet1, dn1: math.Sqrt(1 + geodEp2*sbet1*sbet1),
		sbet2: sbet2, cbet2: cbet2, dn2: math.Sqrt(1 + geodEp2*sbet2*sbet2),
	}

	var s12x, sig12, salp1, calp1, salp2, calp2 float64
	var somg12, comg12 float64
	haveOmg := false
	meridian := lat1 == -90 || slam12 == 0
	if meridian {
		// A meridian is a geodesic; it is the shortest one unless it
		// runs over a pole the long way round (checked by m₁₂ < 0).
		calp1, salp1 = clam12, slam12
		calp2, salp2 = 1, 0
		ssig1, csig1 := sbet1, calp1*cbet1
		ssig2, csig2 := sbet2, calp2*cbet2
		sig12 = math.Atan2(math.Max(0, csig1*ssig2-ssig1*csig2), csig1*csig2+ssig1*ssig2)
		s12b, m12b, _ := lengths(geodN, sig12, ssig1, csig1, g.dn1, ssig2, csig2, g.dn2, true)
		if sig12 < 1 || m12b >= 0 {
			s12x = s12b * geodB
			if sig12 < 3*geodTiny {
				// Coincident points: no rounding noise in the length.
				sig12, s12x = 0, 0
			}
		} else {
			meridian = false
		}
	}
	if !meridian && sbet1 == 0 && (wgs84F <= 0 || lon12s >= wgs84F*180) {
		// Along the equator, which is shortest while the points are less
		// than (1-f)·180° apart.
		calp1, calp2 = 0, 0
		salp1, salp2 = 1, 1
		s12x = wgs84A * lam12
		sig12 = lam12 / geodF1
		somg12, comg12 = math.Sincos(sig12)
		haveOmg = true
	} else if !meridian {
		var dnm float64
		sig12, salp1, calp1, salp2, calp2, dnm = g.start(lam12, slam12, clam12)
		if sig12 >= 0 {
			// Short enough for the start to be the solution.
			s12x = sig12 * geodB * dnm
			somg12, comg12 = math.Sincos(lam12 / (geodF1 * dnm))
			haveOmg = true
		} else {
			// Newton's method on λ₁₂(α₁) with a bracket [α₁a, α₁b] that
			// bisection falls back on.
			var r lambda12
			salp1a, calp1a := geodTiny, 1.0
			salp1b, calp1b := geodTiny, -1.0
			tripn, tripb := false, false
			for numit := 0; ; numit++ {
				r = g.lambda(salp1, calp1, slam12, clam12, numit < geodMaxit1)
				tol := geodTol0
				if tripn {
					tol *= 8
				}
				if tripb || !(math.Abs(r.v) >= tol) || numit == geodMaxit2 {
					break
				}
				if r.v > 0 && (numit > geodMaxit1 || calp1/salp1 > calp1b/salp1b) {
					salp1b, calp1b = salp1, calp1
				} else if r.v < 0 && (numit > geodMaxit1 || calp1/salp1 < calp1a/salp1a) {
					salp1a, calp1a = salp1, calp1
				}
				if numit < geodMaxit1 && r.dv > 0 {
					dalp1 := -r.v / r.dv
					if math.Abs(dalp1) < math.Pi {
						sdalp1, cdalp1 := math.Sincos(dalp1)
						nsalp1 := salp1*cdalp1 + calp1*sdalp1
						if nsalp1 > 0 {
							calp1 = calp1*cdalp1 - salp1*sdalp1
							salp1 = nsalp1
							salp1, calp1 = norm2(salp1, calp1)
							// Once within 16 ε, one more step gives the
							// last bits; demand less of it.
							tripn = math.Abs(r.v) <= 16*geodTol0
							continue
						}
					}
				}
				// Newton left the bracket or stalled: bisect.
				salp1, calp1 = norm2((salp1a+salp1b)/2, (calp1a+calp1b)/2)
				tripn = false
				tripb = math.Abs(salp1a-salp1)+(calp1a-calp1) < geodTolb ||
					math.Abs(salp1-salp1b)+(calp1-calp1b) < geodTolb
			}
			salp2, calp2, sig12 = r.salp2, r.calp2, r.sig12
			s12b, _, _ := lengths(r.eps, r.sig12, r.ssig1, r.csig1, g.dn1, r.ssig2, r.csig2, g.dn2, false)
			s12x = s12b * geodB
			if area {
				sdomg12, cdomg12 := math.Sincos(r.domg12)
				somg12 = slam12*cdomg12 - clam12*sdomg12
				comg12 = clam12*cdomg12 + slam12*sdomg12
				haveOmg = true
			}
		}
	}
	res := geodResult{s12: s12x + 0}

	if area {
		salp0 := salp1 * cbet1
		calp0 := math.Hypot(calp1, salp1*sbet1)
		var s12 float64
		if calp0 != 0 && salp0 != 0 {
			ssig1, csig1 := norm2(sbet1, calp1*cbet1)
			ssig2, csig2 := norm2(sbet2, calp2*cbet2)
			k2 := calp0 * calp0 * geodEp2
			eps := k2 / (2*(1+math.Sqrt(1+k2)) + k2)
			a4 := wgs84A * wgs84A * calp0 * salp0 * geodE2
			var c [6]float64
			c4(eps, &c)
			s12 = a4 * (cosOddSeries(ssig2, csig2, &c) - cosOddSeries(ssig1, csig1, &c))
		}
		// α₂ - α₁, the spherical excess of the quadrilateral with the
		// equator; for lines not too long from the half-angle formula
		// (eq. 60), which keeps its digits when the excess is small.
		var alp12 float64
		if !meridian && haveOmg && comg12 > -0.7071 && sbet2-sbet1 < 1.75 {
			domg12 := 1 + comg12
			dbet1 := 1 + cbet1
			dbet2 := 1 + cbet2
			alp12 = 2 * math.Atan2(somg12*(sbet1*dbet2+sbet2*dbet1), domg12*(sbet1*sbet2+dbet1*dbet2))
		} else {
			salp12 := salp2*calp1 - calp2*salp1
			calp12 := calp2*calp1 + salp2*salp1
			if salp12 == 0 && calp12 < 0 {
				salp12 = geodTiny * calp1
				calp12 = -1
			}
			alp12 = math.Atan2(salp12, calp12)
		}
		s12 += geodC2 * alp12
		res.area12 = s12*swapp*lonsign*latsign + 0
	}

	if swapp < 0 {
		salp1, salp2 = salp2, salp1
		calp1, calp2 = calp2, calp1
	}
	salp1 *= swapp * lonsign
	calp1 *= swapp * latsign
	salp2 *= swapp * lonsign
	calp2 *= swapp * latsign
	res.azi1 = atan2d(salp1, calp1)
	res.azi2 = atan2d(salp2, calp2)
	return res
}
