//! Row-wise softmax over a batch: `out[r, j] = exp(x[r, j] - max_r) / Σ_j exp(x[r, j] - max_r)`,
//! the chapter's numerically stable form; and the log-softmax beside it
//! ([`log_softmax_rows`]: `x[r, j] - max_r - ln Σ_j exp(x[r, j] - max_r)`).
//!
//! # Special values
//! The results are NumPy's for the same row:
//!
//! | row contains | [`softmax_rows`] | [`softmax_rows_masked`] |
//! |---|---|---|
//! | any NaN | all NaN | all NaN |
//! | `+inf` | all NaN | all NaN |
//! | only `-inf` | all NaN | all `0.0` |
//! | anything else (finite, some `-inf`) | finite, in `[0, 1]`, sums to 1 | same |
//!
//! Finite inputs never overflow, however large: the row max is subtracted
//! first, so every exponent is `<= 0`.
//!
//! # Accuracy
//! Every output is within `(h + 12 + S) · u` relative (plus `2 ·
//! MIN_POSITIVE` absolute, for outputs the exp flushes to zero) of the exact
//! softmax of its row, where `u` is the unit roundoff, `S` is 16 for `f32`
//! and 64 for `f64`, and `h = min(cols - 1, 13 + ⌈log2 cols⌉)` is the
//! number of roundings on the longest path through the row's sum:
//!
//! - each exponential: at most 2 ulp (`4u`) from the kernels' exp and `u`
//!   from folding the subtraction's rounding back in; `x - max` is computed
//!   exactly (TwoSum) for rows spanning `S` or more, and for narrower rows
//!   its rounding costs at most `S/2` units. The sum carries the same
//!   relative error of its terms once more;
//! - the sum: each lane adds its terms in blocks of 16 vectors (15
//!   roundings, 16 in the last block, which takes the tail), the block sums
//!   are added pairwise (`⌈log2 blocks⌉ + 1`) and the lanes pairwise
//!   (`log2 LANES`): `13 + ⌈log2 cols⌉` on every tier, so the error grows
//!   with the logarithm of the row length, not the length;
//! - the reciprocal of the sum and the product: `2u`.
//!
//! For `f32` that is 3.0e-6 at 1000 columns and 3.9e-6 at 2^24. The
//! errors measured against an exact reference are smaller: at most 7.2e-7
//! (`f32`) and 4.0e-15 (`f64`) over dense sweeps of short rows, and 7.3e-7
//! and 3.1e-15 on single rows of 2^10 to 2^24 columns, uniform and
//! adversarial, on every tier (`tests/accuracy.rs`, `tests/exhaustive.rs`,
//! BENCHMARKS.md). The tests hold every output to the derived bound and to
//! 1e-6 (`f32`) / 1e-14 (`f64`).
//!
//! Rows in two passes (below, "Instruction sets") take each part's sum
//! with the part's own max `m_p` and scale it by `exp(m_p - max)`: every
//! term of the sum carries one more exp (`5u`, the subtraction exact) and
//! one more product (`u`), and the parts are added pairwise (at most two
//! more roundings on a path): `(h + 18 + S) · u` with `h = 15 + ⌈log2
//! cols⌉`, 4.4e-6 for `f32` at 2^24. Measured: 7.3e-7 (`f32`) and 2.9e-15
//! (`f64`) on the same rows. Their sums to 1 hold within `(h + 11) · ε`:
//! an output's exp and its term in the sum are no longer the same rounded
//! value, so their difference (up to `16u`) does not cancel.
//!
//! A row sums to 1 within `(h + 3) · ε`: the sum's rounding (at most
//! `h · ε/2`) and the reciprocal's and the product's (`ε/2` each) do not
//! cancel; the exp's own error does, since every output is divided by the
//! sum of the same rounded exponentials.
//!
//! # Instruction sets
//! The algorithm is in `kernel.rs`, written once over the tier's vector
//! type; [`crate::dispatch`] runs it on the AVX-512, AVX2 or portable tier.
//! Rows of up to [`SMALL_COLS`] elements are vectorised across rows (one row
//! per lane), longer rows within the row, in three passes (max, exp-store-sum,
//! scale), which beat an online variant (running max and rescaled sum) by
//! 1.5 to 2x in the benchmarks (`BENCHMARKS.md`; `benches/softmax.rs` keeps
//! a copy of that variant to compare against). Rows of at least this core's
//! share of the L3 cache (`two_pass_min_cols`, from the sizes the CPU
//! reports) take two passes (Dukhan and Ablavatski's idea, with a max per
//! part of 16 Ki elements so `x - max` stays exact): one read for every
//! part's max and sum, one read and write for `exp(x - max) / sum`. They
//! compute each exp twice but move the row through memory three times, not
//! five: measured 1.14-1.18x faster from 16 MiB rows, 0.78-0.98x below 8
//! MiB (BENCHMARKS.md, "The two-pass softmax"). Which rows take it depends
//! on the CPU's caches, so their bits can differ between machines (within
//! the bound above); on one machine they are as deterministic as the rest.
//!
//! # Threads
//! Batches of at least 16 Ki elements are split across samples
//! with rayon, inside the caller's current pool. Every row is computed by the
//! same code whatever the split, so results are bitwise identical for any
//! thread count, batch size and row position.

mod kernel;

use std::marker::PhantomData;

use crate::dispatch::{self, Supported};
use crate::error::ShapeError;
use crate::float::Float;
use crate::io::{InPlace, Io, Split};
use crate::simd::{Kernel, Tier};

/// Rows of at most this many elements (16) are computed several to a
/// vector; longer rows one at a time. A tuning constant, not API.
#[doc(hidden)]
pub use kernel::SMALL_COLS;

/// Softmax rows spanning less than this skip the exact subtraction of the
/// max (`S` in the accuracy bound above): 16 for `f32`, 64 for `f64`.
#[doc(hidden)]
pub fn exact_spread<T: Float>() -> T {
    kernel::exact_spread::<T>()
}

/// The smallest batch (in elements) that is split across rayon threads:
/// 16 Ki, where a two-way split has clearly paid for its fork
/// (`cargo bench --bench softmax -- softmax_split`; BENCHMARKS.md,
/// "Measurements behind the code"). A tuning constant, not API.
#[doc(hidden)]
pub const PAR_MIN_ELEMS: usize = 16 * 1024;

/// Row-wise softmax of `x` (rows of `cols` elements) into `out`.
///
/// See the [module docs](crate::softmax) for the special-value table. A row
/// of all `-inf` gives all NaN, as NumPy does; use [`softmax_rows_masked`]
/// where such rows are masked-out positions.
///
/// # Errors
/// [`ShapeError`] if `out.len() != x.len()`, `cols == 0` with a non-empty
/// `x`, or `x.len()` is not a multiple of `cols`. Empty input is valid.
///
/// ```
/// let x = [4.8f64, 1.21, 2.385, 8.9, -1.81, 0.2];
/// let mut p = [0.0; 6];
/// nn_kernels::softmax_rows(&x, &mut p, 3)?;
/// assert!((p[0] - 0.895282663957).abs() < 1e-12);
/// assert!((p[3..].iter().sum::<f64>() - 1.0).abs() < 1e-15);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn softmax_rows<T: Float>(x: &[T], out: &mut [T], cols: usize) -> Result<(), ShapeError> {
    softmax_rows_with_isa(dispatch::selected(), x, out, cols, false)
}

/// [`softmax_rows`] in place.
///
/// # Errors
/// [`ShapeError`] if `cols == 0` with a non-empty `x`, or `x.len()` is not a
/// multiple of `cols`.
///
/// ```
/// let mut x = [1.0f32, 1.0, 1.0, 1.0];
/// nn_kernels::softmax_rows_inplace(&mut x, 2)?;
/// assert_eq!(x, [0.5; 4]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn softmax_rows_inplace<T: Float>(x: &mut [T], cols: usize) -> Result<(), ShapeError> {
    softmax_rows_inplace_with_isa(dispatch::selected(), x, cols, false)
}

/// [`softmax_rows`] for masked scores: a row of all `-inf` (every position
/// masked out) gives all zeros instead of NaN, as attention masks need.
/// Everything else is as [`softmax_rows`].
///
/// # Errors
/// As [`softmax_rows`].
///
/// ```
/// let x = [f32::NEG_INFINITY, f32::NEG_INFINITY, 0.0, f32::NEG_INFINITY];
/// let mut p = [f32::NAN; 4];
/// nn_kernels::softmax_rows_masked(&x, &mut p, 2)?;
/// assert_eq!(p, [0.0, 0.0, 1.0, 0.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn softmax_rows_masked<T: Float>(
    x: &[T],
    out: &mut [T],
    cols: usize,
) -> Result<(), ShapeError> {
    softmax_rows_with_isa(dispatch::selected(), x, out, cols, true)
}

/// [`softmax_rows_masked`] in place.
///
/// # Errors
/// As [`softmax_rows_inplace`].
///
/// ```
/// let ninf = f32::NEG_INFINITY;
/// let mut x = [ninf, ninf, /**/ 0.0, ninf]; // the first row fully masked
/// nn_kernels::softmax_rows_masked_inplace(&mut x, 2)?;
/// assert_eq!(x, [0.0, 0.0, /**/ 1.0, 0.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn softmax_rows_masked_inplace<T: Float>(x: &mut [T], cols: usize) -> Result<(), ShapeError> {
    softmax_rows_inplace_with_isa(dispatch::selected(), x, cols, true)
}

/// Which algorithm rows longer than [`SMALL_COLS`] take. Not API: tests
/// and benches force one to compare them.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passes {
    /// Two passes for rows of at least [`two_pass_min_cols`] elements,
    /// three for the rest: what the public functions do.
    Auto,
    /// Three passes at every length.
    Three,
    /// Two passes at every length.
    Two,
}

/// The shortest row (in elements of `T`) the public functions do in two
/// passes: a row as large as this core's share of the L3 cache, whose
/// input and output together (twice that) no longer stay in the cache
/// between the three passes, so their extra read and write of the row go
/// to memory (BENCHMARKS.md, "The two-pass softmax": the crossover
/// measured between a half and three quarters of the share). Derived from
/// the cache sizes the CPU reports, so it differs between machines, and
/// with it, within the accuracy bound, the bits of rows that long. A
/// tuning value, not API.
#[doc(hidden)]
pub fn two_pass_min_cols<T>() -> usize {
    crate::cache::caches().l3_share() / size_of::<T>()
}

impl Passes {
    /// Whether rows of `cols` take two passes.
    fn two<T>(self, cols: usize) -> bool {
        match self {
            Passes::Auto => cols > SMALL_COLS && cols >= two_pass_min_cols::<T>(),
            Passes::Three => false,
            Passes::Two => true,
        }
    }
}

/// Row-wise log-softmax: `out[r, j] = x[r, j] - max_r - ln Σ_j exp(x[r, j]
/// - max_r)`, the log-probabilities a cross-entropy loss or a sampler
/// consumes, without the underflow of `ln(softmax(x))` (an output of
/// `1e-50` is `-115.1`, not `ln(0)`).
///
/// # Special values
/// As [`softmax_rows`]: a row with NaN or `+inf`, or of all `-inf`, is all
/// NaN; otherwise every output is `<= 0`, and `-inf` exactly where the
/// input is `-inf`.
///
/// # Accuracy
/// Every output `y` is within `(2 |y| + h + 7 + S) · u` absolute of the
/// exact value, with `u`, `h` and `S` as in the [module docs](crate::softmax):
/// `x - max` and the final subtraction round by `u` each, relative to their
/// results (`|x - max| <= |y|`), and `ln(sum)` carries the sum's relative
/// error (`(h + 5 + S/2) · u`, as the softmax's) plus its own rounding
/// (`u · ln(sum) <= u · |y|`, taken in `f64`).
///
/// # Errors
/// As [`softmax_rows`].
///
/// ```
/// let x = [1.0f32, 2.0, 3.0];
/// let mut y = [0.0; 3];
/// nn_kernels::log_softmax_rows(&x, &mut y, 3)?;
/// let mut p = [0.0; 3];
/// nn_kernels::softmax_rows(&x, &mut p, 3)?;
/// for (y, p) in y.iter().zip(&p) {
///     assert!((y - p.ln()).abs() < 1e-6);
/// }
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn log_softmax_rows<T: Float>(x: &[T], out: &mut [T], cols: usize) -> Result<(), ShapeError> {
    log_softmax_rows_with_isa(dispatch::selected(), x, out, cols, false)
}

/// [`log_softmax_rows`] in place.
///
/// # Errors
/// As [`softmax_rows_inplace`].
///
/// ```
/// let mut x = [0.0f64, 0.0];
/// nn_kernels::log_softmax_rows_inplace(&mut x, 2)?;
/// assert_eq!(x, [-std::f64::consts::LN_2; 2]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn log_softmax_rows_inplace<T: Float>(x: &mut [T], cols: usize) -> Result<(), ShapeError> {
    log_softmax_rows_inplace_with_isa(dispatch::selected(), x, cols, false)
}

/// [`log_softmax_rows`] for masked scores: a row of all `-inf` (every
/// position masked out) gives all `-inf` (probability 0) instead of NaN.
///
/// # Errors
/// As [`softmax_rows`].
///
/// ```
/// let ninf = f32::NEG_INFINITY;
/// let x = [ninf, ninf, 0.0, ninf];
/// let mut y = [f32::NAN; 4];
/// nn_kernels::log_softmax_rows_masked(&x, &mut y, 2)?;
/// assert_eq!(y, [ninf, ninf, 0.0, ninf]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn log_softmax_rows_masked<T: Float>(
    x: &[T],
    out: &mut [T],
    cols: usize,
) -> Result<(), ShapeError> {
    log_softmax_rows_with_isa(dispatch::selected(), x, out, cols, true)
}

/// [`log_softmax_rows_masked`] in place.
///
/// # Errors
/// As [`softmax_rows_inplace`].
///
/// ```
/// let mut x = [f64::NEG_INFINITY; 3];
/// nn_kernels::log_softmax_rows_masked_inplace(&mut x, 3)?;
/// assert_eq!(x, [f64::NEG_INFINITY; 3]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn log_softmax_rows_masked_inplace<T: Float>(
    x: &mut [T],
    cols: usize,
) -> Result<(), ShapeError> {
    log_softmax_rows_inplace_with_isa(dispatch::selected(), x, cols, true)
}

/// Rows per rayon task: enough that each task has `PAR_MIN_ELEMS / 2`
/// elements, so no task is so small that its fork costs more than its work.
fn rows_per_task(cols: usize) -> usize {
    (PAR_MIN_ELEMS / 2).div_ceil(cols).max(1)
}

fn use_threads(len: usize) -> bool {
    crate::threads::may_split(len >= PAR_MIN_ELEMS)
}

/// What a row kernel computes.
#[derive(Clone, Copy)]
enum Op {
    /// The softmax, long rows in two passes when `two_pass`.
    Softmax { two_pass: bool },
    /// The log-softmax.
    LogSoftmax,
}

/// `op` on whole rows of `io`, as a kernel for every tier.
struct Rows<T, I> {
    io: I,
    cols: usize,
    masked: bool,
    op: Op,
    elem: PhantomData<T>,
}

impl<T: Float, I: Io<T>> Kernel for Rows<T, I> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        match self.op {
            Op::Softmax { two_pass } => {
                kernel::softmax_rows::<T, T::Vec<S>>(self.io, self.cols, self.masked, two_pass)
            }
            Op::LogSoftmax => {
                kernel::log_softmax_rows::<T, T::Vec<S>>(self.io, self.cols, self.masked)
            }
        }
    }
}

/// Runs `op` on tier `isa` on whole rows.
fn run<T: Float>(isa: Supported, io: impl Io<T>, cols: usize, masked: bool, op: Op) {
    let elem = PhantomData;
    dispatch::vectorize(
        isa,
        Rows {
            io,
            cols,
            masked,
            op,
            elem,
        },
    );
}

/// The public functions' name, for errors.
fn name(op: Op, masked: bool, inplace: bool) -> &'static str {
    match (op, masked, inplace) {
        (Op::Softmax { .. }, false, false) => "softmax_rows",
        (Op::Softmax { .. }, true, false) => "softmax_rows_masked",
        (Op::Softmax { .. }, false, true) => "softmax_rows_inplace",
        (Op::Softmax { .. }, true, true) => "softmax_rows_masked_inplace",
        (Op::LogSoftmax, false, false) => "log_softmax_rows",
        (Op::LogSoftmax, true, false) => "log_softmax_rows_masked",
        (Op::LogSoftmax, false, true) => "log_softmax_rows_inplace",
        (Op::LogSoftmax, true, true) => "log_softmax_rows_masked_inplace",
    }
}

/// `op` on the rows of `x` into `out`: checks the shapes, then splits the
/// batch across threads by rows when it is large enough.
fn rows_split<T: Float>(
    isa: Supported,
    op: Op,
    x: &[T],
    out: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), ShapeError> {
    let function = name(op, masked, false);
    ShapeError::check_len(function, "out", x.len(), out.len())?;
    ShapeError::rows(function, "x", x.len(), cols)?;
    if x.is_empty() {
        return Ok(());
    }
    if use_threads(x.len()) {
        let block = rows_per_task(cols) * cols;
        crate::threads::for_each_chunk_pair(x, block, out, block, |src, dst| {
            run(isa, Split { src, dst }, cols, masked, op)
        });
    } else {
        run(isa, Split { src: x, dst: out }, cols, masked, op);
    }
    Ok(())
}

/// [`rows_split`] in place.
fn rows_inplace<T: Float>(
    isa: Supported,
    op: Op,
    x: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), ShapeError> {
    ShapeError::rows(name(op, masked, true), "x", x.len(), cols)?;
    if x.is_empty() {
        return Ok(());
    }
    if use_threads(x.len()) {
        crate::threads::for_each_chunk(x, rows_per_task(cols) * cols, |rows| {
            run(isa, InPlace(rows), cols, masked, op)
        });
    } else {
        run(isa, InPlace(x), cols, masked, op);
    }
    Ok(())
}

/// [`softmax_rows`] (or [`softmax_rows_masked`] when `masked`) on a chosen
/// tier, for tests and benches.
#[doc(hidden)]
pub fn softmax_rows_with_isa<T: Float>(
    isa: Supported,
    x: &[T],
    out: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), ShapeError> {
    softmax_rows_with_passes(isa, Passes::Auto, x, out, cols, masked)
}

/// [`softmax_rows_with_isa`] with the long rows' algorithm chosen, for
/// tests and benches.
#[doc(hidden)]
pub fn softmax_rows_with_passes<T: Float>(
    isa: Supported,
    passes: Passes,
    x: &[T],
    out: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), ShapeError> {
    let op = Op::Softmax {
        two_pass: passes.two::<T>(cols),
    };
    rows_split(isa, op, x, out, cols, masked)
}

/// [`softmax_rows_inplace`] (or [`softmax_rows_masked_inplace`] when
/// `masked`) on a chosen tier, for tests and benches.
#[doc(hidden)]
pub fn softmax_rows_inplace_with_isa<T: Float>(
    isa: Supported,
    x: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), ShapeError> {
    softmax_rows_inplace_with_passes(isa, Passes::Auto, x, cols, masked)
}

/// [`softmax_rows_inplace_with_isa`] with the long rows' algorithm chosen,
/// for tests and benches.
#[doc(hidden)]
pub fn softmax_rows_inplace_with_passes<T: Float>(
    isa: Supported,
    passes: Passes,
    x: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), ShapeError> {
    let op = Op::Softmax {
        two_pass: passes.two::<T>(cols),
    };
    rows_inplace(isa, op, x, cols, masked)
}

/// [`log_softmax_rows`] (or [`log_softmax_rows_masked`] when `masked`) on a
/// chosen tier, for tests and benches.
#[doc(hidden)]
pub fn log_softmax_rows_with_isa<T: Float>(
    isa: Supported,
    x: &[T],
    out: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), ShapeError> {
    rows_split(isa, Op::LogSoftmax, x, out, cols, masked)
}

/// [`log_softmax_rows_inplace`] (or [`log_softmax_rows_masked_inplace`]
/// when `masked`) on a chosen tier, for tests and benches.
#[doc(hidden)]
pub fn log_softmax_rows_inplace_with_isa<T: Float>(
    isa: Supported,
    x: &mut [T],
    cols: usize,
    masked: bool,
) -> Result<(), ShapeError> {
    rows_inplace(isa, Op::LogSoftmax, x, cols, masked)
}
