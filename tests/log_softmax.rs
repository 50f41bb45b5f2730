//! `log_softmax_rows` and its in-place and masked forms on every tier:
//! against `reference::log_softmax_row_f64` within the derived bound
//! (`common::log_softmax_bound`), the special-value table, and the same
//! bits in place, masked (for rows that are not all `-inf`) and under
//! threads.

mod common;

use common::{lengths, tiers, values};
use nn_kernels::Float;
use nn_kernels::reference::log_softmax_row_f64;
use nn_kernels::softmax::{log_softmax_rows_inplace_with_isa, log_softmax_rows_with_isa};

/// Every row of `x` against the reference: equal where the reference
/// rounds to a non-finite `T` (NaN, `-inf`), within the bound elsewhere.
fn check_rows<T: Float>(x: &[T], got: &[T], cols: usize, masked: bool, ctx: &str) {
    for (r, (row, out)) in x.chunks(cols).zip(got.chunks(cols)).enumerate() {
        let want = log_softmax_row_f64(row, masked);
        for (j, (&g, &w)) in out.iter().zip(&want).enumerate() {
            let (g, wt) = (g.to_f64(), T::from_f64(w).to_f64());
            if !wt.is_finite() {
                assert!(
                    g.to_bits() == wt.to_bits() || (g.is_nan() && wt.is_nan()),
                    "{ctx}: row {r} element {j} is {g:e}, want {wt:e}"
                );
                continue;
            }
            let bound = common::log_softmax_bound::<T>(cols, w);
            assert!(
                (g - w).abs() <= bound,
                "{ctx}: row {r} element {j} is {g:e}, exact {w:e} (bound {bound:e})"
            );
            assert!(g <= 0.0, "{ctx}: row {r} element {j} is {g:e} > 0");
        }
    }
}

/// Rows of every tail length of every tier (and 1000, 4097 for the
/// blocked sum), several rows each, inputs spanning 2 (the narrow exp),
/// 60 and 1e4 (the exact subtraction, outputs far below 0), on every tier;
/// in place, masked and out of place the same bits.
fn sweep<T: Float>() {
    let mut cols_list = lengths::<T>();
    cols_list.retain(|&c| c > 0);
    cols_list.extend([1000, 4097]);
    for &cols in &cols_list {
        for (s, scale) in [1.0, 30.0, 5e3].into_iter().enumerate() {
            let x = values::<T>(cols * 5, (cols * 7 + s) as u64, scale);
            for isa in tiers() {
                let ctx = format!("{} cols={cols} scale={scale} on {}", T::NAME, isa.isa());
                let mut out = vec![T::NAN; x.len()];
                log_softmax_rows_with_isa(isa, &x, &mut out, cols, false).unwrap();
                check_rows(&x, &out, cols, false, &ctx);
                let mut masked = vec![T::NAN; x.len()];
                log_softmax_rows_with_isa(isa, &x, &mut masked, cols, true).unwrap();
                common::assert_bits_eq(&masked, &out, &format!("{ctx}: masked"));
                let mut inplace = x.clone();
                log_softmax_rows_inplace_with_isa(isa, &mut inplace, cols, false).unwrap();
                common::assert_bits_eq(&inplace, &out, &format!("{ctx}: in place"));
            }
        }
    }
}

#[test]
fn log_softmax_f32_within_bound_on_every_tier() {
    sweep::<f32>();
}

#[test]
fn log_softmax_f64_within_bound_on_every_tier() {
    sweep::<f64>();
}

/// The special-value table (`nn_kernels::log_softmax_rows`' docs), with
/// the special element at every position of rows of several lengths.
fn specials<T: Float>() {
    let ninf = T::NEG_INFINITY;
    for cols in [1usize, 2, 7, 16, 17, 40] {
        for pos in 0..cols {
            let finite = values::<T>(cols, pos as u64, 5.0);
            let with = |v: T| {
                let mut r = finite.clone();
                r[pos] = v;
                r
            };
            let mut only = vec![ninf; cols];
            only[pos] = T::from_f64(-3.0);
            let rows = [
                ("NaN", with(T::NAN)),
                ("+inf", with(T::INFINITY)),
                ("all -inf", vec![ninf; cols]),
                ("one -inf", with(ninf)),
                ("-inf but one", only),
            ];
            for (what, row) in rows {
                for isa in tiers() {
                    for masked in [false, true] {
                        let mut out = vec![T::from_f64(0.5); cols];
                        log_softmax_rows_with_isa(isa, &row, &mut out, cols, masked).unwrap();
                        let ctx = format!(
                            "{} {what} cols={cols} pos={pos} masked={masked} on {}",
                            T::NAME,
                            isa.isa()
                        );
                        check_rows(&row, &out, cols, masked, &ctx);
                        if what == "all -inf" || (cols == 1 && what == "one -inf") {
                            let want = if masked { ninf } else { T::NAN };
                            assert!(
                                out.iter().all(|o| o.to_bits_u64() == want.to_bits_u64()
                                    || (o.is_nan() && want.is_nan())),
                                "{ctx}: {out:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn log_softmax_special_values_follow_the_table() {
    specials::<f32>();
    specials::<f64>();
}

/// A batch above the threading threshold gives, row for row, the bits of
/// each row computed alone, in pools of 1 to 4 threads.
#[test]
fn log_softmax_threads_give_the_bits_of_rows_alone() {
    let cols = 100;
    let x = values::<f32>(cols * 700, 11, 20.0);
    let mut alone = vec![f32::NAN; x.len()];
    for (xr, o) in x.chunks(cols).zip(alone.chunks_mut(cols)) {
        nn_kernels::log_softmax_rows(xr, o, cols).unwrap();
    }
    for threads in 1..=4 {
        let got = common::in_pool(threads, || {
            let mut out = vec![f32::NAN; x.len()];
            nn_kernels::log_softmax_rows(&x, &mut out, cols).unwrap();
            out
        });
        common::assert_bits_eq(&got, &alone, &format!("{threads} threads"));
    }
}

/// Shape errors, as for the softmax.
#[test]
fn log_softmax_shape_errors() {
    let x = [0.0f32; 6];
    let mut out = [0.0f32; 5];
    assert!(nn_kernels::log_softmax_rows(&x, &mut out, 3).is_err());
    let mut out = [0.0f32; 6];
    assert!(nn_kernels::log_softmax_rows(&x, &mut out, 4).is_err());
    assert!(nn_kernels::log_softmax_rows(&x, &mut out, 0).is_err());
    let mut y = [0.0f32; 6];
    assert!(nn_kernels::log_softmax_rows_masked_inplace(&mut y, 4).is_err());
    assert!(nn_kernels::log_softmax_rows::<f32>(&[], &mut [], 0).is_ok());
}
