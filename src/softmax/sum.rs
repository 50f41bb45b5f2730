//! The row max and the blocked, pairwise sum of `exp(x - max)` that every
//! long-row path shares (`long.rs`), and the special-value rules.

use std::marker::PhantomData;
use std::ops::Range;

use super::spread::{Spread, SpreadMode, Wide, WithSpread};
use crate::exp::ExpFloat;
use crate::float::Float;
use crate::io::{Io, LaneMap, map_vec_interleaved};
use crate::simd::Vector;
use crate::simd::pair::Pair;

/// `max(a, b)` that propagates NaN: once `a` is NaN it stays NaN.
#[inline(always)]
pub(super) fn max_nan<T: Float>(a: T, b: T) -> T {
    if b > a || b.is_nan() { b } else { a }
}

#[inline(always)]
pub(super) fn is_finite<T: Float>(v: T) -> bool {
    v > T::NEG_INFINITY && v < T::INFINITY
}

/// What fills a row whose (NaN-propagating) max is not finite: NaN or `+inf`
/// gives NaN; `-inf` means every element is `-inf`, which gives NaN, or
/// zeros when `masked`.
#[inline(always)]
pub(super) fn special_fill<T: Float>(max: T, masked: bool) -> T {
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
pub(super) fn row_max<T: ExpFloat, V: Vector<T>>(row: &[T]) -> (T, T) {
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
pub(super) struct Pairwise<V> {
    /// `partial[..pushes.count_ones()]`: sums of `2^a > 2^b > ...` pushes
    /// (the set bits of `pushes`), largest first.
    partial: [std::mem::MaybeUninit<V>; 64],
    pub(super) pushes: usize,
}

impl<V: Copy + std::ops::Add<Output = V>> Pairwise<V> {
    #[inline(always)]
    pub(super) fn new() -> Self {
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
    pub(super) fn push(&mut self, v: V) {
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
    pub(super) fn total(&self) -> V {
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
/// same place in `io.output()`. `M` is the row's [`SpreadMode`], for the whole
/// vectors; a partial last vector is padded with `-inf` and always takes
/// the exact, checked exp, so padding adds exactly 0. Blocks of
/// [`SUM_BLOCK_VECS`] vectors are summed lane-wise and the block sums
/// pairwise. The partial last vector is stored by [`Io::map_tail`] when
/// `tail_inside` (rows a group at a time), else by [`Io::map_vec`].
#[inline(always)]
pub(super) fn exp_sum<T: ExpFloat, V: Vector<T>, M: SpreadMode>(
    io: &mut impl Io<T>,
    range: Range<usize>,
    max: T,
    tail_inside: bool,
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
        let mut f = ExpSum::<V, M> {
            max: m,
            sum: zero,
            mode: PhantomData,
        };
        map_vec_interleaved::<T, V, _>(io, at..at + block, T::NEG_INFINITY, &mut f);
        sums.push(f.sum);
    }
    // The rest (a row shorter than a block is all rest) and the tail in one
    // more sum.
    let mut f = ExpSum::<V, M> {
        max: m,
        sum: zero,
        mode: PhantomData,
    };
    map_vec_interleaved::<T, V, _>(io, full_end..whole.end, T::NEG_INFINITY, &mut f);
    let mut t = ExpSum::<V, Wide> {
        max: m,
        sum: f.sum,
        mode: PhantomData,
    };
    if tail_inside && !tail.is_empty() {
        io.map_tail::<V>(tail, T::NEG_INFINITY, &mut t);
    } else {
        io.map_vec::<V>(tail, T::NEG_INFINITY, &mut t);
    }
    if sums.pushes == 0 {
        return t.sum.reduce_add();
    }
    sums.push(t.sum);
    sums.total().reduce_add()
}

/// `e = exp(x - max)`, stored, and summed.
struct ExpSum<V, M> {
    max: V,
    sum: V,
    mode: PhantomData<M>,
}

impl<T: ExpFloat, V: Vector<T>, M: SpreadMode> LaneMap<T, V> for ExpSum<V, M> {
    #[inline(always)]
    fn map(&mut self, x: V) -> V {
        let e = M::exp_of_diff::<T, V>(x, self.max);
        self.sum = self.sum + e;
        e
    }
}

/// Two vectors' exps interleaved, summed low then high: the same additions
/// in the same order as two steps of one vector, so the same bits.
impl<T: ExpFloat, V: Vector<T>, M: SpreadMode> LaneMap<T, Pair<T, V>> for ExpSum<V, M> {
    #[inline(always)]
    fn map(&mut self, x: Pair<T, V>) -> Pair<T, V> {
        let e = M::exp_of_diff::<T, Pair<T, V>>(x, Pair::new(self.max, self.max));
        let (lo, hi) = e.halves();
        self.sum = self.sum + lo + hi;
        e
    }
}

/// [`exp_sum`] in the mode the spread `spread` of the summed elements
/// picks ([`Spread::of`]).
#[inline(always)]
pub(super) fn exp_sum_spread<T: ExpFloat, V: Vector<T>>(
    io: &mut impl Io<T>,
    range: Range<usize>,
    max: T,
    spread: T,
    tail_inside: bool,
) -> T {
    let call = ExpSumOf::<'_, T, V, _> {
        io,
        range,
        max,
        tail_inside,
        vec: PhantomData,
    };
    Spread::of(spread).with(call)
}

/// [`exp_sum`]'s arguments, as a [`WithSpread`].
struct ExpSumOf<'a, T, V, I> {
    io: &'a mut I,
    range: Range<usize>,
    max: T,
    tail_inside: bool,
    vec: PhantomData<V>,
}

impl<T: ExpFloat, V: Vector<T>, I: Io<T>> WithSpread for ExpSumOf<'_, T, V, I> {
    type Output = T;
    #[inline(always)]
    fn run<M: SpreadMode>(self) -> T {
        exp_sum::<T, V, M>(self.io, self.range, self.max, self.tail_inside)
    }
}
