//! The dense layer's API around the product (which `gemm.rs` tests on
//! every tier): weights in either layout, packed and unpacked, prefixes,
//! `k == 0`, thread counts, the `Dense` layer, zero sizes.

use crate::common;

use crate::common::{assert_bits_eq, tiers, values};
use nn_kernels::internals;
use nn_kernels::{Activation, PackedWeights, Weights, dense_packed};

#[test]
fn packed_weights_check_their_shapes() {
    let w = [1.0f32; 6];
    let err = Weights::inputs_by_neurons(&w[..5], 2, 3).unwrap_err();
    assert_eq!(
        (err.function, err.argument),
        ("Weights::inputs_by_neurons", "w")
    );
    let err = Weights::neurons_by_inputs(&w, usize::MAX, 2).unwrap_err();
    assert_eq!(
        (err.function, err.argument),
        ("Weights::neurons_by_inputs", "inputs * neurons")
    );
    let p = PackedWeights::new(Weights::inputs_by_neurons(&w, 2, 3).unwrap()).unwrap();
    let dims = (p.inputs(), p.neurons(), p.isa());
    assert_eq!(dims, (2, 3, nn_kernels::selected_isa()));
    let (x, b) = ([1.0f32; 4], [0.0f32; 3]);
    let mut out = [0.0f32; 6];
    for (xs, bs, out_len, arg) in [
        (&x[..3], &b[..], 6, "x"),
        (&x[..], &b[..2], 6, "bias"),
        (&x[..], &b[..], 5, "out"),
    ] {
        let err = dense_packed(xs, &p, bs, &mut out[..out_len], Activation::Identity);
        let err = err.unwrap_err();
        assert_eq!((err.function, err.argument), ("dense_packed", arg));
    }
    dense_packed(&x, &p, &b, &mut out, Activation::Identity).unwrap();
    assert_eq!(out, [2.0; 6]);
}

/// `dense_packed_prefix` computes what `dense_packed` does on the first
/// `rows` samples, writes nothing past `rows x n` of `out`, reads nothing
/// past `rows x k` of `x` (NaN there would show), and refuses short slices.
#[test]
fn dense_packed_prefix_uses_the_prefixes_only() {
    use nn_kernels::{ShapeErrorKind, dense_packed_prefix};
    let (k, n, cap) = (5, 3, 7);
    let w: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.37).sin()).collect();
    let bias: Vec<f32> = (0..n).map(|j| j as f32 - 1.0).collect();
    let p = PackedWeights::new(Weights::inputs_by_neurons(&w, k, n).unwrap()).unwrap();
    for rows in 0..=cap {
        let mut x = vec![f32::NAN; cap * k];
        for (i, v) in x[..rows * k].iter_mut().enumerate() {
            *v = (i as f32 * 0.61).cos();
        }
        let mut want = vec![0.0f32; rows * n];
        dense_packed(&x[..rows * k], &p, &bias, &mut want, Activation::Relu).unwrap();
        let mut out = vec![-7.0f32; cap * n];
        let got = dense_packed_prefix(&x, &p, &bias, &mut out, rows, Activation::Relu).unwrap();
        assert_eq!(got.len(), rows * n);
        assert!(
            got.iter()
                .zip(&want)
                .all(|(g, w)| g.to_bits() == w.to_bits()),
            "rows {rows}"
        );
        assert!(
            out[rows * n..].iter().all(|v| *v == -7.0),
            "rows {rows}: wrote past the prefix"
        );
    }
    let mut out = vec![0.0f32; cap * n];
    let x = vec![0.5f32; cap * k];
    for (xl, ol, arg, needed, actual) in [
        (2 * k - 1, 2 * n, "x", 2 * k, 2 * k - 1),
        (2 * k, 2 * n - 1, "out", 2 * n, 2 * n - 1),
    ] {
        let e = dense_packed_prefix(&x[..xl], &p, &bias, &mut out[..ol], 2, Activation::Identity)
            .unwrap_err();
        assert_eq!((e.function, e.argument), ("dense_packed_prefix", arg));
        assert_eq!(e.kind, ShapeErrorKind::TooShort { needed, actual });
    }
    let e = dense_packed_prefix(&x, &p, &bias[..2], &mut out, 2, Activation::Identity).unwrap_err();
    assert_eq!((e.function, e.argument), ("dense_packed_prefix", "bias"));
    assert!(dense_packed_prefix(&x, &p, &bias, &mut out, usize::MAX, Activation::Relu).is_err());
}

#[test]
fn dense_prepare_keeps_results_and_weights_mut_drops_the_packing() {
    let w = values(70 * 65, 1, 1.0);
    let w = Weights::inputs_by_neurons(&w, 70, 65).unwrap();
    let mut layer = nn_kernels::Dense::<f32>::from_parts(w, values(65, 2, 1.0)).unwrap();
    let x = values::<f32>(5 * 70, 3, 1.0);
    let (mut a, mut b) = (vec![f32::NAN; 5 * 65], vec![f32::NAN; 5 * 65]);
    layer.forward(&x, &mut a).unwrap();
    layer.prepare();
    assert!(layer.is_prepared());
    layer.forward(&x, &mut b).unwrap();
    assert_bits_eq(&a, &b, "prepared");
    let before = layer.weights().into_owned();
    layer.weights_mut()[0] += 1.0;
    assert!(!layer.is_prepared());
    assert_eq!(layer.weights()[1..], before[1..], "unpacked as they were");
    layer.forward(&x, &mut b).unwrap();
    assert_ne!(a[0].to_bits(), b[0].to_bits(), "the new weight is used");
}

#[test]
fn dense_with_k_zero_gives_bias_and_fused_relu_equals_separate() {
    let bias = [1.5f32, -2.0, 0.0, -0.0];
    let mut out = [f32::NAN; 8];
    nn_kernels::dense(
        &[],
        nn_kernels::Weights::inputs_by_neurons(&[], 0, 4).unwrap(),
        &bias,
        &mut out,
        Activation::Identity,
    )
    .unwrap();
    assert_bits_eq(&out, &[bias, bias].concat(), "k = 0 is the bias");
    nn_kernels::dense(
        &[],
        nn_kernels::Weights::inputs_by_neurons(&[], 0, 4).unwrap(),
        &bias,
        &mut out,
        Activation::Relu,
    )
    .unwrap();
    assert_bits_eq(
        &out,
        &[[1.5, 0.0, 0.0, -0.0]; 2].concat(),
        "k = 0 with ReLU",
    );
    let mut prod = [f64::NAN; 6];
    nn_kernels::matmul::<f64>(&[], &[], &mut prod, 2, 0, 3).unwrap();
    assert_eq!(prod, [0.0; 6]);

    let (m, k, n) = (67, 45, 29);
    let (x, w, b) = (
        values::<f32>(m * k, 4, 1.0),
        values::<f32>(k * n, 5, 1.0),
        values::<f32>(n, 6, 1.0),
    );
    let mut fused = vec![f32::NAN; m * n];
    nn_kernels::dense(
        &x,
        nn_kernels::Weights::inputs_by_neurons(&w, k, n).unwrap(),
        &b,
        &mut fused,
        Activation::Relu,
    )
    .unwrap();
    let mut separate = vec![f32::NAN; m * n];
    nn_kernels::dense(
        &x,
        nn_kernels::Weights::inputs_by_neurons(&w, k, n).unwrap(),
        &b,
        &mut separate,
        Activation::Identity,
    )
    .unwrap();
    nn_kernels::relu_inplace(&mut separate);
    assert_bits_eq(&fused, &separate, "fused ReLU");
}

#[test]
fn dense_parallel_results_equal_serial_bitwise() {
    let (m, k, n) = (520, 96, 100); // 5M multiply-adds: above the threshold
    assert!(m * k * n >= internals::PAR_MIN_MACS_PER_LANE * 16);
    let (x, w, b) = (
        values::<f32>(m * k, 7, 1.0),
        values::<f32>(k * n, 8, 1.0),
        values::<f32>(n, 9, 1.0),
    );
    let run = |threads| {
        common::in_pool(threads, || {
            let mut out = vec![f32::NAN; m * n];
            nn_kernels::dense(
                &x,
                nn_kernels::Weights::inputs_by_neurons(&w, k, n).unwrap(),
                &b,
                &mut out,
                Activation::Relu,
            )
            .unwrap();
            out
        })
    };
    let serial = run(1);
    for threads in [2, 3, 8] {
        assert_bits_eq(&run(threads), &serial, &format!("{threads} threads"));
    }
}

#[test]
#[cfg(feature = "chapter")] // random layers
fn dense_layer_matches_free_function_and_exposes_parameters() {
    let mut rng = nn_kernels::rng::default_rng(3);
    let mut layer = nn_kernels::Dense::<f32>::new(4, 5, &mut rng);
    assert_eq!((layer.inputs(), layer.neurons()), (4, 5));
    assert_eq!(layer.weights().len(), 20);
    layer
        .biases_mut()
        .copy_from_slice(&[0.1, -0.2, 0.3, -0.4, 0.5]);
    layer.weights_mut()[0] = 2.0;
    let x = values::<f32>(3 * 4, 1, 1.0);
    let mut a = vec![f32::NAN; 15];
    layer.forward_with(&x, &mut a, Activation::Relu).unwrap();
    let mut b = vec![f32::NAN; 15];
    nn_kernels::dense(
        &x,
        nn_kernels::Weights::inputs_by_neurons(&layer.weights(), 4, 5).unwrap(),
        layer.biases(),
        &mut b,
        Activation::Relu,
    )
    .unwrap();
    assert_bits_eq(&a, &b, "Dense::forward_with");
    // Weights are 0.01 * N(0, 1): small and not all equal.
    let fresh = nn_kernels::Dense::<f64>::new(50, 40, &mut rng);
    let w = fresh.weights();
    let mean = w.iter().sum::<f64>() / w.len() as f64;
    let var = w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / w.len() as f64;
    // 2000 draws of N(0, 1e-4): the sample variance is within 20% of 1e-4
    // with overwhelming probability (its relative s.d. is sqrt(2/2000) = 3%).
    assert!((var / 1e-4 - 1.0).abs() < 0.2, "variance {var}");
    assert!(
        mean.abs() < 5.0 * 0.01 / (w.len() as f64).sqrt(),
        "mean {mean}"
    );
    let w = Weights::inputs_by_neurons(&w, 50, 40).unwrap();
    let rebuilt = nn_kernels::Dense::from_parts(w, vec![0.0; 40]).unwrap();
    assert_eq!(&rebuilt, &fresh);
}

#[test]
fn zero_size_inputs_are_valid_and_do_nothing() {
    let mut empty: [f32; 0] = [];
    nn_kernels::relu(&[], &mut empty).unwrap();
    nn_kernels::softmax_rows(&[], &mut empty, 0).unwrap();
    nn_kernels::softmax_rows(&[], &mut empty, 5).unwrap();
    nn_kernels::softmax_rows_inplace(&mut empty, 0).unwrap();
    nn_kernels::matmul(&[], &[1.0; 15], &mut empty, 0, 5, 3).unwrap();
    nn_kernels::matmul(&[1.0; 5], &[], &mut empty, 1, 5, 0).unwrap();
    nn_kernels::dense(
        &[],
        nn_kernels::Weights::inputs_by_neurons(&[1.0; 6], 2, 3).unwrap(),
        &[1.0; 3],
        &mut empty,
        Activation::Relu,
    )
    .unwrap();
    let w = Weights::inputs_by_neurons(&[], 0, 3).unwrap();
    let layer = nn_kernels::Dense::<f32>::from_parts(w, vec![0.5; 3]).unwrap();
    let mut out = [f32::NAN; 6];
    layer.forward(&[], &mut out).unwrap(); // 2 samples of no inputs: the bias
    assert_eq!(out, [0.5; 6]);
    #[cfg(feature = "chapter")]
    {
        let mut rng = nn_kernels::rng::default_rng(0);
        let data = nn_kernels::spiral_data::<f32, _>(0, 3, 0.2, &mut rng).unwrap();
        assert!(data.x.is_empty() && data.y.is_empty());
    }
}

/// Weights packed from `neurons x inputs` (PyTorch's layout) give
/// `dense_packed` the bits of the same weights packed from `inputs x
/// neurons`, on every tier, for shapes that read the weights in place and
/// shapes that pack them into panels; `dense` gives the same bits from
/// either layout; `Dense::from_parts` holds the transposed weights; the
/// packed weights unpack to what was packed.
#[test]
fn weights_in_either_layout_give_the_same_bits() {
    use nn_kernels::Dense;
    for (m, k, n) in [
        (1, 1, 1),
        (3, 7, 5),
        (2, 128, 10),
        (4, 784, 128),
        (5, 300, 301),
        (8, 1024, 1000),
    ] {
        let w = values::<f32>(k * n, (k * 31 + n) as u64, 1.0);
        let mut w_t = vec![0.0f32; k * n];
        for i in 0..k {
            for j in 0..n {
                w_t[j * k + i] = w[i * n + j];
            }
        }
        let (by_inputs, by_neurons) = (
            Weights::inputs_by_neurons(&w, k, n).unwrap(),
            Weights::neurons_by_inputs(&w_t, n, k).unwrap(),
        );
        let x = values::<f32>(m * k, 5, 1.0);
        let b = values::<f32>(n, 6, 1.0);
        for isa in tiers() {
            let ctx = format!("{m}x{k}x{n} on {}", isa.isa());
            let a = internals::pack(isa, by_inputs).unwrap();
            let t = internals::pack(isa, by_neurons).unwrap();
            // The same packed data, so every call does the same work (the
            // same speed) as well as giving the same bits.
            assert!(a == t, "{ctx}: packed data differ");
            assert_eq!(t.to_inputs_by_neurons(), w, "{ctx}: unpacked");
            let (mut oa, mut ot) = (vec![f32::NAN; m * n], vec![f32::NAN; m * n]);
            nn_kernels::dense_packed(&x, &a, &b, &mut oa, Activation::Relu).unwrap();
            nn_kernels::dense_packed(&x, &t, &b, &mut ot, Activation::Relu).unwrap();
            assert_bits_eq(&ot, &oa, &ctx);
            internals::dense(isa, &x, by_neurons, &b, &mut ot, Activation::Relu).unwrap();
            assert_bits_eq(&ot, &oa, &format!("{ctx}: dense from neurons x inputs"));
        }
        let layer = Dense::from_parts(by_neurons, b.clone()).unwrap();
        assert_eq!(layer, Dense::from_parts(by_inputs, b).unwrap());
        assert_eq!(layer.weights(), w.as_slice());
    }
    // The shape in the tensor's order is checked where the weights are
    // described: 5 weights are not 2 x 3.
    assert!(Weights::neurons_by_inputs(&[0.0f32; 5], 3, 2).is_err());
}
