//! Times two kernel calls as a user's program makes them (a dense layer of
//! 784 -> 128 for 64 samples with ReLU, packed once; softmax of 64 rows of
//! 1000), median of 200 calls each, in microseconds. For the README's
//! "Build cost" note: built in the dev profile with
//! `--config 'profile.dev.package.nn-kernels.opt-level=3'` it should run as
//! fast as built with `--release`, since the kernels are compiled in
//! nn-kernels, at that package's opt-level, and not in this crate.

use std::hint::black_box;
use std::time::Instant;

use nn_kernels::{Activation, PackedWeights, Weights, dense_packed, softmax_rows};

fn median_us(mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..200)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() {
    let (m, k, n) = (64, 784, 128);
    let w: Vec<f32> = (0..k * n).map(|i| ((i % 13) as f32 - 6.0) * 0.01).collect();
    let w = PackedWeights::new(Weights::inputs_by_neurons(&w, k, n).unwrap()).unwrap();
    let x: Vec<f32> = (0..m * k).map(|i| ((i % 7) as f32) * 0.1).collect();
    let bias = vec![0.1f32; n];
    let mut out = vec![0.0f32; m * n];
    let dense = median_us(|| {
        dense_packed(black_box(&x), &w, &bias, &mut out, Activation::Relu).unwrap();
    });
    let s: Vec<f32> = (0..64 * 1000).map(|i| ((i % 101) as f32) * 0.05).collect();
    let mut p = vec![0.0f32; s.len()];
    let softmax = median_us(|| softmax_rows(black_box(&s), &mut p, 1000).unwrap());
    println!("dense 64x784x128 relu: {dense:.1} us; softmax 64x1000: {softmax:.1} us");
}
