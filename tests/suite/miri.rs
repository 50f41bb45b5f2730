//! A small run of every op, sized for Miri (`cargo +nightly miri test
//! --test suite -- miri::`), which checks the unsafe code for undefined
//! behaviour: out of bounds or misaligned accesses, invalid values, data
//! races. The ops come from the tables (`internals::Op::all()`), so an op
//! added to a table runs here too. Under Miri no SIMD feature is detected,
//! so the portable tier runs, as the dispatch intends on such a CPU; the
//! intrinsic tiers are covered by the guard-page passes of the testers and
//! `memory` instead. Under Miri the portable tier's products run the
//! crate's own BLIS loops over `wide`'s vectors (outside Miri, on x86-64,
//! `matrixmultiply`), so this covers the narrow, direct and packed paths,
//! with prepacked weights, that the x86 tiers share.

use nn_kernels::dispatch::supported_isas;
use nn_kernels::internals::{Buf, Bufs, Op, Shape};
use nn_kernels::{Activation, Float, Weights, dense};

fn vals<T: Float>(n: usize, s: f64) -> Vec<T> {
    (0..n)
        .map(|i| T::from_f64(((i as f64 + s) * 0.37).sin() * 4.0))
        .collect()
}

/// Every op of every table on small shapes (tails of every vector width,
/// rows of one and of more than 16, one tile and its edges), in place and
/// at an odd offset, on every tier this CPU (or Miri) has.
fn every_op<T: Float>() {
    let shapes = [
        Shape { m: 0, k: 2, n: 3 },
        Shape { m: 1, k: 1, n: 1 },
        Shape { m: 2, k: 3, n: 7 },
        Shape { m: 3, k: 9, n: 17 },
    ];
    for op in Op::all() {
        for s in shapes {
            let args = op.args(s);
            let len = |buf: Buf| args.iter().find(|a| a.buf == buf).map_or(0, |a| a.len);
            let x_len = if matches!(op, Op::Unary { .. }) {
                s.m * s.n
            } else {
                len(Buf::X)
            };
            // One element before each operand, so none starts aligned.
            let x = vals::<T>(x_len + 1, 0.0);
            let w = vals::<T>(len(Buf::W) + 1, 1.0);
            let b = vals::<T>(len(Buf::Bias) + 1, 2.0);
            let mut out = if op.in_place() {
                vals::<T>(len(Buf::Out) + 1, 3.0)
            } else {
                vec![T::NAN; len(Buf::Out) + 1]
            };
            let mut classes = vec![0; len(Buf::Classes)];
            for isa in supported_isas() {
                let bufs = Bufs {
                    x: &x[1..],
                    w: &w[1..],
                    bias: &b[1..],
                    out: &mut out[1..],
                    classes: &mut classes,
                };
                op.call(isa, bufs, s)
                    .unwrap_or_else(|e| panic!("{op:?} {s:?}: {e}"));
            }
        }
    }
}

#[test]
fn every_op_on_small_inputs() {
    every_op::<f32>();
    every_op::<f64>();
}

/// One shape per path of the BLIS loops (portable tile: 4 x 8 f32, 4 x 4
/// f64; fallback caches: 32 KiB L1d, so W above 16 KiB is packed): narrow
/// (k <= 8, n <= one vector), direct (at most two tiles of rows, or a
/// small W), packed (more rows, W beyond half of L1d), each with partial
/// tiles at the edges, and the result checked against the f64 reference.
#[test]
fn every_dense_path_against_the_reference() {
    for (m, k, n) in [(9, 3, 5), (7, 20, 19), (13, 11, 21), (11, 130, 41)] {
        check_dense::<f32>(m, k, n);
        check_dense::<f64>(m, k, n);
    }
}

fn check_dense<T: Float>(m: usize, k: usize, n: usize) {
    let (x, w, b) = (
        vals::<T>(m * k, 0.0),
        vals::<T>(k * n, 1.0),
        vals::<T>(n, 2.0),
    );
    let weights = Weights::inputs_by_neurons(&w, k, n).unwrap();
    let mut out = vec![T::NAN; m * n];
    dense(&x, weights, &b, &mut out, Activation::Identity).unwrap();
    let packed = nn_kernels::PackedWeights::new(weights).unwrap();
    let mut out_p = vec![T::NAN; m * n];
    nn_kernels::dense_packed(&x, &packed, &b, &mut out_p, Activation::Identity).unwrap();
    let (want, scale) = nn_kernels::reference::matmul_f64(&x, &w, Some(&b), m, k, n);
    // Any order of the k + 1 additions and multiplies (fused or not) errs by
    // at most gamma_{k+1}(u) times the sum of the terms' magnitudes
    // (`scale`); 2 (k + 1) u bounds gamma_{k+1} while (k + 1) u < 1/2.
    let u = T::EPSILON.to_f64() / 2.0;
    for i in 0..m * n {
        let tol = 2.0 * (k + 1) as f64 * u * scale[i];
        assert!(
            (out[i].to_f64() - want[i]).abs() <= tol,
            "{m}x{k}x{n} [{i}]"
        );
        assert_eq!(out[i].to_bits_u64(), out_p[i].to_bits_u64(), "packed [{i}]");
    }
}

/// The chapter's helpers and layer type.
#[test]
#[cfg(feature = "chapter")]
fn the_chapter_helpers() {
    let data = nn_kernels::spiral_data::<f64, _>(
        3,
        2,
        0.1,
        &mut nn_kernels::rng::NumpyRandomState::new(0),
    )
    .unwrap();
    let mut layer = nn_kernels::Dense::<f64>::new(2, 3, &mut nn_kernels::rng::default_rng(1));
    let mut h = vec![0.0; 6 * 3];
    layer.forward(&data.x, &mut h).unwrap();
    layer.prepare();
    let mut p = vec![0.0; 6 * 3];
    layer.forward(&data.x, &mut p).unwrap();
    assert_eq!(h, p);
}
