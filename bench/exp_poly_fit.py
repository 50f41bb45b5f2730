"""Fits of the exp's polynomials (src/exp.rs: EXP_F32.poly, EXP_F64.poly,
EXP_F32_TABLE16).

The exp computes e^r = 1 + r + r^2 p(r) on the reduced argument r (plus
the rounding of n and the TwoSum correction: some margin), so p
approximates (e^r - 1 - r) / r^2. The error that matters is relative in
e^r, so the fit weights p's error by r^2 / e^r. For f32, Lawson's
iteratively reweighted least squares on Chebyshev nodes approaches the
minimax fit; the coefficients are then rounded to f32 and the weighted
error is printed in units of 2^-24 (about an ulp of a result in [1, 2)).

    python3 bench/exp_poly_fit.py     (needs numpy and mpmath)

- |r| <= ln2/2: degree 4 (five coefficients) is EXP_F32.poly: 0.07 units
  of fit error, against 0.02 for the degree 5 it replaced and 1.8 for
  degree 3 (XNNPACK's rr2-p5 class), which measured 2.26 ulp over every f32
  input, above the documented 2 ulp (BENCHMARKS.md, "The exp's
  polynomial").
- |r| <= ln2/32 (XNNPACK's rr2-lut16-p3 design, the AVX-512 f32 exp):
  degree 1, c2 + c3 r, with the table 2^(k/16) rounded to f32.
- f64: numpy's least squares is not precise enough; mpmath's Chebyshev fit
  (near-minimax in absolute error) at 50 digits, its error bound weighted
  by the worst r^2 / e^r, in units of 2^-53. EXP_F64.poly is degree 9.
"""

import numpy as np
from mpmath import chebyfit, exp, mp, mpf

mp.dps = 40


def lawson_f32(half_width, degrees):
    """Weighted near-minimax fits of p on |r| <= half_width, rounded to f32."""
    r = np.cos(np.pi * (np.arange(4000) + 0.5) / 4000) * half_width
    r = r[np.abs(r) > 1e-9]
    f = np.array([float((exp(mpf(x)) - 1 - mpf(x)) / mpf(x) ** 2) for x in r])
    weight = r**2 / np.array([float(exp(mpf(x))) for x in r])
    for deg in degrees:
        V = np.vander(r, deg + 1)
        w = np.ones_like(r)
        for _ in range(60):
            c, *_ = np.linalg.lstsq(V * (weight * w)[:, None], f * weight * w, rcond=None)
            w = w * np.abs((V @ c - f) * weight) ** 0.5 + 1e-30
            w /= w.max()
        c32 = c.astype(np.float32)
        err = np.abs((V @ c32.astype(np.float64) - f) * weight).max()
        print(f"  degree {deg}: {err / 2**-24:.3f} units of 2^-24;", [repr(float(x)) for x in c32])


print("f32, |r| <= ln2/2:")
lawson_f32(0.3466 + 0.0005, (3, 4, 5))
print("f32, |r| <= ln2/32 (table-driven):")
lawson_f32(float(np.log(2) / 32) + 2e-4, (1,))
print("  table:", [repr(float(np.float32(2 ** (k / 16)))) for k in range(16)])

mp.dps = 50
A64 = mpf("0.3466") + mpf("0.0005")


def g(x):
    if abs(x) < mpf("1e-20"):
        return mpf(1) / 2 + x / 6
    return (exp(x) - 1 - x) / x**2


print("f64, |r| <= ln2/2:")
for deg in (8, 9, 10):
    c, err = chebyfit(g, [-A64, A64], deg + 1, error=True)
    units = err * A64**2 / exp(-A64) / mpf(2) ** -53
    print(f"  degree {deg}: {float(units):.3f} units of 2^-53;", [repr(float(x)) for x in c])
