//! Matrix multiply, `out = a · b` (row-major), the product behind the dense
//! layer.
//!
//! The blocked kernel is `matrixmultiply`'s (BLIS-style packing and
//! microkernels, chosen at run time for the CPU). This module adds what a
//! kernel crate owes its users: shape checks that return errors, `k = 0`
//! defined, `out` only written, and large products split across rayon by
//! blocks of rows of `a` and `out`, never across `k`, so every element is the
//! same sum whatever the split.

use rayon::prelude::*;

use crate::{Float, ShapeError};

/// The smallest product, in multiply-adds (`m · k · n`), that is split across
/// rayon threads.
///
/// Measured on the 2-core development machine (`cargo bench --bench dense --
/// matmul_split`, f32, k = n = 128, medians): a two-way split of the rows
/// breaks even at 2^20 multiply-adds (25.5 µs against 25.4 µs serial) and
/// wins from 2^21 on (36 µs against 47 µs; at 2^22, 59 µs against 89 µs).
pub const PAR_MIN_MACS: usize = 1 << 21;

/// Rows per rayon task at the least. `matrixmultiply` packs all of `b` for
/// every call, so each task should amortise that over several row tiles.
pub const PAR_MIN_ROWS: usize = 64;

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
    check_dims("matmul", ["a", "b"], a, b, out, m, k, n)?;
    if k == 0 {
        out.fill(T::ZERO);
    } else {
        gemm(a, b, T::ZERO, out, m, k, n);
    }
    Ok(())
}

/// Checks the three operands of an `m x k` by `k x n` product; `names` are
/// the caller's names for the two inputs, for the error.
#[allow(clippy::too_many_arguments)] // the operands, their dims and their names
pub(crate) fn check_dims<T>(
    function: &'static str,
    names: [&'static str; 2],
    a: &[T],
    b: &[T],
    out: &[T],
    m: usize,
    k: usize,
    n: usize,
) -> Result<(), ShapeError> {
    let mk = ShapeError::checked_mul(function, "m * k", m, k)?;
    let kn = ShapeError::checked_mul(function, "k * n", k, n)?;
    let mn = ShapeError::checked_mul(function, "m * n", m, n)?;
    ShapeError::check_len(function, names[0], mk, a.len())?;
    ShapeError::check_len(function, names[1], kn, b.len())?;
    ShapeError::check_len(function, "out", mn, out.len())
}

/// `out = a · b + beta · out` for `beta` 0 (`out` only written) or 1, dims
/// already checked. Split by row blocks when large.
pub(crate) fn gemm<T: Float>(
    a: &[T],
    b: &[T],
    beta: T,
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
) {
    if m == 0 || k == 0 || n == 0 {
        return;
    }
    let macs = m.saturating_mul(k).saturating_mul(n);
    // Small products never touch rayon (not even to ask its thread count).
    if macs >= PAR_MIN_MACS && m >= 2 * PAR_MIN_ROWS && rayon::current_num_threads() > 1 {
        let threads = rayon::current_num_threads();
        let rows = m.div_ceil(threads).max(PAR_MIN_ROWS);
        a.par_chunks(rows * k)
            .zip(out.par_chunks_mut(rows * n))
            .for_each(|(a, out)| gemm_block(a, b, beta, out, out.len() / n, k, n));
    } else {
        gemm_block(a, b, beta, out, m, k, n);
    }
}

/// `out = a · b + beta · out` on one block of rows.
fn gemm_block<T: Float>(a: &[T], b: &[T], beta: T, out: &mut [T], m: usize, k: usize, n: usize) {
    assert!(a.len() == m * k && b.len() == k * n && out.len() == m * n);
    // SAFETY: the assert above shows each buffer holds exactly the elements
    // the dims address, and `out` is an initialised `&mut` slice.
    unsafe {
        T::gemm_matrixmultiply(m, k, n, a.as_ptr(), b.as_ptr(), beta, out.as_mut_ptr());
    }
}
