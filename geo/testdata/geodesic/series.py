# Derives the series coefficients in geo/geodesic.go from the integrals of
# C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 43-55 (2013):
# I1 and I2 (eqs. 15, 41) in eps, I3 (eq. 8) and the area integral I4
# (eqs. 58-59) in eps and the third flattening n, to sixth order.
# Run with python3 (needs sympy); it prints each coefficient.
import sympy as sp
from math import comb

eps, n, s, u, T = sp.symbols('epsilon n sigma u T')
N = 6


def ser(expr, var, order):
    return sp.expand(sp.series(expr, var, 0, order + 1).removeO())


def fourier_cos_even(expr, maxl):
    """Coefficients b_j of cos(2 j sigma) of a polynomial in cos(2 sigma)."""
    e = sp.expand(expr)
    return [sp.expand(sp.integrate(e * sp.cos(2 * j * s), (s, 0, sp.pi)) * (1 if j == 0 else 2) / sp.pi)
            for j in range(maxl + 1)]


def trunc(e, order):
    p = sp.Poly(sp.expand(e), eps, n)
    return sum(cf * eps**i * n**j for (i, j), cf in p.terms() if i + j <= order)


# With k^2 = 4 eps / (1 - eps)^2, (1 - eps) sqrt(1 + k^2 sin^2 sigma)
# = sqrt(1 - 2 eps cos 2sigma + eps^2).
g1 = ser(sp.sqrt(1 - 2 * eps * u + eps**2), eps, N).subs(u, sp.cos(2 * s))
b = fourier_cos_even(g1, N)
print("A1*(1-eps) =", sp.collect(b[0], eps))
for l in range(1, N + 1):
    print("C1[%d] =" % l, sp.collect(ser(b[l] / (2 * l * b[0]), eps, N), eps))
g2 = ser(1 / sp.sqrt(1 - 2 * eps * u + eps**2), eps, N).subs(u, sp.cos(2 * s))
b = fourier_cos_even(g2, N)
print("A2/(1-eps) =", sp.collect(b[0], eps))
for l in range(1, N + 1):
    print("C2[%d] =" % l, sp.collect(ser(b[l] / (2 * l * b[0]), eps, N), eps))

# I3: (2-f) / (1 + (1-f) sqrt(1 + k^2 sin^2 sigma)), f = 2n/(1+n).
f = 2 * n / (1 + n)
root = sp.sqrt(1 - 2 * eps * u + eps**2) / (1 - eps)
g3 = (2 - f) / (1 + (1 - f) * root)
g3 = ser(g3.subs({eps: T * eps, n: T * n}), T, N - 1).subs(T, 1)
b = fourier_cos_even(sp.expand(g3).subs(u, sp.cos(2 * s)), N)
print("A3 =", sp.collect(trunc(b[0], N - 1), eps))
for l in range(1, N):
    cl = ser((b[l] / (2 * l * b[0])).subs({eps: T * eps, n: T * n}), T, N - 1).subs(T, 1)
    print("C3[%d] =" % l, sp.collect(trunc(cl, N - 1), eps))

# I4(sigma) = -int_{pi/2}^{sigma} (t(e'^2) - t(k^2 sin^2 s)) / (e'^2 - k^2 sin^2 s) sin(s)/2 ds
# with t(x) = x + sqrt(1 + x) asinh(sqrt x)/sqrt x = sum t_m x^m; the divided
# difference is sum t_m sum_{i+j=m-1} a^i y^j, a = e'^2, y = k^2 sin^2 s, and
# sin^{2j+1} x = (-1)^j/4^j sum_q (-1)^q C(2j+1, q) sin((2j+1-2q) x).
z = sp.symbols('z', positive=True)
tz = sp.series(z**2 + sp.sqrt(1 + z**2) * sp.asinh(z) / z, z, 0, 2 * N + 2).removeO()
tm = [sp.nsimplify(tz.coeff(z, 2 * m)) for m in range(N + 1)]
a = 4 * n / (1 - n)**2      # e'^2
k2 = 4 * eps / (1 - eps)**2  # k^2
coef = {}
for m in range(1, N + 1):
    for i in range(m):
        j = m - 1 - i
        for q in range(j + 1):
            r = 2 * j + 1 - 2 * q
            c = sp.Rational((-1)**(j + q) * comb(2 * j + 1, q), 4**j) * sp.Rational(-1, r)
            l = (r - 1) // 2
            coef[l] = coef.get(l, 0) - sp.Rational(1, 2) * tm[m] * a**i * k2**j * c
for l in sorted(coef):
    e = sp.expand(sp.series(coef[l].subs({eps: T * eps, n: T * n}), T, 0, N).removeO().subs(T, 1))
    print("C4[%d] =" % l, sp.collect(e, eps))
