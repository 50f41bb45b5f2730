//! The matrix multiply behind the dense layer: `out = act(x · w + bias)`,
//! row-major, with the bias and ReLU fused into the kernel. Internal: the
//! public functions are the dense family's (`crate::dense`).
//!
//! | file | what |
//! |---|---|
//! | `call.rs` | a whole product: engine, split across threads, entry into the tier per block; packing W once |
//! | `blocks.rs` | the blocking, from the tier's tile, this CPU's caches and its shares of them |
//! | `tuning.rs` | the shares per microarchitecture: the table keyed by CPUID, and its override |
//! | `engine.rs` | which code the portable tier runs: ours or `matrixmultiply` |
//! | `blis.rs` | the algorithm, once, over the tier's vector type and tile (see its table for the files of its paths, packing and microkernel) |
//! | `tiny.rs` | the smallest products: one scalar chain per output, no blocking |
//! | `matrixmultiply.rs` | `matrixmultiply` plus a bias store and an activation pass: the portable tier's product where it measures faster |
//!
//! A tier's tile shape is its `Tier::GemmTile` (in `src/simd/`). Every
//! output element is one chain of multiply-adds in `k` order from its bias
//! (fused on the x86 tiers: [`crate::reference::dense_fma_chain`] gives the
//! same bits), so the result does not depend on the blocking, the thread
//! count, or whether W was prepacked. Threads split the rows of `out` (or
//! its columns when there are few rows), never `k`.

mod blis;
mod blocks;
mod call;
mod direct;
mod engine;
mod matrixmultiply;
mod microkernel;
mod narrow;
mod pack;
mod packed;
mod problem;
mod scratch;
mod tiny;
mod tuning;
#[cfg(feature = "internals")]
pub(crate) use problem::tests as problem_tests;
#[cfg(feature = "internals")]
pub(crate) use tuning::tests as tuning_tests;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use tuning::{CpuId, Entry, Level, Selected, Share, Shares, TABLE, entry_for, selected};

pub(crate) use blis::NARROW_MAX_K;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub(crate) use blocks::PAR_MIN_MACS_PER_LANE;
pub(crate) use blocks::{blocks, budgets};
pub(crate) use call::{gemm, gemm_on, pack_weights};
pub(crate) use engine::{Engine, engine as engine_for};
pub(crate) use problem::Budgets;
pub(crate) use problem::{Epilogue, WeightData};
