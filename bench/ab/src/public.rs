//! The public API's smallest calls, old against new.

use std::hint::black_box;

use crate::{Report, old_dense_packed};

/// The public functions on the smallest calls (one element, one row, a
/// 1 x 1 x 1 layer), on the selected tier: what a user pays per call, where
/// a generic baseline was inlined into its caller and the new code calls
/// into the crate.
pub(crate) fn public_calls<T: old::Float + new::Float + From<f32>>(rep: &mut Report) {
    let ty = std::any::type_name::<T>();
    let one = [T::from(0.5)];
    let ten: Vec<T> = (0..10).map(|i| T::from(i as f32 * 0.1)).collect();
    let (mut o1, mut n1) = ([T::from(0.0)], [T::from(0.0)]);
    let (mut o10, mut n10) = (vec![T::from(0.0); 10], vec![T::from(0.0); 10]);
    rep.case(
        "public relu 1".into(),
        &mut || {
            old::relu(&one, &mut o1).unwrap();
            black_box(&o1);
        },
        &mut || {
            new::relu(&one, &mut n1).unwrap();
            black_box(&n1);
        },
    );
    rep.case(
        "public relu_inplace 1".into(),
        &mut || {
            old::relu_inplace(&mut o1);
            black_box(&o1);
        },
        &mut || {
            new::relu_inplace(&mut n1);
            black_box(&n1);
        },
    );
    for cols in [1, 10] {
        let x = &ten[..cols];
        rep.case(
            format!("public softmax_rows 1x{cols}"),
            &mut || {
                old::softmax_rows(x, &mut o10[..cols], cols).unwrap();
                black_box(&o10);
            },
            &mut || {
                new::softmax_rows(x, &mut n10[..cols], cols).unwrap();
                black_box(&n10);
            },
        );
    }
    let (mut oc, mut nc) = ([0usize], [0usize]);
    rep.case(
        "public argmax_rows 1x10".into(),
        &mut || {
            old::argmax_rows(&ten, &mut oc, 10).unwrap();
            black_box(&oc);
        },
        &mut || {
            new::argmax_rows(&ten, &mut nc, 10).unwrap();
            black_box(&nc);
        },
    );
    // argmax over a grid of short rows (ties and near-ties as softmax
    // outputs have them), on either side of the across-rows threshold.
    for cols in [2usize, 3, 4, 7, 10, 13] {
        for rows in [16usize, 48, 64, 96, 300, 4096] {
            if !rep.wants(&format!("argmax_rows {rows}x{cols}")) {
                continue;
            }
            let x: Vec<T> = (0..rows * cols)
                .map(|i| T::from(((i * 37 % 101) as f32) / 50.0 - 1.0))
                .collect();
            let (mut oc, mut nc) = (vec![0usize; rows], vec![0usize; rows]);
            rep.case(
                format!("public argmax_rows {rows}x{cols}"),
                &mut || {
                    old::argmax_rows(black_box(&x), &mut oc, cols).unwrap();
                    black_box(&oc);
                },
                &mut || {
                    new::argmax_rows(black_box(&x), &mut nc, cols).unwrap();
                    black_box(&nc);
                },
            );
        }
    }
    let op = crate::oldapi::pack_selected(&one, 1, 1);
    let np = new::PackedWeights::new(new::Weights::inputs_by_neurons(&one, 1, 1).unwrap()).unwrap();
    rep.case(
        "public dense_packed 1x1x1".into(),
        &mut || {
            old_dense_packed(&one, &op, &one, &mut o1, 1, old::Activation::Relu);
            black_box(&o1);
        },
        &mut || {
            new::dense_packed(&one, &np, &one, &mut n1, new::Activation::Relu).unwrap();
            black_box(&n1);
        },
    );
    rep.summary(&format!("selected public {ty}"));
}
