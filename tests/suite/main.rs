//! The integration tests, as one test binary: one build and one link of the
//! crate's test hooks serve every suite. Each module is one concern:
//!
//! | module | what |
//! |---|---|
//! | `kernels`, `gemm`, `log_softmax`, `dense` | every kernel against its scalar reference on every tier, over sizes derived from the tile and vector widths, through each family's tester (`common::{unary, softmax, gemm}`) |
//! | `accuracy`, `exhaustive` | the exp and softmax against their documented error bounds (`exhaustive`: every `f32`, ignored by default) |
//! | `properties` | proptest properties: softmax rows sum to one, shift invariance, no overflow, dense against `f64` |
//! | `errors`, `layer_errors` | every public function's shape errors, from the op tables; the layer's and the chapter helpers' |
//! | `memory` | every op against unmapped pages, at sub-slice offsets |
//! | `concurrency`, `serial` | the same bits on any thread count; `Parallelism::Serial` makes no rayon call |
//! | `recorded_bits` | every output on the x86 tiers and the portable tier's element-wise and row ops, bit for bit as recorded |
//! | `miri` | a small run of every op, sized for Miri (`cargo +nightly miri test --test suite -- miri::`) |
//! | `allocation`, `dispatch` | no allocation per call in steady state; the tier choice and its cap |
//! | `unit` | the unit tests of private items, which live in `src/` beside their code (`internals::UNIT_TESTS`) |
//! | `golden`, `chapter4`, `nd_adapters` | against NumPy's numbers, the chapter's printed output, the `ndarray` adapters |
//!
//! The cross-cutting suites (`errors`, `memory`, `concurrency`, `serial`,
//! `recorded_bits`, `miri`) iterate over `internals::Op::all()`, which the
//! families' op tables make: an op added to a table goes through each.

mod common;

mod accuracy;
mod allocation;
#[cfg(feature = "chapter")]
mod chapter4;
mod concurrency;
mod dense;
mod dispatch;
mod errors;
mod exhaustive;
mod gemm;
#[cfg(feature = "chapter")]
mod golden;
mod kernels;
mod layer_errors;
mod log_softmax;
mod memory;
mod miri;
mod nd_adapters;
mod properties;
mod recorded_bits;
mod serial;
mod unit;
