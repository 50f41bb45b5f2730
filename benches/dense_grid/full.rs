//! The full grid and the CI guard (`--check`).

use super::*;

pub(crate) fn check(args: &Args) -> bool {
    let reps = args.reps(11);
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

pub(crate) fn full(args: &Args) {
    let reps = args.reps(5);
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
