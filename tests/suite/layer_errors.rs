//! The errors of the `Dense` layer and of the chapter's helpers (which
//! draw random weights and data, feature `chapter`): forward calls one off
//! in either argument, prepared or not; parts that do not fit; overflowing
//! and unallocatable shapes; `spiral_data`'s limits. The kernels' own
//! errors are `errors.rs`'.

#![cfg(feature = "chapter")]

use crate::errors::{UNTOUCHED, assert_err, assert_untouched, filled, len, wrong_lengths};
use nn_kernels::{Activation, Dense, Float, ShapeErrorKind, Weights};

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
    let w = Weights::inputs_by_neurons(&[0.0f32; 6], 2, 3).unwrap();
    assert_err(
        Dense::from_parts(w, vec![0.0; 2]),
        "Dense::from_parts",
        "biases",
        len(3, 2),
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

fn forward_off_by_one<T: Float>() {
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
