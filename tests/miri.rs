//! A small run of every kernel, sized for Miri (`cargo +nightly miri test
//! --test miri`), which checks the unsafe code for undefined behaviour: out
//! of bounds or misaligned accesses, invalid values, data races. Under Miri no
//! SIMD feature is detected, so the portable tier runs, as the dispatch
//! intends on such a CPU; the intrinsic tiers are covered by the guard-page
//! tests (`tests/memory.rs`) instead.

use nn_kernels::{
    Activation, Dense, argmax_rows, dense, matmul, relu, relu_inplace, sigmoid, softmax_rows,
};
use nn_kernels::{softmax_rows_inplace, softmax_rows_masked, spiral_data, step};

fn vals(n: usize) -> Vec<f32> {
    (0..n).map(|i| (i as f32 * 0.37).sin() * 4.0).collect()
}

#[test]
fn every_kernel_on_small_inputs() {
    for n in [0usize, 1, 7, 8, 9, 17] {
        let x = vals(n);
        let mut out = vec![f32::NAN; n];
        relu(&x, &mut out).unwrap();
        step(&x, &mut out).unwrap();
        sigmoid(&x, &mut out).unwrap();
        let mut y = x.clone();
        relu_inplace(&mut y);
    }
    for cols in [1usize, 3, 17] {
        let x = vals(2 * cols);
        let mut p = vec![f32::NAN; x.len()];
        softmax_rows(&x, &mut p, cols).unwrap();
        softmax_rows_masked(&x, &mut p, cols).unwrap();
        let mut q = x.clone();
        softmax_rows_inplace(&mut q, cols).unwrap();
        let mut idx = [0usize; 2];
        argmax_rows(&p, cols, &mut idx).unwrap();
    }
    let (m, k, n) = (3, 4, 5);
    let (x, w, b) = (vals(m * k), vals(k * n), vals(n));
    let mut out = vec![f32::NAN; m * n];
    dense(&x, &w, &b, &mut out, m, k, n, Activation::Relu).unwrap();
    let packed = nn_kernels::PackedWeights::new(&w, k, n).unwrap();
    nn_kernels::dense_packed(&x, &packed, &b, &mut out, m, Activation::Relu).unwrap();
    matmul(&x, &w, &mut out, m, k, n).unwrap();
    let data =
        spiral_data::<f64, _>(3, 2, 0.1, &mut nn_kernels::rng::NumpyRandomState::new(0)).unwrap();
    let layer = Dense::<f64>::new(2, 3, &mut nn_kernels::rng::default_rng(1));
    let mut h = vec![0.0; 6 * 3];
    layer.forward(&data.x, &mut h).unwrap();
}
