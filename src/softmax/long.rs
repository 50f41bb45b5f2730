//! Rows longer than [`SMALL_COLS`](super::short::SMALL_COLS): the softmax
//! in three passes, a group of rows at a time, or in two passes a row at a
//! time for rows too large for the cache, and the log-softmax.

use std::marker::PhantomData;
use std::ops::Range;

use super::spread::{Spread, SpreadMode, Wide, WithSpread};
use super::sum::{Pairwise, SUM_BLOCK_VECS, exp_sum_spread, is_finite, row_max, special_fill};
use crate::exp::ExpFloat;
use crate::io::{Io, LaneMap, ReadOnly, map_vec_interleaved};
use crate::simd::Vector;
use crate::simd::pair::Pair;

/// `out *= s`, vector by vector. With `tail_inside` (rows a group at a
/// time), a partial last vector is done as the whole vector ending at the
/// row's end, loaded before the body's stores (so the lanes it shares get
/// the same products again) and stored unmasked: a masked store's
/// footprint would reach into the next row, whose first load comes right
/// after and would wait for it (see [`Vector::store_prefix_at_end`]).
/// Without, the tail is a masked load and store: that load would wait on
/// this row's last stores of the exp pass just before, where the whole
/// vector would wait on two.
#[inline(always)]
fn scale<T: ExpFloat, V: Vector<T>>(out: &mut [T], s: T, tail_inside: bool) {
    let s = V::splat(s);
    let len = out.len();
    if tail_inside && !len.is_multiple_of(V::LANES) && len > V::LANES {
        let last = len - V::LANES;
        let end = V::load(&out[last..]) * s;
        for c in out.chunks_exact_mut(V::LANES) {
            (V::load(c) * s).store(c);
        }
        end.store(&mut out[last..]);
        return;
    }
    let mut chunks = out.chunks_exact_mut(V::LANES);
    for c in &mut chunks {
        (V::load(c) * s).store(c);
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        (V::load_padded(tail, T::ZERO) * s).store_prefix(tail);
    }
}

/// Three-pass softmax of the one row at `row`: what a group of one row
/// does ([`softmax_rows_three_pass`]), without the group's bookkeeping
/// (its maxima and sums through arrays, its size from the cache), which
/// a call of one row would pay on its chain of dependent steps.
#[inline(always)]
fn softmax_row<T: ExpFloat, V: Vector<T>>(io: &mut impl Io<T>, row: Range<usize>, masked: bool) {
    let (max, spread) = row_max::<T, V>(&io.input()[row.clone()]);
    if !is_finite(max) {
        io.output()[row].fill(special_fill(max, masked));
        return;
    }
    let sum = exp_sum_spread::<T, V>(io, row.clone(), max, spread, false);
    scale::<T, V>(&mut io.output()[row], T::ONE / sum, false);
}

/// The most rows [`softmax_rows_three_pass`] takes through a pass at a
/// time: enough independent rows for an out-of-order core to overlap
/// (each row's passes are one chain of dependent steps; smaller groups
/// measured slower, BENCHMARKS.md, "Softmax"), and a bound for the arrays
/// on the stack that hold the group's maxima and sums.
pub(crate) const GROUP_MAX: usize = 16;

/// Rows of `cols` elements of `T` per group of [`softmax_rows_three_pass`]:
/// as many as fit, input and output together, in half of this core's L1d
/// (so the second and third passes read them from L1), at least 1 and at
/// most [`GROUP_MAX`].
#[inline(always)]
fn group_rows<T>(cols: usize) -> usize {
    (crate::cache::caches().l1d / (4 * size_of::<T>()) / cols).clamp(1, GROUP_MAX)
}

/// Three-pass softmax of every row of `cols` elements in `io` (whole rows,
/// `cols > 0`), [`group_rows`] rows at a time: each pass runs over every
/// row of the group before the next pass starts. A row's passes are one
/// chain of dependent steps (its max, a horizontal
/// reduction, its exps, another reduction, a division, the scale); rows
/// taken one after another overlap only as far as the core's reorder
/// window reaches into the next row, while a pass over a group has one
/// independent chain per row. A row's operations and their order do not
/// depend on the group (nor on its neighbours), so neither do its bits.
#[inline(always)]
pub(super) fn softmax_rows_three_pass<T: ExpFloat, V: Vector<T>>(
    io: &mut impl Io<T>,
    cols: usize,
    masked: bool,
) {
    let rows = io.input().len() / cols;
    if rows == 1 {
        return softmax_row::<T, V>(io, 0..cols, masked);
    }
    let group = group_rows::<T>(cols);
    // A partial last vector's stores: inside the row where the next row's
    // loads follow them, off the row's own vectors where its next pass
    // does (`Io::map_tail`).
    let inside = group > 1;
    let mut stats = [(T::ZERO, T::ZERO); GROUP_MAX];
    let mut sums = [T::ZERO; GROUP_MAX];
    for first in (0..rows).step_by(group) {
        let n = group.min(rows - first).min(GROUP_MAX);
        let row = |i: usize| (first + i) * cols..(first + i + 1) * cols;
        // (1) Each row's max and spread.
        for (i, s) in stats[..n].iter_mut().enumerate() {
            *s = row_max::<T, V>(&io.input()[row(i)]);
        }
        // (2) Each finite row's exps, stored, and their sum.
        for (i, (&(max, spread), sum)) in stats[..n].iter().zip(&mut sums[..n]).enumerate() {
            if is_finite(max) {
                *sum = exp_sum_spread::<T, V>(io, row(i), max, spread, inside);
            }
        }
        // (3) Each row scaled by `1 / sum`, or filled if its max is not
        // finite (its input was read in (1) only, so in place this is the
        // first write).
        for (i, (&(max, _), &sum)) in stats[..n].iter().zip(&sums[..n]).enumerate() {
            if is_finite(max) {
                scale::<T, V>(&mut io.output()[row(i)], T::ONE / sum, inside);
            } else {
                io.output()[row(i)].fill(special_fill(max, masked));
            }
        }
    }
}

/// Elements per part of a two-pass row ([`softmax_row_two_pass`]): 16 Ki,
/// 64 KiB of `f32` or 128 KiB of `f64`, so a part read once for its max is
/// still in the L2 cache (256 KiB or more on any x86 core of the last
/// decade) when it is read again for its sum. A multiple of every tier's
/// sum block. Rows of more than `MAX_PARTS` of these take longer parts.
const PART: usize = 16 * 1024;

/// The most parts a two-pass row is cut into: their maxima and sums are kept
/// on the stack (16 KiB for `f64`).
const MAX_PARTS: usize = 1024;

/// `exp(x - max) · inv`, for the two-pass softmax's second pass.
struct ExpScale<V, M> {
    max: V,
    inv: V,
    mode: PhantomData<M>,
}

impl<T: ExpFloat, V: Vector<T>, M: SpreadMode> LaneMap<T, V> for ExpScale<V, M> {
    const PURE: bool = true;
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        M::exp_of_diff::<T, V>(x, self.max) * self.inv
    }
}

impl<T: ExpFloat, V: Vector<T>, M: SpreadMode> LaneMap<T, Pair<T, V>> for ExpScale<V, M> {
    const PURE: bool = true;
    #[inline(always)]
    fn map(&mut self, x: Pair<T, V>) -> Pair<T, V> {
        let e = M::exp_of_diff::<T, Pair<T, V>>(x, Pair::new(self.max, self.max));
        e * Pair::new(self.inv, self.inv)
    }
}

/// Two-pass softmax of the row at `row`, for rows too long to stay in the
/// cache between passes: it reads the row twice and writes it once, where
/// the three passes read it three times and write it twice.
///
/// 1. Part by part (`PART` elements, in the L2 cache after the first
///    read): the part's max `m_p`, then `s_p = Σ exp(x - m_p)` as
///    [`exp_sum`](super::sum::exp_sum) takes it (blocks, pairwise), nothing stored. The row max
///    is `M = max m_p` and the sum `Σ_p s_p · exp(m_p - M)`, pairwise over
///    the parts: each term carries one more exp and one more product than
///    in the three passes, whatever the row length (module docs).
/// 2. `out = exp(x - M) · (1 / sum)`.
#[inline(always)]
pub(super) fn softmax_row_two_pass<T: ExpFloat, V: Vector<T>>(
    io: &mut impl Io<T>,
    row: Range<usize>,
    masked: bool,
) {
    let block = SUM_BLOCK_VECS * V::LANES;
    let part = PART.max(row.len().div_ceil(MAX_PARTS).div_ceil(block) * block);
    let mut parts = [(T::ZERO, T::ZERO); MAX_PARTS];
    let (mut n, mut max, mut min) = (0, T::NEG_INFINITY, T::INFINITY);
    for start in row.clone().step_by(part) {
        let range = start..row.end.min(start + part);
        let (m, spread) = row_max::<T, V>(&io.input()[range.clone()]);
        if m == T::NEG_INFINITY {
            // All -inf: adds nothing to the sum.
            continue;
        }
        if !is_finite(m) {
            // NaN or +inf: the whole row is NaN.
            io.output()[row].fill(special_fill(m, masked));
            return;
        }
        let mut read = ReadOnly(io.input());
        let s = exp_sum_spread::<T, V>(&mut read, range, m, spread, false);
        parts[n] = (m, s);
        n += 1;
        max = if m > max { m } else { max };
        min = if m - spread < min { m - spread } else { min };
    }
    if n == 0 {
        io.output()[row].fill(special_fill(T::NEG_INFINITY, masked));
        return;
    }
    let mut sums = Pairwise::new();
    for &(m, s) in &parts[..n] {
        let scale = Wide::exp_of_diff::<T, V>(V::splat(m), V::splat(max));
        sums.push(s * scale.reduce_max_fast());
    }
    let pass2 = Pass2::<'_, T, V, _> {
        io,
        row,
        max: V::splat(max),
        inv: V::splat(T::ONE / sums.total()),
        elem: PhantomData,
    };
    Spread::of(max - min).with(pass2);
}

/// The two-pass softmax's second pass, `out = exp(x - max) · inv`, as a
/// [`WithSpread`].
struct Pass2<'a, T, V, I> {
    io: &'a mut I,
    row: Range<usize>,
    max: V,
    inv: V,
    elem: PhantomData<T>,
}

impl<T: ExpFloat, V: Vector<T>, I: Io<T>> WithSpread for Pass2<'_, T, V, I> {
    type Output = ();
    #[inline(always)]
    fn run<M: SpreadMode>(self) {
        let mut f = ExpScale::<V, M> {
            max: self.max,
            inv: self.inv,
            mode: PhantomData,
        };
        map_vec_interleaved::<T, V, _>(self.io, self.row, T::NEG_INFINITY, &mut f);
    }
}

/// `(x - max) - log_sum`, the log-softmax's last pass.
struct LogShift<V> {
    max: V,
    log_sum: V,
}

impl<T: ExpFloat, V: Vector<T>> LaneMap<T, V> for LogShift<V> {
    const PURE: bool = true;
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        (x - self.max) - self.log_sum
    }
}

/// Log-softmax of every row of `cols` elements in `io` (whole rows, `cols >
/// 0`), row by row in three passes: (1) the max, (2) `Σ exp(x - max)` as
/// [`exp_sum`](super::sum::exp_sum) takes it, nothing stored, (3) `(x - max) - ln(sum)`, the
/// logarithm taken once per row in `f64`. A row's special values are those
/// of [`special_fill`], except that a masked row of all `-inf` gives
/// `-inf` (the log of probability 0).
#[inline(always)]
pub(super) fn log_softmax_rows<T: ExpFloat, V: Vector<T>>(
    mut io: impl Io<T>,
    cols: usize,
    masked: bool,
) {
    let rows = io.input().len() / cols;
    for r in 0..rows {
        let row = r * cols..(r + 1) * cols;
        let (max, spread) = row_max::<T, V>(&io.input()[row.clone()]);
        if !is_finite(max) {
            let fill = if masked && max == T::NEG_INFINITY {
                T::NEG_INFINITY
            } else {
                T::NAN
            };
            io.output()[row].fill(fill);
            continue;
        }
        let mut read = ReadOnly(io.input());
        let range = row.clone();
        let sum = exp_sum_spread::<T, V>(&mut read, range, max, spread, false);
        let log_sum = T::from_f64(sum.to_f64().ln());
        let mut f = LogShift {
            max: V::splat(max),
            log_sum: V::splat(log_sum),
        };
        io.map_vec::<V>(row, max, &mut f);
    }
}
