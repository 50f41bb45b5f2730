//! Exhaustive sweeps over `f32`, ignored by default (seconds to minutes in
//! release); `.ci/run` runs them, with the other long tests, by
//! `cargo test --release --test suite -- --ignored --nocapture`.

use crate::common;

use crate::common::tiers;
use nn_kernels::internals::{Passes, UnaryOp, unary};
use nn_kernels::reference;
use rayon::prelude::*;

const CHUNK: u64 = 1 << 20;

/// Every `f32` bit pattern from `from` to `to` inclusive, in chunks, in
/// parallel; `f` returns a per-chunk value that is folded with `max`.
fn sweep(from: u32, to: u32, f: impl Fn(&[f32]) -> f64 + Sync) -> f64 {
    let n_chunks = (to as u64 - from as u64 + 1).div_ceil(CHUNK);
    (0..n_chunks)
        .into_par_iter()
        .map(|c| {
            let lo = from as u64 + c * CHUNK;
            let hi = (lo + CHUNK - 1).min(to as u64);
            let x: Vec<f32> = (lo..=hi).map(|b| f32::from_bits(b as u32)).collect();
            f(&x)
        })
        .reduce(|| 0.0, f64::max)
}

#[test]
#[ignore = "exhaustive: run by .ci/run in release"]
fn relu_all_2_pow_32_f32_bit_patterns_on_every_tier() {
    for isa in tiers() {
        let mismatches = sweep(0, u32::MAX, |x| {
            let mut out = vec![f32::NAN; x.len()];
            unary(UnaryOp::Relu, isa, x, &mut out).unwrap();
            out.iter()
                .zip(x)
                .filter(|(o, v)| o.to_bits() != reference::relu(**v).to_bits())
                .count() as f64
        });
        eprintln!(
            "relu on {}: all 2^32 f32 bit patterns, {mismatches} mismatches",
            isa.isa()
        );
        assert_eq!(mismatches, 0.0, "{}", isa.isa());
    }
}

fn ulp_f32(v: f64) -> f64 {
    let v = v.abs() as f32;
    (f32::from_bits(v.to_bits() + 1) - v) as f64
}

/// Every f32 in [lo, -0.0] (where the exp is neither flushed nor above 1):
/// max error in ulps against f64 libm, within the documented bound and the
/// regression guard `common::EXP_F32_REGRESSION_ULPS` (measured here).
#[test]
#[ignore = "exhaustive: run by .ci/run in release"]
fn exp_every_f32_in_range_on_every_tier() {
    let lo = nn_kernels::internals::EXP_F32_LO;
    for isa in tiers() {
        // Negative floats: bit patterns from -0.0 (0x8000_0000) up to lo.
        let worst = sweep((-0.0f32).to_bits(), lo.to_bits(), |x| {
            let mut out = vec![f32::NAN; x.len()];
            common::exp_le0(isa, x, &mut out).unwrap();
            x.iter()
                .zip(&out)
                .map(|(&xi, &o)| {
                    let want = (xi as f64).exp();
                    (o as f64 - want).abs() / ulp_f32(want)
                })
                .fold(0.0, f64::max)
        });
        eprintln!(
            "exp f32 on {}: every input in [{lo}, 0]: max error {worst:.4} ulp",
            isa.isa()
        );
        common::assert_exp_ulps(
            "exp f32 (every input)",
            isa.isa(),
            worst,
            nn_kernels::internals::EXP_F32_MAX_ULPS,
            common::EXP_F32_REGRESSION_ULPS,
        );
    }
}

/// Softmax of rows `[x, 0]` (the across-rows path) and `[x, 0 × 16]` (the
/// row path) for every f32 `x` in [lo, 0], on every tier: max relative
/// error of each output against the exact values `e^x / (e^x + c)` and
/// `1 / (e^x + c)`. Each chunk of inputs is laid out and its exact `e^x`
/// taken once, for both row lengths and every tier.
#[test]
#[ignore = "exhaustive: run by .ci/run in release"]
fn softmax_every_f32_in_range_on_every_tier() {
    let lo = nn_kernels::internals::EXP_F32_LO;
    let isas = tiers();
    let cols = [2usize, 17];
    let cases: Vec<(usize, usize)> = (0..cols.len())
        .flat_map(|c| (0..isas.len()).map(move |t| (c, t)))
        .collect();
    let (from, to) = ((-0.0f32).to_bits(), lo.to_bits());
    let n_chunks = (to as u64 - from as u64 + 1).div_ceil(CHUNK);
    let worst = (0..n_chunks)
        .into_par_iter()
        .map(|c| {
            let first = from as u64 + c * CHUNK;
            let last = (first + CHUNK - 1).min(to as u64);
            let x: Vec<f32> = (first..=last).map(|b| f32::from_bits(b as u32)).collect();
            let e: Vec<f64> = x.iter().map(|&xi| (xi as f64).exp()).collect();
            let mut worst = vec![0.0f64; cases.len()];
            for (ci, &cols) in cols.iter().enumerate() {
                let mut rows = vec![0.0f32; x.len() * cols];
                for (row, &xi) in rows.chunks_mut(cols).zip(&x) {
                    row[0] = xi;
                }
                let mut out = vec![f32::NAN; rows.len()];
                let c = (cols - 1) as f64;
                for (ti, &isa) in isas.iter().enumerate() {
                    common::softmax_on(isa, Passes::Auto, &rows, &mut out, cols, false).unwrap();
                    let w = &mut worst[ci * isas.len() + ti];
                    for (o, &e) in out.chunks(cols).zip(&e) {
                        let (px, p0) = (e / (e + c), 1.0 / (e + c));
                        if px >= f32::MIN_POSITIVE as f64 * 1e3 {
                            *w = w.max((o[0] as f64 - px).abs() / px);
                        }
                        *w = w.max((o[1] as f64 - p0).abs() / p0);
                    }
                }
            }
            worst
        })
        .reduce(
            || vec![0.0; cases.len()],
            |a, b| a.iter().zip(&b).map(|(a, b)| a.max(*b)).collect(),
        );
    for (&(ci, ti), &w) in cases.iter().zip(&worst) {
        let (cols, isa) = (cols[ci], isas[ti].isa());
        eprintln!(
            "softmax f32 on {isa} rows of {cols}, every x in [{lo}, 0]: max relative error {w:.3e}"
        );
        assert!(w <= 1e-6, "{isa} cols={cols}: {w:e}");
    }
}
