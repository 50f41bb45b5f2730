//! The element types the kernels run on: `f32` and `f64`.

use std::fmt::{Debug, Display};
use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::exp::ExpConsts;
use crate::simd::Vector;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point element type of the crate: implemented for `f32` and `f64`
/// only (the trait is sealed).
///
/// Every public kernel is generic over `T: Float`, so the same call works on
/// either precision:
///
/// ```
/// fn first_relu<T: nn_kernels::Float>(x: &[T]) -> T {
///     let mut out = vec![T::ZERO; x.len()];
///     nn_kernels::relu(x, &mut out).unwrap();
///     out[0]
/// }
/// assert_eq!(first_relu(&[-1.0f32]), 0.0);
/// assert_eq!(first_relu(&[2.5f64]), 2.5);
/// ```
pub trait Float:
    sealed::Sealed
    + Copy
    + Default
    + Debug
    + Display
    + PartialOrd
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// `0.0`.
    const ZERO: Self;
    /// `1.0`.
    const ONE: Self;
    /// Positive infinity.
    const INFINITY: Self;
    /// Negative infinity.
    const NEG_INFINITY: Self;
    /// A quiet NaN.
    const NAN: Self;
    /// Machine epsilon: the gap between 1.0 and the next larger value.
    const EPSILON: Self;
    /// The largest finite value.
    const MAX: Self;
    /// The type's name, `"f32"` or `"f64"`, for messages and bench ids.
    const NAME: &'static str;

    /// Converts from `f64`, rounding to nearest.
    fn from_f64(v: f64) -> Self;
    /// Converts to `f64` (exact).
    fn to_f64(self) -> f64;
    /// Converts from `usize`, rounding to nearest.
    #[doc(hidden)]
    fn from_usize(v: usize) -> Self;
    /// `e^self`, from the platform's libm.
    fn exp(self) -> Self;
    /// True for any NaN.
    fn is_nan(self) -> bool;
    /// Absolute value (clears the sign bit, NaN included).
    fn abs(self) -> Self;
    /// The bit pattern, widened to `u64`, for bitwise comparisons.
    fn to_bits_u64(self) -> u64;
    /// `self * a + b` with one rounding (fused multiply-add).
    fn mul_add(self, a: Self, b: Self) -> Self;

    /// The portable tier's vector of this type.
    #[doc(hidden)]
    type Portable: Vector<Self>;
    /// The AVX2 tier's vector of this type.
    #[cfg(target_arch = "x86_64")]
    #[doc(hidden)]
    type Avx2: Vector<Self>;
    /// The AVX-512 tier's vector of this type.
    #[cfg(target_arch = "x86_64")]
    #[doc(hidden)]
    type Avx512: Vector<Self>;
    /// The constants of the vectorised exp (`exp.rs`).
    #[doc(hidden)]
    const EXP: ExpConsts<Self>;
    /// Softmax rows spanning less than this skip the exact subtraction
    /// (`softmax/portable.rs`, `Spread`): 16 for `f32`, 64 for `f64`.
    #[doc(hidden)]
    const EXACT_SPREAD: Self;

    /// `c = a · b` (`beta == 0`, `c` is only written) or `c = a · b + c`
    /// (`beta == 1`), row-major, through `matrixmultiply`.
    ///
    /// # Safety
    /// `a` holds `m * k`, `b` holds `k * n` and `c` holds `m * n` elements.
    #[doc(hidden)]
    unsafe fn gemm_matrixmultiply(
        m: usize,
        k: usize,
        n: usize,
        a: *const Self,
        b: *const Self,
        beta: Self,
        c: *mut Self,
    );
}

macro_rules! impl_float {
    ($t:ident, $exp:path, $spread:literal, $portable:ty, $avx2:ty, $avx512:ty, $gemm:path) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const INFINITY: Self = $t::INFINITY;
            const NEG_INFINITY: Self = $t::NEG_INFINITY;
            const NAN: Self = $t::NAN;
            const EPSILON: Self = $t::EPSILON;
            const MAX: Self = $t::MAX;
            const NAME: &'static str = stringify!($t);

            #[inline]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_usize(v: usize) -> Self {
                v as $t
            }
            #[inline]
            fn exp(self) -> Self {
                $t::exp(self)
            }
            #[inline]
            fn is_nan(self) -> bool {
                $t::is_nan(self)
            }
            #[inline]
            fn abs(self) -> Self {
                $t::abs(self)
            }
            #[inline]
            fn to_bits_u64(self) -> u64 {
                self.to_bits() as u64
            }
            #[inline]
            fn mul_add(self, a: Self, b: Self) -> Self {
                $t::mul_add(self, a, b)
            }

            type Portable = $portable;
            #[cfg(target_arch = "x86_64")]
            type Avx2 = $avx2;
            #[cfg(target_arch = "x86_64")]
            type Avx512 = $avx512;
            const EXP: ExpConsts<Self> = $exp;
            const EXACT_SPREAD: Self = $spread;

            #[inline]
            unsafe fn gemm_matrixmultiply(
                m: usize,
                k: usize,
                n: usize,
                a: *const Self,
                b: *const Self,
                beta: Self,
                c: *mut Self,
            ) {
                // Row-major: row stride = row length, column stride = 1.
                let (k_s, n_s) = (k as isize, n as isize);
                // SAFETY: the caller guarantees the three buffers hold m*k,
                // k*n and m*n elements, which is exactly what these dims and
                // strides address; with beta == 0 matrixmultiply does not read c.
                unsafe { $gemm(m, k, n, 1.0, a, k_s, 1, b, n_s, 1, beta, c, n_s, 1) }
            }
        }
    };
}

impl_float!(
    f32,
    crate::exp::EXP_F32,
    16.0,
    crate::simd::Portable<f32, 8>,
    crate::simd::avx2::F32x8,
    crate::simd::avx512::F32x16,
    matrixmultiply::sgemm
);
impl_float!(
    f64,
    crate::exp::EXP_F64,
    64.0,
    crate::simd::Portable<f64, 4>,
    crate::simd::avx2::F64x4,
    crate::simd::avx512::F64x8,
    matrixmultiply::dgemm
);
