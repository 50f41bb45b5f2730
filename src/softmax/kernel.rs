//! Softmax over rows, written once over the tier's vector type `V` (see
//! [`crate::simd`]). Its definition is
//! [`crate::reference::softmax_row_f64`].
//!
//! Paths chosen by the row length alone (and, for two passes, the CPU's
//! cache size; so a row's result never depends
//! on where it sits in a batch, the batch size or the thread count):
//!
//! - rows of more than [`SMALL_COLS`] elements: three passes over the row,
//!   (1) the row max, (2) `e = exp(x - max)` stored and summed, (3) a scale
//!   by `1 / sum`; or, for rows too large for the cache
//!   ([`softmax_row_two_pass`]), two: (1) each part's max and sum, (2)
//!   `exp(x - max) / sum` stored.
//! - shorter rows (the chapter's 3 classes, 10-class problems): several
//!   rows per vector. Rows of at most `LANES / 2` elements lie side by side
//!   in a vector as loaded, and lane permutes give each lane its row's max
//!   and sum; longer ones are transposed, one row per lane, `LANES` rows at
//!   a time. Both take each row's max and sum in the same order.

use crate::exp::{ExpFloat, exp_diff_le0, exp_le0_in_range};
use crate::float::Float;
use crate::io::{Io, LaneMap, ReadOnly, map_vec_interleaved};
use crate::simd::pair::Pair;
use crate::simd::{MAX_LANES, Vector};

/// Rows of at most this many elements take the across-rows path: a row
/// shorter than one AVX-512 vector of `f32`.
pub const SMALL_COLS: usize = 16;

/// `max(a, b)` that propagates NaN: once `a` is NaN it stays NaN.
#[inline(always)]
fn max_nan<T: Float>(a: T, b: T) -> T {
    if b > a || b.is_nan() { b } else { a }
}

#[inline(always)]
fn is_finite<T: Float>(v: T) -> bool {
    v > T::NEG_INFINITY && v < T::INFINITY
}

/// What fills a row whose (NaN-propagating) max is not finite: NaN or `+inf`
/// gives NaN; `-inf` means every element is `-inf`, which gives NaN, or
/// zeros when `masked`.
#[inline(always)]
fn special_fill<T: Float>(max: T, masked: bool) -> T {
    if masked && max == T::NEG_INFINITY {
        T::ZERO
    } else {
        T::NAN
    }
}

/// NaN-propagating maximum of a non-empty `row`, and the row's spread
/// `max - min` (`+inf` when the row has NaN or infinities), which chooses
/// the exp pass (see [`Spread`]).
///
/// The vector loop keeps four independent maxima and minima (one `max` and
/// one `min` instruction each, which drop NaN) and beside them
/// `flag = flag + x`, which stays finite unless some `x` is NaN or infinite
/// (or the sum overflows). Only a row so flagged is scanned again with the
/// exact NaN-propagating rule. All three run on the adder, not the
/// multiply-add unit the exp pass is bound by.
#[inline(always)]
fn row_max<T: Float, V: Vector<T>>(row: &[T]) -> (T, T) {
    let zero = V::splat(T::ZERO);
    let mut hi = [V::splat(T::NEG_INFINITY); 4];
    let mut lo = [V::splat(T::INFINITY); 4];
    let mut flag = [zero; 4];
    let mut chunks = row.chunks_exact(4 * V::LANES);
    for c in &mut chunks {
        for k in 0..4 {
            let x = V::load(&c[k * V::LANES..]);
            hi[k] = V::max_fast(hi[k], x);
            lo[k] = V::min_fast(lo[k], x);
            flag[k] = flag[k] + x;
        }
    }
    for c in chunks.remainder().chunks(V::LANES) {
        // Pad with a real element: it changes neither max, min nor flag.
        let x = V::load_padded(c, row[0]);
        hi[0] = V::max_fast(hi[0], x);
        lo[0] = V::min_fast(lo[0], x);
        flag[0] = flag[0] + x;
    }
    // `flag · 0` is NaN exactly where a flag is not finite.
    if (((flag[0] + flag[1]) + (flag[2] + flag[3])) * zero).any_nan() {
        // NaN or ±inf somewhere: the exact rule, element by element.
        let max = row.iter().fold(T::NEG_INFINITY, |m, &v| max_nan(m, v));
        return (max, T::INFINITY);
    }
    let max = V::max_fast(V::max_fast(hi[0], hi[1]), V::max_fast(hi[2], hi[3])).reduce_max_fast();
    let min = V::min_fast(V::min_fast(lo[0], lo[1]), V::min_fast(lo[2], lo[3]));
    let min = -(V::max_fast(zero - min, zero - min).reduce_max_fast());
    (max, max - min)
}

/// Rows spanning less than this skip the exact subtraction ([`Spread`]): 16
/// for `f32`, 64 for `f64`. The accuracy bound in the module docs counts
/// it (`S`).
#[inline(always)]
pub(crate) fn exact_spread<T: Float>() -> T {
    T::from_f64(if T::MANTISSA_DIGITS == f32::MANTISSA_DIGITS {
        16.0
    } else {
        64.0
    })
}

/// Which exp pass a row takes, by its spread `max - min`:
///
/// - `Narrow` (spread `<` [`exact_spread`]: 16 for f32, 64 for f64): every
///   `x - max` is below 16 (64) in magnitude, so its rounding costs at most
///   `2^-21` (`2^-47`) relative in the exponential, inside the documented
///   bound; the exact-subtraction correction (six adds per vector) is
///   skipped, and so is the underflow select.
/// - `InRange` (spread `<= -lo`): exact subtraction, no underflow select.
/// - `Wide`: exact subtraction and the underflow select (outputs below the
///   exp's range flush to zero; rows with `-inf` come here too).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spread {
    Narrow,
    InRange,
    Wide,
}

impl Spread {
    #[inline(always)]
    fn of<T: Float>(spread: T) -> Spread {
        if spread < exact_spread::<T>() {
            Spread::Narrow
        } else if spread <= -T::exp_consts().lo {
            Spread::InRange
        } else {
            Spread::Wide
        }
    }
}

/// Vectors of `exp(x - max)` added one after another into a block's sum
/// (per lane); the block sums are then added pairwise ([`Pairwise`]). So a
/// row's sum takes at most `SUM_BLOCK_VECS - 1` roundings in a block, one
/// per level of the pairwise tree and `log2(LANES)` across the lanes,
/// whatever its length, where adding every vector in turn took `cols /
/// LANES` (the accuracy bound in the module docs). The blocks cost
/// long rows some speed (BENCHMARKS.md, "Softmax (issue 10)"); 16 vectors
/// is the smallest block, so the tightest bound, of the sizes measured.
pub(crate) const SUM_BLOCK_VECS: usize = 16;

/// Pairwise sum of a stream of vectors, as a binary counter: after `2^j`
/// pushes the partial sums of equal size merge, so each pushed value goes
/// through at most `⌈log2(pushes)⌉` additions, and only `O(log)` partial
/// sums are kept.
struct Pairwise<V> {
    /// `partial[..pushes.count_ones()]`: sums of `2^a > 2^b > ...` pushes
    /// (the set bits of `pushes`), largest first.
    partial: [std::mem::MaybeUninit<V>; 64],
    pushes: usize,
}

impl<V: Copy + std::ops::Add<Output = V>> Pairwise<V> {
    #[inline(always)]
    fn new() -> Self {
        Pairwise {
            partial: [const { std::mem::MaybeUninit::uninit() }; 64],
            pushes: 0,
        }
    }

    /// How many partial sums are held: one per set bit of `pushes`.
    #[inline(always)]
    fn depth(&self) -> usize {
        self.pushes.count_ones() as usize
    }

    #[inline(always)]
    fn push(&mut self, v: V) {
        let mut s = v;
        // One merge per trailing one bit of the count so far: the sums of
        // equal size (`2^j` pushes each) on top of the stack.
        let mut depth = self.depth();
        for _ in 0..self.pushes.trailing_ones() {
            depth -= 1;
            // SAFETY: `partial[..depth()]` are initialised (one per set bit
            // of `pushes`, written by earlier pushes), and each trailing
            // one bit is one of them.
            s = unsafe { self.partial[depth].assume_init() } + s;
        }
        // `depth` is now `depth()` after this push, minus one: below 64.
        self.partial[depth].write(s);
        self.pushes += 1;
    }

    /// The sum of everything pushed (at least one push), the smaller
    /// partial sums first.
    #[inline(always)]
    fn total(&self) -> V {
        let depth = self.depth();
        debug_assert!(depth > 0);
        // SAFETY: `partial[..depth]` are initialised (see `push`), and
        // `depth >= 1` after a push.
        unsafe {
            let mut t = self.partial[depth - 1].assume_init();
            for p in self.partial[..depth - 1].iter().rev() {
                t = p.assume_init() + t;
            }
            t
        }
    }
}

/// Σ `exp(x - max)` over `io.input()[range]`, storing each term at the
/// same place in `io.output()`. `MODE` is a [`Spread`], for the whole
/// vectors; a partial last vector is padded with `-inf` and always takes
/// the exact, checked exp, so padding adds exactly 0. Blocks of
/// [`SUM_BLOCK_VECS`] vectors are summed lane-wise and the block sums
/// pairwise.
#[inline(always)]
fn exp_sum<T: Float, V: Vector<T>, const MODE: u8>(
    io: &mut impl Io<T>,
    range: std::ops::Range<usize>,
    max: T,
) -> T {
    let m = V::splat(max);
    let zero = V::splat(T::ZERO);
    let whole = range.start..range.end - range.len() % V::LANES;
    let tail = whole.end..range.end;
    let block = SUM_BLOCK_VECS * V::LANES;
    let full_end = whole.start + whole.len() / block * block;
    // Whole blocks, each summed from zero and pushed: `at..at + block` has
    // a constant length, so the loop inside has a constant trip count.
    let mut sums = Pairwise::new();
    for at in (whole.start..full_end).step_by(block) {
        let mut f = ExpSum::<V, MODE> { max: m, sum: zero };
        map_vec_interleaved::<T, V, _>(io, at..at + block, T::NEG_INFINITY, &mut f);
        sums.push(f.sum);
    }
    // The rest (a row shorter than a block is all rest) and the tail in one
    // more sum.
    let mut f = ExpSum::<V, MODE> { max: m, sum: zero };
    map_vec_interleaved::<T, V, _>(io, full_end..whole.end, T::NEG_INFINITY, &mut f);
    let mut t = ExpSum::<V, { Spread::Wide as u8 }> { max: m, sum: f.sum };
    io.map_vec::<V>(tail, T::NEG_INFINITY, &mut t);
    if sums.pushes == 0 {
        return t.sum.reduce_add();
    }
    sums.push(t.sum);
    sums.total().reduce_add()
}

/// `exp(x - max)` in the way the row's [`Spread`] (`MODE`) allows.
#[inline(always)]
fn exp_of_diff<T: Float, V: Vector<T>, const MODE: u8>(x: V, max: V) -> V {
    if MODE == Spread::Narrow as u8 {
        exp_le0_in_range::<T, V>(x - max)
    } else if MODE == Spread::InRange as u8 {
        exp_diff_le0::<T, V, true>(x, max)
    } else {
        exp_diff_le0::<T, V, false>(x, max)
    }
}

/// `e = exp(x - max)`, stored, and summed.
struct ExpSum<V, const MODE: u8> {
    max: V,
    sum: V,
}

impl<T: Float, V: Vector<T>, const MODE: u8> LaneMap<T, V> for ExpSum<V, MODE> {
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        let e = exp_of_diff::<T, V, MODE>(x, self.max);
        self.sum = self.sum + e;
        e
    }
}

/// Two vectors' exps interleaved, summed low then high: the same additions
/// in the same order as two steps of one vector, so the same bits.
impl<T: Float, V: Vector<T>, const MODE: u8> LaneMap<T, Pair<T, V>> for ExpSum<V, MODE> {
    #[inline(always)]
    fn map(&mut self, x: Pair<T, V>) -> Pair<T, V> {
        let e = exp_of_diff::<T, Pair<T, V>, MODE>(x, Pair::new(self.max, self.max));
        let (lo, hi) = e.halves();
        self.sum = self.sum + lo + hi;
        e
    }
}

/// `out *= s`, vector by vector.
#[inline(always)]
fn scale<T: Float, V: Vector<T>>(out: &mut [T], s: T) {
    let s = V::splat(s);
    let mut chunks = out.chunks_exact_mut(V::LANES);
    for c in &mut chunks {
        (V::load(c) * s).store(c);
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        (V::load_padded(tail, T::ZERO) * s).store_prefix(tail);
    }
}

/// Three-pass softmax of the row at `row`.
#[inline(always)]
fn softmax_row<T: Float, V: Vector<T>>(
    io: &mut impl Io<T>,
    row: std::ops::Range<usize>,
    masked: bool,
) {
    let (max, spread) = row_max::<T, V>(&io.input()[row.clone()]);
    if !is_finite(max) {
        io.output()[row].fill(special_fill(max, masked));
        return;
    }
    let sum = match Spread::of(spread) {
        Spread::Narrow => exp_sum::<T, V, { Spread::Narrow as u8 }>(io, row.clone(), max),
        Spread::InRange => exp_sum::<T, V, { Spread::InRange as u8 }>(io, row.clone(), max),
        Spread::Wide => exp_sum::<T, V, { Spread::Wide as u8 }>(io, row.clone(), max),
    };
    scale::<T, V>(&mut io.output()[row], T::ONE / sum);
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
struct ExpScale<V, const MODE: u8> {
    max: V,
    inv: V,
}

impl<T: Float, V: Vector<T>, const MODE: u8> LaneMap<T, V> for ExpScale<V, MODE> {
    const PURE: bool = true;
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        exp_of_diff::<T, V, MODE>(x, self.max) * self.inv
    }
}

impl<T: Float, V: Vector<T>, const MODE: u8> LaneMap<T, Pair<T, V>> for ExpScale<V, MODE> {
    const PURE: bool = true;
    #[inline(always)]
    fn map(&mut self, x: Pair<T, V>) -> Pair<T, V> {
        let e = exp_of_diff::<T, Pair<T, V>, MODE>(x, Pair::new(self.max, self.max));
        e * Pair::new(self.inv, self.inv)
    }
}

/// Two-pass softmax of the row at `row`, for rows too long to stay in the
/// cache between passes: it reads the row twice and writes it once, where
/// the three passes read it three times and write it twice.
///
/// 1. Part by part (`PART` elements, in the L2 cache after the first
///    read): the part's max `m_p`, then `s_p = Σ exp(x - m_p)` as
///    [`exp_sum`] takes it (blocks, pairwise), nothing stored. The row max
///    is `M = max m_p` and the sum `Σ_p s_p · exp(m_p - M)`, pairwise over
///    the parts: each term carries one more exp and one more product than
///    in the three passes, whatever the row length (module docs).
/// 2. `out = exp(x - M) · (1 / sum)`.
#[inline(always)]
fn softmax_row_two_pass<T: Float, V: Vector<T>>(
    io: &mut impl Io<T>,
    row: std::ops::Range<usize>,
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
        let s = match Spread::of(spread) {
            Spread::Narrow => exp_sum::<T, V, { Spread::Narrow as u8 }>(&mut read, range, m),
            Spread::InRange => exp_sum::<T, V, { Spread::InRange as u8 }>(&mut read, range, m),
            Spread::Wide => exp_sum::<T, V, { Spread::Wide as u8 }>(&mut read, range, m),
        };
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
        let scale = exp_of_diff::<T, V, { Spread::Wide as u8 }>(V::splat(m), V::splat(max));
        sums.push(s * scale.reduce_max_fast());
    }
    let inv = V::splat(T::ONE / sums.total());
    let m = V::splat(max);
    macro_rules! pass2 {
        ($mode:expr) => {{
            let mut f = ExpScale::<V, { $mode as u8 }> { max: m, inv };
            map_vec_interleaved::<T, V, _>(io, row, T::NEG_INFINITY, &mut f);
        }};
    }
    match Spread::of(max - min) {
        Spread::Narrow => pass2!(Spread::Narrow),
        Spread::InRange => pass2!(Spread::InRange),
        Spread::Wide => pass2!(Spread::Wide),
    }
}

/// `(x - max) - log_sum`, the log-softmax's last pass.
struct LogShift<V> {
    max: V,
    log_sum: V,
}

impl<T: Float, V: Vector<T>> LaneMap<T, V> for LogShift<V> {
    const PURE: bool = true;
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        (x - self.max) - self.log_sum
    }
}

/// Log-softmax of every row of `cols` elements in `io` (whole rows, `cols >
/// 0`), row by row in three passes: (1) the max, (2) `Σ exp(x - max)` as
/// [`exp_sum`] takes it, nothing stored, (3) `(x - max) - ln(sum)`, the
/// logarithm taken once per row in `f64`. A row's special values are those
/// of [`special_fill`], except that a masked row of all `-inf` gives
/// `-inf` (the log of probability 0).
#[inline(always)]
pub(super) fn log_softmax_rows<T: Float, V: Vector<T>>(
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
        let sum = match Spread::of(spread) {
            Spread::Narrow => exp_sum::<T, V, { Spread::Narrow as u8 }>(&mut read, range, max),
            Spread::InRange => exp_sum::<T, V, { Spread::InRange as u8 }>(&mut read, range, max),
            Spread::Wide => exp_sum::<T, V, { Spread::Wide as u8 }>(&mut read, range, max),
        };
        let log_sum = T::from_f64(sum.to_f64().ln());
        let mut f = LogShift {
            max: V::splat(max),
            log_sum: V::splat(log_sum),
        };
        io.map_vec::<V>(row, max, &mut f);
    }
}

/// Softmax of whole rows of `COLS <= SMALL_COLS` elements. Rows short
/// enough that two or more fit a vector go [`rows_in_lanes`], a vector of
/// rows at a time; the others, and any rest, go [`rows_across_lanes`],
/// `LANES` rows at a time. Both do the same operations on each row in the
/// same order, so a row's bits do not depend on which one ran it.
#[inline(always)]
fn softmax_small_rows<T: Float, V: Vector<T>, const COLS: usize>(
    io: &mut impl Io<T>,
    masked: bool,
) {
    let rows = io.input().len() / COLS;
    let mut r0 = 0;
    // Only where a masked store is one instruction (AVX-512): each vector
    // of rows ends in a partial store, which on AVX2 (`vmaskmov`) and the
    // portable tier costs more than the transposes save (BENCHMARKS.md,
    // "Measurements behind the code").
    if V::MASKED_STORE_FAST && V::LANES / COLS >= IN_LANES_MIN_ROWS && V::LANES <= MAX_LANES {
        r0 = rows_in_lanes::<T, V, COLS>(io, masked);
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
fn row_in_vector<T: Float, V: Vector<T>, const COLS: usize>(
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
        *e = exp_of_diff::<T, V, { Spread::Wide as u8 }>(x, V::splat(max));
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
fn rows_in_lanes<T: Float, V: Vector<T>, const COLS: usize>(
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
        let e = exp_of_diff::<T, V, { Spread::Wide as u8 }>(x, max);
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
fn load_block<T: Float, V: Vector<T>>(input: &[T], at: usize, used: usize) -> V {
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
fn rows_across_lanes<T: Float, V: Vector<T>, const COLS: usize>(
    io: &mut impl Io<T>,
    r0: usize,
    g: usize,
    masked: bool,
) {
    debug_assert!(V::LANES <= MAX_LANES && g <= V::LANES);
    let zero = V::splat(T::ZERO);
    let block = r0 * COLS..(r0 + g) * COLS;
    let input = &io.input()[block.clone()];
    let mut x = V::load_transposed::<COLS>(input, g);
    let mut max = x[0];
    let mut flag = zero;
    for &xj in &x {
        max = V::max_fast(max, xj);
        flag = flag + xj;
    }
    // A row with NaN or ±inf (flag not finite): its exact max decides, by the
    // rule; a finite exact max means only some -inf, which the ordinary
    // path handles.
    let mut fill: [Option<T>; MAX_LANES] = [None; MAX_LANES];
    let special = (flag * zero).any_nan();
    if special {
        for (f, row) in fill.iter_mut().zip(input.chunks_exact(COLS)) {
            let exact = row.iter().fold(T::NEG_INFINITY, |m, &v| max_nan(m, v));
            if !is_finite(exact) {
                *f = Some(special_fill(exact, masked));
            }
        }
    }
    // Always the exact, checked exp: a cheaper one chosen per group
    // would make a row's bits depend on its neighbours.
    let mut sum = zero;
    for xj in &mut x {
        *xj = exp_of_diff::<T, V, { Spread::Wide as u8 }>(*xj, max);
        sum = sum + *xj;
    }
    let inv = V::splat(T::ONE) / sum;
    for xj in &mut x {
        *xj = *xj * inv;
    }
    let out = &mut io.output()[block];
    V::store_transposed(&x, out, g);
    if special {
        for (f, row) in fill.iter().zip(out.chunks_exact_mut(COLS)) {
            if let Some(f) = *f {
                row.fill(f);
            }
        }
    }
}

/// Softmax of every row of `cols` elements in `io` (whole rows, `cols > 0`),
/// rows longer than [`SMALL_COLS`] in two passes when `two_pass`.
#[inline(always)]
pub(super) fn softmax_rows<T: Float, V: Vector<T>>(
    mut io: impl Io<T>,
    cols: usize,
    masked: bool,
    two_pass: bool,
) {
    macro_rules! small {
        ($($c:literal)*) => {
            match cols {
                $($c => softmax_small_rows::<T, V, $c>(&mut io, masked),)*
                _ => unreachable!("cols <= SMALL_COLS"),
            }
        };
    }
    if cols <= SMALL_COLS {
        small!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
    } else {
        let rows = io.input().len() / cols;
        for r in 0..rows {
            if two_pass {
                softmax_row_two_pass::<T, V>(&mut io, r * cols..(r + 1) * cols, masked);
            } else {
                softmax_row::<T, V>(&mut io, r * cols..(r + 1) * cols, masked);
            }
        }
    }
}
