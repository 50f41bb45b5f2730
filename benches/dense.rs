//! Dense layer throughput in FLOP/s (`Throughput::Elements(2·m·k·n)`, so
//! criterion's "elem/s" reads as FLOP/s), in one run:
//!
//! - ours on every tier (one thread), and on the selected tier with all
//!   threads: plain (`<tier>`), fused ReLU (`<tier>-relu`), ReLU as a second
//!   pass (`<tier>-unfused_relu`), prepacked weights (`<tier>-packed`,
//!   `<tier>-packed_relu`);
//! - yardsticks: `matrixmultiply` plus a bias pass, a naive triple loop,
//!   and the FMA peak of one core (`fma_peak_*`: independent FMA chains, no
//!   memory traffic);
//! - the chapter's whole forward pass (300 spiral samples: Dense(2, 3),
//!   ReLU, Dense(3, 3), softmax, argmax), samples per second;
//! - the threshold measurement behind `gemm::PAR_MIN_MACS_PER_LANE`;
//! - serial mode (`serial_mlp_f32`): a 784 -> 128 -> 10 pass for one sample
//!   in a `with_parallelism(Serial, ..)` scope, without it, and inside a
//!   one-thread pool's `install` (the only way before `Parallelism`),
//!   against its kernel calls timed alone.
//!
//! `cargo bench -p nn-kernels-benches --bench dense`; filter with a regex, e.g.
//! `cargo bench -p nn-kernels-benches --bench dense -- 'dense_f32/avx512'`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nn_kernels::dispatch::{Supported, supported_isas};
use nn_kernels::internals;
use nn_kernels::rng::NumpyRandomState;
use nn_kernels::{Activation, Dense, Float, PackedWeights, Weights, dense_packed};
use std::hint::black_box;

use common::data;
use nn_kernels_benches as common;

fn naive<T: Float>(x: &[T], w: &[T], bias: &[T], out: &mut [T], (m, k, n): (usize, usize, usize)) {
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
    let tiers: Vec<Supported> = supported_isas().collect();
    let best = *tiers.last().unwrap();
    let mut g = c.benchmark_group(format!("dense_{}", T::NAME));
    g.sample_size(10);
    for &(m, k, n) in shapes {
        let dims = (m, k, n);
        let (x, w, bias) = (data::<T>(m * k, 1), data::<T>(k * n, 2), data::<T>(n, 3));
        let mut out = vec![T::ZERO; m * n];
        g.throughput(Throughput::Elements((2 * m * k * n) as u64));
        let id = format!("{m}x{k}x{n}");
        let mut bench = |name: String, threads: usize, f: &mut (dyn FnMut(&mut [T]) + Send)| {
            let p = pool(threads);
            g.bench_function(BenchmarkId::new(format!("{name}/{threads}t"), &id), |b| {
                p.install(|| b.iter(|| f(black_box(&mut out))))
            });
        };
        for &isa in &tiers {
            let threads: &[usize] = if isa == best && all > 1 {
                &[1, all]
            } else {
                &[1]
            };
            let name = isa.isa().name();
            let packed =
                internals::pack(isa, Weights::inputs_by_neurons(&w, k, n).unwrap()).unwrap();
            for &t in threads {
                let run = |o: &mut [T], act| {
                    let w = Weights::inputs_by_neurons(&w, dims.1, dims.2).unwrap();
                    internals::dense(isa, &x, w, &bias, o, act).unwrap()
                };
                bench(name.to_string(), t, &mut |o| run(o, Activation::Identity));
                if isa != best {
                    continue;
                }
                bench(format!("{name}-relu"), t, &mut |o| run(o, Activation::Relu));
                bench(format!("{name}-unfused_relu"), t, &mut |o| {
                    run(o, Activation::Identity);
                    nn_kernels::relu_inplace(o);
                });
                let packed_run =
                    |o: &mut [T], act| dense_packed(&x, &packed, &bias, o, act).unwrap();
                bench(format!("{name}-packed"), t, &mut |o| {
                    packed_run(o, Activation::Identity)
                });
                bench(format!("{name}-packed_relu"), t, &mut |o| {
                    packed_run(o, Activation::Relu)
                });
            }
        }
        // matrixmultiply is built without its own threads here.
        bench("matrixmultiply".into(), 1, &mut |o| {
            common::matrixmultiply_dense(&x, &w, &bias, o, dims, false)
        });
        if m * k * n <= 1 << 25 {
            bench("naive".into(), 1, &mut |o| naive(&x, &w, &bias, o, dims));
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
            (64, 4096, 4096),
        ],
    );
    shapes::<f64>(c, &[(1024, 1024, 1024)]);
}

/// One core's FMA throughput: 16 independent chains of `_mm512_fmadd_ps`
/// (or `_pd`), 2 FLOPs per lane, no memory traffic. The yardstick the
/// dense results are read against, measured in the same run.
#[cfg(target_arch = "x86_64")]
fn fma_peak(c: &mut Criterion) {
    use std::arch::x86_64::*;
    const STEPS: usize = 10_000;
    #[target_feature(enable = "avx512f")]
    fn f32_chains() -> f32 {
        let mut acc = [_mm512_set1_ps(0.0); 16];
        let (b, d) = (_mm512_set1_ps(1.000_000_1), _mm512_set1_ps(1e-7));
        let (b, d) = (black_box(b), black_box(d));
        for _ in 0..STEPS {
            for a in &mut acc {
                *a = _mm512_fmadd_ps(*a, b, d);
            }
        }
        acc.iter().map(|&a| _mm512_reduce_add_ps(a)).sum()
    }
    #[target_feature(enable = "avx512f")]
    fn f64_chains() -> f64 {
        let mut acc = [_mm512_set1_pd(0.0); 16];
        let (b, d) = (_mm512_set1_pd(1.000_000_1), _mm512_set1_pd(1e-7));
        let (b, d) = (black_box(b), black_box(d));
        for _ in 0..STEPS {
            for a in &mut acc {
                *a = _mm512_fmadd_pd(*a, b, d);
            }
        }
        acc.iter().map(|&a| _mm512_reduce_add_pd(a)).sum()
    }
    if !is_x86_feature_detected!("avx512f") {
        return;
    }
    for (name, lanes) in [("f32", 16u64), ("f64", 8)] {
        let mut g = c.benchmark_group(format!("fma_peak_{name}"));
        g.throughput(Throughput::Elements(STEPS as u64 * 16 * lanes * 2));
        g.bench_function(BenchmarkId::new("avx512/1t", "16chains"), |b| {
            // SAFETY: AVX-512F was detected above.
            b.iter(|| unsafe {
                if name == "f32" {
                    black_box(f32_chains());
                } else {
                    black_box(f64_chains());
                }
            })
        });
        g.finish();
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn fma_peak(_: &mut Criterion) {}

/// The chapter's forward pass: Dense(2, 3), ReLU, Dense(3, 3), softmax,
/// argmax over 300 spiral samples, as samples per second.
fn chapter<T: Float>(c: &mut Criterion) {
    let mut rng = NumpyRandomState::new(0);
    let data = nn_kernels::spiral_data::<T, _>(100, 3, 0.2, &mut rng).unwrap();
    let d1 = Dense::<T>::new(2, 3, &mut rng);
    let d2 = Dense::<T>::new(3, 3, &mut rng);
    let (mut h, mut p) = (vec![T::ZERO; 900], vec![T::ZERO; 900]);
    let mut classes = vec![0usize; 300];
    let mut g = c.benchmark_group(format!("chapter_forward_{}", T::NAME));
    g.throughput(Throughput::Elements(300));
    let isa = nn_kernels::selected_isa().name();
    // Inside a pool of 1 and of all threads, as the peers run at both (this
    // pass is far below every parallel threshold, so both are serial).
    let all = rayon::current_num_threads();
    // (All threads only when that is more than one: `RAYON_NUM_THREADS=1`
    // would repeat a benchmark id.)
    for threads in std::iter::once(1).chain((all > 1).then_some(all)) {
        let pool = pool(threads);
        g.bench_function(BenchmarkId::new(format!("{isa}/{threads}t"), "300"), |b| {
            pool.install(|| {
                b.iter(|| {
                    d1.forward_with(black_box(&data.x), &mut h, Activation::Relu)
                        .unwrap();
                    d2.forward(&h, &mut p).unwrap();
                    nn_kernels::softmax_rows_inplace(&mut p, 3).unwrap();
                    nn_kernels::argmax_rows(&p, &mut classes, 3).unwrap();
                })
            })
        });
    }
    g.finish();
}

fn chapters(c: &mut Criterion) {
    chapter::<f32>(c);
    chapter::<f64>(c);
}

/// One call in a one-thread pool against the same call in a two-thread
/// pool, at sizes around the threshold: where the second thread first wins
/// is where `gemm::PAR_MIN_MACS_PER_LANE` belongs (below the threshold both
/// run the same single-threaded code).
fn threshold(c: &mut Criterion) {
    let mut g = c.benchmark_group("matmul_split_f32");
    let (k, n) = (128, 128);
    let (one, two) = (pool(1), pool(2));
    for m in [4usize, 8, 16, 32, 64, 128, 256] {
        let (a, b) = (data::<f32>(m * k, 1), data::<f32>(k * n, 2));
        let mut out = vec![0.0f32; m * n];
        g.throughput(Throughput::Elements((2 * m * k * n) as u64));
        for (name, p) in [("1_thread", &one), ("2_threads", &two)] {
            g.bench_function(BenchmarkId::new(name, m * k * n), |bch| {
                p.install(|| {
                    bch.iter(|| nn_kernels::matmul(black_box(&a), &b, &mut out, m, k, n).unwrap())
                })
            });
        }
    }
    g.finish();
}

/// Serial mode's cost: one sample through 784 -> 128 (ReLU) -> 10,
/// softmax and argmax, with packed weights, in a
/// `with_parallelism(Serial, ..)` scope (`pass/serial`), with no scope
/// (`pass/default`: every call is below its threshold, so also serial), and
/// inside a one-thread pool's `install` (`pass/install_1t`); and each of
/// its kernel calls alone (`part/*`), whose sum the serial pass should not
/// exceed by more than 10%.
fn serial_mlp(c: &mut Criterion) {
    use nn_kernels::{Parallelism, argmax_rows, softmax_rows_inplace, with_parallelism};
    let (k, h, n) = (784, 128, 10);
    let w1 = data::<f32>(k * h, 1);
    let w1 = PackedWeights::new(Weights::inputs_by_neurons(&w1, k, h).unwrap()).unwrap();
    let w2 = data::<f32>(h * n, 2);
    let w2 = PackedWeights::new(Weights::inputs_by_neurons(&w2, h, n).unwrap()).unwrap();
    let (b1, b2, x) = (data::<f32>(h, 3), data::<f32>(n, 4), data::<f32>(k, 5));
    let (mut hid, mut out, mut class) = (vec![0.0f32; h], vec![0.0f32; n], [0usize; 1]);
    let pass = |hid: &mut [f32], out: &mut [f32], class: &mut [usize]| {
        dense_packed(black_box(&x), &w1, &b1, hid, Activation::Relu).unwrap();
        dense_packed(hid, &w2, &b2, out, Activation::Identity).unwrap();
        softmax_rows_inplace(out, n).unwrap();
        argmax_rows(out, class, n).unwrap();
    };
    let mut g = c.benchmark_group("serial_mlp_f32");
    g.bench_function("pass/serial", |b| {
        b.iter(|| with_parallelism(Parallelism::Serial, || pass(&mut hid, &mut out, &mut class)))
    });
    g.bench_function("pass/default", |b| {
        b.iter(|| pass(&mut hid, &mut out, &mut class))
    });
    let one = pool(1);
    g.bench_function("pass/install_1t", |b| {
        b.iter(|| one.install(|| pass(&mut hid, &mut out, &mut class)))
    });
    g.bench_function("part/dense_784x128_relu", |b| {
        b.iter(|| dense_packed(black_box(&x), &w1, &b1, &mut hid, Activation::Relu).unwrap())
    });
    g.bench_function("part/dense_128x10", |b| {
        b.iter(|| dense_packed(black_box(&hid), &w2, &b2, &mut out, Activation::Identity).unwrap())
    });
    g.bench_function("part/softmax_argmax_10", |b| {
        b.iter(|| {
            softmax_rows_inplace(black_box(&mut out), n).unwrap();
            argmax_rows(&out, &mut class, n).unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, fma_peak, dense, chapters, threshold, serial_mlp);
criterion_main!(benches);
