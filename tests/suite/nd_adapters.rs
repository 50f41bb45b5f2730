//! The `nd` adapters (feature `ndarray`): on views in every layout they
//! accept (standard, column-major, strided, offset) they give the bits of
//! the slice kernel on a row-major copy of the same values, write back only
//! the view's own elements, and report shape errors.

use ndarray::{Array2, ArrayView2, s};
use nn_kernels::{Activation, PackedWeights, ShapeErrorKind, nd};

/// A `rows x cols` array of varied values (both signs, a few magnitudes).
fn values(rows: usize, cols: usize, seed: u32) -> Array2<f32> {
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        let t = (i * 31 + j * 7) as f32 + seed as f32 * 0.37;
        (t * 0.618).sin() * (1.0 + (j % 3) as f32 * 4.0)
    })
}

/// The views of `base`'s values the adapters must accept: `(name, view)`,
/// each `rows x cols` with the same logical values as `want`.
fn layouts(rows: usize, cols: usize, seed: u32) -> (Array2<f32>, Vec<(&'static str, Array2<f32>)>) {
    let want = values(rows, cols, seed);
    // Column-major: the transpose of a row-major cols x rows array.
    let transposed: Vec<f32> = want.t().iter().copied().collect();
    let f_order = Array2::from_shape_vec((cols, rows), transposed)
        .unwrap()
        .reversed_axes();
    assert!(!f_order.is_standard_layout() || rows <= 1 || cols <= 1);
    // Strided: every other column of a wider array, holding `want`.
    let mut wide = Array2::from_elem((rows, 2 * cols), f32::NAN);
    wide.slice_mut(s![.., ..;2]).assign(&want);
    // Offset: the lower-right block of a larger array.
    let mut big = Array2::from_elem((rows + 1, cols + 2), f32::NAN);
    big.slice_mut(s![1.., 2..]).assign(&want);
    (
        want.clone(),
        vec![
            ("standard", want),
            ("column-major", f_order),
            ("strided", wide),
            ("offset", big),
        ],
    )
}

/// The view of `a` that holds the logical values for layout `name`.
fn view<'a>(name: &str, a: &'a Array2<f32>) -> ArrayView2<'a, f32> {
    match name {
        "strided" => a.slice(s![.., ..;2]),
        "offset" => a.slice(s![1.., 2..]),
        _ => a.view(),
    }
}

fn bits(a: &[f32]) -> Vec<u32> {
    a.iter().map(|v| v.to_bits()).collect()
}

fn row_major(a: &ArrayView2<'_, f32>) -> Vec<f32> {
    a.iter().copied().collect()
}

const SHAPES: [(usize, usize); 6] = [(0, 3), (1, 1), (1, 17), (3, 5), (8, 16), (5, 33)];

#[test]
fn elementwise_and_row_adapters_match_the_slice_kernels_in_every_layout() {
    for (rows, cols) in SHAPES {
        let (want, arrays) = layouts(rows, cols, 1);
        let flat: Vec<f32> = want.iter().copied().collect();
        let mut relu = flat.clone();
        nn_kernels::relu_inplace(&mut relu);
        let mut softmax = flat.clone();
        nn_kernels::softmax_rows_inplace(&mut softmax, cols).unwrap();
        let mut log_softmax = flat.clone();
        nn_kernels::log_softmax_rows_inplace(&mut log_softmax, cols).unwrap();
        let mut argmax = vec![0; rows];
        nn_kernels::argmax_rows(&flat, &mut argmax, cols).unwrap();
        for (name, a) in &arrays {
            let what = format!("{rows}x{cols} {name}");
            let v = view(name, a);
            assert_eq!(v, want.view(), "{what}: the test's view");
            let got = nd::relu(v);
            assert!(got.is_standard_layout());
            assert_eq!(bits(got.as_slice().unwrap()), bits(&relu), "{what}: relu");
            let got = nd::softmax_rows(v);
            assert_eq!(
                bits(got.as_slice().unwrap()),
                bits(&softmax),
                "{what}: softmax"
            );
            let got = nd::log_softmax_rows(v);
            assert_eq!(
                bits(got.as_slice().unwrap()),
                bits(&log_softmax),
                "{what}: log_softmax"
            );
            assert_eq!(
                nd::argmax_rows(v).unwrap().to_vec(),
                argmax,
                "{what}: argmax"
            );
        }
    }
}

#[test]
fn inplace_adapters_write_back_only_the_views_elements() {
    for (rows, cols) in SHAPES {
        let (want, arrays) = layouts(rows, cols, 2);
        let flat: Vec<f32> = want.iter().copied().collect();
        let mut relu = flat.clone();
        nn_kernels::relu_inplace(&mut relu);
        let mut softmax = flat.clone();
        nn_kernels::softmax_rows_inplace(&mut softmax, cols).unwrap();
        for (name, a) in arrays {
            let what = format!("{rows}x{cols} {name}");
            for (kernel, expect) in [("relu", &relu), ("softmax", &softmax)] {
                let mut a = a.clone();
                let untouched = a.iter().filter(|v| v.is_nan()).count();
                {
                    let v = match name {
                        "strided" => a.slice_mut(s![.., ..;2]),
                        "offset" => a.slice_mut(s![1.., 2..]),
                        _ => a.view_mut(),
                    };
                    match kernel {
                        "relu" => nd::relu_inplace(v),
                        _ => nd::softmax_rows_inplace(v),
                    }
                }
                let got = row_major(&view(name, &a));
                assert_eq!(bits(&got), bits(expect), "{what}: {kernel}");
                // The padding around the view (NaN) is still all there.
                assert_eq!(
                    a.iter().filter(|v| v.is_nan()).count(),
                    untouched,
                    "{what}: {kernel}"
                );
            }
        }
    }
}

#[test]
fn dense_and_matmul_adapters_match_the_slice_kernels_in_every_layout() {
    for (m, k, n) in [(0, 3, 2), (1, 1, 1), (3, 5, 7), (9, 16, 33), (2, 40, 3)] {
        let bias: Vec<f32> = (0..n).map(|j| j as f32 * 0.25 - 1.0).collect();
        let w = values(k, n, 3);
        let flat_w: Vec<f32> = w.iter().copied().collect();
        let packed =
            PackedWeights::new(nn_kernels::Weights::inputs_by_neurons(&flat_w, k, n).unwrap())
                .unwrap();
        let (x, xs) = layouts(m, k, 4);
        let flat_x: Vec<f32> = x.iter().copied().collect();
        let mut want = vec![0.0f32; m * n];
        nn_kernels::dense_packed(&flat_x, &packed, &bias, &mut want, Activation::Relu).unwrap();
        let mut want_mm = vec![0.0f32; m * n];
        nn_kernels::matmul(&flat_x, &flat_w, &mut want_mm, m, k, n).unwrap();
        let (_, ws) = layouts(k, n, 3);
        for (wname, wa) in &ws {
            let p = nd::packed_weights(view(wname, wa)).unwrap();
            for (xname, xa) in &xs {
                let what = format!("{m}x{k}x{n} x {xname}, w {wname}");
                let got = nd::dense_packed(view(xname, xa), &p, &bias, Activation::Relu).unwrap();
                assert_eq!(got.dim(), (m, n));
                assert_eq!(bits(got.as_slice().unwrap()), bits(&want), "{what}: dense");
                let got = nd::matmul(view(xname, xa), view(wname, wa)).unwrap();
                assert_eq!(
                    bits(got.as_slice().unwrap()),
                    bits(&want_mm),
                    "{what}: matmul"
                );
            }
        }
    }
}

#[test]
fn adapters_report_shape_errors() {
    let x = values(2, 3, 5);
    let p = nd::packed_weights(values(4, 2, 6).view()).unwrap();
    let e = nd::dense_packed(x.view(), &p, &[0.0; 2], Activation::Identity).unwrap_err();
    assert_eq!((e.function, e.argument), ("nd::dense_packed", "x columns"));
    assert_eq!(
        e.kind,
        ShapeErrorKind::Length {
            expected: 4,
            actual: 3
        }
    );
    let p = nd::packed_weights(values(3, 2, 6).view()).unwrap();
    let e = nd::dense_packed(x.view(), &p, &[0.0; 3], Activation::Identity).unwrap_err();
    assert_eq!((e.function, e.argument), ("nd::dense_packed", "bias"));
    let e = nd::matmul(x.view(), x.view()).unwrap_err();
    assert_eq!((e.function, e.argument), ("nd::matmul", "b rows"));
    assert_eq!(
        e.kind,
        ShapeErrorKind::Length {
            expected: 3,
            actual: 2
        }
    );
    let e = nd::argmax_rows(Array2::<f32>::zeros((2, 0)).view()).unwrap_err();
    assert_eq!((e.function, e.argument), ("nd::argmax_rows", "x columns"));
    assert_eq!(
        nd::argmax_rows(Array2::<f32>::zeros((0, 0)).view())
            .unwrap()
            .len(),
        0
    );
    // Rows of no columns are valid for softmax (nothing to do).
    assert_eq!(
        nd::softmax_rows(Array2::<f64>::zeros((3, 0)).view()).dim(),
        (3, 0)
    );
}
