//! Every error path of the public API: each returns the documented
//! `ShapeError` (function, argument, kind) and none panics.

use nn_kernels::{Activation, Dense, ShapeError, ShapeErrorKind};

fn len(expected: usize, actual: usize) -> ShapeErrorKind {
    ShapeErrorKind::Length { expected, actual }
}

fn assert_err<T: std::fmt::Debug>(
    r: Result<T, ShapeError>,
    function: &str,
    argument: &str,
    kind: ShapeErrorKind,
) {
    let e = r.expect_err("expected a ShapeError");
    assert_eq!(
        (e.function, e.argument, &e.kind),
        (function, argument, &kind),
        "{e}"
    );
    // The message names the function and the argument.
    let msg = e.to_string();
    assert!(msg.starts_with(function) && msg.contains(argument), "{msg}");
}

#[test]
fn elementwise_activations_check_out_length() {
    let x = [1.0f32; 5];
    for wrong in [0usize, 4, 6] {
        let mut out = vec![0.0f32; wrong];
        assert_err(nn_kernels::relu(&x, &mut out), "relu", "out", len(5, wrong));
        assert_err(nn_kernels::step(&x, &mut out), "step", "out", len(5, wrong));
        assert_err(
            nn_kernels::sigmoid(&x, &mut out),
            "sigmoid",
            "out",
            len(5, wrong),
        );
    }
}

#[test]
fn softmax_checks_lengths_cols_and_whole_rows() {
    let x = [1.0f64; 6];
    let mut out5 = [0.0f64; 5];
    let mut out6 = [0.0f64; 6];
    assert_err(
        nn_kernels::softmax_rows(&x, &mut out5, 3),
        "softmax_rows",
        "out",
        len(6, 5),
    );
    assert_err(
        nn_kernels::softmax_rows_masked(&x, &mut out5, 3),
        "softmax_rows_masked",
        "out",
        len(6, 5),
    );
    assert_err(
        nn_kernels::softmax_rows(&x, &mut out6, 0),
        "softmax_rows",
        "cols",
        ShapeErrorKind::ZeroCols { len: 6 },
    );
    assert_err(
        nn_kernels::softmax_rows(&x, &mut out6, 4),
        "softmax_rows",
        "x",
        ShapeErrorKind::NotMultiple { len: 6, cols: 4 },
    );
    assert_err(
        nn_kernels::softmax_rows(&x, &mut out6, 7),
        "softmax_rows",
        "x",
        ShapeErrorKind::NotMultiple { len: 6, cols: 7 },
    );
    let mut y = [1.0f32; 6];
    assert_err(
        nn_kernels::softmax_rows_inplace(&mut y, 0),
        "softmax_rows_inplace",
        "cols",
        ShapeErrorKind::ZeroCols { len: 6 },
    );
    assert_err(
        nn_kernels::softmax_rows_masked_inplace(&mut y, 5),
        "softmax_rows_masked_inplace",
        "x",
        ShapeErrorKind::NotMultiple { len: 6, cols: 5 },
    );
    // A refused call leaves the data alone.
    assert_eq!(y, [1.0; 6]);
}

#[test]
fn argmax_checks_rows_and_out() {
    let x = [1.0f32; 6];
    let mut out = [0usize; 3];
    assert_err(
        nn_kernels::argmax_rows(&x, 3, &mut out),
        "argmax_rows",
        "out",
        len(2, 3),
    );
    assert_err(
        nn_kernels::argmax_rows(&x, 0, &mut out),
        "argmax_rows",
        "cols",
        ShapeErrorKind::ZeroCols { len: 6 },
    );
    assert_err(
        nn_kernels::argmax_rows(&x, 4, &mut out),
        "argmax_rows",
        "x",
        ShapeErrorKind::NotMultiple { len: 6, cols: 4 },
    );
}

#[test]
fn matmul_checks_every_operand_and_overflow() {
    let (a, b) = ([1.0f32; 6], [1.0f32; 12]);
    let mut out = [0.0f32; 8];
    assert_err(
        nn_kernels::matmul(&a[..5], &b, &mut out, 2, 3, 4),
        "matmul",
        "a",
        len(6, 5),
    );
    assert_err(
        nn_kernels::matmul(&a, &b[..11], &mut out, 2, 3, 4),
        "matmul",
        "b",
        len(12, 11),
    );
    assert_err(
        nn_kernels::matmul(&a, &b, &mut out[..7], 2, 3, 4),
        "matmul",
        "out",
        len(8, 7),
    );
    let big = usize::MAX / 2 + 1;
    let overflow = |dims: [usize; 2]| ShapeErrorKind::Overflow {
        dims: dims.to_vec(),
    };
    assert_err(
        nn_kernels::matmul(&a, &b, &mut out, big, 2, 1),
        "matmul",
        "m * k",
        overflow([big, 2]),
    );
    assert_err(
        nn_kernels::matmul(&a, &b, &mut out, 1, big, 2),
        "matmul",
        "k * n",
        overflow([big, 2]),
    );
    assert_err(
        nn_kernels::matmul(&a, &b, &mut out, big, 0, 2),
        "matmul",
        "m * n",
        overflow([big, 2]),
    );
}

#[test]
fn dense_checks_every_operand_bias_and_overflow() {
    let (x, w, bias) = ([1.0f64; 6], [1.0f64; 12], [0.0f64; 4]);
    let mut out = [0.0f64; 8];
    let id = Activation::Identity;
    assert_err(
        nn_kernels::dense(&x[..4], &w, &bias, &mut out, 2, 3, 4, id),
        "dense",
        "x",
        len(6, 4),
    );
    assert_err(
        nn_kernels::dense(&x, &w[..3], &bias, &mut out, 2, 3, 4, id),
        "dense",
        "w",
        len(12, 3),
    );
    assert_err(
        nn_kernels::dense(&x, &w, &bias, &mut out[..1], 2, 3, 4, id),
        "dense",
        "out",
        len(8, 1),
    );
    assert_err(
        nn_kernels::dense(&x, &w, &bias[..3], &mut out, 2, 3, 4, id),
        "dense",
        "bias",
        len(4, 3),
    );
    assert_err(
        nn_kernels::dense(&x, &w, &bias, &mut out, usize::MAX, 2, 4, Activation::Relu),
        "dense",
        "m * k",
        ShapeErrorKind::Overflow {
            dims: vec![usize::MAX, 2],
        },
    );
    assert_eq!(out, [0.0; 8], "a refused call writes nothing");
}

#[test]
fn dense_layer_checks_batches_and_parts() {
    let layer = Dense::<f32>::new(3, 2, &mut nn_kernels::rng::default_rng(1));
    let mut out = [0.0f32; 4];
    assert_err(
        layer.forward(&[1.0; 5], &mut out),
        "Dense::forward",
        "x",
        ShapeErrorKind::NotMultiple { len: 5, cols: 3 },
    );
    assert_err(
        layer.forward(&[1.0; 6], &mut out[..3]),
        "Dense::forward",
        "out",
        len(4, 3),
    );
    assert_err(
        Dense::from_parts(2, 3, vec![0.0f32; 5], vec![0.0; 3]),
        "Dense::from_parts",
        "weights",
        len(6, 5),
    );
    assert_err(
        Dense::from_parts(2, 3, vec![0.0f32; 6], vec![0.0; 2]),
        "Dense::from_parts",
        "biases",
        len(3, 2),
    );
    assert_err(
        Dense::<f64>::from_parts(usize::MAX, 2, vec![], vec![]),
        "Dense::from_parts",
        "inputs * neurons",
        ShapeErrorKind::Overflow {
            dims: vec![usize::MAX, 2],
        },
    );
    let no_inputs = Dense::<f32>::new(0, 2, &mut nn_kernels::rng::default_rng(1));
    assert_err(
        no_inputs.forward(&[1.0], &mut out),
        "Dense::forward",
        "x",
        len(0, 1),
    );
}

#[test]
fn spiral_data_checks_classes_and_overflow() {
    let mut rng = nn_kernels::rng::default_rng(0);
    assert_err(
        nn_kernels::spiral_data::<f32, _>(10, 257, 0.2, &mut rng),
        "spiral_data",
        "classes",
        ShapeErrorKind::TooLarge {
            max: 256,
            actual: 257,
        },
    );
    assert_err(
        nn_kernels::spiral_data::<f32, _>(usize::MAX, 2, 0.2, &mut rng),
        "spiral_data",
        "points * classes",
        ShapeErrorKind::Overflow {
            dims: vec![usize::MAX, 2],
        },
    );
    assert_err(
        nn_kernels::spiral_data::<f32, _>(usize::MAX / 2, 2, 0.2, &mut rng),
        "spiral_data",
        "points * classes * 2",
        ShapeErrorKind::Overflow {
            dims: vec![usize::MAX - 1, 2],
        },
    );
    assert_err(
        nn_kernels::spiral_data::<f32, _>(usize::MAX / 3, 1, 0.2, &mut rng),
        "spiral_data",
        "points * classes * 2",
        ShapeErrorKind::TooLarge {
            max: isize::MAX as usize / 4,
            actual: usize::MAX / 3 * 2,
        },
    );
    // 256 classes is the most u8 labels can hold, and works.
    let d = nn_kernels::spiral_data::<f32, _>(1, 256, 0.0, &mut rng).unwrap();
    assert_eq!(d.y[255], 255);
}

#[test]
fn shape_errors_never_panic_over_a_grid_of_bad_shapes() {
    let dims = [0usize, 1, 2, 3, 5, usize::MAX / 3, usize::MAX];
    let lens = [0usize, 1, 2, 3, 6, 9];
    let data = [0.5f32; 9];
    let result = std::panic::catch_unwind(|| {
        let mut out = [0.0f32; 9];
        let mut idx = [0usize; 9];
        for &m in &dims {
            for &k in &dims {
                for &n in &dims {
                    for &l in &lens {
                        let _ = nn_kernels::matmul(&data[..l], &data[..l], &mut out[..l], m, k, n);
                        let _ = nn_kernels::dense(
                            &data[..l],
                            &data[..l],
                            &data[..l.min(3)],
                            &mut out[..l],
                            m,
                            k,
                            n,
                            Activation::Relu,
                        );
                        if let Ok(p) = nn_kernels::PackedWeights::new(&data[..l], k, n) {
                            let bias = &data[..l.min(3)];
                            let out = &mut out[..9 - l];
                            let _ = nn_kernels::dense_packed(
                                &data[..l],
                                &p,
                                bias,
                                out,
                                m,
                                Activation::Relu,
                            );
                        }
                    }
                }
            }
            for &l in &lens {
                let _ = nn_kernels::relu(&data[..l], &mut out[..9 - l]);
                let _ = nn_kernels::step(&data[..l], &mut out[..9 - l]);
                let _ = nn_kernels::sigmoid(&data[..l], &mut out[..9 - l]);
                let _ = nn_kernels::spiral_data::<f32, _>(
                    m,
                    l,
                    0.1,
                    &mut nn_kernels::rng::default_rng(1),
                );
                if m <= 5 {
                    let layer = nn_kernels::Dense::<f32>::new(
                        m,
                        l.min(3),
                        &mut nn_kernels::rng::default_rng(2),
                    );
                    let _ = layer.forward(&data[..l], &mut out[..9 - l]);
                    let _ = nn_kernels::Dense::<f32>::from_parts(m, l, vec![0.0; l], vec![0.0; m]);
                }
                let _ = nn_kernels::softmax_rows(&data[..l], &mut out[..l], m);
                let _ = nn_kernels::softmax_rows_masked(&data[..l], &mut out[..9 - l], m);
                let _ = nn_kernels::argmax_rows(&data[..l], m, &mut idx[..l]);
                let mut buf = [0.25f32; 9];
                let _ = nn_kernels::softmax_rows_inplace(&mut buf[..l], m);
            }
        }
    });
    assert!(result.is_ok(), "a bad shape panicked");
}
