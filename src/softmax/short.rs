//! Rows of at most [`SMALL_COLS`] elements (the chapter's 3 classes,
//! 10-class problems): several rows per vector. Rows of at most `LANES / 2`
//! elements lie side by side in a vector as loaded, and lane permutes give
//! each lane its row's max and sum; longer ones are transposed, one row per
//! lane, `LANES` rows at a time. Both take each row's max and sum in the
//! same order, so a row's bits do not depend on which one ran it.

use super::spread::{SpreadMode, Wide};
use super::sum::{is_finite, max_nan, special_fill};
use crate::exp::ExpFloat;
use crate::io::Io;
use crate::simd::pair::Pair;
use crate::simd::{MAX_LANES, Vector};

/// Rows of at most this many elements take the across-rows path: a row
/// shorter than one AVX-512 vector of `f32`.
pub(crate) const SMALL_COLS: usize = 16;

/// Softmax of whole rows of `COLS <= SMALL_COLS` elements. On AVX2 (a
/// tier that transposes in registers, without AVX-512's masked stores) the
/// rows go two vectors of rows a step ([`Pair`]): one group's exp is a
/// chain of about twenty dependent operations, and a second, independent
/// group interleaved with it fills the vector unit while the first waits
/// (the same operations on each lane, so the same bits). The portable
/// tier's element-by-element transposes of twice the rows cost more than
/// that gains (BENCHMARKS.md, "Measurements behind the code"); AVX-512
/// keeps the one vector of rows and the several-rows-a-vector path it was
/// measured with, whose lane permutes a pair would do through memory.
#[inline(always)]
pub(super) fn softmax_small_rows<T: ExpFloat, V: Vector<T>, const COLS: usize>(
    io: &mut impl Io<T>,
    masked: bool,
) {
    if V::TRANSPOSES_IN_REGISTERS && !V::MASKED_STORE_FAST && 2 * V::LANES <= MAX_LANES {
        small_rows::<T, Pair<T, V>, COLS>(io, masked);
    } else {
        small_rows::<T, V, COLS>(io, masked);
    }
}

/// [`softmax_small_rows`] on vectors `V`. Rows short enough that two or
/// more fit a vector go [`rows_in_lanes`], a vector of rows at a time; the
/// others, and any rest, go [`rows_across_lanes`], `LANES` rows at a time.
/// Both do the same operations on each row in the same order, so a row's
/// bits do not depend on which one ran it.
#[inline(always)]
fn small_rows<T: ExpFloat, V: Vector<T>, const COLS: usize>(io: &mut impl Io<T>, masked: bool) {
    let rows = io.input().len() / COLS;
    let mut r0 = 0;
    // Only where a masked store is one instruction (AVX-512): each vector
    // of rows ends in a partial store, which on AVX2 (`vmaskmov`) and the
    // portable tier costs more than the transposes save (BENCHMARKS.md,
    // "Measurements behind the code").
    if V::MASKED_STORE_FAST && V::LANES / COLS >= IN_LANES_MIN_ROWS && V::LANES <= MAX_LANES {
        r0 = rows_in_lanes::<T, V, COLS>(io, masked);
    }
    // Whole groups, each loaded before the one before it is stored, where
    // that was measured to pay (`ahead_max_cols`).
    let groups = (rows - r0) / V::LANES;
    if COLS <= ahead_max_cols::<T, V>()
        && groups > 0
        && V::LANES >= ACROSS_MIN_ROWS
        && V::LANES <= MAX_LANES
    {
        let mut next = load_group::<T, V, COLS>(io.input(), r0, V::LANES);
        for q in 0..groups {
            let x = next;
            if q + 1 < groups {
                next = load_group::<T, V, COLS>(io.input(), r0 + V::LANES, V::LANES);
            }
            loaded_rows_across_lanes::<T, V, COLS>(io, r0, V::LANES, x, masked);
            r0 += V::LANES;
        }
    }
    while r0 < rows {
        let g = V::LANES.min(rows - r0);
        if g < ACROSS_MIN_ROWS && COLS <= 2 * V::LANES && V::LANES <= MAX_LANES {
            for r in r0..r0 + g {
                row_in_vector::<T, V, COLS>(io, r, masked);
            }
        } else {
            rows_across_lanes::<T, V, COLS>(io, r0, g, masked);
        }
        r0 += g;
    }
}

/// The most columns for which [`small_rows`] loads each whole group of
/// rows before it stores the group before it. In place, a group's loads
/// issued after the previous group's stores can wait behind them: on
/// AVX-512 `f64` rows of 3 to 7 (masked row stores) that wait was most of
/// the in-place call's extra time. On AVX2's pairs of vectors, rows of 1
/// to 4 gain from the earlier loads in place or not. The group loaded
/// ahead holds `COLS` vectors more, and past these lengths the spills cost
/// more than the wait. `f32` on AVX-512 gained nothing steady at any
/// length; the portable tier (transposes through memory) lost on `f32`
/// rows of 2 to 4 (measured with every tier on one CPU: BENCHMARKS.md,
/// "Measurements behind the code").
const fn ahead_max_cols<T: Copy, V: Vector<T>>() -> usize {
    match (V::TRANSPOSES_IN_REGISTERS, V::MASKED_STORE_FAST) {
        (false, _) => 0,
        (true, true) if size_of::<T>() == 8 => 7,
        (true, true) => 0,
        (true, false) => 4,
    }
}

/// Fewer rows than this left over (a single row, say) go [`row_in_vector`]
/// one at a time rather than [`rows_across_lanes`], whose transposes cost
/// the same for one row as for `LANES`.
const ACROSS_MIN_ROWS: usize = 4;

/// Softmax of row `r` of `COLS <= 2 · LANES` elements in the lanes of one
/// or two vectors, with exactly [`rows_across_lanes`]'s operations in its order, so
/// the same bits: the max and the finiteness flag folded column by column
/// from column 0 (scalar `max` and `+` round as the lane-wise ones do),
/// `exp(x - max)` lane-wise (so column `j` gets what its own vector
/// would), the sum added column by column from zero, one division,
/// one multiply. A row with NaN or ±inf goes to [`rows_across_lanes`],
/// which has the special-value rules.
#[inline(always)]
fn row_in_vector<T: ExpFloat, V: Vector<T>, const COLS: usize>(
    io: &mut impl Io<T>,
    r: usize,
    masked: bool,
) {
    let at = r * COLS;
    let row = &io.input()[at..at + COLS];
    let (mut max, mut flag) = (row[0], T::ZERO);
    for &v in row {
        // `max_fast(max, v)`: `v > max ? v : max`.
        max = if v > max { v } else { max };
        flag = flag + v;
    }
    if (flag * T::ZERO).is_nan() {
        rows_across_lanes::<T, V, COLS>(io, r, 1, masked);
        return;
    }
    // Padding lanes repeat column 0 (finite); they are never stored.
    let l = V::LANES;
    let mut lanes = [T::ZERO; 2 * MAX_LANES];
    let mut e = [V::splat(T::ZERO); 2];
    for (v, e) in e.iter_mut().enumerate().take(COLS.div_ceil(l)) {
        let x = V::load_padded(&row[v * l..COLS.min(v * l + l)], row[0]);
        *e = Wide::exp_of_diff::<T, V>(x, V::splat(max));
        e.store(&mut lanes[v * l..v * l + l]);
    }
    let mut sum = T::ZERO;
    for &v in &lanes[..COLS] {
        sum = sum + v;
    }
    let inv = V::splat(T::ONE / sum);
    for (v, &e) in e.iter().enumerate().take(COLS.div_ceil(l)) {
        (e * inv).store(&mut lanes[v * l..v * l + l]);
    }
    io.output()[at..at + COLS].copy_from_slice(&lanes[..COLS]);
}

/// Rows per vector from which [`rows_in_lanes`] beats the transposes: at
/// two rows a vector the permutes cost what the transposes do (BENCHMARKS.md,
/// "Measurements behind the code").
const IN_LANES_MIN_ROWS: usize = 3;

/// Rows of `COLS <= LANES / 2` elements, `R = LANES / COLS` rows per
/// vector, one contiguous load each: lane `j` holds row `j / COLS`, column
/// `j % COLS`. Lane permutes broadcast each row's column `c` to all its
/// lanes, so the row max and the row sum are taken column by column from 0,
/// in [`rows_across_lanes`]'s order, and every lane of a row sees the same
/// max and sum. A block holding a non-finite value goes to
/// [`rows_across_lanes`] instead, which has the special-value rules.
/// Returns the rows done (whole blocks).
#[inline(always)]
fn rows_in_lanes<T: ExpFloat, V: Vector<T>, const COLS: usize>(
    io: &mut impl Io<T>,
    masked: bool,
) -> usize {
    let (l, r) = (V::LANES, V::LANES / COLS);
    let used = r * COLS;
    let blocks = io.input().len() / used;
    if blocks == 0 {
        return 0;
    }
    // idx[c][j]: the lane of column `c` in lane `j`'s row (lanes past `used`
    // repeat lane 0's row and are never stored).
    let mut idx = [[0i32; MAX_LANES]; COLS];
    for (c, idx_c) in idx.iter_mut().enumerate() {
        for (j, i) in idx_c.iter_mut().enumerate() {
            let row = if j < used { j / COLS } else { 0 };
            *i = (row * COLS + c) as i32;
        }
    }
    // own[j]: lane `j` itself within the block's rows, lane 0 past them.
    let mut own = [0i32; MAX_LANES];
    for (j, o) in own.iter_mut().enumerate().take(used) {
        *o = j as i32;
    }
    let zero = V::splat(T::ZERO);
    let mut next = if blocks > 0 {
        load_block::<T, V>(io.input(), 0, used)
    } else {
        zero
    };
    for b in 0..blocks {
        let at = b * used;
        // The next block is loaded before this one is stored, so in place
        // the load never waits behind the store to the addresses just
        // before it.
        let x = next;
        if b + 1 < blocks {
            next = load_block::<T, V>(io.input(), (b + 1) * used, used);
        }
        // Only the block's own lanes decide (lanes past `used` hold the next
        // block): a non-finite value sends the block to the slow path.
        if (x.permute(&own[..l]) * zero).any_nan() {
            rows_across_lanes::<T, V, COLS>(io, b * r, r, masked);
            continue;
        }
        let mut max = x.permute(&idx[0][..l]);
        for idx_c in &idx {
            max = V::max_fast(max, x.permute(&idx_c[..l]));
        }
        // Always the exact, checked exp, as across lanes.
        let e = Wide::exp_of_diff::<T, V>(x, max);
        let mut sum = zero;
        for idx_c in &idx {
            sum = sum + e.permute(&idx_c[..l]);
        }
        let inv = V::splat(T::ONE) / sum;
        (e * inv).store_prefix(&mut io.output()[at..at + used]);
    }
    blocks * r
}

/// The `used` elements of `input` from `at` in a vector's low lanes: a full
/// load where the vector fits, a masked one at the end.
#[inline(always)]
fn load_block<T: ExpFloat, V: Vector<T>>(input: &[T], at: usize, used: usize) -> V {
    if at + V::LANES <= input.len() {
        V::load(&input[at..at + V::LANES])
    } else {
        V::load_padded(&input[at..at + used], T::ZERO)
    }
}

/// Across-rows softmax of rows `r0 .. r0 + g` (`g <= LANES`) of `COLS <=
/// SMALL_COLS` elements: the rows are transposed into lanes
/// ([`Vector::load_transposed`]: `x[j]` holds column `j` of each), so every
/// step is one vector operation over `LANES` rows, and transposed back.
/// `COLS` is a constant so the transposes unroll. A partial group is
/// padded with zero rows, whose results are dropped; each lane's arithmetic
/// is the same, so a row gives the same bits in any lane.
#[inline(always)]
fn rows_across_lanes<T: ExpFloat, V: Vector<T>, const COLS: usize>(
    io: &mut impl Io<T>,
    r0: usize,
    g: usize,
    masked: bool,
) {
    let x = load_group::<T, V, COLS>(io.input(), r0, g);
    loaded_rows_across_lanes::<T, V, COLS>(io, r0, g, x, masked);
}

/// Rows `r0 .. r0 + g` (`g <= LANES`) of `COLS` elements transposed into
/// lanes: `x[j]` holds column `j` of each row ([`Vector::load_transposed`]).
#[inline(always)]
fn load_group<T: ExpFloat, V: Vector<T>, const COLS: usize>(
    input: &[T],
    r0: usize,
    g: usize,
) -> [V; COLS] {
    V::load_transposed::<COLS>(&input[r0 * COLS..(r0 + g) * COLS], g)
}

/// [`rows_across_lanes`] with the rows already loaded ([`load_group`]).
#[inline(always)]
fn loaded_rows_across_lanes<T: ExpFloat, V: Vector<T>, const COLS: usize>(
    io: &mut impl Io<T>,
    r0: usize,
    g: usize,
    mut x: [V; COLS],
    masked: bool,
) {
    debug_assert!(V::LANES <= MAX_LANES && g <= V::LANES);
    let zero = V::splat(T::ZERO);
    let block = r0 * COLS..(r0 + g) * COLS;
    let input = &io.input()[block.clone()];
    let mut max = x[0];
    let mut flag = zero;
    for &xj in &x {
        max = V::max_fast(max, xj);
        flag = flag + xj;
    }
    // A row with NaN or ±inf (flag not finite): its exact max decides, by the
    // rule; a finite exact max means only some -inf, which the ordinary
    // path handles. The maxima are taken before the store (in place, it
    // overwrites the input), and only then: an array of fills set up for
    // every group cost a store per lane.
    let exact_max: Option<[T; MAX_LANES]> = (flag * zero).any_nan().then(|| {
        let mut m = [T::NEG_INFINITY; MAX_LANES];
        for (m, row) in m.iter_mut().zip(input.chunks_exact(COLS)) {
            *m = row.iter().fold(T::NEG_INFINITY, |m, &v| max_nan(m, v));
        }
        m
    });
    // Always the exact, checked exp: a cheaper one chosen per group
    // would make a row's bits depend on its neighbours.
    let mut sum = zero;
    for xj in &mut x {
        *xj = Wide::exp_of_diff::<T, V>(*xj, max);
        sum = sum + *xj;
    }
    let inv = V::splat(T::ONE) / sum;
    for xj in &mut x {
        *xj = *xj * inv;
    }
    let out = &mut io.output()[block];
    V::store_transposed(&x, out, g);
    if let Some(exact_max) = exact_max {
        for (&m, row) in exact_max.iter().zip(out.chunks_exact_mut(COLS)) {
            if !is_finite(m) {
                row.fill(special_fill(m, masked));
            }
        }
    }
}
