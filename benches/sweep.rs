//! Softmax and ReLU over every length, against a plain scalar loop in the
//! same run: a length where a kernel is slower per element than the loop,
//! or a step between neighbouring lengths, shows.
//!
//! ```text
//! cargo bench -p nn-kernels-benches --bench sweep                    # softmax and ReLU, every tier
//! cargo bench -p nn-kernels-benches --bench sweep -- softmax         # or relu
//! cargo bench -p nn-kernels-benches --bench sweep -- --check         # CI: a subset, fails below 0.5x
//! ```
//!
//! Options: `--reps N`, `--out DIR` (default `target/sweep`: `softmax.csv`,
//! `relu.csv`, `summary.md`).
//!
//! - Softmax: rows of `cols` = 1 ..= 130, then powers of two and the odd
//!   sizes beside them up to 2^17; one row, and a batch of rows (at least
//!   64, and at least 2^16 elements in all). The scalar loop is the
//!   chapter's softmax written out: the row's max, `exp(x - max)` with
//!   `std`'s exp, their sum, a division.
//! - ReLU: lengths 0 ..= 300, then powers of two and the odd sizes beside
//!   them up to 2^24. The scalar loop is `if x > 0 { x } else { 0 }` over
//!   the slice (which the compiler vectorises for the build's baseline).
//!
//! Everything runs on one thread (the loops are single-threaded); ratios
//! are medians of interleaved repetitions, as in `dense_grid`. A "step" is
//! a neighbour whose time per element is more than twice this length's.
//!
//! `--check` (CI) takes lengths around each tier's vector widths and fails
//! when a tier falls below 0.5x the loop at one, measured three times. Its
//! one-row softmax starts at 7 columns: a row of 1 to 6 costs one `exp`'s
//! latency plus the call (about 40 ns on AVX-512, 0.4-0.8x a loop of that
//! many scalar `exp`s), a known miss BENCHMARKS.md records, not a cliff.

use nn_kernels_benches as common;

use common::{Args, cpu_name, in_pool, interleaved, keep};
use nn_kernels::dispatch::{Supported, supported_isas};
use nn_kernels::internals::{self, RowOp, UnaryOp, row_call};
use std::fmt::Write as _;

/// Lengths below this ratio are listed as slower than the loop: where the
/// two run the same instructions (ReLU's short slices are a plain loop),
/// repetitions of this sweep scatter by up to 10% either way.
const SLOWER: f64 = 0.9;

/// Below this ratio `--check` fails.
const CHECK_MIN: f64 = 0.5;

#[inline(never)]
fn scalar_softmax(x: &[f32], out: &mut [f32], cols: usize) {
    for (row, o) in x.chunks_exact(cols).zip(out.chunks_exact_mut(cols)) {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let mut sum = 0.0;
        for (o, &v) in o.iter_mut().zip(row) {
            *o = (v - max).exp();
            sum += *o;
        }
        for o in o.iter_mut() {
            *o /= sum;
        }
    }
}

#[inline(never)]
fn scalar_relu(x: &[f32], out: &mut [f32]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = if v > 0.0 { v } else { 0.0 };
    }
}

fn data(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i * 7919) % 2001) as f32 / 200.0 - 5.0)
        .collect()
}

/// Powers of two from 2^`lo` to 2^`hi` and the odd sizes beside them.
fn powers(lo: u32, hi: u32) -> Vec<usize> {
    let mut v = Vec::new();
    for j in lo..=hi {
        let p = 1usize << j;
        v.extend([p - 1, p, p + 1]);
    }
    v
}

/// One length's result: ns per call of the scalar loop and of each tier.
struct Point {
    len: usize,
    rows: usize,
    scalar_ns: f64,
    ours_ns: Vec<f64>,
}

fn softmax_points(tiers: &[Supported], lens: &[usize], batch: bool, reps: usize) -> Vec<Point> {
    let mut points = Vec::new();
    for &cols in lens {
        let rows = if batch { (65536 / cols).max(64) } else { 1 };
        let x = data(rows * cols);
        let mut out = vec![0.0f32; rows * cols];
        let out = std::cell::RefCell::new(&mut out);
        let mut fns: Vec<Box<dyn FnMut()>> = vec![Box::new(|| {
            let mut o = out.borrow_mut();
            scalar_softmax(&x, &mut o, cols);
            keep(&*o);
        })];
        for &isa in tiers {
            let (x, out) = (&x, &out);
            fns.push(Box::new(move || {
                let mut o = out.borrow_mut();
                internals::rows(row_call(RowOp::Softmax, false, isa), x, &mut o, cols).unwrap();
                keep(&*o);
            }));
        }
        let mut refs: Vec<&mut dyn FnMut()> = fns.iter_mut().map(|f| &mut **f as _).collect();
        let t = interleaved(&mut refs, reps, 20_000.0);
        points.push(Point {
            len: cols,
            rows,
            scalar_ns: t[0],
            ours_ns: t[1..].to_vec(),
        });
    }
    points
}

fn relu_points(tiers: &[Supported], lens: &[usize], reps: usize) -> Vec<Point> {
    let x = data(lens.iter().copied().max().unwrap_or(0));
    let mut out = vec![0.0f32; x.len()];
    let out = std::cell::RefCell::new(&mut out);
    let mut points = Vec::new();
    for &n in lens {
        let x = &x[..n];
        let mut fns: Vec<Box<dyn FnMut()>> = vec![Box::new(|| {
            let mut o = out.borrow_mut();
            scalar_relu(x, &mut o[..n]);
            keep(&*o);
        })];
        for &isa in tiers {
            let out = &out;
            fns.push(Box::new(move || {
                let mut o = out.borrow_mut();
                internals::unary(UnaryOp::Relu, isa, x, &mut o[..n]).unwrap();
                keep(&*o);
            }));
        }
        let mut refs: Vec<&mut dyn FnMut()> = fns.iter_mut().map(|f| &mut **f as _).collect();
        let t = interleaved(&mut refs, reps, 20_000.0);
        points.push(Point {
            len: n,
            rows: 1,
            scalar_ns: t[0],
            ours_ns: t[1..].to_vec(),
        });
    }
    points
}

/// The summary of one sweep: per tier the worst ratio (scalar time over
/// ours), every length slower than the loop, and every step.
fn summarize(what: &str, tiers: &[Supported], points: &[Point], report: &mut String) -> f64 {
    let mut worst_all = f64::INFINITY;
    let _ = writeln!(report, "## {what}\n");
    for (t, isa) in tiers.iter().enumerate() {
        let measured: Vec<&Point> = points.iter().filter(|p| p.len > 0).collect();
        let ratio = |p: &Point| p.scalar_ns / p.ours_ns[t];
        let worst = measured
            .iter()
            .min_by(|a, b| ratio(a).total_cmp(&ratio(b)))
            .copied();
        let slower: Vec<String> = measured
            .iter()
            .filter(|p| ratio(p) < SLOWER)
            .map(|p| format!("{} ({:.2}x)", p.len, ratio(p)))
            .collect();
        let per_elem = |p: &Point| p.ours_ns[t] / (p.len * p.rows) as f64;
        let steps: Vec<String> = measured
            .windows(2)
            .filter(|w| per_elem(w[1]) > 2.0 * per_elem(w[0]))
            .map(|w| {
                format!(
                    "{} -> {} ({:.2} -> {:.2} ns/element)",
                    w[0].len,
                    w[1].len,
                    per_elem(w[0]),
                    per_elem(w[1])
                )
            })
            .collect();
        if let Some(w) = worst {
            worst_all = worst_all.min(ratio(w));
            let _ = writeln!(
                report,
                "- {}: worst {:.2}x the scalar loop at {} ({} rows); below {SLOWER}x at {} lengths{}; steps over 2x: {}",
                isa.isa().name(),
                ratio(w),
                w.len,
                w.rows,
                slower.len(),
                if slower.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", slower.join(", "))
                },
                if steps.is_empty() {
                    "none".to_string()
                } else {
                    steps.join("; ")
                }
            );
        }
    }
    report.push('\n');
    worst_all
}

/// Measures `lens`; with `check`, measures each length where a tier fell
/// below [`CHECK_MIN`] twice more with twice the repetitions and keeps each
/// tier's best time of the three, so one disturbed measurement cannot fail
/// the guard while a real cliff, slow every time, still does.
fn measure_again(
    check: bool,
    lens: &[usize],
    reps: usize,
    measure: &dyn Fn(&[usize], usize) -> Vec<Point>,
) -> Vec<Point> {
    let mut points = measure(lens, reps);
    if !check {
        return points;
    }
    for p in points.iter_mut() {
        if p.len == 0 || p.ours_ns.iter().all(|&t| p.scalar_ns / t >= CHECK_MIN) {
            continue;
        }
        for _ in 0..2 {
            let again = measure(&[p.len], 2 * reps).pop().unwrap();
            for (t, a) in p.ours_ns.iter_mut().zip(&again.ours_ns) {
                // The better ratio of the two measurements, per tier.
                if again.scalar_ns / a > p.scalar_ns / *t {
                    *t = a * p.scalar_ns / again.scalar_ns;
                }
            }
        }
    }
    points
}

fn csv(points: &[Point], tiers: &[Supported]) -> String {
    let mut s = String::from("len,rows,scalar_ns");
    for isa in tiers {
        let _ = write!(s, ",{}_ns", isa.isa().name());
    }
    s.push('\n');
    for p in points {
        let _ = write!(s, "{},{},{:.1}", p.len, p.rows, p.scalar_ns);
        for t in &p.ours_ns {
            let _ = write!(s, ",{t:.1}");
        }
        s.push('\n');
    }
    s
}

fn main() {
    let args = Args::get();
    let check = args.flag("--check");
    let reps = args.reps(if check { 11 } else { 7 });
    let mode = args.mode(&["--reps", "--out"]).unwrap_or("all").to_string();
    let out_dir = args.value("--out").unwrap_or("target/sweep").to_string();
    let tiers: Vec<Supported> = supported_isas().collect();
    let mut report = format!(
        "# sweep: softmax and ReLU against a scalar loop\n\nCPU: {}. One thread, f32. \
         Ratio = scalar loop median time / ours (above 1: ours faster).\n\n",
        cpu_name()
    );
    let (soft_lens, relu_lens): (Vec<usize>, Vec<usize>) = if check {
        (
            [7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1023, 4097].to_vec(),
            [
                1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 100, 255, 257, 1023, 4097, 65537,
            ]
            .to_vec(),
        )
    } else {
        (
            (1..=130).chain(powers(8, 17)).collect(),
            (0..=300).chain(powers(9, 24)).collect(),
        )
    };
    let mut worst = f64::INFINITY;
    if !check {
        std::fs::create_dir_all(&out_dir).unwrap();
    }
    in_pool(1, || {
        if mode == "all" || mode == "softmax" {
            for batch in [false, true] {
                let measure = |lens: &[usize], reps| softmax_points(&tiers, lens, batch, reps);
                let points = measure_again(check, &soft_lens, reps, &measure);
                let what = format!(
                    "softmax, {}",
                    if batch { "a batch of rows" } else { "one row" }
                );
                worst = worst.min(summarize(&what, &tiers, &points, &mut report));
                if !check {
                    let name = if batch {
                        "softmax_batch"
                    } else {
                        "softmax_row"
                    };
                    std::fs::write(format!("{out_dir}/{name}.csv"), csv(&points, &tiers)).unwrap();
                }
            }
        }
        if mode == "all" || mode == "relu" {
            let measure = |lens: &[usize], reps| relu_points(&tiers, lens, reps);
            let points = measure_again(check, &relu_lens, reps, &measure);
            worst = worst.min(summarize("ReLU", &tiers, &points, &mut report));
            if !check {
                std::fs::write(format!("{out_dir}/relu.csv"), csv(&points, &tiers)).unwrap();
            }
        }
    });
    println!("{report}");
    if check {
        if worst < CHECK_MIN {
            eprintln!("sweep --check: a length fell below {CHECK_MIN}x the scalar loop");
            std::process::exit(1);
        }
        println!("sweep --check: no length below {CHECK_MIN}x the scalar loop");
    } else {
        std::fs::write(format!("{out_dir}/summary.md"), &report).unwrap();
    }
}
