//! The dense (fully connected) layer: `out = x · w + bias`, optionally
//! followed by ReLU in the same call, and the [`Dense`] layer type that owns
//! its weights as the chapter's `Layer_Dense` does.

use crate::gemm::{check_dims, gemm};
use crate::rng::GaussianSource;
use crate::{Float, ShapeError};

/// The activation a [`dense`] call applies to its output before returning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// No activation: `out = x · w + bias`.
    #[default]
    Identity,
    /// ReLU: `out = max(0, x · w + bias)`, with [`crate::relu`]'s semantics.
    Relu,
}

/// A dense layer's forward pass: `out = activation(x · w + bias)`.
///
/// `x` is `m x k` (a batch of `m` samples of `k` inputs), `w` is `k x n`
/// (inputs x neurons, the chapter's layout), `bias` has `n` elements and `out`
/// is `m x n`, all row-major. `out` is only written: the bias is stored first
/// and the product accumulated onto it, so whatever `out` held cannot leak in.
/// `k == 0` gives `out = activation(bias)` in every row.
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
    check_dims("dense", ["x", "w"], x, w, out, m, k, n)?;
    ShapeError::check_len("dense", "bias", n, bias.len())?;
    if n == 0 {
        return Ok(());
    }
    for row in out.chunks_exact_mut(n) {
        row.copy_from_slice(bias);
    }
    gemm(x, w, T::ONE, out, m, k, n);
    if activation == Activation::Relu {
        crate::relu_inplace(out);
    }
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
#[derive(Debug, Clone, PartialEq)]
pub struct Dense<T: Float> {
    inputs: usize,
    neurons: usize,
    weights: Vec<T>,
    biases: Vec<T>,
}

impl<T: Float> Dense<T> {
    /// A layer with weights `0.01 * N(0, 1)` drawn in row-major
    /// (`inputs x neurons`) order and zero biases, as the chapter's
    /// `Layer_Dense(inputs, neurons)`. With [`crate::rng::NumpyRandomState`]
    /// the weights are NumPy's, bit for bit (for `f64`).
    ///
    /// # Panics
    /// If `inputs * neurons` overflows `usize`, or the weights or biases would
    /// need more than `isize::MAX` bytes (as any `Vec` of that length would).
    /// [`Dense::from_parts`] takes buffers the caller allocated instead.
    pub fn new<R: GaussianSource + ?Sized>(inputs: usize, neurons: usize, rng: &mut R) -> Self {
        let len = inputs
            .checked_mul(neurons)
            .expect("inputs * neurons overflows usize");
        let weights = (0..len)
            .map(|_| T::from_f64(0.01 * rng.next_gaussian()))
            .collect();
        Dense {
            inputs,
            neurons,
            weights,
            biases: vec![T::ZERO; neurons],
        }
    }

    /// A layer from given weights (`inputs x neurons`, row-major) and biases.
    ///
    /// # Errors
    /// [`ShapeError`] if the lengths do not match the dims.
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
        })
    }

    /// Number of inputs per sample (rows of the weights).
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Number of neurons (outputs per sample, columns of the weights).
    pub fn neurons(&self) -> usize {
        self.neurons
    }

    /// The weights, `inputs x neurons`, row-major.
    pub fn weights(&self) -> &[T] {
        &self.weights
    }

    /// The weights, writable.
    pub fn weights_mut(&mut self) -> &mut [T] {
        &mut self.weights
    }

    /// The biases, one per neuron.
    pub fn biases(&self) -> &[T] {
        &self.biases
    }

    /// The biases, writable.
    pub fn biases_mut(&mut self) -> &mut [T] {
        &mut self.biases
    }

    /// `out = x · weights + biases` for a batch `x` of `m` samples
    /// (`x.len() == m * inputs`, `out.len() == m * neurons`).
    ///
    /// # Errors
    /// [`ShapeError`] if `x` is not whole samples or `out` does not fit.
    pub fn forward(&self, x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
        self.forward_with(x, out, Activation::Identity)
    }

    /// [`Dense::forward`] with an activation applied in the same call.
    ///
    /// # Errors
    /// As [`Dense::forward`].
    pub fn forward_with(
        &self,
        x: &[T],
        out: &mut [T],
        activation: Activation,
    ) -> Result<(), ShapeError> {
        // The batch size comes from whichever side has a non-zero row length.
        let m = if self.inputs > 0 {
            ShapeError::rows("Dense::forward", "x", x.len(), self.inputs)?
        } else {
            ShapeError::check_len("Dense::forward", "x", 0, x.len())?;
            ShapeError::rows("Dense::forward", "out", out.len(), self.neurons)?
        };
        dense(
            x,
            &self.weights,
            &self.biases,
            out,
            m,
            self.inputs,
            self.neurons,
            activation,
        )
        .map_err(|e| ShapeError {
            function: "Dense::forward",
            ..e
        })
    }
}
