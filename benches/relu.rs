//! ReLU throughput (elements/s), out of place and in place, on every
//! instruction-set tier the CPU has, against a naive loop and against
//! `copy_from_slice` of the same bytes (the memory-bound yardstick: ReLU
//! reads and writes as much as a copy), on one thread and on all threads.
//!
//! `cargo bench -p nn-kernels-benches --bench relu`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nn_kernels::dispatch::supported_isas;
use nn_kernels::internals::{self, UnaryOp};
use rayon::prelude::*;
use std::hint::black_box;

/// Elements per rayon task of the copy yardstick on several threads (the
/// kernels split themselves the same way above `PAR_MIN_ELEMS`).
const TASK: usize = 1 << 15;

fn relu(c: &mut Criterion) {
    let mut g = c.benchmark_group("relu_f32");
    let all = rayon::current_num_threads();
    for n in [4096usize, 262_144, 524_288, 1_048_576, 16_777_216] {
        let x: Vec<f32> = (0..n).map(|i| (i % 201) as f32 - 100.0).collect();
        let mut out = vec![0.0f32; n];
        // Elements, and bytes read plus written (4 + 4 per f32).
        g.throughput(Throughput::ElementsAndBytes {
            elements: n as u64,
            bytes: 8 * n as u64,
        });
        g.bench_function(BenchmarkId::new("naive/1t", n), |b| {
            b.iter(|| {
                for (o, &v) in out.iter_mut().zip(black_box(&x)) {
                    *o = if v < 0.0 { 0.0 } else { v };
                }
            })
        });
        // One thread, and all of them when that is more (one pool size
        // once: `RAYON_NUM_THREADS=1` would repeat a benchmark id).
        for threads in std::iter::once(1).chain((all > 1).then_some(all)) {
            // Below the threshold the kernels stay on one thread anyway.
            if threads > 1 && n < internals::UNARY_PAR_MIN_ELEMS / 2 {
                continue;
            }
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let t = format!("{threads}t");
            g.bench_function(BenchmarkId::new(format!("copy_from_slice/{t}"), n), |b| {
                pool.install(|| {
                    b.iter(|| {
                        if threads == 1 {
                            out.copy_from_slice(black_box(&x))
                        } else {
                            out.par_chunks_mut(TASK)
                                .zip(black_box(&x).par_chunks(TASK))
                                .for_each(|(o, x)| o.copy_from_slice(x))
                        }
                    })
                })
            });
            for isa in supported_isas() {
                g.bench_function(BenchmarkId::new(format!("{}/{t}", isa.isa()), n), |b| {
                    pool.install(|| {
                        b.iter(|| {
                            internals::unary(UnaryOp::Relu, isa, black_box(&x), &mut out).unwrap()
                        })
                    })
                });
                let mut buf = x.clone();
                g.bench_function(
                    BenchmarkId::new(format!("{}-inplace/{t}", isa.isa()), n),
                    |b| {
                        pool.install(|| {
                            b.iter(|| {
                                internals::unary_inplace(UnaryOp::Relu, isa, black_box(&mut buf))
                            })
                        })
                    },
                );
            }
        }
    }
    g.finish();
}

criterion_group!(benches, relu);
criterion_main!(benches);
