//! A dense layer's weights: borrowed as they lie in memory ([`Weights`]:
//! the layout and dims said once, at construction), or packed once for the
//! kernels ([`PackedWeights`]). What packs and unpacks them goes through the
//! entry points, in `pack.rs`.

use crate::aligned::AlignedVec;
use crate::dispatch::{Isa, Supported};
use crate::error::ShapeError;
use crate::float::Float;
use crate::kind::Same;

/// How a weight matrix lies in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `inputs x neurons`, row-major.
    InputsByNeurons,
    /// `neurons x inputs`, row-major.
    NeuronsByInputs,
}

/// A dense layer's weights as they lie in memory, borrowed: the slice, its
/// layout and its dims, each dim named. Made by the constructor for the
/// layout at hand, whose arguments follow that layout's shape; a length
/// that does not match is an error here, not later.
///
/// | weights from | shape | constructor |
/// |---|---|---|
/// | NumPy, the chapter (`inputs . weights`) | `inputs x neurons` | [`Weights::inputs_by_neurons`] |
/// | PyTorch `nn.Linear.weight`, ONNX `Gemm` with `transB = 1` | `neurons x inputs` (`[out_features, in_features]`) | [`Weights::neurons_by_inputs`] |
///
/// [`dense`](fn@crate::dense) reads them in place (`neurons x inputs` ones
/// are transposed into a temporary first, on every call);
/// [`PackedWeights::new`] packs them once for repeated calls.
///
/// ```
/// use nn_kernels::{Activation, Weights, dense};
/// // Two neurons of three inputs, as torch.nn.Linear(3, 2).weight holds them.
/// let torch = [1.0f32, 3.0, 5.0, /**/ 2.0, 4.0, 6.0];
/// let w = Weights::neurons_by_inputs(&torch, 2, 3)?; // the tensor's shape, [2, 3]
/// assert_eq!((w.inputs(), w.neurons()), (3, 2));
/// let mut out = [0.0; 2];
/// dense(&[1.0, 1.0, 1.0], w, &[0.5, -0.5], &mut out, Activation::Identity)?;
/// assert_eq!(out, [9.5, 11.5]);
/// // The shape given the other way round is refused: 3 x 2 is 6 too, but
/// // then a sample of 3 inputs does not fit.
/// let swapped = Weights::neurons_by_inputs(&torch, 3, 2)?;
/// assert!(dense(&[1.0, 1.0, 1.0], swapped, &[0.0; 3], &mut [0.0; 3], Activation::Identity).is_err());
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Weights<'a, T> {
    data: &'a [T],
    inputs: usize,
    neurons: usize,
    layout: Layout,
}

impl<'a, T: Float> Weights<'a, T> {
    /// `w` holds `inputs x neurons` weights, row-major: row `i` is input
    /// `i`'s weight for every neuron. NumPy's and the chapter's layout
    /// (`inputs . weights`).
    ///
    /// # Errors
    /// [`ShapeError`] if `inputs * neurons` overflows or `w.len()` is not
    /// `inputs * neurons`.
    ///
    /// ```
    /// use nn_kernels::Weights;
    /// let w = Weights::inputs_by_neurons(&[0.0f32; 6], 3, 2)?;
    /// assert_eq!((w.inputs(), w.neurons()), (3, 2));
    /// assert!(Weights::inputs_by_neurons(&[0.0f32; 5], 3, 2).is_err());
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn inputs_by_neurons(
        w: &'a [T],
        inputs: usize,
        neurons: usize,
    ) -> Result<Self, ShapeError> {
        Self::checked(
            "Weights::inputs_by_neurons",
            w,
            inputs,
            neurons,
            Layout::InputsByNeurons,
        )
    }

    /// `w` holds `neurons x inputs` weights, row-major: row `j` is neuron
    /// `j`'s weights. PyTorch's `nn.Linear.weight` (`[out_features,
    /// in_features]`) and ONNX's `Gemm` with `transB = 1`: pass the
    /// tensor's shape as it states it.
    ///
    /// # Errors
    /// As [`Weights::inputs_by_neurons`].
    ///
    /// ```
    /// use nn_kernels::Weights;
    /// let w = Weights::neurons_by_inputs(&[0.0f32; 784 * 128], 128, 784)?; // Linear(784, 128)
    /// assert_eq!((w.inputs(), w.neurons()), (784, 128));
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn neurons_by_inputs(
        w: &'a [T],
        neurons: usize,
        inputs: usize,
    ) -> Result<Self, ShapeError> {
        Self::checked(
            "Weights::neurons_by_inputs",
            w,
            inputs,
            neurons,
            Layout::NeuronsByInputs,
        )
    }

    fn checked(
        function: &'static str,
        data: &'a [T],
        inputs: usize,
        neurons: usize,
        layout: Layout,
    ) -> Result<Self, ShapeError> {
        let len = ShapeError::checked_mul(function, "inputs * neurons", inputs, neurons)?;
        ShapeError::check_len(function, "w", len, data.len())?;
        Ok(Weights {
            data,
            inputs,
            neurons,
            layout,
        })
    }

    /// Inputs per sample.
    ///
    /// ```
    /// let w = nn_kernels::Weights::inputs_by_neurons(&[0.0f64; 12], 4, 3)?;
    /// assert_eq!(w.inputs(), 4);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Neurons (outputs per sample).
    ///
    /// ```
    /// let w = nn_kernels::Weights::inputs_by_neurons(&[0.0f64; 12], 4, 3)?;
    /// assert_eq!(w.neurons(), 3);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn neurons(&self) -> usize {
        self.neurons
    }

    /// The weights as the same view of another name for `T`.
    pub(crate) fn retype<F>(self, same: Same<T, F>) -> Weights<'a, F> {
        Weights {
            data: same.slice(self.data),
            inputs: self.inputs,
            neurons: self.neurons,
            layout: self.layout,
        }
    }

    /// The slice, its layout, and the dims as `(inputs, neurons)`.
    pub(crate) fn parts(self) -> (&'a [T], Layout, usize, usize) {
        (self.data, self.layout, self.inputs, self.neurons)
    }
}

/// Weights packed once into the layout the kernel of one tier reads, for
/// repeated [`dense_packed`](crate::dense_packed) calls: the common
/// inference case, where the weights are fixed and the batch changes.
///
/// Packing costs one copy of the weights (padded to the tile width), which
/// starts on a cache line, so no vector load of it spans two lines; each
/// call then skips the per-call packing of W. Results are bitwise the same
/// as [`dense`](fn@crate::dense) on the same tier, whatever layout the weights
/// came in.
///
/// ```
/// use nn_kernels::{Activation, PackedWeights, Weights, dense_packed};
/// let w = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]; // 3 inputs x 2 neurons
/// let packed = PackedWeights::new(Weights::inputs_by_neurons(&w, 3, 2)?)?;
/// let mut out = [0.0; 2];
/// dense_packed(&[1.0, 1.0, 1.0], &packed, &[0.5, -0.5], &mut out, Activation::Identity)?;
/// assert_eq!(out, [9.5, 11.5]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
///
/// Equal when packed for the same tier from the same weights, whatever
/// layout they came in: the packed data are compared.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedWeights<T> {
    pub(crate) isa: Supported,
    pub(crate) inputs: usize,
    pub(crate) neurons: usize,
    /// The padded width of the packed layout; 0 when `data` is W itself,
    /// row-major (the portable tier on x86-64, and weights every product
    /// reads in place: small, or one panel of columns that fits half of L2).
    pub(crate) n_pad: usize,
    /// The depth of the `k` blocks and the width of the panels the data are
    /// packed in (for [`PackedWeights::to_inputs_by_neurons`]).
    pub(crate) kc: usize,
    pub(crate) nr: usize,
    /// On a cache line: the kernels' vector loads of it never span two.
    pub(crate) data: AlignedVec<T>,
}

impl<T: Float> PackedWeights<T> {
    /// Inputs per sample.
    ///
    /// ```
    /// use nn_kernels::{PackedWeights, Weights};
    /// let p = PackedWeights::new(Weights::inputs_by_neurons(&[0.0f64; 12], 4, 3)?)?;
    /// assert_eq!(p.inputs(), 4);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Neurons (outputs per sample).
    ///
    /// ```
    /// use nn_kernels::{PackedWeights, Weights};
    /// let p = PackedWeights::new(Weights::inputs_by_neurons(&[0.0f64; 12], 4, 3)?)?;
    /// assert_eq!(p.neurons(), 3);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn neurons(&self) -> usize {
        self.neurons
    }

    /// The tier the weights were packed for, which
    /// [`dense_packed`](crate::dense_packed) runs on.
    ///
    /// ```
    /// use nn_kernels::{PackedWeights, Weights};
    /// let p = PackedWeights::new(Weights::inputs_by_neurons(&[0.0f32; 4], 2, 2)?)?;
    /// assert_eq!(p.isa(), nn_kernels::selected_isa());
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn isa(&self) -> Isa {
        self.isa.isa()
    }

    /// The same weights with `T` named `F`: the data moved, not copied.
    pub(crate) fn retype<F>(self, same: Same<T, F>) -> PackedWeights<F> {
        PackedWeights {
            isa: self.isa,
            inputs: self.inputs,
            neurons: self.neurons,
            n_pad: self.n_pad,
            kc: self.kc,
            nr: self.nr,
            data: self.data.retype(same),
        }
    }

    /// A borrowed view of the weights with `T` named `F`, for the per-type
    /// entries.
    pub(crate) fn as_type<F>(&self, same: Same<T, F>) -> PackedRef<'_, F> {
        PackedRef {
            isa: self.isa,
            inputs: self.inputs,
            neurons: self.neurons,
            n_pad: self.n_pad,
            kc: self.kc,
            nr: self.nr,
            data: same.slice(self.data.as_slice()),
        }
    }
}

/// [`PackedWeights`] borrowed: what the per-type entries take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PackedRef<'a, T> {
    pub isa: Supported,
    pub inputs: usize,
    pub neurons: usize,
    pub n_pad: usize,
    pub kc: usize,
    pub nr: usize,
    pub data: &'a [T],
}

/// `a` (`rows x cols`, row-major) transposed, `cols x rows`, in tiles of
/// 32 x 32 so both sides are read and written a few cache lines at a time.
pub(crate) fn transpose<T: Float>(a: &[T], rows: usize, cols: usize) -> Vec<T> {
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

/// The weights of `w` as `inputs x neurons`, row-major: the packed layout
/// undone (see `gemm::pack_weights`: blocks of `kc` rows, each in
/// `nr`-column panels `n_pad` wide), or a copy where the data are
/// row-major already.
pub(crate) fn unpack<T: Float>(w: &PackedRef<'_, T>) -> Vec<T> {
    let (k, n) = (w.inputs, w.neurons);
    if w.n_pad == 0 {
        return w.data.to_vec();
    }
    let mut out = vec![T::ZERO; k * n];
    for pc in (0..k).step_by(w.kc) {
        let kcb = w.kc.min(k - pc);
        let block = &w.data[pc * w.n_pad..];
        for p in 0..kcb {
            for j in 0..n {
                let (q, lane) = (j - j % w.nr, j % w.nr);
                out[(pc + p) * n + j] = block[q * kcb + p * w.nr + lane];
            }
        }
    }
    out
}
