//! The BLIS algorithm behind the dense layer, written once over the tier's
//! vector type `V` and tile constants: this file holds the problem
//! description, the cache blocking, and the choice of path; the paths are
//! in their own files.
//!
//! | file | what |
//! |---|---|
//! | `blis.rs` | [`Problem`], [`Blocks`], which path a block takes ([`gemm`]) |
//! | `direct.rs` | the narrow path (`k <= 8`, one vector of columns) and the direct path (X and W read in place) |
//! | `packed.rs` | the packed path: BLIS's five loops around the microkernel |
//! | `pack.rs` | packing W and X into micro-panels |
//! | `microkernel.rs` | the register tile, its loop over `k` and its epilogue |
//! | `scratch.rs` | the per-thread packing buffers |
//!
//! Every output element is one chain of fused multiply-adds in `k` order,
//! started from its bias (or zero), then the epilogue's activation:
//!
//! ```text
//! acc = bias[j];  for p in 0..k { acc = fma(x[i][p], w[p][j], acc) }
//! out[i][j] = act(acc)
//! ```
//!
//! Blocking only decides where the chain pauses (a `KC` block ends: the
//! partial sum is stored to `out`, exactly, and reloaded for the next block)
//! and which lane of which tile carries it; neither changes a rounding. So
//! the result is the same bits for any tile, block, split across threads,
//! packed or direct path: that of [`crate::reference::dense_fma_chain`].
//! (On the portable tier `fma` is a multiply and an add.)

use super::direct::{direct, narrow_k};
use super::microkernel::MAX_MR;
use super::packed::packed;
use crate::activation::Activation;
use crate::float::Float;
use crate::simd::Vector;

/// The tile shape and cache blocking of one tier for one element type
/// (derived from the CPU's caches by `gemm::blocks_from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Blocks {
    /// Rows of `out` per microkernel tile (rows of X per packed panel).
    pub mr: usize,
    /// Columns of `out` per microkernel tile (columns of W per packed panel).
    pub nr: usize,
    /// The deepest block of `k` ([`Blocks::kc_for`] evens the blocks out):
    /// a `KC x NR` micro-panel of W stays in L2, near the core, while every
    /// `MR`-row panel of X's block streams past it.
    pub kc: usize,
    /// Rows of X per block: the packed `MC x KC` block is meant for L2.
    pub mc: usize,
    /// Columns of W per block: the packed `KC x NC` block is meant for L3.
    pub nc: usize,
    /// Row-major weights up to this size stay in L1 while all row tiles
    /// read them: the direct path, for every `m`.
    pub direct_w_bytes: usize,
    /// The L2 of one core, in bytes.
    pub l2_bytes: usize,
    /// Products of fewer multiply-adds run on one thread.
    pub par_min_macs: usize,
}

impl Blocks {
    /// The depth of the `k` blocks for a product of depth `k`: as few
    /// blocks as [`Blocks::kc`] allows, of equal depth (the last one up to
    /// one shallower), so that `k = KC + 1` is two blocks of about `KC / 2`
    /// and not a full one and one of depth 1 whose tiles would do a load and
    /// a store of `out` for a single multiply-add.
    pub fn kc_for(&self, k: usize) -> usize {
        k.div_ceil(k.div_ceil(self.kc).max(1)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::Blocks;

    #[test]
    fn k_blocks_are_even_and_never_deeper_than_kc() {
        let bl = Blocks {
            mr: 6,
            nr: 64,
            kc: 512,
            mc: 252,
            nc: 4096,
            direct_w_bytes: 24 << 10,
            l2_bytes: 1 << 20,
            par_min_macs: 1 << 18,
        };
        assert_eq!(bl.kc_for(1), 1);
        assert_eq!(bl.kc_for(512), 512);
        assert_eq!(bl.kc_for(513), 257); // 257 + 256, not 512 + 1
        assert_eq!(bl.kc_for(1025), 342); // 342 + 342 + 341
        for k in 1..5000 {
            let kc = bl.kc_for(k);
            let blocks = k.div_ceil(kc);
            assert!(kc <= bl.kc, "k {k}: kc {kc}");
            assert_eq!(
                blocks,
                k.div_ceil(bl.kc),
                "k {k}: as few blocks as KC allows"
            );
            // All blocks are `kc` deep but the last, which is shallower by
            // less than the number of blocks.
            let last = k - (blocks - 1) * kc;
            assert!(
                last + blocks > kc && last <= kc,
                "k {k}: kc {kc}, last {last}"
            );
        }
    }
}

/// Where a call's weights come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WSrc<T> {
    /// Row-major `k x n`, row stride `ld`; `ptr` is this block's column 0.
    RowMajor { ptr: *const T, ld: usize },
    /// Packed by [`pack_w`](super::pack::pack_w) for the whole of `k` and `n_pad` columns
    /// (`n` rounded up to `NR`); this block starts at column `col0` (a
    /// multiple of `NR`).
    Packed {
        ptr: *const T,
        n_pad: usize,
        col0: usize,
    },
}

/// A block of one product: `out[..m][..n] = act(x · w + bias)`.
///
/// The pointers address the block's first row and column; `ldx` and `ldc`
/// are the row strides of `x` and `out`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Problem<T> {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub x: *const T,
    pub ldx: usize,
    pub w: WSrc<T>,
    /// `n` biases, or none (zero).
    pub bias: Option<*const T>,
    /// The activation after the bias: the rest of the epilogue.
    pub act: Activation,
    pub out: *mut T,
    pub ldc: usize,
}

/// Whether a product is cheaper without packing (W read in place, whole `k`
/// per tile, no `KC` blocks):
///
/// - X has at most two tiles of rows: a packed W would be read once or
///   twice, so packing it costs more than it saves;
/// - or every product with this W reads it in place ([`always_direct`]).
fn use_direct<T>(bl: &Blocks, m: usize, k: usize, n: usize) -> bool {
    m <= 2 * bl.mr || always_direct::<T>(bl, k, n)
}

/// Whether every product with a `k x n` W takes a path that reads W in
/// place ([`narrow_k`] or [`direct`]), whatever `m`, so packing it would not
/// be used:
///
/// - W fits in half of L1d: its rows stay there across all row tiles;
/// - or W has at most one panel of columns (`n <= NR`) and fits in half of
///   L2: then there is a single pass over W's columns, so packing X buys no
///   reuse, and row tiles read W from L2 as they would read a packed panel,
///   without the cost of packing it (or the zero columns a narrow W packs
///   into).
pub(crate) fn always_direct<T>(bl: &Blocks, k: usize, n: usize) -> bool {
    let bytes = k.saturating_mul(n).saturating_mul(size_of::<T>());
    bytes <= bl.direct_w_bytes || (n <= bl.nr && bytes <= bl.l2_bytes / 2)
}

/// Products this shallow and narrow (`k <= NARROW_MAX_K`, `n <= LANES`)
/// take [`narrow_k`]: the chapter's 300 x 2 x 3 and 300 x 3 x 3.
pub(crate) const NARROW_MAX_K: usize = 8;

/// One block of a product, on this tier (`MR x NV` vector tiles, `NW`
/// vectors for one or two rows, `MR1 x 1` and `MR2 x 2` for narrow panels
/// of the direct path, blocking `bl`): [`narrow_k`] or [`direct`]
/// when W is row-major and small enough, the packed five loops otherwise.
///
/// # Safety
/// `pr.k >= 1`, and `pr`'s pointers address the `m x k`, `k x n`, `n` and
/// `m x n` regions its strides describe (a packed W: as [`pack_w`](super::pack::pack_w) laid it
/// out with `bl`); `out`'s region is not accessed by anyone else during the
/// call. (`k == 0` is the caller's case: the paths here read at least one
/// step of `k`.)
#[inline(always)]
pub(crate) unsafe fn gemm<
    T: Float,
    V: Vector<T>,
    const MR: usize,
    const NV: usize,
    const NW: usize,
    const MR1: usize,
    const MR2: usize,
>(
    bl: &Blocks,
    pr: &Problem<T>,
) {
    debug_assert!(bl.mr == MR && bl.nr == NV * V::LANES && NW == 2 * NV);
    debug_assert!(MR <= MAX_MR && MR1 <= MAX_MR && MR2 <= MAX_MR);
    debug_assert!(pr.k >= 1);
    // SAFETY (each arm): forwarded from the caller.
    match pr.w {
        WSrc::RowMajor { ptr, ld } if pr.n <= V::LANES && pr.k <= NARROW_MAX_K => unsafe {
            narrow_k::<T, V>(pr, ptr, ld)
        },
        WSrc::RowMajor { ptr, ld } if use_direct::<T>(bl, pr.m, pr.k, pr.n) => unsafe {
            direct::<T, V, MR, NV, NW, MR1, MR2>(pr, ptr, ld)
        },
        _ => unsafe { packed::<T, V, MR, NV, NW>(bl, pr) },
    }
}
