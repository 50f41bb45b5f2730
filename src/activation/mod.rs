//! Element-wise activations: ReLU (the chapter's hidden-layer activation),
//! and the step and sigmoid functions the chapter names before it.
//!
//! The family is the table at the `unary_ops!` call below: each line is one
//! op, its kernel (a lane map in `kernel.rs`, beside its scalar definition
//! in [`crate::reference`]) and its two public functions, out of place and
//! in place. From it come the public functions, the op's error name, the
//! per-type entry points compiled here (`UnaryEntry`) and the
//! `internals` hooks the tests and benches iterate over ([`UnaryOp::ALL`]):
//! an op added to the table goes through every test pass.
//!
//! Slices of at least [`PAR_MIN_ELEMS`] elements are split across the
//! caller's rayon pool; every element's result is the same either way.

mod fused;
mod kernel;

pub use fused::Activation;
pub(crate) use fused::{Fused, WithFused};

use std::marker::PhantomData;

use crate::dispatch::{self, Supported};
use crate::error::ShapeError;
use crate::exp::ExpFloat;
use crate::float::Float;
use crate::io::{InPlace, Io, Split};
use crate::kind::{entry_points, per_type};
use crate::simd::{Kernel, SimdFloat, Tier};
use kernel::UnaryKernel;

/// The smallest slice (in elements) that is split across rayon threads.
///
/// ReLU is bound by memory and cache bandwidth, which a second core adds
/// to: with the slice cut into pieces of 32 Ki elements, each core streams
/// its share through its own L2. A two-way split first wins clearly at
/// 2^17 elements (BENCHMARKS.md, "ReLU"); below, the fork-join costs about
/// what it saves. Sigmoid and step cost more per element than ReLU, so the
/// same threshold is conservative for them.
pub(crate) const PAR_MIN_ELEMS: usize = 1 << 17;

/// Elements per rayon task above [`PAR_MIN_ELEMS`]: 32 Ki (128 KiB of
/// `f32`), so a slice at the threshold is four tasks, which both threads
/// share, and each task still dwarfs its scheduling cost.
const PAR_TASK_ELEMS: usize = 1 << 15;

/// The table: stamps out [`UnaryOp`], each op's public functions (whose
/// docs are given here), the dispatch from op to kernel, and the per-type
/// entries.
macro_rules! unary_ops {
    (
        internal {
            $(
                $(#[doc = $idoc:literal])*
                $iop:ident($ikernel:ty) = $iname:literal;
            )*
        }
        $(
            $(#[doc = $doc:literal])*
            $op:ident($kernel:ty) {
                $(#[$fattr:meta])* pub fn $f:ident;
                $(#[$iattr:meta])* pub fn $fi:ident;
            }
        )*
    ) => {
        /// An element-wise op: one line of the table in
        /// `src/activation/mod.rs`.
        #[cfg_attr(not(feature = "internals"), allow(dead_code))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum UnaryOp {
            $($(#[doc = $doc])* $op,)*
            $($(#[doc = $idoc])* $iop,)*
        }

        #[cfg_attr(not(feature = "internals"), allow(dead_code))]
        impl UnaryOp {
            /// The ops with public functions (the internal ones are not
            /// listed).
            pub const ALL: &[UnaryOp] = &[$(UnaryOp::$op),*];

            /// The public function's name (out of place), as errors give it.
            pub fn name(self) -> &'static str {
                match self {
                    $(UnaryOp::$op => stringify!($f),)*
                    $(UnaryOp::$iop => $iname,)*
                }
            }

            /// The in-place public function's name.
            pub fn name_inplace(self) -> &'static str {
                match self {
                    $(UnaryOp::$op => stringify!($fi),)*
                    $(UnaryOp::$iop => concat!($iname, "_inplace"),)*
                }
            }

            /// Slices shorter than this take the op's scalar loop.
            fn short(self) -> usize {
                match self {
                    $(UnaryOp::$op => <$kernel as UnaryKernel>::SHORT,)*
                    $(UnaryOp::$iop => <$ikernel as UnaryKernel>::SHORT,)*
                }
            }

            /// The op's scalar map, for [`UnaryOp::short`] slices.
            #[inline(always)]
            fn scalar<T: Float>(self, x: T) -> T {
                match self {
                    $(UnaryOp::$op => <$kernel as UnaryKernel>::scalar(x),)*
                    $(UnaryOp::$iop => <$ikernel as UnaryKernel>::scalar(x),)*
                }
            }
        }

        /// The op's kernel on vectors `V` over all of `io`.
        #[inline(always)]
        fn apply<T: ExpFloat, V: crate::simd::Vector<T>>(op: UnaryOp, io: impl Io<T>) {
            match op {
                $(UnaryOp::$op => kernel::apply::<T, V, $kernel>(io),)*
                $(UnaryOp::$iop => kernel::apply::<T, V, $ikernel>(io),)*
            }
        }

        $(
            $(#[$fattr])*
            pub fn $f<T: Float>(x: &[T], out: &mut [T]) -> Result<(), ShapeError> {
                per_type!(T, |same, F| <F as UnaryEntry>::unary(
                    UnaryOp::$op, None, same.slice(x), same.slice_mut(out)
                ))
            }

            $(#[$iattr])*
            pub fn $fi<T: Float>(x: &mut [T]) {
                per_type!(T, |same, F| <F as UnaryEntry>::unary_inplace(
                    UnaryOp::$op, None, same.slice_mut(x)
                ))
            }
        )*
    };
}

unary_ops! {
    internal {
        /// `e^x` for `x <= 0` with the kernels' own vectorised exp, what
        /// softmax and sigmoid use inside: for the accuracy tests. Results
        /// below the smallest normal number are flushed to zero; positive
        /// inputs give unspecified values.
        ExpLe0(kernel::ExpLe0) = "exp_le0";
    }
    /// ReLU: [`relu`], [`relu_inplace`].
    Relu(kernel::Relu) {
        /// ReLU, `out[i] = max(0, x[i])`, bit for bit what NumPy's
        /// `np.maximum(0, x)` gives.
        ///
        /// `x < 0` (including `-inf` and negative subnormals) gives `+0.0`;
        /// `-0.0`, `+0.0`, positives, subnormals, `+inf` and NaN (payload and
        /// sign bit) pass through unchanged.
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
        pub fn relu;
        /// [`relu`] in place.
        ///
        /// ```
        /// let mut x = [-1.0f64, -0.0, 0.5];
        /// nn_kernels::relu_inplace(&mut x);
        /// assert_eq!(x.map(f64::to_bits), [0.0f64, -0.0, 0.5].map(f64::to_bits));
        /// ```
        pub fn relu_inplace;
    }
    /// The step function: [`step`], [`step_inplace`].
    Step(kernel::Step) {
        /// The step function: `out[i] = 1` where `x[i] > 0`, else `0` (so
        /// NaN, `-0.0` and `+0.0` give `0`).
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
        pub fn step;
        /// [`step`] in place.
        ///
        /// ```
        /// let mut x = [-1.0f32, 0.0, 0.5];
        /// nn_kernels::step_inplace(&mut x);
        /// assert_eq!(x, [0.0, 0.0, 1.0]);
        /// ```
        pub fn step_inplace;
    }
    /// The logistic sigmoid: [`sigmoid`], [`sigmoid_inplace`].
    Sigmoid(kernel::Sigmoid) {
        /// The logistic sigmoid, `out[i] = 1 / (1 + e^-x[i])`.
        ///
        /// Computed from `e = e^-|x|` as `1 / (1 + e)` for `x >= 0` and
        /// `e / (1 + e)` for `x < 0`, so no input overflows: outputs lie in
        /// `[0, 1]`, `+inf` gives 1, `-inf` gives 0 and NaN gives NaN. The
        /// relative error against the exact sigmoid is at most 4 ε (ε =
        /// `T::EPSILON`): the kernels' `exp` errs by at most 2 ulp (1 ulp = ε
        /// relative at most), which the division passes on at most once, plus
        /// one rounding each for the sum and the quotient.
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
        pub fn sigmoid;
        /// [`sigmoid`] in place.
        ///
        /// ```
        /// let mut x = [0.0f64, f64::INFINITY, f64::NEG_INFINITY];
        /// nn_kernels::sigmoid_inplace(&mut x);
        /// assert_eq!(x, [0.5, 1.0, 0.0]);
        /// ```
        pub fn sigmoid_inplace;
    }
}

entry_points! {
    /// The family's entry points, compiled here for `f32` and `f64`; `isa`
    /// `None` is the selected tier.
    pub(crate) trait UnaryEntry {
        fn unary(
            op: UnaryOp,
            isa: Option<Supported>,
            x: &[Self],
            out: &mut [Self],
        ) -> Result<(), ShapeError> = run_split;
        fn unary_inplace(op: UnaryOp, isa: Option<Supported>, x: &mut [Self]) = run_inplace;
    }
}

/// Out of place: checks the lengths, then maps.
fn run_split<T: ExpFloat>(
    op: UnaryOp,
    isa: Option<Supported>,
    x: &[T],
    out: &mut [T],
) -> Result<(), ShapeError> {
    ShapeError::check_len(op.name(), "out", x.len(), out.len())?;
    if x.len() < op.short() {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = op.scalar(v);
        }
        return Ok(());
    }
    let isa = isa.unwrap_or_else(dispatch::selected);
    if use_threads(x.len()) {
        crate::threads::for_each_chunk_pair(x, PAR_TASK_ELEMS, out, PAR_TASK_ELEMS, |src, dst| {
            on_tier(isa, op, Split { src, dst })
        });
    } else {
        on_tier(isa, op, Split { src: x, dst: out });
    }
    Ok(())
}

/// In place.
fn run_inplace<T: ExpFloat>(op: UnaryOp, isa: Option<Supported>, x: &mut [T]) {
    if x.len() < op.short() {
        for v in x.iter_mut() {
            *v = op.scalar(*v);
        }
        return;
    }
    let isa = isa.unwrap_or_else(dispatch::selected);
    if use_threads(x.len()) {
        crate::threads::for_each_chunk(x, PAR_TASK_ELEMS, |c| on_tier(isa, op, InPlace(c)));
    } else {
        on_tier(isa, op, InPlace(x));
    }
}

fn use_threads(len: usize) -> bool {
    crate::threads::may_split(len >= PAR_MIN_ELEMS)
}

/// An element-wise map over `io`, as a kernel for every tier.
struct Map<T, I> {
    op: UnaryOp,
    io: I,
    elem: PhantomData<T>,
}

impl<T: ExpFloat, I: Io<T>> Kernel for Map<T, I> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        apply::<T, <T as SimdFloat>::Vec<S>>(self.op, self.io);
    }
}

/// Runs `op` over `io` on the tier `isa`.
fn on_tier<T: ExpFloat>(isa: Supported, op: UnaryOp, io: impl Io<T>) {
    let elem = PhantomData;
    dispatch::vectorize(isa, Map { op, io, elem });
}
