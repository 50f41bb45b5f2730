//! Calibrates the GEMM's cache shares for the CPU it runs on and prints
//! the line for the table in `src/gemm/tuning.rs`.
//!
//! ```text
//! cargo bench -p nn-kernels-benches --bench calibrate            # the selected tier
//! cargo bench -p nn-kernels-benches --bench calibrate -- --reps 9
//! ```
//!
//! For each candidate pair of shares (W's micro-panel: half of L1d, L1d,
//! L2/16, L2/8, L2/4; X's packed block: L2/4, L2/2, 3 L2/4) that blocks
//! the shapes below differently on this CPU, `dense` with row-major W (W
//! packed inside the call, as every large product does) runs the shapes in
//! `f32` and `f64` on one thread, all candidates interleaved, one
//! repetition of each after the other. A candidate's score is the
//! geometric mean over shapes and types of its time over the default
//! shares' ([`Shares::DEFAULT`]); the best is proposed, unless it is within
//! 2% of the default (the spread of repeated runs), in which case the
//! default stays. Run it two or three times on an idle machine and commit
//! the entry only if the winner repeats.

use nn_kernels_benches as common;

use common::{Args, cpu_name, data, in_pool, interleaved};
use nn_kernels::dispatch::Supported;
use nn_kernels::internals::{self, CpuId, Level, Share, Shares};
use nn_kernels::{Float, Weights};

/// Shapes: the two cubes and the wide, shallow-batch layers the issue
/// names (scaled to keep a run near a minute on one core).
const SHAPES: [(usize, usize, usize); 3] =
    [(1024, 1024, 1024), (1023, 1025, 1027), (128, 4096, 1024)];

/// A proposal must beat the default by this factor.
const MARGIN: f64 = 0.98;

fn candidates() -> Vec<Shares> {
    let panels = [
        Share::of(Level::L1d, 1, 2),
        Share::of(Level::L1d, 1, 1),
        Share::of(Level::L2, 1, 16),
        Share::of(Level::L2, 1, 8),
        Share::of(Level::L2, 1, 4),
    ];
    let blocks = [
        Share::of(Level::L2, 1, 4),
        Share::of(Level::L2, 1, 2),
        Share::of(Level::L2, 3, 4),
    ];
    let mut v = vec![Shares::DEFAULT];
    for w_panel in panels {
        for x_block in blocks {
            let s = Shares { w_panel, x_block };
            if s != Shares::DEFAULT {
                v.push(s);
            }
        }
    }
    v
}

fn main() {
    let args = Args::get();
    let reps = args.reps(5);
    let isa = internals_selected();
    let c = nn_kernels::cache::caches();
    println!("# GEMM calibration: {}", cpu_name());
    println!(
        "\nCaches: L1d {} KiB, L2 {} KiB; tier {}; shares now: {:?}\n",
        c.l1d >> 10,
        c.l2 >> 10,
        isa.isa(),
        internals::gemm_shares()
    );
    // Candidates that block every shape alike on this CPU (a panel share
    // that the KC cap makes equal to another, say) would measure the same
    // code twice: only the first of each kind runs, and the table lists
    // the others beside it.
    let blocks = |s: Shares| {
        let dims = |d: Option<([usize; 5], usize)>| d.map(|(d, _)| [d[2], d[3], d[4]]);
        (
            dims(internals::tile_dims_with_shares::<f32>(isa.isa(), s)),
            dims(internals::tile_dims_with_shares::<f64>(isa.isa(), s)),
        )
    };
    let mut shares: Vec<Shares> = Vec::new();
    let mut same_as: Vec<Vec<Shares>> = Vec::new();
    for s in candidates() {
        match shares.iter().position(|&c| blocks(c) == blocks(s)) {
            Some(i) => same_as[i].push(s),
            None => {
                shares.push(s);
                same_as.push(Vec::new());
            }
        }
    }
    let scores = sweep(isa, &shares, reps);
    println!(
        "\n| shares (W panel, X block) | same blocks as | KC, MC (f32; f64) | time over the default (geometric mean) |\n|---|---|---|---|"
    );
    for ((s, v), same) in shares.iter().zip(&scores).zip(&same_as) {
        let same: Vec<String> = same.iter().map(|s| s.to_string()).collect();
        let (b32, b64) = blocks(*s);
        let kc_mc = |b: Option<[usize; 3]>| b.map_or("-".into(), |b| format!("{}, {}", b[0], b[1]));
        println!(
            "| {s} | {} | {}; {} | {v:.3} |",
            same.join(" "),
            kc_mc(b32),
            kc_mc(b64)
        );
    }
    let chosen = propose(&shares, &scores);
    println!("\nProposed: {chosen}\n");

    let id = CpuId::detect();
    println!("The table line (src/gemm/tuning.rs; widen the model range to the core's):\n");
    println!("    Entry {{");
    println!("        name: \"<microarchitecture>\",");
    match id {
        Some(id) => {
            println!(
                "        vendor: b\"{}\",",
                String::from_utf8_lossy(&id.vendor)
            );
            println!("        family: {:#x},", id.family);
            println!("        models: &[({:#04x}, {:#04x})],", id.model, id.model);
        }
        None => println!("        // CPUID not available here"),
    }
    let share = |s: Share| format!("Share::of(Level::{:?}, {}, {})", s.level, s.num, s.den);
    println!("        shares: Shares {{");
    println!("            w_panel: {},", share(chosen.w_panel));
    println!("            x_block: {},", share(chosen.x_block));
    println!("        }},");
    println!("    }},");
}

/// Each candidate's time over the first's (the default shares), the
/// geometric mean over the shapes and both types, after a table of the
/// default's speed.
fn sweep(isa: Supported, cands: &[Shares], reps: usize) -> Vec<f64> {
    let mut rel = vec![Vec::new(); cands.len()];
    println!(
        "| type | m x k x n | default GFLOP/s | best | best / default time |\n|---|---|---|---|---|"
    );
    for &dims in &SHAPES {
        run::<f32>(isa, cands, dims, reps, &mut rel);
        run::<f64>(isa, cands, dims, reps, &mut rel);
    }
    rel.iter()
        .map(|r| (r.iter().map(|v: &f64| v.ln()).sum::<f64>() / r.len() as f64).exp())
        .collect()
}

/// The candidate with the lowest score if it beats the first (the
/// default) by [`MARGIN`], else the first.
fn propose(cands: &[Shares], scores: &[f64]) -> Shares {
    let (best, score) = cands
        .iter()
        .zip(scores)
        .min_by(|a, b| a.1.total_cmp(b.1))
        .expect("candidates");
    if *score < MARGIN { *best } else { cands[0] }
}

fn internals_selected() -> Supported {
    nn_kernels::dispatch::Isa::ALL
        .iter()
        .rev()
        .find_map(|i| {
            i.supported()
                .filter(|s| s.isa() == nn_kernels::dispatch::selected_isa())
        })
        .expect("the selected tier is supported")
}

fn run<T: Float>(
    isa: Supported,
    cands: &[Shares],
    (m, k, n): (usize, usize, usize),
    reps: usize,
    rel: &mut [Vec<f64>],
) {
    let x: Vec<T> = data(m * k, 1);
    let w: Vec<T> = data(k * n, 2);
    let b: Vec<T> = data(n, 3);
    let mut outs: Vec<Vec<T>> = cands.iter().map(|_| vec![T::NAN; m * n]).collect();
    let t = in_pool(1, || {
        let wt = Weights::inputs_by_neurons(&w, k, n).unwrap();
        let mut fns: Vec<Box<dyn FnMut()>> = cands
            .iter()
            .zip(outs.iter_mut())
            .map(|(&s, out)| {
                let (x, b) = (&x, &b);
                Box::new(move || internals::dense_with_shares(isa, s, x, wt, b, out).unwrap())
                    as Box<dyn FnMut()>
            })
            .collect();
        let mut refs: Vec<&mut dyn FnMut()> = fns.iter_mut().map(|f| &mut **f as _).collect();
        interleaved(&mut refs, reps, 1e7)
    });
    // Every candidate computes the same bits (blocking never changes a
    // rounding): a check that the override only moved the blocks.
    for o in &outs[1..] {
        assert!(
            o.iter()
                .zip(&outs[0])
                .all(|(a, b)| a.to_bits_u64() == b.to_bits_u64()),
            "blocking changed the result"
        );
    }
    let (best, bt) = t
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .expect("candidates");
    for (r, v) in rel.iter_mut().zip(&t) {
        r.push(v / t[0]);
    }
    println!(
        "| {} | {m} x {k} x {n} | {:.1} | {} | {:.3} |",
        T::NAME,
        2.0 * (m * k * n) as f64 / t[0],
        cands[best],
        bt / t[0]
    );
}
