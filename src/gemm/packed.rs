//! The packed path: BLIS's five loops around the microkernel, each
//! labelled with the cache its block is sized for.

use super::microkernel::{
    MAX_MR, PackedLhs, PackedRhs, RowsLhs, Start, tile_rows, tile_wide, wide_block,
};
use super::pack::{pack_w, pack_x};
use super::problem::{Blocks, Problem, WSrc, spans};
use super::scratch::{return_scratch, scratch_slice, take_scratch};
use crate::activation::Activation;
use crate::float::Float;
use crate::simd::Vector;

/// The packed path: BLIS's five loops around the microkernel (`FEW`: the
/// block has one or two rows, as in [`gemm`](super::blis::gemm)).
///
/// # Safety
/// As [`gemm`](super::blis::gemm).
#[inline(always)]
pub(super) unsafe fn packed<
    T: Float,
    V: Vector<T>,
    const MR: usize,
    const NV: usize,
    const NW: usize,
    const FEW: bool,
>(
    bl: &Blocks,
    pr: &Problem<T>,
) {
    let nr = bl.nr;
    let kc_max = bl.kc_for(pr.k);
    // MC and NC as sized for this CPU's deepest block, `KC`; one or two
    // rows are one block whatever MC is (at least `MR`), without its
    // division.
    let kc_cpu = bl.kc();
    let bl_mc = if wide_block::<FEW>(pr.m) {
        pr.m
    } else {
        bl.mc(kc_cpu)
    };
    let bl_nc = bl.nc(kc_cpu);
    // Blocks of one or two rows read X in place (below): no buffer for it.
    let x_len = if wide_block::<FEW>(bl_mc) {
        0
    } else {
        bl_mc.next_multiple_of(MR) * kc_max
    };
    let w_len = match pr.w {
        WSrc::RowMajor { .. } => kc_max * bl_nc.min(pr.n).next_multiple_of(nr),
        WSrc::Packed { .. } => 0,
    };
    let mut buf = take_scratch::<T>(x_len + w_len);
    {
        let (x_buf, w_buf) = scratch_slice::<T>(&mut buf, x_len + w_len).split_at_mut(x_len);
        // Loop 5: a block of NC columns of W (for L3).
        for (jc, nc) in spans(pr.n, bl_nc) {
            // Loop 4: a block of KC of the depth (sizes the L1 micro-panels).
            for (pc, kc) in spans(pr.k, kc_max) {
                let start = match (pc, pr.bias) {
                    (0, Some(b)) => Start::Bias(b),
                    (0, None) => Start::Zero,
                    _ => Start::Out,
                };
                // The activation once the chain is complete: after the last block.
                let act = if pc + kc == pr.k {
                    pr.act
                } else {
                    Activation::Identity
                };
                let w_block: *const T = match pr.w {
                    WSrc::RowMajor { ptr, ld } => {
                        // SAFETY: rows `pc .. pc + kc`, columns
                        // `jc .. jc + nc` are inside W.
                        unsafe { pack_w::<T, V, NV>(w_buf, ptr, ld, (pc, kc), (jc, nc)) };
                        w_buf.as_ptr()
                    }
                    // SAFETY: `pack_w` laid out the `kc` rows from `pc` for
                    // all `n_pad` columns at `pc · n_pad`, panel by panel.
                    WSrc::Packed { ptr, n_pad, col0 } => unsafe {
                        ptr.add(pc * n_pad + (col0 + jc) * kc)
                    },
                };
                // Loop 3: a block of MC rows of X (for L2).
                for (ic, mc) in spans(pr.m, bl_mc) {
                    // One or two rows take wide tiles and read X in place:
                    // packing them would copy each element once to read it
                    // once.
                    let wide = wide_block::<FEW>(mc);
                    let mut rows_lhs = RowsLhs {
                        rows: [pr.x; MAX_MR],
                    };
                    if wide {
                        for (r, row) in rows_lhs.rows.iter_mut().enumerate() {
                            // SAFETY: row `ic + min(r, mc - 1)` and columns
                            // `pc ..` are inside X.
                            *row = unsafe { pr.x.add((ic + r.min(mc - 1)) * pr.ldx + pc) };
                        }
                    } else {
                        // SAFETY: rows `ic .. ic + mc`, columns `pc .. pc + kc`
                        // are inside X.
                        unsafe { pack_x::<T, MR>(x_buf, pr.x, pr.ldx, (ic, mc), (pc, kc)) };
                    }
                    // Loop 2: one KC x NR micro-panel of W (stays in L2, near the core);
                    // two at once for wide tiles.
                    let step = if wide { 2 * nr } else { nr };
                    for (jr, cols) in spans(nc, step) {
                        let b = PackedRhs::<T, NV> {
                            ptr: w_block.wrapping_add(jr * kc),
                            kc,
                        };
                        let start = match start {
                            Start::Bias(bias) => Start::Bias(bias.wrapping_add(jc + jr)),
                            s => s,
                        };
                        // SAFETY (both arms): the panels hold `kc` steps of
                        // `NR` columns (a wide tile with `cols > NR` reads
                        // the next panel too, which exists), X's rows as
                        // packed or read in place hold `kc` steps; the
                        // tile's `rows x cols` lie inside `out` (row `ic +
                        // ir`, column `jc + jr`).
                        if wide {
                            let size = (mc, cols);
                            unsafe {
                                let c = pr.out.add(ic * pr.ldc + jc + jr);
                                tile_wide::<T, V, NW>(kc, rows_lhs, b, c, pr.ldc, size, start, act);
                            }
                            continue;
                        }
                        // Loop 1: one MR x KC micro-panel of X.
                        for ir in (0..mc).step_by(MR) {
                            let rows = MR.min(mc - ir);
                            let a = PackedLhs {
                                ptr: x_buf[ir * kc..].as_ptr(),
                                stride: MR,
                            };
                            let size = (rows, cols);
                            unsafe {
                                let c = pr.out.add((ic + ir) * pr.ldc + jc + jr);
                                tile_rows::<T, V, MR, NV>(kc, a, b, c, pr.ldc, size, start, act);
                            }
                        }
                    }
                }
            }
        }
    }
    return_scratch(buf);
}
