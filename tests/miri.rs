//! A small run of every kernel, sized for Miri (`cargo +nightly miri test
//! --test miri`), which checks the unsafe code for undefined behaviour: out
//! of bounds or misaligned accesses, invalid values, data races. Under Miri no
//! SIMD feature is detected, so the portable tier runs, as the dispatch
//! intends on such a CPU; the intrinsic tiers are covered by the guard-page
//! tests (`tests/memory.rs`) instead. Under Miri the portable tier's
//! products run the crate's own BLIS loops over `wide`'s vectors (outside
//! Miri, on x86-64, `matrixmultiply`), so this covers the narrow, direct and
//! packed paths, with prepacked weights, that the x86 tiers share.

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
        argmax_rows(&p, &mut idx, cols).unwrap();
    }
    let (m, k, n) = (3, 4, 5);
    let (x, w, b) = (vals(m * k), vals(k * n), vals(n));
    let mut out = vec![f32::NAN; m * n];
    dense(&x, &w, &b, &mut out, m, k, n, Activation::Relu).unwrap();
    let packed = nn_kernels::PackedWeights::new(&w, k, n).unwrap();
    nn_kernels::dense_packed(&x, &packed, &b, &mut out, Activation::Relu).unwrap();
    matmul(&x, &w, &mut out, m, k, n).unwrap();
    // One shape per path of the BLIS loops (portable tile: 4 x 8 f32, 4 x 4
    // f64; fallback caches: 32 KiB L1d, so W above 16 KiB is packed): narrow
    // (k <= 8, n <= one vector), direct (at most two tiles of rows, or a
    // small W), packed (more rows, W beyond half of L1d), each with partial
    // tiles at the edges, and the result checked against the f64 reference.
    for (m, k, n) in [(9, 3, 5), (7, 20, 19), (13, 11, 21), (11, 130, 41)] {
        check_dense::<f32>(m, k, n);
        check_dense::<f64>(m, k, n);
    }
    let data =
        spiral_data::<f64, _>(3, 2, 0.1, &mut nn_kernels::rng::NumpyRandomState::new(0)).unwrap();
    let layer = Dense::<f64>::new(2, 3, &mut nn_kernels::rng::default_rng(1));
    let mut h = vec![0.0; 6 * 3];
    layer.forward(&data.x, &mut h).unwrap();
}

fn check_dense<T: nn_kernels::Float>(m: usize, k: usize, n: usize) {
    let v = |n: usize, s: f64| -> Vec<T> {
        (0..n)
            .map(|i| T::from_f64(((i as f64 + s) * 0.37).sin()))
            .collect()
    };
    let (x, w, b) = (v(m * k, 0.0), v(k * n, 1.0), v(n, 2.0));
    let mut out = vec![T::NAN; m * n];
    dense(&x, &w, &b, &mut out, m, k, n, Activation::Identity).unwrap();
    let packed = nn_kernels::PackedWeights::new(&w, k, n).unwrap();
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
