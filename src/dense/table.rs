//! The dense family's table: its ops ([`GemmOp`], whose names are their
//! errors' `function`), their public functions, and the per-type entry
//! points compiled here (`GemmEntry`); the drivers behind them (shape
//! checks, then the product in `crate::gemm`) are in `drive.rs`.

use super::drive::{
    copy_inputs_by_neurons, drive_dense, drive_dense_shares, drive_matmul, drive_pack,
    drive_packed, drive_portable_blis, drive_tile_dims,
};
use super::weights::{PackedRef, PackedWeights, Weights, unpack};
use crate::activation::Activation;
use crate::dispatch::Supported;
use crate::error::ShapeError;
use crate::float::Float;
use crate::gemm;
use crate::kind::{entry_points, per_type};

/// The table: each line an op and its public function; stamps out
/// [`GemmOp`] and its names.
macro_rules! gemm_ops {
    ($($(#[doc = $doc:literal])* $op:ident = $f:ident;)*) => {
        /// A dense-family op: one line of the table in `src/dense/table.rs`.
        #[cfg_attr(not(feature = "internals"), allow(dead_code))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum GemmOp {
            $($(#[doc = $doc])* $op,)*
        }

        #[cfg_attr(not(feature = "internals"), allow(dead_code))]
        impl GemmOp {
            /// Every op.
            pub const ALL: &[GemmOp] = &[$(GemmOp::$op),*];

            /// The public function's name, as errors give it.
            pub fn name(self) -> &'static str {
                match self {
                    $(GemmOp::$op => stringify!($f),)*
                }
            }
        }
    };
}

gemm_ops! {
    /// [`matmul`]: `a · b`.
    Matmul = matmul;
    /// [`dense`]: weights read in place.
    Dense = dense;
    /// [`dense_packed`]: weights packed once.
    DensePacked = dense_packed;
    /// [`dense_packed_prefix`]: the first rows of longer buffers.
    DensePackedPrefix = dense_packed_prefix;
}

/// `out = a · b` for row-major `a` (`m x k`), `b` (`k x n`) and `out`
/// (`m x n`).
///
/// `out` is only written, never read, so it may hold anything (NaN, garbage
/// from an earlier call). `k == 0` gives all zeros; `m == 0` or `n == 0` does
/// nothing.
///
/// # Errors
/// [`ShapeError`] if `m · k`, `k · n` or `m · n` overflows `usize`, or a slice
/// length does not match its dims.
///
/// ```
/// // [1 2 3]   [1 0]   [ 4  2]
/// // [4 5 6] · [0 1] = [10  5]
/// //           [1 0]
/// let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let b = [1.0f32, 0.0, 0.0, 1.0, 1.0, 0.0];
/// let mut out = [f32::NAN; 4];
/// nn_kernels::matmul(&a, &b, &mut out, 2, 3, 2)?;
/// assert_eq!(out, [4.0, 2.0, 10.0, 5.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn matmul<T: Float>(
    a: &[T],
    b: &[T],
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as GemmEntry>::matmul(
        None,
        same.slice(a),
        same.slice(b),
        same.slice_mut(out),
        (m, k, n)
    ))
}

/// A dense layer's forward pass: `out = activation(x · w + bias)`, for a
/// batch `x` of `m` samples of `w.inputs()` values (`m` is `x.len() /
/// w.inputs()`), `bias` of `w.neurons()` and `out` of `m x w.neurons()`,
/// all row-major.
///
/// `out` is only written: the bias is stored first and the product
/// accumulated onto it, so whatever `out` held cannot leak in. A layer of
/// no inputs (`w.inputs() == 0`) takes an empty `x`, its batch size from
/// `out.len() / w.neurons()`, and gives `out = activation(bias)`.
///
/// The bias initialises the kernel's accumulators and ReLU is applied to
/// each output tile before it is stored, so `Activation::Relu` costs no
/// extra pass over `out`. On the AVX2 and AVX-512 tiers each element is one
/// chain of fused multiply-adds in input order from its bias
/// ([`reference::dense_fma_chain`](crate::reference::dense_fma_chain)
/// gives the same bits), whatever the thread count. Weights given
/// `neurons x inputs` ([`Weights::neurons_by_inputs`]) are transposed into
/// a temporary on every call; for weights used for many calls,
/// [`PackedWeights`] packs them once.
///
/// A call allocates nothing once its thread has run one product of that
/// size (the packing buffers are per thread and kept: at most a few MiB),
/// but for that transpose, and on the portable tier on x86-64, whose
/// products above a few thousand multiply-adds run `matrixmultiply`
/// (faster there: its own AVX kernels), which allocates its packing
/// buffers on every call and rounds as it chooses.
///
/// # Errors
/// [`ShapeError`] if `x.len()` is not a multiple of `w.inputs()`, `out` does
/// not have `m * w.neurons()` elements or `bias` not `w.neurons()`.
///
/// ```
/// use nn_kernels::{Activation, Weights, dense};
/// let x = [1.0f64, 2.0]; // one sample, 2 inputs
/// let w = Weights::inputs_by_neurons(&[1.0, -1.0, 0.5, -0.5, 0.0, 3.0], 2, 3)?;
/// let mut out = [0.0; 3];
/// dense(&x, w, &[0.0, 0.0, -1.0], &mut out, Activation::Relu)?;
/// assert_eq!(out, [0.0, 0.0, 5.5]); // [0, -1, 5.5] through ReLU
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn dense<T: Float>(
    x: &[T],
    w: Weights<'_, T>,
    bias: &[T],
    out: &mut [T],
    activation: Activation,
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as GemmEntry>::dense(
        None,
        same.slice(x),
        w.retype(same),
        same.slice(bias),
        same.slice_mut(out),
        activation
    ))
}

/// [`dense`] with weights packed by [`PackedWeights`]: `out =
/// activation(x · w + bias)` for a batch `x` of `m` samples (`m` is
/// `x.len() / w.inputs()`), on the tier `w` was packed for. The same bits
/// as [`dense`] on that tier. For buffers longer than the batch (scratch
/// sized for the largest batch), see [`dense_packed_prefix`].
///
/// The inference path: pack once, then call per batch.
/// ```
/// use nn_kernels::{Activation, PackedWeights, Weights, dense_packed};
/// // A layer of 3 inputs and 2 neurons, weights as PyTorch stores them
/// // (neurons x inputs).
/// let w = [1.0f32, 0.0, -1.0, /**/ 0.5, 0.5, 0.5];
/// let packed = PackedWeights::new(Weights::neurons_by_inputs(&w, 2, 3)?)?;
/// let x = [1.0, 2.0, 3.0, /**/ 0.0, 0.0, 0.0]; // two samples
/// let mut out = [0.0; 4];
/// dense_packed(&x, &packed, &[0.0, 1.0], &mut out, Activation::Relu)?;
/// assert_eq!(out, [0.0, 4.0, /**/ 0.0, 1.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
///
/// # Errors
/// As [`dense`].
pub fn dense_packed<T: Float>(
    x: &[T],
    w: &PackedWeights<T>,
    bias: &[T],
    out: &mut [T],
    activation: Activation,
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as GemmEntry>::dense_packed(
        same.slice(x),
        &w.as_type(same),
        same.slice(bias),
        same.slice_mut(out),
        None,
        activation
    )
    .map(|_| ()))
}

/// [`dense_packed`] on the first `rows` samples of `x` into the first
/// `rows x w.neurons()` elements of `out`, which it returns; the rest of
/// both is left alone. For buffers sized once for the largest batch and
/// reused for every smaller one.
///
/// ```
/// use nn_kernels::{Activation, PackedWeights, Weights, dense_packed_prefix};
/// let w1 = PackedWeights::new(Weights::inputs_by_neurons(&[1.0f32, -1.0], 1, 2)?)?;
/// let w2 = PackedWeights::new(Weights::inputs_by_neurons(&[1.0f32, 1.0], 2, 1)?)?;
/// let (mut hidden, mut out) = (vec![0.0; 64 * 2], vec![0.0; 64]); // up to 64 samples
/// for batch in [&[3.0f32][..], &[-2.0, 5.0]] {
///     let h = dense_packed_prefix(batch, &w1, &[0.0, 0.0], &mut hidden, batch.len(), Activation::Relu)?;
///     let y = dense_packed_prefix(h, &w2, &[0.0], &mut out, batch.len(), Activation::Identity)?;
///     assert_eq!(y.len(), batch.len());
///     assert!(y.iter().zip(batch).all(|(y, x)| *y == x.abs()));
/// }
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
///
/// # Errors
/// [`ShapeError`] if `x` has fewer than `rows * w.inputs()` elements or
/// `out` fewer than `rows * w.neurons()` (kind
/// [`TooShort`](crate::ShapeErrorKind::TooShort)), `bias` does not have
/// `w.neurons()`, or a product overflows.
pub fn dense_packed_prefix<'o, T: Float>(
    x: &[T],
    w: &PackedWeights<T>,
    bias: &[T],
    out: &'o mut [T],
    rows: usize,
    activation: Activation,
) -> Result<&'o mut [T], ShapeError> {
    per_type!(T, |same, F| <F as GemmEntry>::dense_packed(
        same.slice(x),
        &w.as_type(same),
        same.slice(bias),
        same.slice_mut(out),
        Some(rows),
        activation
    )
    .map(|out| same.flip().slice_mut(out)))
}

entry_points! {
    /// The family's entry points, compiled here for `f32` and `f64`; `isa`
    /// `None` is the selected tier.
    pub(crate) trait GemmEntry {
        fn matmul(
            isa: Option<Supported>,
            a: &[Self],
            b: &[Self],
            out: &mut [Self],
            dims: (usize, usize, usize),
        ) -> Result<(), ShapeError> = drive_matmul;
        fn dense(
            isa: Option<Supported>,
            x: &[Self],
            w: Weights<'_, Self>,
            bias: &[Self],
            out: &mut [Self],
            act: Activation,
        ) -> Result<(), ShapeError> = drive_dense;
        fn dense_packed<'o>(
            x: &[Self],
            w: &PackedRef<'_, Self>,
            bias: &[Self],
            out: &'o mut [Self],
            rows: Option<usize>,
            act: Activation,
        ) -> Result<&'o mut [Self], ShapeError> = drive_packed;
        fn pack(isa: Option<Supported>, w: Weights<'_, Self>) -> Result<PackedWeights<Self>, ShapeError> = drive_pack;
        fn unpack(w: &PackedRef<'_, Self>) -> Vec<Self> = unpack;
        fn copy_inputs_by_neurons(w: Weights<'_, Self>) -> Vec<Self> = copy_inputs_by_neurons;
        #[cfg_attr(not(feature = "internals"), allow(dead_code))]
        fn dense_portable_blis(
            x: &[Self],
            w: Weights<'_, Self>,
            bias: &[Self],
            out: &mut [Self],
            act: Activation,
        ) -> Result<(), ShapeError> = drive_portable_blis;
        #[cfg_attr(not(feature = "internals"), allow(dead_code))]
        fn dense_shares(
            isa: Supported,
            shares: gemm::Shares,
            x: &[Self],
            w: Weights<'_, Self>,
            bias: &[Self],
            out: &mut [Self],
        ) -> Result<(), ShapeError> = drive_dense_shares;
        #[cfg_attr(not(feature = "internals"), allow(dead_code))]
        fn tile_dims(isa: Supported, shares: Option<gemm::Shares>) -> ([usize; 5], usize) = drive_tile_dims;
    }
}
