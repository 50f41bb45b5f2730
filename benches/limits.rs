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
//!   per-element arithmetic on data in L1 in one pass
//!   (`nn_kernels::internals::softmax_limit`; `src/softmax/limit.rs`).
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

use nn_kernels_benches as common;

use common::{Args, cpu_name, data, in_pool, interleaved, keep};
use nn_kernels::dispatch::{Isa, Supported, supported_isas};
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
    let reps = args
        .value("--reps")
        .and_then(|r| r.parse().ok())
        .unwrap_or(if quick { 3 } else { 11 });
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

// ---------------------------------------------------------------- limits

/// Trips of the clock's chain of dependent adds ([`chain`]).
const CHAIN_TRIPS: u64 = 1 << 16;

/// A chain of dependent integer adds, one a cycle on every x86-64 core, to
/// time beside the kernels of a comparison: [`ghz`] of its median time is
/// the clock over the same repetitions.
fn chain() -> impl FnMut() {
    || {
        #[cfg(target_arch = "x86_64")]
        keep(&x86::add_chain(CHAIN_TRIPS));
    }
}

/// Cycles a ns, from [`chain`]'s median time (NaN off x86-64).
fn ghz(chain_ns: f64) -> f64 {
    if cfg!(target_arch = "x86_64") {
        (CHAIN_TRIPS * 8) as f64 / chain_ns
    } else {
        f64::NAN
    }
}

/// FMA peaks, GFLOP/s (2 a multiply-add) by (tier, type).
struct Peaks(Vec<(Isa, &'static str, f64, f64)>);

impl Peaks {
    fn get(&self, isa: Isa, ty: &str) -> f64 {
        self.0
            .iter()
            .find(|p| p.0 == isa && p.1 == ty)
            .map_or(f64::NAN, |p| p.2)
    }
}

fn peaks(ctx: &Ctx, print: bool) -> Peaks {
    const ITERS: u64 = 1 << 14;
    let mut out = Vec::new();
    for isa in supported_isas() {
        for (ty, lanes_bits) in [("f32", 32), ("f64", 64)] {
            let Some(f) = peak_fn(isa.isa(), ty) else {
                continue;
            };
            let lanes = peak_width(isa.isa()) / lanes_bits;
            let mut ch = chain();
            let t = times(ctx, &mut [&mut || keep(&f(ITERS)), &mut ch]);
            let gflops = (ITERS * 12 * lanes as u64 * 2) as f64 / t[0];
            out.push((isa.isa(), ty, gflops, ghz(t[1])));
        }
    }
    if print {
        println!(
            "## FMA peak, one core\n\n| tier | f32 GFLOP/s | f64 GFLOP/s | f32 flops a cycle |\n|---|---|---|---|"
        );
        for isa in supported_isas() {
            let (a, b) = (
                out.iter().find(|p| p.0 == isa.isa() && p.1 == "f32"),
                out.iter().find(|p| p.0 == isa.isa() && p.1 == "f64"),
            );
            if let (Some(a), Some(b)) = (a, b) {
                println!(
                    "| {} | {:.1} | {:.1} | {:.1} |",
                    isa.isa(),
                    a.2,
                    b.2,
                    a.2 / a.3
                );
            }
        }
        println!();
    }
    Peaks(out)
}

fn peak_width(isa: Isa) -> usize {
    match isa {
        Isa::Avx512 => 512,
        Isa::Avx2 => 256,
        _ => 256, // wide's f32x8 and f64x4
    }
}

type PeakFn = fn(u64) -> f64;

fn peak_fn(isa: Isa, ty: &str) -> Option<PeakFn> {
    match (isa, ty) {
        (Isa::Portable, "f32") => Some(portable_peak_f32),
        (Isa::Portable, "f64") => Some(portable_peak_f64),
        #[cfg(target_arch = "x86_64")]
        (Isa::Avx2, "f32") => Some(|n| unsafe { x86::avx2_f32(n) }),
        #[cfg(target_arch = "x86_64")]
        (Isa::Avx2, "f64") => Some(|n| unsafe { x86::avx2_f64(n) }),
        #[cfg(target_arch = "x86_64")]
        (Isa::Avx512, "f32") => Some(|n| unsafe { x86::avx512_f32(n) }),
        #[cfg(target_arch = "x86_64")]
        (Isa::Avx512, "f64") => Some(|n| unsafe { x86::avx512_f64(n) }),
        _ => None,
    }
}

/// The portable tier's multiply-add: a multiply and an add (`wide`).
macro_rules! portable_peak {
    ($name:ident, $v:ty, $t:ty) => {
        #[inline(never)]
        fn $name(iters: u64) -> f64 {
            let (m, a) = (<$v>::splat(0.999), <$v>::splat(1e-3));
            let mut acc = [<$v>::splat(1.0); 12];
            for _ in 0..iters / 16 {
                for _ in 0..16 {
                    for v in acc.iter_mut() {
                        *v = *v * m + a;
                    }
                }
                black_box(&mut acc);
            }
            acc.iter().map(|v| v.reduce_add() as f64).sum()
        }
    };
}
portable_peak!(portable_peak_f32, wide::f32x8, f32);
portable_peak!(portable_peak_f64, wide::f64x4, f64);

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// 12 independent FMA chains (enough for two units of four or five
    /// cycles' latency) on registers; `iters` trips.
    macro_rules! fma_peak {
        ($name:ident, $feat:literal, $v:ty, $set1:ident, $fmadd:ident, $t:ty, $n:literal, $reg:ident) => {
            /// # Safety
            /// The CPU has the features named.
            #[target_feature(enable = $feat)]
            pub unsafe fn $name(iters: u64) -> f64 {
                let (m, a) = ($set1(0.999), $set1(1e-3));
                let mut acc = [$set1(1.0); 12];
                for _ in 0..iters {
                    for v in acc.iter_mut() {
                        *v = $fmadd(*v, m, a);
                        // SAFETY: an empty template: the value stays in a
                        // register, unknown to the optimiser, so the chains
                        // are neither folded nor hoisted.
                        unsafe {
                            std::arch::asm!(
                                "/* {0} */",
                                inout($reg) * v,
                                options(pure, nomem, nostack)
                            )
                        };
                    }
                }
                let mut s = 0.0;
                for v in acc {
                    // SAFETY: a vector is its lanes.
                    let lanes: [$t; $n] = unsafe { std::mem::transmute(v) };
                    s += lanes.iter().map(|&l| l as f64).sum::<f64>();
                }
                s
            }
        };
    }
    fma_peak!(
        avx2_f32,
        "avx2,fma",
        __m256,
        _mm256_set1_ps,
        _mm256_fmadd_ps,
        f32,
        8,
        ymm_reg
    );
    fma_peak!(
        avx2_f64,
        "avx2,fma",
        __m256d,
        _mm256_set1_pd,
        _mm256_fmadd_pd,
        f64,
        4,
        ymm_reg
    );
    fma_peak!(
        avx512_f32,
        "avx512f",
        __m512,
        _mm512_set1_ps,
        _mm512_fmadd_ps,
        f32,
        16,
        zmm_reg
    );
    fma_peak!(
        avx512_f64,
        "avx512f",
        __m512d,
        _mm512_set1_pd,
        _mm512_fmadd_pd,
        f64,
        8,
        zmm_reg
    );

    /// `n` trips of eight dependent adds: `8 n` cycles.
    pub fn add_chain(n: u64) -> u64 {
        let mut x = 0u64;
        // SAFETY: register arithmetic only.
        unsafe {
            std::arch::asm!(
                "2:",
                "add {x}, 1", "add {x}, 1", "add {x}, 1", "add {x}, 1",
                "add {x}, 1", "add {x}, 1", "add {x}, 1", "add {x}, 1",
                "dec {n}",
                "jnz 2b",
                x = inout(reg) x,
                n = inout(reg) n => _,
                options(nomem, nostack),
            )
        };
        x
    }

    /// `y = x` in 256-bit loads and stores, eight a trip.
    ///
    /// # Safety
    /// The CPU has AVX.
    #[target_feature(enable = "avx")]
    pub unsafe fn copy_avx(x: &[f32], y: &mut [f32]) {
        for (c, d) in x.chunks_exact(64).zip(y.chunks_exact_mut(64)) {
            for i in 0..8 {
                // SAFETY: `c` and `d` hold 64 elements, 8 a vector.
                unsafe {
                    _mm256_storeu_ps(
                        d.as_mut_ptr().add(8 * i),
                        _mm256_loadu_ps(c.as_ptr().add(8 * i)),
                    )
                };
            }
        }
    }

    /// The sum of `x` in 256-bit loads into eight accumulators.
    ///
    /// # Safety
    /// The CPU has AVX.
    #[target_feature(enable = "avx")]
    pub unsafe fn read_avx(x: &[f32]) -> f32 {
        let mut acc = [_mm256_setzero_ps(); 8];
        for c in x.chunks_exact(64) {
            for (i, a) in acc.iter_mut().enumerate() {
                // SAFETY: `c` holds 64 elements, 8 a load.
                *a = _mm256_add_ps(*a, unsafe { _mm256_loadu_ps(c.as_ptr().add(8 * i)) });
            }
        }
        let mut s = _mm256_setzero_ps();
        for a in acc {
            s = _mm256_add_ps(s, a);
        }
        // SAFETY: a vector is its lanes.
        let lanes: [f32; 8] = unsafe { std::mem::transmute(s) };
        lanes.iter().sum()
    }
}

/// The sum of `x`: 256-bit loads where the CPU has AVX, else `wide`'s.
fn read(x: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx") {
        // SAFETY: AVX detected.
        return unsafe { x86::read_avx(x) };
    }
    let mut acc = [wide::f32x8::ZERO; 4];
    for c in x.chunks_exact(32) {
        for (i, a) in acc.iter_mut().enumerate() {
            *a += wide::f32x8::from(<[f32; 8]>::try_from(&c[8 * i..8 * i + 8]).unwrap());
        }
    }
    acc.iter().map(|a| a.reduce_add()).sum()
}

/// `y = x`: 256-bit loads and stores where the CPU has AVX (a limit for
/// the hardware, not for `memcpy`, which on some CPUs and alignments takes
/// `rep movsb`'s slower path), else `copy_from_slice`.
fn copy(x: &[f32], y: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx") {
        // SAFETY: AVX detected.
        return unsafe { x86::copy_avx(x, y) };
    }
    y.copy_from_slice(x);
}

/// A cache level and the buffer size (bytes) that stays in it.
fn levels() -> Vec<(&'static str, usize)> {
    let c = nn_kernels::cache::caches();
    vec![
        ("L1d", c.l1d / 2),
        ("L2", c.l2 / 2),
        ("L3", (c.l3_share() / 2).max(c.l2)),
        ("memory", 256 << 20),
    ]
}

/// Read and copy bandwidth by level.
fn bandwidths(ctx: &Ctx) {
    let mut out = Vec::new();
    for (name, bytes) in levels() {
        if ctx.quick && name == "memory" {
            continue;
        }
        let n = bytes / 4 / 64 * 64;
        let x: Vec<f32> = data(n, 1);
        let mut y = vec![0.0f32; n];
        let mut ch = chain();
        let t = times(
            ctx,
            &mut [
                &mut || keep(&read(black_box(&x))),
                &mut || {
                    copy(black_box(&x), &mut y);
                    keep(&y)
                },
                &mut ch,
            ],
        );
        let (r, c) = ((n * 4) as f64 / t[0], (n * 4) as f64 / t[1]);
        out.push((name, bytes, r, c, ghz(t[2])));
    }
    {
        println!(
            "## Bandwidth, one core\n\n| level | buffer | read GB/s | read bytes a cycle | copy GB/s (read) |\n|---|---|---|---|---|"
        );
        for (name, bytes, r, c, ghz) in &out {
            println!(
                "| {name} | {} KiB | {r:.1} | {:.1} | {c:.1} |",
                bytes >> 10,
                r / ghz
            );
        }
        println!();
    }
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
                &mut || keep(&internals::softmax_limit(isa, &xl, &mut ol, REPS)),
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
    let wbuf: Vec<f32> = data(bytes / 4 / 64 * 64, 8);
    let t = times(ctx, &mut [&mut pass, &mut || keep(&read(black_box(&wbuf)))]);
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
