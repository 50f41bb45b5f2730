//! Dense layer throughput in FLOP/s (2·m·k·n per call), ours (identity and
//! fused ReLU) against matrixmultiply plus a bias pass and a naive loop, and
//! the chapter's whole forward pass end to end.
//!
//! `cargo bench --bench dense`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nn_kernels::rng::NumpyRandomState;
use nn_kernels::{Activation, Dense, Float};
use std::hint::black_box;

fn data<T: Float>(n: usize, seed: usize) -> Vec<T> {
    (0..n)
        .map(|i| T::from_f64((((i + seed) * 7919) % 2001) as f64 / 1000.0 - 1.0))
        .collect()
}

fn naive<T: Float>(x: &[T], w: &[T], bias: &[T], out: &mut [T], m: usize, k: usize, n: usize) {
    for i in 0..m {
        for j in 0..n {
            let mut s = bias[j];
            for p in 0..k {
                s = s + x[i * k + p] * w[p * n + j];
            }
            out[i * n + j] = s;
        }
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn shapes<T: Float>(c: &mut Criterion, shapes: &[(usize, usize, usize)]) {
    let all = rayon::current_num_threads();
    let mut g = c.benchmark_group(format!("dense_{}", T::NAME));
    g.sample_size(10);
    for &(m, k, n) in shapes {
        let (x, w, bias) = (data::<T>(m * k, 1), data::<T>(k * n, 2), data::<T>(n, 3));
        let mut out = vec![T::ZERO; m * n];
        g.throughput(Throughput::Elements((2 * m * k * n) as u64));
        let id = format!("{m}x{k}x{n}");
        for threads in [1, all] {
            let p = pool(threads);
            for (name, act) in [
                ("ours", Activation::Identity),
                ("ours_relu", Activation::Relu),
            ] {
                g.bench_function(BenchmarkId::new(format!("{name}/{threads}t"), &id), |b| {
                    p.install(|| {
                        b.iter(|| {
                            nn_kernels::dense(black_box(&x), &w, &bias, &mut out, m, k, n, act)
                                .unwrap()
                        })
                    })
                });
            }
        }
        if m * k * n <= 1 << 21 {
            g.bench_function(BenchmarkId::new("naive", &id), |b| {
                b.iter(|| naive(black_box(&x), &w, &bias, &mut out, m, k, n))
            });
        }
    }
    g.finish();
}

fn dense(c: &mut Criterion) {
    shapes::<f32>(
        c,
        &[
            (300, 2, 3),
            (300, 3, 3),
            (1, 784, 128),
            (256, 784, 128),
            (1024, 1024, 1024),
        ],
    );
    shapes::<f64>(c, &[(256, 784, 128)]);
}

/// The chapter's forward pass: Dense(2, 3), ReLU, Dense(3, 3), softmax,
/// argmax over 300 spiral samples.
fn chapter(c: &mut Criterion) {
    let mut rng = NumpyRandomState::new(0);
    let data = nn_kernels::spiral_data::<f32, _>(100, 3, 0.2, &mut rng).unwrap();
    let d1 = Dense::<f32>::new(2, 3, &mut rng);
    let d2 = Dense::<f32>::new(3, 3, &mut rng);
    let (mut h, mut p, mut classes) = (vec![0.0f32; 900], vec![0.0f32; 900], vec![0usize; 300]);
    let mut g = c.benchmark_group("chapter_forward");
    g.throughput(Throughput::Elements(300));
    g.bench_function("f32/300", |b| {
        b.iter(|| {
            d1.forward_with(black_box(&data.x), &mut h, Activation::Relu)
                .unwrap();
            d2.forward(&h, &mut p).unwrap();
            nn_kernels::softmax_rows_inplace(&mut p, 3).unwrap();
            nn_kernels::argmax_rows(&p, 3, &mut classes).unwrap();
        })
    });
    g.finish();
}

/// Serial against a two-way split by rows at sizes around the threshold:
/// where the split first wins is where `gemm::PAR_MIN_MACS` belongs.
fn threshold(c: &mut Criterion) {
    let mut g = c.benchmark_group("matmul_split_f32");
    let (k, n) = (128, 128);
    for m in [32usize, 64, 128, 256, 512] {
        let (a, b) = (data::<f32>(m * k, 1), data::<f32>(k * n, 2));
        let mut out = vec![0.0f32; m * n];
        g.throughput(Throughput::Elements((2 * m * k * n) as u64));
        let half = m / 2;
        g.bench_function(BenchmarkId::new("serial", m * k * n), |bch| {
            bch.iter(|| {
                for (a, o) in a.chunks(half * k).zip(out.chunks_mut(half * n)) {
                    nn_kernels::matmul(black_box(a), &b, o, half, k, n).unwrap();
                }
            })
        });
        g.bench_function(BenchmarkId::new("join2", m * k * n), |bch| {
            bch.iter(|| {
                let (aa, ab) = a.split_at(half * k);
                let (oa, ob) = out.split_at_mut(half * n);
                rayon::join(
                    || nn_kernels::matmul(black_box(aa), &b, oa, half, k, n).unwrap(),
                    || nn_kernels::matmul(black_box(ab), &b, ob, half, k, n).unwrap(),
                );
            })
        });
    }
    g.finish();
}

criterion_group!(benches, dense, chapter, threshold);
criterion_main!(benches);
