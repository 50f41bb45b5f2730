//! Every vectorised kernel against its scalar reference, over lengths derived
//! from the vector width (0, 1, lane-1, lane, lane+1, 2·lane+1, primes, ...)
//! and sub-slices starting at odd offsets; outputs pre-filled with NaN so an
//! element that is not written shows up. Each family goes through its one
//! tester, which runs every op of the family's table: the element-wise
//! kernels `common::unary`, the row ops `common::rows`, the dense family
//! `common::gemm` (run by `gemm.rs`); argmax, which has no vector kernel, is
//! table-driven here.

use crate::common;

use crate::common::{assert_bits_eq, rows, tiers, unary, values};
use nn_kernels::internals::{self, Passes, RowCall, RowOp, UnaryOp};
use nn_kernels::{Activation, Float, Weights, reference};

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

/// `argmax_rows` against `reference::argmax` (NumPy's rule) for every row
/// length it specialises (2 to 10) and past them, row counts 0 to 17, at
/// sub-slice offsets: small integers so ties are common, with NaN, both
/// infinities, both zeros and ±MAX cycled through the rows.
#[test]
fn argmax_rows_equal_the_reference_for_every_row_length() {
    fn check<T: Float>() {
        let specials = [
            T::NAN,
            T::INFINITY,
            T::NEG_INFINITY,
            -T::ZERO,
            T::ZERO,
            T::MAX,
            -T::MAX,
        ];
        for cols in 1..=13 {
            for rows in [0usize, 1, 2, 3, 5, 17] {
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
                    nn_kernels::argmax_rows(x, &mut out[1..=rows], cols).unwrap();
                    assert_eq!((out[0], out[rows + 1]), (usize::MAX, usize::MAX));
                    for (r, row) in x.chunks(cols).enumerate() {
                        assert_eq!(
                            Some(out[1 + r]),
                            reference::argmax(row),
                            "argmax<{}> cols={cols} rows={rows} off={off} row {r}: {row:?}",
                            T::NAME
                        );
                    }
                }
            }
        }
    }
    check::<f32>();
    check::<f64>();
}

// The dense sweep over the selected tier and the small-integer exactness
// test that were here are in `tests/gemm.rs`, on every tier: the GEMM
// tester (`tests/common/gemm.rs`) and `small_integers_are_exact_on_every_tier`.

#[test]
fn dense_with_k_zero_gives_bias_and_fused_relu_equals_separate() {
    let bias = [1.5f32, -2.0, 0.0, -0.0];
    let mut out = [f32::NAN; 8];
    nn_kernels::dense(
        &[],
        nn_kernels::Weights::inputs_by_neurons(&[], 0, 4).unwrap(),
        &bias,
        &mut out,
        Activation::Identity,
    )
    .unwrap();
    assert_bits_eq(&out, &[bias, bias].concat(), "k = 0 is the bias");
    nn_kernels::dense(
        &[],
        nn_kernels::Weights::inputs_by_neurons(&[], 0, 4).unwrap(),
        &bias,
        &mut out,
        Activation::Relu,
    )
    .unwrap();
    assert_bits_eq(
        &out,
        &[[1.5, 0.0, 0.0, -0.0]; 2].concat(),
        "k = 0 with ReLU",
    );
    let mut prod = [f64::NAN; 6];
    nn_kernels::matmul::<f64>(&[], &[], &mut prod, 2, 0, 3).unwrap();
    assert_eq!(prod, [0.0; 6]);

    let (m, k, n) = (67, 45, 29);
    let (x, w, b) = (
        values::<f32>(m * k, 4, 1.0),
        values::<f32>(k * n, 5, 1.0),
        values::<f32>(n, 6, 1.0),
    );
    let mut fused = vec![f32::NAN; m * n];
    nn_kernels::dense(
        &x,
        nn_kernels::Weights::inputs_by_neurons(&w, k, n).unwrap(),
        &b,
        &mut fused,
        Activation::Relu,
    )
    .unwrap();
    let mut separate = vec![f32::NAN; m * n];
    nn_kernels::dense(
        &x,
        nn_kernels::Weights::inputs_by_neurons(&w, k, n).unwrap(),
        &b,
        &mut separate,
        Activation::Identity,
    )
    .unwrap();
    nn_kernels::relu_inplace(&mut separate);
    assert_bits_eq(&fused, &separate, "fused ReLU");
}

#[test]
fn dense_parallel_results_equal_serial_bitwise() {
    let (m, k, n) = (520, 96, 100); // 5M multiply-adds: above the threshold
    assert!(m * k * n >= internals::PAR_MIN_MACS_PER_LANE * 16);
    let (x, w, b) = (
        values::<f32>(m * k, 7, 1.0),
        values::<f32>(k * n, 8, 1.0),
        values::<f32>(n, 9, 1.0),
    );
    let run = |threads| {
        common::in_pool(threads, || {
            let mut out = vec![f32::NAN; m * n];
            nn_kernels::dense(
                &x,
                nn_kernels::Weights::inputs_by_neurons(&w, k, n).unwrap(),
                &b,
                &mut out,
                Activation::Relu,
            )
            .unwrap();
            out
        })
    };
    let serial = run(1);
    for threads in [2, 3, 8] {
        assert_bits_eq(&run(threads), &serial, &format!("{threads} threads"));
    }
}

#[test]
#[cfg(feature = "chapter")] // random layers
fn dense_layer_matches_free_function_and_exposes_parameters() {
    let mut rng = nn_kernels::rng::default_rng(3);
    let mut layer = nn_kernels::Dense::<f32>::new(4, 5, &mut rng);
    assert_eq!((layer.inputs(), layer.neurons()), (4, 5));
    assert_eq!(layer.weights().len(), 20);
    layer
        .biases_mut()
        .copy_from_slice(&[0.1, -0.2, 0.3, -0.4, 0.5]);
    layer.weights_mut()[0] = 2.0;
    let x = values::<f32>(3 * 4, 1, 1.0);
    let mut a = vec![f32::NAN; 15];
    layer.forward_with(&x, &mut a, Activation::Relu).unwrap();
    let mut b = vec![f32::NAN; 15];
    nn_kernels::dense(
        &x,
        nn_kernels::Weights::inputs_by_neurons(&layer.weights(), 4, 5).unwrap(),
        layer.biases(),
        &mut b,
        Activation::Relu,
    )
    .unwrap();
    assert_bits_eq(&a, &b, "Dense::forward_with");
    // Weights are 0.01 * N(0, 1): small and not all equal.
    let fresh = nn_kernels::Dense::<f64>::new(50, 40, &mut rng);
    let w = fresh.weights();
    let mean = w.iter().sum::<f64>() / w.len() as f64;
    let var = w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / w.len() as f64;
    // 2000 draws of N(0, 1e-4): the sample variance is within 20% of 1e-4
    // with overwhelming probability (its relative s.d. is sqrt(2/2000) = 3%).
    assert!((var / 1e-4 - 1.0).abs() < 0.2, "variance {var}");
    assert!(
        mean.abs() < 5.0 * 0.01 / (w.len() as f64).sqrt(),
        "mean {mean}"
    );
    let w = Weights::inputs_by_neurons(&w, 50, 40).unwrap();
    let rebuilt = nn_kernels::Dense::from_parts(w, vec![0.0; 40]).unwrap();
    assert_eq!(&rebuilt, &fresh);
}

#[test]
fn zero_size_inputs_are_valid_and_do_nothing() {
    let mut empty: [f32; 0] = [];
    nn_kernels::relu(&[], &mut empty).unwrap();
    nn_kernels::softmax_rows(&[], &mut empty, 0).unwrap();
    nn_kernels::softmax_rows(&[], &mut empty, 5).unwrap();
    nn_kernels::softmax_rows_inplace(&mut empty, 0).unwrap();
    nn_kernels::matmul(&[], &[1.0; 15], &mut empty, 0, 5, 3).unwrap();
    nn_kernels::matmul(&[1.0; 5], &[], &mut empty, 1, 5, 0).unwrap();
    nn_kernels::dense(
        &[],
        nn_kernels::Weights::inputs_by_neurons(&[1.0; 6], 2, 3).unwrap(),
        &[1.0; 3],
        &mut empty,
        Activation::Relu,
    )
    .unwrap();
    let w = Weights::inputs_by_neurons(&[], 0, 3).unwrap();
    let layer = nn_kernels::Dense::<f32>::from_parts(w, vec![0.5; 3]).unwrap();
    let mut out = [f32::NAN; 6];
    layer.forward(&[], &mut out).unwrap(); // 2 samples of no inputs: the bias
    assert_eq!(out, [0.5; 6]);
    #[cfg(feature = "chapter")]
    {
        let mut rng = nn_kernels::rng::default_rng(0);
        let data = nn_kernels::spiral_data::<f32, _>(0, 3, 0.2, &mut rng).unwrap();
        assert!(data.x.is_empty() && data.y.is_empty());
    }
}

/// Weights packed from `neurons x inputs` (PyTorch's layout) give
/// `dense_packed` the bits of the same weights packed from `inputs x
/// neurons`, on every tier, for shapes that read the weights in place and
/// shapes that pack them into panels; `dense` gives the same bits from
/// either layout; `Dense::from_parts` holds the transposed weights; the
/// packed weights unpack to what was packed.
#[test]
fn weights_in_either_layout_give_the_same_bits() {
    use nn_kernels::Dense;
    for (m, k, n) in [
        (1, 1, 1),
        (3, 7, 5),
        (2, 128, 10),
        (4, 784, 128),
        (5, 300, 301),
        (8, 1024, 1000),
    ] {
        let w = values::<f32>(k * n, (k * 31 + n) as u64, 1.0);
        let mut w_t = vec![0.0f32; k * n];
        for i in 0..k {
            for j in 0..n {
                w_t[j * k + i] = w[i * n + j];
            }
        }
        let (by_inputs, by_neurons) = (
            Weights::inputs_by_neurons(&w, k, n).unwrap(),
            Weights::neurons_by_inputs(&w_t, n, k).unwrap(),
        );
        let x = values::<f32>(m * k, 5, 1.0);
        let b = values::<f32>(n, 6, 1.0);
        for isa in tiers() {
            let ctx = format!("{m}x{k}x{n} on {}", isa.isa());
            let a = internals::pack(isa, by_inputs).unwrap();
            let t = internals::pack(isa, by_neurons).unwrap();
            // The same packed data, so every call does the same work (the
            // same speed) as well as giving the same bits.
            assert!(a == t, "{ctx}: packed data differ");
            assert_eq!(t.to_inputs_by_neurons(), w, "{ctx}: unpacked");
            let (mut oa, mut ot) = (vec![f32::NAN; m * n], vec![f32::NAN; m * n]);
            nn_kernels::dense_packed(&x, &a, &b, &mut oa, Activation::Relu).unwrap();
            nn_kernels::dense_packed(&x, &t, &b, &mut ot, Activation::Relu).unwrap();
            assert_bits_eq(&ot, &oa, &ctx);
            internals::dense(isa, &x, by_neurons, &b, &mut ot, Activation::Relu).unwrap();
            assert_bits_eq(&ot, &oa, &format!("{ctx}: dense from neurons x inputs"));
        }
        let layer = Dense::from_parts(by_neurons, b.clone()).unwrap();
        assert_eq!(layer, Dense::from_parts(by_inputs, b).unwrap());
        assert_eq!(layer.weights(), w.as_slice());
    }
    // The shape in the tensor's order is checked where the weights are
    // described: 5 weights are not 2 x 3.
    assert!(Weights::neurons_by_inputs(&[0.0f32; 5], 3, 2).is_err());
}
