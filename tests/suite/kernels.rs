//! Every vectorised kernel against its scalar reference, over lengths derived
//! from the vector width (0, 1, lane-1, lane, lane+1, 2·lane+1, primes, ...)
//! and sub-slices starting at odd offsets; outputs pre-filled with NaN so an
//! element that is not written shows up. Each family goes through its one
//! tester, which runs every op of the family's table: the element-wise
//! kernels `common::unary`, the row ops `common::rows`, the dense family
//! `common::gemm` (run by `gemm.rs`); argmax is table-driven here.

use crate::common;

use crate::common::{rows, tiers, unary, values};
use nn_kernels::internals::{self, Passes, RowCall, RowOp, UnaryOp};
use nn_kernels::{Float, reference};

/// Every element-wise op of the table, and the exp inside softmax and
/// sigmoid, through the one element-wise tester (`common/unary.rs`): every
/// supported tier, every tail length of every tier's vector width,
/// sub-slice offsets 0..4, out of place with NaN pre-filled and guard
/// elements on both sides, in place, and against guard pages. Each op's
/// tolerance and its derivation are beside its descriptor there: bit for
/// bit for ReLU and step, the documented 4 ε (plus the reference's 2 ε of
/// `f64`) for sigmoid, the documented 2 ulp for the exp.
fn unary_ops<T: Float>() {
    let tester = unary::UnaryTester::new::<T>();
    for &op in UnaryOp::ALL.iter().chain([&UnaryOp::ExpLe0]) {
        tester.test(&unary::case::<T>(op));
    }
}

#[test]
fn unary_ops_f32_within_their_references_on_every_tier() {
    unary_ops::<f32>();
}

#[test]
fn unary_ops_f64_within_their_references_on_every_tier() {
    unary_ops::<f64>();
}

#[test]
fn relu_special_values_are_numpys() {
    // np.maximum(0, x): x < 0 gives +0.0, everything else passes bit for bit.
    let x = [
        -0.0f32,
        0.0,
        -1.0,
        f32::NAN,
        -f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        1e-45,
        -1e-45,
    ];
    let want_bits = [
        0x8000_0000u32,
        0,
        0,
        0x7fc0_0000,
        0xffc0_0000,
        0x7f80_0000,
        0,
        1,
        0,
    ];
    let mut out = [1.0f32; 9];
    nn_kernels::relu(&x, &mut out).unwrap();
    assert_eq!(out.map(f32::to_bits), want_bits);
    let payload = f64::from_bits(0xfff0_0000_dead_beef); // a signalling-style NaN payload
    let mut y = [payload];
    nn_kernels::relu_inplace(&mut y);
    assert_eq!(y[0].to_bits(), payload.to_bits());
}

/// Sigmoid against the exact value (f64 libm for f32 inputs; for f64, the
/// symmetric identity is checked instead, see below), within 4 ε (derivation
/// in `nn_kernels::sigmoid`'s docs), over a sweep that includes the overflow
/// region of a naive `1 / (1 + exp(-x))`.
#[test]
fn sigmoid_is_accurate_and_never_nan_for_finite_input() {
    let mut x: Vec<f32> = (-2000..=2000).map(|i| i as f32 * 0.06).collect();
    x.extend([f32::MAX, -f32::MAX, 1e-30, -1e-30, 0.0, -0.0]);
    let mut out = vec![f32::NAN; x.len()];
    nn_kernels::sigmoid(&x, &mut out).unwrap();
    for (&xi, &o) in x.iter().zip(&out) {
        assert!((0.0..=1.0).contains(&o), "sigmoid({xi}) = {o}");
        let exact = 1.0 / (1.0 + (-(xi as f64)).exp());
        assert!(
            (o as f64 - exact).abs()
                <= 4.0 * f32::EPSILON as f64 * exact + 2.0 * f32::MIN_POSITIVE as f64,
            "sigmoid({xi}) = {o}, exact {exact}"
        );
    }
    let mut nan = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -800.0, 800.0];
    nn_kernels::sigmoid_inplace(&mut nan);
    assert!(nan[0].is_nan());
    assert_eq!(&nan[1..], &[1.0, 0.0, 0.0, 1.0]);
    // f64: sigmoid(x) + sigmoid(-x) = 1; each side within 4 ε, so the sum is
    // within 8 ε of 1 (both terms are at most 1).
    let xs: Vec<f64> = (-3000..=3000).map(|i| i as f64 * 0.0123).collect();
    let neg: Vec<f64> = xs.iter().map(|v| -v).collect();
    let (mut a, mut b) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
    nn_kernels::sigmoid(&xs, &mut a).unwrap();
    nn_kernels::sigmoid(&neg, &mut b).unwrap();
    for i in 0..xs.len() {
        assert!(
            (a[i] + b[i] - 1.0).abs() <= 8.0 * f64::EPSILON,
            "x = {}",
            xs[i]
        );
    }
}

/// Softmax, masked and not, through the one softmax tester
/// (`tests/common/softmax.rs`): every supported tier; row lengths 1 to
/// `SMALL_COLS + 1`, each tier's lanes ±1, 2·lanes ±1, primes up to 1031;
/// row counts 0 to 5, 17, each tier's lanes ±1; sub-slice offsets 0..4;
/// finite rows and rows with NaN, `+inf` and `-inf` mixed in; out of place
/// with NaN pre-filled and guards around, and in place (same bits). Every
/// row within `common::softmax_bound` of `reference::softmax_row_f64` and
/// bit for bit the row computed alone; batches above `PAR_MIN_ELEMS` in
/// pools of 2, 3 and 4 threads.
/// Every row op of the table (softmax, log-softmax), plain and masked,
/// through the one row tester (`common/rows.rs`).
fn row_ops<T: Float>(masked: bool) {
    let tester = rows::RowTester::new::<T>();
    for &op in RowOp::ALL {
        tester.test::<T>(op, masked);
    }
}

#[test]
fn row_ops_f32_within_their_bounds_on_every_tier() {
    row_ops::<f32>(false);
}

#[test]
fn row_ops_f64_within_their_bounds_on_every_tier() {
    row_ops::<f64>(false);
}

#[test]
fn masked_row_ops_f32_within_their_bounds_on_every_tier() {
    row_ops::<f32>(true);
}

#[test]
fn masked_row_ops_f64_within_their_bounds_on_every_tier() {
    row_ops::<f64>(true);
}

/// The special-value table of `nn_kernels::softmax`, row by row, at every
/// position of rows of several lengths (so the special element lands in the
/// vector body and in the tail).
fn check_softmax_specials<T: Float>() {
    let ninf = T::NEG_INFINITY;
    // The last length is over two of the two-pass path's parts (16 Ki
    // elements): the special element in the first, at the edges of the
    // second, and last, so whole parts are all -inf in "-inf but one".
    let long = 2 * 16 * 1024 + 5;
    let long_pos = [0, 16 * 1024 - 1, 16 * 1024, 2 * 16 * 1024 - 1, long - 1];
    for cols in [1usize, 2, 3, 7, 8, 9, 16, 17, 40, long] {
        let positions: Vec<usize> = if cols == long {
            long_pos.to_vec()
        } else {
            (0..cols).collect()
        };
        for pos in positions {
            let finite = values::<T>(cols, pos as u64, 5.0);
            let with = |v: T| {
                let mut r = finite.clone();
                r[pos] = v;
                r
            };
            // (what, row, fill of softmax_rows, fill of softmax_rows_masked);
            // `None` means an ordinary distribution.
            type Case<T> = (&'static str, Vec<T>, Option<T>, Option<T>);
            let cases: Vec<Case<T>> = vec![
                ("NaN", with(T::NAN), Some(T::NAN), Some(T::NAN)),
                ("-NaN", with(-T::NAN), Some(T::NAN), Some(T::NAN)),
                ("+inf", with(T::INFINITY), Some(T::NAN), Some(T::NAN)),
                ("all -inf", vec![ninf; cols], Some(T::NAN), Some(T::ZERO)),
                (
                    "-inf and NaN",
                    {
                        let mut r = vec![ninf; cols];
                        r[pos] = T::NAN;
                        r
                    },
                    Some(T::NAN),
                    Some(T::NAN),
                ),
                ("one -inf", with(ninf), None, None),
                (
                    "-inf but one",
                    {
                        let mut r = vec![ninf; cols];
                        r[pos] = T::from_f64(-3.0);
                        r
                    },
                    None,
                    None,
                ),
            ];
            for (what, row, fill, masked_fill) in cases {
                if cols == 1 && what == "one -inf" {
                    continue; // that row is all -inf, covered above
                }
                let runs = tiers().into_iter().flat_map(|isa| {
                    [Passes::Three, Passes::Two]
                        .into_iter()
                        .flat_map(move |passes| {
                            [(isa, passes, false, fill), (isa, passes, true, masked_fill)]
                        })
                });
                for (isa, passes, masked, fill) in runs {
                    let mut out = vec![T::from_f64(0.123); cols];
                    let call = RowCall {
                        op: RowOp::Softmax,
                        masked,
                        isa: Some(isa),
                        passes,
                    };
                    internals::rows(call, &row, &mut out, cols).unwrap();
                    let ctx = format!(
                        "{what} cols={cols} pos={pos} masked={masked} <{}> on {} {passes:?}",
                        T::NAME,
                        isa.isa()
                    );
                    match fill {
                        Some(v) if v.is_nan() => {
                            assert!(out.iter().all(|o| o.is_nan()), "{ctx}: {out:?}")
                        }
                        Some(v) => assert!(out.iter().all(|o| *o == v), "{ctx}: {out:?}"),
                        None => {
                            assert!(
                                out.iter().all(|o| *o >= T::ZERO && *o <= T::ONE),
                                "{ctx}: {out:?}"
                            );
                            let sum = common::sum_f64(out.iter().map(|o| o.to_f64()));
                            let bound = if passes == Passes::Two {
                                common::softmax_sum_bound_two_pass::<T>(cols)
                            } else {
                                common::softmax_sum_bound::<T>(cols)
                            };
                            assert!((sum - 1.0).abs() <= bound, "{ctx}: sum {sum}");
                            for (o, r) in out.iter().zip(&row) {
                                if *r == ninf {
                                    assert_eq!(*o, T::ZERO, "{ctx}: exp(-inf) is exactly 0");
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn softmax_special_values_follow_the_table() {
    check_softmax_specials::<f32>();
    check_softmax_specials::<f64>();
}

#[test]
fn argmax_is_numpys() {
    let nan = f32::NAN;
    let x = [
        1.0,
        3.0,
        3.0,
        2.0, // tie: first
        nan,
        5.0,
        1.0,
        0.0, // NaN first: it wins
        1.0,
        9.0,
        nan,
        nan, // first NaN wins over the larger value
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
        -0.0,
        0.0,
        -1.0,
        0.0, // -0.0 == 0.0: first
    ];
    let mut out = [usize::MAX; 5];
    nn_kernels::argmax_rows(&x, &mut out, 4).unwrap();
    assert_eq!(out, [1, 0, 2, 0, 0]);
    let mut none: [usize; 0] = [];
    nn_kernels::argmax_rows::<f64>(&[], &mut none, 0).unwrap();
}

/// `argmax_rows` against `reference::argmax` (NumPy's rule) on every tier,
/// for every row length it specialises (2 to 10) and past them, row counts
/// 0 to 17 (the row loop) and around the batch size from which rows of
/// 2 to 10 go across the lanes (`ARGMAX_ACROSS_MIN_ELEMS`: one under, at,
/// one over, then the tier's vector of rows and one more, and three less
/// one, so whole groups and every partial last group on each tier),
/// at sub-slice offsets: small integers so ties are common, with NaN, both
/// infinities, both zeros and ±MAX cycled through the rows.
#[test]
fn argmax_rows_equal_the_reference_for_every_row_length() {
    fn check<T: Float>(isa: nn_kernels::dispatch::Supported) {
        let specials = [
            T::NAN,
            T::INFINITY,
            T::NEG_INFINITY,
            -T::ZERO,
            T::ZERO,
            T::MAX,
            -T::MAX,
        ];
        let lanes = internals::vector_lanes::<T>(isa.isa());
        for cols in 1..=13 {
            let at = internals::ARGMAX_ACROSS_MIN_ELEMS.div_ceil(cols);
            for rows in [0usize, 1, 2, 3, 5, 17, at - 1, at, at + 1]
                .into_iter()
                .chain([at + lanes + 1, at + 3 * lanes - 1])
            {
                for off in 0..3 {
                    let seed = (cols * 31 + rows + off) as u64;
                    let mut buf: Vec<T> = values::<f64>(off + rows * cols, seed, 3.0)
                        .into_iter()
                        .map(|v| T::from_f64(v.round()))
                        .collect();
                    for (i, v) in buf.iter_mut().enumerate().skip(off) {
                        if (i * 7 + cols) % 5 == 0 {
                            *v = specials[(i / 5) % specials.len()];
                        }
                    }
                    let x = &buf[off..];
                    let mut out = vec![usize::MAX; rows + 2];
                    internals::argmax_rows(isa, x, &mut out[1..=rows], cols).unwrap();
                    assert_eq!((out[0], out[rows + 1]), (usize::MAX, usize::MAX));
                    for (r, row) in x.chunks(cols).enumerate() {
                        assert_eq!(
                            Some(out[1 + r]),
                            reference::argmax(row),
                            "argmax<{}> {isa:?} cols={cols} rows={rows} off={off} row {r}: {row:?}",
                            T::NAME
                        );
                    }
                }
            }
        }
    }
    for isa in tiers() {
        check::<f32>(isa);
        check::<f64>(isa);
    }
}
