//! The family's drivers: shape checks, the split across threads, and the
//! entry into the tier's kernel, generic over the op's kernel
//! ([`RowKernel`]).

use std::marker::PhantomData;

use super::kernel::RowKernel;
use super::short::SMALL_COLS;
use crate::dispatch::{self, Supported};
use crate::error::ShapeError;
use crate::exp::ExpFloat;
use crate::io::{InPlace, Io, Split};
use crate::simd::{Kernel, SimdFloat, Tier};

/// The smallest batch (in elements) that is split across rayon threads:
/// 16 Ki, where a two-way split has clearly paid for its fork
/// (`cargo bench -p nn-kernels-benches --bench softmax -- softmax_split`; BENCHMARKS.md,
/// "Softmax").
pub(crate) const PAR_MIN_ELEMS: usize = 16 * 1024;

/// Which algorithm rows longer than 16 elements take. Tests and benches
/// force one to compare them (`internals`).
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passes {
    /// Two passes for rows of at least `internals::two_pass_min_cols` elements,
    /// three for the rest: what the public functions do.
    Auto,
    /// Three passes at every length.
    Three,
    /// Two passes at every length.
    Two,
}

/// The shortest row (in elements of `T`) the public functions do in two
/// passes: a row as large as this core's share of the L3 cache, whose
/// input and output together (twice that) no longer stay in the cache
/// between the three passes, so their extra read and write of the row go
/// to memory (BENCHMARKS.md, "Softmax": the crossover measured between a
/// half and three quarters of the share). Derived from the cache sizes the
/// CPU reports, so it differs between machines, and with it, within the
/// accuracy bound, the bits of rows that long.
pub(crate) fn two_pass_min_cols<T>() -> usize {
    crate::cache::caches().l3_share() / size_of::<T>()
}

impl Passes {
    /// Whether rows of `cols` take two passes.
    fn two<T>(self, cols: usize) -> bool {
        match self {
            Passes::Auto => cols > SMALL_COLS && cols >= two_pass_min_cols::<T>(),
            Passes::Three => false,
            Passes::Two => true,
        }
    }
}

/// Where a call runs and how, beside its op: the public function's name
/// (for errors), the form, the tier (`None`: the selected one) and the
/// long rows' algorithm.
#[derive(Debug, Clone, Copy)]
pub(super) struct Form {
    pub op: super::RowOp,
    pub in_place: bool,
    pub masked: bool,
    pub isa: Option<Supported>,
    pub passes: Passes,
}

impl Form {
    /// The public function's name, for errors: looked up where a check
    /// uses it, so that (inlined) the lookup sinks into the error's branch
    /// and a call that passes its checks does not make it.
    #[inline(always)]
    fn name(&self) -> &'static str {
        self.op.name(self.masked, self.in_place)
    }
}

/// Rows per rayon task: enough that each task has `PAR_MIN_ELEMS / 2`
/// elements, so no task is so small that its fork costs more than its work.
fn rows_per_task(cols: usize) -> usize {
    (PAR_MIN_ELEMS / 2).div_ceil(cols).max(1)
}

fn use_threads(len: usize) -> bool {
    crate::threads::may_split(len >= PAR_MIN_ELEMS)
}

/// The op `K` on the rows of `x` into `out`: checks the shapes, then splits the
/// batch across threads by rows when it is large enough.
pub(super) fn rows_split<T: ExpFloat, K: RowKernel>(
    form: Form,
    x: &[T],
    out: &mut [T],
    cols: usize,
) -> Result<(), ShapeError> {
    ShapeError::rows(form.name(), "x", x.len(), cols)?;
    ShapeError::check_len(form.name(), "out", x.len(), out.len())?;
    if x.is_empty() {
        return Ok(());
    }
    let isa = form.isa.unwrap_or_else(dispatch::selected);
    if use_threads(x.len()) {
        let block = rows_per_task(cols) * cols;
        crate::threads::for_each_chunk_pair(x, block, out, block, |src, dst| {
            on_tier::<T, K>(isa, form, Split { src, dst }, cols)
        });
    } else {
        on_tier::<T, K>(isa, form, Split { src: x, dst: out }, cols);
    }
    Ok(())
}

/// [`rows_split`] in place.
pub(super) fn rows_inplace<T: ExpFloat, K: RowKernel>(
    form: Form,
    x: &mut [T],
    cols: usize,
) -> Result<(), ShapeError> {
    ShapeError::rows(form.name(), "x", x.len(), cols)?;
    if x.is_empty() {
        return Ok(());
    }
    let isa = form.isa.unwrap_or_else(dispatch::selected);
    if use_threads(x.len()) {
        crate::threads::for_each_chunk(x, rows_per_task(cols) * cols, |rows| {
            on_tier::<T, K>(isa, form, InPlace(rows), cols)
        });
    } else {
        on_tier::<T, K>(isa, form, InPlace(x), cols);
    }
    Ok(())
}

/// A row op on whole rows of `io`, as a kernel for every tier.
struct Rows<T, K, I> {
    io: I,
    cols: usize,
    masked: bool,
    two_pass: bool,
    op: PhantomData<(T, K)>,
}

impl<T: ExpFloat, K: RowKernel, I: Io<T>> Kernel for Rows<T, K, I> {
    type Output = ();
    #[inline(always)]
    fn run<S: Tier>(self, _: S) {
        K::rows::<T, <T as SimdFloat>::Vec<S>>(self.io, self.cols, self.masked, self.two_pass);
    }
}

/// Runs the op `K` on tier `isa` on whole rows of `io`.
#[inline(always)]
fn on_tier<T: ExpFloat, K: RowKernel>(isa: Supported, form: Form, io: impl Io<T>, cols: usize) {
    let kernel = Rows::<T, K, _> {
        io,
        cols,
        masked: form.masked,
        two_pass: form.passes.two::<T>(cols),
        op: PhantomData,
    };
    dispatch::vectorize(isa, kernel);
}
