//! `e^x` for `x <= 0` on a vector, the exponential inside softmax and
//! sigmoid, written once for every tier and both precisions.
//!
//! Every exponential the kernels need has a non-positive argument (softmax
//! takes `e^(x - max)`, sigmoid `e^-|x|`), so only underflow needs care:
//! inputs below `lo` (results below `2^(e_min + 0.6)`, 1.5 times the
//! smallest normal number) are flushed to `+0.0`, and `-inf` gives `+0.0`.
//! NaN gives NaN. Positive arguments are outside the domain (the result is
//! unspecified, never UB).
//!
//! Method (Cody and Waite): `x = n ln 2 + r` with `n = round(x / ln 2)` and
//! `|r| <= ln 2 / 2`, `ln 2` split in two so that `n · ln2_hi` is exact; then
//! `e^x = 2^n e^r`, `e^r` from a polynomial, and `2^n` built in the exponent
//! bits. `n` is rounded with the "magic number" trick (adding `1.5 · 2^23`
//! leaves `n` in the low mantissa bits), which needs no float-to-int
//! conversion. There is no clamp: below `LO` a final select replaces
//! whatever the bit arithmetic made by zero, and NaN flows through each step.
//!
//! The x86 tiers use fused multiply-adds, the portable tier separate
//! multiplies and adds; results differ in the last bit at most. Accuracy is
//! measured over every `f32` in the domain and a dense `f64` sweep against
//! libm (`tests/accuracy.rs`), within [`EXP_F32_MAX_ULPS`] and
//! [`EXP_F64_MAX_ULPS`].

use std::any::Any;

use crate::float::Float;
use crate::simd::Vector;

/// Inputs below this give `+0.0` from the `f32` exp: `-125.4 ln 2`.
pub const EXP_F32_LO: f32 = EXP_F32.lo;

/// Inputs below this give `+0.0` from the `f64` exp: `-1021.4 ln 2`.
pub const EXP_F64_LO: f64 = EXP_F64.lo;

/// Bound on the error of the `f32` exp in ulps of the result, for results at
/// or above `f32::MIN_POSITIVE`, on every tier (checked exhaustively in
/// `tests/accuracy.rs`).
pub const EXP_F32_MAX_ULPS: f64 = 2.0;

/// Bound on the error of the `f64` exp in ulps of the result, for results at
/// or above `f64::MIN_POSITIVE`, on every tier (checked on a dense sweep in
/// `tests/accuracy.rs`).
pub const EXP_F64_MAX_ULPS: f64 = 2.0;

/// The constants of the exp for one precision ([`EXP_F32`], [`EXP_F64`]),
/// reached from generic code through [`ExpFloat`].
#[derive(Debug)]
pub(crate) struct ExpConsts<T: 'static> {
    /// Below this input the result is flushed to zero: `(e_min + 0.6) ln 2`,
    /// just above `ln(MIN_POSITIVE)`.
    pub lo: T,
    /// `log2(e)`.
    pub log2e: T,
    /// `1.5 · 2^(mantissa bits)`.
    pub magic: T,
    /// The high part of `ln 2`, short enough that `n · ln2_hi` is exact.
    pub ln2_hi: T,
    /// `ln 2 - ln2_hi`.
    pub ln2_lo: T,
    /// Coefficients of `(e^r - 1 - r) / r^2`, highest degree first.
    pub poly: &'static [T],
}

/// `f32`: the Cephes `expf` reduction, and a polynomial of degree 6 in all
/// (`p` of degree 4), a near-minimax fit of `(e^r - 1 - r) / r^2` weighted
/// by `r^2 / e^r` (the relative error of the result), made by
/// `bench/exp_poly_fit.py`. It is one multiply-add shorter than Cephes'
/// degree 7 at 0.07 units of `2^-24` of fit error; degree 5 (XNNPACK's
/// rr2-p5 class) would exceed [`EXP_F32_MAX_ULPS`]. `lo = -125.4 ln 2`, so
/// every result kept has `n >= -125` and is a normal number, which the
/// exponent-field add of `2^n` needs.
pub(crate) const EXP_F32: ExpConsts<f32> = ExpConsts {
    lo: -86.921_5,
    log2e: std::f32::consts::LOG2_E,
    magic: 12_582_912.0,
    // 0.693359375 exactly (0x3f31_8000): 9 significant bits.
    ln2_hi: 0.693_359_4,
    ln2_lo: -2.121_944_4e-4,
    poly: &[
        0.001_381_438_9,
        0.008_368_817,
        0.041_668_396,
        0.166_665_2,
        0.499_999_94,
    ],
};

/// `f64`: Cephes' reduction, and a polynomial of degree 11 in all (`p` of
/// degree 9): mpmath's Chebyshev fit of `(e^r - 1 - r) / r^2`, made by
/// `bench/exp_poly_fit.py`, 0.16 units of `2^-53` of fit error. It is two
/// multiply-adds shorter than the Taylor series `1/k!`, k = 13 down to 2,
/// that it replaced. `lo = -1021.4 ln 2`, as for `f32`.
pub(crate) const EXP_F64: ExpConsts<f64> = ExpConsts {
    lo: -707.979_646_825_694_4,
    log2e: std::f64::consts::LOG2_E,
    magic: 6_755_399_441_055_744.0,
    ln2_hi: 6.931_457_519_531_25e-1,
    ln2_lo: 1.428_606_820_309_417_2e-6,
    poly: &[
        2.5100522707350674e-08,
        2.762026687189348e-07,
        2.7557268171118913e-06,
        2.4801520920306394e-05,
        0.00019841269863239797,
        0.0013888888917455817,
        0.008333333333330025,
        0.04166666666662364,
        0.16666666666666669,
        0.5000000000000001,
    ],
};

/// The exp's constants for an element type: [`EXP_F32`] or [`EXP_F64`].
pub(crate) trait ExpFloat: Float {
    /// The constants for `Self`.
    fn exp_consts() -> &'static ExpConsts<Self>;
}

impl<T: Float> ExpFloat for T {
    #[inline(always)]
    fn exp_consts() -> &'static ExpConsts<T> {
        // `Float` is implemented for `f32` and `f64` only (sealed); the
        // downcast names which, and folds away once `T` is known.
        let any: &'static dyn Any = if T::MANTISSA_DIGITS == f32::MANTISSA_DIGITS {
            &EXP_F32
        } else {
            &EXP_F64
        };
        any.downcast_ref()
            .expect("Float is implemented for f32 and f64 only")
    }
}

/// `e^x` lane-wise for `x <= 0` (see the module docs).
#[inline(always)]
pub(crate) fn exp_le0<T: Float, V: Vector<T>>(x: V) -> V {
    exp_core::<T, V, false, false>(x, x)
}

/// [`exp_le0`] for `lo <= x <= 0` with no NaN or infinity in any lane:
/// without the underflow select.
#[inline(always)]
pub(crate) fn exp_le0_in_range<T: Float, V: Vector<T>>(x: V) -> V {
    exp_core::<T, V, false, true>(x, x)
}

/// `e^(a - b)` lane-wise for `a <= b`, with the subtraction made exact: its
/// rounding error, recovered by Knuth's TwoSum, joins the reduced argument.
/// Without it, `a - b` rounded once costs up to `|a - b| · u` of relative
/// error in the result (exp's condition number is `|a - b|`): 5e-6 in `f32`
/// at `a - b = -87`. Softmax uses this for `e^(x - max)`.
///
/// `IN_RANGE` promises `lo <= a - b` and no NaN or infinity in any lane, and
/// skips the underflow select (two instructions of about twenty).
#[inline(always)]
pub(crate) fn exp_diff_le0<T: Float, V: Vector<T>, const IN_RANGE: bool>(a: V, b: V) -> V {
    let d = a - b;
    // TwoSum(a, -b): d + err == a - b exactly.
    let bp = d - a;
    let ap = d - bp;
    let err = (a - ap) - (b + bp);
    exp_core::<T, V, true, IN_RANGE>(d, err)
}

/// `e^(x + lo)` for `x <= 0` and `|lo|` below half an ulp of `x` (`lo` is
/// only read when `LO`); `IN_RANGE` as in [`exp_diff_le0`].
#[inline(always)]
fn exp_core<T: Float, V: Vector<T>, const LO: bool, const IN_RANGE: bool>(x: V, lo: V) -> V {
    let c = T::exp_consts();
    let magic = V::splat(c.magic);
    let t = V::madd(x, V::splat(c.log2e), magic);
    let n = t - magic;
    let r = V::madd(n, V::splat(-c.ln2_hi), x);
    let mut r = V::madd(n, V::splat(-c.ln2_lo), r);
    if LO {
        r = r + lo;
    }
    let mut p = V::splat(c.poly[0]);
    for &k in &c.poly[1..] {
        p = V::madd(p, r, V::splat(k));
    }
    let er = V::madd(p, r * r, r) + V::splat(T::ONE);
    if IN_RANGE {
        // No NaN here (promised): add n to the exponent field directly.
        V::mul_pow2_normal(er, n, t)
    } else {
        // A multiply keeps NaN; below `lo`, whatever 2^n became is selected away.
        V::zero_where_lt(V::mul_pow2(er, n, t), x, V::splat(c.lo))
    }
}
