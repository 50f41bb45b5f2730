//! The AVX-512 tier: [`blis`]'s algorithm on `T::Avx512` vectors, with a
//! 6-row by 4-vector tile (6 x 64 for `f32`, 6 x 32 for `f64`), BLIS's
//! shape for Zen 4, and 1- or 2-row by 8-vector tiles for one or two rows.
//!
//! Register budget (32 zmm): 24 accumulators, 4 vectors of W and 1
//! broadcast of X; per step of `k`, 24 FMAs against 4 loads and 6
//! broadcasts. Measured on the development machine (Zen 4, f32 1024^3, one
//! thread, same run): 6 x 4 reached 100 GFLOP/s where 14 x 2 reached 95,
//! 12 x 2 94, 8 x 3 97 and 16 x 1 90.

use super::blis::{self, Blocks, Problem};
use crate::Float;
use crate::simd::Vector;

/// Rows per tile.
const MR: usize = 6;
/// Vectors (of 16 `f32` or 8 `f64`) per tile row.
const NV: usize = 4;

/// Rows of the direct path's tiles for a panel of one vector of columns:
/// 12 independent FMA chains, more than the 8 that cover the FMA latency
/// on both pipes, and 12 row pointers, which the 16 general registers
/// still mostly hold (16 rows spilled five of them to the stack, a load
/// per step each; BENCHMARKS.md, "What was wrong").
const MR1: usize = 12;
/// Rows of the direct path's tiles for a panel of two vectors of columns
/// (24 accumulators, as the main tile).
const MR2: usize = 12;

/// This tier's tile and cache blocking for `T` (see [`super::blocks_from`]).
pub(super) fn blocks<T: Float>() -> Blocks {
    let lanes = <T::Avx512 as Vector<T>>::LANES;
    super::blocks_from::<T>(MR, NV * lanes, lanes)
}

/// [`blis::gemm`] on `T::Avx512`, compiled for AVX-512F, AVX2 and FMA.
///
/// # Safety
/// Only called through a `Supported` token for `Isa::Avx512`; `pr` as
/// [`blis::gemm`] requires, with a packed W laid out by [`blocks`].
#[target_feature(enable = "avx512f,avx2,fma")]
pub(super) unsafe fn gemm<T: Float>(pr: &Problem<T>) {
    // SAFETY: forwarded from the caller.
    unsafe { blis::gemm::<T, T::Avx512, MR, NV, { 2 * NV }, MR1, MR2>(&blocks::<T>(), pr) }
}

/// [`blis::pack_w`] on `T::Avx512`: packs rows `p0 .. p0 + kc` and columns
/// `0 .. n` of row-major `w` (`n` per row) into this tier's micro-panels.
///
/// # Safety
/// Only called through a `Supported` token for this tier; `w` holds rows
/// `p0 .. p0 + kc` of `n` elements.
#[target_feature(enable = "avx512f,avx2,fma")]
pub(super) unsafe fn pack_w<T: Float>(dst: &mut [T], w: &[T], n: usize, (p0, kc): (usize, usize)) {
    // SAFETY: forwarded from the caller.
    unsafe { blis::pack_w::<T, T::Avx512, NV>(dst, w.as_ptr(), n, (p0, kc), (0, n)) }
}
