//! The direct path: tiles over X and W read in place, whole `k` per tile,
//! for products too small for packing to pay.

use super::microkernel::{MAX_MR, RowMajorRhs, RowsLhs, Start, tile_rows, tile_wide, wide_block};
use super::problem::Problem;
use crate::float::Float;
use crate::simd::Vector;

/// The direct path: X and W read in place, whole `k` per tile (`FEW`: the
/// block has one or two rows, as in [`gemm`](super::blis::gemm)).
///
/// A panel of at most two vectors of columns (a narrow output, or the last
/// panel of one) takes taller tiles when the tier has them (`MR1` rows for
/// one vector, `MR2` for two): an `MR x 1` tile has only `MR` independent
/// FMA chains, too few to cover the FMA's latency on both pipes, and a
/// 10-class output is such a panel on every row.
///
/// # Safety
/// As [`gemm`](super::blis::gemm), with `w` (row stride `ldw`) the row-major weights.
#[inline(always)]
pub(super) unsafe fn direct<
    T: Float,
    V: Vector<T>,
    const MR: usize,
    const NV: usize,
    const NW: usize,
    const MR1: usize,
    const MR2: usize,
    const FEW: bool,
>(
    pr: &Problem<T>,
    w: *const T,
    ldw: usize,
) {
    let (l, nr) = (V::LANES, NV * V::LANES);
    let wide = wide_block::<FEW>(pr.m);
    let step = if wide { NW * l } else { nr };
    // Loop 2: one panel of NR columns of W (2·NR for wide tiles), read in
    // place.
    for jr in (0..pr.n).step_by(step) {
        let cols = step.min(pr.n - jr);
        // SAFETY: columns `jr .. jr + cols` of W, the bias and `out` exist
        // (the caller's contract).
        unsafe {
            if wide {
                direct_panel::<T, V, 2, NW, true>(pr, w, ldw, (jr, cols));
            } else if cols <= l && MR1 > MR {
                direct_panel::<T, V, MR1, 1, false>(pr, w, ldw, (jr, cols));
            } else if cols <= 2 * l && NV > 2 && MR2 > MR {
                direct_panel::<T, V, MR2, 2, false>(pr, w, ldw, (jr, cols));
            } else {
                direct_panel::<T, V, MR, NV, false>(pr, w, ldw, (jr, cols));
            }
        }
    }
}

/// Loop 1 of the direct path over one panel of `cols` columns from `jr`:
/// `MR x NV` tiles ([`tile_wide`] for one or two rows when `WIDE`), X and W
/// read in place.
///
/// # Safety
/// As [`direct`], with columns `jr .. jr + cols` (at most `NV` vectors)
/// inside the problem.
#[inline(always)]
unsafe fn direct_panel<
    T: Float,
    V: Vector<T>,
    const MR: usize,
    const NV: usize,
    const WIDE: bool,
>(
    pr: &Problem<T>,
    w: *const T,
    ldw: usize,
    (jr, cols): (usize, usize),
) {
    debug_assert!(MR <= MAX_MR && cols <= NV * V::LANES);
    // SAFETY: column `jr` of the bias exists.
    let start = match pr.bias {
        Some(b) => Start::Bias(unsafe { b.add(jr) }),
        None => Start::Zero,
    };
    let full = cols == NV * V::LANES;
    for ir in (0..pr.m).step_by(MR) {
        let rows = MR.min(pr.m - ir);
        // SAFETY (all pointer offsets below): rows `ir .. ir + rows` of X
        // and `out`, and columns `jr .. jr + cols` of W and `out`, are
        // inside the problem (the caller's contract).
        let mut a = RowsLhs {
            rows: [pr.x; MAX_MR],
        };
        for (r, row) in a.rows.iter_mut().enumerate() {
            *row = unsafe { pr.x.add((ir + r.min(rows - 1)) * pr.ldx) };
        }
        let c = unsafe { pr.out.add(ir * pr.ldc + jr) };
        let (ptr, size) = (unsafe { w.add(jr) }, (rows, cols));
        // SAFETY: as above; the tiles read at most `MR` rows of `a` (rows
        // past `rows` repeat the last), and edge tiles load only the `cols`
        // columns that exist.
        unsafe {
            match (WIDE, full) {
                (true, true) => {
                    let b = RowMajorRhs::<T, true> { ptr, ld: ldw, cols };
                    tile_wide::<T, V, NV>(pr.k, a, b, c, pr.ldc, size, start, pr.act);
                }
                (true, false) => {
                    let b = RowMajorRhs::<T, false> { ptr, ld: ldw, cols };
                    tile_wide::<T, V, NV>(pr.k, a, b, c, pr.ldc, size, start, pr.act);
                }
                (false, true) => {
                    let b = RowMajorRhs::<T, true> { ptr, ld: ldw, cols };
                    tile_rows::<T, V, MR, NV>(pr.k, a, b, c, pr.ldc, size, start, pr.act);
                }
                (false, false) => {
                    let b = RowMajorRhs::<T, false> { ptr, ld: ldw, cols };
                    tile_rows::<T, V, MR, NV>(pr.k, a, b, c, pr.ldc, size, start, pr.act);
                }
            }
        }
    }
}
