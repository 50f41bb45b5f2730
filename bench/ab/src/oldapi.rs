//! The baseline's per-tier calls, whatever API the baseline has: before
//! issue 22 its hidden `*_with_isa` functions; from issue 22 on (feature
//! `base-internals`, which `run.sh` turns on when the baseline has
//! `src/internals.rs`) its `internals` hooks, the new build's own.

#[cfg(not(feature = "base-internals"))]
pub(crate) use old::activation::{
    relu_inplace_with_isa, relu_with_isa, sigmoid_with_isa, step_with_isa,
};
#[cfg(not(feature = "base-internals"))]
pub(crate) use old::dense_with_isa;
#[cfg(not(feature = "base-internals"))]
pub(crate) use old::softmax::softmax_rows_inplace_with_isa;

/// The baseline's weights packed for tier `isa`.
#[cfg(not(feature = "base-internals"))]
pub(crate) fn pack<T: old::Float>(
    isa: old::dispatch::Supported,
    w: &[T],
    k: usize,
    n: usize,
) -> old::PackedWeights<T> {
    old::PackedWeights::new_with_isa(isa, w, k, n).unwrap()
}

/// The baseline's weights packed for the selected tier.
#[cfg(not(feature = "base-internals"))]
pub(crate) fn pack_selected<T: old::Float>(w: &[T], k: usize, n: usize) -> old::PackedWeights<T> {
    old::PackedWeights::new(w, k, n).unwrap()
}

#[cfg(feature = "base-internals")]
mod hooks {
    use old::dispatch::Supported;
    use old::internals::{self, RowOp, UnaryOp};
    use old::{Activation, Float, PackedWeights, ShapeError, Weights};

    pub(crate) fn dense_with_isa<T: Float>(
        isa: Supported,
        x: &[T],
        w: &[T],
        b: &[T],
        out: &mut [T],
        (_, k, n): (usize, usize, usize),
        act: Activation,
    ) -> Result<(), ShapeError> {
        internals::dense(isa, x, Weights::inputs_by_neurons(w, k, n)?, b, out, act)
    }

    pub(crate) fn softmax_rows_inplace_with_isa<T: Float>(
        isa: Supported,
        x: &mut [T],
        cols: usize,
        masked: bool,
    ) -> Result<(), ShapeError> {
        internals::rows_inplace(internals::row_call(RowOp::Softmax, masked, isa), x, cols)
    }

    macro_rules! unary {
        ($($f:ident = $op:ident;)*) => {$(
            pub(crate) fn $f<T: Float>(isa: Supported, x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
                internals::unary(UnaryOp::$op, isa, x, out)
            }
        )*};
    }
    unary! {
        relu_with_isa = Relu;
        step_with_isa = Step;
        sigmoid_with_isa = Sigmoid;
    }

    pub(crate) fn relu_inplace_with_isa<T: Float>(isa: Supported, x: &mut [T]) {
        internals::unary_inplace(UnaryOp::Relu, isa, x)
    }

    pub(crate) fn pack<T: Float>(isa: Supported, w: &[T], k: usize, n: usize) -> PackedWeights<T> {
        internals::pack(isa, Weights::inputs_by_neurons(w, k, n).unwrap()).unwrap()
    }

    pub(crate) fn pack_selected<T: Float>(w: &[T], k: usize, n: usize) -> PackedWeights<T> {
        PackedWeights::new(Weights::inputs_by_neurons(w, k, n).unwrap()).unwrap()
    }

    /// The baseline's softmax on tier `isa`.
    pub(crate) fn softmax_rows_with_isa<T: Float>(
        isa: Supported,
        x: &[T],
        out: &mut [T],
        cols: usize,
    ) -> Result<(), ShapeError> {
        internals::rows(
            internals::row_call(RowOp::Softmax, false, isa),
            x,
            out,
            cols,
        )
    }
}
#[cfg(feature = "base-internals")]
pub(crate) use hooks::*;
