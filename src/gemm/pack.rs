//! Packing: W into `NR`-column micro-panels and X into `MR`-row ones, in
//! the order the microkernel reads them.

use super::microkernel::{lanes_in, part};
use crate::float::Float;
use crate::simd::Vector;

/// Packs rows `p0 .. p0 + kc`, columns `j0 .. j0 + nc` of row-major `w`
/// (row stride `ld`) into `NR`-column micro-panels (`NR = NV · LANES`):
/// panel `q` holds, for each `p`, the `NR` values `w[p0 + p][j0 + q·NR ..]`,
/// zero past column `j0 + nc`. Writes `kc · nc.div_ceil(NR) · NR` elements
/// of `dst`, one vector at a time.
///
/// # Safety
/// `w` addresses rows `p0 .. p0 + kc` and columns `j0 .. j0 + nc`.
#[inline(always)]
pub(crate) unsafe fn pack_w<T: Float, V: Vector<T>, const NV: usize>(
    dst: &mut [T],
    w: *const T,
    ld: usize,
    (p0, kc): (usize, usize),
    (j0, nc): (usize, usize),
) {
    let (l, nr) = (V::LANES, NV * V::LANES);
    assert!(dst.len() >= kc * nc.div_ceil(nr) * nr);
    for q in (0..nc).step_by(nr) {
        let width = nr.min(nc - q);
        for p in 0..kc {
            // SAFETY: row `p0 + p` and columns `j0 + q .. j0 + q + width` lie
            // in the region the caller vouches for (a partial panel reads
            // only the `width` that exist, through `part`, and a vector
            // past them reads nothing); the panel row `p`
            // of panel `q / nr` (at `q·kc + p·nr`, `nr` long) lies in `dst`
            // (asserted).
            unsafe {
                let src = w.add((p0 + p) * ld + j0 + q);
                let d = dst.as_mut_ptr().add(q * kc + p * nr);
                for v in 0..NV {
                    let n = lanes_in::<T, V>(width, v);
                    let vec = if n == l {
                        V::load_ptr(src.add(v * l))
                    } else if n > 0 {
                        V::load_padded(part(src, v * l, n), T::ZERO)
                    } else {
                        V::splat(T::ZERO)
                    };
                    vec.store_ptr(d.add(v * l));
                }
            }
        }
    }
}

/// Packs rows `i0 .. i0 + mc`, columns `p0 .. p0 + kc` of row-major `x`
/// (row stride `ld`) into `MR`-row micro-panels: panel `t` holds, for each
/// `p`, the `MR` values `x[i0 + t·MR + r][p0 + p]`. Past row `i0 + mc` a
/// panel repeats the block's last row: those rows of the tile are computed
/// and never stored, so any finite or non-finite value will do.
///
/// # Safety
/// `x` addresses rows `i0 .. i0 + mc` and columns `p0 .. p0 + kc`.
#[inline(always)]
pub(super) unsafe fn pack_x<T: Float, const MR: usize>(
    dst: &mut [T],
    x: *const T,
    ld: usize,
    (i0, mc): (usize, usize),
    (p0, kc): (usize, usize),
) {
    for (t, panel) in dst
        .chunks_exact_mut(kc * MR)
        .take(mc.div_ceil(MR))
        .enumerate()
    {
        let last = mc - 1 - t * MR;
        // SAFETY: row `i0 + t·MR + min(r, last)` (< i0 + mc), column `p0`,
        // lies in the region the caller vouches for.
        let mut rows = [x; MR];
        for (r, row) in rows.iter_mut().enumerate() {
            *row = unsafe { x.add((i0 + t * MR + r.min(last)) * ld + p0) };
        }
        for (p, d) in panel.chunks_exact_mut(MR).enumerate() {
            for (d, row) in d.iter_mut().zip(rows) {
                // SAFETY: `p < kc`: column `p0 + p` of a row in the region.
                *d = unsafe { *row.add(p) };
            }
        }
    }
}
