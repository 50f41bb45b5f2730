//! The element types the kernels run on: `f32` and `f64`.

use std::fmt::{Debug, Display};
use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::kind::{Kind, Same};

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
///
/// Its constants and methods are those of `f32` and `f64` (the same values
/// and the same bits), named so generic code can reach them:
///
/// ```
/// use nn_kernels::Float;
/// fn check<T: Float>() {
///     assert_eq!(T::ONE.to_f64() - T::ZERO.to_f64(), 1.0);
///     assert!(T::NAN.is_nan() && T::INFINITY.to_f64() == -T::NEG_INFINITY.to_f64());
///     assert_eq!(T::from_f64(-2.0).abs().to_f64(), 2.0);
///     assert_eq!(T::ZERO.exp().to_f64(), 1.0);
///     assert_eq!(T::from_f64(2.0).mul_add(T::from_f64(3.0), T::ONE).to_f64(), 7.0);
///     assert_eq!((T::ONE + T::EPSILON).to_f64() - 1.0, 2f64.powi(1 - T::MANTISSA_DIGITS as i32));
///     assert!(T::MAX.to_f64() > 3e38);
///     assert_eq!(T::ONE.to_bits_u64(), if T::NAME == "f32" { 0x3f80_0000 } else { 0x3ff0_0000_0000_0000 });
/// }
/// check::<f32>();
/// check::<f64>();
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

    /// Bits in the significand, the implicit bit included (24 for `f32`,
    /// 53 for `f64`): what tells the two precisions apart in a kernel's
    /// own constants.
    const MANTISSA_DIGITS: u32;

    /// Which of the two types `Self` is, with the proof: what the public
    /// functions match on to reach the kernels compiled for that type.
    #[doc(hidden)]
    const KIND: Kind<Self>;
}

macro_rules! impl_float {
    ($t:ident, $kind:ident) => {
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

            const MANTISSA_DIGITS: u32 = $t::MANTISSA_DIGITS;
            const KIND: Kind<Self> = Kind::$kind(Same::REFL);
        }
    };
}

impl_float!(f32, F32);
impl_float!(f64, F64);
