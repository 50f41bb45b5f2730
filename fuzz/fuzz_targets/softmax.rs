//! Softmax on arbitrary rows: `cols` and the values come from the input
//! bytes (NaN payloads, ±inf, subnormals and huge magnitudes included), in
//! f32 and f64, masked and not, on every tier the CPU has.
//!
//! Checks: no panic; the NaN pattern follows the documented rules; rows
//! without NaN or +inf (and not all -inf) are in [0, 1], sum to 1 and match
//! the f64 reference within the documented bound; all tiers agree with the
//! reference; in place equals out of place.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use nn_kernels::dispatch::supported_isas;
use nn_kernels::reference::softmax_row_f64;
use nn_kernels::internals::{RowOp, row_call, rows, rows_inplace};
use nn_kernels::Float;

/// The bound of `tests/common::softmax_bound`, restated: `(n + 11 +
/// exact_spread) (u_T + u_f64)` relative plus `2 MIN_POSITIVE` absolute.
fn bound<T: Float>(n: usize, exact: f64, min_positive: f64) -> f64 {
    let u = T::EPSILON.to_f64() / 2.0 + f64::EPSILON / 2.0;
    (n as f64 + 11.0 + nn_kernels::internals::exact_spread::<T>().to_f64()) * u * exact.abs() + 2.0 * min_positive
}

fn check<T: Float>(x: &[T], cols: usize, masked: bool, min_positive: f64) {
    for isa in supported_isas() {
        let mut out = vec![T::from_f64(0.5); x.len()];
        rows(row_call(RowOp::Softmax, masked, isa), x, &mut out, cols).expect("valid shape");
        let mut inplace = x.to_vec();
        rows_inplace(row_call(RowOp::Softmax, masked, isa), &mut inplace, cols).expect("valid shape");
        assert!(
            inplace.iter().zip(&out).all(|(a, b)| a.to_bits_u64() == b.to_bits_u64()),
            "in place differs on {}",
            isa.isa()
        );
        for (row, got) in x.chunks(cols).zip(out.chunks(cols)) {
            let want = softmax_row_f64(row, masked);
            let has_nan_or_inf = row.iter().any(|v| v.is_nan() || *v == T::INFINITY);
            let all_neg_inf = row.iter().all(|v| *v == T::NEG_INFINITY);
            if has_nan_or_inf || (all_neg_inf && !masked) {
                assert!(got.iter().all(|v| v.is_nan()), "{row:?} -> {got:?} ({})", isa.isa());
                continue;
            }
            if all_neg_inf {
                assert!(got.iter().all(|v| v.to_f64() == 0.0), "{row:?} -> {got:?}");
                continue;
            }
            let mut sum = 0.0;
            for (g, w) in got.iter().zip(&want) {
                let g = g.to_f64();
                assert!((0.0..=1.0).contains(&g), "{row:?} -> {got:?} ({})", isa.isa());
                assert!(
                    (g - w).abs() <= bound::<T>(cols, *w, min_positive),
                    "{row:?}: {g} vs {w} ({})",
                    isa.isa()
                );
                sum += g;
            }
            assert!((sum - 1.0).abs() <= (cols as f64 + 2.0) * T::EPSILON.to_f64(), "{row:?} sums to {sum}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    common::rows(
        data,
        |x: &[f32], cols, masked| check(x, cols, masked, f32::MIN_POSITIVE as f64),
        |x: &[f64], cols, masked| check(x, cols, masked, f64::MIN_POSITIVE),
    );
});
