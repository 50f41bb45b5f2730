//! The dense layer on small arbitrary dims and values: within the f64
//! reference's bound `γ_{k+1} Σ|x||w|` (both precisions' roundings) wherever
//! the inputs are finite; fused ReLU equal to ReLU after; prepacked weights
//! equal to row-major ones; on the x86 tiers, the FMA chain bit for bit;
//! `out` fully written; no panic for any dims. Dims reach past a tile (6
//! rows, 2 x 64 columns) and the narrow path's `k <= 8`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nn_kernels::reference::matmul_f64;
use nn_kernels::{Activation, Weights, dense};

fn gamma(n: usize, u: f64) -> f64 {
    n as f64 * u / (1.0 - n as f64 * u)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (m, k, n) = (data[0] as usize % 17, data[1] as usize % 70, data[2] as usize % 140);
    let vals: Vec<f32> = data[3..]
        .chunks_exact(2)
        // Two bytes per value: a small-magnitude float with a sign, so sums
        // stay finite and the bound is meaningful.
        .map(|b| (i16::from_le_bytes([b[0], b[1]]) as f32) / 256.0)
        .collect();
    let need = m * k + k * n + n;
    if vals.len() < need {
        // Too short: exercise the error path instead.
        let mut out = vec![0.0f32; m * n];
        if let Ok(w) = Weights::inputs_by_neurons(&vals, k, n) {
            let _ = dense(&vals, w, &vals, &mut out, Activation::Relu);
        }
        return;
    }
    let (x, rest) = vals.split_at(m * k);
    let (w, rest) = rest.split_at(k * n);
    let b = &rest[..n];
    let weights = Weights::inputs_by_neurons(w, k, n).unwrap();
    let mut out = vec![f32::NAN; m * n];
    dense(x, weights, b, &mut out, Activation::Identity).unwrap();
    let (want, scale) = matmul_f64(x, w, Some(b), m, k, n);
    let bound = |i: usize| (gamma(k + 1, f32::EPSILON as f64 / 2.0) + gamma(k + 1, f64::EPSILON / 2.0)) * scale[i];
    for i in 0..m * n {
        assert!((out[i] as f64 - want[i]).abs() <= bound(i), "{m}x{k}x{n} [{i}]: {} vs {}", out[i], want[i]);
    }
    let mut fused = vec![f32::NAN; m * n];
    dense(x, weights, b, &mut fused, Activation::Relu).unwrap();
    nn_kernels::relu_inplace(&mut out);
    assert!(fused.iter().zip(&out).all(|(a, c)| a.to_bits() == c.to_bits()));
    // Prepacked weights: the same bits.
    let packed = nn_kernels::PackedWeights::new(weights).unwrap();
    let mut pre = vec![f32::NAN; m * n];
    nn_kernels::dense_packed(x, &packed, b, &mut pre, Activation::Relu).unwrap();
    assert!(pre.iter().zip(&fused).all(|(a, c)| a.to_bits() == c.to_bits()));
    // The x86 tiers compute exactly the FMA chain.
    if nn_kernels::selected_isa() != nn_kernels::dispatch::Isa::Portable {
        let chain = nn_kernels::reference::dense_fma_chain(x, w, Some(b), true, (m, k, n));
        assert!(chain.iter().zip(&fused).all(|(a, c)| a.to_bits() == c.to_bits()));
    }
});
