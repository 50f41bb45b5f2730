//! The softmax's arithmetic limit (feature `internals`, for the `limits`
//! bench): what the vector unit needs per element for the operations the
//! softmax of a row does to it, with no memory traffic but one load and one
//! store of data that stays in L1, as the GEMM's limit is its FMA peak.
//!
//! Per vector of a row, the three passes do: (1) a `max_fast` into the row
//! max; (2) `exp(x - max)` in the row's mode, stored, and added into the
//! row sum; (3) a multiply by `1 / sum`, stored. The mode is that of a row
//! of the benches' data (logits in `[-1, 1]`): for rows longer than
//! [`SMALL_COLS`], `Narrow` (spread below
//! [`exact_spread`](super::exact_spread)); for shorter ones, which take
//! several rows to a vector, `Wide`, the checked exp every such row takes
//! whatever its spread (`short.rs`: a cheaper one chosen per vector would
//! make a row's bits depend on its neighbours). Here the three are one
//! pass over a slice in L1: load, max, exp, add, multiply, store, into one
//! max and one sum (the exp takes longer than an add's latency on every
//! tier, so one chain of adds does not bound it, and more accumulators
//! would take registers the exp's constants need). The
//! softmax's time over this is its passes' extra reads and writes of the
//! row and the per-row work (the horizontal max and sum, the division).

use super::short::SMALL_COLS;
use super::spread::{Narrow, SpreadMode, Wide};
use crate::dispatch::{self, Supported};
use crate::exp::ExpFloat;
use crate::kind::entry_points;
use crate::simd::pair::Pair;
use crate::simd::{Kernel, SimdFloat, Tier, Vector};

entry_points! {
    /// The limit's entry, compiled here for `f32` and `f64`.
    pub(crate) trait LimitEntry {
        fn softmax_limit(isa: Supported, cols: usize, x: &[Self], out: &mut [Self], reps: usize) -> Self = drive_limit;
    }
}

/// `reps` passes of the per-element arithmetic of the softmax of rows of
/// `cols` over `x` (values at most 1; whole pairs of vectors) into `out`;
/// returns a value that depends on every element, so that none of it is
/// optimised away.
fn drive_limit<T: ExpFloat>(isa: Supported, cols: usize, x: &[T], out: &mut [T], reps: usize) -> T {
    assert_eq!(x.len(), out.len());
    let checked = cols <= SMALL_COLS;
    dispatch::vectorize(
        isa,
        Limit {
            x,
            out,
            reps,
            checked,
        },
    )
}

struct Limit<'a, T> {
    x: &'a [T],
    out: &'a mut [T],
    reps: usize,
    checked: bool,
}

impl<T: ExpFloat> Kernel for Limit<'_, T> {
    type Output = T;
    #[inline(always)]
    fn run<S: Tier>(self, _: S) -> T {
        // Two vectors' exps interleaved, as the softmax's exp pass runs
        // them (`crate::io::map_vec_interleaved`).
        type V<T, S> = Pair<T, <T as SimdFloat>::Vec<S>>;
        if self.checked {
            limit::<T, V<T, S>, Wide>(self.x, self.out, self.reps)
        } else {
            limit::<T, V<T, S>, Narrow>(self.x, self.out, self.reps)
        }
    }
}

#[inline(always)]
fn limit<T: ExpFloat, V: Vector<T>, M: SpreadMode>(x: &[T], out: &mut [T], reps: usize) -> T {
    // `x - 1 <= 0` for the data promised; the scale stands for `1 / sum`.
    let (top, scale) = (V::splat(T::ONE), V::splat(T::from_f64(0.5)));
    let (mut max, mut sum) = (V::splat(T::NEG_INFINITY), V::splat(T::ZERO));
    for _ in 0..reps {
        for (xs, os) in x.chunks_exact(V::LANES).zip(out.chunks_exact_mut(V::LANES)) {
            let v = V::load(xs);
            max = V::max_fast(v, max);
            let e = M::exp_of_diff::<T, V>(v, top);
            sum = sum + e;
            (e * scale).store(os);
        }
    }
    (max + sum).reduce_add()
}
