//! The dense (fully connected) layer: `out = x · w + bias`, optionally
//! followed by ReLU in the same call, and the [`Dense`] layer type that owns
//! its weights as the chapter's `Layer_Dense` does.

use crate::activation::Activation;
use crate::dispatch::{Isa, Supported};
use crate::error::ShapeError;
use crate::float::Float;
use crate::gemm::{Epilogue, Weights, check_dims, gemm, pack_weights};
use crate::rng::GaussianSource;

/// A dense layer's forward pass: `out = activation(x · w + bias)`.
///
/// `x` is `m x k` (a batch of `m` samples of `k` inputs), `w` is `k x n`
/// (inputs x neurons, the chapter's layout), `bias` has `n` elements and `out`
/// is `m x n`, all row-major. `out` is only written: the bias is stored first
/// and the product accumulated onto it, so whatever `out` held cannot leak in.
/// `k == 0` gives `out = activation(bias)` in every row.
///
/// The bias initialises the kernel's accumulators and ReLU is applied to each
/// output tile before it is stored, so `Activation::Relu` costs no extra
/// pass over `out`. On the AVX2 and AVX-512 tiers each element is one chain
/// of fused multiply-adds in `k` order from its bias
/// ([`reference::dense_fma_chain`](crate::reference::dense_fma_chain) gives
/// the same bits), whatever the thread count. For weights used for many
/// calls, [`PackedWeights`] (or [`Dense::prepare`]) packs them once.
///
/// A call allocates nothing once its thread has run one product of that
/// size: the packing buffers are per thread and kept (at most a few MiB:
/// `KC` rows of X's `MC` block and of W's `NC` block). The exception is the
/// portable tier on x86-64, whose products above a few thousand
/// multiply-adds run `matrixmultiply` (faster there: its own AVX kernels),
/// which allocates its packing buffers on every call and rounds as it
/// chooses.
///
/// # Errors
/// [`ShapeError`] if a product of dims overflows `usize` or a slice length
/// does not match its dims.
///
/// ```
/// use nn_kernels::{dense, Activation};
/// let x = [1.0f64, 2.0];                 // one sample, 2 inputs
/// let w = [1.0, -1.0, 0.5, -0.5, 0.0, 3.0]; // 2 x 3
/// let bias = [0.0, 0.0, -1.0];
/// let mut out = [0.0; 3];
/// dense(&x, &w, &bias, &mut out, 1, 2, 3, Activation::Relu)?;
/// assert_eq!(out, [0.0, 0.0, 5.5]); // [0, -1, 5.5] through ReLU
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
#[allow(clippy::too_many_arguments)] // the slice API: three operands, a bias and the dims
pub fn dense<T: Float>(
    x: &[T],
    w: &[T],
    bias: &[T],
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
    activation: Activation,
) -> Result<(), ShapeError> {
    dense_with_isa(
        crate::dispatch::selected(),
        x,
        w,
        bias,
        out,
        (m, k, n),
        activation,
    )
}

/// [`dense`] on a given tier (for tests and benches).
#[doc(hidden)]
pub fn dense_with_isa<T: Float>(
    isa: Supported,
    x: &[T],
    w: &[T],
    bias: &[T],
    out: &mut [T],
    (m, k, n): (usize, usize, usize),
    activation: Activation,
) -> Result<(), ShapeError> {
    check_dims("dense", ["x", "w"], x, w, out, m, k, n)?;
    ShapeError::check_len("dense", "bias", n, bias.len())?;
    let ep = Epilogue {
        bias: Some(bias),
        act: activation,
    };
    gemm(isa, x, Weights::RowMajor(w), ep, out, (m, k, n));
    Ok(())
}

/// Weights (`k x n`, row-major) packed once into the layout the kernel of
/// one tier reads, for repeated [`dense_packed`] calls: the common inference
/// case, where the weights are fixed and the batch changes.
///
/// Packing costs one copy of the weights (padded to the tile width); each
/// call then skips the per-call packing of W. Results are bitwise the same
/// as [`dense`] on the same tier.
///
/// ```
/// use nn_kernels::{dense, dense_packed, Activation, PackedWeights};
/// let (k, n) = (3, 2);
/// let w = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let packed = PackedWeights::new(&w, k, n)?;
/// let (x, bias) = ([1.0, 1.0, 1.0], [0.5, -0.5]);
/// let mut out = [0.0; 2];
/// dense_packed(&x, &packed, &bias, &mut out, Activation::Identity)?;
/// assert_eq!(out, [9.5, 11.5]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
/// Equal when packed for the same tier from the same weights, whatever
/// layout they came in: the packed data are compared.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedWeights<T: Float> {
    isa: Supported,
    k: usize,
    n: usize,
    /// The padded width of the packed layout; 0 when `data` is W itself,
    /// row-major (the portable tier, and weights every product reads in
    /// place: small, or one panel of columns that fits half of L2).
    n_pad: usize,
    data: Vec<T>,
}

impl<T: Float> PackedWeights<T> {
    /// Packs `w` (`k x n`, row-major) for the selected tier
    /// ([`crate::selected_isa`]).
    ///
    /// # Errors
    /// [`ShapeError`] if `k · n` overflows or `w.len() != k · n`.
    ///
    /// # Panics
    /// If the packed copy (`k` times `n` rounded up to the tile width) needs
    /// more than `isize::MAX` bytes, as any `Vec` of that length would.
    ///
    /// ```
    /// use nn_kernels::PackedWeights;
    /// let p = PackedWeights::new(&[0.0f32; 6], 3, 2)?;
    /// assert_eq!((p.k(), p.n()), (3, 2));
    /// assert!(PackedWeights::new(&[0.0f32; 5], 3, 2).is_err()); // not 3 x 2
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn new(w: &[T], k: usize, n: usize) -> Result<Self, ShapeError> {
        Self::new_with_isa(crate::dispatch::selected(), w, k, n)
    }

    /// [`PackedWeights::new`] for a given tier (for tests and benches).
    #[doc(hidden)]
    pub fn new_with_isa(isa: Supported, w: &[T], k: usize, n: usize) -> Result<Self, ShapeError> {
        Self::with_layout_and_isa(isa, w, k, n, WeightLayout::InputsByNeurons)
    }

    /// Packs `w`, `k` inputs by `n` neurons stored as `layout` says, for
    /// the selected tier: weights exported from PyTorch (`nn.Linear.weight`)
    /// or ONNX (`Gemm` with `transB = 1`) are `n x k`
    /// ([`WeightLayout::NeuronsByInputs`]) and need no transpose by the
    /// caller. The packed result, and every [`dense_packed`] call with it,
    /// is the same whatever the layout: the same speed and the same bits.
    /// Packing from `n x k` takes one more copy of the weights, once.
    ///
    /// # Errors
    /// As [`PackedWeights::new`].
    ///
    /// ```
    /// use nn_kernels::{dense_packed, Activation, PackedWeights, WeightLayout};
    /// // Two neurons of three inputs, one row per neuron (PyTorch's layout).
    /// let w_out_in = [1.0f32, 3.0, 5.0, 2.0, 4.0, 6.0];
    /// let packed = PackedWeights::with_layout(&w_out_in, 3, 2, WeightLayout::NeuronsByInputs)?;
    /// let mut out = [0.0; 2];
    /// dense_packed(&[1.0, 1.0, 1.0], &packed, &[0.5, -0.5], &mut out, Activation::Identity)?;
    /// assert_eq!(out, [9.5, 11.5]);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn with_layout(
        w: &[T],
        k: usize,
        n: usize,
        layout: WeightLayout,
    ) -> Result<Self, ShapeError> {
        Self::with_layout_and_isa(crate::dispatch::selected(), w, k, n, layout)
    }

    /// [`PackedWeights::with_layout`] for a given tier (for tests and
    /// benches).
    #[doc(hidden)]
    pub fn with_layout_and_isa(
        isa: Supported,
        w: &[T],
        k: usize,
        n: usize,
        layout: WeightLayout,
    ) -> Result<Self, ShapeError> {
        let kn = ShapeError::checked_mul("PackedWeights::new", "k * n", k, n)?;
        ShapeError::check_len("PackedWeights::new", "w", kn, w.len())?;
        let (data, n_pad) = match layout {
            WeightLayout::InputsByNeurons => pack_weights(isa, w, k, n),
            WeightLayout::NeuronsByInputs => pack_weights(isa, &transpose(w, n, k), k, n),
        };
        Ok(PackedWeights {
            isa,
            k,
            n,
            n_pad,
            data,
        })
    }

    /// Rows of the weights (inputs per sample).
    ///
    /// ```
    /// let p = nn_kernels::PackedWeights::new(&[0.0f64; 12], 4, 3)?;
    /// assert_eq!(p.k(), 4);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn k(&self) -> usize {
        self.k
    }

    /// Columns of the weights (outputs per sample).
    ///
    /// ```
    /// let p = nn_kernels::PackedWeights::new(&[0.0f64; 12], 4, 3)?;
    /// assert_eq!(p.n(), 3);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn n(&self) -> usize {
        self.n
    }

    /// The tier the weights were packed for, which [`dense_packed`] runs on.
    ///
    /// ```
    /// let p = nn_kernels::PackedWeights::new(&[0.0f32; 4], 2, 2)?;
    /// assert_eq!(p.isa(), nn_kernels::selected_isa());
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn isa(&self) -> Isa {
        self.isa.isa()
    }
}

/// How a weight matrix of `k` inputs by `n` neurons lies in memory.
///
/// ```
/// use nn_kernels::{Activation, PackedWeights, WeightLayout, dense_packed};
/// // Input 0 feeds (1, 2) to the two neurons, input 1 feeds (3, 4): the
/// // same weights as inputs x neurons and as neurons x inputs.
/// let a = PackedWeights::with_layout(&[1.0f32, 2.0, 3.0, 4.0], 2, 2, WeightLayout::InputsByNeurons)?;
/// let b = PackedWeights::with_layout(&[1.0f32, 3.0, 2.0, 4.0], 2, 2, WeightLayout::NeuronsByInputs)?;
/// let (mut ya, mut yb) = ([0.0; 2], [0.0; 2]);
/// dense_packed(&[1.0, 10.0], &a, &[0.0; 2], &mut ya, Activation::Identity)?;
/// dense_packed(&[1.0, 10.0], &b, &[0.0; 2], &mut yb, Activation::Identity)?;
/// assert_eq!(ya, [31.0, 42.0]);
/// assert_eq!(ya, yb);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightLayout {
    /// `k x n`, row-major: row `i` holds input `i`'s weight for every
    /// neuron. The chapter's (`inputs . weights`), NumPy's and the crate's
    /// own layout.
    InputsByNeurons,
    /// `n x k`, row-major: row `j` holds neuron `j`'s weights. PyTorch's
    /// `nn.Linear.weight` and ONNX `Gemm` with `transB = 1`.
    NeuronsByInputs,
}

/// `a` (`rows x cols`, row-major) transposed, `cols x rows`, in tiles of
/// 32 x 32 so both sides are read and written a few cache lines at a time.
fn transpose<T: Float>(a: &[T], rows: usize, cols: usize) -> Vec<T> {
    const TILE: usize = 32;
    let mut t = vec![T::ZERO; a.len()];
    for r0 in (0..rows).step_by(TILE) {
        for c0 in (0..cols).step_by(TILE) {
            for r in r0..rows.min(r0 + TILE) {
                for c in c0..cols.min(c0 + TILE) {
                    t[c * rows + r] = a[r * cols + c];
                }
            }
        }
    }
    t
}

/// [`dense`] with weights packed by [`PackedWeights`]: `out =
/// activation(x · w + bias)` for a batch `x` of `m` samples of `w.k()`
/// inputs (`m` is `x.len() / w.k()`), `bias` of `w.n()` and `out` of
/// `m x w.n()`, on the tier `w` was packed for. The same bits as [`dense`]
/// on that tier. For buffers longer than the batch (scratch sized for the
/// largest batch), see [`dense_packed_prefix`].
///
/// The inference path: pack once, then call per batch.
/// ```
/// use nn_kernels::{Activation, PackedWeights, WeightLayout, dense_packed};
/// // A layer of 3 inputs and 2 neurons, weights as PyTorch stores them
/// // (neurons x inputs).
/// let w = [1.0f32, 0.0, -1.0, /**/ 0.5, 0.5, 0.5];
/// let packed = PackedWeights::with_layout(&w, 3, 2, WeightLayout::NeuronsByInputs)?;
/// let bias = [0.0, 1.0];
/// let x = [1.0, 2.0, 3.0, /**/ 0.0, 0.0, 0.0]; // two samples
/// let mut out = [0.0; 4];
/// dense_packed(&x, &packed, &bias, &mut out, Activation::Relu)?;
/// assert_eq!(out, [0.0, 4.0, /**/ 0.0, 1.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
///
/// # Errors
/// [`ShapeError`] if `x.len()` is not a multiple of `w.k()`, `bias` does
/// not have `w.n()` elements or `out` does not have `m * w.n()`. A layer of
/// no inputs (`w.k() == 0`) takes an empty `x` and its batch size from
/// `out.len() / w.n()`.
pub fn dense_packed<T: Float>(
    x: &[T],
    w: &PackedWeights<T>,
    bias: &[T],
    out: &mut [T],
    activation: Activation,
) -> Result<(), ShapeError> {
    const F: &str = "dense_packed";
    let m = batch_rows(F, x.len(), out.len(), w.k, w.n)?;
    let mn = ShapeError::checked_mul(F, "m * n", m, w.n)?;
    ShapeError::check_len(F, "out", mn, out.len())?;
    packed_gemm(F, x, w, bias, out, m, activation)
}

/// The batch size of `x` (`x_len` elements) for a layer of `k` inputs and
/// `n` outputs: from whichever side has a non-zero row length, so a layer
/// of no inputs takes an empty `x` and its batch size from `out`.
fn batch_rows(
    function: &'static str,
    x_len: usize,
    out_len: usize,
    k: usize,
    n: usize,
) -> Result<usize, ShapeError> {
    if k > 0 {
        ShapeError::rows(function, "x", x_len, k)
    } else {
        ShapeError::check_len(function, "x", 0, x_len)?;
        ShapeError::rows(function, "out", out_len, n)
    }
}

/// [`dense_packed`] on the first `rows` samples of `x` into the first
/// `rows x w.n()` elements of `out`, which it returns; the rest of both is
/// left alone. For buffers sized once for the largest batch and reused for
/// every smaller one.
///
/// ```
/// use nn_kernels::{Activation, PackedWeights, dense_packed_prefix};
/// let w1 = PackedWeights::new(&[1.0f32, -1.0], 1, 2)?; // 1 input, 2 neurons
/// let w2 = PackedWeights::new(&[1.0f32, 1.0], 2, 1)?; // 2 inputs, 1 neuron
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
/// [`ShapeError`] if `x` has fewer than `rows * w.k()` elements or `out`
/// fewer than `rows * w.n()` (kind [`TooShort`](crate::ShapeErrorKind::TooShort)),
/// `bias` does not have `w.n()`, or a product overflows.
pub fn dense_packed_prefix<'o, T: Float>(
    x: &[T],
    w: &PackedWeights<T>,
    bias: &[T],
    out: &'o mut [T],
    rows: usize,
    activation: Activation,
) -> Result<&'o mut [T], ShapeError> {
    const F: &str = "dense_packed_prefix";
    let mk = ShapeError::checked_mul(F, "rows * k", rows, w.k)?;
    let mn = ShapeError::checked_mul(F, "rows * n", rows, w.n)?;
    ShapeError::check_at_least(F, "x", mk, x.len())?;
    ShapeError::check_at_least(F, "out", mn, out.len())?;
    let out = &mut out[..mn];
    packed_gemm(F, &x[..mk], w, bias, out, rows, activation)?;
    Ok(out)
}

/// The packed product once `x` (`m x k`) and `out` (`m x n`) are known to
/// fit; checks the bias.
fn packed_gemm<T: Float>(
    function: &'static str,
    x: &[T],
    w: &PackedWeights<T>,
    bias: &[T],
    out: &mut [T],
    m: usize,
    activation: Activation,
) -> Result<(), ShapeError> {
    ShapeError::check_len(function, "bias", w.n, bias.len())?;
    let ep = Epilogue {
        bias: Some(bias),
        act: activation,
    };
    let weights = match w.n_pad {
        0 => Weights::RowMajor(&w.data),
        n_pad => Weights::Packed(&w.data, n_pad),
    };
    gemm(w.isa, x, weights, ep, out, (m, w.k, w.n));
    Ok(())
}

/// A dense layer: `inputs x neurons` weights and `neurons` biases, row-major,
/// as the chapter's `Layer_Dense`.
///
/// ```
/// use nn_kernels::{Dense, rng::NumpyRandomState};
/// let mut rng = NumpyRandomState::new(0);
/// let layer = Dense::<f64>::new(2, 3, &mut rng); // 0.01 * np.random.randn(2, 3)
/// assert_eq!(layer.weights()[0], 0.01 * 1.764052345967664);
/// let x = [1.0, 0.0, 0.0, 1.0]; // two samples
/// let mut out = [0.0; 6];
/// layer.forward(&x, &mut out)?;
/// assert_eq!(&out[..3], &layer.weights()[..3]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Dense<T: Float> {
    inputs: usize,
    neurons: usize,
    weights: Vec<T>,
    biases: Vec<T>,
    /// The weights packed by [`Dense::prepare`]; dropped whenever the
    /// weights are handed out writable.
    packed: Option<PackedWeights<T>>,
}

/// Layers are equal when their dims, weights and biases are; whether either
/// is [prepared](Dense::prepare) does not matter (the results are the same).
impl<T: Float> PartialEq for Dense<T> {
    fn eq(&self, o: &Self) -> bool {
        (self.inputs, self.neurons) == (o.inputs, o.neurons)
            && self.weights == o.weights
            && self.biases == o.biases
    }
}

impl<T: Float> Dense<T> {
    /// A layer with weights `0.01 * N(0, 1)` drawn in row-major
    /// (`inputs x neurons`) order and zero biases, as the chapter's
    /// `Layer_Dense(inputs, neurons)`. With `rng::NumpyRandomState`
    /// the weights are NumPy's, bit for bit (for `f64`).
    ///
    /// # Panics
    /// If `inputs * neurons` overflows `usize`, or the weights or biases
    /// cannot be allocated (more than `isize::MAX` bytes, or the allocator
    /// refuses). [`Dense::try_new`] returns those as errors instead.
    ///
    /// ```
    /// use nn_kernels::{Dense, rng::default_rng};
    /// let layer = Dense::<f32>::new(2, 3, &mut default_rng(0));
    /// assert_eq!((layer.inputs(), layer.neurons()), (2, 3));
    /// assert!(layer.weights().iter().all(|w| *w != 0.0 && w.abs() < 0.1)); // 0.01 * N(0, 1)
    /// assert_eq!(layer.biases(), [0.0; 3]);
    /// ```
    pub fn new<R: GaussianSource + ?Sized>(inputs: usize, neurons: usize, rng: &mut R) -> Self {
        match Self::try_new(inputs, neurons, rng) {
            Ok(layer) => layer,
            Err(e) => panic!("{e}"),
        }
    }

    /// [`Dense::new`], with an overflowing shape or a failed allocation
    /// returned as an error: the weights and biases are allocated before
    /// any weight is drawn, so on error `rng` is untouched.
    ///
    /// # Errors
    /// [`ShapeError`] of kind [`Overflow`](crate::ShapeErrorKind::Overflow)
    /// if `inputs * neurons` overflows `usize`, or
    /// [`Allocation`](crate::ShapeErrorKind::Allocation) if a buffer cannot
    /// be allocated.
    ///
    /// ```
    /// use nn_kernels::{Dense, ShapeErrorKind, rng::NumpyRandomState};
    /// let mut rng = NumpyRandomState::new(0);
    /// let layer = Dense::<f32>::try_new(784, 128, &mut rng)?;
    /// assert_eq!(layer.weights().len(), 784 * 128);
    /// // 2^62 f32 weights: 16 EiB, more than any allocator gives.
    /// let err = Dense::<f32>::try_new(1 << 31, 1 << 31, &mut rng).unwrap_err();
    /// assert!(matches!(err.kind, ShapeErrorKind::Allocation { .. }));
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn try_new<R: GaussianSource + ?Sized>(
        inputs: usize,
        neurons: usize,
        rng: &mut R,
    ) -> Result<Self, ShapeError> {
        const F: &str = "Dense::try_new";
        let len = ShapeError::checked_mul(F, "inputs * neurons", inputs, neurons)?;
        let mut weights = ShapeError::try_zeroed::<T>(F, "weights", len)?;
        let biases = ShapeError::try_zeroed::<T>(F, "biases", neurons)?;
        for w in &mut weights {
            *w = T::from_f64(0.01 * rng.next_gaussian());
        }
        Ok(Dense {
            inputs,
            neurons,
            weights,
            biases,
            packed: None,
        })
    }

    /// A layer from weights laid out as `layout` says (see [`WeightLayout`]:
    /// `neurons x inputs` is PyTorch's and ONNX's) and biases. The layer
    /// keeps its weights `inputs x neurons`, so `n x k` weights are
    /// transposed once, here.
    ///
    /// # Errors
    /// As [`Dense::from_parts`].
    ///
    /// ```
    /// use nn_kernels::{Dense, WeightLayout};
    /// let w_out_in = vec![1.0f32, 3.0, 5.0, 2.0, 4.0, 6.0]; // 2 neurons x 3 inputs
    /// let layer = Dense::from_parts_with_layout(3, 2, &w_out_in, vec![0.0; 2], WeightLayout::NeuronsByInputs)?;
    /// assert_eq!(layer.weights(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn from_parts_with_layout(
        inputs: usize,
        neurons: usize,
        weights: &[T],
        biases: Vec<T>,
        layout: WeightLayout,
    ) -> Result<Self, ShapeError> {
        let len = ShapeError::checked_mul(
            "Dense::from_parts_with_layout",
            "inputs * neurons",
            inputs,
            neurons,
        )?;
        ShapeError::check_len(
            "Dense::from_parts_with_layout",
            "weights",
            len,
            weights.len(),
        )?;
        let weights = match layout {
            WeightLayout::InputsByNeurons => weights.to_vec(),
            WeightLayout::NeuronsByInputs => transpose(weights, neurons, inputs),
        };
        Self::from_parts(inputs, neurons, weights, biases)
    }

    /// A layer from given weights (`inputs x neurons`, row-major) and biases.
    ///
    /// # Errors
    /// [`ShapeError`] if the lengths do not match the dims.
    ///
    /// ```
    /// use nn_kernels::Dense;
    /// let layer = Dense::from_parts(2, 1, vec![2.0f32, -1.0], vec![0.5])?;
    /// let mut out = [0.0; 1];
    /// layer.forward(&[3.0, 4.0], &mut out)?;
    /// assert_eq!(out, [2.5]); // 3 * 2 + 4 * -1 + 0.5
    /// assert!(Dense::from_parts(2, 1, vec![2.0f32], vec![0.5]).is_err()); // one weight short
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn from_parts(
        inputs: usize,
        neurons: usize,
        weights: Vec<T>,
        biases: Vec<T>,
    ) -> Result<Self, ShapeError> {
        let len =
            ShapeError::checked_mul("Dense::from_parts", "inputs * neurons", inputs, neurons)?;
        ShapeError::check_len("Dense::from_parts", "weights", len, weights.len())?;
        ShapeError::check_len("Dense::from_parts", "biases", neurons, biases.len())?;
        Ok(Dense {
            inputs,
            neurons,
            weights,
            biases,
            packed: None,
        })
    }

    /// Number of inputs per sample (rows of the weights).
    ///
    /// ```
    /// let layer = nn_kernels::Dense::from_parts(3, 2, vec![0.0f32; 6], vec![0.0; 2])?;
    /// assert_eq!(layer.inputs(), 3);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Number of neurons (outputs per sample, columns of the weights).
    ///
    /// ```
    /// let layer = nn_kernels::Dense::from_parts(3, 2, vec![0.0f32; 6], vec![0.0; 2])?;
    /// assert_eq!(layer.neurons(), 2);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn neurons(&self) -> usize {
        self.neurons
    }

    /// The weights, `inputs x neurons`, row-major.
    ///
    /// ```
    /// let layer = nn_kernels::Dense::from_parts(2, 2, vec![1.0f64, 2.0, 3.0, 4.0], vec![0.0; 2])?;
    /// assert_eq!(layer.weights()[1], 2.0); // input 0's weight for neuron 1
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn weights(&self) -> &[T] {
        &self.weights
    }

    /// The weights, writable. Drops the packed copy [`Dense::prepare`] made,
    /// since it could go stale.
    ///
    /// ```
    /// let mut layer = nn_kernels::Dense::from_parts(1, 2, vec![1.0f32, 2.0], vec![0.0; 2])?;
    /// layer.prepare();
    /// layer.weights_mut()[0] = 5.0;
    /// assert!(!layer.is_prepared()); // the packed copy is dropped
    /// let mut out = [0.0; 2];
    /// layer.forward(&[1.0], &mut out)?;
    /// assert_eq!(out, [5.0, 2.0]);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn weights_mut(&mut self) -> &mut [T] {
        self.packed = None;
        &mut self.weights
    }

    /// Packs the weights once ([`PackedWeights`]) so later forward calls
    /// skip packing them: for a layer used for many batches. Results are
    /// unchanged, bit for bit. [`Dense::weights_mut`] undoes it.
    ///
    /// ```
    /// use nn_kernels::{Dense, rng::default_rng};
    /// let mut layer = Dense::<f32>::new(784, 128, &mut default_rng(0));
    /// let x = vec![0.5; 4 * 784];
    /// let (mut a, mut b) = (vec![0.0; 4 * 128], vec![0.0; 4 * 128]);
    /// layer.forward(&x, &mut a)?;
    /// layer.prepare();
    /// assert!(layer.is_prepared());
    /// layer.forward(&x, &mut b)?;
    /// assert_eq!(a, b);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn prepare(&mut self) {
        let packed = PackedWeights::new(&self.weights, self.inputs, self.neurons)
            .expect("a layer's weights match its dims");
        self.packed = Some(packed);
    }

    /// Whether [`Dense::prepare`] packed the current weights.
    ///
    /// ```
    /// let mut layer = nn_kernels::Dense::from_parts(1, 1, vec![1.0f32], vec![0.0])?;
    /// assert!(!layer.is_prepared());
    /// layer.prepare();
    /// assert!(layer.is_prepared());
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn is_prepared(&self) -> bool {
        self.packed.is_some()
    }

    /// The biases, one per neuron.
    ///
    /// ```
    /// let layer = nn_kernels::Dense::from_parts(1, 2, vec![0.0f32; 2], vec![0.5, -0.5])?;
    /// assert_eq!(layer.biases(), [0.5, -0.5]);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn biases(&self) -> &[T] {
        &self.biases
    }

    /// The biases, writable.
    ///
    /// ```
    /// let mut layer = nn_kernels::Dense::from_parts(1, 1, vec![2.0f32], vec![0.0])?;
    /// layer.biases_mut()[0] = 1.0;
    /// let mut out = [0.0];
    /// layer.forward(&[3.0], &mut out)?;
    /// assert_eq!(out, [7.0]);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn biases_mut(&mut self) -> &mut [T] {
        &mut self.biases
    }

    /// `out = x · weights + biases` for a batch `x` of `m` samples
    /// (`x.len() == m * inputs`, `out.len() == m * neurons`).
    ///
    /// # Errors
    /// [`ShapeError`] if `x` is not whole samples or `out` does not fit.
    ///
    /// ```
    /// use nn_kernels::Dense;
    /// let layer = Dense::from_parts(2, 2, vec![1.0f32, 0.0, 0.0, 1.0], vec![0.0, 1.0])?;
    /// let x = [1.0, 2.0, /**/ 3.0, 4.0]; // two samples
    /// let mut out = [0.0; 4];
    /// layer.forward(&x, &mut out)?;
    /// assert_eq!(out, [1.0, 3.0, /**/ 3.0, 5.0]);
    /// assert!(layer.forward(&x[..3], &mut out).is_err()); // not whole samples
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn forward(&self, x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
        self.forward_with(x, out, Activation::Identity)
    }

    /// [`Dense::forward`] with an activation applied in the same call.
    ///
    /// # Errors
    /// As [`Dense::forward`].
    ///
    /// ```
    /// use nn_kernels::{Activation, Dense};
    /// let layer = Dense::from_parts(1, 2, vec![1.0f32, -1.0], vec![0.0; 2])?;
    /// let mut out = [0.0; 2];
    /// layer.forward_with(&[2.0], &mut out, Activation::Relu)?;
    /// assert_eq!(out, [2.0, 0.0]);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn forward_with(
        &self,
        x: &[T],
        out: &mut [T],
        activation: Activation,
    ) -> Result<(), ShapeError> {
        let m = batch_rows(
            "Dense::forward",
            x.len(),
            out.len(),
            self.inputs,
            self.neurons,
        )?;
        match &self.packed {
            Some(packed) => dense_packed(x, packed, &self.biases, out, activation),
            None => dense(
                x,
                &self.weights,
                &self.biases,
                out,
                m,
                self.inputs,
                self.neurons,
                activation,
            ),
        }
        .map_err(|e| ShapeError {
            function: "Dense::forward",
            ..e
        })
    }
}
