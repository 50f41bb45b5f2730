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
        nn_kernels::argmax_rows(&x, &mut out, 3),
        "argmax_rows",
        "out",
        len(2, 3),
    );
    assert_err(
        nn_kernels::argmax_rows(&x, &mut out, 0),
        "argmax_rows",
        "cols",
        ShapeErrorKind::ZeroCols { len: 6 },
    );
    assert_err(
        nn_kernels::argmax_rows(&x, &mut out, 4),
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
                                Activation::Relu,
                            );
                            let _ = nn_kernels::dense_packed_prefix(
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
                let _ = nn_kernels::argmax_rows(&data[..l], &mut idx[..l], m);
                let mut buf = [0.25f32; 9];
                let _ = nn_kernels::softmax_rows_inplace(&mut buf[..l], m);
            }
        }
    });
    assert!(result.is_ok(), "a bad shape panicked");
}

// ---------------------------------------------------------------------------
// Off-by-one lengths of every length check.
//
// Each check below loops over `wrong_lengths(expected)`, so no argument is
// tried at one wrong length only: one fewer (when there is one), one more,
// and 0 (the empty slice, which takes early-return paths in some kernels)
// when it differs from both.
// ---------------------------------------------------------------------------

/// Lengths that a check expecting `expected` must refuse: `expected - 1`
/// (if `expected > 0`), `expected + 1`, and 0 (if `expected > 1`).
fn wrong_lengths(expected: usize) -> Vec<usize> {
    let mut v = Vec::new();
    if expected > 1 {
        v.push(0);
    }
    if expected > 0 {
        v.push(expected - 1);
    }
    v.push(expected + 1);
    v
}

#[test]
fn wrong_lengths_yields_one_fewer_one_more_and_empty() {
    assert_eq!(wrong_lengths(0), [1]);
    assert_eq!(wrong_lengths(1), [0, 2]);
    assert_eq!(wrong_lengths(6), [0, 5, 7]);
}

/// A value no kernel writes for these inputs (they are all small and
/// finite): a refused call must leave it in place.
const UNTOUCHED: f64 = -12345.0;

fn filled<T: nn_kernels::Float>(n: usize, v: f64) -> Vec<T> {
    vec![T::from_f64(v); n]
}

fn assert_untouched<T: nn_kernels::Float>(out: &[T], what: &str) {
    for (i, v) in out.iter().enumerate() {
        assert_eq!(
            v.to_bits_u64(),
            T::from_f64(UNTOUCHED).to_bits_u64(),
            "{what}: a refused call wrote out[{i}] = {v:?}"
        );
    }
}

/// `(m, k, n)` shapes for the product checks: general, all ones, and each
/// dim zero (so expected lengths of 0 are covered: any element is one too many).
const PRODUCT_SHAPES: [(usize, usize, usize); 5] =
    [(3, 5, 7), (1, 1, 1), (0, 3, 4), (2, 0, 3), (2, 3, 0)];

fn dense_off_by_one<T: nn_kernels::Float>() {
    for (m, k, n) in PRODUCT_SHAPES {
        let what = format!("dense<{}> {m}x{k}x{n}", T::NAME);
        let (x, w, bias) = (
            filled::<T>(m * k, 0.5),
            filled::<T>(k * n, 0.25),
            filled::<T>(n, 1.0),
        );
        for act in [Activation::Identity, Activation::Relu] {
            let mut out = filled::<T>(m * n, UNTOUCHED);
            nn_kernels::dense(&x, &w, &bias, &mut out, m, k, n, act)
                .unwrap_or_else(|e| panic!("{what}: right lengths refused: {e}"));
            for l in wrong_lengths(m * k) {
                let mut out = filled::<T>(m * n, UNTOUCHED);
                let r = nn_kernels::dense(&filled::<T>(l, 0.5), &w, &bias, &mut out, m, k, n, act);
                assert_err(r, "dense", "x", len(m * k, l));
                assert_untouched(&out, &what);
            }
            for l in wrong_lengths(k * n) {
                let mut out = filled::<T>(m * n, UNTOUCHED);
                let r = nn_kernels::dense(&x, &filled::<T>(l, 0.25), &bias, &mut out, m, k, n, act);
                assert_err(r, "dense", "w", len(k * n, l));
                assert_untouched(&out, &what);
            }
            for l in wrong_lengths(n) {
                let mut out = filled::<T>(m * n, UNTOUCHED);
                let r = nn_kernels::dense(&x, &w, &filled::<T>(l, 1.0), &mut out, m, k, n, act);
                assert_err(r, "dense", "bias", len(n, l));
                assert_untouched(&out, &what);
            }
            for l in wrong_lengths(m * n) {
                let mut out = filled::<T>(l, UNTOUCHED);
                let r = nn_kernels::dense(&x, &w, &bias, &mut out, m, k, n, act);
                assert_err(r, "dense", "out", len(m * n, l));
                assert_untouched(&out, &what);
            }
        }
    }
}

#[test]
fn dense_refuses_every_operand_one_off() {
    dense_off_by_one::<f32>();
    dense_off_by_one::<f64>();
}

fn matmul_off_by_one<T: nn_kernels::Float>() {
    for (m, k, n) in PRODUCT_SHAPES {
        let what = format!("matmul<{}> {m}x{k}x{n}", T::NAME);
        let (a, b) = (filled::<T>(m * k, 0.5), filled::<T>(k * n, 0.25));
        let mut out = filled::<T>(m * n, UNTOUCHED);
        nn_kernels::matmul(&a, &b, &mut out, m, k, n)
            .unwrap_or_else(|e| panic!("{what}: right lengths refused: {e}"));
        for l in wrong_lengths(m * k) {
            let mut out = filled::<T>(m * n, UNTOUCHED);
            let r = nn_kernels::matmul(&filled::<T>(l, 0.5), &b, &mut out, m, k, n);
            assert_err(r, "matmul", "a", len(m * k, l));
            assert_untouched(&out, &what);
        }
        for l in wrong_lengths(k * n) {
            let mut out = filled::<T>(m * n, UNTOUCHED);
            let r = nn_kernels::matmul(&a, &filled::<T>(l, 0.25), &mut out, m, k, n);
            assert_err(r, "matmul", "b", len(k * n, l));
            assert_untouched(&out, &what);
        }
        for l in wrong_lengths(m * n) {
            let mut out = filled::<T>(l, UNTOUCHED);
            let r = nn_kernels::matmul(&a, &b, &mut out, m, k, n);
            assert_err(r, "matmul", "out", len(m * n, l));
            assert_untouched(&out, &what);
        }
    }
}

#[test]
fn matmul_refuses_every_operand_one_off() {
    matmul_off_by_one::<f32>();
    matmul_off_by_one::<f64>();
}

fn packed_off_by_one<T: nn_kernels::Float>() {
    for (m, k, n) in PRODUCT_SHAPES {
        let what = format!("dense_packed<{}> {m}x{k}x{n}", T::NAME);
        let w = filled::<T>(k * n, 0.25);
        for l in wrong_lengths(k * n) {
            assert_err(
                nn_kernels::PackedWeights::new(&filled::<T>(l, 0.25), k, n),
                "PackedWeights::new",
                "w",
                len(k * n, l),
            );
        }
        let p = nn_kernels::PackedWeights::new(&w, k, n)
            .unwrap_or_else(|e| panic!("{what}: right w refused: {e}"));
        let (x, bias) = (filled::<T>(m * k, 0.5), filled::<T>(n, 1.0));
        for act in [Activation::Identity, Activation::Relu] {
            let mut out = filled::<T>(m * n, UNTOUCHED);
            nn_kernels::dense_packed(&x, &p, &bias, &mut out, act)
                .unwrap_or_else(|e| panic!("{what}: right lengths refused: {e}"));
            for l in wrong_lengths(m * k) {
                let mut out = filled::<T>(m * n, UNTOUCHED);
                let r = nn_kernels::dense_packed(&filled::<T>(l, 0.5), &p, &bias, &mut out, act);
                // A whole number of other samples is a valid x, so the
                // error may be on `out`, or there may be none.
                match forward_error(k, n, l, m * n) {
                    Some((arg, kind)) => {
                        assert_err(r, "dense_packed", arg, kind);
                        assert_untouched(&out, &what);
                    }
                    None => assert!(r.is_ok(), "{what}: x of {l} refused"),
                }
            }
            for l in wrong_lengths(n) {
                let mut out = filled::<T>(m * n, UNTOUCHED);
                let r = nn_kernels::dense_packed(&x, &p, &filled::<T>(l, 1.0), &mut out, act);
                assert_err(r, "dense_packed", "bias", len(n, l));
                assert_untouched(&out, &what);
            }
            for l in wrong_lengths(m * n) {
                let mut out = filled::<T>(l, UNTOUCHED);
                let r = nn_kernels::dense_packed(&x, &p, &bias, &mut out, act);
                match forward_error(k, n, x.len(), l) {
                    Some((arg, kind)) => {
                        assert_err(r, "dense_packed", arg, kind);
                        assert_untouched(&out, &what);
                    }
                    // A layer of no inputs reads the batch size off `out`.
                    None => assert!(k == 0 && r.is_ok(), "{what}: out of {l} refused"),
                }
            }
        }
    }
}

#[test]
fn packed_weights_and_dense_packed_refuse_every_operand_one_off() {
    packed_off_by_one::<f32>();
    packed_off_by_one::<f64>();
}

/// The documented outcome of `Dense::forward` and `dense_packed`, which take
/// the batch size from the input, with `x` of `x_len` and `out` of
/// `out_len` for a layer of `inputs x neurons`: `x` must be whole samples
/// (else `NotMultiple` on `x`), and `out` must hold that many samples'
/// outputs (else `Length` on `out`). A layer of no inputs takes an empty
/// `x` (else `Length` on `x`) and its batch size from `out`, which must be
/// whole rows (`NotMultiple`, or `ZeroCols` when there are no neurons
/// either).
fn forward_error(
    inputs: usize,
    neurons: usize,
    x_len: usize,
    out_len: usize,
) -> Option<(&'static str, ShapeErrorKind)> {
    if inputs == 0 {
        if x_len != 0 {
            return Some(("x", len(0, x_len)));
        }
        return match (out_len, neurons) {
            (0, _) => None,
            (l, 0) => Some(("cols", ShapeErrorKind::ZeroCols { len: l })),
            (l, n) => (!l.is_multiple_of(n))
                .then_some(("out", ShapeErrorKind::NotMultiple { len: l, cols: n })),
        };
    }
    if !x_len.is_multiple_of(inputs) {
        return Some((
            "x",
            ShapeErrorKind::NotMultiple {
                len: x_len,
                cols: inputs,
            },
        ));
    }
    let want = x_len / inputs * neurons;
    (want != out_len).then_some(("out", len(want, out_len)))
}

fn forward_off_by_one<T: nn_kernels::Float>() {
    for (m, inputs, neurons) in [(3, 5, 7), (1, 2, 1), (4, 3, 2)] {
        let mut layer = Dense::<T>::new(inputs, neurons, &mut nn_kernels::rng::default_rng(3));
        for prepared in [false, true] {
            if prepared {
                layer.prepare();
            }
            let what = format!(
                "Dense<{}>({inputs}, {neurons}) m={m} prepared={prepared}",
                T::NAME
            );
            let x = filled::<T>(m * inputs, 0.5);
            for act in [Activation::Identity, Activation::Relu] {
                let mut out = filled::<T>(m * neurons, UNTOUCHED);
                layer
                    .forward_with(&x, &mut out, act)
                    .unwrap_or_else(|e| panic!("{what}: right lengths refused: {e}"));
                for l in wrong_lengths(m * inputs) {
                    let mut out = filled::<T>(m * neurons, UNTOUCHED);
                    let (arg, kind) = forward_error(inputs, neurons, l, m * neurons)
                        .unwrap_or_else(|| panic!("{what}: x of {l} has a valid shape"));
                    let xl = filled::<T>(l, 0.5);
                    assert_err(
                        layer.forward_with(&xl, &mut out, act),
                        "Dense::forward",
                        arg,
                        kind.clone(),
                    );
                    assert_untouched(&out, &what);
                    if act == Activation::Identity {
                        assert_err(layer.forward(&xl, &mut out), "Dense::forward", arg, kind);
                        assert_untouched(&out, &what);
                    }
                }
                for l in wrong_lengths(m * neurons) {
                    let mut out = filled::<T>(l, UNTOUCHED);
                    let kind = len(m * neurons, l);
                    assert_eq!(
                        forward_error(inputs, neurons, x.len(), l),
                        Some(("out", kind.clone()))
                    );
                    assert_err(
                        layer.forward_with(&x, &mut out, act),
                        "Dense::forward",
                        "out",
                        kind.clone(),
                    );
                    assert_untouched(&out, &what);
                    if act == Activation::Identity {
                        assert_err(layer.forward(&x, &mut out), "Dense::forward", "out", kind);
                        assert_untouched(&out, &what);
                    }
                }
            }
        }
    }
}

#[test]
fn dense_forward_refuses_x_and_out_one_off_prepared_or_not() {
    forward_off_by_one::<f32>();
    forward_off_by_one::<f64>();
}

fn softmax_off_by_one<T: nn_kernels::Float>() {
    type OutOfPlace<T> = fn(&[T], &mut [T], usize) -> Result<(), ShapeError>;
    type InPlace<T> = fn(&mut [T], usize) -> Result<(), ShapeError>;
    let split: [(&str, OutOfPlace<T>); 2] = [
        ("softmax_rows", nn_kernels::softmax_rows::<T>),
        ("softmax_rows_masked", nn_kernels::softmax_rows_masked::<T>),
    ];
    let inplace: [(&str, InPlace<T>); 2] = [
        (
            "softmax_rows_inplace",
            nn_kernels::softmax_rows_inplace::<T>,
        ),
        (
            "softmax_rows_masked_inplace",
            nn_kernels::softmax_rows_masked_inplace::<T>,
        ),
    ];
    // cols >= 2, so that one element more or fewer than whole rows is never
    // whole rows; long rows too, past every tier's vector width.
    for (rows, cols) in [(1, 2), (4, 3), (3, 17), (2, 100)] {
        let n = rows * cols;
        let x = filled::<T>(n, 0.5);
        for (name, f) in split {
            let what = format!("{name}<{}> {rows}x{cols}", T::NAME);
            let mut out = filled::<T>(n, UNTOUCHED);
            f(&x, &mut out, cols).unwrap_or_else(|e| panic!("{what}: right lengths refused: {e}"));
            for l in wrong_lengths(n) {
                // `out` one off from `x`.
                let mut out = filled::<T>(l, UNTOUCHED);
                assert_err(f(&x, &mut out, cols), name, "out", len(n, l));
                assert_untouched(&out, &what);
                // `x` (and `out` with it) one off from whole rows; 0 is zero
                // rows, which is valid.
                let mut out = filled::<T>(l, UNTOUCHED);
                let r = f(&filled::<T>(l, 0.5), &mut out, cols);
                if l == 0 {
                    r.unwrap_or_else(|e| panic!("{what}: empty input refused: {e}"));
                } else {
                    assert_err(r, name, "x", ShapeErrorKind::NotMultiple { len: l, cols });
                    assert_untouched(&out, &what);
                }
            }
        }
        for (name, f) in inplace {
            let what = format!("{name}<{}> {rows}x{cols}", T::NAME);
            for l in wrong_lengths(n) {
                let mut buf = filled::<T>(l, UNTOUCHED);
                let r = f(&mut buf, cols);
                if l == 0 {
                    r.unwrap_or_else(|e| panic!("{what}: empty input refused: {e}"));
                } else {
                    assert_err(r, name, "x", ShapeErrorKind::NotMultiple { len: l, cols });
                    assert_untouched(&buf, &what);
                }
            }
        }
    }
}

#[test]
fn softmax_refuses_out_one_off_and_partial_rows() {
    softmax_off_by_one::<f32>();
    softmax_off_by_one::<f64>();
}

fn activations_off_by_one<T: nn_kernels::Float>() {
    use nn_kernels::activation as act;
    type Split<T> = fn(nn_kernels::dispatch::Supported, &[T], &mut [T]) -> Result<(), ShapeError>;
    let ops: [(&str, Split<T>); 4] = [
        ("relu", act::relu_with_isa::<T>),
        ("step", act::step_with_isa::<T>),
        ("sigmoid", act::sigmoid_with_isa::<T>),
        ("exp_le0", act::exp_le0_with_isa::<T>),
    ];
    type Public<T> = fn(&[T], &mut [T]) -> Result<(), ShapeError>;
    let public: [(&str, Public<T>); 3] = [
        ("relu", nn_kernels::relu::<T>),
        ("step", nn_kernels::step::<T>),
        ("sigmoid", nn_kernels::sigmoid::<T>),
    ];
    // ReLU runs a plain loop (with its own check) below 256 elements and
    // the kernels from 256 on; both sides, and lengths past a vector.
    for n in [0usize, 1, 5, 17, 255, 256, 257, 1000] {
        let x = filled::<T>(n, -0.5);
        for l in wrong_lengths(n) {
            for isa in nn_kernels::dispatch::supported_isas() {
                for (name, f) in ops {
                    let mut out = filled::<T>(l, UNTOUCHED);
                    assert_err(f(isa, &x, &mut out), name, "out", len(n, l));
                    assert_untouched(&out, &format!("{name}<{}> on {}", T::NAME, isa.isa()));
                }
            }
            for (name, f) in public {
                let mut out = filled::<T>(l, UNTOUCHED);
                assert_err(f(&x, &mut out), name, "out", len(n, l));
                assert_untouched(&out, &format!("{name}<{}>", T::NAME));
            }
        }
    }
}

#[test]
fn activations_refuse_out_one_off_on_every_tier() {
    activations_off_by_one::<f32>();
    activations_off_by_one::<f64>();
}

fn argmax_off_by_one<T: nn_kernels::Float>() {
    for (rows, cols) in [(1, 1), (1, 3), (4, 3), (7, 16), (3, 40)] {
        let x = filled::<T>(rows * cols, 0.5);
        let mut idx = vec![usize::MAX; rows];
        nn_kernels::argmax_rows(&x, &mut idx, cols).expect("right lengths");
        for l in wrong_lengths(rows) {
            let mut idx = vec![usize::MAX; l];
            assert_err(
                nn_kernels::argmax_rows(&x, &mut idx, cols),
                "argmax_rows",
                "out",
                len(rows, l),
            );
            assert!(
                idx.iter().all(|&i| i == usize::MAX),
                "a refused call wrote out"
            );
        }
    }
}

#[test]
fn argmax_refuses_out_one_off() {
    argmax_off_by_one::<f32>();
    argmax_off_by_one::<f64>();
}

/// `Dense::try_new` reports what `Dense::new` panics on: an overflowing
/// `inputs * neurons`, and weights no allocator gives (the issue's
/// `2^31 x 2^29` f32: 4 EiB, under `isize::MAX` bytes, so only the
/// allocator refuses it); a shape that fits gives `new`'s layer, bit for
/// bit, and a failed call leaves the random source untouched.
#[test]
fn dense_try_new_reports_overflow_and_failed_allocation() {
    use nn_kernels::rng::NumpyRandomState;
    let mut rng = NumpyRandomState::new(3);
    let err = Dense::<f32>::try_new(usize::MAX, 2, &mut rng).unwrap_err();
    assert!(matches!(err.kind, ShapeErrorKind::Overflow { .. }), "{err}");
    let err = Dense::<f32>::try_new(1 << 31, 1 << 29, &mut rng).unwrap_err();
    assert_eq!(
        err.kind,
        ShapeErrorKind::Allocation { bytes: 1 << 62 },
        "{err}"
    );
    assert_eq!(err.function, "Dense::try_new");
    let err = Dense::<f64>::try_new(1 << 31, 1 << 31, &mut rng).unwrap_err();
    assert!(
        matches!(err.kind, ShapeErrorKind::Allocation { .. }),
        "{err}"
    );
    // The failed calls drew nothing: the next layer is the first one of
    // a fresh source.
    let got = Dense::<f64>::try_new(3, 4, &mut rng).unwrap();
    let want = Dense::<f64>::new(3, 4, &mut NumpyRandomState::new(3));
    assert_eq!(got, want);
}

#[test]
#[should_panic(expected = "could not allocate")]
fn dense_new_panics_with_the_allocation_error() {
    let mut rng = nn_kernels::rng::NumpyRandomState::new(0);
    let _ = nn_kernels::Dense::<f32>::new(1 << 31, 1 << 29, &mut rng);
}
