//! The dense layer over the whole shape space, against `matrixmultiply`
//! plus a bias pass (and a ReLU pass for the fused ReLU) measured in the
//! same run: a cliff anywhere in `m x k x n` shows as a low ratio.
//!
//! ```text
//! cargo bench -p nn-kernels-benches --bench dense_grid                  # the full grid, every tier
//! cargo bench -p nn-kernels-benches --bench dense_grid -- --check       # CI: a subset, fails below 0.5x
//! cargo bench -p nn-kernels-benches --bench dense_grid -- threads       # ours at 2 threads against 1
//! cargo bench -p nn-kernels-benches --bench dense_grid -- targets       # the issue's named shapes
//! cargo bench -p nn-kernels-benches --bench dense_grid -- engines       # portable tier: own BLIS vs matrixmultiply
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

mod full;
mod modes;

use nn_kernels_benches as common;

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

fn main() {
    let args = Args::get();
    match args.mode(&["--tier", "--reps", "--out"]) {
        _ if args.flag("--check") => {
            if !full::check(&args) {
                eprintln!("dense_grid --check: a shape fell below {CHECK_MIN}x the yardstick");
                std::process::exit(1);
            }
            println!("dense_grid --check: no shape below {CHECK_MIN}x the yardstick");
        }
        Some("threads") => modes::threads(&args),
        Some("targets") => modes::targets(&args),
        Some("engines") => modes::engines(&args),
        _ => full::full(&args),
    }
}
