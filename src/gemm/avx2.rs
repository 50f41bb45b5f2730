//! The AVX2 tier: [`blis`]'s algorithm on `T::Avx2` vectors, with a 6-row
//! by 2-vector tile (6 x 16 for `f32`, 6 x 8 for `f64`), and 1- or 2-row
//! by 4-vector tiles for one or two rows.
//!
//! Register budget (16 ymm): 12 accumulators, 2 vectors of W and 1
//! broadcast of X, the classic Haswell shape.

use super::blis::{self, Blocks, Problem};
use crate::Float;
use crate::simd::Vector;

/// Rows per tile.
const MR: usize = 6;
/// Vectors (of 8 `f32` or 4 `f64`) per tile row.
const NV: usize = 2;

/// Rows of the direct path's tiles for a panel of one vector of columns
/// (12 accumulators, 1 vector of W, 1 broadcast: 14 of 16 registers).
const MR1: usize = 12;
/// Rows for a panel of two vectors: the main tile (`NV` is 2).
const MR2: usize = MR;

/// This tier's tile and cache blocking for `T` (see [`super::blocks_from`]).
pub(super) fn blocks<T: Float>() -> Blocks {
    let lanes = <T::Avx2 as Vector<T>>::LANES;
    super::blocks_from::<T>(MR, NV * lanes, lanes)
}

/// [`blis::gemm`] on `T::Avx2`, compiled for AVX2 and FMA.
///
/// # Safety
/// Only called through a `Supported` token for `Isa::Avx2`; `pr` as
/// [`blis::gemm`] requires, with a packed W laid out by [`blocks`].
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn gemm<T: Float>(pr: &Problem<T>) {
    // SAFETY: forwarded from the caller.
    unsafe { blis::gemm::<T, T::Avx2, MR, NV, { 2 * NV }, MR1, MR2>(&blocks::<T>(), pr) }
}

/// [`blis::pack_w`] on `T::Avx2`: packs rows `p0 .. p0 + kc` and columns
/// `0 .. n` of row-major `w` (`n` per row) into this tier's micro-panels.
///
/// # Safety
/// Only called through a `Supported` token for this tier; `w` holds rows
/// `p0 .. p0 + kc` of `n` elements.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn pack_w<T: Float>(dst: &mut [T], w: &[T], n: usize, (p0, kc): (usize, usize)) {
    // SAFETY: forwarded from the caller.
    unsafe { blis::pack_w::<T, T::Avx2, NV>(dst, w.as_ptr(), n, (p0, kc), (0, n)) }
}
