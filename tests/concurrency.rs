//! Kernels called from many threads at once, and from inside a caller's
//! rayon pool (nested parallelism): identical results, no deadlock.

mod common;

use common::{assert_bits_eq, values};
use nn_kernels::Activation;
use rayon::prelude::*;

const COLS: usize = 100;
const ROWS: usize = 700; // 70k elements: above the softmax threshold, so it forks itself
const K: usize = 64;

fn work(x: &[f32], w: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let mut p = vec![f32::NAN; x.len()];
    nn_kernels::softmax_rows(x, &mut p, COLS).unwrap();
    let (m, n) = (x.len() / K, w.len() / K);
    let mut d = vec![f32::NAN; m * n];
    nn_kernels::dense(
        &x[..m * K],
        w,
        &vec![0.5; n],
        &mut d,
        m,
        K,
        n,
        Activation::Relu,
    )
    .unwrap();
    (p, d)
}

#[test]
fn eight_std_threads_at_once_agree_with_one() {
    let x = values::<f32>(ROWS * COLS, 1, 10.0);
    let w = values::<f32>(K * 48, 2, 1.0);
    let want = work(&x, &w);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8).map(|_| s.spawn(|| work(&x, &w))).collect();
        for h in handles {
            let (p, d) = h.join().expect("no panic");
            assert_bits_eq(&p, &want.0, "softmax from 8 threads");
            assert_bits_eq(&d, &want.1, "dense from 8 threads");
        }
    });
}

#[test]
fn nested_in_a_callers_rayon_pool_agrees_and_finishes() {
    let x = values::<f32>(ROWS * COLS, 3, 10.0);
    let w = values::<f32>(K * 48, 4, 1.0);
    let want = work(&x, &w);
    for threads in [1, 2, 3, 8] {
        let results: Vec<(Vec<f32>, Vec<f32>)> = common::in_pool(threads, || {
            (0..8).into_par_iter().map(|_| work(&x, &w)).collect()
        });
        for (p, d) in results {
            assert_bits_eq(&p, &want.0, &format!("softmax nested in {threads} threads"));
            assert_bits_eq(&d, &want.1, &format!("dense nested in {threads} threads"));
        }
    }
}

#[test]
fn dense_row_result_is_independent_of_its_batch() {
    let (k, n) = (37, 29);
    let x = values::<f32>(200 * k, 5, 1.0);
    let w = values::<f32>(k * n, 6, 1.0);
    let b = values::<f32>(n, 7, 1.0);
    let mut all = vec![f32::NAN; 200 * n];
    nn_kernels::dense(&x, &w, &b, &mut all, 200, k, n, Activation::Identity).unwrap();
    for (start, len) in [(0usize, 1usize), (5, 1), (13, 7), (199, 1), (64, 100)] {
        let mut part = vec![f32::NAN; len * n];
        let xs = &x[start * k..(start + len) * k];
        nn_kernels::dense(xs, &w, &b, &mut part, len, k, n, Activation::Identity).unwrap();
        assert_bits_eq(
            &part,
            &all[start * n..(start + len) * n],
            &format!("rows {start}..{}", start + len),
        );
    }
}
