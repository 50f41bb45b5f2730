//! The element-wise activations, written once over the tier's vector type
//! `V` (see [`crate::simd`]). Each is the lane-wise form of its scalar
//! definition in [`crate::reference`]. [`Activation`]'s fused form in the
//! dense layer's tiles runs the same maps.

use super::{Activation, Op};
use crate::exp::exp_le0;
use crate::float::Float;
use crate::io::{Io, LaneMap};
use crate::simd::Vector;

/// Runs `op` over all of `io`.
#[inline(always)]
pub(super) fn apply<T: Float, V: Vector<T>>(op: Op, mut io: impl Io<T>) {
    let all = 0..io.input().len();
    match op {
        Op::Relu => io.map_vec::<V>(all, T::ZERO, &mut Relu),
        Op::Step => io.map_vec::<V>(all, T::ZERO, &mut Step),
        Op::Sigmoid => io.map_vec::<V>(all, T::ZERO, &mut Sigmoid),
        Op::ExpLe0 => io.map_vec::<V>(all, T::ZERO, &mut ExpLe0),
    }
}

impl Activation {
    /// The activation on one vector: the dense layer's epilogue, after the
    /// bias. A new fused activation is a variant here and its arm, running
    /// its element-wise map.
    #[inline(always)]
    pub(crate) fn map<T: Float, V: Vector<T>>(self, x: V) -> V {
        match self {
            Activation::Identity => x,
            Activation::Relu => LaneMap::<T, V>::map(&mut Relu, x),
        }
    }

    /// The activation on one value, the same operation as [`Activation::map`]
    /// on one lane (outputs no tile reaches, such as `k == 0`).
    #[inline(always)]
    pub(crate) fn scalar<T: Float>(self, x: T) -> T {
        match self {
            Activation::Identity => x,
            // `max_fast(x, 0)`'s rule: -0.0 and NaN pass through.
            Activation::Relu => {
                if T::ZERO > x {
                    T::ZERO
                } else {
                    x
                }
            }
        }
    }

    /// Whether the activation is the identity (no epilogue work).
    #[inline(always)]
    pub(crate) fn is_identity(self) -> bool {
        self == Activation::Identity
    }
}

struct Relu;
struct Step;
struct Sigmoid;
struct ExpLe0;

impl<T: Float, V: Vector<T>> LaneMap<T, V> for Relu {
    const PURE: bool = true;
    /// `max(0, x)` in x86's operand order: `x < 0` gives `+0.0`; `-0.0` and
    /// NaN (which compare false) pass through, bit for bit.
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        V::max_fast(x, V::splat(T::ZERO))
    }
}

impl<T: Float, V: Vector<T>> LaneMap<T, V> for Step {
    const PURE: bool = true;
    /// `x > 0 ? 1 : 0`.
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        V::gt_zero_and(x, V::splat(T::ONE))
    }
}

impl<T: Float, V: Vector<T>> LaneMap<T, V> for Sigmoid {
    const PURE: bool = true;
    /// From `e = exp(-|x|)`, which never overflows: `1 / (1 + e)` for
    /// `x >= 0`, `e / (1 + e)` otherwise; both are computed and one selected.
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        let one = V::splat(T::ONE);
        let e = exp_le0::<T, V>(V::splat(T::ZERO) - x.abs());
        let d = one + e;
        V::select_ge_zero(x, one / d, e / d)
    }
}

impl<T: Float, V: Vector<T>> LaneMap<T, V> for ExpLe0 {
    const PURE: bool = true;
    /// `e^x` for `x <= 0`.
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        exp_le0::<T, V>(x)
    }
}
