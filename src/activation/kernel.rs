//! The element-wise kernels, written once over the tier's vector type `V`
//! (see [`crate::simd`]): one lane map per op, each the lane-wise form of
//! its scalar definition in [`crate::reference`]. The dense layer's fused
//! activations (`fused.rs`) run the same maps.

use crate::exp::{ExpFloat, exp_le0};
use crate::float::Float;
use crate::io::{Io, LaneMap, map_vec_interleaved};
use crate::simd::Vector;
use crate::simd::pair::Pair;

/// How the family's driver runs an op's lane map.
pub(crate) trait UnaryKernel: Default {
    /// Slices shorter than this take [`UnaryKernel::scalar`] in a plain
    /// loop, inline, whatever the tier (0: never). Only where the loop
    /// gives the same bits as the lane map.
    const SHORT: usize = 0;
    /// Whether the map runs two vectors a step (the exp-based ones: their
    /// polynomial is one long dependency chain; see `map_vec_interleaved`).
    const INTERLEAVE: bool = false;
    /// The map on one value, for [`UnaryKernel::SHORT`] slices.
    #[inline(always)]
    fn scalar<T: Float>(x: T) -> T {
        x
    }
}

/// Runs the lane map `M` over all of `io`.
#[inline(always)]
pub(crate) fn apply<T, V, M>(mut io: impl Io<T>)
where
    T: ExpFloat,
    V: Vector<T>,
    M: UnaryKernel + LaneMap<T, V> + LaneMap<T, Pair<T, V>>,
{
    let all = 0..io.input().len();
    let mut map = M::default();
    if M::INTERLEAVE {
        map_vec_interleaved::<T, V, _>(&mut io, all, T::ZERO, &mut map);
    } else {
        io.map_vec::<V>(all, T::ZERO, &mut map);
    }
}

/// ReLU's lane map.
#[derive(Default)]
pub(crate) struct Relu;
/// The step function's lane map.
#[derive(Default)]
pub(crate) struct Step;
/// The sigmoid's lane map.
#[derive(Default)]
pub(crate) struct Sigmoid;
/// `e^x` for `x <= 0`: the exp inside softmax and sigmoid, as a kernel of
/// its own for the accuracy tests.
#[derive(Default)]
pub(crate) struct ExpLe0;

impl UnaryKernel for Relu {
    /// A few vectors' worth of work is less than the cost of reaching a
    /// tier's kernel (a call the compiler cannot inline, and the slices
    /// passed through memory), and the loop gives the same bits
    /// (`max_fast`'s rule: `0 > x ? 0 : x`). 256 elements, where the sweep
    /// in BENCHMARKS.md ("ReLU") shows the kernels ahead of the loop on
    /// every tier.
    const SHORT: usize = 16 * crate::simd::MAX_LANES;
    #[inline(always)]
    fn scalar<T: Float>(x: T) -> T {
        if T::ZERO > x { T::ZERO } else { x }
    }
}

impl UnaryKernel for Step {}

impl UnaryKernel for Sigmoid {
    const INTERLEAVE: bool = true;
}

impl UnaryKernel for ExpLe0 {
    const INTERLEAVE: bool = true;
}

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

impl<T: ExpFloat, V: Vector<T>> LaneMap<T, V> for Sigmoid {
    const PURE: bool = true;
    /// From `e = exp(-|x|)`, which never overflows: `1 / (1 + e)` for
    /// `x >= 0`, `e / (1 + e)` otherwise.
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        let one = V::splat(T::ONE);
        let e = exp_le0::<T, V>(V::splat(T::ZERO) - x.abs());
        let d = one + e;
        // One division of the selected numerator: the same rounding as
        // selecting between the two quotients, at half the divides (the
        // compiler folded that for plain arrays, not through `wide`'s
        // bitwise select).
        V::select_ge_zero(x, one, e) / d
    }
}

impl<T: ExpFloat, V: Vector<T>> LaneMap<T, V> for ExpLe0 {
    const PURE: bool = true;
    /// `e^x` for `x <= 0`.
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        exp_le0::<T, V>(x)
    }
}
