//! The dense layer over the whole shape space, against `matrixmultiply`
//! plus a bias pass (and a ReLU pass for the fused ReLU) measured in the
//! same run: a cliff anywhere in `m x k x n` shows as a low ratio.
//!
//! ```text
//! cargo bench --bench dense_grid                  # the full grid, every tier
//! cargo bench --bench dense_grid -- --check       # CI: a subset, fails below 0.5x
//! cargo bench --bench dense_grid -- threads       # ours at 2 threads against 1
//! cargo bench --bench dense_grid -- targets       # the issue's named shapes
//! cargo bench --bench dense_grid -- engines       # portable tier: own BLIS vs matrixmultiply
//! ```
//!
//! Options: `--tier NAME` (one tier), `--reps N`, `--out DIR` (default
//! `target/dense_grid`: `grid.csv`, `worst.md`, one `grid_<tier>.svg` heat
//! map per tier).
//!
//! Every shape runs six functions, interleaved, one repetition of each
//! after the other: the yardstick, ours with row-major W and ours with
//! prepacked W, each plain and with ReLU. A ratio is the yardstick's median
//! time over ours (above 1: ours is faster). The full grid runs in a
//! one-thread rayon pool (the yardstick is single-threaded); the `threads`
//! mode compares ours in a two-thread pool with ours in a one-thread pool.
//!
//! `--check` is the CI guard. It runs the shapes each tier's tile constants
//! make interesting (edges of `MR`, `NR`, the lane count, the narrow path's
//! depth, `KC`) and fails when any ratio is below 0.5. It cannot flake on a
//! busy machine the way a timed test would: both sides of a ratio are
//! measured within microseconds of each other, eleven times, and the median
//! taken; a neighbour would have to slow our half of the repetitions, and
//! not the yardstick's, by 2x in six of eleven. A shape that fails is
//! measured twice more before the guard gives up on it.

mod common;

use common::{
    Args, Panel, cpu_name, data, heat_map_svg, in_pool, interleaved, keep,
    matrixmultiply_dense as yardstick,
};
use nn_kernels::dispatch::{Isa, Supported, supported_isas};
use nn_kernels::internals::{self, tile_dims};
use nn_kernels::{Activation, Float, Weights, dense_packed};
use std::fmt::Write as _;

const MS: [usize; 12] = [1, 2, 3, 4, 5, 7, 8, 16, 31, 64, 300, 1024];
const KS: [usize; 11] = [1, 2, 3, 8, 9, 16, 17, 64, 128, 512, 784];
const NS: [usize; 18] = [
    1, 2, 3, 4, 5, 8, 10, 16, 17, 31, 32, 33, 64, 100, 127, 128, 129, 1000,
];
/// The depths the heat maps show, one panel each.
const MAP_KS: [usize; 4] = [3, 17, 128, 784];

/// Below this ratio `--check` fails.
const CHECK_MIN: f64 = 0.5;

/// The variants timed for each shape, in the order of a result's ratios.
const VARIANTS: [&str; 4] = ["rowmajor", "rowmajor_relu", "packed", "packed_relu"];

/// One shape's result: yardstick time over ours per variant.
#[derive(Clone)]
struct Row {
    tier: Isa,
    dtype: &'static str,
    dims: (usize, usize, usize),
    ratios: [f64; 4],
    /// Ours, row-major W and no activation: ns per call.
    ns: f64,
}

/// Operands big enough for every grid shape, made once per element type.
struct Operands<T> {
    x: Vec<T>,
    w: Vec<T>,
    bias: Vec<T>,
    out: Vec<T>,
}

impl<T: Float> Operands<T> {
    fn new(shapes: &[(usize, usize, usize)]) -> Self {
        let max = |f: fn(&(usize, usize, usize)) -> usize| shapes.iter().map(f).max().unwrap_or(0);
        Operands {
            x: data(max(|s| s.0 * s.1), 1),
            w: data(max(|s| s.1 * s.2), 2),
            bias: data(max(|s| s.2), 3),
            out: vec![T::ZERO; max(|s| s.0 * s.2)],
        }
    }
}

/// The six functions of one shape, timed interleaved; returns the ratios
/// and ours' row-major time.
fn measure<T: Float>(
    isa: Supported,
    ops: &mut Operands<T>,
    (m, k, n): (usize, usize, usize),
    reps: usize,
) -> ([f64; 4], f64) {
    let (x, w, bias) = (&ops.x[..m * k], &ops.w[..k * n], &ops.bias[..n]);
    let packed = internals::pack(isa, Weights::inputs_by_neurons(w, k, n).unwrap()).unwrap();
    let out = std::cell::RefCell::new(&mut ops.out[..m * n]);
    let dims = (m, k, n);
    let ours = |act| {
        let mut o = out.borrow_mut();
        let w = Weights::inputs_by_neurons(w, dims.1, dims.2).unwrap();
        internals::dense(isa, x, w, bias, &mut o, act).unwrap();
        keep(&*o);
    };
    let ours_packed = |act| {
        let mut o = out.borrow_mut();
        dense_packed(x, &packed, bias, &mut o, act).unwrap();
        keep(&*o);
    };
    let yard = |relu| {
        let mut o = out.borrow_mut();
        yardstick(x, w, bias, &mut o, dims, relu);
        keep(&*o);
    };
    let t = interleaved(
        &mut [
            &mut || yard(false),
            &mut || ours(Activation::Identity),
            &mut || ours_packed(Activation::Identity),
            &mut || yard(true),
            &mut || ours(Activation::Relu),
            &mut || ours_packed(Activation::Relu),
        ],
        reps,
        20_000.0,
    );
    ([t[0] / t[1], t[3] / t[4], t[0] / t[2], t[3] / t[5]], t[1])
}

fn grid() -> Vec<(usize, usize, usize)> {
    let mut v = Vec::new();
    for m in MS {
        for k in KS {
            for n in NS {
                v.push((m, k, n));
            }
        }
    }
    v
}

/// The `--check` shapes of one tier: its tile edges.
fn check_shapes<T: Float>(isa: Isa) -> Vec<(usize, usize, usize)> {
    // The tier's vector width: 64 bytes on AVX-512, 32 on AVX2 and portable.
    let lanes = if isa == Isa::Avx512 { 64 } else { 32 } / size_of::<T>();
    let (mut ms, mut ks, mut ns) = (
        vec![1, 2, 3, 7, 64],
        vec![1, 3, 17, 128],
        vec![1, 3, 10, 33],
    );
    if let Some(([mr, nr, kc, _, _], narrow_k)) = tile_dims::<T>(isa) {
        let l = lanes;
        ms.extend([mr - 1, mr, mr + 1, 2 * mr + 1]);
        ks.extend([narrow_k, narrow_k + 1, kc + 1]);
        ns.extend([l - 1, l + 1, nr - 1, nr + 1, 2 * nr + 1]);
    }
    let mut v = Vec::new();
    for &m in &ms {
        for &k in &ks {
            for &n in &ns {
                // The check stays short: deep and wide products only for a
                // few rows.
                if m * k * n <= 1 << 20 {
                    v.push((m, k, n));
                }
            }
        }
    }
    v.sort_unstable();
    v.dedup();
    v
}

fn run_dtype<T: Float>(
    isa: Supported,
    shapes: &[(usize, usize, usize)],
    reps: usize,
    rows: &mut Vec<Row>,
) {
    let mut ops = Operands::<T>::new(shapes);
    for &dims in shapes {
        let (ratios, ns) = measure::<T>(isa, &mut ops, dims, reps);
        rows.push(Row {
            tier: isa.isa(),
            dtype: T::NAME,
            dims,
            ratios,
            ns,
        });
    }
}

/// Re-measures `row` with more repetitions.
fn remeasure(row: &Row, reps: usize) -> Row {
    let isa = row.tier.supported().unwrap();
    let mut out = Vec::new();
    if row.dtype == "f32" {
        run_dtype::<f32>(isa, &[row.dims], reps, &mut out);
    } else {
        run_dtype::<f64>(isa, &[row.dims], reps, &mut out);
    }
    out.pop().unwrap()
}

fn worst(row: &Row) -> (f64, usize) {
    row.ratios
        .iter()
        .enumerate()
        .map(|(i, &r)| (r, i))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap()
}

/// The tiers to run: all this CPU supports, or the one `--tier` names. A
/// name that is no tier is an error; a tier this CPU lacks is reported and
/// skipped (it cannot be measured here), so `--check` passes only for what
/// it did check, and says so.
fn tiers(args: &Args) -> Vec<Supported> {
    let Some(name) = args.value("--tier") else {
        return supported_isas().collect();
    };
    let Some(isa) = Isa::from_name(name) else {
        eprintln!("dense_grid: no tier named {name:?} (portable, avx2, avx512)");
        std::process::exit(2);
    };
    match isa.supported() {
        Some(s) => vec![s],
        None => {
            println!("dense_grid: this CPU has no {name} tier: nothing measured");
            Vec::new()
        }
    }
}

fn check(args: &Args) -> bool {
    let reps = args.value("--reps").map_or(11, |r| r.parse().unwrap());
    let mut ok = true;
    let mut rows = Vec::new();
    in_pool(1, || {
        for isa in tiers(args) {
            run_dtype::<f32>(isa, &check_shapes::<f32>(isa.isa()), reps, &mut rows);
            run_dtype::<f64>(isa, &check_shapes::<f64>(isa.isa()), reps, &mut rows);
        }
        println!(
            "dense_grid --check: {} shapes on {:?}, {}",
            rows.len(),
            tiers(args)
                .iter()
                .map(|s| s.isa().name())
                .collect::<Vec<_>>(),
            cpu_name()
        );
        for isa in tiers(args) {
            let mine: Vec<&Row> = rows.iter().filter(|r| r.tier == isa.isa()).collect();
            let w = mine.iter().min_by(|a, b| worst(a).0.total_cmp(&worst(b).0));
            if let Some(w) = w {
                let (r, v) = worst(w);
                println!(
                    "  {:<8} worst {:.2}x at {} {:?} {}",
                    isa.isa().name(),
                    r,
                    w.dtype,
                    w.dims,
                    VARIANTS[v]
                );
            }
        }
        for row in rows.iter().filter(|r| worst(r).0 < CHECK_MIN) {
            // Twice more, with more repetitions, before calling it a cliff.
            let again = (0..2).map(|_| worst(&remeasure(row, 2 * reps)).0);
            let best = again.fold(worst(row).0, f64::max);
            if best < CHECK_MIN {
                ok = false;
                println!(
                    "CLIFF {} {} {:?}: {:.2}x the yardstick (ratios {:?})",
                    row.tier.name(),
                    row.dtype,
                    row.dims,
                    best,
                    row.ratios
                );
            }
        }
    });
    ok
}

fn full(args: &Args) {
    let reps = args.value("--reps").map_or(5, |r| r.parse().unwrap());
    let out_dir = args
        .value("--out")
        .unwrap_or("target/dense_grid")
        .to_string();
    std::fs::create_dir_all(&out_dir).unwrap();
    let shapes = grid();
    let mut rows = Vec::new();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "# dense_grid: worst ratios per tier\n\nCPU: {}. One thread. Ratio = \
         `matrixmultiply` + bias (+ ReLU pass) median time / ours (above 1: ours \
         faster); medians of {reps} interleaved repetitions, the worst 20 per tier \
         measured again with {} and shown as re-measured.\n",
        cpu_name(),
        3 * reps
    );
    in_pool(1, || {
        for isa in tiers(args) {
            let start = rows.len();
            let t0 = std::time::Instant::now();
            run_dtype::<f32>(isa, &shapes, reps, &mut rows);
            run_dtype::<f64>(isa, &shapes, reps, &mut rows);
            eprintln!("{}: {:.0} s", isa.isa().name(), t0.elapsed().as_secs_f64());
            let mut mine: Vec<Row> = rows[start..].to_vec();
            mine.sort_by(|a, b| worst(a).0.total_cmp(&worst(b).0));
            let _ = writeln!(
                report,
                "## {}\n\n| dtype | m x k x n | variant | ratio | ours ns/call | first pass |\n|---|---|---|---|---|---|",
                isa.isa().name()
            );
            let mut again: Vec<(Row, f64)> = mine
                .iter()
                .take(20)
                .map(|r| (remeasure(r, 3 * reps), worst(r).0))
                .collect();
            again.sort_by(|a, b| worst(&a.0).0.total_cmp(&worst(&b.0).0));
            for (r, first) in &again {
                let (ratio, v) = worst(r);
                let (m, k, n) = r.dims;
                let _ = writeln!(
                    report,
                    "| {} | {m} x {k} x {n} | {} | {ratio:.2} | {:.0} | {first:.2} |",
                    r.dtype, VARIANTS[v], r.ns
                );
            }
            // Row-major against prepacked for one-sample-sized calls: the
            // five lowest of the first pass, measured again.
            let mut small: Vec<&Row> = mine.iter().filter(|r| r.dims.0 <= 8).collect();
            let rm_over_pk = |r: &Row| r.ratios[0] / r.ratios[2];
            small.sort_by(|a, b| rm_over_pk(a).total_cmp(&rm_over_pk(b)));
            let pk = small
                .iter()
                .take(5)
                .map(|r| remeasure(r, 3 * reps))
                .map(|r| (rm_over_pk(&r), r))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((q, r)) = pk {
                let _ = writeln!(
                    report,
                    "\nRow-major W over prepacked W, m <= 8, worst (re-measured): {q:.2} ({} {:?}).\n",
                    r.dtype, r.dims
                );
            }
            let panels: Vec<Panel> = ["f32", "f64"]
                .iter()
                .flat_map(|&dt| MAP_KS.iter().map(move |&k| (dt, k)))
                .map(|(dt, k)| Panel {
                    title: format!("{dt}, k = {k}: worst of row-major/packed, plain/ReLU"),
                    values: MS
                        .iter()
                        .map(|&m| {
                            NS.iter()
                                .map(|&n| {
                                    mine.iter()
                                        .find(|r| r.dtype == dt && r.dims == (m, k, n))
                                        .map_or(f64::NAN, |r| worst(r).0)
                                })
                                .collect()
                        })
                        .collect(),
                })
                .collect();
            let svg = heat_map_svg(
                &format!(
                    "dense, {} tier, ours / (matrixmultiply + bias), one thread — {}",
                    isa.isa().name(),
                    cpu_name()
                ),
                ("m", &MS),
                ("n", &NS),
                &panels,
            );
            std::fs::write(format!("{out_dir}/grid_{}.svg", isa.isa().name()), svg).unwrap();
        }
    });
    let mut csv =
        String::from("tier,dtype,m,k,n,ours_ns,rowmajor,rowmajor_relu,packed,packed_relu\n");
    for r in &rows {
        let (m, k, n) = r.dims;
        let [a, b, c, d] = r.ratios;
        let _ = writeln!(
            csv,
            "{},{},{m},{k},{n},{:.1},{a:.3},{b:.3},{c:.3},{d:.3}",
            r.tier.name(),
            r.dtype,
            r.ns
        );
    }
    std::fs::write(format!("{out_dir}/grid.csv"), csv).unwrap();
    std::fs::write(format!("{out_dir}/worst.md"), &report).unwrap();
    println!("{report}");
}

/// Ours at two threads against ours at one, selected tier, row-major W,
/// no activation: time at 1 thread over time at 2 (below 1: the second
/// thread cost time).
fn threads(args: &Args) {
    let reps = args.value("--reps").map_or(5, |r| r.parse().unwrap());
    let Some(&isa) = tiers(args).last() else {
        return;
    };
    let pool1 = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let pool2 = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    println!(
        "dense_grid threads: {} tier, {}",
        isa.isa().name(),
        cpu_name()
    );
    for dtype in ["f32", "f64"] {
        let mut results = Vec::new();
        for dims in grid() {
            let (m, k, n) = dims;
            let r = if dtype == "f32" {
                two_vs_one::<f32>(isa, dims, reps, &pool1, &pool2)
            } else {
                two_vs_one::<f64>(isa, dims, reps, &pool1, &pool2)
            };
            results.push((r, (m, k, n)));
        }
        results.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!(
            "{dtype}: median over the grid {:.2}; the 15 lowest (1-thread time / 2-thread time), measured again:",
            results[results.len() / 2].0
        );
        // The grid's lowest include shapes that never touch rayon: the
        // noise floor of thousands of ratios. Measured again, with more
        // repetitions, they show whether a second thread really cost time.
        for (r, d) in results.iter().take(15) {
            let again = if dtype == "f32" {
                two_vs_one::<f32>(isa, *d, 3 * reps, &pool1, &pool2)
            } else {
                two_vs_one::<f64>(isa, *d, 3 * reps, &pool1, &pool2)
            };
            println!("  {d:?}: {r:.2}, again {again:.2}");
        }
    }
}

fn two_vs_one<T: Float>(
    isa: Supported,
    (m, k, n): (usize, usize, usize),
    reps: usize,
    pool1: &rayon::ThreadPool,
    pool2: &rayon::ThreadPool,
) -> f64 {
    let (x, w, bias) = (data::<T>(m * k, 1), data::<T>(k * n, 2), data::<T>(n, 3));
    let mut out = vec![T::ZERO; m * n];
    // Inside the pool, a warm-up batch first: entering a pool wakes its
    // workers, and a worker that finds no work spins a while before it
    // sleeps, which on a machine whose two vCPUs share a core slows the
    // measuring thread. A user's steady state (calls back to back) has no
    // such wake-up; the medians of the later batches measure that.
    let mut time = |pool: &rayon::ThreadPool| {
        pool.install(|| {
            let mut call = || {
                internals::dense(
                    isa,
                    &x,
                    Weights::inputs_by_neurons(&w, k, n).unwrap(),
                    &bias,
                    &mut out,
                    Activation::Identity,
                )
                .unwrap();
                keep(&out);
            };
            interleaved(&mut [&mut call], 1, 200_000.0);
            interleaved(&mut [&mut call], 3, 50_000.0)[0]
        })
    };
    // Interleave by hand: one repetition in each pool, `reps` times.
    let (mut t1, mut t2) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        t1.push(time(pool1));
        t2.push(time(pool2));
    }
    common::median(&mut t1) / common::median(&mut t2)
}

/// The shapes the cliff issue names, on the selected tier at 1 and 2
/// threads: ours row-major and prepacked, `matrixmultiply` + bias, each
/// pair of neighbours (1023 x 1025 x 1027 beside 1024^3) in one run.
fn targets(args: &Args) {
    let reps = args.value("--reps").map_or(7, |r| r.parse().unwrap());
    let Some(&isa) = tiers(args).last() else {
        return;
    };
    println!(
        "dense_grid targets: {} tier, {}; GFLOP/s (2mkn / median time); 1 thread / 2 threads\n",
        isa.isa().name(),
        cpu_name()
    );
    println!(
        "| dtype | m x k x n | ours | ours, prepacked W | matrixmultiply + bias |\n|---|---|---|---|---|"
    );
    let f32_shapes = [
        (1, 784, 10),
        (1024, 128, 10),
        (1, 784, 128),
        (256, 784, 128),
        (300, 2, 3),
        (300, 3, 3),
        (1024, 1024, 1024),
        (1023, 1025, 1027),
        (64, 4096, 4096),
    ];
    let f64_shapes = [
        (1, 784, 10),
        (1024, 128, 10),
        (256, 128, 10),
        (1024, 1024, 1024),
        (1023, 1025, 1027),
    ];
    for &d in &f32_shapes {
        target_row::<f32>(isa, d, reps);
    }
    for &d in &f64_shapes {
        target_row::<f64>(isa, d, reps);
    }
    println!(
        "\nClassifier head 784 -> 128 (ReLU) -> 10 -> softmax, f32, prepacked weights, µs per call, 1 thread / 2 threads:\n"
    );
    for m in [1, 1024] {
        let (x, w1, b1) = (
            data::<f32>(m * 784, 1),
            data::<f32>(784 * 128, 2),
            data::<f32>(128, 3),
        );
        let (w2, b2) = (data::<f32>(128 * 10, 4), data::<f32>(10, 5));
        let p1 = internals::pack(isa, Weights::inputs_by_neurons(&w1, 784, 128).unwrap()).unwrap();
        let p2 = internals::pack(isa, Weights::inputs_by_neurons(&w2, 128, 10).unwrap()).unwrap();
        let (mut h, mut out) = (vec![0.0f32; m * 128], vec![0.0f32; m * 10]);
        let mut cells = Vec::new();
        for threads in [1, 2] {
            let t = in_pool(threads, || {
                interleaved(
                    &mut [&mut || {
                        dense_packed(&x, &p1, &b1, &mut h, Activation::Relu).unwrap();
                        dense_packed(&h, &p2, &b2, &mut out, Activation::Identity).unwrap();
                        nn_kernels::softmax_rows_inplace(&mut out, 10).unwrap();
                        keep(&out);
                    }],
                    reps,
                    200_000.0,
                )[0]
            });
            cells.push(format!("{:.2}", t / 1000.0));
        }
        println!("- m = {m}: {}", cells.join(" / "));
    }
}

fn target_row<T: Float>(isa: Supported, (m, k, n): (usize, usize, usize), reps: usize) {
    let (x, w, bias) = (data::<T>(m * k, 1), data::<T>(k * n, 2), data::<T>(n, 3));
    let packed = internals::pack(isa, Weights::inputs_by_neurons(&w, k, n).unwrap()).unwrap();
    let mut out = vec![T::ZERO; m * n];
    let flops = 2.0 * (m * k * n) as f64;
    let mut cells = [String::new(), String::new(), String::new()];
    for threads in [1, 2] {
        let t = in_pool(threads, || {
            let out = std::cell::RefCell::new(&mut out);
            interleaved(
                &mut [
                    &mut || {
                        let mut o = out.borrow_mut();
                        internals::dense(
                            isa,
                            &x,
                            Weights::inputs_by_neurons(&w, k, n).unwrap(),
                            &bias,
                            &mut o,
                            Activation::Identity,
                        )
                        .unwrap();
                        keep(&*o);
                    },
                    &mut || {
                        let mut o = out.borrow_mut();
                        dense_packed(&x, &packed, &bias, &mut o, Activation::Identity).unwrap();
                        keep(&*o);
                    },
                    &mut || {
                        let mut o = out.borrow_mut();
                        yardstick(&x, &w, &bias, &mut o, (m, k, n), false);
                        keep(&*o);
                    },
                ],
                reps,
                200_000.0,
            )
        });
        for (c, t) in cells.iter_mut().zip(&t) {
            let sep = if threads == 1 { "" } else { " / " };
            let _ = write!(c, "{sep}{:.3}", flops / t);
        }
    }
    println!(
        "| {} | {m} x {k} x {n} | {} | {} | {} |",
        T::NAME,
        cells[0],
        cells[1],
        cells[2]
    );
}

/// The portable tier's two engines over the grid, one thread: the crate's
/// own BLIS loops on `wide`'s vectors (`gemm::dense_portable_blis`) against
/// what the portable tier runs for products on this target (on x86-64,
/// `matrixmultiply` plus the bias pass). Prints the median and quartiles of
/// `engine time / own BLIS time` per type, and the extremes: the numbers
/// behind `gemm::Engine`.
fn engines(args: &Args) {
    let reps = args
        .value("--reps")
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    println!(
        "Portable tier, own BLIS against the selected engine, {}",
        cpu_name()
    );
    in_pool(1, || {
        engines_for::<f32>(reps);
        engines_for::<f64>(reps);
    });
}

fn engines_for<T: Float>(reps: usize) {
    let portable = Isa::Portable.supported().expect("always supported");
    let mut ratios = Vec::new();
    for &m in &MS {
        for &k in &KS {
            for &n in &NS {
                let (x, w, b) = (data::<T>(m * k, 1), data::<T>(k * n, 2), data::<T>(n, 3));
                let (mut o1, mut o2) = (vec![T::ZERO; m * n], vec![T::ZERO; m * n]);
                let act = Activation::Identity;
                let t = interleaved(
                    &mut [
                        &mut || {
                            internals::dense(
                                portable,
                                &x,
                                Weights::inputs_by_neurons(&w, k, n).unwrap(),
                                &b,
                                &mut o1,
                                act,
                            )
                            .unwrap();
                            keep(&o1);
                        },
                        &mut || {
                            let w = Weights::inputs_by_neurons(&w, k, n).unwrap();
                            internals::dense_portable_blis(&x, w, &b, &mut o2, act).unwrap();
                            keep(&o2);
                        },
                    ],
                    reps,
                    2e4,
                );
                ratios.push((t[0] / t[1], (m, k, n)));
            }
        }
    }
    // By size: the median ratio per power of four of multiply-adds.
    let mut buckets: std::collections::BTreeMap<u32, Vec<f64>> = Default::default();
    for &(r, (m, k, n)) in &ratios {
        let macs = (m * k * n).max(1);
        buckets.entry(macs.ilog2() / 2 * 2).or_default().push(r);
    }
    let line: Vec<String> = buckets
        .iter_mut()
        .map(|(b, v)| {
            v.sort_by(f64::total_cmp);
            format!("2^{b}: {:.2} ({})", v[v.len() / 2], v.len())
        })
        .collect();
    println!(
        "{} median engine/own by m·k·n: {}",
        T::NAME,
        line.join(", ")
    );
    ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
    let q = |f: f64| ratios[((ratios.len() - 1) as f64 * f) as usize].0;
    println!(
        "{}: {} shapes, engine/own time: min {:.2} ({:?}), q1 {:.2}, median {:.2}, q3 {:.2}, max {:.2} ({:?})",
        T::NAME,
        ratios.len(),
        ratios[0].0,
        ratios[0].1,
        q(0.25),
        q(0.5),
        q(0.75),
        ratios[ratios.len() - 1].0,
        ratios[ratios.len() - 1].1
    );
}

fn main() {
    let args = Args::get();
    match args.mode(&["--tier", "--reps", "--out"]) {
        _ if args.flag("--check") => {
            if !check(&args) {
                eprintln!("dense_grid --check: a shape fell below {CHECK_MIN}x the yardstick");
                std::process::exit(1);
            }
            println!("dense_grid --check: no shape below {CHECK_MIN}x the yardstick");
        }
        Some("threads") => threads(&args),
        Some("targets") => targets(&args),
        Some("engines") => engines(&args),
        _ => full(&args),
    }
}
