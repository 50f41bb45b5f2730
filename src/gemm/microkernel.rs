//! The microkernel: one `MR x NR` register tile of `out`, its loop over
//! `k`, and its epilogue (the activation, then the store), with the operand
//! readers it is generic over (packed panels, or X and W in place) and the
//! choice of the smallest tile that covers an edge.

use crate::activation::Activation;
use crate::float::Float;
use crate::simd::Vector;

/// How a tile's accumulators start.
#[derive(Clone, Copy)]
pub(super) enum Start<T> {
    /// From the bias of the tile's columns (`NR` values, fewer at the edge).
    Bias(*const T),
    /// From zero (no bias).
    Zero,
    /// From `out` itself: the partial sums of the previous `KC` block.
    Out,
}

/// The left operand of a tile: `MR` values of X per step `p`.
pub(super) trait Lhs<T> {
    /// `x[r][p]` of the tile.
    ///
    /// # Safety
    /// `r` is below the tile's row count and `p` below its depth.
    unsafe fn get(&self, p: usize, r: usize) -> T;
}

/// A packed `MR`-row micro-panel: `x[r][p]` at `ptr[p * stride + r]`.
#[derive(Clone, Copy)]
pub(super) struct PackedLhs<T> {
    pub(super) ptr: *const T,
    pub(super) stride: usize,
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
pub(super) struct RowsLhs<T> {
    pub(super) rows: [*const T; MAX_MR],
}

/// The largest `MR` of any tier.
pub(super) const MAX_MR: usize = 16;

impl<T: Copy> Lhs<T> for RowsLhs<T> {
    #[inline(always)]
    unsafe fn get(&self, p: usize, r: usize) -> T {
        // SAFETY: the caller keeps `p` below `k`; `rows[r]` is a row of X.
        unsafe { *self.rows[r].add(p) }
    }
}

/// The right operand of a tile: `NV` vectors of W per step `p`.
pub(super) trait Rhs<T, V> {
    /// Vector `v` of row `p` of the tile's W panel; `last` says whether it
    /// is the tile's last vector (`v + 1 == NV`, a constant once the tile's
    /// loop over its vectors is unrolled): every vector before the last
    /// is whole, as [`tile_cols`] sizes every tile, so only the last may
    /// need a masked load, and no other needs a test in the loop over `k`.
    ///
    /// # Safety
    /// `p` is below the tile's depth and `v` below `NV`, and vector `v`
    /// holds at least one of the tile's columns (`v · LANES < cols`), all
    /// `LANES` of them unless `last`.
    unsafe fn load(&self, p: usize, v: usize, last: bool) -> V;
}

/// Packed micro-panels of `PNV` vectors (`NR = PNV · LANES` columns), `kc`
/// steps deep, one after another: vector `v` of step `p` is in panel
/// `v / PNV` at `p · NR + (v % PNV) · LANES`. A tile of `NV = PNV` vectors
/// reads one panel; a wide tile (few rows, `NV = 2 · PNV`) reads two.
#[derive(Clone, Copy)]
pub(super) struct PackedRhs<T, const PNV: usize> {
    pub(super) ptr: *const T,
    pub(super) kc: usize,
}

impl<T: Float, V: Vector<T>, const PNV: usize> Rhs<T, V> for PackedRhs<T, PNV> {
    #[inline(always)]
    unsafe fn load(&self, p: usize, v: usize, _last: bool) -> V {
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
pub(super) struct RowMajorRhs<T, const FULL: bool> {
    pub(super) ptr: *const T,
    pub(super) ld: usize,
    pub(super) cols: usize,
}

impl<T: Float, V: Vector<T>, const FULL: bool> Rhs<T, V> for RowMajorRhs<T, FULL> {
    #[inline(always)]
    unsafe fn load(&self, p: usize, v: usize, last: bool) -> V {
        // SAFETY: row `p` of W; `FULL` tiles have all `NR` columns; in an
        // edge tile every vector but the last is whole (the caller's
        // contract) and the last is read only for the `cols - v·LANES`
        // columns that exist (at least one).
        unsafe {
            let at = p * self.ld + v * V::LANES;
            if FULL || !last {
                debug_assert!((v + 1) * V::LANES <= self.cols);
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
pub(super) unsafe fn part<'a, T>(base: *const T, offset: usize, len: usize) -> &'a [T] {
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
pub(super) unsafe fn part_mut<'a, T>(base: *mut T, offset: usize, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        // SAFETY: the caller's contract.
        unsafe { std::slice::from_raw_parts_mut(base.add(offset), len) }
    }
}

/// How many of vector `v`'s lanes lie within `cols` columns.
#[inline(always)]
pub(super) fn lanes_in<T, V: Vector<T>>(cols: usize, v: usize) -> usize
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
pub(super) unsafe fn tile<T: Float, V: Vector<T>, const MR: usize, const NV: usize>(
    kc: usize,
    a: impl Lhs<T>,
    b: impl Rhs<T, V>,
    c: *mut T,
    ldc: usize,
    (rows, cols): (usize, usize),
    start: Start<T>,
    act: Activation,
) {
    let l = V::LANES;
    debug_assert!(cols > (NV - 1) * l && cols <= NV * l && rows >= 1 && rows <= MR);
    let full = rows == MR && cols == NV * l;
    let zero = V::splat(T::ZERO);
    // No closures here (nor `array::from_fn` or `Option::map`): in a
    // kernel as large as the whole product, the compiler may leave one out
    // of line, and then the code around it runs slower (BENCHMARKS.md, "Tiers
    // as types"); a closure holding a vector operation would also lose the
    // tier's instructions. Hence `whole` and `edge` below are functions, and
    // the loops have constant trip counts.
    let mut acc = [[zero; NV]; MR];
    match start {
        Start::Zero => {}
        Start::Bias(bias) => {
            for v in 0..NV {
                // SAFETY: `bias` addresses the tile's `cols` columns.
                let b = unsafe {
                    if whole::<T, V>(v, cols) {
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
                    if full || (r < rows && whole::<T, V>(v, cols)) {
                        // SAFETY: row `r` of the tile holds vector `v` whole.
                        *acc_rv = unsafe { V::load_ptr(c.add(r * ldc + v * l)) };
                    } else if r < rows {
                        *acc_rv =
                            V::load_padded(unsafe { edge::<T, V>(c, ldc, cols, r, v) }, T::ZERO);
                    }
                }
            }
        }
    }
    // SAFETY: forwarded from the caller.
    let mut acc = unsafe { k_loop::<T, V, MR, NV>(kc, &a, &b, acc) };
    // The epilogue's activation: the same operation as its element-wise
    // kernel (`crate::activation`), on each accumulator.
    if !act.is_identity() {
        for v in acc.iter_mut().flatten() {
            *v = act.map::<T, V>(*v);
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
                    if whole::<T, V>(v, cols) {
                        // SAFETY: row `r` of the tile holds vector `v` whole.
                        unsafe { val.store_ptr(c.add(r * ldc + v * l)) }
                    } else {
                        val.store_prefix(unsafe { edge::<T, V>(c, ldc, cols, r, v) });
                    }
                }
            }
        }
    }
}

/// Whether vector `v` of a tile row of `cols` columns is whole (plain load
/// and store) or the last, partial one (masked).
#[inline(always)]
fn whole<T: Copy, V: Vector<T>>(v: usize, cols: usize) -> bool {
    (v + 1) * V::LANES <= cols
}

/// The lanes of vector `v` in row `r` of a tile at `c` (row stride `ldc`,
/// `cols` columns) that lie inside the tile.
///
/// # Safety
/// `r` is a row of the tile and vector `v` holds at least one of its
/// columns (`lanes_in(cols, v) >= 1`); those elements are writable and
/// accessed by nothing else for `'a`.
#[inline(always)]
unsafe fn edge<'a, T: Copy, V: Vector<T>>(
    c: *mut T,
    ldc: usize,
    cols: usize,
    r: usize,
    v: usize,
) -> &'a mut [T] {
    // SAFETY: the caller's contract.
    unsafe { part_mut(c, r * ldc + v * V::LANES, lanes_in::<T, V>(cols, v)) }
}

/// The microkernel's loop over `k`: per step, `NV` loads of W, `MR`
/// broadcasts of X and `MR · NV` FMAs. A function of its own, taking and
/// returning the accumulators by value, so they live in registers.
///
/// # Safety
/// `a` and `b` are readable for `kc` steps.
#[inline(always)]
pub(super) unsafe fn k_loop<T: Float, V: Vector<T>, const MR: usize, const NV: usize>(
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
            *bv = unsafe { b.load(p, v, v + 1 == NV) };
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
pub(super) unsafe fn tile_rows<T: Float, V: Vector<T>, const MR: usize, const NV: usize>(
    kc: usize,
    a: impl Lhs<T> + Copy,
    b: impl Rhs<T, V> + Copy,
    c: *mut T,
    ldc: usize,
    size: (usize, usize),
    start: Start<T>,
    act: Activation,
) {
    // SAFETY: the caller's contract for `tile`, with `MR' <= MR`.
    unsafe {
        match size.0 {
            r if r == MR => tile_cols::<T, V, MR, NV>(kc, a, b, c, ldc, size, start, act),
            1 => tile_cols::<T, V, 1, NV>(kc, a, b, c, ldc, size, start, act),
            2 => tile_cols::<T, V, 2, NV>(kc, a, b, c, ldc, size, start, act),
            3 | 4 if MR >= 4 => tile_cols::<T, V, 4, NV>(kc, a, b, c, ldc, size, start, act),
            5..=8 if MR >= 8 => tile_cols::<T, V, 8, NV>(kc, a, b, c, ldc, size, start, act),
            _ => tile_cols::<T, V, MR, NV>(kc, a, b, c, ldc, size, start, act),
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
pub(super) unsafe fn tile_cols<T: Float, V: Vector<T>, const MR: usize, const NV: usize>(
    kc: usize,
    a: impl Lhs<T> + Copy,
    b: impl Rhs<T, V> + Copy,
    c: *mut T,
    ldc: usize,
    size: (usize, usize),
    start: Start<T>,
    act: Activation,
) {
    debug_assert!(size.1 >= 1 && size.1 <= NV * V::LANES && NV <= MAX_NV);
    // Arms past `NV` are never taken; their guards are constants.
    macro_rules! arms {
        ($($nv:literal)*) => {
            // SAFETY: forwarded from the caller, with `NV' <= NV`.
            unsafe {
                match size.1.div_ceil(V::LANES) {
                    nv if nv == NV => tile::<T, V, MR, NV>(kc, a, b, c, ldc, size, start, act),
                    $($nv if $nv < NV => tile::<T, V, MR, $nv>(kc, a, b, c, ldc, size, start, act),)*
                    _ => unreachable!("a tile has 1 to NV vectors"),
                }
            }
        };
    }
    arms!(1 2 3 4 5 6 7)
}

/// The most vectors per tile row of any tier's tiles, wide ones included
/// ([`tile_cols`] has an arm for each count below it).
pub(super) const MAX_NV: usize = 8;

/// Whether a block of `rows` rows uses wide tiles: one or two rows of
/// `NW` vectors (twice a tile's `NV`), so that enough independent FMA
/// chains are in flight to cover the FMA latency (a 1 x NV tile has only
/// `NV`).
#[inline(always)]
pub(super) fn wide_rows(rows: usize) -> bool {
    rows <= 2
}

/// [`wide_rows`] in a block of a product, `true` as a constant where the
/// block is known to have one or two rows (`FEW`, see `blis::gemm`): then
/// the taller tiles and the packing of X are not compiled in.
#[inline(always)]
pub(super) fn wide_block<const FEW: bool>(rows: usize) -> bool {
    FEW || wide_rows(rows)
}

/// [`tile`] for a block of one or two rows ([`wide_rows`]), up to `NW`
/// vectors ([`tile_cols`]).
///
/// # Safety
/// As [`tile`] with `MR = rows` and `NV = NW`.
#[allow(clippy::too_many_arguments)] // the microkernel's operands
#[inline(always)]
pub(super) unsafe fn tile_wide<T: Float, V: Vector<T>, const NW: usize>(
    kc: usize,
    a: impl Lhs<T> + Copy,
    b: impl Rhs<T, V> + Copy,
    c: *mut T,
    ldc: usize,
    size: (usize, usize),
    start: Start<T>,
    act: Activation,
) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if size.0 == 1 {
            tile_cols::<T, V, 1, NW>(kc, a, b, c, ldc, size, start, act)
        } else {
            tile_cols::<T, V, 2, NW>(kc, a, b, c, ldc, size, start, act)
        }
    }
}
