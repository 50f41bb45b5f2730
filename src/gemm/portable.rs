//! The portable tier: `matrixmultiply`'s blocked kernels (which pick their
//! own instruction set at run time), with the bias stored first and
//! accumulated onto (`beta = 1`), then ReLU as a separate pass.
//!
//! It is also the oracle's twin in the tests: an independent implementation
//! of the same product.

use crate::Float;

/// `out = act(x · w + bias)` on one block of whole rows (`k > 0`, dims
/// already checked).
pub(super) fn gemm<T: Float>(
    x: &[T],
    w: &[T],
    bias: Option<&[T]>,
    relu: bool,
    out: &mut [T],
    (m, k, n): (usize, usize, usize),
) {
    assert!(x.len() == m * k && w.len() == k * n && out.len() == m * n);
    let beta = match bias {
        Some(bias) => {
            for row in out.chunks_exact_mut(n) {
                row.copy_from_slice(bias);
            }
            T::ONE
        }
        None => T::ZERO,
    };
    // SAFETY: the assert above shows each buffer holds exactly the elements
    // the dims address, and `out` is an initialised `&mut` slice (read only
    // when `beta == 1`, after the bias was stored).
    unsafe { T::gemm_matrixmultiply(m, k, n, x.as_ptr(), w.as_ptr(), beta, out.as_mut_ptr()) }
    if relu {
        out.iter_mut().for_each(|v| *v = crate::reference::relu(*v));
    }
}
