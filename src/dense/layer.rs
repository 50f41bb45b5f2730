//! [`Dense`]: a layer that owns its weights and biases, as the chapter's
//! `Layer_Dense` does, with one copy of its weights: row-major, or packed
//! once [`prepared`](Dense::prepare).

use std::borrow::Cow;

use super::table::{dense, dense_packed};
use super::weights::{PackedWeights, Weights};
use crate::activation::Activation;
use crate::error::ShapeError;
use crate::float::Float;
use crate::rng::GaussianSource;

/// The layer's weights: one copy, in one of two forms.
#[derive(Debug, Clone)]
enum Store<T> {
    /// `inputs x neurons`, row-major.
    RowMajor(Vec<T>),
    /// Packed by [`Dense::prepare`].
    Packed(PackedWeights<T>),
}

/// A dense layer: `inputs x neurons` weights and `neurons` biases, as the
/// chapter's `Layer_Dense`.
///
/// It keeps one copy of its weights: row-major as made, or packed for the
/// kernels once [`Dense::prepare`] is called (for a layer used for many
/// batches); [`Dense::weights`] unpacks a prepared layer's.
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
pub struct Dense<T> {
    inputs: usize,
    neurons: usize,
    weights: Store<T>,
    biases: Vec<T>,
}

/// Layers are equal when their dims, weights and biases are; whether either
/// is [prepared](Dense::prepare) does not matter (the results are the same).
impl<T: Float> PartialEq for Dense<T> {
    fn eq(&self, o: &Self) -> bool {
        (self.inputs, self.neurons) == (o.inputs, o.neurons)
            && self.weights() == o.weights()
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
            weights: Store::RowMajor(weights),
            biases,
        })
    }

    /// A layer from given weights, in either layout (their dims are the
    /// layer's), and biases. The layer keeps its weights `inputs x
    /// neurons`: they are copied, and transposed if given `neurons x
    /// inputs`.
    ///
    /// # Errors
    /// [`ShapeError`] if `biases.len() != w.neurons()`.
    ///
    /// ```
    /// use nn_kernels::{Dense, Weights};
    /// let torch = [1.0f32, 3.0, 5.0, /**/ 2.0, 4.0, 6.0]; // Linear(3, 2).weight
    /// let layer = Dense::from_parts(Weights::neurons_by_inputs(&torch, 2, 3)?, vec![0.0; 2])?;
    /// assert_eq!(layer.weights(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0].as_slice());
    /// let mut out = [0.0; 2];
    /// layer.forward(&[1.0, 1.0, 1.0], &mut out)?;
    /// assert_eq!(out, [9.0, 12.0]);
    /// assert!(Dense::from_parts(Weights::neurons_by_inputs(&torch, 2, 3)?, vec![0.0; 3]).is_err());
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn from_parts(w: Weights<'_, T>, biases: Vec<T>) -> Result<Self, ShapeError> {
        let (inputs, neurons) = (w.inputs(), w.neurons());
        ShapeError::check_len("Dense::from_parts", "biases", neurons, biases.len())?;
        Ok(Dense {
            inputs,
            neurons,
            weights: Store::RowMajor(w.to_inputs_by_neurons()),
            biases,
        })
    }

    /// Number of inputs per sample (rows of the weights).
    ///
    /// ```
    /// use nn_kernels::{Dense, Weights};
    /// let layer = Dense::from_parts(Weights::inputs_by_neurons(&[0.0f32; 6], 3, 2)?, vec![0.0; 2])?;
    /// assert_eq!(layer.inputs(), 3);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Number of neurons (outputs per sample, columns of the weights).
    ///
    /// ```
    /// use nn_kernels::{Dense, Weights};
    /// let layer = Dense::from_parts(Weights::inputs_by_neurons(&[0.0f32; 6], 3, 2)?, vec![0.0; 2])?;
    /// assert_eq!(layer.neurons(), 2);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn neurons(&self) -> usize {
        self.neurons
    }

    /// The weights, `inputs x neurons`, row-major: borrowed, or unpacked
    /// into a new `Vec` if the layer is [prepared](Dense::prepare).
    ///
    /// ```
    /// use nn_kernels::{Dense, Weights};
    /// let w = [1.0f64, 2.0, 3.0, 4.0];
    /// let layer = Dense::from_parts(Weights::inputs_by_neurons(&w, 2, 2)?, vec![0.0; 2])?;
    /// assert_eq!(layer.weights()[1], 2.0); // input 0's weight for neuron 1
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn weights(&self) -> Cow<'_, [T]> {
        match &self.weights {
            Store::RowMajor(w) => Cow::Borrowed(w),
            Store::Packed(p) => Cow::Owned(p.to_inputs_by_neurons()),
        }
    }

    /// The weights, writable, `inputs x neurons`, row-major. A prepared
    /// layer's are unpacked first (it is no longer prepared).
    ///
    /// ```
    /// use nn_kernels::{Dense, Weights};
    /// let mut layer = Dense::from_parts(Weights::inputs_by_neurons(&[1.0f32, 2.0], 1, 2)?, vec![0.0; 2])?;
    /// layer.prepare();
    /// layer.weights_mut()[0] = 5.0;
    /// assert!(!layer.is_prepared());
    /// let mut out = [0.0; 2];
    /// layer.forward(&[1.0], &mut out)?;
    /// assert_eq!(out, [5.0, 2.0]);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn weights_mut(&mut self) -> &mut [T] {
        if let Store::Packed(p) = &self.weights {
            self.weights = Store::RowMajor(p.to_inputs_by_neurons());
        }
        match &mut self.weights {
            Store::RowMajor(w) => w,
            Store::Packed(_) => unreachable!("unpacked above"),
        }
    }

    /// Packs the weights for the selected tier ([`PackedWeights`]) in place
    /// of the row-major copy, so later forward calls skip packing them: for
    /// a layer used for many batches. Results are unchanged, bit for bit.
    /// [`Dense::weights_mut`] undoes it.
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
        if let Store::RowMajor(w) = &self.weights {
            let w = Weights::inputs_by_neurons(w, self.inputs, self.neurons)
                .expect("a layer's weights match its dims");
            let packed = PackedWeights::new(w).expect("weights that fit in memory pack");
            self.weights = Store::Packed(packed);
        }
    }

    /// Whether [`Dense::prepare`] packed the current weights.
    ///
    /// ```
    /// use nn_kernels::{Dense, Weights};
    /// let mut layer = Dense::from_parts(Weights::inputs_by_neurons(&[1.0f32], 1, 1)?, vec![0.0])?;
    /// assert!(!layer.is_prepared());
    /// layer.prepare();
    /// assert!(layer.is_prepared());
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn is_prepared(&self) -> bool {
        matches!(self.weights, Store::Packed(_))
    }

    /// The biases, one per neuron.
    ///
    /// ```
    /// use nn_kernels::{Dense, Weights};
    /// let layer = Dense::from_parts(Weights::inputs_by_neurons(&[0.0f32; 2], 1, 2)?, vec![0.5, -0.5])?;
    /// assert_eq!(layer.biases(), [0.5, -0.5]);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn biases(&self) -> &[T] {
        &self.biases
    }

    /// The biases, writable.
    ///
    /// ```
    /// use nn_kernels::{Dense, Weights};
    /// let mut layer = Dense::from_parts(Weights::inputs_by_neurons(&[2.0f32], 1, 1)?, vec![0.0])?;
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
    /// [`ShapeError`] (function `"Dense::forward"`) if `x` is not whole
    /// samples or `out` does not fit.
    ///
    /// ```
    /// use nn_kernels::{Dense, Weights};
    /// let w = Weights::inputs_by_neurons(&[1.0f32, 0.0, 0.0, 1.0], 2, 2)?;
    /// let layer = Dense::from_parts(w, vec![0.0, 1.0])?;
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
    /// use nn_kernels::{Activation, Dense, Weights};
    /// let layer = Dense::from_parts(Weights::inputs_by_neurons(&[1.0f32, -1.0], 1, 2)?, vec![0.0; 2])?;
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
        let result = match &self.weights {
            Store::Packed(p) => dense_packed(x, p, &self.biases, out, activation),
            Store::RowMajor(w) => {
                let w = Weights::inputs_by_neurons(w, self.inputs, self.neurons)
                    .expect("a layer's weights match its dims");
                dense(x, w, &self.biases, out, activation)
            }
        };
        result.map_err(|e| ShapeError {
            function: "Dense::forward",
            ..e
        })
    }
}
