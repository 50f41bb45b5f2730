//! # nn-kernels
//!
//! CPU kernels for neural-network forward passes, for `f32` and `f64`,
//! behind a plain slice API:
//!
//! | kernel | computes |
//! |---|---|
//! | [`dense`](fn@dense) | `out = act(x · w + bias)`: a dense layer, bias and ReLU fused into the product, weights read in place |
//! | [`dense_packed`], [`dense_packed_prefix`] | the same with weights packed once ([`PackedWeights`]): the inference path |
//! | [`matmul`] | `out = a · b` |
//! | [`relu`], [`step`], [`sigmoid`] (and `_inplace`) | element-wise activations, NumPy's special values |
//! | [`softmax_rows`], [`log_softmax_rows`] (and `_inplace`, `_masked`) | softmax and log-softmax of each row, numerically stable, with a derived error bound |
//! | [`argmax_rows`] | the index of each row's maximum, as NumPy's `argmax(axis=1)` |
//!
//! Every function takes row-major slices plus their shapes, checks the
//! shapes before touching data, and returns a [`ShapeError`] instead of
//! panicking. Each runs on the best instruction set the CPU has (AVX-512,
//! AVX2 + FMA, or the build's baseline: [`selected_isa`]), chosen at run
//! time with no `RUSTFLAGS`, and splits large calls across rayon's threads
//! ([`with_parallelism`] keeps a scope on the calling thread). The kernels
//! are compiled once, in this crate, for both element types: a crate that
//! calls them compiles only a call.
//!
//! ## Inference
//! Describe each layer's weights as they lie in memory ([`Weights`]:
//! NumPy's `inputs x neurons`, or PyTorch's and ONNX's `neurons x inputs`,
//! each with its shape as the tensor states it), pack them once, then run
//! batches through [`dense_packed_prefix`] (into buffers sized once for the
//! largest batch), [`softmax_rows_inplace`] and [`argmax_rows`]:
//!
//! ```
//! use nn_kernels::{
//!     Activation, PackedWeights, Parallelism, Weights, argmax_rows, dense_packed_prefix,
//!     softmax_rows_inplace, with_parallelism,
//! };
//! // A 2 -> 2 -> 2 classifier with weights as PyTorch stores them (out x in).
//! let w1 = PackedWeights::new(Weights::neurons_by_inputs(&[1.0f32, -1.0, -1.0, 1.0], 2, 2)?)?;
//! let w2 = PackedWeights::new(Weights::neurons_by_inputs(&[1.0f32, 0.0, 0.0, 1.0], 2, 2)?)?;
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
//! - `internals` (off by default, unstable): hooks for this repository's
//!   tests and benches.
//!
//! How the crate is laid out, and how to add a tier or an op: CONTRIBUTING.md.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod activation;
mod aligned;
mod argmax;
pub mod cache;
#[cfg(feature = "chapter")]
mod data;
mod dense;
pub mod dispatch;
mod error;
mod exp;
mod float;
mod gemm;
#[cfg(feature = "internals")]
#[cfg_attr(docsrs, doc(cfg(feature = "internals")))]
pub mod internals;
mod io;
mod kind;
#[cfg(feature = "ndarray")]
#[cfg_attr(docsrs, doc(cfg(feature = "ndarray")))]
pub mod nd;
#[cfg(feature = "chapter")]
#[cfg_attr(docsrs, doc(cfg(feature = "chapter")))]
pub mod numpy_print;
pub mod reference;
pub mod rng;
mod simd;
mod softmax;
mod threads;

pub use activation::{
    Activation, relu, relu_inplace, sigmoid, sigmoid_inplace, step, step_inplace,
};
pub use argmax::argmax_rows;
#[cfg(feature = "chapter")]
#[cfg_attr(docsrs, doc(cfg(feature = "chapter")))]
pub use data::{Spiral, linspace, spiral_data};
pub use dense::{Dense, PackedWeights, Weights, dense, dense_packed, dense_packed_prefix, matmul};
#[doc(no_inline)]
pub use dispatch::selected_isa;
pub use error::{ShapeError, ShapeErrorKind};
pub use float::Float;
pub use softmax::{
    log_softmax_rows, log_softmax_rows_inplace, log_softmax_rows_masked,
    log_softmax_rows_masked_inplace, softmax_rows, softmax_rows_inplace, softmax_rows_masked,
    softmax_rows_masked_inplace,
};
pub use threads::{Parallelism, parallelism, with_parallelism};

/// The README's code blocks, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
