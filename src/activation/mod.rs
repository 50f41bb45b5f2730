//! Element-wise activations: ReLU (the chapter's hidden-layer activation), and
//! the step and sigmoid functions the chapter names before it.
//!
//! Each function has an out-of-place form (`x` into `out`, same length) and an
//! in-place form. The algorithms are in `kernel.rs`, written once over the
//! tier's vector type beside their scalar definitions in
//! [`crate::reference`]; [`crate::dispatch`] runs them on the chosen tier.
//! Slices of at least 2^17 elements are split across the caller's rayon
//! pool; every element's result is the same either way.

mod kernel;

pub(crate) use kernel::{Fused, WithFused};

use std::marker::PhantomData;

use crate::dispatch::{self, Supported};
use crate::error::ShapeError;
use crate::float::Float;
use crate::io::{InPlace, Io, Split};
use crate::simd::{Kernel, Tier};

/// The activation a [`dense`](fn@crate::dense) call fuses into its output
/// tiles (after the bias), so it costs no extra pass over the output.
///
/// Each activation is the same operation as its element-wise kernel in
/// this module (the same code: `kernel.rs`), bit for bit.
///
/// ```
/// use nn_kernels::{Activation, dense};
/// let (x, w, bias) = ([1.0f32, -2.0], [1.0f32, 1.0], [0.0f32]); // 2 samples, 1 -> 1
/// let mut out = [0.0f32; 2];
/// dense(&x, &w[..1], &bias, &mut out, 2, 1, 1, Activation::Relu)?;
/// assert_eq!(out, [1.0, 0.0]);
/// dense(&x, &w[..1], &bias, &mut out, 2, 1, 1, Activation::Identity)?;
/// assert_eq!(out, [1.0, -2.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// No activation: `out = x · w + bias`.
    #[default]
    Identity,
    /// ReLU: `out = max(0, x · w + bias)`, with [`relu`]'s semantics.
    Relu,
}

/// Which activation a kernel call computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Relu,
    Step,
    Sigmoid,
    ExpLe0,
}

/// The smallest slice (in elements) that is split across rayon threads.
///
/// ReLU is bound by memory and cache bandwidth, which a second core adds
/// to: with the slice cut into pieces of 32 Ki elements, each core streams
/// its share through its own L2. A two-way split first wins clearly at
/// 2^17 elements (BENCHMARKS.md, "Threads"); below, the fork-join costs
/// about what it saves. Sigmoid and step cost more per element than ReLU,
/// so the same threshold is conservative for them. A tuning constant, not
/// API.
#[doc(hidden)]
pub const PAR_MIN_ELEMS: usize = 1 << 17;

/// Elements per rayon task above [`PAR_MIN_ELEMS`]: 32 Ki (128 KiB of
/// `f32`), so a slice at the threshold is four tasks, which both threads
/// share, and each task still dwarfs its scheduling cost.
const PAR_TASK_ELEMS: usize = 1 << 15;

/// Slices shorter than this take ReLU as a plain loop, inline, whatever
/// the tier: a few vectors' worth of work is less than the cost of reaching
/// a tier's kernel (a call the compiler cannot inline, and the slices
/// passed through memory), and the loop gives the same bits (`max_fast`'s
/// rule: `0 > x ? 0 : x`). 256 elements, where the sweep in BENCHMARKS.md
/// ("No cliff in the shape space") shows the kernels ahead of the loop on
/// every tier.
const RELU_SHORT: usize = 16 * crate::simd::MAX_LANES;

/// ReLU by a plain loop (see [`RELU_SHORT`]).
#[inline(always)]
fn relu_loop<T: Float>(x: &[T], out: &mut [T]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = if T::ZERO > v { T::ZERO } else { v };
    }
}

fn use_threads(len: usize) -> bool {
    crate::threads::may_split(len >= PAR_MIN_ELEMS)
}

/// Runs `op` on the tier `isa`, split across rayon threads when large.
fn apply_split_par<T: Float>(isa: Supported, op: Op, x: &[T], out: &mut [T]) {
    if use_threads(x.len()) {
        crate::threads::for_each_chunk_pair(x, PAR_TASK_ELEMS, out, PAR_TASK_ELEMS, |src, dst| {
            apply(isa, op, Split { src, dst })
        });
    } else {
        apply(isa, op, Split { src: x, dst: out });
    }
}

/// [`apply_split_par`] in place.
fn apply_inplace_par<T: Float>(isa: Supported, op: Op, x: &mut [T]) {
    if use_threads(x.len()) {
        crate::threads::for_each_chunk(x, PAR_TASK_ELEMS, |c| apply(isa, op, InPlace(c)));
    } else {
        apply(isa, op, InPlace(x));
    }
}

/// An element-wise map over `io`, as a kernel for every tier.
struct Map<T, I> {
    op: Op,
    io: I,
    elem: PhantomData<T>,
}

impl<T: Float, I: Io<T>> Kernel for Map<T, I> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        kernel::apply::<T, T::Vec<S>>(self.op, self.io);
    }
}

/// Runs `op` on the tier `isa`.
fn apply<T: Float>(isa: Supported, op: Op, io: impl Io<T>) {
    let elem = PhantomData;
    dispatch::vectorize(isa, Map { op, io, elem });
}

fn apply_split<T: Float>(
    function: &'static str,
    isa: Supported,
    op: Op,
    x: &[T],
    out: &mut [T],
) -> Result<(), ShapeError> {
    ShapeError::check_len(function, "out", x.len(), out.len())?;
    apply_split_par(isa, op, x, out);
    Ok(())
}

/// ReLU, `out[i] = max(0, x[i])`, bit for bit what NumPy's
/// `np.maximum(0, x)` gives.
///
/// `x < 0` (including `-inf` and negative subnormals) gives `+0.0`; `-0.0`,
/// `+0.0`, positives, subnormals, `+inf` and NaN (payload and sign bit) pass
/// through unchanged.
///
/// # Errors
/// [`ShapeError`] if `out.len() != x.len()`.
///
/// ```
/// let x = [0.0f32, 2.0, -1.0, 3.3, -2.7, 1.1, 2.2, -100.0];
/// let mut out = [f32::NAN; 8];
/// nn_kernels::relu(&x, &mut out)?;
/// assert_eq!(out, [0.0, 2.0, 0.0, 3.3, 0.0, 1.1, 2.2, 0.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn relu<T: Float>(x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
    relu_with_isa(dispatch::selected(), x, out)
}

/// [`relu`] on a chosen tier (for tests and benches).
#[doc(hidden)]
pub fn relu_with_isa<T: Float>(isa: Supported, x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
    if x.len() < RELU_SHORT {
        ShapeError::check_len("relu", "out", x.len(), out.len())?;
        relu_loop(x, out);
        return Ok(());
    }
    apply_split("relu", isa, Op::Relu, x, out)
}

/// [`relu`] in place.
///
/// ```
/// let mut x = [-1.0f64, -0.0, 0.5];
/// nn_kernels::relu_inplace(&mut x);
/// assert_eq!(x.map(f64::to_bits), [0.0f64, -0.0, 0.5].map(f64::to_bits));
/// ```
pub fn relu_inplace<T: Float>(x: &mut [T]) {
    relu_inplace_with_isa(dispatch::selected(), x);
}

/// [`relu_inplace`] on a chosen tier (for tests and benches).
#[doc(hidden)]
pub fn relu_inplace_with_isa<T: Float>(isa: Supported, x: &mut [T]) {
    if x.len() < RELU_SHORT {
        for v in x.iter_mut() {
            *v = if T::ZERO > *v { T::ZERO } else { *v };
        }
        return;
    }
    apply_inplace_par(isa, Op::Relu, x);
}

/// The step function: `out[i] = 1` where `x[i] > 0`, else `0` (so NaN, `-0.0`
/// and `+0.0` give `0`).
///
/// # Errors
/// [`ShapeError`] if `out.len() != x.len()`.
///
/// ```
/// let mut out = [0.0f32; 4];
/// nn_kernels::step(&[-1.0, 0.0, 0.5, f32::NAN], &mut out)?;
/// assert_eq!(out, [0.0, 0.0, 1.0, 0.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn step<T: Float>(x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
    step_with_isa(dispatch::selected(), x, out)
}

/// [`step`] on a chosen tier (for tests and benches).
#[doc(hidden)]
pub fn step_with_isa<T: Float>(isa: Supported, x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
    apply_split("step", isa, Op::Step, x, out)
}

/// [`step`] in place.
///
/// ```
/// let mut x = [-1.0f32, 0.0, 0.5];
/// nn_kernels::step_inplace(&mut x);
/// assert_eq!(x, [0.0, 0.0, 1.0]);
/// ```
pub fn step_inplace<T: Float>(x: &mut [T]) {
    step_inplace_with_isa(dispatch::selected(), x);
}

/// [`step_inplace`] on a chosen tier (for tests and benches).
#[doc(hidden)]
pub fn step_inplace_with_isa<T: Float>(isa: Supported, x: &mut [T]) {
    apply_inplace_par(isa, Op::Step, x);
}

/// The logistic sigmoid, `out[i] = 1 / (1 + e^-x[i])`.
///
/// Computed from `e = e^-|x|` as `1 / (1 + e)` for `x >= 0` and
/// `e / (1 + e)` for `x < 0`, so no input overflows: outputs lie in
/// `[0, 1]`, `+inf` gives 1, `-inf` gives 0 and NaN gives NaN. The relative
/// error against the exact sigmoid is at most 4 ε (ε = `T::EPSILON`): `exp`
/// errs by at most 2 ulp (1 ulp = ε relative at most), which the division
/// passes on at most once, plus one rounding each for the sum and the
/// quotient.
///
/// # Errors
/// [`ShapeError`] if `out.len() != x.len()`.
///
/// ```
/// let mut out = [0.0f64; 3];
/// nn_kernels::sigmoid(&[0.0, -1000.0, 1000.0], &mut out)?;
/// assert_eq!(out, [0.5, 0.0, 1.0]);
/// # Ok::<(), nn_kernels::ShapeError>(())
/// ```
pub fn sigmoid<T: Float>(x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
    sigmoid_with_isa(dispatch::selected(), x, out)
}

/// [`sigmoid`] on a chosen tier (for tests and benches).
#[doc(hidden)]
pub fn sigmoid_with_isa<T: Float>(
    isa: Supported,
    x: &[T],
    out: &mut [T],
) -> Result<(), ShapeError> {
    apply_split("sigmoid", isa, Op::Sigmoid, x, out)
}

/// [`sigmoid`] in place.
///
/// ```
/// let mut x = [0.0f64, f64::INFINITY, f64::NEG_INFINITY];
/// nn_kernels::sigmoid_inplace(&mut x);
/// assert_eq!(x, [0.5, 1.0, 0.0]);
/// ```
pub fn sigmoid_inplace<T: Float>(x: &mut [T]) {
    sigmoid_inplace_with_isa(dispatch::selected(), x);
}

/// [`sigmoid_inplace`] on a chosen tier (for tests and benches).
#[doc(hidden)]
pub fn sigmoid_inplace_with_isa<T: Float>(isa: Supported, x: &mut [T]) {
    apply_inplace_par(isa, Op::Sigmoid, x);
}

/// `out[i] = e^x[i]` for `x[i] <= 0` with the kernels' own vectorised `exp`
/// on a chosen tier: what softmax and sigmoid use inside, exposed for the
/// accuracy tests. Results below the smallest normal number are flushed to
/// zero; positive inputs give unspecified values.
#[doc(hidden)]
pub fn exp_le0_with_isa<T: Float>(
    isa: Supported,
    x: &[T],
    out: &mut [T],
) -> Result<(), ShapeError> {
    apply_split("exp_le0", isa, Op::ExpLe0, x, out)
}
