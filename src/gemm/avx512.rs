//! The AVX-512 tier: [`blis`]'s algorithm on `T::Avx512` vectors, with a
//! 14-row by 2-vector tile (14 x 32 for `f32`, 14 x 16 for `f64`).
//!
//! Register budget (32 zmm): 28 accumulators, 2 vectors of W and 1
//! broadcast of X. Per step of `k` the tile issues 28 FMAs against 2 loads
//! and 14 broadcasts, well inside two loads per cycle.

use super::blis::{self, Blocks, Problem};
use crate::Float;
use crate::simd::Vector;

/// Rows per tile.
const MR: usize = 14;
/// Vectors (of 16 `f32` or 8 `f64`) per tile row.
const NV: usize = 2;

/// This tier's tile and cache blocking for `T` (see [`super::blocks_from`]).
pub(super) fn blocks<T: Float>() -> Blocks {
    super::blocks_from::<T>(MR, NV * <T::Avx512 as Vector<T>>::LANES)
}

/// [`blis::gemm`] on `T::Avx512`, compiled for AVX-512F, AVX2 and FMA.
///
/// # Safety
/// Only called through a `Supported` token for `Isa::Avx512`; `pr` as
/// [`blis::gemm`] requires, with a packed W laid out by [`blocks`].
#[target_feature(enable = "avx512f,avx2,fma")]
pub(super) unsafe fn gemm<T: Float>(pr: &Problem<T>) {
    // SAFETY: forwarded from the caller.
    unsafe { blis::gemm::<T, T::Avx512, MR, NV>(&blocks::<T>(), pr) }
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
