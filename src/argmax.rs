//! `argmax` over rows: the chapter's last step, from confidences to classes.

use crate::error::ShapeError;
use crate::float::Float;
use crate::kind::{entry_points, per_type};

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
        same.slice(x),
        out,
        cols
    ))
}

entry_points! {
    /// The entry point, compiled here for `f32` and `f64`.
    pub(crate) trait ArgmaxEntry {
        fn argmax_rows(x: &[Self], out: &mut [usize], cols: usize) -> Result<(), ShapeError> = run;
    }
}

fn run<T: Float>(x: &[T], out: &mut [usize], cols: usize) -> Result<(), ShapeError> {
    let rows = ShapeError::rows("argmax_rows", "x", x.len(), cols)?;
    ShapeError::check_len("argmax_rows", "out", rows, out.len())?;
    macro_rules! fixed {
        ($($c:literal)*) => {
            match cols {
                $($c => rows_of::<T, $c>(x, out),)*
                _ => {
                    for (row, out) in x.chunks_exact(cols.max(1)).zip(out) {
                        *out = argmax_row(row);
                    }
                }
            }
        };
    }
    // Short rows (the chapter's 3 classes) with the length a constant, so
    // each row's loop unrolls.
    fixed!(2 3 4 5 6 7 8 9 10);
    Ok(())
}

/// [`argmax_row`] of every row of `COLS` elements.
fn rows_of<T: Float, const COLS: usize>(x: &[T], out: &mut [usize]) {
    for (row, out) in x.chunks_exact(COLS).zip(out) {
        *out = argmax_row(row);
    }
}

/// [`crate::reference::argmax`] of a non-empty row, without data-dependent
/// branches: the chapter's rows hold near-equal confidences, so a branch on
/// "is this the new maximum" would mispredict about once a row. A value is
/// taken when the best so far is not NaN and the value is not `<=` it
/// (greater, or NaN): ties keep the first, the first NaN wins and stays.
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
