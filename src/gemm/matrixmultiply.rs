//! `matrixmultiply`'s blocked kernels (which pick their own instruction
//! set at run time), with the bias stored first and accumulated onto
//! (`beta = 1`), then the activation as a separate pass: the portable
//! tier's product where it measures faster (see `Engine` in `engine.rs`).

use super::problem::Epilogue;
use crate::float::Float;
use crate::kind::Kind;

/// `out = act(x · w + bias)` on one block of whole rows (`k > 0`, dims
/// already checked).
pub(super) fn gemm<T: Float>(
    x: &[T],
    w: &[T],
    ep: Epilogue<'_, T>,
    out: &mut [T],
    (m, k, n): (usize, usize, usize),
) {
    assert!(x.len() == m * k && w.len() == k * n && out.len() == m * n);
    let beta = match ep.bias {
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
    unsafe { raw_gemm(m, k, n, x, w, beta, out) }
    if !ep.act.is_identity() {
        out.iter_mut().for_each(|v| *v = ep.act.scalar(*v));
    }
}

/// `c = a · b` (`beta == 0`, `c` is only written) or `c = a · b + c`
/// (`beta == 1`), row-major, through `matrixmultiply`'s `sgemm` or `dgemm`.
///
/// # Safety
/// `a` holds `m * k`, `b` holds `k * n` and `c` holds `m * n` elements.
unsafe fn raw_gemm<T: Float>(m: usize, k: usize, n: usize, a: &[T], b: &[T], beta: T, c: &mut [T]) {
    // Row-major: row stride = row length, column stride = 1.
    let (k_s, n_s) = (k as isize, n as isize);
    // One call for either precision: `sgemm` and `dgemm` take the same
    // arguments.
    macro_rules! call {
        ($gemm:path, $same:expr) => {
            // SAFETY: the caller guarantees the three buffers hold m*k, k*n
            // and m*n elements, which is exactly what these dims and strides
            // address; with beta == 0 matrixmultiply does not read c.
            unsafe {
                $gemm(
                    m,
                    k,
                    n,
                    1.0,
                    $same.slice(a).as_ptr(),
                    k_s,
                    1,
                    $same.slice(b).as_ptr(),
                    n_s,
                    1,
                    $same.slice(&[beta])[0],
                    $same.slice_mut(c).as_mut_ptr(),
                    n_s,
                    1,
                )
            }
        };
    }
    match T::KIND {
        Kind::F32(same) => call!(matrixmultiply::sgemm, same),
        Kind::F64(same) => call!(matrixmultiply::dgemm, same),
    }
}
