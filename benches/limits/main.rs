//! The kernels against their machine limits, measured in the same run:
//! what fraction of what this CPU can do each kernel reaches.
//!
//! ```text
//! cargo bench -p nn-kernels-benches --bench limits                # every section
//! cargo bench -p nn-kernels-benches --bench limits -- limits      # or: gemm, softmax, relu, calls, mlp
//! ```
//!
//! Options: `--reps N` (default 11), `--quick` (fewer shapes, 3 reps).
//!
//! - **limits**: the FMA peak per tier and type (12 independent chains of the tier's
//!   multiply-add on registers), read bandwidth (a sum in 256-bit loads)
//!   and copy bandwidth (256-bit loads and stores) of buffers sized for L1d, L2,
//!   this core's L3 share, and memory (half of each level; 256 MiB).
//! - **gemm**: `dense` (row-major W) and `dense_packed` on the selected tier,
//!   GFLOP/s and the fraction of the FMA peak, 1 and 2 threads.
//! - **softmax**: every tier, rows that fit L2 with their output, one
//!   thread: ns an element, and the limit's over it. The limit is the same
//!   per-element arithmetic (the exp in the mode rows of that length take)
//!   on data in L1 in one pass (`nn_kernels::internals::softmax_limit`;
//!   `src/softmax/limit.rs`).
//! - **relu**: every tier, out of place, against a copy of the same bytes (the same reads and writes: the limit) at each level.
//! - **calls**: the fixed cost of the smallest calls (`dense_packed` 1 x 1
//!   x 1, `softmax_rows` 1 x 1, `relu` of 1), in ns and cycles.
//! - **mlp**: one sample through 784 -> 128 -> 10 and 64 -> 128 -> 64 -> 10
//!   (packed weights, ReLU, softmax, argmax) in a `Serial` scope, against
//!   its bound: the larger of its multiply-adds at the FMA peak and the
//!   time to read its weights' bytes (a buffer of their size, summed in
//!   the same run, so read from whichever cache holds that many bytes).
//!
//! Every figure is a median of interleaved repetitions (`common::
//! interleaved`): a kernel and its limit alternate, so a change in the
//! machine's speed lands on both. Cycles come from a chain of dependent
//! integer adds (one a cycle) timed in the same repetitions.

mod machine;

use machine::{Peaks, bandwidths, chain, copy, data_on_a_line, ghz, levels, peaks, read};
use nn_kernels_benches as common;

use common::{Args, cpu_name, data, in_pool, interleaved, keep};
use nn_kernels::dispatch::{Supported, supported_isas};
use nn_kernels::internals::{self, RowOp, UnaryOp, row_call};
use nn_kernels::{
    Activation, Float, PackedWeights, Parallelism, Weights, argmax_rows, dense, dense_packed, relu,
    softmax_rows, softmax_rows_inplace, with_parallelism,
};
use std::hint::black_box;

struct Ctx {
    reps: usize,
    quick: bool,
}

fn main() {
    let args = Args::get();
    let quick = args.flag("--quick");
    let reps = args.reps(if quick { 3 } else { 11 });
    let mode = args.mode(&["--reps"]).unwrap_or("all").to_string();
    let c = nn_kernels::cache::caches();
    println!("# Limits: {}", cpu_name());
    println!(
        "\nCaches: L1d {} KiB, L2 {} KiB, L3 {} MiB shared by {}; tier selected: {}; GEMM shares: {:?}\n",
        c.l1d >> 10,
        c.l2 >> 10,
        c.l3 >> 20,
        c.l3_sharing,
        nn_kernels::dispatch::selected_isa(),
        internals::gemm_shares(),
    );
    let ctx = Ctx { reps, quick };
    let all = mode == "all";
    let peaks = peaks(
        &ctx,
        all || mode == "limits" || mode == "gemm" || mode == "mlp",
    );
    if all || mode == "limits" {
        bandwidths(&ctx);
    }
    if all || mode == "gemm" {
        gemm(&ctx, &peaks);
    }
    if all || mode == "softmax" {
        softmax(&ctx);
    }
    if all || mode == "relu" {
        relu_section(&ctx);
    }
    if all || mode == "calls" {
        calls(&ctx);
    }
    if all || mode == "mlp" {
        mlp(&ctx, &peaks);
    }
}

/// Times `f` (ns a call, median of interleaved reps) together with the
/// others of one comparison.
fn times(ctx: &Ctx, fns: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    interleaved(fns, ctx.reps, if ctx.quick { 2e5 } else { 1e6 })
}

// ------------------------------------------------------------------ gemm

fn gemm(ctx: &Ctx, peaks: &Peaks) {
    let isa = nn_kernels::dispatch::selected_isa();
    println!("## GEMM against the FMA peak ({isa})\n");
    println!(
        "| type | m x k x n | threads | dense GFLOP/s | of peak | packed GFLOP/s | of peak |\n|---|---|---|---|---|---|---|"
    );
    let shapes: &[(usize, usize, usize)] = if ctx.quick {
        &[(256, 256, 256), (64, 512, 512)]
    } else {
        &[
            (1024, 1024, 1024),
            (1023, 1025, 1027),
            (64, 4096, 4096),
            (128, 4096, 1024),
            (256, 784, 128),
        ]
    };
    for &dims in shapes {
        gemm_row::<f32>(ctx, peaks.get(isa, "f32"), dims);
        gemm_row::<f64>(ctx, peaks.get(isa, "f64"), dims);
    }
    println!();
}

fn gemm_row<T: Float>(ctx: &Ctx, peak: f64, (m, k, n): (usize, usize, usize)) {
    let x: Vec<T> = data(m * k, 1);
    let w: Vec<T> = data(k * n, 2);
    let b: Vec<T> = data(n, 3);
    let mut out = vec![T::NAN; m * n];
    let packed = PackedWeights::new(Weights::inputs_by_neurons(&w, k, n).unwrap()).unwrap();
    let flops = 2.0 * (m * k * n) as f64;
    for threads in [1, 2] {
        let t = in_pool(threads, || {
            let wt = Weights::inputs_by_neurons(&w, k, n).unwrap();
            let mut o2 = out.clone();
            times(
                ctx,
                &mut [
                    &mut || dense(&x, wt, &b, &mut out, Activation::Identity).unwrap(),
                    &mut || dense_packed(&x, &packed, &b, &mut o2, Activation::Identity).unwrap(),
                ],
            )
        });
        let (d, p) = (flops / t[0], flops / t[1]);
        println!(
            "| {} | {m} x {k} x {n} | {threads} | {d:.1} | {:.2} | {p:.1} | {:.2} |",
            T::NAME,
            d / peak / threads as f64,
            p / peak / threads as f64
        );
    }
}

// --------------------------------------------------------------- softmax

fn softmax(ctx: &Ctx) {
    println!("## Softmax against its arithmetic limit (one thread, rows in L2)\n");
    println!(
        "| tier | type | cols x rows | ns an element | limit ns an element | of limit |\n|---|---|---|---|---|---|"
    );
    let cols: &[usize] = if ctx.quick {
        &[10, 100, 1000]
    } else {
        &[
            3, 10, 16, 32, 64, 100, 128, 256, 1000, 1024, 4096, 10000, 32000,
        ]
    };
    for isa in supported_isas() {
        for &c in cols {
            softmax_row::<f32>(ctx, isa, c);
            softmax_row::<f64>(ctx, isa, c);
        }
    }
    println!();
}

fn softmax_row<T: Float>(ctx: &Ctx, isa: Supported, cols: usize) {
    let l2 = nn_kernels::cache::caches().l2;
    // Input and output together in half of L2.
    let rows = (l2 / 4 / size_of::<T>() / cols).max(1);
    let x: Vec<T> = data(rows * cols, 5);
    let mut out = vec![T::NAN; rows * cols];
    const L1: usize = 1024;
    let xl: Vec<T> = data(L1, 6);
    let mut ol = vec![T::NAN; L1];
    const REPS: usize = 16;
    let call = row_call(RowOp::Softmax, false, isa);
    let t = with_parallelism(Parallelism::Serial, || {
        times(
            ctx,
            &mut [
                &mut || internals::rows(call, &x, &mut out, cols).unwrap(),
                &mut || keep(&internals::softmax_limit(isa, cols, &xl, &mut ol, REPS)),
            ],
        )
    });
    let ours = t[0] / (rows * cols) as f64;
    let limit = t[1] / (REPS * L1) as f64;
    println!(
        "| {} | {} | {cols} x {rows} | {ours:.3} | {limit:.3} | {:.2} |",
        isa.isa(),
        T::NAME,
        limit / ours
    );
}

// ------------------------------------------------------------------ relu

fn relu_section(ctx: &Ctx) {
    println!("## ReLU against a copy of the same bytes (one thread)\n");
    println!(
        "| tier | level | elements | ReLU GB/s (read) | copy GB/s | of limit |\n|---|---|---|---|---|---|"
    );
    for isa in supported_isas() {
        for (name, bytes) in levels() {
            if ctx.quick && name == "memory" {
                continue;
            }
            // Input and output together in the level.
            let n = bytes / 2 / 4;
            let x: Vec<f32> = data(n, 7);
            let (mut out, mut y) = (vec![f32::NAN; n], vec![0.0f32; n]);
            let t = with_parallelism(Parallelism::Serial, || {
                times(
                    ctx,
                    &mut [
                        &mut || internals::unary(UnaryOp::Relu, isa, &x, &mut out).unwrap(),
                        &mut || {
                            copy(black_box(&x), &mut y);
                            keep(&y)
                        },
                    ],
                )
            });
            let gb = (n * 4) as f64;
            println!(
                "| {} | {name} | {n} | {:.1} | {:.1} | {:.2} |",
                isa.isa(),
                gb / t[0],
                gb / t[1],
                t[1] / t[0]
            );
        }
    }
    println!();
}

// ----------------------------------------------------------------- calls

fn calls(ctx: &Ctx) {
    println!("## The fixed cost of the smallest calls (selected tier, f32)\n");
    println!("| call | ns | cycles |\n|---|---|---|");
    let one = [0.5f32];
    let (mut o1, mut o2, mut o3) = ([0.0f32], [0.0f32], [0.0f32]);
    let w = PackedWeights::new(Weights::inputs_by_neurons(&one, 1, 1).unwrap()).unwrap();
    let mut ch = chain();
    let ns = times(
        ctx,
        &mut [
            &mut ch,
            &mut || dense_packed(black_box(&one), &w, &one, &mut o1, Activation::Relu).unwrap(),
            &mut || softmax_rows(black_box(&one), &mut o2, 1).unwrap(),
            &mut || relu(black_box(&one), &mut o3).unwrap(),
        ],
    );
    for (name, t) in [
        "`dense_packed` 1 x 1 x 1, ReLU",
        "`softmax_rows` 1 x 1",
        "`relu` of 1",
    ]
    .iter()
    .zip(&ns[1..])
    {
        println!("| {name} | {t:.1} | {:.0} |", t * ghz(ns[0]));
    }
    println!();
}

// ------------------------------------------------------------------- mlp

fn mlp(ctx: &Ctx, peaks: &Peaks) {
    let isa = nn_kernels::dispatch::selected_isa();
    println!("## One sample through an MLP, `Serial`, against its bound ({isa})\n");
    println!(
        "| type | layers | ns | bound ns | over bound | bound from |\n|---|---|---|---|---|---|"
    );
    for layers in [&[784, 128, 10][..], &[64, 128, 64, 10]] {
        mlp_row::<f32>(ctx, peaks.get(isa, "f32"), layers);
        mlp_row::<f64>(ctx, peaks.get(isa, "f64"), layers);
    }
    println!();
}

fn mlp_row<T: Float>(ctx: &Ctx, peak: f64, layers: &[usize]) {
    let packed: Vec<PackedWeights<T>> = layers
        .windows(2)
        .enumerate()
        .map(|(i, d)| {
            let w: Vec<T> = data(d[0] * d[1], i)
                .into_iter()
                .map(|v: T| v * T::from_f64(0.1))
                .collect();
            PackedWeights::new(Weights::inputs_by_neurons(&w, d[0], d[1]).unwrap()).unwrap()
        })
        .collect();
    let biases: Vec<Vec<T>> = layers[1..].iter().map(|&n| data(n, 9)).collect();
    let x: Vec<T> = data(layers[0], 4);
    let mut bufs: Vec<Vec<T>> = layers[1..].iter().map(|&n| vec![T::NAN; n]).collect();
    let mut class = [0usize];
    let last = layers.len() - 2;
    let mut pass = || {
        with_parallelism(Parallelism::Serial, || {
            for i in 0..=last {
                let (done, rest) = bufs.split_at_mut(i);
                let input = if i == 0 { &x[..] } else { &done[i - 1][..] };
                let act = if i == last {
                    Activation::Identity
                } else {
                    Activation::Relu
                };
                dense_packed(input, &packed[i], &biases[i], &mut rest[0], act).unwrap();
            }
            softmax_rows_inplace(&mut bufs[last], layers[last + 1]).unwrap();
            argmax_rows(&bufs[last], &mut class, layers[last + 1]).unwrap();
        })
    };
    let macs: usize = layers.windows(2).map(|d| d[0] * d[1]).sum();
    let bytes = macs * size_of::<T>();
    // The weights' bytes read from wherever a buffer of their size stays
    // between passes, as the pass reads its weights.
    let n = bytes / 4 / 64 * 64;
    let (wv, skip) = data_on_a_line(n, 8);
    let wbuf = &wv[skip..][..n];
    let t = times(ctx, &mut [&mut pass, &mut || keep(&read(black_box(wbuf)))]);
    let compute = 2.0 * macs as f64 / peak;
    let memory = t[1];
    let (bound, from) = if compute >= memory {
        (compute, "FMA peak".to_string())
    } else {
        (memory, format!("reading {} KiB", bytes >> 10))
    };
    let t = t[0];
    let names: Vec<String> = layers.iter().map(|l| l.to_string()).collect();
    println!(
        "| {} | {} | {t:.0} | {bound:.0} | {:.2} | {from} |",
        T::NAME,
        names.join(" -> "),
        t / bound
    );
}
