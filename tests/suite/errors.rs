//! Every error path of the public API: each returns the documented
//! `ShapeError` (function, argument, kind), writes nothing, and none panics.
//!
//! The lengths come from the op tables: [`every_op_refuses_each_length_one_off`]
//! runs every public function of every family (`internals::Op::all()`) with
//! each slice argument it checks one element short, one long and empty, on
//! every tier, so an op added to a table is checked here too. The tests
//! below it cover what no length does: overflowing dims, zero columns, the
//! layer type and the chapter's helpers.

use crate::common::tiers;
use nn_kernels::internals::{ArgCheck, Buf, Bufs, Op, Shape};
use nn_kernels::{Activation, Dense, Float, ShapeError, ShapeErrorKind, Weights};

pub(crate) fn len(expected: usize, actual: usize) -> ShapeErrorKind {
    ShapeErrorKind::Length { expected, actual }
}

pub(crate) fn assert_err<T: std::fmt::Debug>(
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

/// Lengths that a check expecting `expected` must refuse: `expected - 1`
/// (if `expected > 0`), `expected + 1`, and 0 (if `expected > 1`).
pub(crate) fn wrong_lengths(expected: usize) -> Vec<usize> {
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
pub(crate) const UNTOUCHED: f64 = -12345.0;

pub(crate) fn filled<T: Float>(n: usize, v: f64) -> Vec<T> {
    vec![T::from_f64(v); n]
}

pub(crate) fn assert_untouched<T: Float>(out: &[T], what: &str) {
    for (i, v) in out.iter().enumerate() {
        assert_eq!(
            v.to_bits_u64(),
            T::from_f64(UNTOUCHED).to_bits_u64(),
            "{what}: a refused call wrote out[{i}] = {v:?}"
        );
    }
}

/// The error a check gives a slice of `l` elements, or `None` where `l`
/// is a valid length for it (a multiple of the row length, or at least
/// what a prefix needs: then the call goes on, and any mismatch it makes
/// with another argument is that argument's to report, checked when that
/// one is wrong).
fn expected_kind(check: ArgCheck, want: usize, l: usize) -> Option<ShapeErrorKind> {
    match check {
        ArgCheck::Exact => Some(len(want, l)),
        ArgCheck::Rows(cols) => {
            (!l.is_multiple_of(cols)).then_some(ShapeErrorKind::NotMultiple { len: l, cols })
        }
        ArgCheck::AtLeast => (l < want).then_some(ShapeErrorKind::TooShort {
            needed: want,
            actual: l,
        }),
    }
}

/// Shapes `(m, k, n)`: general, one row, two columns, no rows (any element
/// is one too many). `k` and `n` are at least 2, so one element more or
/// fewer is never whole rows.
const SHAPES: [Shape; 4] = [
    Shape { m: 3, k: 4, n: 5 },
    Shape { m: 1, k: 2, n: 3 },
    Shape { m: 2, k: 3, n: 2 },
    Shape { m: 0, k: 3, n: 2 },
];

fn every_op_one_off<T: Float>() {
    for op in Op::all() {
        for shape in SHAPES {
            let args = op.args(shape);
            let lens = |arg: Option<(Buf, usize)>| {
                let of = |buf: Buf| {
                    match arg {
                        Some((b, l)) if b == buf => return l,
                        _ => {}
                    }
                    args.iter().find(|a| a.buf == buf).map_or(0, |a| a.len)
                };
                // An element-wise op's input is not checked itself: `out`
                // is checked against it.
                let x = if matches!(op, Op::Unary { .. }) {
                    shape.m * shape.n
                } else {
                    of(Buf::X)
                };
                [x, of(Buf::W), of(Buf::Bias), of(Buf::Out), of(Buf::Classes)]
            };
            for isa in tiers() {
                let what = format!("{op:?} <{}> {shape:?} on {}", T::NAME, isa.isa());
                let run = |l: [usize; 5]| {
                    let (x, w, b) = (
                        filled::<T>(l[0], 0.5),
                        filled::<T>(l[1], 0.25),
                        filled::<T>(l[2], 1.0),
                    );
                    let mut out = filled::<T>(l[3], UNTOUCHED);
                    let mut classes = vec![usize::MAX; l[4]];
                    let bufs = Bufs {
                        x: &x,
                        w: &w,
                        bias: &b,
                        out: &mut out,
                        classes: &mut classes,
                    };
                    (op.call(isa, bufs, shape), out, classes)
                };
                let (r, _, _) = run(lens(None));
                r.unwrap_or_else(|e| panic!("{what}: the right lengths refused: {e}"));
                for arg in &args {
                    for l in wrong_lengths(arg.len) {
                        let what = format!("{what}: {} of {l}", arg.name);
                        let (r, out, classes) = run(lens(Some((arg.buf, l))));
                        match expected_kind(arg.check, arg.len, l) {
                            Some(kind) => {
                                assert_err(r, arg.function, arg.name, kind);
                                assert_untouched(&out, &what);
                                assert!(
                                    classes.iter().all(|&c| c == usize::MAX),
                                    "{what}: wrote classes"
                                );
                            }
                            // A valid length for this argument: accepted,
                            // or refused for the mismatch it makes with
                            // another argument, which names that one.
                            None => match r {
                                Ok(()) => {}
                                Err(e) => {
                                    assert_ne!(e.argument, arg.name, "{what}: {e}");
                                    assert_untouched(&out, &what);
                                }
                            },
                        }
                    }
                }
            }
        }
    }
}

/// Every public function of every family, every slice it checks one off
/// (and empty), on every tier: the documented error, nothing written.
#[test]
fn every_op_refuses_each_length_one_off() {
    every_op_one_off::<f32>();
    every_op_one_off::<f64>();
}

/// Zero columns with data: every row op and argmax say `cols`.
#[test]
fn zero_columns_with_data_are_refused() {
    let x = [1.0f64; 6];
    for op in Op::all() {
        let (Op::Rows { .. } | Op::Argmax) = op else {
            continue;
        };
        for isa in tiers() {
            let mut out = [UNTOUCHED; 6];
            let mut classes = [0usize; 6];
            let bufs = Bufs {
                x: &x,
                w: &[],
                bias: &[],
                out: &mut out,
                classes: &mut classes,
            };
            let r = op.call(isa, bufs, Shape { m: 6, k: 0, n: 0 });
            assert_err(r, op.name(), "cols", ShapeErrorKind::ZeroCols { len: 6 });
        }
    }
    // Empty input is valid for any row length, zero included.
    assert!(nn_kernels::softmax_rows::<f32>(&[], &mut [], 0).is_ok());
    assert!(nn_kernels::argmax_rows::<f32>(&[], &mut [], 0).is_ok());
}

#[test]
fn overflowing_dims_are_refused() {
    let (a, b) = ([1.0f32; 6], [1.0f32; 12]);
    let mut out = [0.0f32; 8];
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
    assert_err(
        Weights::inputs_by_neurons(&b, usize::MAX, 2),
        "Weights::inputs_by_neurons",
        "inputs * neurons",
        overflow([usize::MAX, 2]),
    );
    assert_err(
        Weights::neurons_by_inputs(&b, 2, usize::MAX),
        "Weights::neurons_by_inputs",
        "inputs * neurons",
        overflow([usize::MAX, 2]),
    );
    let p = nn_kernels::PackedWeights::new(Weights::inputs_by_neurons(&b, 3, 4).unwrap()).unwrap();
    assert_err(
        nn_kernels::dense_packed_prefix(&a, &p, &[0.0; 4], &mut out, big, Activation::Relu),
        "dense_packed_prefix",
        "rows * k",
        overflow([big, 3]),
    );
    assert_eq!(out, [0.0; 8], "a refused call writes nothing");
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
                        let Ok(w) = Weights::inputs_by_neurons(&data[..l], k, n) else {
                            continue;
                        };
                        let bias = &data[..l.min(3)];
                        let _ =
                            nn_kernels::dense(&data[..l], w, bias, &mut out[..l], Activation::Relu);
                        if let Ok(p) = nn_kernels::PackedWeights::new(w) {
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
                #[cfg(feature = "chapter")]
                let _ = nn_kernels::spiral_data::<f32, _>(
                    m,
                    l,
                    0.1,
                    &mut nn_kernels::rng::default_rng(1),
                );
                if let Ok(w) = Weights::inputs_by_neurons(&data[..l], m, l)
                    && let Ok(layer) = Dense::<f32>::from_parts(w, vec![0.0; m.min(4)])
                {
                    let _ = layer.forward(&data[..l], &mut out[..9 - l]);
                }
                let _ = nn_kernels::softmax_rows(&data[..l], &mut out[..l], m);
                let _ = nn_kernels::softmax_rows_masked(&data[..l], &mut out[..9 - l], m);
                let _ = nn_kernels::log_softmax_rows(&data[..l], &mut out[..9 - l], m);
                let _ = nn_kernels::argmax_rows(&data[..l], &mut idx[..l], m);
                let mut buf = [0.25f32; 9];
                let _ = nn_kernels::softmax_rows_inplace(&mut buf[..l], m);
                let _ = nn_kernels::log_softmax_rows_masked_inplace(&mut buf[..l], m);
            }
        }
    });
    assert!(result.is_ok(), "a bad shape panicked");
}
