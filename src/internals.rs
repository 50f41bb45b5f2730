//! Hooks for the crate's own tests and benches (feature `internals`):
//! every op of every family on a chosen tier, the op tables as one list
//! ([`Op::all`]) with a uniform call ([`Op::call`]) that the cross-cutting
//! test suites iterate over, and the tuning values tests derive their sizes
//! from.
//!
//! **Unstable**: not part of the crate's API, not covered by semver, and
//! changed whenever the kernels change. The tests and benches of this
//! repository turn the feature on (a dev-dependency on the crate itself);
//! users should not.
//!
//! Like the public functions, each hook forwards to the per-type entry
//! points compiled in the crate, so a test binary compiles no kernel.

use crate::activation::UnaryEntry;
use crate::argmax::ArgmaxEntry;
use crate::dense::GemmEntry;
use crate::dispatch::{Isa, Supported};
use crate::kind::per_type;
use crate::softmax::RowEntry;
use crate::{Activation, Float, PackedWeights, ShapeError, Weights};

pub use crate::activation::UnaryOp;
pub use crate::dense::GemmOp;
pub use crate::gemm::{CpuId, Entry, Level, Selected, Share, Shares, TABLE, entry_for};
/// The GEMM's shares of the caches in this process, and where they came
/// from (the table, `NN_KERNELS_GEMM_SHARES` or the default).
pub fn gemm_shares() -> Selected {
    crate::gemm::selected()
}
pub use crate::exp::{EXP_F32_LO, EXP_F32_MAX_ULPS, EXP_F64_LO, EXP_F64_MAX_ULPS};
pub use crate::softmax::{Passes, RowCall, RowOp};

/// The smallest slice an element-wise op splits across threads.
pub const UNARY_PAR_MIN_ELEMS: usize = crate::activation::PAR_MIN_ELEMS;
/// The smallest batch (elements) a row op splits across threads.
pub const ROWS_PAR_MIN_ELEMS: usize = crate::softmax::PAR_MIN_ELEMS;
/// Rows of at most this many elements take the row ops' across-rows path.
pub const SMALL_COLS: usize = crate::softmax::SMALL_COLS;
/// The most rows the three-pass softmax takes through each pass at a time.
pub const SOFTMAX_GROUP_MAX: usize = crate::softmax::GROUP_MAX;
/// The GEMM's threshold per vector lane (see `gemm::blocks`).
pub const PAR_MIN_MACS_PER_LANE: usize = crate::gemm::PAR_MIN_MACS_PER_LANE;

/// Batches of at least this many elements (of rows of 2 to 10) take
/// `argmax_rows`' tier kernel, smaller ones its row loop.
pub const ARGMAX_ACROSS_MIN_ELEMS: usize = crate::argmax::ACROSS_MIN_ELEMS;

/// An element-wise op out of place on tier `isa`.
///
/// # Errors
/// As the op's public function.
pub fn unary<T: Float>(
    op: UnaryOp,
    isa: Supported,
    x: &[T],
    out: &mut [T],
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as UnaryEntry>::unary(
        op,
        Some(isa),
        same.slice(x),
        same.slice_mut(out)
    ))
}

/// An element-wise op in place on tier `isa`.
pub fn unary_inplace<T: Float>(op: UnaryOp, isa: Supported, x: &mut [T]) {
    per_type!(T, |same, F| <F as UnaryEntry>::unary_inplace(
        op,
        Some(isa),
        same.slice_mut(x)
    ))
}

/// `argmax_rows` on tier `isa`.
///
/// # Errors
/// As `argmax_rows`.
pub fn argmax_rows<T: Float>(
    isa: Supported,
    x: &[T],
    out: &mut [usize],
    cols: usize,
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as ArgmaxEntry>::argmax_rows(
        Some(isa),
        same.slice(x),
        out,
        cols
    ))
}

/// A row op out of place as `call` says.
///
/// # Errors
/// As the op's public function.
pub fn rows<T: Float>(
    call: RowCall,
    x: &[T],
    out: &mut [T],
    cols: usize,
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as RowEntry>::rows(
        call,
        same.slice(x),
        same.slice_mut(out),
        cols
    ))
}

/// A row op in place as `call` says.
///
/// # Errors
/// As the op's public function.
pub fn rows_inplace<T: Float>(call: RowCall, x: &mut [T], cols: usize) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as RowEntry>::rows_inplace(
        call,
        same.slice_mut(x),
        cols
    ))
}

/// The arithmetic limit of the softmax of rows of `cols` on tier `isa`:
/// `reps` passes of its per-element operations (the exp in the mode such
/// rows take) over `x` (values at most 1, a length a multiple of two of the
/// widest tier's vectors, 32) into `out`, in one pass that stays in L1
/// (see `src/softmax/limit.rs`). Returns a value that depends on every
/// element.
///
/// # Panics
/// If `x` and `out` differ in length.
pub fn softmax_limit<T: Float>(
    isa: Supported,
    cols: usize,
    x: &[T],
    out: &mut [T],
    reps: usize,
) -> T {
    per_type!(T, |same, F| same.flip().value(
        <F as crate::softmax::LimitEntry>::softmax_limit(
            isa,
            cols,
            same.slice(x),
            same.slice_mut(out),
            reps
        )
    ))
}

/// A row op's call on tier `isa` with the public functions' algorithm.
pub fn row_call(op: RowOp, masked: bool, isa: Supported) -> RowCall {
    RowCall {
        op,
        masked,
        isa: Some(isa),
        passes: Passes::Auto,
    }
}

/// [`crate::matmul`] on tier `isa`.
///
/// # Errors
/// As [`crate::matmul`].
#[allow(clippy::too_many_arguments)] // the slice API and a tier
pub fn matmul<T: Float>(
    isa: Supported,
    a: &[T],
    b: &[T],
    out: &mut [T],
    m: usize,
    k: usize,
    n: usize,
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as GemmEntry>::matmul(
        Some(isa),
        same.slice(a),
        same.slice(b),
        same.slice_mut(out),
        (m, k, n)
    ))
}

/// [`crate::dense()`] on tier `isa`.
///
/// # Errors
/// As [`crate::dense()`].
pub fn dense<T: Float>(
    isa: Supported,
    x: &[T],
    w: Weights<'_, T>,
    bias: &[T],
    out: &mut [T],
    act: Activation,
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as GemmEntry>::dense(
        Some(isa),
        same.slice(x),
        w.retype(same),
        same.slice(bias),
        same.slice_mut(out),
        act
    ))
}

/// [`crate::dense()`] on tier `isa` with the GEMM's blocks sized by
/// `shares` rather than by this CPU's entry, and no activation: the
/// calibration bench's call.
///
/// # Errors
/// As [`crate::dense()`].
pub fn dense_with_shares<T: Float>(
    isa: Supported,
    shares: Shares,
    x: &[T],
    w: Weights<'_, T>,
    bias: &[T],
    out: &mut [T],
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as GemmEntry>::dense_shares(
        isa,
        shares,
        same.slice(x),
        w.retype(same),
        same.slice(bias),
        same.slice_mut(out)
    ))
}

/// [`crate::dense()`] through the crate's own BLIS loops on the portable
/// tier, whatever engine the portable tier picks for products (on x86-64
/// it runs `matrixmultiply` above a few thousand multiply-adds).
///
/// # Errors
/// As [`crate::dense()`].
pub fn dense_portable_blis<T: Float>(
    x: &[T],
    w: Weights<'_, T>,
    bias: &[T],
    out: &mut [T],
    act: Activation,
) -> Result<(), ShapeError> {
    per_type!(T, |same, F| <F as GemmEntry>::dense_portable_blis(
        same.slice(x),
        w.retype(same),
        same.slice(bias),
        same.slice_mut(out),
        act
    ))
}

/// [`PackedWeights::new`] for tier `isa`.
///
/// # Errors
/// As [`PackedWeights::new`].
pub fn pack<T: Float>(isa: Supported, w: Weights<'_, T>) -> Result<PackedWeights<T>, ShapeError> {
    per_type!(T, |same, F| <F as GemmEntry>::pack(
        Some(isa),
        w.retype(same)
    )
    .map(|p| p.retype(same.flip())))
}

/// A tier's GEMM blocking for `T` as `[MR, NR, KC, MC, NC]`, and the
/// deepest `k` of the narrow path (`None` for a tier this CPU lacks).
pub fn tile_dims<T: Float>(isa: Isa) -> Option<([usize; 5], usize)> {
    let isa = isa.supported()?;
    Some(per_type!(T, |_same, F| <F as GemmEntry>::tile_dims(
        isa, None
    )))
}

/// [`tile_dims`] with the blocks `shares` would give on this CPU's caches
/// rather than its entry's: the calibration bench's way to tell candidates
/// that block a product identically apart from those that do not.
pub fn tile_dims_with_shares<T: Float>(isa: Isa, shares: Shares) -> Option<([usize; 5], usize)> {
    let isa = isa.supported()?;
    Some(per_type!(T, |_same, F| <F as GemmEntry>::tile_dims(
        isa,
        Some(shares)
    )))
}

/// Lanes of the vectors tier `isa` runs `T` on (1 for a tier this build
/// lacks).
pub fn vector_lanes<T: Float>(isa: Isa) -> usize {
    per_type!(T, |_same, F| crate::dispatch::vector_lanes::<F>(isa))
}

/// Softmax rows spanning less than this skip the exact subtraction of the
/// max (`S` in `softmax_rows`' accuracy bound): 16 for `f32`, 64 for `f64`.
pub fn exact_spread<T: Float>() -> T {
    crate::softmax::exact_spread::<T>()
}

/// The shortest row the public softmax functions take in two passes here.
pub fn two_pass_min_cols<T: Float>() -> usize {
    crate::softmax::two_pass_min_cols::<T>()
}

mod op;
pub use op::{Arg, ArgCheck, Buf, Bufs, Op, Shape};

/// `[(path, function)]` for each test function's path under `crate`.
macro_rules! unit_tests {
    ($($($seg:ident)::+),* $(,)?) => {
        &[$((stringify!($($seg)::+), crate::$($seg)::+)),*]
    };
}

/// The unit tests of the crate's private items, by path: each function
/// panics on a failure. The suite runs them (`tests/suite/unit.rs`); the
/// library has no test target of its own (`test = false` in Cargo.toml),
/// which would compile every kernel a second time in each `cargo test`.
pub const UNIT_TESTS: &[(&str, fn())] = unit_tests![
    kind::tests::casts_are_identities,
    aligned::tests::buffers_start_on_a_line_and_keep_their_values,
    aligned::tests::packed_weights_start_on_a_line,
    dispatch::tests::the_cap_picks_a_detected_tier_at_or_below_it,
    cache::tests::sysfs_formats_parse,
    cache::tests::missing_levels_fall_back_in_order,
    cache::tests::detection_agrees_with_sysfs_where_both_exist,
    simd::tests::trait_defaults_and_overrides_on_every_tier,
    simd::pair::tests::loads_and_stores_keep_lane_order,
    simd::pair::tests::permute_and_reductions_span_both_halves,
    gemm::problem_tests::k_blocks_are_even_and_never_deeper_than_kc,
    gemm::tuning_tests::shares_parse_what_they_print,
    gemm::tuning_tests::table_entries_do_not_overlap,
    gemm::tuning_tests::the_cpus_measured_find_their_entry,
];
