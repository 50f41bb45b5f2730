//! The dense layer: `out = activation(x · w + bias)` on weights read in
//! place ([`Weights`]) or packed once ([`PackedWeights`]), the plain
//! matrix product beside it, and the [`Dense`] layer type that owns its
//! weights as the chapter's `Layer_Dense` does. The product itself is
//! `crate::gemm`.
//!
//! | file | what |
//! |---|---|
//! | `table.rs` | the ops ([`GemmOp`]), their public functions, the per-type entries and their shape checks |
//! | `weights.rs` | [`Weights`] and [`PackedWeights`] |
//! | `pack.rs` | packing and unpacking them, through the entry points |
//! | `layer.rs` | [`Dense`] |

mod drive;
mod layer;
mod pack;
mod table;
mod weights;

pub use layer::Dense;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub(crate) use table::GemmEntry;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use table::GemmOp;
pub use table::{dense, dense_packed, dense_packed_prefix, matmul};
pub use weights::{PackedWeights, Weights};
