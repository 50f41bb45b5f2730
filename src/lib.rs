//! # nn-kernels
//!
//! CPU kernels for neural-network forward passes: the dense layer (matrix
//! multiply with bias and ReLU in one call), ReLU and its relatives, and a
//! batch softmax (and log-softmax) over rows, for `f32` and `f64`, behind a
//! plain slice API.
//!
//! Every function takes row-major slices plus their shapes, checks the shapes
//! before touching data, and returns a [`ShapeError`] instead of panicking.
//! Special values follow NumPy (see [`softmax_rows`] and [`relu`]).
//!
//! ## Inference
//! Pack each layer's weights once ([`PackedWeights`], from NumPy's
//! `inputs x neurons` or PyTorch's and ONNX's `neurons x inputs`), then run
//! batches through [`dense_packed`] (or [`dense_packed_prefix`], into
//! buffers sized once for the largest batch), [`softmax_rows_inplace`] and
//! [`argmax_rows`]. Large calls split across rayon's threads;
//! [`with_parallelism`] keeps a scope on the calling thread:
//!
//! ```
//! use nn_kernels::{
//!     Activation, PackedWeights, Parallelism, WeightLayout, argmax_rows, dense_packed_prefix,
//!     softmax_rows_inplace, with_parallelism,
//! };
//! // A 2 -> 2 -> 2 classifier with weights as PyTorch stores them (out x in).
//! let w1 = PackedWeights::with_layout(&[1.0f32, -1.0, -1.0, 1.0], 2, 2, WeightLayout::NeuronsByInputs)?;
//! let w2 = PackedWeights::with_layout(&[1.0f32, 0.0, 0.0, 1.0], 2, 2, WeightLayout::NeuronsByInputs)?;
//! let (b1, b2) = ([0.0f32; 2], [0.0f32; 2]);
//! // Buffers for the largest batch, reused by every call.
//! const MAX_BATCH: usize = 256;
//! let (mut hidden, mut probs) = (vec![0.0; MAX_BATCH * 2], vec![0.0; MAX_BATCH * 2]);
//! let mut classes = vec![0; MAX_BATCH];
//!
//! let batch = [3.0f32, 1.0, /**/ 0.0, 2.0]; // two samples
//! let rows = batch.len() / 2;
//! with_parallelism(Parallelism::Serial, || {
//!     let h = dense_packed_prefix(&batch, &w1, &b1, &mut hidden, rows, Activation::Relu)?;
//!     let p = dense_packed_prefix(h, &w2, &b2, &mut probs, rows, Activation::Identity)?;
//!     softmax_rows_inplace(p, 2)?;
//!     argmax_rows(p, &mut classes[..rows], 2)
//! })?;
//! assert_eq!(classes[..rows], [0, 1]);
//! # Ok::<(), nn_kernels::ShapeError>(())
//! ```
//!
//! ## The chapter
//! The crate grew out of a two-layer network's forward pass in NumPy (spiral
//! data, `Dense(2, 3)`, ReLU, `Dense(3, 3)`, softmax, argmax), and reproduces
//! it exactly with `rng::NumpyRandomState` (the default `chapter` feature
//! holds these helpers):
//!
//! ```
//! # #[cfg(feature = "chapter")] {
//! use nn_kernels::{argmax_rows, relu_inplace, softmax_rows_inplace, spiral_data, Dense};
//! use nn_kernels::rng::NumpyRandomState;
//!
//! let mut rng = NumpyRandomState::new(0); // np.random.seed(0)
//! let data = spiral_data::<f64, _>(100, 3, 0.2, &mut rng)?;
//! let dense1 = Dense::new(2, 3, &mut rng);
//! let dense2 = Dense::new(3, 3, &mut rng);
//!
//! let mut hidden = vec![0.0; 300 * 3];
//! dense1.forward(&data.x, &mut hidden)?;
//! relu_inplace(&mut hidden);
//! let mut probs = vec![0.0; 300 * 3];
//! dense2.forward(&hidden, &mut probs)?;
//! softmax_rows_inplace(&mut probs, 3)?;
//! assert!((probs[3] - 0.33333317).abs() < 5e-9); // the chapter's second row
//!
//! let mut classes = vec![0; 300];
//! argmax_rows(&probs, &mut classes, 3)?;
//! # }
//! # Ok::<(), nn_kernels::ShapeError>(())
//! ```
//!
//! ## Features
//! - `rayon` (default): large calls split across rayon's threads (see
//!   [`Parallelism`]); without it rayon is not compiled and every call runs
//!   on the calling thread.
//! - `chapter` (default): the textbook's helpers, `spiral_data`,
//!   `linspace`, `numpy_print`, `rng::NumpyRandomState`, `rng::default_rng`;
//!   without it `rand` and `rand_xoshiro` are not compiled.
//! - `ndarray` (off by default): `nd`, the kernels on `ndarray` views.
//!
//! ## Instruction sets
//! Each kernel runs on AVX-512, AVX2 + FMA or the build's baseline
//! (`wide`'s vectors: SSE2, NEON, simd128), and the best tier the CPU
//! supports is chosen once at run time ([`selected_isa`]; see [`dispatch`]).
//! No `RUSTFLAGS` are needed.
//!
//! ## Layout, and how to extend it
//! A tier is a type in `src/simd/` (one file each: its vectors, its CPU
//! check, its one `#[target_feature]` function, its GEMM tile) plus one line
//! of the tier table in `src/dispatch.rs`. A kernel family is a folder (or a
//! file): `mod.rs` holds the safe API and its checks and makes one call to
//! `dispatch::vectorize`; `kernel.rs` holds the algorithm, written once over
//! the tier's vector type; each kernel's scalar definition is in
//! [`reference`](mod@reference), the tests' oracle. The matrix multiply
//! ([`gemm`]) follows BLIS, its files split by loop (`blis.rs` lists them),
//! and ends every tile with an epilogue: the bias it started from, then an
//! [`Activation`], which runs the same lane map as that activation's own
//! kernel. So a new tier is one file and one table line, and a new fused
//! activation is one lane map and one [`Activation`] variant; the README's
//! "Extending" section lists the files.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod activation;
mod argmax;
pub mod cache;
#[cfg(feature = "chapter")]
mod data;
mod dense;
pub mod dispatch;
mod error;
mod exp;
mod float;
pub mod gemm;
mod io;
#[cfg(feature = "ndarray")]
#[cfg_attr(docsrs, doc(cfg(feature = "ndarray")))]
pub mod nd;
#[cfg(feature = "chapter")]
#[cfg_attr(docsrs, doc(cfg(feature = "chapter")))]
pub mod numpy_print;
pub mod reference;
pub mod rng;
mod simd;
pub mod softmax;
mod threads;

// Each item's page is in its module, which documents the family (the
// special-value tables, the accuracy bounds); the root lists it as a
// re-export (`no_inline`), so no item is documented under two paths.
#[doc(no_inline)]
pub use activation::{
    Activation, relu, relu_inplace, sigmoid, sigmoid_inplace, step, step_inplace,
};
pub use argmax::argmax_rows;
#[cfg(feature = "chapter")]
#[cfg_attr(docsrs, doc(cfg(feature = "chapter")))]
pub use data::{Spiral, linspace, spiral_data};
#[doc(hidden)]
pub use dense::dense_with_isa;
pub use dense::{Dense, PackedWeights, WeightLayout, dense, dense_packed, dense_packed_prefix};
#[doc(no_inline)]
pub use dispatch::selected_isa;
pub use error::{ShapeError, ShapeErrorKind};
#[doc(hidden)]
pub use exp::{EXP_F32_LO, EXP_F32_MAX_ULPS, EXP_F64_LO, EXP_F64_MAX_ULPS};
pub use float::Float;
#[doc(no_inline)]
pub use gemm::matmul;
/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[doc(no_inline)]
pub use softmax::{
    log_softmax_rows, log_softmax_rows_inplace, log_softmax_rows_masked,
    log_softmax_rows_masked_inplace, softmax_rows, softmax_rows_inplace, softmax_rows_masked,
    softmax_rows_masked_inplace,
};
pub use threads::{Parallelism, parallelism, with_parallelism};
