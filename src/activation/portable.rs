//! The element-wise activations, written once over the tier's vector type
//! `V`. The portable tier runs them on `T::Portable`; `avx2.rs` and
//! `avx512.rs` run the same code on their vectors inside functions compiled
//! for those instruction sets. Each is the lane-wise form of its scalar
//! definition in [`crate::reference`].

use super::Op;
use crate::Float;
use crate::exp::exp_le0;
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
