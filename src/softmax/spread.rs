//! Which exp pass a softmax row takes, by its spread `max - min`: the
//! modes as types ([`SpreadMode`]), chosen once per row ([`Spread::with`]),
//! as the dense layer's activations are ([`crate::activation`]'s `Fused`).

use crate::exp::{ExpFloat, exp_diff_le0, exp_le0_in_range};
use crate::float::Float;
use crate::kind::Kind;
use crate::simd::Vector;

/// Rows spanning less than this skip the exact subtraction ([`Spread`]): 16
/// for `f32`, 64 for `f64`. The accuracy bound in `softmax_rows`'s docs
/// counts it (`S`).
#[inline(always)]
pub(crate) fn exact_spread<T: Float>() -> T {
    match T::KIND {
        Kind::F32(_) => T::from_f64(16.0),
        Kind::F64(_) => T::from_f64(64.0),
    }
}

/// Which exp pass a row takes, by its spread `max - min`:
///
/// - `Narrow` (spread `<` [`exact_spread`]: 16 for f32, 64 for f64): every
///   `x - max` is below 16 (64) in magnitude, so its rounding costs at most
///   `2^-21` (`2^-47`) relative in the exponential, inside the documented
///   bound; the exact-subtraction correction (six adds per vector) is
///   skipped, and so is the underflow select.
/// - `InRange` (spread `<= -lo`): exact subtraction, no underflow select.
/// - `Wide`: exact subtraction and the underflow select (outputs below the
///   exp's range flush to zero; rows with `-inf` come here too).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Spread {
    Narrow,
    InRange,
    Wide,
}

/// `exp(x - max)` for `x <= max` in one of the ways a row's [`Spread`]
/// allows.
pub(super) trait SpreadMode {
    /// `exp(x - max)` lane-wise.
    fn exp_of_diff<T: ExpFloat, V: Vector<T>>(x: V, max: V) -> V;
}

/// [`Spread::Narrow`]: `x - max` rounded once, no underflow select.
pub(super) struct Narrow;
/// [`Spread::InRange`]: `x - max` exact, no underflow select.
pub(super) struct InRange;
/// [`Spread::Wide`]: `x - max` exact, outputs below the exp's range
/// flushed to zero. The checked exp every path may take.
pub(super) struct Wide;

impl SpreadMode for Narrow {
    #[inline(always)]
    fn exp_of_diff<T: ExpFloat, V: Vector<T>>(x: V, max: V) -> V {
        exp_le0_in_range::<T, V>(x - max)
    }
}

impl SpreadMode for InRange {
    #[inline(always)]
    fn exp_of_diff<T: ExpFloat, V: Vector<T>>(x: V, max: V) -> V {
        exp_diff_le0::<T, V, true>(x, max)
    }
}

impl SpreadMode for Wide {
    #[inline(always)]
    fn exp_of_diff<T: ExpFloat, V: Vector<T>>(x: V, max: V) -> V {
        exp_diff_le0::<T, V, false>(x, max)
    }
}

/// Code generic over a spread mode ([`Spread::with`]).
pub(super) trait WithSpread {
    /// What it returns.
    type Output;
    /// The code for mode `M`.
    fn run<M: SpreadMode>(self) -> Self::Output;
}

impl Spread {
    /// The mode for a row (or part) of spread `spread`.
    #[inline(always)]
    pub(super) fn of<T: ExpFloat>(spread: T) -> Spread {
        if spread < exact_spread::<T>() {
            Spread::Narrow
        } else if spread <= -T::exp_consts().lo {
            Spread::InRange
        } else {
            Spread::Wide
        }
    }

    /// Runs `k` with this mode as a type: the one place a [`Spread`]
    /// becomes its [`SpreadMode`].
    #[inline(always)]
    pub(super) fn with<K: WithSpread>(self, k: K) -> K::Output {
        match self {
            Spread::Narrow => k.run::<Narrow>(),
            Spread::InRange => k.run::<InRange>(),
            Spread::Wide => k.run::<Wide>(),
        }
    }
}
