//! The row ops' table: each line is one op, its kernel and its four public
//! functions with their docs. `row_ops!` stamps out [`RowOp`], the public
//! functions, their error names, the dispatch from op to kernel, and the
//! per-type entries compiled here ([`RowEntry`]).

use super::driver::{self, Form, Passes};
use super::kernel::{LogSoftmax, Softmax};
use crate::dispatch::Supported;
use crate::error::ShapeError;
use crate::exp::ExpFloat;
use crate::float::Float;
use crate::kind::{entry_points, per_type};

/// The table: stamps out [`RowOp`], each op's four public functions (whose
/// docs are given here), their error names, the dispatch from op to kernel,
/// and the per-type entries.
macro_rules! row_ops {
    ($(
        $(#[doc = $doc:literal])*
        $op:ident($kernel:ty) {
            $(#[$a:meta])* pub fn $f:ident;
            $(#[$ai:meta])* pub fn $fi:ident;
            $(#[$am:meta])* pub fn $fm:ident;
            $(#[$ami:meta])* pub fn $fmi:ident;
        }
    )*) => {
        /// A row op: one line of the table in `src/softmax/mod.rs`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RowOp {
            $($(#[doc = $doc])* $op,)*
        }

        #[cfg_attr(not(feature = "internals"), allow(dead_code))]
        impl RowOp {
            /// Every row op.
            pub const ALL: &[RowOp] = &[$(RowOp::$op),*];

            /// The public function's name for the form (`masked`,
            /// `in_place`), as errors give it.
            #[inline]
            pub fn name(self, masked: bool, in_place: bool) -> &'static str {
                match (self, masked, in_place) {
                    $(
                        (RowOp::$op, false, false) => stringify!($f),
                        (RowOp::$op, false, true) => stringify!($fi),
                        (RowOp::$op, true, false) => stringify!($fm),
                        (RowOp::$op, true, true) => stringify!($fmi),
                    )*
                }
            }
        }

        /// Out of place: the driver for the call's op.
        fn rows_split<T: ExpFloat>(
            call: RowCall,
            x: &[T],
            out: &mut [T],
            cols: usize,
        ) -> Result<(), ShapeError> {
            let form = call.form(false);
            match call.op {
                $(RowOp::$op => driver::rows_split::<T, $kernel>(form, x, out, cols),)*
            }
        }

        /// In place: the driver for the call's op.
        fn rows_inplace<T: ExpFloat>(call: RowCall, x: &mut [T], cols: usize) -> Result<(), ShapeError> {
            let form = call.form(true);
            match call.op {
                $(RowOp::$op => driver::rows_inplace::<T, $kernel>(form, x, cols),)*
            }
        }

        $(
            row_ops!(@split $op, false, $(#[$a])* $f);
            row_ops!(@inplace $op, false, $(#[$ai])* $fi);
            row_ops!(@split $op, true, $(#[$am])* $fm);
            row_ops!(@inplace $op, true, $(#[$ami])* $fmi);
        )*
    };
    (@split $op:ident, $masked:literal, $(#[$a:meta])* $f:ident) => {
        $(#[$a])*
        pub fn $f<T: Float>(x: &[T], out: &mut [T], cols: usize) -> Result<(), ShapeError> {
            let call = RowCall { op: RowOp::$op, masked: $masked, isa: None, passes: Passes::Auto };
            per_type!(T, |same, F| <F as RowEntry>::rows(call, same.slice(x), same.slice_mut(out), cols))
        }
    };
    (@inplace $op:ident, $masked:literal, $(#[$a:meta])* $f:ident) => {
        $(#[$a])*
        pub fn $f<T: Float>(x: &mut [T], cols: usize) -> Result<(), ShapeError> {
            let call = RowCall { op: RowOp::$op, masked: $masked, isa: None, passes: Passes::Auto };
            per_type!(T, |same, F| <F as RowEntry>::rows_inplace(call, same.slice_mut(x), cols))
        }
    };
}

/// One call of a row op: which op, which form, on which tier (`None`: the
/// selected one) and, for long softmax rows, which algorithm.
#[derive(Debug, Clone, Copy)]
pub struct RowCall {
    /// The op.
    pub op: RowOp,
    /// Whether a row of all `-inf` is a masked row (the `_masked` forms).
    pub masked: bool,
    /// The tier; `None` is the selected one.
    pub isa: Option<Supported>,
    /// The long rows' algorithm ([`Passes::Auto`] in the public functions).
    pub passes: Passes,
}

impl RowCall {
    /// The call's form, for the driver.
    fn form(self, in_place: bool) -> Form {
        Form {
            op: self.op,
            in_place,
            masked: self.masked,
            isa: self.isa,
            passes: self.passes,
        }
    }
}

entry_points! {
    /// The family's entry points, compiled here for `f32` and `f64`.
    pub(crate) trait RowEntry {
        fn rows(call: RowCall, x: &[Self], out: &mut [Self], cols: usize) -> Result<(), ShapeError> = rows_split;
        fn rows_inplace(call: RowCall, x: &mut [Self], cols: usize) -> Result<(), ShapeError> = rows_inplace;
    }
}

row_ops! {
    /// The softmax.
    Softmax(Softmax) {
        /// Row-wise softmax of `x` (rows of `cols` elements) into `out`.
        ///
        /// A row of all `-inf` gives all NaN, as NumPy does; use
        /// [`softmax_rows_masked`] where such rows are masked-out positions.
        ///
        /// # Special values
        /// The results are NumPy's for the same row:
        ///
        /// | row contains | [`softmax_rows`] | [`softmax_rows_masked`] |
        /// |---|---|---|
        /// | any NaN | all NaN | all NaN |
        /// | `+inf` | all NaN | all NaN |
        /// | only `-inf` | all NaN | all `0.0` |
        /// | anything else (finite, some `-inf`) | finite, in `[0, 1]`, sums to 1 | same |
        ///
        /// Finite inputs never overflow, however large: the row max is subtracted
        /// first, so every exponent is `<= 0`.
        ///
        /// # Accuracy
        /// Every output is within `(h + 12 + S) · u` relative (plus `2 ·
        /// MIN_POSITIVE` absolute, for outputs the exp flushes to zero) of the exact
        /// softmax of its row, where `u` is the unit roundoff, `S` is 16 for `f32`
        /// and 64 for `f64`, and `h = min(cols - 1, 13 + ⌈log2 cols⌉)` is the
        /// number of roundings on the longest path through the row's sum:
        ///
        /// - each exponential: at most 2 ulp (`4u`) from the kernels' exp and `u`
        ///   from folding the subtraction's rounding back in; `x - max` is computed
        ///   exactly (TwoSum) for rows spanning `S` or more, and for narrower rows
        ///   its rounding costs at most `S/2` units. The sum carries the same
        ///   relative error of its terms once more;
        /// - the sum: each lane adds its terms in blocks of 16 vectors (15
        ///   roundings, 16 in the last block, which takes the tail), the block sums
        ///   are added pairwise (`⌈log2 blocks⌉ + 1`) and the lanes pairwise
        ///   (`log2 LANES`): `13 + ⌈log2 cols⌉` on every tier, so the error grows
        ///   with the logarithm of the row length, not the length;
        /// - the reciprocal of the sum and the product: `2u`.
        ///
        /// For `f32` that is 3.0e-6 at 1000 columns and 3.9e-6 at 2^24. The
        /// errors measured against an exact reference are smaller: at most 7.2e-7
        /// (`f32`) and 4.0e-15 (`f64`) over dense sweeps of short rows, and 7.3e-7
        /// and 3.1e-15 on single rows of 2^10 to 2^24 columns, uniform and
        /// adversarial, on every tier (`tests/accuracy.rs`, `tests/exhaustive.rs`,
        /// BENCHMARKS.md). The tests hold every output to the derived bound and to
        /// 1e-6 (`f32`) / 1e-14 (`f64`).
        ///
        /// Rows in two passes (below, "Instruction sets") take each part's sum
        /// with the part's own max `m_p` and scale it by `exp(m_p - max)`: every
        /// term of the sum carries one more exp (`5u`, the subtraction exact) and
        /// one more product (`u`), and the parts are added pairwise (at most two
        /// more roundings on a path): `(h + 18 + S) · u` with `h = 15 + ⌈log2
        /// cols⌉`, 4.4e-6 for `f32` at 2^24. Measured: 7.3e-7 (`f32`) and 2.9e-15
        /// (`f64`) on the same rows. Their sums to 1 hold within `(h + 11) · ε`:
        /// an output's exp and its term in the sum are no longer the same rounded
        /// value, so their difference (up to `16u`) does not cancel.
        ///
        /// A row sums to 1 within `(h + 3) · ε`: the sum's rounding (at most
        /// `h · ε/2`) and the reciprocal's and the product's (`ε/2` each) do not
        /// cancel; the exp's own error does, since every output is divided by the
        /// sum of the same rounded exponentials.
        ///
        /// # Instruction sets
        /// The algorithm is written once over the tier's vector type and runs
        /// on the AVX-512, AVX2 or portable tier ([`crate::dispatch`]).
        /// Rows of up to 16 elements are vectorised across rows (one row
        /// per lane), longer rows within the row, in three passes (max, exp-store-sum,
        /// scale), which beat an online variant (running max and rescaled sum) by
        /// 1.5 to 2x in the benchmarks (`BENCHMARKS.md`; `benches/softmax.rs` keeps
        /// a copy of that variant to compare against). Rows of at least this core's
        /// share of the L3 cache (from the sizes the CPU reports,
        /// [`crate::cache::caches`]) take two passes (Dukhan and Ablavatski's idea, with a max per
        /// part of 16 Ki elements so `x - max` stays exact): one read for every
        /// part's max and sum, one read and write for `exp(x - max) / sum`. They
        /// compute each exp twice but move the row through memory three times, not
        /// five: measured 1.14-1.18x faster from 16 MiB rows, 0.78-0.98x below 8
        /// MiB (BENCHMARKS.md, "Softmax"). Which rows take it depends
        /// on the CPU's caches, so their bits can differ between machines (within
        /// the bound above); on one machine they are as deterministic as the rest.
        ///
        /// # Threads
        /// Batches of at least 16 Ki elements are split across samples
        /// with rayon, inside the caller's current pool. Every row is computed by the
        /// same code whatever the split, so results are bitwise identical for any
        /// thread count, batch size and row position.
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
        pub fn softmax_rows;
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
        pub fn softmax_rows_inplace;
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
        pub fn softmax_rows_masked;
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
        pub fn softmax_rows_masked_inplace;
    }
    /// The log-softmax.
    LogSoftmax(LogSoftmax) {
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
        /// exact value, with `u`, `h` and `S` as in the [`softmax_rows`] docs:
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
        pub fn log_softmax_rows;
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
        pub fn log_softmax_rows_inplace;
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
        pub fn log_softmax_rows_masked;
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
        pub fn log_softmax_rows_masked_inplace;
    }
}
