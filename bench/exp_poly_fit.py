"""Fits of the exp's polynomials (src/exp.rs, EXP_F32.poly and EXP_F64.poly).

The exp computes e^r = 1 + r + r^2 p(r) on the reduced argument
|r| <= ln2/2 (plus the rounding of n and the TwoSum correction: 5e-4 of
margin), so p approximates (e^r - 1 - r) / r^2. The error that matters is
relative in e^r, so the fit weights p's error by r^2 / e^r. Lawson's
iteratively reweighted least squares on Chebyshev nodes approaches the
minimax fit; the coefficients are then rounded to f32 and the weighted
error is printed in units of 2^-24 (about an ulp of a result in [1, 2)).

    python3 bench/exp_poly_fit.py     (needs numpy and mpmath)

Degree 4 (five coefficients) is what src/exp.rs uses: 0.07 units of fit
error, against 0.02 for the degree 5 it replaced and 1.8 for degree 3
(XNNPACK's rr2-p5 class), which measured 2.26 ulp over every f32 input,
above the documented 2 ulp (BENCHMARKS.md, "The exp's polynomial").
"""

import numpy as np
from mpmath import chebyfit, exp, mp, mpf

mp.dps = 40
A = 0.3466 + 0.0005
N = 4000
r = np.cos(np.pi * (np.arange(N) + 0.5) / N) * A
r = r[np.abs(r) > 1e-6]
f = np.array([float((exp(mpf(x)) - 1 - mpf(x)) / mpf(x) ** 2) for x in r])
e = np.array([float(exp(mpf(x))) for x in r])
weight = r**2 / e
for deg in (3, 4, 5):
    V = np.vander(r, deg + 1)
    w = np.ones_like(r)
    for _ in range(60):
        c, *_ = np.linalg.lstsq(V * (weight * w)[:, None], f * weight * w, rcond=None)
        w = w * np.abs((V @ c - f) * weight) ** 0.5 + 1e-30
        w /= w.max()
    c32 = c.astype(np.float32)
    err = np.abs((V @ c32.astype(np.float64) - f) * weight).max()
    print(f"degree {deg}: {err / 2**-24:.3f} units of 2^-24;", [repr(float(x)) for x in c32])

# f64: numpy's least squares is not precise enough; mpmath's Chebyshev fit
# (near-minimax in absolute error) at 50 digits, its error bound weighted
# by the worst r^2 / e^r, in units of 2^-53. src/exp.rs uses degree 9.
mp.dps = 50
A64 = mpf("0.3466") + mpf("0.0005")


def g(x):
    if abs(x) < mpf("1e-20"):
        return mpf(1) / 2 + x / 6
    return (exp(x) - 1 - x) / x**2


for deg in (8, 9, 10):
    c, err = chebyfit(g, [-A64, A64], deg + 1, error=True)
    units = err * A64**2 / exp(-A64) / mpf(2) ** -53
    print(f"f64 degree {deg}: {float(units):.3f} units of 2^-53;", [repr(float(x)) for x in c])

# f32, table-driven (XNNPACK's rr2-lut16-p3 design, EXP_F32_TABLE16): e^r - 1
# = r + r^2 (c2 + c3 r) on |r| <= ln2/32 (plus margin), the same weighted
# Lawson fit; and the table 2^(k/16) rounded to f32.
A16 = float(np.log(2) / 32) + 2e-4
r16 = np.cos(np.pi * (np.arange(2000) + 0.5) / 2000) * A16
r16 = r16[np.abs(r16) > 1e-9]
f16 = np.array([float((exp(mpf(x)) - 1 - mpf(x)) / mpf(x) ** 2) for x in r16])
wt16 = r16**2 / np.array([float(exp(mpf(x))) for x in r16])
V16 = np.vander(r16, 2)
w16 = np.ones_like(r16)
for _ in range(60):
    c, *_ = np.linalg.lstsq(V16 * (wt16 * w16)[:, None], f16 * wt16 * w16, rcond=None)
    w16 = w16 * np.abs((V16 @ c - f16) * wt16) ** 0.5 + 1e-30
    w16 /= w16.max()
c32 = c.astype(np.float32)
err = np.abs((V16 @ c32.astype(np.float64) - f16) * wt16).max()
print(f"f32 lut16-p3: {err / 2**-24:.3f} units of 2^-24; c3, c2 =", [repr(float(x)) for x in c32])
print("table:", [repr(float(np.float32(2 ** (k / 16)))) for k in range(16)])
