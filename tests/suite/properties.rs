//! Property tests (proptest): the softmax properties users asked for, ReLU's
//! exactness, and dense against the f64 reference. Each tolerance is derived
//! in a comment beside it or in `tests/common`.

use crate::common;

use nn_kernels::{Activation, Float, reference};
use proptest::prelude::*;

/// `(cols, values)` with `values.len()` a non-zero multiple of `cols`.
fn batch<T: Clone + std::fmt::Debug>(
    elem: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = (usize, Vec<T>)> {
    (1usize..40, 1usize..6).prop_flat_map(move |(cols, rows)| {
        (
            Just(cols),
            proptest::collection::vec(elem.clone(), cols * rows),
        )
    })
}

/// Any finite f32, bit pattern uniform, so huge and tiny magnitudes and
/// subnormals all come up.
fn finite_f32() -> impl Strategy<Value = f32> + Clone {
    any::<u32>()
        .prop_map(f32::from_bits)
        .prop_filter("finite", |v| v.is_finite())
}

fn finite_f64() -> impl Strategy<Value = f64> + Clone {
    any::<u64>()
        .prop_map(f64::from_bits)
        .prop_filter("finite", |v| v.is_finite())
}

/// Rows sum to 1 within `common::softmax_sum_bound` (its docs derive it).
fn assert_softmax_rows_ok<T: Float>(x: &[T], p: &[T], cols: usize) -> Result<(), TestCaseError> {
    for (xr, pr) in x.chunks(cols).zip(p.chunks(cols)) {
        let sum = common::sum_f64(pr.iter().map(|v| v.to_f64()));
        let bound = common::softmax_sum_bound::<T>(cols);
        prop_assert!((sum - 1.0).abs() <= bound, "row {xr:?} sums to {sum}");
        for v in pr {
            prop_assert!(*v >= T::ZERO && *v <= T::ONE, "output {v:?} outside [0, 1]");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No overflow and no NaN for finite inputs up to ±MAX; outputs in [0, 1]
    /// and rows sum to one.
    #[test]
    fn softmax_f32_finite_inputs_give_distributions((cols, x) in batch(finite_f32())) {
        let mut p = vec![f32::NAN; x.len()];
        nn_kernels::softmax_rows(&x, &mut p, cols).unwrap();
        assert_softmax_rows_ok(&x, &p, cols)?;
    }

    #[test]
    fn softmax_f64_finite_inputs_give_distributions((cols, x) in batch(finite_f64())) {
        let mut p = vec![f64::NAN; x.len()];
        nn_kernels::softmax_rows(&x, &mut p, cols).unwrap();
        assert_softmax_rows_ok(&x, &p, cols)?;
    }

    /// Large inputs near ±MAX, where a softmax without the max subtracted
    /// overflows at once.
    #[test]
    fn softmax_no_overflow_near_max((cols, x) in batch(prop_oneof![
        (0.5f32..1.0).prop_map(|v| v * f32::MAX),
        (-1.0f32..-0.5).prop_map(|v| v * f32::MAX),
        -100.0f32..100.0,
    ])) {
        let mut p = vec![f32::NAN; x.len()];
        nn_kernels::softmax_rows(&x, &mut p, cols).unwrap();
        assert_softmax_rows_ok(&x, &p, cols)?;
    }

    /// softmax(x + c) == softmax(x), bit for bit, when `x + c` is exact:
    /// `x` has at most 16 significant bits at a 2^-8 grid and `|c| < 2^10` is
    /// an integer, so `x + c` needs at most 19 bits (< f32's 24), every
    /// `x_i + c` and the shifted max are exact, and `(x_i + c) - (max + c)` is
    /// the same real number as `x_i - max`, so it rounds the same.
    #[test]
    fn softmax_is_shift_invariant(
        (cols, k) in batch(-(1i32 << 15)..(1i32 << 15)),
        c in -1023i32..1024,
    ) {
        let x: Vec<f32> = k.iter().map(|&v| v as f32 / 256.0).collect();
        let shifted: Vec<f32> = x.iter().map(|&v| v + c as f32).collect();
        for (a, b) in x.iter().zip(&shifted) {
            prop_assert_eq!(b - c as f32, *a, "the shift must be exact");
        }
        let (mut p, mut q) = (vec![f32::NAN; x.len()], vec![f32::NAN; x.len()]);
        nn_kernels::softmax_rows(&x, &mut p, cols).unwrap();
        nn_kernels::softmax_rows(&shifted, &mut q, cols).unwrap();
        prop_assert_eq!(p.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), q.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    }

    /// Order preserving: x_i < x_j implies p_i <= p_j (`exp` is monotone and
    /// every element is scaled by the same factor; rounding can tie, never
    /// swap).
    #[test]
    fn softmax_preserves_order((cols, x) in batch(-50.0f64..50.0)) {
        let mut p = vec![f64::NAN; x.len()];
        nn_kernels::softmax_rows(&x, &mut p, cols).unwrap();
        for (xr, pr) in x.chunks(cols).zip(p.chunks(cols)) {
            for i in 0..cols {
                for j in 0..cols {
                    if xr[i] < xr[j] {
                        prop_assert!(pr[i] <= pr[j]);
                    }
                }
            }
        }
    }

    /// Each output against the f64 reference, within the bound derived in
    /// `tests/common::softmax_bound`.
    #[test]
    fn softmax_f32_matches_reference((cols, x) in batch(-90.0f32..90.0)) {
        let mut p = vec![f32::NAN; x.len()];
        nn_kernels::softmax_rows(&x, &mut p, cols).unwrap();
        for (xr, pr) in x.chunks(cols).zip(p.chunks(cols)) {
            let want = reference::softmax_row_f64(xr, false);
            for j in 0..cols {
                let bound = common::softmax_bound::<f32>(cols, want[j], f32::MIN_POSITIVE as f64);
                prop_assert!((pr[j] as f64 - want[j]).abs() <= bound, "{} vs {}", pr[j], want[j]);
            }
        }
    }

    /// Log-softmax of any finite inputs up to ±MAX: no NaN, every output
    /// `<= 0`, within `common::log_softmax_bound` of the reference (`-inf`
    /// exactly where the exact value is below `-MAX`, as `x - max`
    /// overflows there), and `Σ exp(y)` within `(h + 7 + S + 2 ln cols)
    /// · 1.01 u` of 1: each `exp(y_j)` is `p_j e^(err_j)`, and
    /// `Σ p_j |err_j| <= (h + 7 + S) u + 2u Σ p_j |y_j|`, the last sum
    /// being the row's entropy, at most `ln cols` (the check's own f64 exp
    /// and sum add a few f64 units).
    #[test]
    fn log_softmax_f32_finite_inputs((cols, x) in batch(prop_oneof![
        finite_f32(),
        -100.0f32..100.0,
    ])) {
        let mut y = vec![f32::NAN; x.len()];
        nn_kernels::log_softmax_rows(&x, &mut y, cols).unwrap();
        let u = common::unit_roundoff::<f32>();
        for (xr, yr) in x.chunks(cols).zip(y.chunks(cols)) {
            let want = reference::log_softmax_row_f64(xr, false);
            for (&g, &w) in yr.iter().zip(&want) {
                prop_assert!(!g.is_nan() && g <= 0.0, "{xr:?} -> {yr:?}");
                if (w as f32).is_finite() {
                    let bound = common::log_softmax_bound::<f32>(cols, w);
                    prop_assert!((g as f64 - w).abs() <= bound, "{g} vs {w} in {xr:?}");
                } else {
                    prop_assert_eq!(g, f32::NEG_INFINITY);
                }
            }
            let sum = common::sum_f64(yr.iter().map(|&v| (v as f64).exp()));
            let h = common::softmax_sum_roundings(cols) as f64;
            let s = nn_kernels::internals::exact_spread::<f32>() as f64;
            let bound = 1.01 * (h + 7.0 + s + 2.0 * (cols as f64).ln()) * u + 1e-12;
            prop_assert!((sum - 1.0).abs() <= bound, "{xr:?}: Σ exp(y) = {sum}");
        }
    }

    /// log_softmax(x + c) == log_softmax(x) bit for bit when `x + c` is
    /// exact, for the reason given at `softmax_is_shift_invariant`: every
    /// `x_i - max` is the same real number, so the same float, and the
    /// sum and its logarithm follow from those alone.
    #[test]
    fn log_softmax_is_shift_invariant(
        (cols, k) in batch(-(1i32 << 15)..(1i32 << 15)),
        c in -1023i32..1024,
    ) {
        let x: Vec<f32> = k.iter().map(|&v| v as f32 / 256.0).collect();
        let shifted: Vec<f32> = x.iter().map(|&v| v + c as f32).collect();
        let (mut p, mut q) = (vec![f32::NAN; x.len()], vec![f32::NAN; x.len()]);
        nn_kernels::log_softmax_rows(&x, &mut p, cols).unwrap();
        nn_kernels::log_softmax_rows(&shifted, &mut q, cols).unwrap();
        prop_assert_eq!(p.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), q.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    }

    /// exp(log_softmax(x)) is softmax(x) within both bounds added (f64).
    #[test]
    fn log_softmax_exp_is_softmax((cols, x) in batch(-50.0f64..50.0)) {
        let (mut y, mut p) = (vec![f64::NAN; x.len()], vec![f64::NAN; x.len()]);
        nn_kernels::log_softmax_rows(&x, &mut y, cols).unwrap();
        nn_kernels::softmax_rows(&x, &mut p, cols).unwrap();
        for (xr, (yr, pr)) in x.chunks(cols).zip(y.chunks(cols).zip(p.chunks(cols))) {
            let want = reference::softmax_row_f64(xr, false);
            for j in 0..cols {
                // |exp(y) - p_exact| <= p (e^B - 1), B the log-softmax bound.
                let b = common::log_softmax_bound::<f64>(cols, want[j].ln());
                let bound = want[j] * b.exp_m1() * 1.01
                    + common::softmax_bound::<f64>(cols, want[j], f64::MIN_POSITIVE)
                    + want[j] * f64::EPSILON
                    + 2.0 * f64::MIN_POSITIVE;
                prop_assert!((yr[j].exp() - pr[j]).abs() <= bound, "{} vs {}", yr[j].exp(), pr[j]);
            }
        }
    }

    /// ReLU is bitwise the reference on any bit pattern, and idempotent.
    #[test]
    fn relu_bitwise_and_idempotent(bits in proptest::collection::vec(any::<u32>(), 0..70)) {
        let x: Vec<f32> = bits.iter().map(|&b| f32::from_bits(b)).collect();
        let mut once = vec![f32::NAN; x.len()];
        nn_kernels::relu(&x, &mut once).unwrap();
        for (o, v) in once.iter().zip(&x) {
            prop_assert_eq!(o.to_bits(), reference::relu(*v).to_bits());
        }
        let mut twice = once.clone();
        nn_kernels::relu_inplace(&mut twice);
        prop_assert_eq!(
            once.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            twice.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    /// Step is bitwise its reference on any bit pattern; sigmoid is within
    /// 4 ε (+1 ε for the f64 libm oracle's own error) of it, in [0, 1], NaN
    /// only for NaN.
    #[test]
    fn step_and_sigmoid_match_references(bits in proptest::collection::vec(any::<u64>(), 0..40)) {
        let x: Vec<f64> = bits.iter().map(|&b| f64::from_bits(b)).collect();
        let (mut s, mut g) = (vec![f64::NAN; x.len()], vec![f64::NAN; x.len()]);
        nn_kernels::step(&x, &mut s).unwrap();
        nn_kernels::sigmoid(&x, &mut g).unwrap();
        for i in 0..x.len() {
            prop_assert_eq!(s[i].to_bits(), reference::step(x[i]).to_bits());
            let want = reference::sigmoid(x[i]);
            if want.is_nan() {
                prop_assert!(g[i].is_nan());
            } else {
                prop_assert!((0.0..=1.0).contains(&g[i]));
                prop_assert!((g[i] - want).abs() <= 5.0 * f64::EPSILON * want + 2.0 * f64::MIN_POSITIVE);
            }
        }
    }

    /// Dense against the f64 reference within γ_{k+1} Σ|x||w| (see
    /// `tests/common::dense_bound`), fused ReLU equal to ReLU after.
    #[test]
    fn dense_matches_reference(
        (m, k, n) in (0usize..20, 0usize..40, 0usize..20),
        seed in any::<u64>(),
        scale in prop_oneof![Just(1e-3), Just(1.0), Just(1e3)],
    ) {
        let x = common::values::<f32>(m * k, seed, scale);
        let w = common::values::<f32>(k * n, seed ^ 1, 1.0);
        let b = common::values::<f32>(n, seed ^ 2, scale);
        let mut out = vec![f32::NAN; m * n];
        nn_kernels::dense(&x, nn_kernels::Weights::inputs_by_neurons(&w, k, n).unwrap(), &b, &mut out, Activation::Identity).unwrap();
        let (want, sc) = reference::matmul_f64(&x, &w, Some(&b), m, k, n);
        for i in 0..m * n {
            prop_assert!((out[i] as f64 - want[i]).abs() <= common::dense_bound::<f32>(k, sc[i]));
        }
        let mut fused = vec![f32::NAN; m * n];
        nn_kernels::dense(&x, nn_kernels::Weights::inputs_by_neurons(&w, k, n).unwrap(), &b, &mut fused, Activation::Relu).unwrap();
        nn_kernels::relu_inplace(&mut out);
        prop_assert_eq!(
            fused.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            out.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    /// argmax_rows is the reference's argmax, NumPy's rules: first maximum
    /// on ties, first NaN wins. Values from a small set, so ties, signed
    /// zeros, infinities and NaN all come up.
    #[test]
    fn argmax_matches_reference((cols, x) in batch(prop_oneof![
        Just(f32::NAN), Just(f32::NEG_INFINITY), Just(-1.0f32), Just(-0.0f32),
        Just(0.0f32), Just(0.5f32), Just(1.0f32), Just(f32::INFINITY),
    ])) {
        let mut got = vec![usize::MAX; x.len() / cols];
        nn_kernels::argmax_rows(&x, &mut got, cols).unwrap();
        for (row, &g) in x.chunks(cols).zip(&got) {
            prop_assert_eq!(Some(g), reference::argmax(row), "{:?}", row);
        }
    }

    /// Parallel results equal serial ones bit for bit, for softmax batches
    /// around the parallel threshold.
    #[test]
    fn softmax_parallel_equals_serial(cols in 1usize..300, seed in any::<u64>()) {
        let rows = nn_kernels::internals::ROWS_PAR_MIN_ELEMS / cols + 1;
        let x = common::values::<f32>(rows * cols, seed, 40.0);
        let run = |threads| common::in_pool(threads, || {
            let mut p = vec![f32::NAN; x.len()];
            nn_kernels::softmax_rows(&x, &mut p, cols).unwrap();
            p
        });
        let (one, two) = (run(1), run(2));
        prop_assert!(one.iter().zip(&two).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
