//! Log-softmax on arbitrary rows: `cols` and the values come from the
//! input bytes (NaN payloads, ±inf, subnormals and huge magnitudes
//! included), in f32 and f64, masked and not, on every tier the CPU has.
//!
//! Checks: no panic; NaN, `-inf` and the finite outputs follow the
//! documented table (every finite output `<= 0`); finite outputs match the
//! f64 reference within the documented bound (`tests/common::log_softmax_bound`,
//! restated below); in place equals out of place.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use nn_kernels::dispatch::supported_isas;
use nn_kernels::reference::log_softmax_row_f64;
use nn_kernels::internals::{RowOp, row_call, rows, rows_inplace};
use nn_kernels::Float;

/// `(2 |y| + h + 7 + S) (u_T + u_f64)`, `h = min(n - 1, 13 + ⌈log2 n⌉)`.
fn bound<T: Float>(n: usize, exact: f64) -> f64 {
    let u = T::EPSILON.to_f64() / 2.0 + f64::EPSILON / 2.0;
    let h = (n - 1).min(13 + n.next_power_of_two().trailing_zeros() as usize);
    let s = nn_kernels::internals::exact_spread::<T>().to_f64();
    (2.0 * exact.abs() + h as f64 + 7.0 + s) * u
}

fn check<T: Float>(x: &[T], cols: usize, masked: bool) {
    for isa in supported_isas() {
        let mut out = vec![T::from_f64(0.5); x.len()];
        rows(row_call(RowOp::LogSoftmax, masked, isa), x, &mut out, cols).expect("valid shape");
        let mut inplace = x.to_vec();
        rows_inplace(row_call(RowOp::LogSoftmax, masked, isa), &mut inplace, cols).expect("valid shape");
        assert!(
            inplace.iter().zip(&out).all(|(a, b)| a.to_bits_u64() == b.to_bits_u64()),
            "in place differs on {}",
            isa.isa()
        );
        for (row, got) in x.chunks(cols).zip(out.chunks(cols)) {
            let want = log_softmax_row_f64(row, masked);
            for (g, w) in got.iter().zip(&want) {
                let (g, wt) = (g.to_f64(), T::from_f64(*w).to_f64());
                if wt.is_nan() {
                    assert!(g.is_nan(), "{row:?} -> {got:?} ({})", isa.isa());
                } else if wt == f64::NEG_INFINITY {
                    assert_eq!(g, wt, "{row:?} -> {got:?} ({})", isa.isa());
                } else {
                    assert!(g <= 0.0, "{row:?} -> {got:?} ({})", isa.isa());
                    assert!((g - w).abs() <= bound::<T>(cols, *w), "{row:?}: {g} vs {w} ({})", isa.isa());
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    common::rows(
        data,
        |x: &[f32], cols, masked| check(x, cols, masked),
        |x: &[f64], cols, masked| check(x, cols, masked),
    );
});
