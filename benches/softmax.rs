//! Softmax throughput (elements/s): ours on every instruction-set tier the
//! CPU has (and an online variant built here), against a naive scalar loop, on one
//! thread and on all threads, plus the measurements behind
//! `softmax::PAR_MIN_ELEMS` (a two-way rayon split against the serial call)
//! and `softmax::two_pass_min_cols` (`softmax_passes_f32`: one row of 1 to
//! 64 MiB in three passes and in two, best tier, one thread), and the
//! log-softmax (`log_softmax_f32`).
//!
//! `cargo bench -p nn-kernels-benches --bench softmax`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nn_kernels::Float;
use nn_kernels::dispatch::{Supported, supported_isas};
use nn_kernels::internals::{self, Passes, RowCall, RowOp, SMALL_COLS, UnaryOp, row_call};
use std::hint::black_box;

/// Deterministic logits in [-7.5, 7.5]: rows spanning 15, under the 16 (f32)
/// below which the kernel skips its exact-subtraction correction.
fn data<T: Float>(n: usize) -> Vec<T> {
    spread_data(n, 15.0)
}

/// Deterministic values spread evenly over [-spread/2, spread/2].
fn spread_data<T: Float>(n: usize, spread: f64) -> Vec<T> {
    (0..n)
        .map(|i| T::from_f64(((i * 7919) % 1501) as f64 / 1500.0 * spread - spread / 2.0))
        .collect()
}

/// The textbook loop: max, exp, sum, divide, one row at a time.
fn naive<T: Float>(x: &[T], out: &mut [T], cols: usize) {
    for (x, out) in x.chunks(cols).zip(out.chunks_mut(cols)) {
        let max = x
            .iter()
            .fold(T::NEG_INFINITY, |m, &v| if v > m { v } else { m });
        let mut sum = T::ZERO;
        for (o, &v) in out.iter_mut().zip(x) {
            *o = (v - max).exp();
            sum = sum + *o;
        }
        for o in out.iter_mut() {
            *o = *o / sum;
        }
    }
}

/// The online variant the library's three-pass kernel was chosen over
/// (`BENCHMARKS.md`): per block of 1024 elements a running max and a sum
/// rescaled whenever the max grows, then a second pass that takes
/// `exp(x - max)` again and scales it. Its exponentials are the library's
/// own vectorised exp on the same tier (`exp_le0_with_isa`), so the two
/// differ in their passes over memory, not in the exp. Finite rows only.
fn online<T: Float>(isa: Supported, x: &[T], out: &mut [T], cols: usize, tmp: &mut Vec<T>) {
    const BLOCK: usize = 1024;
    tmp.resize(BLOCK, T::ZERO);
    for (x, out) in x.chunks(cols).zip(out.chunks_mut(cols)) {
        let (mut max, mut sum) = (T::NEG_INFINITY, T::ZERO);
        for (xb, ob) in x.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
            let bmax = xb.iter().fold(max, |m, &v| if v > m { v } else { m });
            for (o, &v) in ob.iter_mut().zip(xb) {
                *o = v - bmax;
            }
            let t = &mut tmp[..xb.len()];
            internals::unary(UnaryOp::ExpLe0, isa, ob, t).unwrap();
            let rescale = if max == T::NEG_INFINITY {
                T::ZERO
            } else {
                (max - bmax).exp()
            };
            sum = sum * rescale + t.iter().fold(T::ZERO, |s, &e| s + e);
            max = bmax;
        }
        let inv = T::ONE / sum;
        for (xb, ob) in x.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
            for (o, &v) in ob.iter_mut().zip(xb) {
                *o = v - max;
            }
            let t = &mut tmp[..xb.len()];
            internals::unary(UnaryOp::ExpLe0, isa, ob, t).unwrap();
            for (o, &e) in ob.iter_mut().zip(t.iter()) {
                *o = e * inv;
            }
        }
    }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn shapes<T: Float>(c: &mut Criterion, shapes: &[(usize, usize)]) {
    let all = rayon::current_num_threads();
    let mut g = c.benchmark_group(format!("softmax_{}", T::NAME));
    for &(rows, cols) in shapes {
        let x = data::<T>(rows * cols);
        let mut out = vec![T::ZERO; x.len()];
        // Elements, and bytes read plus written.
        let bytes = 2 * std::mem::size_of_val(x.as_slice()) as u64;
        g.throughput(Throughput::ElementsAndBytes {
            elements: x.len() as u64,
            bytes,
        });
        let id = format!("{rows}x{cols}");
        g.bench_function(BenchmarkId::new("naive", &id), |b| {
            b.iter(|| naive(black_box(&x), &mut out, cols))
        });
        // One thread, and all of them when that is more (one pool size
        // once: `RAYON_NUM_THREADS=1` would repeat a benchmark id).
        for threads in std::iter::once(1).chain((all > 1).then_some(all)) {
            let p = pool(threads);
            for isa in supported_isas() {
                let name = format!("{}/{threads}t", isa.isa());
                g.bench_function(BenchmarkId::new(name, &id), |b| {
                    p.install(|| {
                        b.iter(|| {
                            internals::rows(
                                row_call(RowOp::Softmax, false, isa),
                                black_box(&x),
                                &mut out,
                                cols,
                            )
                            .unwrap()
                        })
                    })
                });
                // The online variant only on the row path, one thread.
                if threads == 1 && cols > SMALL_COLS {
                    let mut tmp = Vec::new();
                    let name = format!("{}-online/{threads}t", isa.isa());
                    g.bench_function(BenchmarkId::new(name, &id), |b| {
                        b.iter(|| online(isa, black_box(&x), &mut out, cols, &mut tmp))
                    });
                }
            }
        }
    }
    g.finish();
}

fn softmax(c: &mut Criterion) {
    let f32_shapes = [
        (300, 3),
        (4096, 10),
        (1024, 1000),
        (64, 32000),
        (8192, 128),
        (32, 50257),
    ];
    shapes::<f32>(c, &f32_shapes);
    shapes::<f64>(c, &[(1024, 1000)]);
    wide(c);
}

/// Rows spanning 60: the exact-subtraction path, for its cost against `data`.
fn wide(c: &mut Criterion) {
    let (rows, cols) = (1024, 1000);
    let x = spread_data::<f32>(rows * cols, 60.0);
    let mut out = vec![0.0f32; x.len()];
    let mut g = c.benchmark_group("softmax_wide_f32");
    let bytes = 2 * std::mem::size_of_val(x.as_slice()) as u64;
    g.throughput(Throughput::ElementsAndBytes {
        elements: x.len() as u64,
        bytes,
    });
    for isa in supported_isas() {
        let id = format!("{rows}x{cols}");
        g.bench_function(BenchmarkId::new(format!("{}/1t", isa.isa()), id), |b| {
            pool(1).install(|| {
                b.iter(|| {
                    internals::rows(
                        row_call(RowOp::Softmax, false, isa),
                        black_box(&x),
                        &mut out,
                        cols,
                    )
                    .unwrap()
                })
            })
        });
    }
    g.finish();
}

/// Serial against a two-way split at sizes around the threshold: where the
/// split first wins is where `PAR_MIN_ELEMS` belongs.
fn threshold(c: &mut Criterion) {
    let mut g = c.benchmark_group("softmax_split_f32");
    let cols = 128;
    for elems in [4096usize, 8192, 16384, 32768, 65536] {
        let x = data::<f32>(elems);
        let mut out = vec![0.0f32; elems];
        g.throughput(Throughput::Elements(elems as u64));
        g.bench_function(BenchmarkId::new("serial", elems), |b| {
            b.iter(|| {
                for (x, o) in x.chunks(elems / 2).zip(out.chunks_mut(elems / 2)) {
                    nn_kernels::softmax_rows(black_box(x), o, cols).unwrap();
                }
            })
        });
        g.bench_function(BenchmarkId::new("join2", elems), |b| {
            b.iter(|| {
                let (xa, xb) = x.split_at(elems / 2);
                let (oa, ob) = out.split_at_mut(elems / 2);
                rayon::join(
                    || nn_kernels::softmax_rows(black_box(xa), oa, cols).unwrap(),
                    || nn_kernels::softmax_rows(black_box(xb), ob, cols).unwrap(),
                );
            })
        });
    }
    g.finish();
}

/// One long row in three passes against two, on the best tier: where two
/// first wins is where `two_pass_min_cols` belongs (it prints its value on
/// this CPU for comparison).
fn passes(c: &mut Criterion) {
    let isa = supported_isas().last().expect("the portable tier at least");
    eprintln!(
        "internals::two_pass_min_cols::<f32>() = {} on this CPU",
        internals::two_pass_min_cols::<f32>()
    );
    let mut g = c.benchmark_group("softmax_passes_f32");
    g.sample_size(10);
    for cols in [1usize << 18, 1 << 20, 1 << 21, 3 << 20, 1 << 22, 1 << 24] {
        let x = spread_data::<f32>(cols, 60.0);
        let mut out = vec![0.0f32; cols];
        g.throughput(Throughput::Elements(cols as u64));
        for (name, p) in [("three", Passes::Three), ("two", Passes::Two)] {
            g.bench_function(BenchmarkId::new(name, cols), |b| {
                pool(1).install(|| {
                    b.iter(|| {
                        internals::rows(
                            RowCall {
                                op: RowOp::Softmax,
                                masked: false,
                                isa: Some(isa),
                                passes: p,
                            },
                            black_box(&x),
                            &mut out,
                            cols,
                        )
                        .unwrap()
                    })
                })
            });
        }
    }
    g.finish();
}

/// Log-softmax throughput on every tier, one thread, beside the softmax of
/// the same shapes (`softmax_f32`): a 10-class head, a classifier's 1000
/// classes and a language model's vocabulary.
fn log_softmax(c: &mut Criterion) {
    let mut g = c.benchmark_group("log_softmax_f32");
    for (rows, cols) in [(4096usize, 10usize), (1024, 1000), (32, 50257)] {
        let x = data::<f32>(rows * cols);
        let mut out = vec![0.0f32; x.len()];
        g.throughput(Throughput::Elements(x.len() as u64));
        for isa in supported_isas() {
            let id = format!("{rows}x{cols}");
            g.bench_function(BenchmarkId::new(format!("{}/1t", isa.isa()), id), |b| {
                pool(1).install(|| {
                    b.iter(|| {
                        internals::rows(
                            row_call(RowOp::LogSoftmax, false, isa),
                            black_box(&x),
                            &mut out,
                            cols,
                        )
                        .unwrap()
                    })
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, softmax, threshold, passes, log_softmax);
criterion_main!(benches);
