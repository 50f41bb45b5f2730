//! `argmax` over rows: the chapter's last step, from confidences to classes.

use crate::{Float, ShapeError};

/// Index of each row's maximum: the first one on ties, and a NaN counts as
/// the maximum at its first position, as NumPy's `argmax(axis=1)`.
///
/// # Errors
/// [`ShapeError`] if `cols == 0` with a non-empty `x`, `x.len()` is not a
/// multiple of `cols`, or `out.len()` is not the number of rows.
///
/// ```
/// let p = [0.1f32, 0.7, 0.2, 0.5, 0.5, 0.0];
/// let mut classes = [0usize; 2];
/// nn_kernels::argmax_rows(&p, 3, &mut classes)?;
/// assert_eq!(classes, [1, 0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn argmax_rows<T: Float>(x: &[T], cols: usize, out: &mut [usize]) -> Result<(), ShapeError> {
    let rows = ShapeError::rows("argmax_rows", "x", x.len(), cols)?;
    ShapeError::check_len("argmax_rows", "out", rows, out.len())?;
    for (row, out) in x.chunks_exact(cols.max(1)).zip(out) {
        *out = crate::reference::argmax(row).unwrap_or(0);
    }
    Ok(())
}
