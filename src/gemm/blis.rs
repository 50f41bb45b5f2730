//! The BLIS algorithm, written once over the tier's vector type `V`:
//! packing, the five loops around the microkernel, and the direct path that
//! skips packing for small operands. `avx2.rs` and `avx512.rs` instantiate it
//! with their tile shapes and block sizes, inside functions compiled for
//! their instruction sets.
//!
//! Every output element is one chain of fused multiply-adds in `k` order,
//! started from its bias (or zero):
//!
//! ```text
//! acc = bias[j];  for p in 0..k { acc = fma(x[i][p], w[p][j], acc) }
//! out[i][j] = relu ? max(acc, 0) : acc
//! ```
//!
//! Blocking only decides where the chain pauses (a `KC` block ends: the
//! partial sum is stored to `out`, exactly, and reloaded for the next block)
//! and which lane of which tile carries it; neither changes a rounding. So
//! the result is the same bits for any tile, block, split across threads,
//! packed or direct path: that of [`crate::reference::dense_fma_chain`].

use std::cell::Cell;

use crate::Float;
use crate::simd::{MAX_LANES, Vector};

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
    /// Packed by [`pack_w`] for the whole of `k` and `n_pad` columns
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
    pub relu: bool,
    pub out: *mut T,
    pub ldc: usize,
}

// ---------------------------------------------------------------------------
// Packing
// ---------------------------------------------------------------------------

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
unsafe fn pack_x<T: Float, const MR: usize>(
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
        let rows: [*const T; MR] =
            std::array::from_fn(|r| unsafe { x.add((i0 + t * MR + r.min(last)) * ld + p0) });
        for (p, d) in panel.chunks_exact_mut(MR).enumerate() {
            for (d, row) in d.iter_mut().zip(rows) {
                // SAFETY: `p < kc`: column `p0 + p` of a row in the region.
                *d = unsafe { *row.add(p) };
            }
        }
    }
}

/// Per-thread packing buffers, grown to the largest block a thread has seen
/// and kept, so calls in steady state allocate nothing. 64-byte units keep
/// every packed panel cache-line aligned.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

thread_local! {
    static SCRATCH: Cell<Vec<Line>> = const { Cell::new(Vec::new()) };
}

/// Takes this thread's packing buffer, grown to at least `len` `T`s (no
/// closure: the kernels using it must stay inside their `#[target_feature]`
/// function for the intrinsics to inline). Hand it back with
/// [`return_scratch`]. A call re-entered on the same thread (nothing does so
/// today) would find the buffer gone and allocate its own.
fn take_scratch<T>(len: usize) -> Vec<Line> {
    let mut buf = SCRATCH.with(|cell| cell.take());
    let lines = (len * size_of::<T>()).div_ceil(64);
    if buf.len() < lines {
        buf.resize(lines, Line([0; 64]));
    }
    buf
}

/// Puts a buffer from [`take_scratch`] back for the next call.
fn return_scratch(buf: Vec<Line>) {
    SCRATCH.with(|cell| cell.replace(buf));
}

/// The first `len` `T`s of a buffer from [`take_scratch`]`::<T>(len)`.
fn scratch_slice<T: Float>(buf: &mut [Line], len: usize) -> &mut [T] {
    assert!(len * size_of::<T>() <= buf.len() * 64);
    // SAFETY: the buffer holds at least `len * size_of::<T>()` initialised
    // bytes (asserted), aligned to 64 (>= align_of::<T>()); any bit pattern
    // is a valid f32/f64, and the result borrows `buf` uniquely.
    unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<T>(), len) }
}

// ---------------------------------------------------------------------------
// The microkernel
// ---------------------------------------------------------------------------

/// How a tile's accumulators start.
#[derive(Clone, Copy)]
enum Start<T> {
    /// From the bias of the tile's columns (`NR` values, fewer at the edge).
    Bias(*const T),
    /// From zero (no bias).
    Zero,
    /// From `out` itself: the partial sums of the previous `KC` block.
    Out,
}

/// The left operand of a tile: `MR` values of X per step `p`.
trait Lhs<T> {
    /// `x[r][p]` of the tile.
    ///
    /// # Safety
    /// `r` is below the tile's row count and `p` below its depth.
    unsafe fn get(&self, p: usize, r: usize) -> T;
}

/// A packed `MR`-row micro-panel: `x[r][p]` at `ptr[p * stride + r]`.
#[derive(Clone, Copy)]
struct PackedLhs<T> {
    ptr: *const T,
    stride: usize,
}

impl<T: Copy> Lhs<T> for PackedLhs<T> {
    #[inline(always)]
    unsafe fn get(&self, p: usize, r: usize) -> T {
        // SAFETY: the caller keeps `p, r` inside the packed panel.
        unsafe { *self.ptr.add(p * self.stride + r) }
    }
}

/// Rows of X read in place: row `r` starts at `rows[r]`. Past the block's
/// last row the pointers repeat that row, so a short tile reads nothing
/// outside X (and its extra rows are never stored).
#[derive(Clone, Copy)]
struct RowsLhs<T> {
    rows: [*const T; MAX_MR],
}

/// The largest `MR` of any tier.
const MAX_MR: usize = 16;

impl<T: Copy> Lhs<T> for RowsLhs<T> {
    #[inline(always)]
    unsafe fn get(&self, p: usize, r: usize) -> T {
        // SAFETY: the caller keeps `p` below `k`; `rows[r]` is a row of X.
        unsafe { *self.rows[r].add(p) }
    }
}

/// The right operand of a tile: `NV` vectors of W per step `p`.
trait Rhs<T, V> {
    /// Vector `v` of row `p` of the tile's W panel.
    ///
    /// # Safety
    /// `p` is below the tile's depth and `v` below `NV`, and vector `v`
    /// holds at least one of the tile's columns (`v · LANES < cols`, as
    /// [`tile_cols`] sizes every tile).
    unsafe fn load(&self, p: usize, v: usize) -> V;
}

/// Packed micro-panels of `PNV` vectors (`NR = PNV · LANES` columns), `kc`
/// steps deep, one after another: vector `v` of step `p` is in panel
/// `v / PNV` at `p · NR + (v % PNV) · LANES`. A tile of `NV = PNV` vectors
/// reads one panel; a wide tile (few rows, `NV = 2 · PNV`) reads two.
#[derive(Clone, Copy)]
struct PackedRhs<T, const PNV: usize> {
    ptr: *const T,
    kc: usize,
}

impl<T: Float, V: Vector<T>, const PNV: usize> Rhs<T, V> for PackedRhs<T, PNV> {
    #[inline(always)]
    unsafe fn load(&self, p: usize, v: usize) -> V {
        let (l, nr) = (V::LANES, PNV * V::LANES);
        let at = (v / PNV) * self.kc * nr + p * nr + (v % PNV) * l;
        // SAFETY: the caller keeps `p` below `kc` and `v / PNV` below the
        // number of panels that follow `ptr`.
        unsafe { V::load_ptr(self.ptr.add(at)) }
    }
}

/// W read in place, row stride `ld`; `cols` valid columns from `ptr`, the
/// rest of the tile's lanes zero (loads never pass column `cols`).
#[derive(Clone, Copy)]
struct RowMajorRhs<T, const FULL: bool> {
    ptr: *const T,
    ld: usize,
    cols: usize,
}

impl<T: Float, V: Vector<T>, const FULL: bool> Rhs<T, V> for RowMajorRhs<T, FULL> {
    #[inline(always)]
    unsafe fn load(&self, p: usize, v: usize) -> V {
        // SAFETY: row `p` of W; `FULL` tiles have all `NR` columns; in an
        // edge tile a vector inside `cols` is read whole and the last one
        // only for the `cols - v·LANES` columns that exist ([`tile_cols`]
        // sizes edge tiles so that every vector has at least one).
        unsafe {
            let at = p * self.ld + v * V::LANES;
            if FULL || (v + 1) * V::LANES <= self.cols {
                V::load_ptr(self.ptr.add(at))
            } else {
                debug_assert!(v * V::LANES < self.cols);
                let n = self.cols - v * V::LANES;
                V::load_padded(std::slice::from_raw_parts(self.ptr.add(at), n), T::ZERO)
            }
        }
    }
}

/// The `len` elements at `base + offset`, or an empty slice when `len` is
/// 0: a vector wholly past an edge tile's last column has no lanes, and its
/// offset may lie past the end of the buffer, where even forming the
/// pointer would be undefined behaviour.
///
/// # Safety
/// If `len > 0`, the `len` elements from `base + offset` are initialised and
/// readable for `'a`.
#[inline(always)]
unsafe fn part<'a, T>(base: *const T, offset: usize, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        // SAFETY: the caller's contract.
        unsafe { std::slice::from_raw_parts(base.add(offset), len) }
    }
}

/// [`part`] for writing.
///
/// # Safety
/// If `len > 0`, the `len` elements from `base + offset` are writable and
/// accessed by nothing else for `'a`.
#[inline(always)]
unsafe fn part_mut<'a, T>(base: *mut T, offset: usize, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        // SAFETY: the caller's contract.
        unsafe { std::slice::from_raw_parts_mut(base.add(offset), len) }
    }
}

/// How many of vector `v`'s lanes lie within `cols` columns.
#[inline(always)]
fn lanes_in<T, V: Vector<T>>(cols: usize, v: usize) -> usize
where
    T: Copy,
{
    cols.saturating_sub(v * V::LANES).min(V::LANES)
}

/// One `MR x NR` tile (`NR = NV · LANES`) of `out`: `kc` fused multiply-adds
/// per element onto `start`, then the epilogue (ReLU if `relu`), then the
/// store of the `rows x cols` that exist. Every vector holds at least one of
/// the `cols` columns (`cols > (NV - 1) · LANES`, as [`tile_cols`] sizes
/// tiles), so no load or store is issued for lanes that do not exist.
///
/// # Safety
/// `a` and `b` are readable for `kc` steps (and `MR` rows, `NV` vectors);
/// `c` addresses `rows x cols` elements with row stride `ldc`, initialised
/// if `start` is `Out`; a `Bias` pointer addresses `cols` values.
#[allow(clippy::too_many_arguments)] // the microkernel's operands
#[inline(always)]
unsafe fn tile<T: Float, V: Vector<T>, const MR: usize, const NV: usize>(
    kc: usize,
    a: impl Lhs<T>,
    b: impl Rhs<T, V>,
    c: *mut T,
    ldc: usize,
    (rows, cols): (usize, usize),
    start: Start<T>,
    relu: bool,
) {
    let l = V::LANES;
    debug_assert!(cols > (NV - 1) * l && cols <= NV * l && rows >= 1 && rows <= MR);
    let full = rows == MR && cols == NV * l;
    let zero = V::splat(T::ZERO);
    // Whether vector `v` of a row is whole (plain load and store) or the
    // last, partial one (masked).
    let whole = |v: usize| (v + 1) * l <= cols;
    // SAFETY (edge loads and stores below): rows below `rows` and lanes
    // below `lanes_in(cols, v)` (at least one) are inside `out` (the
    // caller's contract).
    let edge =
        |r: usize, v: usize| unsafe { part_mut(c, r * ldc + v * l, lanes_in::<T, V>(cols, v)) };
    // Loops with constant trip counts, not closures: a closure holding a
    // vector operation may not inline into the `#[target_feature]` caller.
    let mut acc = [[zero; NV]; MR];
    match start {
        Start::Zero => {}
        Start::Bias(bias) => {
            for v in 0..NV {
                // SAFETY: `bias` addresses the tile's `cols` columns.
                let b = unsafe {
                    if whole(v) {
                        V::load_ptr(bias.add(v * l))
                    } else {
                        V::load_padded(part(bias, v * l, lanes_in::<T, V>(cols, v)), T::ZERO)
                    }
                };
                for acc_r in acc.iter_mut() {
                    acc_r[v] = b;
                }
            }
        }
        Start::Out => {
            for (r, acc_r) in acc.iter_mut().enumerate() {
                for (v, acc_rv) in acc_r.iter_mut().enumerate() {
                    if full || (r < rows && whole(v)) {
                        // SAFETY: row `r` of the tile holds vector `v` whole.
                        *acc_rv = unsafe { V::load_ptr(c.add(r * ldc + v * l)) };
                    } else if r < rows {
                        *acc_rv = V::load_padded(edge(r, v), T::ZERO);
                    }
                }
            }
        }
    }
    // SAFETY: forwarded from the caller.
    let mut acc = unsafe { k_loop::<T, V, MR, NV>(kc, &a, &b, acc) };
    if relu {
        // The same operation as `crate::relu` (NaN and -0.0 pass through).
        for v in acc.iter_mut().flatten() {
            *v = V::max_fast(*v, zero);
        }
    }
    if full {
        for (r, row) in acc.iter().enumerate() {
            for (v, &val) in row.iter().enumerate() {
                // SAFETY: a full tile: all `MR x NR` elements are in `out`.
                unsafe { val.store_ptr(c.add(r * ldc + v * l)) }
            }
        }
    } else {
        // A constant trip count (`MR`, not `rows`) keeps `acc` in registers.
        for (r, row) in acc.iter().enumerate() {
            if r < rows {
                for (v, &val) in row.iter().enumerate() {
                    if whole(v) {
                        // SAFETY: row `r` of the tile holds vector `v` whole.
                        unsafe { val.store_ptr(c.add(r * ldc + v * l)) }
                    } else {
                        val.store_prefix(edge(r, v));
                    }
                }
            }
        }
    }
}

/// The microkernel's loop over `k`: per step, `NV` loads of W, `MR`
/// broadcasts of X and `MR · NV` FMAs. A function of its own, taking and
/// returning the accumulators by value, so they live in registers.
///
/// # Safety
/// `a` and `b` are readable for `kc` steps.
#[inline(always)]
unsafe fn k_loop<T: Float, V: Vector<T>, const MR: usize, const NV: usize>(
    kc: usize,
    a: &impl Lhs<T>,
    b: &impl Rhs<T, V>,
    mut acc: [[V; NV]; MR],
) -> [[V; NV]; MR] {
    let mut bv = [V::splat(T::ZERO); NV];
    for p in 0..kc {
        // A loop, not `array::from_fn`: its closure may not inline into the
        // `#[target_feature]` caller, and then neither do the loads in it.
        for (v, bv) in bv.iter_mut().enumerate() {
            // SAFETY: `p < kc` and `v < NV`: inside the operand.
            *bv = unsafe { b.load(p, v) };
        }
        for (r, acc_r) in acc.iter_mut().enumerate() {
            // SAFETY: as above.
            let av = V::splat(unsafe { a.get(p, r) });
            for (acc_rv, &b) in acc_r.iter_mut().zip(&bv) {
                *acc_rv = V::madd(av, b, *acc_rv);
            }
        }
    }
    acc
}

/// [`tile`] with the smallest `MR'` in {1, 2, 4, 8, MR} that covers `rows`,
/// so a short edge (one sample, say) does not pay for `MR` rows of FMAs,
/// and as many vectors as hold `cols` ([`tile_cols`]).
///
/// # Safety
/// As [`tile`], with `a` readable for `MR` rows (packed panels are `MR`
/// wide; rows read in place repeat their last row), which covers every
/// `MR' <= MR`.
#[allow(clippy::too_many_arguments)] // the microkernel's operands
#[inline(always)]
unsafe fn tile_rows<T: Float, V: Vector<T>, const MR: usize, const NV: usize>(
    kc: usize,
    a: impl Lhs<T> + Copy,
    b: impl Rhs<T, V> + Copy,
    c: *mut T,
    ldc: usize,
    size: (usize, usize),
    start: Start<T>,
    relu: bool,
) {
    // SAFETY: the caller's contract for `tile`, with `MR' <= MR`.
    unsafe {
        match size.0 {
            r if r == MR => tile_cols::<T, V, MR, NV>(kc, a, b, c, ldc, size, start, relu),
            1 => tile_cols::<T, V, 1, NV>(kc, a, b, c, ldc, size, start, relu),
            2 => tile_cols::<T, V, 2, NV>(kc, a, b, c, ldc, size, start, relu),
            3 | 4 if MR >= 4 => tile_cols::<T, V, 4, NV>(kc, a, b, c, ldc, size, start, relu),
            5..=8 if MR >= 8 => tile_cols::<T, V, 8, NV>(kc, a, b, c, ldc, size, start, relu),
            _ => tile_cols::<T, V, MR, NV>(kc, a, b, c, ldc, size, start, relu),
        }
    }
}

/// [`tile`] with `NV'` vectors, the fewest that hold the tile's `cols`
/// columns (`NV' <= NV`): an edge tile runs no load, FMA or store for a
/// vector with no columns in it, so a 10-column output is one masked vector
/// per row, not a tile's worth. (A masked load or store with an all-zero
/// mask is not free either: from an unmapped address, such as an empty
/// slice's, x86 CPUs take a microcode assist.)
///
/// # Safety
/// As [`tile`] (its contract covers every `NV' <= NV`).
#[allow(clippy::too_many_arguments)] // the microkernel's operands
#[inline(always)]
unsafe fn tile_cols<T: Float, V: Vector<T>, const MR: usize, const NV: usize>(
    kc: usize,
    a: impl Lhs<T> + Copy,
    b: impl Rhs<T, V> + Copy,
    c: *mut T,
    ldc: usize,
    size: (usize, usize),
    start: Start<T>,
    relu: bool,
) {
    debug_assert!(size.1 >= 1 && size.1 <= NV * V::LANES && NV <= MAX_NV);
    // Arms past `NV` are never taken; their guards are constants.
    macro_rules! arms {
        ($($nv:literal)*) => {
            // SAFETY: forwarded from the caller, with `NV' <= NV`.
            unsafe {
                match size.1.div_ceil(V::LANES) {
                    nv if nv == NV => tile::<T, V, MR, NV>(kc, a, b, c, ldc, size, start, relu),
                    $($nv if $nv < NV => tile::<T, V, MR, $nv>(kc, a, b, c, ldc, size, start, relu),)*
                    _ => unreachable!("a tile has 1 to NV vectors"),
                }
            }
        };
    }
    arms!(1 2 3 4 5 6 7)
}

/// The most vectors per tile row of any tier's tiles, wide ones included
/// ([`tile_cols`] has an arm for each count below it).
const MAX_NV: usize = 8;

/// Whether a block of `rows` rows uses wide tiles: one or two rows of
/// `NW` vectors (twice a tile's `NV`), so that enough independent FMA
/// chains are in flight to cover the FMA latency (a 1 x NV tile has only
/// `NV`).
#[inline(always)]
fn wide_rows(rows: usize) -> bool {
    rows <= 2
}

/// [`tile`] for a block of one or two rows ([`wide_rows`]), up to `NW`
/// vectors ([`tile_cols`]).
///
/// # Safety
/// As [`tile`] with `MR = rows` and `NV = NW`.
#[allow(clippy::too_many_arguments)] // the microkernel's operands
#[inline(always)]
unsafe fn tile_wide<T: Float, V: Vector<T>, const NW: usize>(
    kc: usize,
    a: impl Lhs<T> + Copy,
    b: impl Rhs<T, V> + Copy,
    c: *mut T,
    ldc: usize,
    size: (usize, usize),
    start: Start<T>,
    relu: bool,
) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if size.0 == 1 {
            tile_cols::<T, V, 1, NW>(kc, a, b, c, ldc, size, start, relu)
        } else {
            tile_cols::<T, V, 2, NW>(kc, a, b, c, ldc, size, start, relu)
        }
    }
}

// ---------------------------------------------------------------------------
// The loops
// ---------------------------------------------------------------------------

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
/// place ([`narrow`] or [`direct`]), whatever `m`, so packing it would not
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
/// take [`narrow`]: the chapter's 300 x 2 x 3 and 300 x 3 x 3.
pub(crate) const NARROW_MAX_K: usize = 8;

/// One block of a product, on this tier (`MR x NV` vector tiles, `NW`
/// vectors for one or two rows, `MR1 x 1` and `MR2 x 2` for narrow panels
/// of the direct path, blocking `bl`): [`narrow`] or [`direct`]
/// when W is row-major and small enough, the packed five loops otherwise.
///
/// # Safety
/// `pr.k >= 1`, and `pr`'s pointers address the `m x k`, `k x n`, `n` and
/// `m x n` regions its strides describe (a packed W: as [`pack_w`] laid it
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
            if pr.relu {
                narrow_k::<T, V, true>(pr, ptr, ld)
            } else {
                narrow_k::<T, V, false>(pr, ptr, ld)
            }
        },
        WSrc::RowMajor { ptr, ld } if use_direct::<T>(bl, pr.m, pr.k, pr.n) => unsafe {
            direct::<T, V, MR, NV, NW, MR1, MR2>(pr, ptr, ld)
        },
        _ => unsafe { packed::<T, V, MR, NV, NW>(bl, pr) },
    }
}

/// [`narrow`] with `K = pr.k` (at most `NARROW_MAX_K`) and the ReLU as
/// constants, so neither costs a branch per row.
///
/// # Safety
/// As [`narrow`].
#[inline(always)]
unsafe fn narrow_k<T: Float, V: Vector<T>, const RELU: bool>(
    pr: &Problem<T>,
    w: *const T,
    ld: usize,
) {
    // SAFETY: forwarded from the caller.
    unsafe {
        match pr.k {
            1 => narrow::<T, V, 1, RELU>(pr, w, ld),
            2 => narrow::<T, V, 2, RELU>(pr, w, ld),
            3 => narrow::<T, V, 3, RELU>(pr, w, ld),
            4 => narrow::<T, V, 4, RELU>(pr, w, ld),
            5 => narrow::<T, V, 5, RELU>(pr, w, ld),
            6 => narrow::<T, V, 6, RELU>(pr, w, ld),
            7 => narrow::<T, V, 7, RELU>(pr, w, ld),
            _ => narrow::<T, V, 8, RELU>(pr, w, ld),
        }
    }
}

/// The narrow path, for `k = K <= NARROW_MAX_K` and `n <= LANES`: W's `K`
/// rows held in `K` registers, the bias in one, and per row of X `K`
/// broadcasts, `K` FMAs and one store of `n` lanes. No packing, no tiles.
///
/// # Safety
/// As [`gemm`], with `pr.k == K` and `pr.n <= LANES`.
#[inline(always)]
unsafe fn narrow<T: Float, V: Vector<T>, const K: usize, const RELU: bool>(
    pr: &Problem<T>,
    w: *const T,
    ldw: usize,
) {
    let n = pr.n;
    debug_assert!(pr.k == K && n <= V::LANES);
    let zero = V::splat(T::ZERO);
    // Loops, not closures: a closure holding a vector operation would not
    // inline into this tier's `#[target_feature]` function.
    let mut wv = [zero; K];
    for (p, wv) in wv.iter_mut().enumerate() {
        // SAFETY: row `p < K` of W has `n` elements.
        *wv = V::load_padded(
            unsafe { std::slice::from_raw_parts(w.add(p * ldw), n) },
            T::ZERO,
        );
    }
    let start = match pr.bias {
        // SAFETY: the bias has `n` values.
        Some(b) => V::load_padded(unsafe { std::slice::from_raw_parts(b, n) }, T::ZERO),
        None => zero,
    };
    // SAFETY: forwarded from the caller.
    let done = unsafe { narrow_packed_rows::<T, V, K, RELU>(pr, w, ldw) };
    for i in done..pr.m {
        // SAFETY: row `i < m` of X has `K` elements.
        let x: [T; K] = unsafe { pr.x.add(i * pr.ldx).cast::<[T; K]>().read_unaligned() };
        let mut acc = start;
        for (&x, &w) in x.iter().zip(&wv) {
            acc = V::madd(V::splat(x), w, acc);
        }
        if RELU {
            acc = V::max_fast(acc, zero);
        }
        // SAFETY: row `i < m` of `out` has `n` elements, ours alone. Unless
        // masked stores are cheap: with whole rows (`ldc == n`, so the block is `m · n` contiguous
        // elements) a full vector fits while `i · n + LANES <= m · n`; its
        // lanes past `n` land in rows `i + 1 ..`, which are stored after it.
        unsafe {
            let row = pr.out.add(i * pr.ldc);
            if !V::MASKED_STORE_FAST && pr.ldc == n && i * n + V::LANES <= pr.m * n {
                acc.store_ptr(row);
            } else {
                acc.store_prefix(std::slice::from_raw_parts_mut(row, n));
            }
        }
    }
}

/// The narrow path for outputs so narrow that several rows fit one vector
/// (`R = LANES / n >= 2` rows, and their `R · K` inputs too), with whole
/// rows (`ldc == n`, `ldx == K`): lane `j` computes row `j / n`, column
/// `j % n` of a block of `R` rows. Per block: one load of X, `K` lane
/// permutes that spread each row's `x[p]` over its `n` lanes, `K` FMAs with
/// W's rows tiled `R` times, one store of `R · n` lanes. Each lane is still
/// its element's FMA chain from its bias. Returns the rows done (whole
/// blocks); [`narrow`] does the rest one row at a time.
///
/// # Safety
/// As [`narrow`].
#[inline(always)]
unsafe fn narrow_packed_rows<T: Float, V: Vector<T>, const K: usize, const RELU: bool>(
    pr: &Problem<T>,
    w: *const T,
    ldw: usize,
) -> usize {
    let (l, n) = (V::LANES, pr.n);
    let r = l / n;
    if r < 2 || r * K > l || pr.ldx != K || pr.ldc != n || l > MAX_LANES {
        return 0;
    }
    let used = r * n;
    // Lane `j < used`: row `j / n`, column `j % n`; lanes past `used` repeat
    // lane 0 and are never stored. Plain arrays first, vectors after (no
    // closure may hold a vector operation: it would not inline into this
    // tier's `#[target_feature]` function).
    let mut w_tiled = [[T::ZERO; MAX_LANES]; K];
    let mut b_tiled = [T::ZERO; MAX_LANES];
    let mut idx = [[0i32; MAX_LANES]; K];
    for j in 0..l {
        let (row, col) = if j < used { (j / n, j % n) } else { (0, 0) };
        for p in 0..K {
            // SAFETY: W has `K` rows of `n` columns; `col < n`.
            w_tiled[p][j] = unsafe { *w.add(p * ldw + col) };
            idx[p][j] = (row * K + p) as i32;
        }
        // SAFETY: the bias has `n` values.
        b_tiled[j] = pr.bias.map_or(T::ZERO, |b| unsafe { *b.add(col) });
    }
    let mut wt = [V::splat(T::ZERO); K];
    for (wt, w_tiled) in wt.iter_mut().zip(&w_tiled) {
        *wt = V::load(&w_tiled[..l]);
    }
    let start = V::load(&b_tiled[..l]);
    let zero = V::splat(T::ZERO);
    let blocks = pr.m / r;
    for b in 0..blocks {
        // SAFETY: rows `b·r .. b·r + r` (< m) of X are `r · K` contiguous
        // elements (`ldx == K`); a full-vector load stays inside X while
        // `b·r·K + LANES <= m·K`, a masked one reads only the `r · K`.
        let xv = unsafe {
            let at = pr.x.add(b * r * K);
            if b * r * K + l <= pr.m * K {
                V::load_ptr(at)
            } else {
                V::load_padded(std::slice::from_raw_parts(at, r * K), T::ZERO)
            }
        };
        let mut acc = start;
        for (idx_p, &w_p) in idx.iter().zip(&wt) {
            acc = V::madd(xv.permute(&idx_p[..l]), w_p, acc);
        }
        if RELU {
            acc = V::max_fast(acc, zero);
        }
        // SAFETY: rows `b·r .. b·r + r` of `out` are `r · n` contiguous
        // elements of this block (`ldc == n`). Without cheap masked stores,
        // a full vector fits while `b·r·n + LANES <= m·n`, and its lanes
        // past `r · n` land in later rows, stored after it.
        unsafe {
            let at = pr.out.add(b * used);
            if !V::MASKED_STORE_FAST && b * used + l <= pr.m * n {
                acc.store_ptr(at);
            } else {
                acc.store_prefix(std::slice::from_raw_parts_mut(at, used));
            }
        }
    }
    blocks * r
}

/// The direct path: X and W read in place, whole `k` per tile.
///
/// A panel of at most two vectors of columns (a narrow output, or the last
/// panel of one) takes taller tiles when the tier has them (`MR1` rows for
/// one vector, `MR2` for two): an `MR x 1` tile has only `MR` independent
/// FMA chains, too few to cover the FMA's latency on both pipes, and a
/// 10-class output is such a panel on every row.
///
/// # Safety
/// As [`gemm`], with `w` (row stride `ldw`) the row-major weights.
#[inline(always)]
unsafe fn direct<
    T: Float,
    V: Vector<T>,
    const MR: usize,
    const NV: usize,
    const NW: usize,
    const MR1: usize,
    const MR2: usize,
>(
    pr: &Problem<T>,
    w: *const T,
    ldw: usize,
) {
    let (l, nr) = (V::LANES, NV * V::LANES);
    let wide = wide_rows(pr.m);
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
    let start = pr
        .bias
        .map_or(Start::Zero, |b| Start::Bias(unsafe { b.add(jr) }));
    let full = cols == NV * V::LANES;
    for ir in (0..pr.m).step_by(MR) {
        let rows = MR.min(pr.m - ir);
        // SAFETY (all pointer offsets below): rows `ir .. ir + rows` of X
        // and `out`, and columns `jr .. jr + cols` of W and `out`, are
        // inside the problem (the caller's contract).
        let a = RowsLhs {
            rows: std::array::from_fn(|r| unsafe { pr.x.add((ir + r.min(rows - 1)) * pr.ldx) }),
        };
        let c = unsafe { pr.out.add(ir * pr.ldc + jr) };
        let (ptr, size) = (unsafe { w.add(jr) }, (rows, cols));
        // SAFETY: as above; the tiles read at most `MR` rows of `a` (rows
        // past `rows` repeat the last), and edge tiles load only the `cols`
        // columns that exist.
        unsafe {
            match (WIDE, full) {
                (true, true) => {
                    let b = RowMajorRhs::<T, true> { ptr, ld: ldw, cols };
                    tile_wide::<T, V, NV>(pr.k, a, b, c, pr.ldc, size, start, pr.relu);
                }
                (true, false) => {
                    let b = RowMajorRhs::<T, false> { ptr, ld: ldw, cols };
                    tile_wide::<T, V, NV>(pr.k, a, b, c, pr.ldc, size, start, pr.relu);
                }
                (false, true) => {
                    let b = RowMajorRhs::<T, true> { ptr, ld: ldw, cols };
                    tile_rows::<T, V, MR, NV>(pr.k, a, b, c, pr.ldc, size, start, pr.relu);
                }
                (false, false) => {
                    let b = RowMajorRhs::<T, false> { ptr, ld: ldw, cols };
                    tile_rows::<T, V, MR, NV>(pr.k, a, b, c, pr.ldc, size, start, pr.relu);
                }
            }
        }
    }
}

/// The packed path: BLIS's five loops around the microkernel.
///
/// # Safety
/// As [`gemm`].
#[inline(always)]
unsafe fn packed<T: Float, V: Vector<T>, const MR: usize, const NV: usize, const NW: usize>(
    bl: &Blocks,
    pr: &Problem<T>,
) {
    let nr = bl.nr;
    let kc_max = bl.kc_for(pr.k);
    let x_len = bl.mc.next_multiple_of(MR) * kc_max;
    let w_len = match pr.w {
        WSrc::RowMajor { .. } => kc_max * bl.nc.min(pr.n).next_multiple_of(nr),
        WSrc::Packed { .. } => 0,
    };
    let mut buf = take_scratch::<T>(x_len + w_len);
    {
        let (x_buf, w_buf) = scratch_slice::<T>(&mut buf, x_len + w_len).split_at_mut(x_len);
        // Loop 5: a block of NC columns of W (for L3).
        for jc in (0..pr.n).step_by(bl.nc) {
            let nc = bl.nc.min(pr.n - jc);
            // Loop 4: a block of KC of the depth (sizes the L1 micro-panels).
            for pc in (0..pr.k).step_by(kc_max) {
                let kc = kc_max.min(pr.k - pc);
                let start = match (pc, pr.bias) {
                    (0, Some(b)) => Start::Bias(b),
                    (0, None) => Start::Zero,
                    _ => Start::Out,
                };
                let relu = pr.relu && pc + kc == pr.k;
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
                for ic in (0..pr.m).step_by(bl.mc) {
                    let mc = bl.mc.min(pr.m - ic);
                    // SAFETY: rows `ic .. ic + mc`, columns `pc .. pc + kc`
                    // are inside X.
                    unsafe { pack_x::<T, MR>(x_buf, pr.x, pr.ldx, (ic, mc), (pc, kc)) };
                    // Loop 2: one KC x NR micro-panel of W (stays in L2, near the core);
                    // two at once for wide tiles.
                    let wide = wide_rows(mc);
                    let step = if wide { 2 * nr } else { nr };
                    for jr in (0..nc).step_by(step) {
                        let cols = step.min(nc - jr);
                        let b = PackedRhs::<T, NV> {
                            ptr: w_block.wrapping_add(jr * kc),
                            kc,
                        };
                        let start = match start {
                            Start::Bias(bias) => Start::Bias(bias.wrapping_add(jc + jr)),
                            s => s,
                        };
                        // Loop 1: one MR x KC micro-panel of X.
                        for ir in (0..mc).step_by(MR) {
                            let rows = MR.min(mc - ir);
                            let a = PackedLhs {
                                ptr: x_buf[ir * kc..].as_ptr(),
                                stride: MR,
                            };
                            let size = (rows, cols);
                            // SAFETY: the panels hold `kc` steps of `MR` rows
                            // and `NR` columns (a wide tile with `cols > NR`
                            // reads the next panel too, which exists); the
                            // tile's `rows x cols` lie inside `out` (row
                            // `ic + ir`, column `jc + jr`).
                            unsafe {
                                let c = pr.out.add((ic + ir) * pr.ldc + jc + jr);
                                if cols > nr {
                                    tile_wide::<T, V, NW>(kc, a, b, c, pr.ldc, size, start, relu);
                                } else {
                                    tile_rows::<T, V, MR, NV>(
                                        kc, a, b, c, pr.ldc, size, start, relu,
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return_scratch(buf);
}
