//! Packing and unpacking weights: [`PackedWeights::new`] and the copies,
//! which forward to the per-type entry points (`table.rs`).

use super::table::GemmEntry;
use super::weights::{PackedWeights, Weights};
use crate::error::ShapeError;
use crate::float::Float;
use crate::kind::per_type;

impl<'a, T: Float> Weights<'a, T> {
    /// The weights copied, `inputs x neurons`, row-major (transposed if
    /// they are `neurons x inputs`).
    pub(crate) fn to_inputs_by_neurons(self) -> Vec<T> {
        per_type!(T, |same, F| same
            .flip()
            .vec(<F as GemmEntry>::copy_inputs_by_neurons(self.retype(same))))
    }
}

impl<T: Float> PackedWeights<T> {
    /// Packs `w` for the selected tier ([`crate::selected_isa`]).
    ///
    /// # Errors
    /// [`ShapeError`] of kind [`Allocation`](crate::ShapeErrorKind::Allocation)
    /// if the packed copy would need more than `isize::MAX` bytes. (`w`'s
    /// shape was checked when it was made.)
    ///
    /// ```
    /// use nn_kernels::{PackedWeights, Weights};
    /// // PyTorch's Linear(784, 128): weight [128, 784].
    /// let torch = vec![0.01f32; 128 * 784];
    /// let p = PackedWeights::new(Weights::neurons_by_inputs(&torch, 128, 784)?)?;
    /// assert_eq!((p.inputs(), p.neurons()), (784, 128));
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn new(w: Weights<'_, T>) -> Result<Self, ShapeError> {
        per_type!(T, |same, F| <F as GemmEntry>::pack(None, w.retype(same))
            .map(|p| p.retype(same.flip())))
    }

    /// The weights unpacked, `inputs x neurons`, row-major.
    ///
    /// ```
    /// use nn_kernels::{PackedWeights, Weights};
    /// let w: Vec<f32> = (0..784 * 10).map(|i| i as f32).collect();
    /// let p = PackedWeights::new(Weights::inputs_by_neurons(&w, 784, 10)?)?;
    /// assert_eq!(p.to_inputs_by_neurons(), w);
    /// # Ok::<(), nn_kernels::ShapeError>(())
    /// ```
    pub fn to_inputs_by_neurons(&self) -> Vec<T> {
        per_type!(T, |same, F| same
            .flip()
            .vec(<F as GemmEntry>::unpack(&self.as_type(same))))
    }
}
