//! The activation a dense call fuses into its output tiles: [`Activation`]
//! as a value for the API, and as a type ([`Fused`]) inside the kernels, so
//! the choice is made once, outside their loops. Each fused activation runs
//! its element-wise kernel's lane map (`kernel.rs`), bit for bit.

use super::kernel::Relu;
use crate::float::Float;
use crate::io::LaneMap;
use crate::simd::Vector;

/// The activation a [`dense`](fn@crate::dense) call fuses into its output
/// tiles (after the bias), so it costs no extra pass over the output.
///
/// Each activation is the same operation as its element-wise function
/// ([`relu`](crate::relu)), bit for bit.
///
/// ```
/// use nn_kernels::{Activation, Weights, dense};
/// let (x, bias) = ([1.0f32, -2.0], [0.0f32]); // 2 samples, 1 -> 1
/// let w = Weights::inputs_by_neurons(&[1.0f32], 1, 1)?;
/// let mut out = [0.0f32; 2];
/// dense(&x, w, &bias, &mut out, Activation::Relu)?;
/// assert_eq!(out, [1.0, 0.0]);
/// dense(&x, w, &bias, &mut out, Activation::Identity)?;
/// assert_eq!(out, [1.0, -2.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// No activation: `out = x · w + bias`.
    #[default]
    Identity,
    /// ReLU: `out = max(0, x · w + bias)`, with [`relu`](crate::relu)'s
    /// semantics.
    Relu,
}

/// An activation as a type, which the dense layer fuses into its tiles:
/// its map on a vector and on one value (the same operation on a lane).
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
