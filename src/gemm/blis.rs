//! The BLIS algorithm behind the dense layer, written once over the tier's
//! vector type `V` and tile constants: this file holds the problem
//! description, the cache blocking, and the choice of path; the paths are
//! in their own files.
//!
//! | file | what |
//! |---|---|
//! | `problem.rs` | [`Problem`], [`Blocks`]: what a block of a product is |
//! | `blis.rs` | which path a block takes ([`gemm`]) |
//! | `narrow.rs` | the narrow path (`k <= 8`, one vector of columns: W in registers) |
//! | `direct.rs` | the direct path (X and W read in place) |
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
use super::direct::direct;
use super::microkernel::{MAX_MR, wide_rows};
use super::narrow::narrow_k;
use super::packed::packed;
use super::problem::{Blocks, Problem, WSrc};
use crate::float::Float;
use crate::simd::Vector;

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
    bytes <= bl.budgets.direct_w || (n <= bl.nr && bytes <= bl.budgets.l2 / 2)
}

/// Products this shallow and narrow (`k <= NARROW_MAX_K`, `n <= LANES`)
/// take [`narrow_k`]: the chapter's 300 x 2 x 3 and 300 x 3 x 3.
pub(crate) const NARROW_MAX_K: usize = 8;

/// One block of a product, on this tier (`MR x NV` vector tiles, `NW`
/// vectors for one or two rows, `MR1 x 1` and `MR2 x 2` for narrow panels
/// of the direct path, blocking `bl`): [`narrow_k`] or [`direct`]
/// when W is row-major and small enough, the packed five loops otherwise.
///
/// `FEW`: the block has one or two rows ([`wide_rows`]), so it takes the
/// wide tiles only. Compiled as a function of its own (`call.rs`) without
/// the taller tiles, whose set-up the compiler hoists to the function's
/// start, where a one-row product (a sample through a layer) paid for it
/// on every call.
///
/// # Safety
/// `pr.k >= 1`, and `pr`'s pointers address the `m x k`, `k x n`, `n` and
/// `m x n` regions its strides describe (a packed W: as `pack::pack_w` laid it
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
    const FEW: bool,
>(
    bl: &Blocks,
    pr: &Problem<T>,
) {
    debug_assert!(bl.mr == MR && bl.nr == NV * V::LANES && NW == 2 * NV);
    debug_assert!(!FEW || wide_rows(pr.m));
    debug_assert!(MR <= MAX_MR && MR1 <= MAX_MR && MR2 <= MAX_MR);
    debug_assert!(pr.k >= 1);
    // SAFETY (each arm): forwarded from the caller.
    match pr.w {
        WSrc::RowMajor { ptr, ld } if pr.n <= V::LANES && pr.k <= NARROW_MAX_K => unsafe {
            narrow_k::<T, V>(pr, ptr, ld)
        },
        WSrc::RowMajor { ptr, ld } if use_direct::<T>(bl, pr.m, pr.k, pr.n) => unsafe {
            direct::<T, V, MR, NV, NW, MR1, MR2, FEW>(pr, ptr, ld)
        },
        _ => unsafe { packed::<T, V, MR, NV, NW, FEW>(bl, pr) },
    }
}
