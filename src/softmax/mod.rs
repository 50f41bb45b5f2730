//! Row-wise softmax and log-softmax over a batch, the chapter's numerically
//! stable form: `out[r, j] = exp(x[r, j] - max_r) / Σ_j exp(x[r, j] -
//! max_r)`, and `x[r, j] - max_r - ln Σ_j exp(x[r, j] - max_r)`. The
//! special-value table and the accuracy bounds are in [`softmax_rows`]'s
//! and [`log_softmax_rows`]' docs.
//!
//! The family is the table at the `row_ops!` call below: each line is one
//! op, its kernel (`kernel.rs`, and the files it lists) and its four public
//! functions (out of place and in place, plain and masked). From it come
//! the public functions, their error names, the per-type entry points
//! compiled here (`RowEntry`) and the `internals` hooks the tests and
//! benches iterate over (`RowOp::ALL`).
//!
//! Batches of at least `PAR_MIN_ELEMS` (`driver.rs`) elements are split across
//! samples with rayon, inside the caller's current pool. Every row is
//! computed by the same code whatever the split, so results are bitwise
//! identical for any thread count, batch size and row position.

mod driver;
mod kernel;
#[cfg(feature = "internals")]
mod limit;
mod long;
mod short;
mod spread;
mod sum;
mod table;

#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use driver::Passes;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub(crate) use driver::{PAR_MIN_ELEMS, two_pass_min_cols};
#[cfg(feature = "internals")]
pub(crate) use limit::LimitEntry;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub(crate) use long::GROUP_MAX;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub(crate) use short::SMALL_COLS;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub(crate) use spread::exact_spread;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub(crate) use table::RowEntry;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use table::{RowCall, RowOp};
pub use table::{
    log_softmax_rows, log_softmax_rows_inplace, log_softmax_rows_masked,
    log_softmax_rows_masked_inplace, softmax_rows, softmax_rows_inplace, softmax_rows_masked,
    softmax_rows_masked_inplace,
};
