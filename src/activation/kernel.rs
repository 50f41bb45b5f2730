//! The element-wise activations, written once over the tier's vector type
//! `V` (see [`crate::simd`]). Each is the lane-wise form of its scalar
//! definition in [`crate::reference`]. [`Activation`]'s fused form in the
//! dense layer's tiles runs the same maps.

use super::{Activation, Op};
use crate::exp::exp_le0;
use crate::float::Float;
use crate::io::{Io, LaneMap, map_vec_interleaved};
use crate::simd::Vector;

/// Runs `op` over all of `io`.
#[inline(always)]
pub(super) fn apply<T: Float, V: Vector<T>>(op: Op, mut io: impl Io<T>) {
    let all = 0..io.input().len();
    match op {
        Op::Relu => io.map_vec::<V>(all, T::ZERO, &mut Relu),
        Op::Step => io.map_vec::<V>(all, T::ZERO, &mut Step),
        // The exp-based maps two vectors a step (see `map_vec_interleaved`).
        Op::Sigmoid => map_vec_interleaved::<T, V, _>(&mut io, all, T::ZERO, &mut Sigmoid),
        Op::ExpLe0 => map_vec_interleaved::<T, V, _>(&mut io, all, T::ZERO, &mut ExpLe0),
    }
}

/// An activation as a type, which the dense layer fuses into its tiles:
/// its map on a vector and on one value (the same operation on a lane).
/// Kernels take it as a type parameter ([`Activation::with`]), so that the
/// choice is made once, outside their loops.
pub(crate) trait Fused {
    /// On one vector.
    fn map<T: Float, V: Vector<T>>(x: V) -> V;
    /// On one value, where no vector reaches (`k == 0`, the portable
    /// tier's `matrixmultiply` product).
    fn scalar<T: Float>(x: T) -> T;
}

/// Code generic over a fused activation ([`Activation::with`]).
pub(crate) trait WithFused {
    /// What it returns.
    type Output;
    /// The code for activation `A`.
    fn run<A: Fused>(self) -> Self::Output;
}

/// No activation.
pub(crate) struct Identity;

impl Fused for Identity {
    #[inline(always)]
    fn map<T: Float, V: Vector<T>>(x: V) -> V {
        x
    }
    #[inline(always)]
    fn scalar<T: Float>(x: T) -> T {
        x
    }
}

impl Fused for Relu {
    /// [`Relu`]'s lane map (the element-wise kernel's).
    #[inline(always)]
    fn map<T: Float, V: Vector<T>>(x: V) -> V {
        LaneMap::<T, V>::map(&mut Relu, x)
    }
    /// `max_fast(x, 0)`'s rule on one value: -0.0 and NaN pass through.
    #[inline(always)]
    fn scalar<T: Float>(x: T) -> T {
        if T::ZERO > x { T::ZERO } else { x }
    }
}

impl Activation {
    /// Runs `k` with this activation as a type: the one place an
    /// [`Activation`] becomes its [`Fused`] type. A new fused activation is
    /// a variant, its arm here, and its `Fused` implementation (its
    /// element-wise lane map).
    #[inline(always)]
    pub(crate) fn with<K: WithFused>(self, k: K) -> K::Output {
        match self {
            Activation::Identity => k.run::<Identity>(),
            Activation::Relu => k.run::<Relu>(),
        }
    }

    /// The activation on one vector: the dense layer's epilogue, after the
    /// bias.
    #[inline(always)]
    pub(crate) fn map<T: Float, V: Vector<T>>(self, x: V) -> V {
        self.with(MapT::<T, V>(x, std::marker::PhantomData))
    }

    /// The activation on one value, the same operation as [`Activation::map`]
    /// on one lane.
    #[inline(always)]
    pub(crate) fn scalar<T: Float>(self, x: T) -> T {
        self.with(ScalarT(x))
    }

    /// Whether the activation is the identity (no epilogue work).
    #[inline(always)]
    pub(crate) fn is_identity(self) -> bool {
        self == Activation::Identity
    }
}

/// [`Activation::map`]'s body as a [`WithFused`].
struct MapT<T, V>(V, std::marker::PhantomData<T>);

impl<T: Float, V: Vector<T>> WithFused for MapT<T, V> {
    type Output = V;
    #[inline(always)]
    fn run<A: Fused>(self) -> V {
        A::map::<T, V>(self.0)
    }
}

/// [`Activation::scalar`]'s body as a [`WithFused`].
struct ScalarT<T>(T);

impl<T: Float> WithFused for ScalarT<T> {
    type Output = T;
    #[inline(always)]
    fn run<A: Fused>(self) -> T {
        A::scalar(self.0)
    }
}

pub(crate) struct Relu;
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

impl<T: Float, V: Vector<T>> LaneMap<T, V> for ExpLe0 {
    const PURE: bool = true;
    /// `e^x` for `x <= 0`.
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        exp_le0::<T, V>(x)
    }
}
