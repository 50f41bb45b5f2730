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
//! A tier whose vectors hold a 16-entry table in one register
//! ([`Vector::EXP_TABLE16`]: AVX-512, for `f32`) takes a finer reduction
//! instead (XNNPACK's `rr2-lut16-p3` design, [`ExpTable16`]): `x = (16 n +
//! k) ln 2 / 16 + r`, `2^(k/16)` from the table by one permute, `e^r` from
//! a polynomial of degree 3, and `2^n` by `vscalef`. That is two
//! floating-point operations fewer a vector, at the same accuracy. AVX2
//! would need two permutes and a blend for the table and a rounding for
//! `n`, more than the polynomial's saving, so it and the portable tier
//! keep the polynomial.
//!
//! The x86 tiers use fused multiply-adds, the portable tier separate
//! multiplies and adds; results differ in the last bit at most. Accuracy is
//! measured over every `f32` in the domain and a dense `f64` sweep against
//! libm (`tests/accuracy.rs`), within [`EXP_F32_MAX_ULPS`] and
//! [`EXP_F64_MAX_ULPS`].

use crate::simd::{SimdFloat, Vector};

/// Inputs below this give `+0.0` from the `f32` exp: `-125.4 ln 2`.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub const EXP_F32_LO: f32 = EXP_F32.lo;

/// Inputs below this give `+0.0` from the `f64` exp: `-1021.4 ln 2`.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub const EXP_F64_LO: f64 = EXP_F64.lo;

/// Bound on the error of the `f32` exp in ulps of the result, for results at
/// or above `f32::MIN_POSITIVE`, on every tier (checked exhaustively in
/// `tests/accuracy.rs`).
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub const EXP_F32_MAX_ULPS: f64 = 2.0;

/// Bound on the error of the `f64` exp in ulps of the result, for results at
/// or above `f64::MIN_POSITIVE`, on every tier (checked on a dense sweep in
/// `tests/accuracy.rs`).
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
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

/// The table-driven exp (XNNPACK's `rr2-lut16-p3` design), for tiers that
/// look up 16 entries in one instruction ([`Vector::EXP_TABLE16`]):
/// `x = (16 n + k) ln 2 / 16 + r` with `|r| <= ln 2 / 32`, so
/// `e^x = 2^n · 2^(k/16) · e^r`, `2^(k/16)` from the table and `e^r` from
/// a polynomial of degree 3. On the vector floating-point units it takes
/// two operations fewer than [`EXP_F32`]'s polynomial of degree 6 (the
/// table permute and the scale run on other units), and it is as accurate
/// (`tests/exhaustive.rs`, BENCHMARKS.md).
#[derive(Debug)]
pub(crate) struct ExpTable16<T: 'static> {
    /// `2^(k/16)`, k = 0..15, rounded to `T`.
    pub table: [T; 16],
    /// `e^r - 1 ≈ r + r^2 (c2 + c3 r)` on `|r| <= ln 2 / 32`: a
    /// near-minimax fit (`bench/exp_poly_fit.py`).
    pub c2: T,
    /// See `c2`.
    pub c3: T,
}

/// `f32`'s [`ExpTable16`].
pub(crate) const EXP_F32_TABLE16: ExpTable16<f32> = ExpTable16 {
    table: [
        1.0,
        1.044_273_7,
        1.090_507_7,
        1.138_788_6,
        1.189_207_1,
        1.241_857_8,
        1.296_839_6,
        1.354_255_6,
        std::f32::consts::SQRT_2,
        1.476_826_2,
        1.542_210_8,
        1.610_490_3,
        1.681_792_9,
        1.756_252_2,
        1.834_008_1,
        1.915_206_6,
    ],
    c2: 0.500_016_45,
    c3: 0.166_668_16,
};

/// The exp's constants for an element type: [`EXP_F32`] or [`EXP_F64`].
/// Kernels that take an exponential are generic over it.
pub(crate) trait ExpFloat: SimdFloat {
    /// The constants for `Self`.
    fn exp_consts() -> &'static ExpConsts<Self>;
    /// The table-driven variant's constants, where `Self` has one (`f32`).
    fn exp_table16() -> Option<&'static ExpTable16<Self>>;
}

impl ExpFloat for f32 {
    #[inline(always)]
    fn exp_consts() -> &'static ExpConsts<f32> {
        &EXP_F32
    }
    #[inline(always)]
    fn exp_table16() -> Option<&'static ExpTable16<f32>> {
        Some(&EXP_F32_TABLE16)
    }
}

impl ExpFloat for f64 {
    #[inline(always)]
    fn exp_consts() -> &'static ExpConsts<f64> {
        &EXP_F64
    }
    #[inline(always)]
    fn exp_table16() -> Option<&'static ExpTable16<f64>> {
        None
    }
}

/// `e^x` lane-wise for `x <= 0` (see the module docs).
#[inline(always)]
pub(crate) fn exp_le0<T: ExpFloat, V: Vector<T>>(x: V) -> V {
    exp_core::<T, V, false, false>(x, x)
}

/// [`exp_le0`] for `lo <= x <= 0` with no NaN or infinity in any lane:
/// without the underflow select.
#[inline(always)]
pub(crate) fn exp_le0_in_range<T: ExpFloat, V: Vector<T>>(x: V) -> V {
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
pub(crate) fn exp_diff_le0<T: ExpFloat, V: Vector<T>, const IN_RANGE: bool>(a: V, b: V) -> V {
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
fn exp_core<T: ExpFloat, V: Vector<T>, const LO: bool, const IN_RANGE: bool>(x: V, lo: V) -> V {
    let c = T::exp_consts();
    if V::EXP_TABLE16
        && let Some(k) = T::exp_table16()
    {
        return exp_core_table16::<T, V, LO, IN_RANGE>(x, lo, c, k);
    }
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

/// [`exp_core`] with the table ([`ExpTable16`]): the same contract, the
/// same reduction in two steps (`ln 2 / 16` split so that `kn · ln2_hi /
/// 16` is exact for `|kn| < 2^15`), the same underflow select.
#[inline(always)]
fn exp_core_table16<T: ExpFloat, V: Vector<T>, const LO: bool, const IN_RANGE: bool>(
    x: V,
    lo: V,
    c: &ExpConsts<T>,
    k: &ExpTable16<T>,
) -> V {
    let sixteenth = T::from_f64(1.0 / 16.0);
    let magic = V::splat(c.magic);
    // kn = round(16 x / ln 2), in the low mantissa bits of t as well.
    let t = V::madd(x, V::splat(c.log2e / sixteenth), magic);
    let kn = t - magic;
    // 2^(k/16) for k = kn mod 16: the low four bits of t.
    let l = V::lookup16(&k.table, t);
    let r = V::madd(kn, V::splat(-c.ln2_hi * sixteenth), x);
    let mut r = V::madd(kn, V::splat(-c.ln2_lo * sixteenth), r);
    if LO {
        r = r + lo;
    }
    let q = V::madd(V::splat(k.c3), r, V::splat(k.c2));
    let q = V::madd(q * r, r, r);
    // 2^(k/16) e^r, then 2^floor(kn / 16). A NaN flows through r.
    let y = V::mul_pow2_floor(V::madd(l, q, l), kn * V::splat(sixteenth));
    if IN_RANGE {
        y
    } else {
        V::zero_where_lt(y, x, V::splat(c.lo))
    }
}
