//! The other modes: `threads`, `targets`, `engines`.

use super::*;

/// Ours at two threads against ours at one, selected tier, row-major W,
/// no activation: time at 1 thread over time at 2 (below 1: the second
/// thread cost time).
pub(crate) fn threads(args: &Args) {
    let reps = args.reps(5);
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
pub(crate) fn targets(args: &Args) {
    let reps = args.reps(7);
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
pub(crate) fn engines(args: &Args) {
    let reps = args.reps(5);
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
