//! `log_softmax_rows` and its masked forms: the special-value table, with
//! the special element at every position of rows of several lengths, on
//! every tier. The rest of what a row op must do (the derived bound over
//! every tail length, offsets, in place, guard pages, threads) is the row
//! tester's (`common/rows.rs`), which runs every op of the row table, and
//! shape errors are the `errors` suite's.

use crate::common::rows::check_row;
use crate::common::{tiers, values};
use nn_kernels::Float;
use nn_kernels::internals::{self, RowOp, row_call};

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
                        let call = row_call(RowOp::LogSoftmax, masked, isa);
                        internals::rows(call, &row, &mut out, cols).unwrap();
                        let ctx = format!(
                            "{} {what} cols={cols} pos={pos} masked={masked} on {}",
                            T::NAME,
                            isa.isa()
                        );
                        check_row(RowOp::LogSoftmax, &row, &out, masked)
                            .unwrap_or_else(|why| panic!("{ctx}: {why}"));
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
