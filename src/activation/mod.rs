//! Element-wise activations: ReLU (the chapter's hidden-layer activation), and
//! the step and sigmoid functions the chapter names before it.
//!
//! Each function has an out-of-place form (`x` into `out`, same length) and an
//! in-place form. The kernels are in [`portable`](self) beside their scalar
//! references in [`crate::reference`].

mod portable;

use crate::{Float, ShapeError};

/// ReLU, `out[i] = max(0, x[i])`, bit for bit what NumPy's
/// `np.maximum(0, x)` gives.
///
/// `x < 0` (including `-inf` and negative subnormals) gives `+0.0`; `-0.0`,
/// `+0.0`, positives, subnormals, `+inf` and NaN (payload and sign bit) pass
/// through unchanged.
///
/// # Errors
/// [`ShapeError`] if `out.len() != x.len()`.
///
/// ```
/// let x = [0.0f32, 2.0, -1.0, 3.3, -2.7, 1.1, 2.2, -100.0];
/// let mut out = [f32::NAN; 8];
/// nn_kernels::relu(&x, &mut out)?;
/// assert_eq!(out, [0.0, 2.0, 0.0, 3.3, 0.0, 1.1, 2.2, 0.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn relu<T: Float>(x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
    ShapeError::check_len("relu", "out", x.len(), out.len())?;
    portable::relu(x, out);
    Ok(())
}

/// [`relu`] in place.
///
/// ```
/// let mut x = [-1.0f64, -0.0, 0.5];
/// nn_kernels::relu_inplace(&mut x);
/// assert_eq!(x.map(f64::to_bits), [0.0f64, -0.0, 0.5].map(f64::to_bits));
/// ```
pub fn relu_inplace<T: Float>(x: &mut [T]) {
    portable::relu_inplace(x);
}

/// The step function: `out[i] = 1` where `x[i] > 0`, else `0` (so NaN, `-0.0`
/// and `+0.0` give `0`).
///
/// # Errors
/// [`ShapeError`] if `out.len() != x.len()`.
///
/// ```
/// let mut out = [0.0f32; 4];
/// nn_kernels::step(&[-1.0, 0.0, 0.5, f32::NAN], &mut out)?;
/// assert_eq!(out, [0.0, 0.0, 1.0, 0.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn step<T: Float>(x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
    ShapeError::check_len("step", "out", x.len(), out.len())?;
    portable::step(x, out);
    Ok(())
}

/// [`step`] in place.
pub fn step_inplace<T: Float>(x: &mut [T]) {
    portable::step_inplace(x);
}

/// The logistic sigmoid, `out[i] = 1 / (1 + e^-x[i])`.
///
/// Computed as `1 / (1 + e^-x)` for `x >= 0` and `e^x / (1 + e^x)` for
/// `x < 0`, so no finite input overflows or gives NaN: outputs lie in
/// `[0, 1]`, `+inf` gives 1, `-inf` gives 0 and NaN gives NaN. The relative
/// error against an exact sigmoid is at most 4 ε (ε = `T::EPSILON`): one
/// rounding in `exp` (≤ 1 ulp from libm), one in the sum and one in the
/// division, and the `x < 0` branch carries `exp`'s error twice.
///
/// # Errors
/// [`ShapeError`] if `out.len() != x.len()`.
///
/// ```
/// let mut out = [0.0f64; 3];
/// nn_kernels::sigmoid(&[0.0, -1000.0, 1000.0], &mut out)?;
/// assert_eq!(out, [0.5, 0.0, 1.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn sigmoid<T: Float>(x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
    ShapeError::check_len("sigmoid", "out", x.len(), out.len())?;
    portable::sigmoid(x, out);
    Ok(())
}

/// [`sigmoid`] in place.
pub fn sigmoid_inplace<T: Float>(x: &mut [T]) {
    portable::sigmoid_inplace(x);
}
