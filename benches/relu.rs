//! ReLU throughput (elements/s), in place and out of place, against a naive
//! loop and against `copy_from_slice` of the same bytes (the memory-bound
//! yardstick: ReLU cannot beat a copy).
//!
//! `cargo bench --bench relu`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn relu(c: &mut Criterion) {
    let mut g = c.benchmark_group("relu_f32");
    for n in [4096usize, 262_144, 16_777_216] {
        let x: Vec<f32> = (0..n).map(|i| (i % 201) as f32 - 100.0).collect();
        let mut out = vec![0.0f32; n];
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("copy_from_slice", n), |b| {
            b.iter(|| out.copy_from_slice(black_box(&x)))
        });
        g.bench_function(BenchmarkId::new("naive", n), |b| {
            b.iter(|| {
                for (o, &v) in out.iter_mut().zip(black_box(&x)) {
                    *o = if v < 0.0 { 0.0 } else { v };
                }
            })
        });
        g.bench_function(BenchmarkId::new("ours", n), |b| {
            b.iter(|| nn_kernels::relu(black_box(&x), &mut out).unwrap())
        });
        let mut buf = x.clone();
        g.bench_function(BenchmarkId::new("ours_inplace", n), |b| {
            b.iter(|| nn_kernels::relu_inplace(black_box(&mut buf)))
        });
    }
    g.finish();
}

criterion_group!(benches, relu);
criterion_main!(benches);
