//! `argmax` over rows: the chapter's last step, from confidences to classes.

use crate::dispatch::{self, Supported, VectorProperty};
use crate::error::ShapeError;
use crate::float::Float;
use crate::kind::{entry_points, per_type};
use crate::simd::{Kernel, MAX_LANES, SimdFloat, Tier, Vector};

/// Index of each row's maximum (rows of `cols` elements of `x`) into `out`:
/// the first one on ties, and a NaN counts as the maximum at its first
/// position, as NumPy's `argmax(axis=1)`. The arguments are in
/// [`softmax_rows`](crate::softmax_rows)'s order: input, output, row length.
///
/// # Errors
/// [`ShapeError`] if `cols == 0` with a non-empty `x`, `x.len()` is not a
/// multiple of `cols`, or `out.len()` is not the number of rows.
///
/// ```
/// let p = [0.1f32, 0.7, 0.2, 0.5, 0.5, 0.0];
/// let mut classes = [0usize; 2];
/// nn_kernels::argmax_rows(&p, &mut classes, 3)?;
/// assert_eq!(classes, [1, 0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn argmax_rows<T: Float>(x: &[T], out: &mut [usize], cols: usize) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as ArgmaxEntry>::argmax_rows(
        None,
        same.slice(x),
        out,
        cols
    ))
}

entry_points! {
    /// The entry point, compiled here for `f32` and `f64`.
    pub(crate) trait ArgmaxEntry {
        fn argmax_rows(
            isa: Option<Supported>,
            x: &[Self],
            out: &mut [usize],
            cols: usize,
        ) -> Result<(), ShapeError> = run;
    }
}

/// On the tier `isa` (the selected one if `None`).
fn run<T: SimdFloat>(
    isa: Option<Supported>,
    x: &[T],
    out: &mut [usize],
    cols: usize,
) -> Result<(), ShapeError> {
    let rows = ShapeError::rows("argmax_rows", "x", x.len(), cols)?;
    ShapeError::check_len("argmax_rows", "out", rows, out.len())?;
    with_cols!(
        cols,
        C,
        if x.len() < ACROSS_MIN_ELEMS {
            rows_of::<T, C>(x, out)
        } else {
            long_batch::<T, C>(isa, x, out)
        },
        any_rows(x, out, cols)
    );
    Ok(())
}

/// `$call` with the row length `$cols` as the constant `$c` where it is 2
/// to 10 (the chapter's 3 classes, 10-class problems: a row's loop
/// unrolls, and [`across_rows`]' transposes are straight-line code), else
/// `$other`.
macro_rules! with_cols {
    ($cols:expr, $c:ident, $call:expr, $other:expr) => {
        with_cols!(@ $cols, $c, $call, $other, 2 3 4 5 6 7 8 9 10)
    };
    (@ $cols:expr, $c:ident, $call:expr, $other:expr, $($n:literal)*) => {
        match $cols {
            $($n => {
                const $c: usize = $n;
                $call
            })*
            _ => $other,
        }
    };
}
use with_cols;

/// Batches of fewer elements than this stay in the row loop: reaching the
/// tier's kernel (a call the compiler cannot inline) costs about what the
/// across-rows path saves on 64-96 rows of 2 or 3 (BENCHMARKS.md,
/// "argmax").
pub(crate) const ACROSS_MIN_ELEMS: usize = 192;

/// A batch of at least [`ACROSS_MIN_ELEMS`] elements, across the lanes
/// on the tier `isa` (the selected one if `None`) where its vectors do
/// that fast ([`AcrossRows`]), else by the row loop without entering the
/// tier. Out of line, so that the short batches' path in [`run`] stays a
/// leaf without the dispatch's frame.
#[inline(never)]
fn long_batch<T: SimdFloat, const COLS: usize>(isa: Option<Supported>, x: &[T], out: &mut [usize]) {
    let isa = isa.unwrap_or_else(dispatch::selected);
    if dispatch::vector_property::<T, AcrossRows<COLS>>(isa.isa()) {
        let cols = COLS;
        dispatch::vectorize(isa, ShortRows { x, out, cols });
    } else {
        rows_of::<T, COLS>(x, out);
    }
}

/// Rows of any length (here 1 or over 10) one at a time. Out of line,
/// like [`long_batch`], so that the frame of [`run`]'s short batches does
/// not hold this loop's.
#[inline(never)]
fn any_rows<T: Float>(x: &[T], out: &mut [usize], cols: usize) {
    for (row, out) in x.chunks_exact(cols.max(1)).zip(out) {
        *out = argmax_long_row(row);
    }
}

/// Whether a tier's vectors take short rows across the lanes
/// when they are `COLS` long ([`Vector::ARGMAX_ACROSS_MIN_COLS`], within
/// [`MAX_LANES`]), as a [`VectorProperty`] read before the tier is entered.
struct AcrossRows<const COLS: usize>;

impl<T: SimdFloat, const COLS: usize> VectorProperty<T> for AcrossRows<COLS> {
    type Value = bool;
    const ABSENT: bool = false;
    #[inline(always)]
    fn of<V: Vector<T>>() -> bool {
        COLS >= V::ARGMAX_ACROSS_MIN_COLS && V::LANES <= MAX_LANES
    }
}

/// `argmax_rows` of rows of 2 to 10 elements on a tier. The row length is
/// a value here, so that a tier compiles one function for all of them.
struct ShortRows<'a, T> {
    x: &'a [T],
    out: &'a mut [usize],
    cols: usize,
}

impl<T: SimdFloat> Kernel for ShortRows<'_, T> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        let ShortRows { x, out, cols } = self;
        with_cols!(
            cols,
            C,
            across_rows::<T, T::Vec<S>, C>(x, out),
            unreachable!("argmax: {cols} columns is not a fixed length")
        );
    }
}

/// Rows of `COLS` elements, `LANES` at a time across the lanes (on a tier
/// [`AcrossRows`] holds for; any other runs the row loop): the rows
/// transposed (lane `i` of column `j` is row `i`'s element `j`), then
/// [`argmax_row`]'s steps column by column with [`Vector::select_new_max`].
/// Index `j` is carried as the value `2^(p-1) + j` (`p` significand bits),
/// whose bit pattern is `2^(p-1)`'s plus `j`, so a lane's index is a
/// subtraction of bit patterns rather than a float-to-integer conversion
/// (which Rust saturates, in several instructions). The rows of a partial
/// last group go one at a time.
#[inline(always)]
fn across_rows<T: SimdFloat, V: Vector<T>, const COLS: usize>(x: &[T], out: &mut [usize]) {
    let l = V::LANES;
    // `long_batch` enters only tiers this holds for; the kernel is still
    // compiled for every tier.
    if !<AcrossRows<COLS> as VectorProperty<T>>::of::<V>() {
        rows_of::<T, COLS>(x, out);
        return;
    }
    let base = (1u64 << (T::MANTISSA_DIGITS - 1)) as f64;
    let index: [V; COLS] = std::array::from_fn(|j| V::splat(T::from_f64(base + j as f64)));
    let base = T::from_f64(base).to_bits_u64();
    let mut groups = x.chunks_exact(l * COLS);
    let mut outs = out.chunks_exact_mut(l);
    for (g, o) in (&mut groups).zip(&mut outs) {
        let c = V::load_transposed::<COLS>(g, l);
        let (mut best, mut at) = (c[0], index[0]);
        for j in 1..COLS {
            at = V::select_new_max(best, c[j], index[j], at);
            best = V::select_new_max(best, c[j], c[j], best);
        }
        let mut lanes = [T::ZERO; MAX_LANES];
        at.store(&mut lanes[..l]);
        for (o, &i) in o.iter_mut().zip(&lanes) {
            *o = (i.to_bits_u64() - base) as usize;
        }
    }
    rows_of::<T, COLS>(groups.remainder(), outs.into_remainder());
}

/// [`argmax_row`] of every row of `COLS` elements.
#[inline(always)]
fn rows_of<T: Float, const COLS: usize>(x: &[T], out: &mut [usize]) {
    for (row, out) in x.chunks_exact(COLS).zip(out) {
        *out = argmax_row(row);
    }
}

/// [`crate::reference::argmax`] of a non-empty row of a length known at
/// compile time ([`rows_of`]), without data-dependent branches: the
/// chapter's rows hold near-equal confidences, so a branch on "is this the
/// new maximum" would mispredict about once a row. A value is taken when
/// the best so far is not NaN and the value is not `<=` it (greater, or
/// NaN): ties keep the first, the first NaN wins and stays. With the row
/// length a constant, rustc vectorises this loop across pairs of rows; for
/// a length it does not know it turns the select of `f32` into a branch,
/// so other rows take [`argmax_long_row`].
#[inline]
fn argmax_row<T: Float>(row: &[T]) -> usize {
    let (mut best, mut idx) = (row[0], 0);
    for (i, &v) in row.iter().enumerate().skip(1) {
        #[allow(clippy::neg_cmp_op_on_partial_ord)] // NaN must count as "not <="
        let take = !best.is_nan() & !(v <= best);
        best = if take { v } else { best };
        idx = if take { i } else { idx };
    }
    idx
}

/// [`argmax_row`]'s answer for a row of any length, one element after
/// another without branches: the running maximum is taken by `>` (ties
/// keep the first; `-0.0 == 0.0`), which compiles to a `max` and a
/// conditional move. `>` never takes a NaN, so NaNs are only noted on the
/// way, and a row with one answers with its first NaN, as NumPy does.
#[inline]
fn argmax_long_row<T: Float>(row: &[T]) -> usize {
    let (mut best, mut idx, mut nan) = (row[0], 0, row[0].is_nan());
    for (i, &v) in row.iter().enumerate().skip(1) {
        let take = v > best;
        best = if take { v } else { best };
        idx = if take { i } else { idx };
        nan |= v.is_nan();
    }
    if nan { first_nan(row) } else { idx }
}

/// Index of `row`'s first NaN (0 if it has none; it is only asked when it
/// has one).
#[cold]
#[inline(never)]
fn first_nan<T: Float>(row: &[T]) -> usize {
    row.iter().position(|v| v.is_nan()).unwrap_or(0)
}
