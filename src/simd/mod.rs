//! The tiers: one type per instruction set, each owning its vector types,
//! its CPU check and its one `#[target_feature]` entry point; and the
//! traits kernels are written against, once for every tier.
//!
//! | tier | file | `f32` | `f64` | compiled for |
//! |---|---|---|---|---|
//! | [`portable::Portable`] | `portable.rs` | `wide::f32x8` | `wide::f64x4` | the build's baseline (SSE2 on x86-64, NEON on aarch64, simd128 on wasm) |
//! | [`avx2::Avx2`] | `avx2.rs` | `__m256` | `__m256d` | AVX2 + FMA |
//! | [`avx512::Avx512`] | `avx512.rs` | `__m512` | `__m512d` | AVX-512F (+ AVX2, FMA) |
//!
//! A kernel is a type implementing [`Kernel`]: its `run::<S>` is generic
//! over the tier `S` and uses `T::Vec<S>` ([`SimdFloat::Vec`]),
//! the tier's vector of `T`, through the [`Vector`] trait. `run` is
//! `#[inline(always)]`, and a tier's [`Tier::vectorize`] calls it from
//! inside a function compiled with `#[target_feature]` for that tier, so
//! the intrinsics behind `Vector`'s methods inline into code that may use
//! them. [`crate::dispatch::vectorize`] is the one place that turns a
//! detected tier into its type.
//!
//! Every operation is lane-wise and the same for body and tail (a tail is
//! loaded padded to a full vector), so an element's result never depends on
//! where it sits in a slice.
//!
//! `pair.rs` is not a tier: `Pair` is two of any tier's vectors as one
//! [`Vector`], each operation issued for both halves back to back, which
//! the exp-based kernels use to keep two independent chains in flight
//! (`crate::io::map_vec_interleaved`).

#[cfg(target_arch = "x86_64")]
pub mod avx2;
#[cfg(target_arch = "x86_64")]
pub mod avx512;
pub(crate) mod pair;
pub mod portable;
#[cfg(feature = "internals")]
pub(crate) mod tests;
mod vector;
#[cfg(target_arch = "x86_64")]
mod x86;

#[cfg(target_arch = "x86_64")]
pub(crate) use vector::{IOTA, load_transposed_lanewise, store_transposed_lanewise};
pub(crate) use vector::{MAX_LANES, Vector, check_part, check_permute, check_transposed, pairwise};
#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{x86_arith_ops, x86_shared_methods};

use crate::float::Float;

/// An instruction-set tier: a zero-sized token that can only be had on a
/// CPU with every feature the tier's code is compiled with.
///
/// # Safety
/// [`Tier::detect`] returns true only if this CPU has every feature that
/// [`Tier::vectorize`]'s `#[target_feature]` function enables, and the
/// tier's vector types use no instruction beyond them.
pub unsafe trait Tier: Copy + Send + Sync + 'static {
    /// The tier's vector of `f32`.
    type F32: Vector<f32>;
    /// The tier's vector of `f64`.
    type F64: Vector<f64>;
    /// The GEMM microkernel's tile shapes on this tier.
    type GemmTile: TileShape;
    /// Whether this CPU has every feature the tier is compiled for.
    fn detect() -> bool;
    /// The token.
    ///
    /// # Safety
    /// [`Tier::detect`] returned true on this CPU.
    unsafe fn token() -> Self;
    /// Runs `kernel` inside this tier's `#[target_feature]` function: one
    /// function per kernel type, never inlined, so a kernel that enters the
    /// tier again for a part of its work (the GEMM's block, once its caller
    /// has chosen the split) gets a function of its own for that part. The
    /// hot loops of a function as large as the whole product lost
    /// registers to the rest of it (BENCHMARKS.md, "Tiers as types").
    fn vectorize<K: Kernel>(self, kernel: K) -> K::Output;
}

/// A kernel written once for every tier (pulp's `WithSimd`).
pub trait Kernel {
    /// What the kernel returns.
    type Output;
    /// The kernel on tier `S`. Implementations are `#[inline(always)]`, so
    /// that they compile into [`Tier::vectorize`]'s `#[target_feature]`
    /// function.
    fn run<S: Tier>(self, tier: S) -> Self::Output;
}

/// The GEMM microkernel's tile shapes of one tier, as constants: `MR` rows
/// by `NV` vectors for the main tile, `NW` vectors for one or two rows, and
/// `MR1` and `MR2` rows for panels of one and two vectors on the direct path
/// (not used when not above `MR`).
#[derive(Debug, Clone, Copy)]
pub struct Tile<
    const MR: usize,
    const NV: usize,
    const NW: usize,
    const MR1: usize,
    const MR2: usize,
>;

/// A tile shape handing its constants to a [`TileKernel`] as const
/// generics (which a generic `S::GemmTile` could not do through associated
/// constants on stable Rust).
pub trait TileShape {
    /// Runs `k` with this shape's constants.
    fn with<K: TileKernel>(k: K) -> K::Output;
}

/// Code generic over a tile shape ([`TileShape::with`]).
pub trait TileKernel {
    /// What it returns.
    type Output;
    /// The code, for tile constants `MR, NV, NW, MR1, MR2`.
    fn run<const MR: usize, const NV: usize, const NW: usize, const MR1: usize, const MR2: usize>(
        self,
    ) -> Self::Output;
}

impl<const MR: usize, const NV: usize, const NW: usize, const MR1: usize, const MR2: usize>
    TileShape for Tile<MR, NV, NW, MR1, MR2>
{
    #[inline(always)]
    fn with<K: TileKernel>(k: K) -> K::Output {
        k.run::<MR, NV, NW, MR1, MR2>()
    }
}

/// An element type's vector on each tier: `f32`'s is the tier's `F32`,
/// `f64`'s its `F64`. What kernels generic over `T` and the tier `S` name
/// as `T::Vec<S>`.
pub(crate) trait SimdFloat: Float {
    /// The vector of `Self` on tier `S`.
    type Vec<S: Tier>: Vector<Self>;
}

impl SimdFloat for f32 {
    type Vec<S: Tier> = S::F32;
}

impl SimdFloat for f64 {
    type Vec<S: Tier> = S::F64;
}
