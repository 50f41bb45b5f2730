//! Thin adapters for [`ndarray`] (feature `ndarray`): the kernels on
//! `ArrayView2` and friends, returning owned arrays.
//!
//! Each adapter hands the array's memory to the slice kernel when it is in
//! standard (row-major, contiguous) layout, and otherwise makes one
//! row-major copy first: a transposed, strided or sliced view costs that
//! copy, never a different result. The outputs are new arrays in standard
//! layout; the `_inplace` adapters write back into the view they are given
//! (through a row-major copy when the view is not standard). Weights are
//! the exception: [`packed_weights`] reads a column-major `inputs x
//! neurons` view (`w.t()` of PyTorch's `neurons x inputs` weights) as
//! [`Weights::neurons_by_inputs`] without a copy, as packing would copy
//! anyway.
//!
//! ```
//! use ndarray::array;
//! use nn_kernels::{Activation, nd};
//! // torch.nn.Linear(3, 2).weight is 2 x 3 (out x in); its transpose is the k x n view.
//! let w_torch = array![[1.0f32, 0.0, -1.0], [0.5, 0.5, 0.5]];
//! let packed = nd::packed_weights(w_torch.t())?;
//! let x = array![[1.0f32, 2.0, 3.0], [0.0, 0.0, 0.0]];
//! let h = nd::dense_packed(x.view(), &packed, &[0.0, 1.0], Activation::Relu)?;
//! assert_eq!(h, array![[0.0, 4.0], [0.0, 1.0]]);
//! let p = nd::softmax_rows(h.view());
//! assert_eq!(nd::argmax_rows(p.view())?, array![1, 1]);
//! # Ok::<(), nn_kernels::ShapeError>(())
//! ```

use std::borrow::Cow;

use ndarray::{Array, Array1, Array2, ArrayView, ArrayView2, ArrayViewMut, Dimension, Ix2};

use crate::{Activation, Float, PackedWeights, ShapeError, Weights};

/// The view's elements in row-major order: borrowed when it is in standard
/// layout, copied otherwise.
fn row_major<'a, T: Float, D: Dimension>(x: &'a ArrayView<'_, T, D>) -> Cow<'a, [T]> {
    match x.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(x.iter().copied().collect()),
    }
}

/// An array of `shape` from row-major `data` of the matching length.
fn from_row_major<T, D: Dimension>(shape: D, data: Vec<T>) -> Array<T, D> {
    Array::from_shape_vec(shape, data).expect("the kernel wrote one value per element")
}

/// Runs `f` on the view's elements as one row-major slice: in place when
/// the view is in standard layout, else on a copy that is written back.
fn with_row_major_mut<T: Float, D: Dimension, R>(
    mut x: ArrayViewMut<'_, T, D>,
    f: impl FnOnce(&mut [T]) -> R,
) -> R {
    if let Some(s) = x.as_slice_mut() {
        return f(s);
    }
    let mut copy: Vec<T> = x.iter().copied().collect();
    let r = f(&mut copy);
    for (dst, src) in x.iter_mut().zip(copy) {
        *dst = src;
    }
    r
}

/// Packs `w` (`inputs x neurons`) for [`dense_packed`]. A view in
/// standard layout is read as [`Weights::inputs_by_neurons`]; a
/// column-major one (the transpose of a `neurons x inputs` array, as
/// PyTorch and ONNX store weights) as [`Weights::neurons_by_inputs`],
/// without a copy; any other layout is copied first. The result is the
/// same in every case.
///
/// ```
/// use ndarray::array;
/// use nn_kernels::{Activation, nd};
/// let w = array![[1.0f32, 2.0], [3.0, 4.0]]; // 2 inputs x 2 neurons
/// let torch = array![[1.0f32, 3.0], [2.0, 4.0]]; // the same weights, neurons x inputs
/// let (a, b) = (nd::packed_weights(w.view())?, nd::packed_weights(torch.t())?);
/// let x = array![[1.0f32, 10.0]];
/// let ya = nd::dense_packed(x.view(), &a, &[0.0, 0.0], Activation::Identity)?;
/// assert_eq!(ya, array![[31.0, 42.0]]);
/// assert_eq!(ya, nd::dense_packed(x.view(), &b, &[0.0, 0.0], Activation::Identity)?);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
///
/// # Errors
/// As [`PackedWeights::new`] (never, for an array's own shape, unless it
/// needs more than `isize::MAX` bytes).
pub fn packed_weights<T: Float>(w: ArrayView2<'_, T>) -> Result<PackedWeights<T>, ShapeError> {
    let (k, n) = w.dim();
    if let Some(s) = w.as_slice() {
        return PackedWeights::new(Weights::inputs_by_neurons(s, k, n)?);
    }
    let t = w.t();
    if let Some(s) = t.as_slice() {
        return PackedWeights::new(Weights::neurons_by_inputs(s, n, k)?);
    }
    PackedWeights::new(Weights::inputs_by_neurons(&row_major(&w), k, n)?)
}

/// [`crate::dense_packed`] on a batch `x` (`m x w.inputs()`): returns
/// `activation(x · w + bias)`, `m x w.neurons()`.
///
/// ```
/// use ndarray::array;
/// use nn_kernels::{Activation, nd};
/// let w = nd::packed_weights(array![[1.0f64, -1.0]].view())?; // 1 input, 2 neurons
/// let y = nd::dense_packed(array![[2.0], [-3.0]].view(), &w, &[0.0, 0.0], Activation::Relu)?;
/// assert_eq!(y, array![[2.0, 0.0], [0.0, 3.0]]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
///
/// # Errors
/// [`ShapeError`] if `x` does not have `w.inputs()` columns or `bias` does
/// not have `w.neurons()` elements.
pub fn dense_packed<T: Float>(
    x: ArrayView2<'_, T>,
    w: &PackedWeights<T>,
    bias: &[T],
    activation: Activation,
) -> Result<Array2<T>, ShapeError> {
    let (m, k) = x.dim();
    ShapeError::check_len("nd::dense_packed", "x columns", w.inputs(), k)?;
    let mn = ShapeError::checked_mul("nd::dense_packed", "m * n", m, w.neurons())?;
    let mut out = vec![T::ZERO; mn];
    crate::dense_packed_prefix(&row_major(&x), w, bias, &mut out, m, activation).map_err(|e| {
        ShapeError {
            function: "nd::dense_packed",
            ..e
        }
    })?;
    Ok(from_row_major(Ix2(m, w.neurons()), out))
}

/// [`crate::matmul`]: `a · b` for `a` (`m x k`) and `b` (`k x n`).
///
/// ```
/// use ndarray::array;
/// let a = array![[1.0f32, 2.0], [3.0, 4.0]];
/// let c = nn_kernels::nd::matmul(a.view(), a.t())?; // a · aᵀ, b transposed: copied
/// assert_eq!(c, array![[5.0, 11.0], [11.0, 25.0]]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
///
/// # Errors
/// [`ShapeError`] if the inner dims differ.
pub fn matmul<T: Float>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
) -> Result<Array2<T>, ShapeError> {
    let ((m, k), (kb, n)) = (a.dim(), b.dim());
    ShapeError::check_len("nd::matmul", "b rows", k, kb)?;
    let mn = ShapeError::checked_mul("nd::matmul", "m * n", m, n)?;
    let mut out = vec![T::ZERO; mn];
    crate::matmul(&row_major(&a), &row_major(&b), &mut out, m, k, n).map_err(|e| ShapeError {
        function: "nd::matmul",
        ..e
    })?;
    Ok(from_row_major(Ix2(m, n), out))
}

/// [`crate::relu`] of an array of any dimension.
///
/// ```
/// use ndarray::array;
/// assert_eq!(nn_kernels::nd::relu(array![[-1.0f32, 2.0]].view()), array![[0.0, 2.0]]);
/// ```
pub fn relu<T: Float, D: Dimension>(x: ArrayView<'_, T, D>) -> Array<T, D> {
    let mut out = row_major(&x).into_owned();
    crate::relu_inplace(&mut out);
    from_row_major(x.raw_dim(), out)
}

/// [`crate::relu_inplace`] on a view of any dimension and layout.
///
/// ```
/// use ndarray::array;
/// let mut a = array![[-1.0f32, 2.0], [3.0, -4.0]];
/// nn_kernels::nd::relu_inplace(a.view_mut().reversed_axes()); // column-major: copied, written back
/// assert_eq!(a, array![[0.0, 2.0], [3.0, 0.0]]);
/// ```
pub fn relu_inplace<T: Float, D: Dimension>(x: ArrayViewMut<'_, T, D>) {
    with_row_major_mut(x, crate::relu_inplace);
}

/// [`crate::softmax_rows`] of every row of `x`: same special values, same
/// bounds.
///
/// ```
/// use ndarray::array;
/// let p = nn_kernels::nd::softmax_rows(array![[0.0f64, 0.0], [1.0, 1.0]].view());
/// assert_eq!(p, array![[0.5, 0.5], [0.5, 0.5]]);
/// ```
pub fn softmax_rows<T: Float>(x: ArrayView2<'_, T>) -> Array2<T> {
    let mut out = row_major(&x).into_owned();
    crate::softmax_rows_inplace(&mut out, x.ncols()).expect("an array's rows are whole");
    from_row_major(x.raw_dim(), out)
}

/// [`crate::softmax_rows_inplace`] on a view of any layout.
///
/// ```
/// use ndarray::array;
/// let mut a = array![[0.0f32, 0.0], [5.0, 5.0]];
/// nn_kernels::nd::softmax_rows_inplace(a.view_mut());
/// assert_eq!(a, array![[0.5, 0.5], [0.5, 0.5]]);
/// ```
pub fn softmax_rows_inplace<T: Float>(x: ArrayViewMut<'_, T, Ix2>) {
    let cols = x.ncols();
    with_row_major_mut(x, |s| {
        crate::softmax_rows_inplace(s, cols).expect("an array's rows are whole")
    });
}

/// [`crate::log_softmax_rows`] of every row of `x`.
///
/// ```
/// use ndarray::array;
/// let y = nn_kernels::nd::log_softmax_rows(array![[0.0f64, 0.0]].view());
/// assert!(y.iter().all(|v| (v + std::f64::consts::LN_2).abs() < 1e-15));
/// ```
pub fn log_softmax_rows<T: Float>(x: ArrayView2<'_, T>) -> Array2<T> {
    let mut out = row_major(&x).into_owned();
    crate::log_softmax_rows_inplace(&mut out, x.ncols()).expect("an array's rows are whole");
    from_row_major(x.raw_dim(), out)
}

/// [`crate::argmax_rows`]: the index of each row's maximum (NumPy's
/// `argmax(axis=1)`).
///
/// ```
/// use ndarray::array;
/// let i = nn_kernels::nd::argmax_rows(array![[0.1f32, 0.7, 0.2], [0.5, 0.2, 0.3]].view())?;
/// assert_eq!(i, array![1, 0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
///
/// # Errors
/// [`ShapeError`] if `x` has rows but no columns (no row has a maximum).
pub fn argmax_rows<T: Float>(x: ArrayView2<'_, T>) -> Result<Array1<usize>, ShapeError> {
    if x.ncols() == 0 && x.nrows() > 0 {
        // Each row needs at least one column to have a maximum.
        return Err(ShapeError::new(
            "nd::argmax_rows",
            "x columns",
            crate::ShapeErrorKind::TooShort {
                needed: 1,
                actual: 0,
            },
        ));
    }
    let mut out = vec![0; x.nrows()];
    crate::argmax_rows(&row_major(&x), &mut out, x.ncols()).map_err(|e| ShapeError {
        function: "nd::argmax_rows",
        ..e
    })?;
    Ok(Array1::from(out))
}
