//! The dense kernels on every tier, through the one GEMM tester
//! (`tests/common/gemm.rs`), over shapes derived from each tier's tile and
//! block sizes.
//!
//! On the AVX2 and AVX-512 tiers every output element is one chain of fused
//! multiply-adds in `k` order from its bias, so those tiers are compared bit
//! for bit against `reference::dense_fma_chain`: any slip in packing,
//! edges, blocking or the epilogue changes bits. The portable tier
//! (`matrixmultiply`, and the crate's own BLIS loops through
//! `dense_portable_blis`) is held to the derived error bound, as every tier
//! is too. Every output buffer starts as NaN, so an element that is read
//! before it is written, or never written, shows.

use crate::common::gemm::{GemmTester, sweep};
use crate::common::{assert_bits_eq, in_pool, tiers, values};
use nn_kernels::dispatch::{Isa, Supported};
use nn_kernels::internals;
use nn_kernels::internals::tile_dims;
use nn_kernels::{Activation, Float, Weights, reference};

/// Every entry point (`matmul`, `dense` with `Identity` and `Relu`,
/// `dense_packed`, and `dense_portable_blis` on the portable tier) on one
/// shape and tier; returns the fused output.
fn check<T: Float>(isa: Supported, shape: (usize, usize, usize), seed: u64) -> Vec<T> {
    GemmTester::new(shape).seed(seed).test::<T>(isa)
}

/// m, k and n around each tier's MR, NR, lanes, the narrow path's deepest
/// k and KC (`common::gemm::dims`), crossed (`common::gemm::shapes`).
#[test]
fn every_tier_over_tile_edges_f32() {
    sweep::<f32>();
}

#[test]
fn every_tier_over_tile_edges_f64() {
    sweep::<f64>();
}

/// The shapes of a 784 -> 128 -> 10 classifier, one sample and a batch:
/// an output narrower than one tile, whose edge tiles once ran (and paid
/// for) memory operations on vectors with no columns in them. Those now
/// panic in `load_padded`/`store_prefix` (a partial vector takes 1 to
/// `LANES` elements), so this fails on such a kernel, on every tier.
#[test]
fn classifier_head_shapes_on_every_tier() {
    for isa in tiers() {
        for shape in [
            (1, 784, 10),
            (1024, 128, 10),
            (1, 784, 128),
            (1024, 784, 128),
        ] {
            check::<f32>(isa, shape, 3);
            check::<f64>(isa, shape, 4);
        }
    }
}

/// The packed path (W too big to read in place, more rows than the direct
/// path takes, and prepacked W for one or two rows) with partial column
/// panels of one, two and three vectors, and `k` past one `KC` block.
#[test]
fn packed_path_partial_panels_on_every_tier() {
    for isa in tiers() {
        let Some(([mr, nr, kc, _, _], _)) = tile_dims::<f32>(isa.isa()) else {
            continue;
        };
        let l = if isa.isa() == Isa::Avx512 { 16 } else { 8 };
        for m in [1, 2, 2 * mr + 1, 3 * mr + 2] {
            for n in [nr + 1, nr + l + 1, nr + 2 * l + 5, 2 * nr - 1] {
                for k in [300, kc + 3] {
                    check::<f32>(isa, (m, k, n), (m + n + k) as u64);
                }
            }
        }
        let Some(([mr, nr, _, _, _], _)) = tile_dims::<f64>(isa.isa()) else {
            continue;
        };
        let l = l / 2;
        for m in [1, 2 * mr + 1] {
            for n in [nr + l + 1, 2 * nr - 1] {
                check::<f64>(isa, (m, 700, n), (m + n) as u64);
            }
        }
    }
}

/// Shapes that cross the L2 and L3 blocks (`MC`, `NC`) and several `KC`
/// blocks, split across 1, 2 and 3 threads by rows and by columns: the same
/// bits every time.
fn blocks_and_threads<T: Float>() {
    for isa in tiers() {
        let Some(([mr, nr, kc, mc, nc], _)) = tile_dims::<T>(isa.isa()) else {
            // The portable tier: split by rows only.
            let one = in_pool(1, || check::<T>(isa, (300, 129, 70), 5));
            for threads in [2, 3] {
                let got = in_pool(threads, || check::<T>(isa, (300, 129, 70), 5));
                assert_bits_eq(&got, &one, &format!("portable, {threads} threads"));
            }
            continue;
        };
        for shape in [
            (mc + mr + 1, 200, nr + 3), // two MC blocks of rows (packed: W over L1/2, n > NR)
            (2 * mr + 1, 7, nc + nr + 1), // two NC blocks of columns
            (2 * mr + 3, 2 * kc + 1, 2 * nr + 1), // three KC blocks (packed: m > 2·MR)
            (mc + 1, kc + 1, 130),      // rows split across threads
            (40, 700, 4 * nr + 5),      // columns split across threads
        ] {
            let one = in_pool(1, || check::<T>(isa, shape, 9));
            for threads in [2, 3] {
                let got = in_pool(threads, || check::<T>(isa, shape, 9));
                assert_bits_eq(&got, &one, &format!("{shape:?}, {threads} threads"));
            }
        }
    }
}

#[test]
fn blocks_and_thread_splits_f32() {
    blocks_and_threads::<f32>();
}

#[test]
fn blocks_and_thread_splits_f64() {
    blocks_and_threads::<f64>();
}

/// Small integers: every partial sum is an integer of magnitude below
/// 2^24, exactly representable in `f32` (and `f64`), so every tier, in any
/// order, must give the exact result, compared with `==` against an integer
/// computation.
fn small_integers<T: Float>() {
    for isa in tiers() {
        for (m, k, n) in [
            (7, 1030, 9),
            (13, 3, 70),
            (1, 600, 200),
            (300, 2, 3),
            (65, 64, 65),
        ] {
            let int = |i: usize, modulus: usize| {
                (i * 2_654_435_761 % modulus) as i64 - (modulus as i64) / 2
            };
            let xi: Vec<i64> = (0..m * k).map(|i| int(i, 17)).collect();
            let wi: Vec<i64> = (0..k * n).map(|i| int(i + 7, 15)).collect();
            let bi: Vec<i64> = (0..n).map(|i| int(i + 3, 101)).collect();
            // |sum| <= 8 · 7 · k + 50 < 2^24 for k <= 1030.
            let to_t = |v: &[i64]| v.iter().map(|&v| T::from_f64(v as f64)).collect::<Vec<T>>();
            let (x, w, b) = (to_t(&xi), to_t(&wi), to_t(&bi));
            let mut out = vec![T::NAN; m * n];
            internals::dense(
                isa,
                &x,
                Weights::inputs_by_neurons(&w, k, n).unwrap(),
                &b,
                &mut out,
                Activation::Relu,
            )
            .unwrap();
            for i in 0..m {
                for j in 0..n {
                    let s = bi[j] + (0..k).map(|p| xi[i * k + p] * wi[p * n + j]).sum::<i64>();
                    let want = T::from_f64(s.max(0) as f64);
                    assert!(
                        out[i * n + j] == want,
                        "{} {} {m}x{k}x{n} [{i}][{j}]: {} vs {s}",
                        T::NAME,
                        isa.isa(),
                        out[i * n + j]
                    );
                }
            }
        }
    }
}

#[test]
fn small_integers_are_exact_on_every_tier() {
    small_integers::<f32>();
    small_integers::<f64>();
}

/// Infinities and NaN in X or W propagate as the FMA chain says (NaN
/// compared as NaN, payloads aside); ReLU keeps NaN.
fn specials<T: Float>() {
    for isa in tiers() {
        for (m, k, n) in [(5, 3, 4), (9, 40, 70), (2, 300, 150), (20, 600, 40)] {
            let mut x = values::<T>(m * k, 1, 1.0);
            let mut w = values::<T>(k * n, 2, 1.0);
            let b = values::<T>(n, 3, 1.0);
            x[k + 1] = T::INFINITY; // row 1
            x[m * k - 1] = T::NAN; // last row
            w[n - 1] = T::NEG_INFINITY; // column n - 1 of row 0
            let mut out = vec![T::NAN; m * n];
            internals::dense(
                isa,
                &x,
                Weights::inputs_by_neurons(&w, k, n).unwrap(),
                &b,
                &mut out,
                Activation::Relu,
            )
            .unwrap();
            let (want, _) = reference::matmul_f64(&x, &w, Some(&b), m, k, n);
            for (i, (&g, &e)) in out.iter().zip(&want).enumerate() {
                let e = if e.is_nan() { e } else { e.max(0.0) };
                let what = format!("{} {} {m}x{k}x{n} [{i}]", T::NAME, isa.isa());
                assert_eq!(g.is_nan(), e.is_nan(), "{what}: {g} vs {e}");
                if e.is_infinite() || e == 0.0 {
                    assert_eq!(g.to_f64(), e, "{what}");
                }
            }
        }
    }
}

#[test]
fn infinities_and_nan_propagate() {
    specials::<f32>();
    specials::<f64>();
}
