//! Every op of every table (`internals::Op::all()`) called from many
//! threads at once, and from inside a caller's rayon pool (nested
//! parallelism), on a shape large enough to split across threads itself:
//! the bits of one call alone, and no deadlock. And a dense row's result
//! does not depend on the batch around it.

use crate::common;

use crate::common::ops::{run, shape_to_split};
use crate::common::{assert_bits_eq, values};
use nn_kernels::internals::Op;
use nn_kernels::{Activation, Float, Weights, selected_isa};
use rayon::prelude::*;

fn every_op<T: Float>() {
    let isa = selected_isa().supported().unwrap();
    for op in Op::all() {
        let s = shape_to_split(op);
        let want = run::<T>(op, isa, s, 1);
        let what = format!("{op:?} <{}>", T::NAME);
        // Eight threads of the caller's at once.
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| run::<T>(op, isa, s, 1)))
                .collect();
            for h in handles {
                assert!(
                    h.join().expect("no panic") == want,
                    "{what}: from 8 threads"
                );
            }
        });
        // Nested in the caller's pool, of each size.
        for threads in [1, 2, 3, 8] {
            let results: Vec<Vec<u64>> = common::in_pool(threads, || {
                (0..4)
                    .into_par_iter()
                    .map(|_| run::<T>(op, isa, s, 1))
                    .collect()
            });
            for got in results {
                assert!(got == want, "{what}: nested in {threads} threads");
            }
        }
    }
}

#[test]
fn every_op_from_many_threads_and_nested_pools_agrees_with_one_call() {
    every_op::<f32>();
    every_op::<f64>();
}

#[test]
fn dense_row_result_is_independent_of_its_batch() {
    let (k, n) = (37, 29);
    let x = values::<f32>(200 * k, 5, 1.0);
    let w = values::<f32>(k * n, 6, 1.0);
    let w = Weights::inputs_by_neurons(&w, k, n).unwrap();
    let b = values::<f32>(n, 7, 1.0);
    let mut all = vec![f32::NAN; 200 * n];
    nn_kernels::dense(&x, w, &b, &mut all, Activation::Identity).unwrap();
    for (start, len) in [(0usize, 1usize), (5, 1), (13, 7), (199, 1), (64, 100)] {
        let mut part = vec![f32::NAN; len * n];
        let xs = &x[start * k..(start + len) * k];
        nn_kernels::dense(xs, w, &b, &mut part, Activation::Identity).unwrap();
        assert_bits_eq(
            &part,
            &all[start * n..(start + len) * n],
            &format!("rows {start}..{}", start + len),
        );
    }
}
